CREATE TABLE `e` (
  `id` int NOT NULL,
  `s` text,
  PRIMARY KEY (`id`)
);
INSERT INTO `e` VALUES (1,'nul:\0 quote:\' dquote:\" bs:\b nl:\n cr:\r tab:\t ctrlz:\Z backslash:\\ pct:\% us:\_'),(2,'doubled: it''s ''quoted'''),(3,'unknown escape: \q\y\é'),(4,"double quoted: \"x\" 'y' "" "),(5,''),(6,'\\'),(7,'\''),(8,'''');
