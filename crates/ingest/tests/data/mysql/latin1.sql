CREATE TABLE `l` (`id` int, `name` text);
INSERT INTO `l` VALUES (1,'café'),(2,'naïve \'naïve\''),(3,'ascii only'),(4,'mixed Ã© and é');
