CREATE TABLE public.t (a integer, b text);
INSERT INTO public.t VALUES (1, 'fine');
INSERT INTO public.t VALUES (2, 'never ''closed
