-- MySQL dump 10.13
--
-- Server version	5.5.62

CREATE TABLE `t1` (
  `c1` text,
  `c2` text,
  `c3` text,
  `c4` text
);
INSERT INTO `t1` VALUES (1,'GreenDragon','-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nXqS/qVuyIq+2gP4a0/JVVt0xHmDSObFu4Ur8AeEelatNdbx4PoQ7gp7hrPwHvwzt\nCEKATydEKQ/oOQMQTvKIXdoqP+D8npKNrxYVYzt0NJC7zBesBPUgSKZj3e+f5WaO\nLZVGXa94asyS1GtjjvXkQA8Lx1q3/nW5Guv5I6LMOvsFvUPyDpo1rJ9iOjJ4QuWG\n6IwFzNlecIkBV9hbVEvzZ6r+lp7YfS2i0QMpdh67HPbjoCFO\n=74Zf\n-----END PGP PUBLIC KEY BLOCK-----',1609459200),
(2,'PharmaKing','-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nMigA8LVU1tLrV9A39Gf9qa9V+w35DH3KJZUNRfxd3jc6nVbp1XXCsA3iwaeBNBRY\nlWjhwbk2cGGe1wxzXXqMLEe4NBuMz1/w29wFJQhfkOyDoSaABz8Pq2qTbA/QGvqW\nIme1aVplrIyq1Mt4jh/y4Ot3k9mXhOvLazLQjRSAPTJ0b+cwBKlh5cxXI5nOdu+U\ncYyRhLsgNouxXMNnq8pVvyZyRikEt4S5kgsrlWRvDBuNOr6+\n=1DMN\n-----END PGP PUBLIC KEY BLOCK-----',1609509200),
(3,'NordicPills','-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nUWEdoCH+NK+XM0tw++1hVNiyK1R0hAH7iPxT+sMljoVwHJOs89UEvvaw5gEDofq4\nsCXMqCTlrmd8d9p6+h9EBD9k0NrgzHGr7zd7QTZCmhIDp+XxWzeYTwgiKjjx318X\nb+kortRY+2R9+3yhOCk4Rlcv+OQOpGAqLuAzR9y56uDGekGyYgdZqRUC8kfalS36\ntGcC3CwVXaFBrJUFMe2E6xlZMCxku20LlC0k7MiSXKX7MarW\n=ypu/\n-----END PGP PUBLIC KEY BLOCK-----',1609559200),
(4,'CaliConnect','-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nRv1EzksKDTqaLLa4rkT0N1tBywna4fCwKLESSZvYk+AIKNn3Z9Bk5cm3HeiXmPXi\nlMBTipjFDU4FIeG/tVo9HZ5zLdZ3LAvjr2K2ACw0mS3XL+aPwg9RJO2EWhCJcmuT\nvqNfOwHsF/do0Sm7tZ3n/yXRwya7SBHorxWHvehcNRN0aFkthrxvBRPSzUpZT0P3\nkd21k3FqNaL+f7jaAiXKE8BD9Oehs+KKrrx1zHRh4XaiDK+f\n=EtRH\n-----END PGP PUBLIC KEY BLOCK-----',1609609200),
(5,'DutchMasters','-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nyW7oVPTV9AR0JWJLhS6TpczZLuB+JJ2JmUO+sePiPEKc58NoJ/Q1GNA74utr/Aru\ntx9z6XmTaAUyM49q+U+MIxwM9mMUBWHC+4dqeOfVKf+c8mtBtYH2wKwhsfylZlVs\nMefobupGcugd1RbM7Lu0UzCJ3trhD7HxdOtNoP2W26OR3uNt4ocaLBwSqtGy3hYH\nW3XIYk5lAut5OEF2W5+qmfprTa8MyL2rr922wgP0vDt4s2FG\n=Kq0B\n-----END PGP PUBLIC KEY BLOCK-----',1609659200),
(6,'SilkRoadVet','-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n0rL+zFIYWjmmHXSFfxBJLR7EM/O/46ZTg0/ckMZQTBwqj1d4Ey3Mg3ySvAv1ttyC\n9PDZjaT7iHH1yCma72qoe2mz94zToAX0mp4EvDi9d7iXiQMYhvMhUqMGscVkN7+U\npp0Q+xzun3qBZjy+RCTkVSf/sEmG22KRH7hzN7ULm9yLF/YIZsEF2aVeHfSE8P/I\nwscVZJ5Sg90LlUYPrQU13yZahYFj/8Yt9C2xr09uZGJqwnWh\n=rEfX\n-----END PGP PUBLIC KEY BLOCK-----',1609709200),
(7,'anon8812',NULL,1609759200),
(8,'bluefish',NULL,1609809200),
(9,'tripper22',NULL,1609859200),
(10,'m4rk_',NULL,1609909200),
(11,'quietguy',NULL,1609959200),
(12,'nightowl77',NULL,1610009200),
(13,'lucky_seven',NULL,1610059200),
(14,'zed_z',NULL,1610109200),
(15,'orangecat',NULL,1610159200),
(16,'hopeful1',NULL,1610209200),
(17,'wolfpack',NULL,1610259200),
(18,'kaiser_s',NULL,1610309200),
(19,'mellow',NULL,1610359200),
(20,'pixel9',NULL,1610409200),
(21,'tundra',NULL,1610459200),
(22,'ghost_x',NULL,1610509200),
(23,'raven2',NULL,1610559200),
(24,'juno',NULL,1610609200);

