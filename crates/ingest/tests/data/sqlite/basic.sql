-- Every storage class, and the affinity conversions SQLite makes on the way in.
-- AUTOINCREMENT makes SQLite keep a sqlite_sequence table, which is not read.
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL,
  balance REAL,
  rating NUMERIC,
  avatar BLOB,
  created_at TEXT
);
INSERT INTO users VALUES (1, 'alice', 0.1, 4.5, X'89504e47', '2021-03-04 05:06:07');
INSERT INTO users VALUES (2, 'bob', 1e300, 5, NULL, NULL);
INSERT INTO users VALUES (3, 'carol', -2.5, '4.75', X'', '2021-03-05');
INSERT INTO users VALUES (4, 'dave', 3.0, 1e-7, zeroblob(3), 1614900000);
CREATE TABLE listings (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  vendor_id INT,
  title TEXT,
  price_btc REAL,
  stock INTEGER
);
INSERT INTO listings (vendor_id, title, price_btc, stock) VALUES
  (1, '10x Oxy 80mg', 0.0125, 9223372036854775807),
  (2, 'Fent 💊 ''pressed''', 123456789.125, -9223372036854775808),
  (1, 'tabs', 2.5e-10, 0);
CREATE INDEX listings_vendor ON listings (vendor_id);
CREATE VIEW vendors AS SELECT DISTINCT vendor_id FROM listings;
CREATE TRIGGER listings_touch AFTER UPDATE ON listings BEGIN SELECT 1; END;
