CREATE TABLE public.l (id integer, name text);
COPY public.l (id, name) FROM stdin;
1	café
2	octal \351t\351
3	utf8 cafÃ©
\.
INSERT INTO public.l VALUES (4, 'naïve');
