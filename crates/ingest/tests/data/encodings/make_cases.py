#!/usr/bin/env python3
"""Writes the encoding test cases of this directory with their real byte encodings.

Python's own codecs do the encoding, so the Rust decoder (encoding_rs) is checked against an independent
implementation. Run from this directory: `python3 make_cases.py`; then regenerate and read the `.expected`
files (see tests/encoding_cases.rs).
"""

MYSQL_LATIN1_UNDEFINED = {0x81, 0x8D, 0x8F, 0x90, 0x9D}


def mysql_latin1(b: bytes) -> str:
    """What MySQL's latin1 (Windows-1252 with the five undefined bytes kept as C1 controls) reads."""
    return "".join(chr(x) if x in MYSQL_LATIN1_UNDEFINED else bytes([x]).decode("cp1252") for x in b)


def double_encoded(s: str) -> str:
    """UTF-8 sent over a latin1 connection, stored, and dumped again as UTF-8: mojibake."""
    return mysql_latin1(s.encode("utf-8"))


def write(name: str, text: str, encoding: str) -> None:
    with open(name, "wb") as f:
        f.write(text.encode(encoding))


write("mysql_cp1251.sql", """-- MySQL dump 10.13  Distrib 5.7.33, for Linux (x86_64)
--
-- Host: localhost    Database: shop
-- ------------------------------------------------------
/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
/*!40101 SET @OLD_CHARACTER_SET_RESULTS=@@CHARACTER_SET_RESULTS */;
/*!40101 SET @OLD_COLLATION_CONNECTION=@@COLLATION_CONNECTION */;
/*!40101 SET NAMES cp1251 */;

DROP TABLE IF EXISTS `products`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8 */;
CREATE TABLE `products` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `vendor_id` int(11) NOT NULL,
  `title` varchar(255) NOT NULL,
  `description` text,
  `price` decimal(10,2) DEFAULT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB AUTO_INCREMENT=4 DEFAULT CHARSET=cp1251 COMMENT='Товары';
/*!40101 SET character_set_client = @saved_cs_client */;

LOCK TABLES `products` WRITE;
INSERT INTO `products` VALUES (1,1,'Мефедрон 1г','Кристаллы, чистота 98%. Закладка — Москва, м. Сокол.',2500.00),(2,2,'Героин','Афганский №4, «белый»',4000.00),(3,1,'Гашиш Ice-o-lator 5г','Ёлки-палки, ещё и дёшево',NULL);
UNLOCK TABLES;

DROP TABLE IF EXISTS `users`;
CREATE TABLE `users` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `username` varchar(64) NOT NULL,
  `about` text,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=cp1251;
INSERT INTO `users` VALUES (1,'Иван','Продавец с 2019 года'),(2,'Лёша_Москва',NULL),(3,'admin','Служба поддержки: пишите в Jabber');
""", "cp1251")

write("pg_win1251.sql", """--
-- PostgreSQL database dump
--

SET statement_timeout = 0;
SET client_encoding = 'WIN1251';
SET standard_conforming_strings = on;

CREATE TABLE public.members (
    member_id integer NOT NULL,
    login character varying(64),
    bio text
);

COPY public.members (member_id, login, bio) FROM stdin;
1\tШалфей\tЗакладки по всему городу\\nОтзывы в профиле
2\tКот_Учёный\t\\N
3\ttrader\tOnly English here
\\.

COPY public.listings (id, member_id, title) FROM stdin;
1\t1\tАмфетамин 2г
2\t2\tЭкстази «Тесла» 10шт
\\.
""", "cp1251")

write("pg_koi8r.sql", """--
-- PostgreSQL database dump
--

SET client_encoding = 'KOI8R';

COPY public.members (member_id, login) FROM stdin;
1\tШалфей
2\tЁжик_в_тумане
\\.
""", "koi8_r")

write("csv_cp1251.csv", """vendor,title,price,city
Иван,Мефедрон 1г,2500,Москва
Шалфей,Героин,4000,Санкт-Петербург
Кот_Учёный,"Гашиш, 5г",1800,Екатеринбург
trader,LSD 100ug,900,Online
""", "cp1251")

