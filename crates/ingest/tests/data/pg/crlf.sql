--
-- PostgreSQL database dump
--
CREATE TABLE public.c (a integer, b text);
COPY public.c (a, b) FROM stdin;
1	windows
2	line \r\n ends
\.
