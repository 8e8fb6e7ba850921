INSERT INTO `orphan` VALUES (1,'a',NULL),(2,'b','c');
INSERT INTO `orphan` VALUES (3,'too few');
INSERT INTO `orphan` VALUES (4,'d','e');
INSERT INTO `other` (`x`,`y`) VALUES (1,2);
INSERT INTO `other` VALUES (3,4,5);
