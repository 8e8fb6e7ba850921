--
-- PostgreSQL database dump
--

-- Dumped from database version 13.4
-- Dumped by pg_dump version 13.4

SET statement_timeout = 0;
SET lock_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);

CREATE TABLE public.accounts (
    account_id integer NOT NULL,
    handle text NOT NULL,
    account_type text NOT NULL,
    registered_at timestamp with time zone NOT NULL,
    gpg_key text,
    jabber text
);

CREATE TABLE public.offers (
    offer_id integer NOT NULL,
    account_id integer NOT NULL,
    name text NOT NULL,
    details text,
    price_btc numeric(16,8) NOT NULL,
    origin text,
    destinations text,
    created timestamp with time zone
);

CREATE TABLE public.payout_addresses (
    id integer NOT NULL,
    account_id integer NOT NULL,
    coin text NOT NULL,
    addr text NOT NULL
);

CREATE TABLE public.ratings (
    rating_id integer NOT NULL,
    tx_id integer NOT NULL,
    stars smallint NOT NULL,
    text text,
    created_unix bigint NOT NULL
);

CREATE TABLE public.transactions (
    tx_id integer NOT NULL,
    offer_id integer NOT NULL,
    customer_id integer NOT NULL,
    seller_id integer NOT NULL,
    amount_sat bigint NOT NULL,
    state text NOT NULL,
    created_unix bigint NOT NULL
);

--
-- Data for Name: accounts; Type: TABLE DATA; Schema: public; Owner: market
--

COPY public.accounts (account_id, handle, account_type, registered_at, gpg_key, jabber) FROM stdin;
1	GreenDragon	seller	2019-01-01 00:00:00+00	-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nxblCWMeu3+roLOAELnzovIh/HITgVaKFl90tw4lmEPQixwp+P8vuqHAJTu1r1LRO\nRXUyKPwUJTDb/q4fWU1Swnum2fI3bZio9VqiMjfCfaKfEQ7uCX+E6XCpaxbuCWSh\nK8x0COxOdfkPlFCKemMEeoEN0O8FNqGe1O2K5rGTaQVLBzU45UF6RZmLmLrzbHDa\nRjImrMgUgyRLuU/jhH85gLqGC8U83vjFrJlg4jSV4cCX2h+8\n=saya\n-----END PGP PUBLIC KEY BLOCK-----	greendragon@jabber.calyxinstitute.org
2	PharmaKing	seller	2019-01-02 00:00:00+00	-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n0HfbbCtY3iLHPNrH1Xlvkg4IwM8cdxrtwO88yXlzcqqZSz01trcsGbj5cP4EaQ4s\nviSCFTlN64LItW5y4nGgDGorsU5UR2km2wIem+ER8mBexEvgzmy8KwErqEw7xDcK\nOdZNC+pd36AdKLfwH1jc0AyX+ur6/oxK6tYMe7xrsgNdqlWmrHMpmnQ06Dpeuaxb\ngL781/TXT/L9bqHHFobixv8+KUnj8hTvHS1K0auTHj9Tm1Mt\n=zhiM\n-----END PGP PUBLIC KEY BLOCK-----	\N
3	NordicPills	seller	2019-01-03 00:00:00+00	-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nWF6n1bxNGD3Jw/88LmUpCRlULkJKpNTzBrNittb3L4Uj2nTH2WNwuJPcLPpDdqXV\nVBxl9qLmfKwWzE363HDf9AkMHDfmk8Exg3HJHPcydITGhczgwnwaEiIuWVRPq3K+\nhFGv/E70gtkFi3l/rXE6v/ofrAb4Zpw6I27UTJn8TP1a1Xrdb3VsGcwsGfq3CqgA\nOWwlT/0Wec5m1WfJD5zucVwWtnGBa/096/asmCsmEnMatHrR\n=OaeY\n-----END PGP PUBLIC KEY BLOCK-----	nordicpills@jabber.calyxinstitute.org
4	CaliConnect	seller	2019-01-04 00:00:00+00	-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nzqcNuRRFYcrO4MEb1CoriSsKEc3/pDjPc7AhKvLJAzujXfXBmC8Hvh9nZF4W3WXa\nAzabckW2mmO7iy/7ICjgKLklexJkno6F2oiSiWO5INORZNt+U2SjFVnfG30soxTY\n4RsH9aOKhtW+UGbttPnmgVmKVW5AkORV0K55RMESEKg+8cELCqjl3w67EK9dPfV7\ns8VaJjfeLqKRv+eGi/Yo68DrigvsV9wwxf5kPjxrO6wVPOwV\n=BAgC\n-----END PGP PUBLIC KEY BLOCK-----	\N
5	DutchMasters	seller	2019-01-05 00:00:00+00	-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nDXHjkcNkv1M9t0laerS6aXKZxQI/9TKXuCniaceAHRrLP9ey5qE51ePOdZS2nSM1\n8/DgZgx3SZM6+jsLVmGpiU59DaAp4hobxwMTGcAtkwItTYtwBFB1mSw4YoXZ6fYy\nmAgF0i/xl2xI1D1pomEZ7ztwCsxv7Kdsb4fDfhmKdTgYfSO4g0GWuK8UWfeZnv2h\nWy0y+noEnMOYYlWvyYyKol4O0a9uMCXyGFieK664g5mZBduU\n=gcL1\n-----END PGP PUBLIC KEY BLOCK-----	dutchmasters@jabber.calyxinstitute.org
6	SilkRoadVet	seller	2019-01-06 00:00:00+00	-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nt5IGR7MAHZ2dYFpNyJ1Ct8u8iWzPuWbE503vGCrO5m10V8vTczLx963Fh8Vp9P8C\n/o+4Ak0dz/IhLUy1WDnWqomOStaf1Z3fW+i+FgnYtf+fns7QAD08SkFNL3l2dad7\nqYJdGro/YExANEG4Jj7fDudEFc7+10rquAUtWARxN9LbAtID9nt2xjytwcBaZKmw\nL2G09oYXJsCfMp1raBsWTxNUVgqbY+z7H4gHhGyzV0dsVa+5\n=R23i\n-----END PGP PUBLIC KEY BLOCK-----	\N
7	mod_anna	mod	2018-12-31 22:36:40+00	\N	\N
8	anon8812	customer	2019-01-03 00:00:00+00	\N	\N
9	bluefish	customer	2019-01-04 00:00:00+00	\N	\N
10	tripper22	customer	2019-01-05 00:00:00+00	\N	\N
11	m4rk_	customer	2019-01-06 00:00:00+00	\N	\N
12	quietguy	customer	2019-01-07 00:00:00+00	\N	\N
13	nightowl77	customer	2019-01-08 00:00:00+00	\N	\N
14	lucky_seven	customer	2019-01-09 00:00:00+00	\N	\N
15	zed_z	customer	2019-01-10 00:00:00+00	\N	\N
16	orangecat	customer	2019-01-11 00:00:00+00	\N	\N
17	hopeful1	customer	2019-01-12 00:00:00+00	\N	\N
\.


