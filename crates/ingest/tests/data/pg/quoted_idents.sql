CREATE TABLE public."Order" (
    "Id" integer NOT NULL,
    "Total USD" numeric(12,2),
    note text
);
COPY public."Order" ("Id", "Total USD", note) FROM stdin;
1	9.99	first
\.
CREATE TABLE shop.items (item_id bigint, headline text);
COPY shop.items (item_id, headline) FROM stdin;
5	M30 "blues"
\.
COPY "Weird""Name" ("a""b") FROM stdin;
x
\.
