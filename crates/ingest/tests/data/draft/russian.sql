-- MySQL dump 10.19  Distrib 10.5.15-MariaDB, for debian-linux-gnu (x86_64)
--
-- Host: localhost    Database: shop
-- ------------------------------------------------------

/*!40101 SET NAMES utf8mb4 */;

DROP TABLE IF EXISTS `otzyvy`;
CREATE TABLE `otzyvy` (
  `id` int(11) NOT NULL,
  `zakaz_id` int(11) NOT NULL,
  `otsenka` tinyint(4) NOT NULL,
  `kommentariy` text,
  `data` datetime NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

LOCK TABLES `otzyvy` WRITE;
/*!40000 ALTER TABLE `otzyvy` DISABLE KEYS */;
INSERT INTO `otzyvy` VALUES (1,3,1,'Всё отлично, клад на месте','2020-07-21 00:00:00'),(2,4,3,'Быстро и качественно','2020-07-21 04:10:00'),(3,5,5,'Ненаход, но перезаклад сделали','2020-07-21 08:20:00'),(4,6,2,'Качество огонь, рекомендую','2020-07-21 12:30:00'),(5,7,4,'Долго ждал ответа','2020-07-21 16:40:00'),(6,8,1,'Спасибо, всё пришло','2020-07-21 20:50:00'),(7,9,3,'Всё отлично, клад на месте','2020-07-22 01:00:00'),(8,10,5,'Быстро и качественно','2020-07-22 05:10:00'),(9,11,2,'Ненаход, но перезаклад сделали','2020-07-22 09:20:00'),(10,12,4,'Качество огонь, рекомендую','2020-07-22 13:30:00');
/*!40000 ALTER TABLE `otzyvy` ENABLE KEYS */;
UNLOCK TABLES;

DROP TABLE IF EXISTS `polzovateli`;
CREATE TABLE `polzovateli` (
  `id` int(11) NOT NULL,
  `login` varchar(64) NOT NULL,
  `parol` varchar(255) NOT NULL,
  `rol` varchar(32) NOT NULL,
  `pgp_klyuch` text,
  `data_registratsii` datetime NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

LOCK TABLES `polzovateli` WRITE;
/*!40000 ALTER TABLE `polzovateli` DISABLE KEYS */;
INSERT INTO `polzovateli` VALUES (1,'Шишкин','$2y$Bee7su/24ZD0tSibWP7qiwvBX2clDgY86oCm4rP9','продавец','-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nnkWy5R3UCjgw9/vrvfRRI/Q4It0n4aC2fYUn51rkNFnzJFeC+riMlMQHietgWleW\nuHg4IAC5SmCO+opqLxNPGKWAqaQ7kt724q8RuaYgErgx6n3ZLo2uLVbwegaEekXS\n8FGfKkFKEbWKsMF9YS+eO5OAf0JAAYlwFC78q9fOLM5zQHenFOoCdWd5qkFSxeXA\npOklfANMbc/Pz7YCFUDJ95Et7+hmRF9K7juvJYWX7Ze3ZeQs\n=g8aR\n-----END PGP PUBLIC KEY BLOCK-----','2020-07-01 00:00:00'),(2,'ХимикМСК','$2y$LVPHWqHWEJ3adly7Fyh63a6ZxQkA1Z8zzAQaHDAa','продавец','-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nSfsROCz0vI/IAnPOYxDmxJMkL0OXzdCsRToA2Jw8DivMYcNG+vUkSoFFc5xgvjMX\nd2JNwUcsj/qwJWFhcWb/7LEO5etAzxoZon9j5XoFwEJECr2aBqD9ahfLaI5WVPFQ\npv4Cuv8NM5F8Xu41erjAZmxAGQn4SDlzYHBDdWhO3/hPfxfes6guOYUw8ohnDy5W\nQtOiNdJFWASwFPYXAyOJQYHhYAjqI9fV6cgoyud/67c+OxVt\n=BQqG\n-----END PGP PUBLIC KEY BLOCK-----','2020-07-02 00:00:00'),(3,'Кладмен77','$2y$cBTWb6meK2J5s7KnnQJIthhlc+HZA0gCqx6jntbN','продавец','-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n+/Zd4ZqsQ6DU9Pe3DYHeWkGOdHQqLZS9NOj/Ihw3Ym3QZUdGS631wRY8DqoK21n1\nACWy0+XnDG976Bjz/0SEHzxRU/kZ/UzFXDX2NR0BHFksLra5lpMgXbM6EHuAyqbg\nLQ8HSaTtx1EdxFID7KL8J0KmCkHnz+zU20zi8JMLTnxAVzp/6OHEU7JYrJJ+GYuh\nC5Gjaw7lQr6NwWL3HkKwH+g6RF6nLEr4XjBTo17W2NF8HY7n\n=cCWf\n-----END PGP PUBLIC KEY BLOCK-----','2020-07-03 00:00:00'),(4,'SnowWhite','$2y$KsMDhZCpfAjp4+YFM4x6AKOrDYsOTrmgJtRKF4yw','продавец','-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nNN55ZnvTVDcB9Pw9s1M2Li+pzmBYMsPe6PKx7sezjfYN6eRQLpx/Nt3TL1YPGogl\nwh9ecc8jpW0+h6iLNE50gQLDpsL8EwDWryDt7L1KetZc/Abn5J8msShpc8aG5/C7\n17TG8c3C781kr37X/j0Lpldpq0v39FDTseJHFClWnG5SFwXf3OXkeIc7YDyt9LCT\nCYLJLLiLU8YoHBQhcXCV8ZgpEXxkL6ef7Zbd3zhk9rjJOllV\n=5jrj\n-----END PGP PUBLIC KEY BLOCK-----','2020-07-04 00:00:00'),(5,'Барон','$2y$Uc0C6RN24EBNvCkXAiCcfvh2JJNqu/5mAojDwj6Y','продавец','-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nN3+pxbC1WIJU1tTyPRyTLkksCVb56/RM3SMXWq1xb+4xO9YblODqIVlxzplnnK7z\npLf7Yr9FQjXSA/nARZJf/rkIIyZb0wbLs5RagKsXVN2PsgcbqzselUDljNR2C8fl\nLx9I6lQ/IYhBU/xPVZQ6r11dNwUj9eZi1c+D3h0HHaaRTIDtWyL7rFyXDuyzfC6f\nN/qacHM0FsfRabWabfwpmFH179Ct+aHAq9DY5LY8NvGwCUI1\n=HUC2\n-----END PGP PUBLIC KEY BLOCK-----','2020-07-05 00:00:00'),(6,'admin','$2y$ho334llm42poyvwA41EJGaVWUYr+yLvUCkUdBatM','админ',NULL,'2020-06-30 23:43:20'),(7,'ivan_petrov','$2y$Jvsbg4vSfe2XhkYlsfCD6oGd5/GgpndpTnA9fc/K','покупатель',NULL,'2020-07-02 00:00:00'),(8,'мишаня','$2y$6pLCEtlchFR45zpG64+024eSafHyFIkyo9rlZE85','покупатель',NULL,'2020-07-03 00:00:00'),(9,'kotik','$2y$HOEE3lkViZoyMBdRRwt4ToHBtKlxcsFH088/Ee2J','покупатель',NULL,'2020-07-04 00:00:00'),(10,'gost_99','$2y$2eaRCPA6gdURbmTRZHAkXl5/yPb2LVsnbBTtQLLU','покупатель',NULL,'2020-07-05 00:00:00'),(11,'lesnik','$2y$OzIoltagSej5hBIKJ3ibgfOSHGg0zdowgBe8hQLN','покупатель',NULL,'2020-07-06 00:00:00'),(12,'sanya','$2y$W+3o/F2XSjKpZXZSUCPOawcCcI86W4unl60YQ5+z','покупатель',NULL,'2020-07-07 00:00:00'),(13,'vovan','$2y$whDXmMylUOnlJe9v4gr5jYsvND8ZLvtGeEMBMlhb','покупатель',NULL,'2020-07-08 00:00:00'),(14,'temik','$2y$4YsQHKBxu7u3a2gunSfSqc0RxNdqW4H6A+HHkCP+','покупатель',NULL,'2020-07-09 00:00:00');
/*!40000 ALTER TABLE `polzovateli` ENABLE KEYS */;
UNLOCK TABLES;

DROP TABLE IF EXISTS `soobshcheniya`;
CREATE TABLE `soobshcheniya` (
  `id` int(11) NOT NULL,
  `otpravitel_id` int(11) NOT NULL,
  `poluchatel_id` int(11) NOT NULL,
  `tekst` text NOT NULL,
  `data` datetime NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

LOCK TABLES `soobshcheniya` WRITE;
/*!40000 ALTER TABLE `soobshcheniya` DISABLE KEYS */;
INSERT INTO `soobshcheniya` VALUES (1,7,1,'Привет, когда будет клад?','2020-07-26 00:00:00'),(2,2,8,'Клад готов, координаты в заказе','2020-07-26 01:23:20'),(3,9,3,'Ненаход, помогите','2020-07-26 02:46:40'),(4,4,10,'Добавь в телегу @shop_10','2020-07-26 04:10:00'),(5,11,5,'Привет, когда будет клад?','2020-07-26 05:33:20'),(6,1,12,'Клад готов, координаты в заказе','2020-07-26 06:56:40'),(7,13,2,'Ненаход, помогите','2020-07-26 08:20:00'),(8,3,14,'Добавь в телегу @shop_14','2020-07-26 09:43:20');
/*!40000 ALTER TABLE `soobshcheniya` ENABLE KEYS */;
UNLOCK TABLES;

DROP TABLE IF EXISTS `tovary`;
CREATE TABLE `tovary` (
  `id` int(11) NOT NULL,
  `prodavets_id` int(11) NOT NULL,
  `nazvanie` varchar(255) NOT NULL,
  `opisanie` text,
  `tsena` decimal(10,2) NOT NULL,
  `valyuta` varchar(3) NOT NULL,
  `kategoriya` varchar(64),
  `data_sozdaniya` datetime NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

LOCK TABLES `tovary` WRITE;
/*!40000 ALTER TABLE `tovary` DISABLE KEYS */;
INSERT INTO `tovary` VALUES (1,1,'Гашиш 5г','Гашиш хорошего качества.\nКлад в вашем районе, фото и координаты сразу.','3500.00','RUB','Гашиш','2020-07-08 00:00:00'),(2,2,'Мефедрон 1г кристалл','Чистый кристалл, проверен.\nРаботаем круглосуточно.','2800.00','RUB','Стимуляторы','2020-07-08 01:00:00'),(3,3,'Амфетамин 2г','Амф высокого качества.\nКлады по всему городу.','3000.00','RUB','Стимуляторы','2020-07-08 02:00:00'),(4,4,'Шишки АК-47 3г','Шишки гидропоника, сорт AK-47.\nОтличный эффект.','2500.00','RUB','Марихуана','2020-07-08 03:00:00'),(5,5,'Кокаин 0.5г','Колумбийский кокаин.\nТолько проверенным покупателям.','9000.00','RUB','Стимуляторы','2020-07-08 04:00:00'),(6,1,'Экстази 5шт','Таблетки экстази, 220мг.\nДоставка по РФ почтой.','4000.00','RUB','Экстази','2020-07-08 05:00:00'),(7,2,'Соль альфа-PVP 1г','Кристаллы альфа-PVP.\nКлад в течение часа.','2200.00','RUB','Стимуляторы','2020-07-08 06:00:00'),(8,3,'ЛСД 5 марок','ЛСД 200мкг.\nОтправка по СНГ.','3600.00','RUB','Психоделики','2020-07-08 07:00:00');
/*!40000 ALTER TABLE `tovary` ENABLE KEYS */;
UNLOCK TABLES;

DROP TABLE IF EXISTS `zakazy`;
CREATE TABLE `zakazy` (
  `id` int(11) NOT NULL,
  `tovar_id` int(11) NOT NULL,
  `pokupatel_id` int(11) NOT NULL,
  `prodavets_id` int(11) NOT NULL,
  `kolichestvo` int(11) NOT NULL,
  `summa` decimal(10,2) NOT NULL,
  `status` varchar(32) NOT NULL,
  `adres_dostavki` text,
  `sozdan` datetime NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

LOCK TABLES `zakazy` WRITE;
/*!40000 ALTER TABLE `zakazy` DISABLE KEYS */;
INSERT INTO `zakazy` VALUES (1,1,7,1,1,'3500.00','новый','-----BEGIN PGP MESSAGE-----\n\n8n8CXF8uJqLHy8eT8/P7ztT+nCBjSJSlAHqDCzU+LumP/m5W0xo7V9dMdlTAcmbF\nrAP1axAOGEQTWAFl/JpM88PJIc2vLMpBRa0Cl3YHovpywVm6OzT4NmfvorOGhHKz\nU6itQfmGrVml1sgK591XPP5hPIdHDWLMShWXC9hiVHR1lQ/u1HFo6MDGtgYQjeTq\nYLDE7G1dRZU7TPkON8KDrdODEI9p143vbbdZYmhd0KcYDjeW\n=8eW+\n-----END PGP MESSAGE-----','2020-07-13 00:00:00'),(2,2,10,2,2,'5600.00','оплачен','-----BEGIN PGP MESSAGE-----\n\nbO+fIRKbLah0SfdJDTB0saGMQ3+TqlN09UKEKtNMYLCKFWcNVB7IgUEX3q6vWxJi\nNhxFrAoLesm6Uwxhsj2s7YfXPTobOloGRA/kt3tXocTkwnHk7Ii0ptBlD2Nv08ZD\nYnsp5uGOhmdF94ERfqNNnow3hXbW0mOh20fz7Xx4xH/Mi+/KgfBrJ8wFLsbtD8V7\nHAgqpnMXfr1CxfIQejBmk9WKJBYBZSMVF2pjhW0MZwkg1Hfc\n=B18f\n-----END PGP MESSAGE-----','2020-07-13 05:33:20'),(3,3,13,3,1,'3000.00','отправлен','-----BEGIN PGP MESSAGE-----\n\ndp0wbtP3+XTC02YMh9yXHvr6YOWs0RItwZmlSNs9Z8RPJE3eK/FxJdE3DTm0mPxR\nYYp4CWB2L77xUF9xZeVQ8qerIP2K1T/ixu8J8GOIhIoMTFuiUot4Rl1yQSfn8E9l\nhK2T75C8hq8VxXeGvwppi84yDl35vhBvQuBNMlHSnZgcnapSr4FFFNsb9ek9912O\nhk955a3BG3rbyAtTkWn2yVyD93ws8N/QVj731tg0TvOCeBHT\n=1dGR\n-----END PGP MESSAGE-----','2020-07-13 11:06:40'),(4,4,8,4,2,'5000.00','завершен','-----BEGIN PGP MESSAGE-----\n\nmHiM50kpOrbcjGm+SMKtVcvkMsvX7oxHSiKr6J1gquZxigz8zQaEUho3kWcfV/Oh\nzhpe9sGZwnH/I8m6ScLaJtrfLoohNsvp8hr46QjuTcOg7sk3eqZWdzqjyp4ua7aK\nj4gPg2gX5lomx2aYtM+v3w1zln/rEgIEpymuc/ispfu0cbCcsloTcDfSygi8k8jn\nuaZ3ng2f3F8l70OYCjyjG2QBbq7G8Wt57xS2wIO1+GWaTPe0\n=mEAe\n-----END PGP MESSAGE-----','2020-07-13 16:40:00'),(5,5,11,5,1,'9000.00','завершен','-----BEGIN PGP MESSAGE-----\n\ncAM4kr7x/lnnfRReQYHJEzb4l3EEwFwerAQVeKIdDJZE5DUaAyFyR5ofiVXggb23\nk7LUmkFWL6lMj9Yk6qP1jMz1ORU10CSO5XGFD4Gb5D44uMLRRxcd7Ygx4O1/dYuR\nSU04qyW/zFCIklUpqsP7AOQTbdIgbwQLwd7jm0ii+4hrrxunxHIVQeQkJM2Hcgg2\n04JBSJnfkB+aR5HhDcLp3ykMotQSSA9eiOyt2OsLHiwdZwQu\n=QHhK\n-----END PGP MESSAGE-----','2020-07-13 22:13:20'),(6,6,14,1,2,'8000.00','спор','-----BEGIN PGP MESSAGE-----\n\nkB1YVlsnsVDpKuCYm/qQmuiwkQkUVtk6aluQkx3BvCrIFc6JF9aOeNk2tuUNYnct\nkNwg3JP5yVnK6BAKE1JkgLTSGqWKVQyGiOzE6gCK8CXAIyr8tA4VKRuWbJSp9yjr\nmKbpSDHrm3FScgywlyyUr6QvMTs4az68SYHJJuhW07j8wxHtPCwSPni31sbSTXtv\ndGrLJYTbSV1lOoLRcOMC5oP2o8iVfeOcNSWo+Y4hY0YQMaoJ\n=WekP\n-----END PGP MESSAGE-----','2020-07-14 03:46:40'),(7,7,9,2,1,'2200.00','отменен','-----BEGIN PGP MESSAGE-----\n\nT03XQ12POd9x9SM+xw6zOuLPcis6sisbnubt0Vd5RQqctCZ2UEGzBvLUJmxBTyrO\nJlpQg7B4GPsINP8vH8evbxBLK8Rhc1jPj6HewFt/fzJKc75KVYBX1mUYrRnymWQF\nJ2ETZrdwhKjoD20/TBhUYiUaSVWV4ekJR6KwALbZ1QKiqZWCJI1iiEbPb7ToiPhA\ngT2U9euk93yUA81a8pl/667Of2FmCKbOw2LF+E+2ZJARpo/U\n=ec9X\n-----END PGP MESSAGE-----','2020-07-14 09:20:00'),(8,8,12,3,2,'7200.00','завершен','-----BEGIN PGP MESSAGE-----\n\niCKZYV5vPY5M7NLcfoLqXtI2WoskIbm+DYd3L9EsoGGAgWvfMhQ42+M7LgafDjpx\nveaNzG2Up+X8GWldQLt+sL/VZ6bkf1OkSbifKpYY/0xH+uFDz0AhetJE1SnjTcPR\n/XvLOKg68V9RVtsre847hIYSuM6rbR71SJezFiC4Kn36zQaWVSchHlqekAIjbDXF\njIPBu/1UfngN5yAKyuVzdW6fCpcBu2bccH6ZgvyU6RciZUyJ\n=Tt+K\n-----END PGP MESSAGE-----','2020-07-14 14:53:20'),(9,1,7,1,1,'3500.00','новый','-----BEGIN PGP MESSAGE-----\n\nfedSfEwO7JMoVu9WGLvEvNro5GKFP4Zvy8R7a36eUkOQ3r800Nn6omnwBiz6FzFV\nI4OWVRwYPLDEAa323GgE4kLhIstpvL6MYbOtoI/uh123ApL7tlySHxzCaTESXOUn\nOrdiePrTibcFlaiz/v+5e34yv4JVupJCtDqwtsUSZF+z1kgOqNMxIxSQgE2SSEzr\n/wHFcSoUImBBv17JQarGZPcpCrK6vncyBJAggZszzeqqfDac\n=/lSf\n-----END PGP MESSAGE-----','2020-07-14 20:26:40'),(10,2,10,2,2,'5600.00','оплачен','-----BEGIN PGP MESSAGE-----\n\nGTLqvWXmjihwIs4iUsqiDNYDF9vGg79gilxVImVEABmz3MJS2+DZ04IxFf1edn1Z\nz00mzAhQCJl2rwGCvadG1BaSFKlE2R0BYuh4fWOH6sGtcx5562jP+28XU2CpA4Zx\nDrKfZwgdKKzPJlZye2ZsB4tSE80rxVE31f2UFEMBS2C+sQnpc6zIGqE/Gcg30ZGx\n1n75Flps8gYieNZcYCvmQbTDAET75Ifdao1BNfuKag3b/9LR\n=iP1V\n-----END PGP MESSAGE-----','2020-07-15 02:00:00'),(11,3,13,3,1,'3000.00','отправлен','-----BEGIN PGP MESSAGE-----\n\n0+EMuag4/mcxpzvtsxwKYJuoDlSfLQHe+evz6xXRY0lkBLMU+18u7NYRjH7leNgn\nY9gz1SBv4sj34+AfCxEKeiSNIUxpQ7sFr+R793Eo3krKvNajQVXEby7uBW/3Qese\nI8LKRHXDCaKr3d1Rx8dg83DbhcAX+OuwD/UcOsFflpqdwiDlTNBXHVwSrbFHcHJD\nFuseyIu14tZf2sYuyPe0pM7ptCKAJ88gJ5c7u8n7OXPEHIBV\n=hqF9\n-----END PGP MESSAGE-----','2020-07-15 07:33:20'),(12,4,8,4,2,'5000.00','завершен','-----BEGIN PGP MESSAGE-----\n\ngCLWf+MMDUCsWlMvj8cAeN91oBvEBCL8x1c2nMnlswvaTt1MFh6kWvfBSPylQleq\nqSPJqd7h1fHsJ/WG1EgMqc20nTxM8l91jZYX/FGFibuyNxgBdEsKa7P3R8AWyc+O\ntVKCqxo46LJcb0JWFnyecEy5tOi0A45k5xd1X5UtFA1510Z+aJPIq3GAXfQmgBwi\nEq9Z+Nj8UpsLmkqRAxthgv0Z0yIMxuRcc9zdlLfoRqInrSiB\n=3nVS\n-----END PGP MESSAGE-----','2020-07-15 13:06:40'),(13,5,11,5,1,'9000.00','завершен','-----BEGIN PGP MESSAGE-----\n\nVLQ4JpqUQ5NvcMN0EJj3xXFVE5ddN/KJq4gXo4bmzKvho1o2KCKaB4v3mgBXwhJ4\njtRCzf2kwO4V/JyNKgstbIWMLs5MgTPvOUAVZ8KSeM6Bwkk8QkasFkF6ZS5bTulb\n1Z9hJ9fZzCcgRyEt402naX79FZpf7+nKJ2IjYcId7GBfnGgNaMqMuYbuOgiCMz+I\nSoXY1ZqBlil9EzuNFiZM4YbKZWKAjTzmPU1/2b5it/dNHhvg\n=PshO\n-----END PGP MESSAGE-----','2020-07-15 18:40:00'),(14,6,14,1,2,'8000.00','спор','-----BEGIN PGP MESSAGE-----\n\n0EolIo/fCnenIaqEh6hj5WkPuOdBoz+BeF8vT99W5s51JctszaaQCrYecygQGv0e\nlD57d1jXVm/655MzAC9Uyr++XZa+Vj8ESJaRXjEeM0CnwfJkjeFLv/jusSJOv8tV\nCssO3H07ncGTUkuUnMjAeUS5ED0ItPJet8+80VL8u/tjfkCqIHrKADqijnv602MM\nvPMzAtJ8x9HmIvolGGk/QLwt8PP2z49XNenmgGbo1ark4kMh\n=JSvn\n-----END PGP MESSAGE-----','2020-07-16 00:13:20'),(15,7,9,2,1,'2200.00','отменен','-----BEGIN PGP MESSAGE-----\n\nOvjaXs0dECP6GjUP0HA/9I2kPqBZHK82vr6obP+NOx/WHV/OFqMDYQlPMtC+5sEu\ny+Nr4KfW4zpao6pBvkPx+9m1uQRzD4a9aE4guEa7hJpZrHKfXjqkKsFc67gBIfa4\n9CeWV4BCeKzAdpZD7+7SWPi6SZZ256aVFkB1yljvaQqoqQEhT0AqEV5LrW6T6dzR\nXWHbRcvHk1Wi0hihcA9co2nkuu/QITfG5NT7AG1BhJgy3H/u\n=B7/J\n-----END PGP MESSAGE-----','2020-07-16 05:46:40'),(16,8,12,3,2,'7200.00','завершен','-----BEGIN PGP MESSAGE-----\n\nvZrJu5RzwWMvd37mqTnn6h58tsNW+a0zijqJxhMl+YPejW80feJfpe6dyl4/GPgx\n5WkTc+pe8nzLctl+kilKvqtfv2J/2DnKvUNiojPE+8zcu70cJ547odckw0YJX/GR\nZCdQlgWd+oAJeTZ2Lg0f428/Xrm2vIulldYkDuE9Fxm1+z4jksxeWD+4JxZw3XU0\nhjn3kMLfxUVSdxFUDwCiYMVU9V+6GEzbaGLDHa8LM7Pct6Np\n=dlTg\n-----END PGP MESSAGE-----','2020-07-16 11:20:00');
/*!40000 ALTER TABLE `zakazy` ENABLE KEYS */;
UNLOCK TABLES;

DROP TABLE IF EXISTS `кошельки`;
CREATE TABLE `кошельки` (
  `id` int(11) NOT NULL,
  `пользователь_id` int(11) NOT NULL,
  `адрес` varchar(128) NOT NULL,
  `валюта` varchar(8) NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

LOCK TABLES `кошельки` WRITE;
/*!40000 ALTER TABLE `кошельки` DISABLE KEYS */;
INSERT INTO `кошельки` VALUES (1,1,'12MsfwK3mrZdcPaFbZYEdTcktRovZ9M8Db','btc'),(2,2,'14H3kcx4urPansfjDAsPbK7svdFqA8poAV','btc'),(3,3,'14ufeda2FoqqtrpdvPg2JCUXHhbKpeuEHb','btc'),(4,4,'16oHfeQ1QhF6Hh63t8ARYk2kDSPRQUHMuc','btc'),(5,5,'189tKVsFBBkk4dLepnVsJgiTNGGdp7Ee7V','btc');
/*!40000 ALTER TABLE `кошельки` ENABLE KEYS */;
UNLOCK TABLES;

