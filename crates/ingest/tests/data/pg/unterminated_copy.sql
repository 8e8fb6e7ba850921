CREATE TABLE public.t (a integer, b text);
COPY public.t (a, b) FROM stdin;
1	first
2	second
3	third, and then the dump was cut
