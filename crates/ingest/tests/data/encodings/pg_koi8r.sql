--
-- PostgreSQL database dump
--

SET client_encoding = 'KOI8R';

COPY public.members (member_id, login) FROM stdin;
1	Шалфей
2	Ёжик_в_тумане
\.
