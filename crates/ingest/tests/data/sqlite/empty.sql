-- An empty table gives no rows and no error; the table after it is read.
CREATE TABLE a_empty (a, b);
CREATE TABLE b_one (x);
INSERT INTO b_one VALUES (1);
