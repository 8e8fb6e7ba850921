//! Daily BTC and XMR closes (USD) for the world's calendar, from the tables shipped in `data/prices/`.

use crate::SynthError;
use crate::clock::{self, WORLD_END, WORLD_START};

const BTC_TABLE: &str =
    include_str!("../../../data/prices/btc_usd_daily_2011-01-01_2024-12-31.csv");
const XMR_TABLE: &str =
    include_str!("../../../data/prices/xmr_usd_daily_2014-09-17_2021-04-29.csv");

/// The coins orders are paid in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Coin {
    Btc,
    Xmr,
}

/// USD per coin for every day of the world, indexed by [`clock::world_day`].
#[derive(Debug)]
pub struct PriceBook {
    btc: Vec<f64>,
    xmr: Vec<f64>,
}

impl PriceBook {
    pub fn embedded() -> Result<Self, SynthError> {
        Ok(PriceBook {
            btc: world_days("btc_usd", BTC_TABLE, "btc_usd")?,
            xmr: world_days("xmr_usd", XMR_TABLE, "xmr_usd_close")?,
        })
    }

    /// The day's close for `coin` at `unix` (the UTC date of the timestamp).
    pub fn usd_per_coin(&self, coin: Coin, unix: i64) -> f64 {
        let days = match coin {
            Coin::Btc => &self.btc,
            Coin::Xmr => &self.xmr,
        };
        let day = clock::world_day(unix).min(days.len() - 1);
        days[day]
    }
}

/// Reads `column` for each day of the world window; every day must be present, in order.
fn world_days(table: &'static str, text: &str, column: &str) -> Result<Vec<f64>, SynthError> {
    let bad = |reason: String| SynthError::PriceTable { table, reason };
    let mut lines = text.lines();
    let header = lines.next().ok_or_else(|| bad("empty".into()))?;
    let col = header
        .split(',')
        .position(|c| c == column)
        .ok_or_else(|| bad(format!("no column {column}")))?;
    let first = clock::date(WORLD_START);
    let last = clock::date(WORLD_END);
    let mut out = Vec::new();
    for line in lines {
        let mut fields = line.split(',');
        let Some(date) = fields.next() else { continue };
        if date < first.as_str() || date > last.as_str() {
            continue;
        }
        let expected = clock::date(WORLD_START + out.len() as i64 * clock::DAY);
        if date != expected {
            return Err(bad(format!("expected {expected}, found {date}")));
        }
        let value: f64 = line
            .split(',')
            .nth(col)
            .and_then(|v| v.parse().ok())
            .filter(|v: &f64| *v > 0.0)
            .ok_or_else(|| bad(format!("no {column} on {date}")))?;
        out.push(value);
    }
    let days = clock::world_day(WORLD_END) + 1;
    if out.len() != days {
        return Err(bad(format!(
            "{} days of {days} in the world window",
            out.len()
        )));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn covers_the_world_window() {
        let book = PriceBook::embedded().unwrap();
        let btc = book.usd_per_coin(Coin::Btc, WORLD_START);
        assert!((3000.0..5000.0).contains(&btc), "{btc}");
        let xmr = book.usd_per_coin(Coin::Xmr, WORLD_END);
        assert!((100.0..400.0).contains(&xmr), "{xmr}");
    }
}
