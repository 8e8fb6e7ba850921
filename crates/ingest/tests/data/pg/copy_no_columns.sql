CREATE TABLE public.known (x integer, y text) PARTITION BY LIST (x);
CREATE TABLE public.known_1 PARTITION OF public.known FOR VALUES IN (1);
COPY public.known FROM stdin;
1	declared
\.
COPY public.unknown FROM stdin;
1	a	b
2	c
\.
COPY public.binary_data (x) FROM stdin WITH (FORMAT csv);
1
"2"
\.
COPY public.known (x, y) TO stdout;
COPY public.known (x, y) FROM stdin;
2	after skipped block
\.
