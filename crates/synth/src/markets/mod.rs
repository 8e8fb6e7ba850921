//! One writer per market family.

pub mod laravel;
pub mod pgmarket;
pub mod scrape;

use crate::orders::OrderSource;
use crate::prices::Coin;

/// Row totals known only after deriving every order, needed up front (mysqldump's AUTO_INCREMENT).
/// Only valid for markets whose feedback is never hidden (not scrapes).
pub struct Census {
    pub feedback: u64,
    pub messages: u64,
}

impl Census {
    pub fn take(source: &OrderSource<'_>) -> Census {
        let mut census = Census {
            feedback: 0,
            messages: 0,
        };
        for i in 0..source.count() {
            let order = source.order(i);
            census.feedback += u64::from(source.has_feedback(&order));
            census.messages += source.thread_len(&order) as u64;
        }
        census
    }
}

pub fn coin_lower(coin: Coin) -> &'static str {
    match coin {
        Coin::Btc => "btc",
        Coin::Xmr => "xmr",
    }
}

pub fn coin_upper(coin: Coin) -> &'static str {
    match coin {
        Coin::Btc => "BTC",
        Coin::Xmr => "XMR",
    }
}
