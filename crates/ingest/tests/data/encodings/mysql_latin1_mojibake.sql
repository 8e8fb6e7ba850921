-- MySQL dump 10.13  Distrib 5.7.33, for Linux (x86_64)
/*!40101 SET NAMES utf8 */;
CREATE TABLE `users` (
  `id` int(11) NOT NULL,
  `username` varchar(64) NOT NULL,
  `title` varchar(255) NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=latin1;
INSERT INTO `users` VALUES (1,'Ð›Ñ‘ÑˆÐ°','ÐœÐµÑ„ÐµÐ´Ñ€Ð¾Ð½ 1Ð³'),(2,'Ð¨Ð°Ð»Ñ„ÐµÐ¹','Ð“ÐµÑ€Ð¾Ð¸Ð½'),(3,'Î•Î»Î»Î¬Î´Î±','donâ€™t ask'),(4,'Café Crème','JOSÉ’S');
