CREATE TABLE `ユーザー` (`id` int, `имя` text, `bio` text);
INSERT INTO `ユーザー` VALUES (1,'Zoë 🚀','emoji 💊🍄 and CJK 中文 and RTL עברית'),(2,'é combining','zero​width'),(3,'𝔘𝔫𝔦𝔠𝔬𝔡𝔢','\'Ω\'');