write("csv_koi8r.csv", """vendor,title
Шалфей,Амфетамин 2г
Кот_Учёный,Экстази 10шт
""", "koi8_r")

write("csv_cp1252.csv", """vendor,title,price,notes
Señor Snow,Cocaïne 1g,€ 80,Envío rápido
Zürich Dealer,Crème MDMA,"€ 25,50",Qualité supérieure — garantie
El Niño,Marihuana,€ 10,Sólo España
""", "cp1252")

# A UTF-8 dump with rows pasted in from a cp1251 export; the last statement mixes both within one line.
utf8_rows = "INSERT INTO `messages` VALUES (1,'Шалфей','Привет, заказ отправлен'),(2,'buyer42','Thanks, got it 👍');\n"
cp1251_rows = "INSERT INTO `messages` VALUES (3,'Кот_Учёный','Где мой заказ? Жду уже неделю'),(4,'Шалфей','Трек-номер выслал в личку');\n"
mixed = (
    "INSERT INTO `messages` VALUES (5,'Иван','Всё пришло, спасибо!'),".encode("utf-8")
    + "(6,'admin','Тема закрыта');\n".encode("cp1251")
)
with open("mysql_mixed.sql", "wb") as f:
    f.write("""-- MySQL dump 10.19  Distrib 10.6.12-MariaDB, for debian-linux-gnu (x86_64)
/*!40101 SET NAMES utf8mb4 */;
CREATE TABLE `messages` (
  `id` int NOT NULL,
  `sender` varchar(64) NOT NULL,
  `body` text NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
""".encode("utf-8"))
    f.write(utf8_rows.encode("utf-8"))
    f.write(b"-- pasted from the old forum export:\n")
    f.write(cp1251_rows.encode("cp1251"))
    f.write(mixed)

# UTF-8 stored through a latin1 connection in latin1 columns, dumped with the default utf8 connection.
rows = [
    (1, "Лёша", "Мефедрон 1г"),
    (2, "Шалфей", "Героин"),
    (3, "Ελλάδα", "don’t ask"),
    (4, "Café Crème", "JOSÉ’S"),
]
values = ",".join(
    f"({i},'{double_encoded(n) if i < 4 else n}','{double_encoded(t) if i < 4 else t}')" for i, n, t in rows
)
write("mysql_latin1_mojibake.sql", f"""-- MySQL dump 10.13  Distrib 5.7.33, for Linux (x86_64)
/*!40101 SET NAMES utf8 */;
CREATE TABLE `users` (
  `id` int(11) NOT NULL,
  `username` varchar(64) NOT NULL,
  `title` varchar(255) NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=latin1;
INSERT INTO `users` VALUES {values};
""", "utf-8")

# An old dump without SET NAMES: bytes are as the tables store them; one column has its own charset.
with open("mysql_latin1_raw.sql", "wb") as f:
    f.write(b"""-- MySQL dump 8.23
CREATE TABLE `vendors` (
  `id` int(11) NOT NULL,
  `name` varchar(64) NOT NULL,
  `name_ru` varchar(64) CHARACTER SET cp1251 DEFAULT NULL,
  `motto` text,
  PRIMARY KEY (`id`)
) ENGINE=MyISAM DEFAULT CHARSET=latin1;
INSERT INTO `vendors` VALUES """)
    f.write(b"(1,'" + "Café Crème".encode("cp1252") + b"','" + "Кафе".encode("cp1251") + b"','"
            + "Qualité — 100%".encode("cp1252") + b"'),")
    f.write(b"(2,'" + "Señor Snow".encode("cp1252") + b"',NULL,'" + "€ 50 only".encode("cp1252") + b"');\n")

# Profile options a case is also rendered with (see tests/encoding_cases.rs).
with open("mysql_latin1_mojibake.toml", "w") as f:
    f.write("repair_mojibake = true\n")
with open("csv_cp1251.toml", "w") as f:
    f.write('encoding = "windows-1251"\n')
