-- A WITHOUT ROWID table: rows in primary-key order, numbered 1..n.
CREATE TABLE wallets (address TEXT, coin TEXT, owner INT, PRIMARY KEY (coin, address)) WITHOUT ROWID;
INSERT INTO wallets VALUES ('bc1qz', 'btc', 1), ('4Ab', 'xmr', 2), ('1A1z', 'btc', 3), ('bc1qa', 'btc', 2);
