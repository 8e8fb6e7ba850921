CREATE TABLE `weird ``name``` (`col one` int, `col,two` text, `(three)` text);
INSERT INTO `weird ``name``` VALUES (1,'a),(b','c;d'),(2,'\'),(\'',');\nINSERT INTO `x` VALUES (9);'),(3,'ends with backslash \\','\\'),(4,')',';');
