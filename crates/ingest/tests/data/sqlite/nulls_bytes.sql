-- NULLs, text that is not UTF-8 (stored as TEXT all the same), blobs that hold text.
CREATE TABLE messages (id INTEGER PRIMARY KEY, sender TEXT, body TEXT, attachment BLOB);
INSERT INTO messages VALUES (1, NULL, NULL, NULL);
INSERT INTO messages VALUES (2, 'x', CAST(X'636166e9' AS TEXT), NULL);
INSERT INTO messages VALUES (3, 'y', 'plain', CAST('text in a blob' AS BLOB));
INSERT INTO messages VALUES (4, '', 'tab	and
newline', X'00ff');
