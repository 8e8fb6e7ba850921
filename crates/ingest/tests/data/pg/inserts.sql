--
-- PostgreSQL database dump
--

\restrict 6tGn2K1MRq0uFdMiHSwmQJyhb0Hp3KxLHPW1oeJHqAblt7dCs5ZGn6vFyrQvWNh

-- Dumped from database version 15.6 (Debian 15.6-1.pgdg120+2)
-- Dumped by pg_dump version 15.6 (Debian 15.6-1.pgdg120+2)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

SET default_tablespace = '';

SET default_table_access_method = heap;

CREATE TABLE public.reviews (
    review_id bigint NOT NULL,
    deal_id bigint NOT NULL,
    score smallint,
    remark text,
    posted_at timestamp with time zone,
    verified boolean
);

INSERT INTO public.reviews VALUES (1, 10, 9, 'great stealth, it''s 10/10', '2020-05-03 10:00:00+00', true);
INSERT INTO public.reviews VALUES (2, 11, 2, 'backslash stays: \n \', NULL, false);
INSERT INTO public.reviews (review_id, deal_id, score, remark, posted_at, verified) VALUES (3, 12, 10, E'E-string: tab\tnl\n quote\' octal\101 hex\x42 uni\u00e9', '2020-05-04 10:00:00+00', NULL);
INSERT INTO public.reviews (remark, review_id, deal_id) VALUES ('multi
line', 4, 13), ('second ), ( row; ', 5, 14);
INSERT INTO public.reviews OVERRIDING SYSTEM VALUE VALUES (6, 15, -1, '', '2020-05-05 10:00:00+00', true) ON CONFLICT DO NOTHING;
INSERT INTO public.reviews VALUES (7, 16, 3);

--
-- PostgreSQL database dump complete
--

\unrestrict 6tGn2K1MRq0uFdMiHSwmQJyhb0Hp3KxLHPW1oeJHqAblt7dCs5ZGn6vFyrQvWNh

