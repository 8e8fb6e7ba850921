CREATE TABLE public.w (a integer, b text, c text);
COPY public.w (a, b, c) FROM stdin;
1	ok	ok
2	too few
3	ok	ok
4	too	many	fields
5	ok	ok
\.
INSERT INTO public.w VALUES (6, 'too few');
INSERT INTO public.w VALUES (7, 'ok', 'ok'), (8, not_a_value, 'x'), (9, 'ok', 'ok');
