CREATE TABLE `w` (`id` int, `a` text, `b` text);
INSERT INTO `w` VALUES (1,'ok','ok'),(2,'too few'),(3,'ok','ok'),(4,'too','many','values'),(5,'ok','ok');
INSERT INTO `w` VALUES (6,bogus,'x'),(7,'after bogus','ok'),(8,'adjacent strings (not supported)' , 'x' 'y'),(9,'z','z'),(10,0x,'empty hex'),(11,0xZZ,'bad hex'),(12,X'ABC','odd hex'),(13,b'102','bad bits'),(14,1e,'bad number'),(15,_binary NULL,'introducer without string');
INSERT INTO `w` VALUES (20,'a','b') garbage here;
INSERT INTO `w` SET `id`=21, `a`='set form';
INSERT INTO `w` VALUES 22;
INSERT INTO `w` SELECT * FROM `v`;
INSERT INTO `w` VALUES (23,'a','b'),;
INSERT INTO `w` VALUES (24,'last','ok');
