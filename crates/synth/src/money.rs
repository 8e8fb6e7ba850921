//! Money: USD in integer cents, coin amounts in integer units of 1e-8.
//!
//! Rounding contract (so the pipeline can re-derive USD): an order's USD value is an exact number of
//! cents (quantity × unit price in cents). A coin amount is `round(usd / usd_per_coin(order date), 8
//! decimals)`, half away from zero. Converting back with the same day's close and rounding to cents gives
//! the order's USD exactly, since the 8-decimal rounding moves the value by less than half a cent at any
//! price in the tables. Truth sums are sums of exact order cents.

use crate::prices::{Coin, PriceBook};

/// An exact USD amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Cents(pub i64);

impl Cents {
    /// `123.45`
    pub fn to_decimal(self) -> String {
        fixed(self.0, 2)
    }

    pub fn times(self, quantity: u32) -> Cents {
        Cents(self.0 * i64::from(quantity))
    }
}

/// A coin amount in units of 1e-8 (satoshi for BTC; XMR truncated to 8 decimals as `decimal(24,8)` stores it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CoinAmount(pub i64);

impl CoinAmount {
    pub fn of_usd(usd: Cents, coin: Coin, unix: i64, prices: &PriceBook) -> CoinAmount {
        let rate = prices.usd_per_coin(coin, unix);
        CoinAmount((usd.0 as f64 * 1e6 / rate).round() as i64)
    }

    /// `0.00123000`
    pub fn to_decimal(self) -> String {
        fixed(self.0, 8)
    }
}

/// An integer of `units` × 10^-`scale`, printed with exactly `scale` decimals.
pub fn fixed(units: i64, scale: u32) -> String {
    let div = 10i64.pow(scale);
    let sign = if units < 0 { "-" } else { "" };
    let abs = units.unsigned_abs();
    let div = div as u64;
    format!(
        "{sign}{}.{:0width$}",
        abs / div,
        abs % div,
        width = scale as usize
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::{DAY, WORLD_START};

    #[test]
    fn fixed_decimals() {
        assert_eq!(fixed(123_000, 8), "0.00123000");
        assert_eq!(fixed(12_345, 2), "123.45");
        assert_eq!(fixed(5, 2), "0.05");
        assert_eq!(fixed(-5, 2), "-0.05");
    }

    #[test]
    fn coin_amount_re_derives_cents() {
        let prices = PriceBook::embedded().unwrap();
        for (i, cents) in [1, 99, 4_250, 123_456, 9_999_999, 250_000_000]
            .into_iter()
            .enumerate()
        {
            for coin in [Coin::Btc, Coin::Xmr] {
                let unix = WORLD_START + (i as i64 * 97 + 13) * DAY;
                let amount = CoinAmount::of_usd(Cents(cents), coin, unix, &prices);
                let back = amount.0 as f64 / 1e8 * prices.usd_per_coin(coin, unix);
                assert_eq!((back * 100.0).round() as i64, cents, "{coin:?} {cents}");
            }
        }
    }
}
