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

CREATE FUNCTION public.touch() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  INSERT INTO public.audit VALUES (NEW.id, 'x');
  NEW.updated := now(); -- comment; with 'quote
  RETURN NEW;
END;
$$;

CREATE FUNCTION public.copy_like() RETURNS void
    LANGUAGE sql
    AS $_$
COPY public.audit (id) FROM stdin;
SELECT $1, 'a;b';
$_$;

COMMENT ON FUNCTION public.touch() IS 'it''s; a comment';

/* nested /* block; */ comment; */
CREATE TABLE public.audit (id integer, what text);
COPY public.audit (id, what) FROM stdin;
1	after functions
\.

--
-- PostgreSQL database dump complete
--

\unrestrict 6tGn2K1MRq0uFdMiHSwmQJyhb0Hp3KxLHPW1oeJHqAblt7dCs5ZGn6vFyrQvWNh

