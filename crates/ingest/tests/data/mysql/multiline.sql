CREATE TABLE `messages` (`id` int, `content` text, `created_at` datetime);
INSERT INTO `messages` VALUES (1,'line one
line two
  indented line three','2020-05-01 10:00:00'),(2,'crlf
line','2020-05-01 10:00:01');
INSERT INTO `messages`
  VALUES
  ( 3 , 'spaced out' ,
    '2020-05-01 10:00:02' ) ,
  (4,'after a newline','2020-05-01 10:00:03')
  ;
