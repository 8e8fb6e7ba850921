-- Table and column names that need quoting, a non-ASCII name (sorted by its UTF-8 bytes, so last), and a
-- column named rowid that hides the real rowid (read as oid instead).
CREATE TABLE "order ""items"" 2021" ("item id" INTEGER PRIMARY KEY, "the ""name""" TEXT, [bracketed col] TEXT, `back` INT);
INSERT INTO "order ""items"" 2021" VALUES (7, 'a', 'b', 1);
CREATE TABLE "Ünïcode tâble" (x);
INSERT INTO "Ünïcode tâble" VALUES ('✓');
CREATE TABLE "with.dot; DROP TABLE s" (y);
INSERT INTO "with.dot; DROP TABLE s" VALUES (1);
CREATE TABLE s (rowid TEXT, v);
INSERT INTO s (oid, rowid, v) VALUES (10, 'not the rowid', 1);