CREATE TABLE `t2` (
  `c1` text,
  `c2` text,
  `c3` text,
  `c4` text,
  `c5` text,
  `c6` text
);
INSERT INTO `t2` VALUES (1,1,'3.5g OG Kush - top shelf','OG KUSH 3.5G\nIndoor grown, cured 4 weeks.\nShips next day in vacuum sealed bags.','35.00',1609718400),
(2,2,'10x Xanax 2mg bars (G3722)','XANAX BARS\nPressed with real alprazolam, lab tested.\nNo FE for new buyers.','45.00',1609727400),
(3,3,'1g Colombian cocaine 90%','COCAINE 1G\nStraight from the brick, 90% purity tested with reagent.\nStealth is our priority.','80.00',1609736400),
(4,4,'5x M30 blues','M30 BLUES\nPressed pills, strong.\nOnly for experienced users, start low.','60.00',1609745400),
(5,5,'0.5g crystal meth shards','METH 0.5G\nGlass-like shards, no cut.\nShips worldwide except Australia.','30.00',1609754400),
(6,6,'MDMA 1g champagne','MDMA CHAMPAGNE 1G\nLab tested 84%.\nDiscreet packaging, tracked shipping.','40.00',1609763400),
(7,1,'LSD 10 tabs 150ug','LSD TABS\nGel tabs, 150ug each, tested.\nRespect the dose.','55.00',1609772400),
(8,2,'Ketamine 2g needles','KETAMINE 2G\nNeedle shards, pharma grade.\nShips from NL in 24h.','50.00',1609781400),
(9,3,'Heroin #4 0.5g','HEROIN #4\nWhite powder, strong.\nEscrow only, no FE.','70.00',1609790400),
(10,4,'Fake EU ID template','ID TEMPLATE\nPSD files, high resolution.\nDigital delivery.','25.00',1609799400),
(11,5,'Valium 10mg x20','DIAZEPAM\nReal pharma blisters.\nShips from Germany.','38.00',1609808400),
(12,6,'Hash 5g Moroccan','HASH 5G\nSoft, smells great.\nFree reship once.','42.00',1609817400);