--
-- Data for Name: offers; Type: TABLE DATA; Schema: public; Owner: market
--

COPY public.offers (offer_id, account_id, name, details, price_btc, origin, destinations, created) FROM stdin;
100	1	3.5g OG Kush - top shelf	OG KUSH 3.5G\nIndoor grown, cured 4 weeks.\nShips next day in vacuum sealed bags.	0.00388889	Germany	Worldwide	2019-01-06 00:00:00+00
101	2	10x Xanax 2mg bars (G3722)	XANAX BARS\nPressed with real alprazolam, lab tested.\nNo FE for new buyers.	0.00500000	Netherlands	EU	2019-01-06 01:23:20+00
102	3	1g Colombian cocaine 90%	COCAINE 1G\nStraight from the brick, 90% purity tested with reagent.\nStealth is our priority.	0.00888889	United States	USA, Canada	2019-01-06 02:46:40+00
103	4	5x M30 blues	M30 BLUES\nPressed pills, strong.\nOnly for experienced users, start low.	0.00666667	United Kingdom	Europe	2019-01-06 04:10:00+00
104	5	0.5g crystal meth shards	METH 0.5G\nGlass-like shards, no cut.\nShips worldwide except Australia.	0.00333333	Canada	Worldwide except Australia	2019-01-06 05:33:20+00
105	6	MDMA 1g champagne	MDMA CHAMPAGNE 1G\nLab tested 84%.\nDiscreet packaging, tracked shipping.	0.00444444	Spain	UK	2019-01-06 06:56:40+00
106	1	LSD 10 tabs 150ug	LSD TABS\nGel tabs, 150ug each, tested.\nRespect the dose.	0.00611111	Germany	Worldwide	2019-01-06 08:20:00+00
107	2	Ketamine 2g needles	KETAMINE 2G\nNeedle shards, pharma grade.\nShips from NL in 24h.	0.00555556	Netherlands	EU	2019-01-06 09:43:20+00
108	3	Heroin #4 0.5g	HEROIN #4\nWhite powder, strong.\nEscrow only, no FE.	0.00777778	United States	USA, Canada	2019-01-06 11:06:40+00
109	4	Fake EU ID template	ID TEMPLATE\nPSD files, high resolution.\nDigital delivery.	0.00277778	United Kingdom	Europe	2019-01-06 12:30:00+00
110	5	Valium 10mg x20	DIAZEPAM\nReal pharma blisters.\nShips from Germany.	0.00422222	Canada	Worldwide except Australia	2019-01-06 13:53:20+00
111	6	Hash 5g Moroccan	HASH 5G\nSoft, smells great.\nFree reship once.	0.00466667	Spain	UK	2019-01-06 15:16:40+00
\.


