CREATE TABLE `n` (`a` int, `b` decimal(24,8), `c` double, `d` text, `e` tinyint);
INSERT INTO `n` VALUES (NULL,0.00123000,-1.5e-7,NULL,TRUE),(null,-42,.5,'NULL',false),(0,+7,1E10,'null',Null),(-0,123456789012345678901234567890.123456789,2.,'',1);