CREATE TABLE `t3` (
  `c1` text,
  `c2` text,
  `c3` text,
  `c4` text,
  `c5` text,
  `c6` text,
  `c7` text
);
INSERT INTO `t3` VALUES (1,1,7,1,'35.00','new',1610323200),
(2,6,14,6,'80.00','paid',1610343200),
(3,11,21,5,'114.00','shipped',1610363200),
(4,4,10,4,'60.00','finalized',1610383200),
(5,9,17,3,'140.00','finalized',1610403200),
(6,2,24,2,'135.00','disputed',1610423200),
(7,7,13,1,'55.00','cancelled',1610443200),
(8,12,20,6,'84.00','finalized',1610463200),
(9,5,9,5,'90.00','new',1610483200),
(10,10,16,4,'25.00','paid',1610503200),
(11,3,23,3,'160.00','shipped',1610523200),
(12,8,12,2,'150.00','finalized',1610543200),
(13,1,19,1,'35.00','finalized',1610563200),
(14,6,8,6,'80.00','disputed',1610583200),
(15,11,15,5,'114.00','cancelled',1610603200),
(16,4,22,4,'60.00','finalized',1610623200),
(17,9,11,3,'140.00','new',1610643200),
(18,2,18,2,'135.00','paid',1610663200),
(19,7,7,1,'55.00','shipped',1610683200),
(20,12,14,6,'84.00','finalized',1610703200),
(21,5,21,5,'90.00','finalized',1610723200),
(22,10,10,4,'25.00','disputed',1610743200),
(23,3,17,3,'160.00','cancelled',1610763200),
(24,8,24,2,'150.00','finalized',1610783200),
(25,1,13,1,'35.00','new',1610803200),
(26,6,20,6,'80.00','paid',1610823200),
(27,11,9,5,'114.00','shipped',1610843200),
(28,4,16,4,'60.00','finalized',1610863200),
(29,9,23,3,'140.00','finalized',1610883200),
(30,2,12,2,'135.00','disputed',1610903200);

CREATE TABLE `t4` (
  `c1` text,
  `c2` text,
  `c3` text,
  `c4` text,
  `c5` text
);
INSERT INTO `t4` VALUES (1,1,1,'fast shipping, great stealth',1610582400),
(2,6,4,'product was as described',1610602400),
(3,11,2,'arrived in 3 days, top quality',1610622400),
(4,4,5,'slow but good',1610642400),
(5,9,3,'never arrived, vendor reshipped',1610662400),
(6,2,1,'A+++ will order again',1610682400),
(7,7,4,'decent, a bit overpriced',1610702400),
(8,12,2,'best on the market',1610722400),
(9,5,5,'fast shipping, great stealth',1610742400),
(10,10,3,'product was as described',1610762400),
(11,3,1,'arrived in 3 days, top quality',1610782400),
(12,8,4,'slow but good',1610802400),
(13,1,2,'never arrived, vendor reshipped',1610822400),
(14,6,5,'A+++ will order again',1610842400),
(15,11,3,'decent, a bit overpriced',1610862400),
(16,4,1,'best on the market',1610882400),
(17,9,4,'fast shipping, great stealth',1610902400),
(18,2,2,'product was as described',1610922400),
(19,7,5,'arrived in 3 days, top quality',1610942400),
(20,12,3,'slow but good',1610962400);

CREATE TABLE `t5` (
  `c1` text,
  `c2` text,
  `c3` text
);
INSERT INTO `t5` VALUES (1,1,'16oHfeQ1QhF6Hh63t8ARYk2kDSPRQUHMuc'),
(2,2,'189tKVsFBBkk4dLepnVsJgiTNGGdp7Ee7V'),
(3,3,'19B7gCiA2Vw64GRYmAJYj4j2QHs9EpEqeH'),
(4,4,'1Am1M9SVt9v7hx1zCPqMVp8JbcfFmU4547'),
(5,5,'1At2krmKEGEL5fgogT78jTqcJSrWYbEQfX'),
(6,6,'1BPG8BBj1XwYxFwYtXV6CznVMRJNsc3y5a');