--
-- Data for Name: payout_addresses; Type: TABLE DATA; Schema: public; Owner: market
--

COPY public.payout_addresses (id, account_id, coin, addr) FROM stdin;
1	1	BTC	1Am1M9SVt9v7hx1zCPqMVp8JbcfFmU4547
2	1	XMR	499sqjFz4kzTZGWKm7yjUgv1DUQXKRavVU4qj8HSq4jkToVJPftN6rvabqqaMSAHhSXjVREjhWxKckHHmgAwtuTGwTNvjKq
3	2	BTC	1At2krmKEGEL5fgogT78jTqcJSrWYbEQfX
4	3	BTC	1BPG8BBj1XwYxFwYtXV6CznVMRJNsc3y5a
5	3	XMR	4645SD7mSoEqD5V6tGgSbpJFwtJF5JJfKLonwy8rfjTdEJebcRSeXjzN9gU4GEBTKpjR37jdq7pUBKFBWk8qtTjmh4XL6hX
6	4	BTC	1EBSzVzrxUXrpGWhCpDhTASYqKTRSohdeS
7	5	BTC	1FmFDMLZKqHLPzVHQFC5omKb7fttGxTNzE
8	5	XMR	4429KYEWXPCWnydnNGH94isRPhMEcgnUSUajKWvdUnJCxRL8hzFWMXXGrCqgJAsjijBgK4TnjZdboVpf1zecWM65Xq6Tg1A
9	6	BTC	3KECkXMKfHGfDd2bxRxrrNNxgFs3rEgLcp
\.


--
-- Data for Name: ratings; Type: TABLE DATA; Schema: public; Owner: market
--

COPY public.ratings (rating_id, tx_id, stars, text, created_unix) FROM stdin;
1	5000	1	\N	1547942400
2	5001	4	product was as described	1547992400
3	5002	2	arrived in 3 days, top quality	1548042400
4	5003	5	slow but good	1548092400
5	5004	3	never arrived, vendor reshipped	1548142400
6	5005	1	\N	1548192400
7	5006	4	decent, a bit overpriced	1548242400
8	5007	2	best on the market	1548292400
9	5008	5	fast shipping, great stealth	1548342400
10	5009	3	product was as described	1548392400
11	5010	1	\N	1548442400
12	5011	4	slow but good	1548492400
13	5012	2	never arrived, vendor reshipped	1548542400
14	5013	5	A+++ will order again	1548592400
\.


--
-- Data for Name: transactions; Type: TABLE DATA; Schema: public; Owner: market
--

COPY public.transactions (tx_id, offer_id, customer_id, seller_id, amount_sat, state, created_unix) FROM stdin;
5000	100	8	1	388889	pending	1547596800
5001	101	15	2	1000000	escrow	1547646800
5002	102	12	3	888889	shipped	1547696800
5003	103	9	4	1333334	complete	1547746800
5004	104	16	5	333333	complete	1547796800
5005	105	13	6	888888	dispute	1547846800
5006	106	10	1	611111	refunded	1547896800
5007	107	17	2	1111112	cancelled	1547946800
5008	108	14	3	777778	complete	1547996800
5009	109	11	4	555556	pending	1548046800
5010	110	8	5	422221	escrow	1548096800
5011	111	15	6	933334	shipped	1548146800
5012	100	12	1	388889	complete	1548196800
5013	101	9	2	1000000	complete	1548246800
5014	102	16	3	888889	dispute	1548296800
5015	103	13	4	1333334	refunded	1548346800
5016	104	10	5	333333	cancelled	1548396800
5017	105	17	6	888888	complete	1548446800
5018	106	14	1	611111	pending	1548496800
5019	107	11	2	1111112	escrow	1548546800
\.


ALTER TABLE ONLY public.accounts
    ADD CONSTRAINT accounts_pkey PRIMARY KEY (account_id);

--
-- PostgreSQL database dump complete
--

