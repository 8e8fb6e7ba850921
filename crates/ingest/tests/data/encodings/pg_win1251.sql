--
-- PostgreSQL database dump
--

SET statement_timeout = 0;
SET client_encoding = 'WIN1251';
SET standard_conforming_strings = on;

CREATE TABLE public.members (
    member_id integer NOT NULL,
    login character varying(64),
    bio text
);

COPY public.members (member_id, login, bio) FROM stdin;
1	Шалфей	Закладки по всему городу\nОтзывы в профиле
2	Кот_Учёный	\N
3	trader	Only English here
\.

COPY public.listings (id, member_id, title) FROM stdin;
1	1	Амфетамин 2г
2	2	Экстази «Тесла» 10шт
\.
