-- Rowids with gaps left by deletes, a rowid reused after the largest was deleted, a negative rowid.
CREATE TABLE orders (id INTEGER PRIMARY KEY, amount REAL);
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 12)
INSERT INTO orders SELECT i, i * 0.5 FROM c;
DELETE FROM orders WHERE id IN (2, 3, 7, 12);
INSERT INTO orders VALUES (100, 1.25);
CREATE TABLE plain (v TEXT);
INSERT INTO plain VALUES ('a'), ('b'), ('c');
DELETE FROM plain WHERE v IN ('b', 'c');
INSERT INTO plain VALUES ('d');
INSERT INTO plain (rowid, v) VALUES (-5, 'negative rowid');
