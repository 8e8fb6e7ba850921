-- MySQL dump 10.13  Distrib 5.7.33, for Linux (x86_64)
--
-- Host: localhost    Database: market
-- ------------------------------------------------------
-- Server version	5.7.33-0ubuntu0.18.04.1

/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
/*!40101 SET NAMES utf8 */;
/*!40014 SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0 */;

--
-- Table structure for table `categories`
--

DROP TABLE IF EXISTS `categories`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8 */;
CREATE TABLE `categories` (
  `id` int(10) unsigned NOT NULL AUTO_INCREMENT,
  `name` varchar(191) NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;

--
-- Dumping data for table `categories`
--

LOCK TABLES `categories` WRITE;
/*!40000 ALTER TABLE `categories` DISABLE KEYS */;
INSERT INTO `categories` VALUES (1,'Cannabis'),(2,'Benzos');
/*!40000 ALTER TABLE `categories` ENABLE KEYS */;
UNLOCK TABLES;

--
-- Table structure for table `messages`
--

DROP TABLE IF EXISTS `messages`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8 */;
CREATE TABLE `messages` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `sender_id` bigint(20) unsigned NOT NULL,
  `recipient_id` bigint(20) unsigned NOT NULL,
  `subject` varchar(191) NOT NULL,
  `message` text NOT NULL,
  `read_at` timestamp NULL DEFAULT NULL,
  `created_at` timestamp NULL DEFAULT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;

--
-- Dumping data for table `messages`
--

LOCK TABLES `messages` WRITE;
/*!40000 ALTER TABLE `messages` DISABLE KEYS */;
INSERT INTO `messages` VALUES (1,8,1,'Order question','hi, when will you ship my order?','2020-02-10 00:00:00','2020-02-10 00:00:00'),(2,2,9,'Re: shipping','shipped today, tracking soon',NULL,'2020-02-10 00:50:00'),(3,10,3,'Reship?','can you reship? it never arrived',NULL,'2020-02-10 01:40:00'),(4,4,11,'Hello','add me on wickr: silkroadvet','2020-02-10 03:00:00','2020-02-10 02:30:00'),(5,12,5,'Order question','hi, when will you ship my order?',NULL,'2020-02-10 03:20:00'),(6,6,13,'Re: shipping','shipped today, tracking soon',NULL,'2020-02-10 04:10:00'),(7,14,1,'Reship?','can you reship? it never arrived','2020-02-10 06:00:00','2020-02-10 05:00:00'),(8,2,15,'Hello','add me on wickr: caliconnect',NULL,'2020-02-10 05:50:00'),(9,16,3,'Order question','hi, when will you ship my order?',NULL,'2020-02-10 06:40:00'),(10,4,17,'Re: shipping','shipped today, tracking soon','2020-02-10 09:00:00','2020-02-10 07:30:00');
/*!40000 ALTER TABLE `messages` ENABLE KEYS */;
UNLOCK TABLES;

--
-- Table structure for table `orders`
--

DROP TABLE IF EXISTS `orders`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8 */;
CREATE TABLE `orders` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `product_id` bigint(20) unsigned NOT NULL,
  `buyer_id` bigint(20) unsigned NOT NULL,
  `seller_id` bigint(20) unsigned NOT NULL,
  `quantity` int(11) NOT NULL,
  `total` decimal(10,2) NOT NULL,
  `currency` varchar(3) NOT NULL,
  `status` enum('pending','paid','shipped','completed','cancelled','disputed','refunded') NOT NULL,
  `shipping_address` text,
  `created_at` timestamp NULL DEFAULT NULL,
  `updated_at` timestamp NULL DEFAULT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;

--
-- Dumping data for table `orders`
--

LOCK TABLES `orders` WRITE;
/*!40000 ALTER TABLE `orders` DISABLE KEYS */;
INSERT INTO `orders` VALUES (1,1,8,1,1,35.0,'USD','pending',NULL,'2020-01-21 00:00:00','2020-01-22 00:00:00'),(2,2,11,2,2,90.0,'USD','paid','-----BEGIN PGP MESSAGE-----\n\nzuYY8ZYc19tCoULccz6x5H8N7suuIjXcT/0423/p1gGq7jb/BBssO/47UZ5QNfX5\n1mYqiq4tdAb2pG8ISW7UH40unD4Uvw5HNHPJKMA+MAhcwczID40smqfzFCVc7/C8\necsGWJ0BxryQTsiUr73WIj+Vucn7YCtzWVe+BIvbFgvPPg8OIDm6GYgyDh5zeokw\nZ6sV6nCTB3Tnf0HAF8f2/ptahqGr69iWDokt6oN8ZiAw1jmW\n=eXNO\n-----END PGP MESSAGE-----','2020-01-21 11:06:40','2020-01-22 11:06:40'),(3,3,14,3,3,240.0,'USD','shipped','-----BEGIN PGP MESSAGE-----\n\nGsZ3lbrE0Uba7wvjb2gu3LLk6EXNidKaULIGwfJmjLUP43zLvU/4gZhXLA5cW5L2\n+SqWw29KzH1Yjhih5tuaHXptdspczOLEbNgBpbda6aVrMcnqXsBSTBhyGuNlJogL\nClYFKjG5aDsuHHMfz/c5zIFGPtnsyjNsNm7N7IdpoEx5SF9NtH2zLHhMnTuoADtu\noytYWaH//2rvTKEZG8p2INK3iVEQIA5r9YPYMO0oB0y9S6V0\n=tvh0\n-----END PGP MESSAGE-----','2020-01-21 22:13:20','2020-01-22 22:13:20'),(4,4,17,4,1,60.0,'USD','completed','-----BEGIN PGP MESSAGE-----\n\nrd1l7oW5Aw0hqbYAO3erYt03U7oNpdOMXN0CIILFI/PlrmxWpZAChJqlti2WY1Eg\ncG/2RAmtB9cDnSbHzmCSiQi+bXZhyfvm9KaewEJ3dg43jRejMSHWM4rl/bOKwn+6\n/vh6UrBOFgaWjiT+t2APz7xi1oaKp7icSHXD4tzsh3Fe1+UnguDQQaRDZ6E1bYVT\nqKJVjfbZSl2hOqN/+WGKa/Ab7WFwFUAJRn8UMHmLh/iWk8XM\n=pnk3\n-----END PGP MESSAGE-----','2020-01-22 09:20:00','2020-01-23 09:20:00'),(5,5,10,5,2,60.0,'USD','completed','-----BEGIN PGP MESSAGE-----\n\nXtnUi9f6eNN+FigmkghLSWBNzMzpPxgVrxQ2WqI70LYQ2BK99a0xriXsqAuYWb6u\nAdatckecD5EXm3ZKrJibED2JoPc5N3cXASudmcvEC9X/rryXjuxhY4Vbs0hbqxFf\nVO5wdrggJS6xQNp3bKdfG99ltcR10PUtQPT4OnHZ67rqJ+sxF7+DmIqr0tiVBH5l\nbx2wpkvJUSL8ubxpQNHBt9/JqRbbJVNyu9apkr+aWJx9SNXm\n=Yyu5\n-----END PGP MESSAGE-----','2020-01-22 20:26:40','2020-01-23 20:26:40'),(6,6,13,6,3,120.0,'USD','completed',NULL,'2020-01-23 07:33:20','2020-01-24 07:33:20'),(7,7,16,1,1,55.0,'USD','cancelled','-----BEGIN PGP MESSAGE-----\n\n4dZzZ7CPM58T47MPCbVvH4ZqDGuJswBJC+YpLnQLY2vtlKO2Sm8G6+axjAZxKG0G\nO7NAxae2ISeA8Olrks9OuCqQ/br1X7eICEWqqmHRGVUYio+JBJ1fPjIDixIEHL1S\ngN2We9zulOpzLJ9Lhmgj7EnsNHNvM+UYDei7dqwlrCMuECILo/Xvz+Yoa6x6iDSK\nmYEFfrkUwdfSSLe7B22PkK7uv0ohpdCUmmo7cvx7cmFj8JuG\n=tBPZ\n-----END PGP MESSAGE-----','2020-01-23 18:40:00','2020-01-24 18:40:00'),(8,8,9,2,2,100.0,'USD','disputed','-----BEGIN PGP MESSAGE-----\n\nhxJQJ5WotHUr8JRuxabUviMz4Ek8z3BWT+OCHN/IjPqtecF4i9Kr/zFKXojcKucW\nLIo9Hw2vshtXsHdwSNFLULioammTMWZtOc0PX6zPRUOlTwDdVcqdMxbU496ETN7D\nSGWHxQZFw5WJSufu+RPqOGb5oKVQcOQp6OOWuj1DI0WzLoj3B4dPn8ICepyFXREv\nIs7+9mMUnVFIzUgTp1CJ5ixbWh0yISrVqTkb1b80ScoSJK2S\n=Gfbm\n-----END PGP MESSAGE-----','2020-01-24 05:46:40','2020-01-25 05:46:40'),(9,9,12,3,3,210.0,'USD','refunded','-----BEGIN PGP MESSAGE-----\n\n5bndKxvGqJoto+m7SWxwHzr87t55mtqGpQmcm80M+7zWck+lLT+QOmw7aC2qwNlU\n4YlZ8beEs66DuHhthOzjqmWzWzEifRp/ByIwhkFxBbPGk6U2hfuHRYdXF4pPoP0Y\nwo+hAw99ln9uXUMH2gw2OpnqrrraxUcfHrQUPj6oPNFnBZqSETmeVIFSaMdoyF2+\n/Xl2gRIp4OzPR7zp7l02hsA9HfHgNGOrkELw4cyw08SaGZ1B\n=+FZn\n-----END PGP MESSAGE-----','2020-01-24 16:53:20','2020-01-25 16:53:20'),(10,10,15,4,1,25.0,'USD','completed','-----BEGIN PGP MESSAGE-----\n\nnG1i2evlviVb0Fik4+zLck0R1/Qrlx+bP3rvFZ3FexMzsHnJehGrS5NgktAJAPYS\nM190Lij73FeCYvBLmsM1JNa/CoW5GIivDl6csY8sjRewKgF+AjA5+1k8Jfaro6CZ\nYae6jfM1pUC2XbXrpGkNcXfUFZjYwTgu+g6tQXAiitxZ9+Ntp+U0cwnap3fqpyX/\nNCnaUz5HEadPd1xmHxMvoohfbUhJmSMM7OgbjQtCnjjpgIQz\n=3gLP\n-----END PGP MESSAGE-----','2020-01-25 04:00:00','2020-01-26 04:00:00'),(11,11,8,5,2,76.0,'USD','pending',NULL,'2020-01-25 15:06:40','2020-01-26 15:06:40'),(12,12,11,6,3,126.0,'USD','paid','-----BEGIN PGP MESSAGE-----\n\n9Sezn6azv4a5c79B5Xa9fQlYvJv0CZgQgFCmRtMFWn5DpkLJII0d8gY8kCtcP/re\niWkLfVzVrDMeYZUFlVObm2oYSpxM7S2uWrJuMmFL5sg11KN4t21yDT+RxUk9iVFd\naDzgFcQYrpFyD33ZSfAn1XslAwx6ApA17d/++egTJgM779lf2m775qtHdmTbcnvw\nzP0jc9mf6jI+sQDvaxYwlRXCXscMc8oVwR5k6/XDyWUiozpl\n=3/WI\n-----END PGP MESSAGE-----','2020-01-26 02:13:20','2020-01-27 02:13:20'),(13,1,14,1,1,35.0,'USD','shipped','-----BEGIN PGP MESSAGE-----\n\nHNhzd7Xf1R2WgUe+38NTdQ+3wLoh23VFJ0v5MJF4mRV/VcJls9Zog96qk8qcKsdT\nsPhb4fgdW6LctiIxfktuxcZqrchST8OsDCFhjQIED8JsVFwvLhO398hkoe59wR2r\n6KPm16ZiIKNc5RN9bWyM1RpWCHGXaa/hsEdmf7wDZe3QZn2M+yzE53Vz7hsdcl/h\nNuFqeWmzNervOT+YAdhoIBt0BlXGEn7rmt2SVUgPOEOkOnF/\n=oZp+\n-----END PGP MESSAGE-----','2020-01-26 13:20:00','2020-01-27 13:20:00'),(14,2,17,2,2,90.0,'USD','completed','-----BEGIN PGP MESSAGE-----\n\nleDEXeq22fv+EtSLDBPdC+tjKMbbtwaTMluO2FXikWJBIfURfPIueVIRFUps3id/\nyoLkMRDfV9IDihDiouOn/U0HZE7H/Ods3gs+1yF0wJMcOB35WWrNyIxcvu0+Me2g\n4Z7RgF6gvhdlUOFO3Y4NPPhd9yRlLoKdj4dqg8WNhREPouquPQmAj4Tat0Bka3GY\nnRARTTC5Oq2EuHK5vj/2Tqp9Fe0roxUG5AxIxnc+h0SfacqK\n=AsTM\n-----END PGP MESSAGE-----','2020-01-27 00:26:40','2020-01-28 00:26:40'),(15,3,10,3,3,240.0,'USD','completed','-----BEGIN PGP MESSAGE-----\n\nuHEQ3/IR/6TgvUsXbuc8Mhzd8xj007bQru+FImn30B0HvOs1f8OXwCtxfQvj94ML\nOo6BpE5CsWm2we4h4OIHoE93Xzyy/i5MvTKHEnhu3x6RraezBOsNU9CqRYr7liJg\nZkImnazCd7C1hFBYQf8hL9HBuvJ3ukjtYkxqRBqQLPTQR8rs9U+wjfW8V0MBPrQB\nrHjf/HdjLalMpZkmg2uMC/itO1by6TtH7hqxV7mv4YcGtqPQ\n=vNj4\n-----END PGP MESSAGE-----','2020-01-27 11:33:20','2020-01-28 11:33:20'),(16,4,13,4,1,60.0,'USD','completed',NULL,'2020-01-27 22:40:00','2020-01-28 22:40:00'),(17,5,16,5,2,60.0,'USD','cancelled','-----BEGIN PGP MESSAGE-----\n\nM5r/nL5VVGDCFHlDxAa2f/dJPgMLXS0Y/t68mXOwqVpVg/u7usWT67uZ8ihnL8hL\nVddnhJv1t25yN/MgCay7m/iqLCrrHOXgipW/Wac+7i8Onam2CiPM4TzVy+ukqy1o\n8dQCXtA5WivP0BgR3gDO0GOABQA0SXpBaYVhKBAsk3Xv0t37IrpgoUXV9I6esRLt\nrGlKhTwRVhaEny3I0GUSIDKHxZ/8mQn5IpPyiiY9GP4n8ttg\n=WfoM\n-----END PGP MESSAGE-----','2020-01-28 09:46:40','2020-01-29 09:46:40'),(18,6,9,6,3,120.0,'USD','disputed','-----BEGIN PGP MESSAGE-----\n\nMrKk1G8+wlmyOyxpLd9Rp2klUWbLjAwSlPhQTn35MCcibD8P4w+VSJ/yqSekmZKF\npt/yvRrr9JQ8vaBKxybCc6GCyPRCFyNM5auRXw965aXvzdpASdYJyslUJ/Esb9zw\nk/kWDOJCXYW6naH9uVapfJZgXVpSUegkSMnLjg4cgBFN+evfR/8QuzuHN+Cr0sH8\nTPwLBAVVFrIiVDaAmPGTLwsnZFih5V08r08VQ9r+y6HKUGci\n=0Zlt\n-----END PGP MESSAGE-----','2020-01-28 20:53:20','2020-01-29 20:53:20');
/*!40000 ALTER TABLE `orders` ENABLE KEYS */;
UNLOCK TABLES;

--
-- Table structure for table `products`
--

DROP TABLE IF EXISTS `products`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8 */;
CREATE TABLE `products` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `user_id` bigint(20) unsigned NOT NULL,
  `category` varchar(191) NOT NULL,
  `title` varchar(191) NOT NULL,
  `slug` varchar(191) NOT NULL,
  `description` text NOT NULL,
  `price` decimal(10,2) NOT NULL,
  `currency` varchar(3) NOT NULL,
  `ships_from` varchar(191) NOT NULL,
  `ships_to` varchar(191) NOT NULL,
  `created_at` timestamp NULL DEFAULT NULL,
  `updated_at` timestamp NULL DEFAULT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;

--
-- Dumping data for table `products`
--

LOCK TABLES `products` WRITE;
/*!40000 ALTER TABLE `products` DISABLE KEYS */;
INSERT INTO `products` VALUES (1,1,'Cannabis','3.5g OG Kush - top shelf','3.5g-og-kush---top-shelf','OG KUSH 3.5G\nIndoor grown, cured 4 weeks.\nShips next day in vacuum sealed bags.',35.0,'USD','Germany','Worldwide','2020-01-11 00:00:00','2020-01-12 00:00:00'),(2,2,'Benzos','10x Xanax 2mg bars (G3722)','10x-xanax-2mg-bars-(g3722)','XANAX BARS\nPressed with real alprazolam, lab tested.\nNo FE for new buyers.',45.0,'USD','Netherlands','EU','2020-01-11 02:00:00','2020-01-12 02:00:00'),(3,3,'Stimulants','1g Colombian cocaine 90%','1g-colombian-cocaine-90%','COCAINE 1G\nStraight from the brick, 90% purity tested with reagent.\nStealth is our priority.',80.0,'USD','United States','USA, Canada','2020-01-11 04:00:00','2020-01-12 04:00:00'),(4,4,'Opioids','5x M30 blues','5x-m30-blues','M30 BLUES\nPressed pills, strong.\nOnly for experienced users, start low.',60.0,'USD','United Kingdom','Europe','2020-01-11 06:00:00','2020-01-12 06:00:00'),(5,5,'Stimulants','0.5g crystal meth shards','0.5g-crystal-meth-shards','METH 0.5G\nGlass-like shards, no cut.\nShips worldwide except Australia.',30.0,'USD','Canada','Worldwide except Australia','2020-01-11 08:00:00','2020-01-12 08:00:00'),(6,6,'Ecstasy','MDMA 1g champagne','mdma-1g-champagne','MDMA CHAMPAGNE 1G\nLab tested 84%.\nDiscreet packaging, tracked shipping.',40.0,'USD','Spain','UK','2020-01-11 10:00:00','2020-01-12 10:00:00'),(7,1,'Psychedelics','LSD 10 tabs 150ug','lsd-10-tabs-150ug','LSD TABS\nGel tabs, 150ug each, tested.\nRespect the dose.',55.0,'USD','Germany','Worldwide','2020-01-11 12:00:00','2020-01-12 12:00:00'),(8,2,'Dissociatives','Ketamine 2g needles','ketamine-2g-needles','KETAMINE 2G\nNeedle shards, pharma grade.\nShips from NL in 24h.',50.0,'USD','Netherlands','EU','2020-01-11 14:00:00','2020-01-12 14:00:00'),(9,3,'Opioids','Heroin #4 0.5g','heroin-#4-0.5g','HEROIN #4\nWhite powder, strong.\nEscrow only, no FE.',70.0,'USD','United States','USA, Canada','2020-01-11 16:00:00','2020-01-12 16:00:00'),(10,4,'Fraud','Fake EU ID template','fake-eu-id-template','ID TEMPLATE\nPSD files, high resolution.\nDigital delivery.',25.0,'USD','United Kingdom','Europe','2020-01-11 18:00:00','2020-01-12 18:00:00'),(11,5,'Benzos','Valium 10mg x20','valium-10mg-x20','DIAZEPAM\nReal pharma blisters.\nShips from Germany.',38.0,'USD','Canada','Worldwide except Australia','2020-01-11 20:00:00','2020-01-12 20:00:00'),(12,6,'Cannabis','Hash 5g Moroccan','hash-5g-moroccan','HASH 5G\nSoft, smells great.\nFree reship once.',42.0,'USD','Spain','UK','2020-01-11 22:00:00','2020-01-12 22:00:00');
/*!40000 ALTER TABLE `products` ENABLE KEYS */;
UNLOCK TABLES;

--
-- Table structure for table `reviews`
--

DROP TABLE IF EXISTS `reviews`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8 */;
CREATE TABLE `reviews` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `order_id` bigint(20) unsigned NOT NULL,
  `product_id` bigint(20) unsigned NOT NULL,
  `user_id` bigint(20) unsigned NOT NULL,
  `rating` tinyint(3) unsigned NOT NULL,
  `body` text,
  `created_at` timestamp NULL DEFAULT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;

--
-- Dumping data for table `reviews`
--

LOCK TABLES `reviews` WRITE;
/*!40000 ALTER TABLE `reviews` DISABLE KEYS */;
INSERT INTO `reviews` VALUES (1,3,3,14,1,NULL,'2020-01-31 00:00:00'),(2,4,4,17,3,'product was as described','2020-01-31 08:20:00'),(3,5,5,10,5,'arrived in 3 days, top quality','2020-01-31 16:40:00'),(4,6,6,13,2,'slow but good','2020-02-01 01:00:00'),(5,7,7,16,4,NULL,'2020-02-01 09:20:00'),(6,8,8,9,1,'A+++ will order again','2020-02-01 17:40:00'),(7,9,9,12,3,'decent, a bit overpriced','2020-02-02 02:00:00'),(8,10,10,15,5,'best on the market','2020-02-02 10:20:00'),(9,11,11,8,2,NULL,'2020-02-02 18:40:00'),(10,12,12,11,4,'product was as described','2020-02-03 03:00:00'),(11,13,1,14,1,'arrived in 3 days, top quality','2020-02-03 11:20:00'),(12,14,2,17,3,'slow but good','2020-02-03 19:40:00');
/*!40000 ALTER TABLE `reviews` ENABLE KEYS */;
UNLOCK TABLES;

--
-- Table structure for table `users`
--

DROP TABLE IF EXISTS `users`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8 */;
CREATE TABLE `users` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `name` varchar(191) NOT NULL,
  `email` varchar(191) NOT NULL,
  `password` varchar(191) NOT NULL,
  `role` varchar(20) NOT NULL DEFAULT 'user',
  `pgp_public_key` text,
  `btc_address` varchar(64) DEFAULT NULL,
  `created_at` timestamp NULL DEFAULT NULL,
  `updated_at` timestamp NULL DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `users_name_unique` (`name`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;

--
-- Dumping data for table `users`
--

LOCK TABLES `users` WRITE;
/*!40000 ALTER TABLE `users` DISABLE KEYS */;
INSERT INTO `users` VALUES (1,'GreenDragon','greendragon@protonmail.com','$2y$10$m9HFVkLPJl23wd1eVQQ7s61N5pgf3QxoW79MrpoVLh8HM1MAPExN0','vendor','-----BEGIN PGP PUBLIC KEY BLOCK-----\n\namY10fl2n6+6qV9p7/jW/T/btQ7xv5JCXkdgOtU3iCbvba8O0d2q2mAHVNH17rKE\nZ1wYqmrqt3BUyuEPHZCaLq/+D8yp96tKtsa5U7M1+YXpAlXWigTzPD/WXF/FhrnS\nbbILjcQl6u3kE75A3tPFyEMCn7t0Q5/2niIWPdvyUFlwd2AME0k4KH7m+52xaS8v\nSJ8OveLSjub29A20cszBzcpVrLHPEmBf42oZ8bJJAFy1MSo3\n=UiXq\n-----END PGP PUBLIC KEY BLOCK-----','12MsfwK3mrZdcPaFbZYEdTcktRovZ9M8Db','2020-01-01 00:00:00','2020-01-01 01:00:00'),(2,'PharmaKing','pharmaking@protonmail.com','$2y$10$42jF6L6Y2hNYmFFsyuhGFJ/+CmmSeYqjuExMyT5qtIop2ewW4U3eT','vendor','-----BEGIN PGP PUBLIC KEY BLOCK-----\n\ngzgsum9iX68xxv9syqrTdr4GPwEb1vpdyZIiUJlY7rc8hnTwbYYFnw/PuNCdyIzb\nG3AvnAcI7YVHDdNrp0gzyQC5sq1ySC8uzEHdzGEKzqEqnvMZAcPW8FUmSRqP0cNT\n8H9etVjHQF83I+5k95JZryidROMCe9jwUWblEa61+D6lw2a7buBD6tNKSCp3iNR7\ndpTSyetbUteNo7OcTwLSpZEeEt3vACvWAbH9jGuuAu/67Nfs\n=Tf9n\n-----END PGP PUBLIC KEY BLOCK-----','14H3kcx4urPansfjDAsPbK7svdFqA8poAV','2020-01-02 00:00:00','2020-01-02 01:00:00'),(3,'NordicPills','nordicpills@protonmail.com','$2y$10$nS3+iEW0TBcqB7Ef2HMME9paIju8mXlRu8mYJKUTfsRLrhrMZ3LJt','vendor','-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nhcrYiVaCy3340RPJf9t5XH6PGJOWdpTd6AFZM7h2TvGoV1i0huiKUSfZoSp2c43a\n3L7/MHFZYiu2POJ6IixLsNsCqzQnuYUK65XOqfX/sZh1CXq8vPAFo/kfub3EOEEw\nAqple+EWTLhXxKmIcR+kNS02HoPYbkFeloYwalOZEOXuLvWNUaPhIYodoldAIs02\ncl8f1YIM1XKPOcB16cLs+VQkMUNm6zDKJ8EK7CBkh/d0SLSf\n=a1UT\n-----END PGP PUBLIC KEY BLOCK-----','14ufeda2FoqqtrpdvPg2JCUXHhbKpeuEHb','2020-01-03 00:00:00','2020-01-03 01:00:00'),(4,'CaliConnect','caliconnect@protonmail.com','$2y$10$AA9xlPKwB2P108CJjrEGuoDCb6HAwwhQAGrlZwTBvgXbfgBwOOwNU','vendor','-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n4uQ/kQqm7OTdIVYMsDJ3RbsP7GTU4QmSUlNsnRfRGjG5bbsewa2oDIlqu3d9B1xM\nbBJPSRysq5+C3QwcI+NbvDTH5OTwgf8oV1+0H1Ro0Pp7HBFewKjfCWZhRnpVMCnG\nBYn686bTgVlrerK+5jUrTR9sg4wN8lw0CVklXbTNvPsKuaM+DFwXw3mIr4bekbjf\nHaJSnkh9Q0eUTnFyUn+8PDt3c4kF2dPA009XIP/XJEgzcgN2\n=/2k4\n-----END PGP PUBLIC KEY BLOCK-----','16oHfeQ1QhF6Hh63t8ARYk2kDSPRQUHMuc','2020-01-04 00:00:00','2020-01-04 01:00:00'),(5,'DutchMasters','dutchmasters@protonmail.com','$2y$10$zVCyeWB3V1TBQtLcMLKb9m3yZR+JpbfbqH0eq6ImwfkyJUYgy4FLU','vendor','-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n79pGISluDNHIgeWSe+/E5jtkH6OdVQHXL809/PLX4YVPfAX5TxcTEYRW0hSA2fhf\np7938WoVobc6V8qBKciyRIkjbLISDtWz3FouJePqfVFC3kjHrDvkqh4by0bNjv8O\n63/n8pWSIwz8EK1QAFMhfk57VoMmFpcb1RuMKO4G/1iTghWD+B4ZSPHv08Ycr6vE\nDJzDoGhVLB9/KwDx4VXsBJlbnXYuFm2R+afgBdgtOKV1Bltp\n=mwT9\n-----END PGP PUBLIC KEY BLOCK-----','189tKVsFBBkk4dLepnVsJgiTNGGdp7Ee7V','2020-01-05 00:00:00','2020-01-05 01:00:00'),(6,'SilkRoadVet','silkroadvet@protonmail.com','$2y$10$J/KTv1NeGgEBjSztla0gIqkEl44ywc22SrpHYUQZSbyNnfKjl41MQ','vendor','-----BEGIN PGP PUBLIC KEY BLOCK-----\n\ncQ48AtPDi9n6kSjzXV863IOL0lI7v+hXgrZ+neMZ3GkUc5D0EL+AviAVLV1RTzVE\nyRAKPY0ES5wBucQqfLwg3HJmoSpUGUqhm+SWSnnVZpOWIrE+y5vPeS2UtXKkpWlY\nv1fz22yGzqHSVSnfzQwlyMlwFkU/XvCJheZWBy8nOjFJXdv1w1EnCma69sqAp+qx\nXcL6W+P8IbgieemUAD4qrxusSQKJtxtDlj4DkjuNChPG/m6E\n=4dqJ\n-----END PGP PUBLIC KEY BLOCK-----','19B7gCiA2Vw64GRYmAJYj4j2QHs9EpEqeH','2020-01-06 00:00:00','2020-01-06 01:00:00'),(7,'admin','admin@market.onion','$2y$10$Kap8u/fo0zCdHo1QaaTFonqAVhu7/0jALMrzatUzYHq+ia/plX7K/','admin',NULL,NULL,'2019-12-31 00:00:00','2020-01-01 00:00:00'),(8,'anon8812','anon8812@mail2tor.com','$2y$10$HKK3D1Jx/3RTA6CGzRmh3Ytba1tQFTP7C7TPV/noay1IA1P/4WNaw','user',NULL,NULL,'2020-01-04 00:00:00','2020-01-05 00:00:00'),(9,'bluefish','bluefish@mail2tor.com','$2y$10$Yy95hVu5Wv0vcWJdTEDvGOaGWybB+AsFsnSz5jHPg3zZhS9F76Sfb','user',NULL,NULL,'2020-01-05 00:00:00','2020-01-06 00:00:00'),(10,'tripper22','tripper22@mail2tor.com','$2y$10$c9Tl9kxbS27S9S8zzsgKz0zuDHP2hr4WRq1l3xOSfYsXnBxDRMOh9','user',NULL,NULL,'2020-01-06 00:00:00','2020-01-07 00:00:00'),(11,'m4rk_','m4rk@mail2tor.com','$2y$10$b2WC9w4E0+Tuap9Rhi9afuazeFWnms27iJKT6anjouTC3GRwvX5vz','user',NULL,NULL,'2020-01-07 00:00:00','2020-01-08 00:00:00'),(12,'quietguy','quietguy@mail2tor.com','$2y$10$sjdM+JrJ4+jvO+gc+IUMEYaGWI5br49WRRBT/HueS0YZdrqIV5tpz','user',NULL,NULL,'2020-01-08 00:00:00','2020-01-09 00:00:00'),(13,'nightowl77','nightowl77@mail2tor.com','$2y$10$cKmXZ6QPAsNB3d5Z5wdAYB2kZnQALhd2SDZADb5NX/JBrFFkG9Shd','user',NULL,NULL,'2020-01-09 00:00:00','2020-01-10 00:00:00'),(14,'lucky_seven','lucky_seven@mail2tor.com','$2y$10$Nuef5JZvsfWonNz9jH35cr2MWTQe87HSZNHn4pbJYr4L1z1+rrDxa','user',NULL,NULL,'2020-01-10 00:00:00','2020-01-11 00:00:00'),(15,'zed_z','zed_z@mail2tor.com','$2y$10$2oD5yuAHiyVvKwMMivcgTZDY779MKz4o8TNw3TOYC7Nu/DS0tFrGT','user',NULL,NULL,'2020-01-11 00:00:00','2020-01-12 00:00:00'),(16,'orangecat','orangecat@mail2tor.com','$2y$10$kMMJj2SSrmyEUyThCQ9oe4dvwuLiPxN6ClDzHybZ8SCFObVh+cenO','user',NULL,NULL,'2020-01-12 00:00:00','2020-01-13 00:00:00'),(17,'hopeful1','hopeful1@mail2tor.com','$2y$10$JSi61WYigkfCZsjv8Ouj6QFe8tnPSrb4ssucsv+f7YEAUwjrNFyLc','user',NULL,NULL,'2020-01-13 00:00:00','2020-01-14 00:00:00');
/*!40000 ALTER TABLE `users` ENABLE KEYS */;
UNLOCK TABLES;

-- Dump completed on 2021-02-03 10:11:12
