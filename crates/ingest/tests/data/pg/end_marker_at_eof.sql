COPY public.t (a) FROM stdin;
1
\.