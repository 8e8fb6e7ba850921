//! USD values of coin amounts from daily price tables.
//!
//! A conversion uses the closing price of the UTC day of the timestamp, and only that: a day outside a
//! table or missing from it is an error, never a neighbour's price, because a revenue figure shown in
//! court must say which price it used. The shipped tables (see `data/prices/README.md` for their origin)
//! are embedded in the binary; a user can load their own table of the same shape.

use std::collections::BTreeMap;
use std::io::Read;
use std::sync::LazyLock;

use chrono::{DateTime, NaiveDate};

const SHIPPED_BTC: &str =
    include_str!("../../../data/prices/btc_usd_daily_2011-01-01_2024-12-31.csv");
const SHIPPED_XMR: &str =
    include_str!("../../../data/prices/xmr_usd_daily_2014-09-17_2021-04-29.csv");

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PriceError {
    #[error("no {coin} price for {date}: the {coin} table covers {first} to {last}")]
    OutOfRange {
        coin: String,
        date: NaiveDate,
        first: NaiveDate,
        last: NaiveDate,
    },
    #[error("no {coin} price for {date}: the day is missing from the {coin} table")]
    MissingDay { coin: String, date: NaiveDate },
    #[error("no {0} table")]
    NoTable(String),
    #[error("timestamp {0} is not a date")]
    BadTimestamp(i64),
    #[error("price table for {coin}, line {line}: {reason}")]
    BadTable {
        coin: String,
        line: u64,
        reason: String,
    },
}

/// Daily USD closing prices for one or more coins, keyed by lower-case coin code.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PriceTable {
    coins: BTreeMap<String, DailyPrices>,
}

#[derive(Debug, Clone, PartialEq)]
struct DailyPrices {
    by_day: BTreeMap<NaiveDate, f64>,
}

static SHIPPED: LazyLock<PriceTable> = LazyLock::new(|| {
    let mut table = PriceTable::default();
    for (coin, csv) in [("btc", SHIPPED_BTC), ("xmr", SHIPPED_XMR)] {
        let one = PriceTable::from_csv_reader(coin, csv.as_bytes())
            .expect("the shipped price tables are well-formed (tested)");
        table.merge(one);
    }
    table
});

