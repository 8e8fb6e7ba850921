CREATE TABLE `c` (`id` int, `name` varchar(10), `note` text);
INSERT INTO `c` (`note`, `id`) VALUES ('only two',1),('again',2);
INSERT IGNORE INTO `c` VALUES (3,'ignored?','no');
REPLACE INTO `c` VALUES (4,'replaced','yes');
INSERT INTO `c` (`id`,`name`,`note`) VALUES (5,'upsert','x') ON DUPLICATE KEY UPDATE `note`=VALUES(`note`), `name`='a;b';
INSERT INTO `market`.`c` VALUES (6,'qualified','db.table');
insert into c (id, name, note) values (7,'lower case','bare names');
INSERT LOW_PRIORITY INTO `c` VALUE (8,'value','singular keyword');
INSERT INTO `c` (`id`,`name`,`note`) VALUES (9,'same list','shared');
