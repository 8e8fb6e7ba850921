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

--
-- Name: deals; Type: TABLE; Schema: public; Owner: market
--

CREATE TABLE public.deals (
    deal_id bigint NOT NULL,
    item_id bigint NOT NULL,
    buyer_id bigint NOT NULL,
    seller_id bigint NOT NULL,
    qty integer DEFAULT 1 NOT NULL,
    total_usd numeric(12,2) NOT NULL,
    status text NOT NULL,
    opened_at timestamp with time zone NOT NULL,
    CONSTRAINT deals_qty_check CHECK ((qty > 0))
);


ALTER TABLE public.deals OWNER TO market;

--
-- Name: members; Type: TABLE; Schema: public; Owner: market
--

CREATE TABLE public.members (
    member_id bigint NOT NULL,
    login text NOT NULL,
    kind smallint NOT NULL,
    joined timestamp with time zone NOT NULL,
    pgp text,
    bio text
);


ALTER TABLE public.members OWNER TO market;

--
-- Data for Name: deals; Type: TABLE DATA; Schema: public; Owner: market
--

COPY public.deals (deal_id, item_id, buyer_id, seller_id, qty, total_usd, status, opened_at) FROM stdin;
1	10	100	7	2	240.00	DONE	2020-05-01 13:02:11+00
2	11	101	7	1	35.50	DISPUTE	2020-05-02 08:00:00+00
\.


--
-- Data for Name: members; Type: TABLE DATA; Schema: public; Owner: market
--

COPY public.members (member_id, login, kind, joined, pgp, bio) FROM stdin;
7	greenleaf	2	2019-03-04 05:06:07+00	-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQENBF4x\n-----END PGP PUBLIC KEY BLOCK-----	Top quality. session: 05aa\tbb
100	buyer_one	1	2019-04-01 00:00:00+00	\N	\N
101	buyer_two	1	2019-04-02 00:00:00+00	\N	
\.


--
-- Name: deals deals_pkey; Type: CONSTRAINT; Schema: public; Owner: market
--

ALTER TABLE ONLY public.deals
    ADD CONSTRAINT deals_pkey PRIMARY KEY (deal_id);

--
-- PostgreSQL database dump complete
--

\unrestrict 6tGn2K1MRq0uFdMiHSwmQJyhb0Hp3KxLHPW1oeJHqAblt7dCs5ZGn6vFyrQvWNh