impl PriceTable {
    /// BTC (2011-01-01..2024-12-31) and XMR (2014-09-17..2021-04-29) as shipped with spector.
    pub fn shipped() -> &'static PriceTable {
        &SHIPPED
    }

    /// Reads a table with a header row, a `date` column (YYYY-MM-DD) and a price column named
    /// `<coin>_usd` or `<coin>_usd_close`; other columns are ignored. Days need not be contiguous.
    pub fn from_csv_reader(coin: &str, reader: impl Read) -> Result<Self, PriceError> {
        let coin = coin.to_ascii_lowercase();
        let bad = |line: u64, reason: String| PriceError::BadTable {
            coin: coin.clone(),
            line,
            reason,
        };
        let mut csv = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(reader);
        let headers = csv.headers().map_err(|e| bad(1, e.to_string()))?.clone();
        let column = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
        let date_col = column("date").ok_or_else(|| bad(1, "no 'date' column".into()))?;
        let price_col = column(&format!("{coin}_usd"))
            .or_else(|| column(&format!("{coin}_usd_close")))
            .ok_or_else(|| bad(1, format!("no '{coin}_usd' or '{coin}_usd_close' column")))?;

        let mut by_day = BTreeMap::new();
        for row in csv.records() {
            let row = row.map_err(|e| {
                let line = e.position().map_or(0, |p| p.line());
                bad(line, e.to_string())
            })?;
            let line = row.position().map_or(0, |p| p.line());
            let date_text = row.get(date_col).unwrap_or_default();
            let date = NaiveDate::parse_from_str(date_text, "%Y-%m-%d")
                .map_err(|_| bad(line, format!("'{date_text}' is not a YYYY-MM-DD date")))?;
            let price_text = row.get(price_col).unwrap_or_default();
            let price: f64 = price_text
                .parse()
                .ok()
                .filter(|p: &f64| p.is_finite() && *p > 0.0)
                .ok_or_else(|| bad(line, format!("'{price_text}' is not a positive price")))?;
            if by_day.insert(date, price).is_some() {
                return Err(bad(line, format!("{date} appears twice")));
            }
        }
        if by_day.is_empty() {
            return Err(bad(1, "no rows".into()));
        }
        Ok(PriceTable {
            coins: BTreeMap::from([(coin, DailyPrices { by_day })]),
        })
    }

    /// Adds `other`'s coins, replacing this table's prices for the coins both have.
    pub fn merge(&mut self, other: PriceTable) {
        self.coins.extend(other.coins);
    }

    /// First and last day the table has for `coin`.
    pub fn coverage(&self, coin: &str) -> Option<(NaiveDate, NaiveDate)> {
        let days = &self.coins.get(&coin.to_ascii_lowercase())?.by_day;
        Some((*days.first_key_value()?.0, *days.last_key_value()?.0))
    }

    /// USD closing price of one `coin` on the UTC day of `unix_ts`.
    pub fn usd_price(&self, coin: &str, unix_ts: i64) -> Result<f64, PriceError> {
        let coin = coin.to_ascii_lowercase();
        let days = &self
            .coins
            .get(&coin)
            .ok_or_else(|| PriceError::NoTable(coin.to_ascii_uppercase()))?
            .by_day;
        let date = DateTime::from_timestamp(unix_ts, 0)
            .ok_or(PriceError::BadTimestamp(unix_ts))?
            .date_naive();
        if let Some(price) = days.get(&date) {
            return Ok(*price);
        }
        let (first, last) = self.coverage(&coin).expect("tables are never empty");
        if date < first || date > last {
            return Err(PriceError::OutOfRange {
                coin,
                date,
                first,
                last,
            });
        }
        Err(PriceError::MissingDay { coin, date })
    }

    /// `amount` of `currency` in USD at `unix_ts`. USD passes through unchanged; a currency without a
    /// table (EUR for now) is an error.
    pub fn to_usd(&self, amount: f64, currency: &str, unix_ts: i64) -> Result<f64, PriceError> {
        if currency.trim().eq_ignore_ascii_case("usd") {
            return Ok(amount);
        }
        Ok(amount * self.usd_price(currency.trim(), unix_ts)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(date: &str) -> i64 {
        NaiveDate::parse_from_str(date, "%Y-%m-%d")
            .unwrap()
            .and_hms_opt(12, 0, 0)
            .unwrap()
            .and_utc()
            .timestamp()
    }

    fn day(date: &str) -> NaiveDate {
        NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn shipped_tables_cover_their_documented_ranges() {
        let table = PriceTable::shipped();
        assert_eq!(
            table.coverage("btc"),
            Some((day("2011-01-01"), day("2024-12-31")))
        );
        assert_eq!(
            table.coverage("XMR"),
            Some((day("2014-09-17"), day("2021-04-29")))
        );
        // Every calendar day is present in the shipped tables.
        for coin in ["btc", "xmr"] {
            let days = &table.coins[coin].by_day;
            let (first, last) = table.coverage(coin).unwrap();
            assert_eq!(days.len() as i64, (last - first).num_days() + 1, "{coin}");
        }
    }

    #[test]
    fn converts_with_the_days_close() {
        let table = PriceTable::shipped();
        // Values as in the shipped CSVs.
        assert_eq!(
            table.to_usd(2.0, "BTC", ts("2024-12-31")).unwrap(),
            2.0 * 93395.0
        );
        assert_eq!(table.to_usd(1.0, "xmr", ts("2021-04-29")).unwrap(), 414.117);
        // The UTC day decides: 23:59:59 is still that day.
        let end_of_day = ts("2024-12-30") + 12 * 3600 - 1;
        assert_eq!(table.usd_price("btc", end_of_day).unwrap(), 92637.0);
    }

    #[test]
    fn usd_passes_through_and_eur_has_no_table() {
        let table = PriceTable::shipped();
        assert_eq!(table.to_usd(12.5, "USD", ts("1990-01-01")).unwrap(), 12.5);
        let err = table.to_usd(1.0, "EUR", ts("2020-01-01")).unwrap_err();
        assert_eq!(err, PriceError::NoTable("EUR".into()));
        assert_eq!(err.to_string(), "no EUR table");
    }

    #[test]
    fn never_guesses_outside_the_table() {
        let table = PriceTable::shipped();
        let err = table.to_usd(1.0, "XMR", ts("2021-04-30")).unwrap_err();
        assert_eq!(
            err,
            PriceError::OutOfRange {
                coin: "xmr".into(),
                date: day("2021-04-30"),
                first: day("2014-09-17"),
                last: day("2021-04-29"),
            }
        );
        assert!(table.to_usd(1.0, "btc", ts("2010-12-31")).is_err());
        assert!(table.to_usd(1.0, "btc", i64::MAX).is_err());
    }

    #[test]
    fn a_users_table_with_gaps() {
        let csv = "date,eth_usd_close,source\n2020-01-01,130.5,x\n2020-01-03,127.0,x\n";
        let mut table = PriceTable::from_csv_reader("ETH", csv.as_bytes()).unwrap();
        table.merge(PriceTable::shipped().clone());
        assert_eq!(table.to_usd(2.0, "eth", ts("2020-01-01")).unwrap(), 261.0);
        assert_eq!(
            table.to_usd(1.0, "eth", ts("2020-01-02")),
            Err(PriceError::MissingDay {
                coin: "eth".into(),
                date: day("2020-01-02")
            })
        );
        assert!(table.to_usd(1.0, "btc", ts("2020-01-02")).is_ok());
    }

    #[test]
    fn malformed_tables_are_rejected_with_the_line() {
        let cases = [
            ("price,date\n1,2020-01-01\n", "no 'btc_usd'"),
            ("date,btc_usd\n2020-13-01,5\n", "line 2"),
            ("date,btc_usd\n2020-01-01,-5\n", "positive"),
            ("date,btc_usd\n2020-01-01,5\n2020-01-01,6\n", "twice"),
            ("date,btc_usd\n", "no rows"),
        ];
        for (csv, expected) in cases {
            let err = PriceTable::from_csv_reader("btc", csv.as_bytes()).unwrap_err();
            assert!(err.to_string().contains(expected), "{csv:?}: {err}");
        }
    }
}
