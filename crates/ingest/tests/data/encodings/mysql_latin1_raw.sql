-- MySQL dump 8.23
CREATE TABLE `vendors` (
  `id` int(11) NOT NULL,
  `name` varchar(64) NOT NULL,
  `name_ru` varchar(64) CHARACTER SET cp1251 DEFAULT NULL,
  `motto` text,
  PRIMARY KEY (`id`)
) ENGINE=MyISAM DEFAULT CHARSET=latin1;
INSERT INTO `vendors` VALUES (1,'Café Crème','Êàôå','Qualité — 100%'),(2,'Señor Snow',NULL,'€ 50 only');
