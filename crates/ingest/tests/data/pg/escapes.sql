CREATE TABLE public.e (id integer, s text, t text);
COPY public.e (id, s, t) FROM stdin;
1	bs:\\ b:\b f:\f n:\n r:\r t:\t v:\v	plain
2	octal:\101\0102\7 hex:\x41\x4a\x7	unknown:\q\N\.
3	\N	
4		escaped\	tab
5	backslash-newline:\
continued	end
6	\N\N	\\N
\.
