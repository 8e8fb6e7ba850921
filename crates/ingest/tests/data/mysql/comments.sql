-- it's a comment; with a quote ' and a semicolon
# hash comment; 'also' "quoted"
/* block comment; with 'quotes' and "double" and `ticks`
   spanning lines; */
/*!40101 SET @x = 'conditional; with semicolon' */;
/*!50503 SET character_set_client = utf8mb4 */;
--
CREATE TABLE `t` (
  `id` int, -- a trailing comment, with a comma
  `v` text /* inline, comment */
);
INSERT /* hint; */ INTO `t` VALUES (1,'-- not a comment'),(2,'/* not a comment */'),(3,'# not a comment');
DELIMITER ;;
/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER `t_ins` BEFORE INSERT ON `t` FOR EACH ROW BEGIN
  INSERT INTO `log` VALUES (NEW.id, 'trigger; body');
END */;;
CREATE DEFINER=`root`@`localhost` PROCEDURE `p`(IN x INT)
BEGIN
  INSERT INTO `t` VALUES (99,'inside a procedure');
  SELECT 'a;b' INTO @y;
END ;;
INSERT INTO `t` VALUES (4,'after delimiter change');;
DELIMITER ;
INSERT INTO `t` VALUES (5,'delimiter restored');
-- Dump completed
