CREATE TABLE `t` (
  `id` int,
  `s` text DEFAULT 'never closed