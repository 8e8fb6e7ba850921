-- MySQL dump 10.19  Distrib 10.6.12-MariaDB, for debian-linux-gnu (x86_64)
/*!40101 SET NAMES utf8mb4 */;
CREATE TABLE `messages` (
  `id` int NOT NULL,
  `sender` varchar(64) NOT NULL,
  `body` text NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
INSERT INTO `messages` VALUES (1,'РЁР°Р»С„РµР№','РџСЂРёРІРµС‚, Р·Р°РєР°Р· РѕС‚РїСЂР°РІР»РµРЅ'),(2,'buyer42','Thanks, got it рџ‘Ќ');
-- pasted from the old forum export:
INSERT INTO `messages` VALUES (3,'Кот_Учёный','Где мой заказ? Жду уже неделю'),(4,'Шалфей','Трек-номер выслал в личку');
INSERT INTO `messages` VALUES (5,'РРІР°РЅ','Р’СЃС‘ РїСЂРёС€Р»Рѕ, СЃРїР°СЃРёР±Рѕ!'),(6,'admin','Тема закрыта');
