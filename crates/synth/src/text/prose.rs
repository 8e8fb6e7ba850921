//! A vendor's writing style and the texts written in it: profiles, listings, messages.
//!
//! A persona keeps one style on every market (the soft signal analysts link on): the same greeting,
//! catch-phrase, bullets, casing and quirks, and mostly the same sentences, since vendors paste their
//! profile from market to market.

use rand::Rng;
use rand::seq::SliceRandom;

use super::catalog::{KindInfo, PriceEnding, QuantityForm};
use super::lexicon::*;

fn pick<R: Rng>(rng: &mut R, bank: &[&'static str]) -> &'static str {
    bank.choose(rng).copied().unwrap_or("")
}

/// A vendor persona's writing habits.
#[derive(Debug, Clone)]
pub struct Style {
    pub lowercase: bool,
    pub shorthand: bool,
    /// 0: plain, 1: "!", 2: "!!!"
    pub exclaim: u8,
    pub emoji: Option<&'static [&'static str]>,
    pub bullet: &'static str,
    pub rule: Option<&'static str>,
    /// Writes Windows line ends.
    pub crlf: bool,
    /// Lays price tiers out with tabs.
    pub tabbed_tiers: bool,
    /// Signs off with the shrug emoticon (a backslash in the text).
    pub shrugs: bool,
    pub greeting: &'static str,
    pub history: String,
    pub catchphrase: &'static str,
    pub signoff: &'static str,
    pub stealth: &'static str,
    pub policies: Vec<&'static str>,
    pub pgp_note: &'static str,
    pub handle_line: &'static str,
    pub title_form: u8,
    pub quantity_form: QuantityForm,
    pub price_ending: PriceEnding,
    pub cutoff_hour: u32,
}

impl Style {
    pub fn random<R: Rng>(rng: &mut R) -> Style {
        let first_year = rng.gen_range(2014..2019);
        let history = pick(rng, HISTORY)
            .replace("{year}", &first_year.to_string())
            .replace("{old}", pick(rng, OLD_MARKETS))
            .replace("{old2}", pick(rng, OLD_MARKETS))
            .replace("{sales}", &(rng.gen_range(2..60) * 100).to_string());
        let mut policies: Vec<&'static str> = POLICIES.to_vec();
        policies.shuffle(rng);
        policies.truncate(rng.gen_range(2..5));
        Style {
            lowercase: rng.gen_bool(0.2),
            shorthand: rng.gen_bool(0.25),
            exclaim: rng.gen_range(0..3),
            emoji: if rng.gen_bool(0.35) {
                EMOJI_SETS.choose(rng).copied()
            } else {
                None
            },
            bullet: pick(rng, BULLETS),
            rule: if rng.gen_bool(0.5) {
                Some(pick(rng, RULES))
            } else {
                None
            },
            crlf: rng.gen_bool(0.15),
            tabbed_tiers: rng.gen_bool(0.3),
            shrugs: rng.gen_bool(0.1),
            greeting: pick(rng, GREETINGS),
            history,
            catchphrase: pick(rng, CATCHPHRASES),
            signoff: pick(rng, SIGNOFFS),
            stealth: pick(rng, STEALTH),
            policies,
            pgp_note: pick(rng, PGP_NOTES),
            handle_line: pick(rng, HANDLE_LINES),
            title_form: rng.gen_range(0..6),
            quantity_form: match rng.gen_range(0..3) {
                0 => QuantityForm::Compact,
                1 => QuantityForm::Spaced,
                _ => QuantityForm::Slang,
            },
            price_ending: match rng.gen_range(0..3) {
                0 => PriceEnding::Whole,
                1 => PriceEnding::NinetyNine,
                _ => PriceEnding::Exact,
            },
            cutoff_hour: rng.gen_range(10..18),
        }
    }

    fn newline(&self) -> &'static str {
        if self.crlf { "\r\n" } else { "\n" }
    }

    /// Applies the persona's quirks to a sentence of plain prose (never to identifiers).
    pub fn voice<R: Rng>(&self, rng: &mut R, sentence: &str) -> String {
        let mut s = sentence.to_string();
        if self.shorthand {
            for (long, short) in [
                (" you ", " u "),
                ("You ", "U "),
                (" your ", " ur "),
                ("please", "pls"),
                ("Please", "Pls"),
                (" and ", " & "),
                (" with ", " w/ "),
                (" for ", " 4 "),
            ] {
                s = s.replace(long, short);
            }
        }
        if self.lowercase {
            s = s.to_lowercase();
        }
        if self.exclaim > 0 && s.ends_with('.') {
            s.pop();
            s.push_str(if self.exclaim == 1 { "!" } else { "!!!" });
        }
        if let Some(set) = self.emoji
            && rng.gen_bool(0.3)
        {
            s.push(' ');
            s.push_str(pick(rng, set));
        }
        s
    }

    /// A vendor profile ("about" text) for one account. `handle` and `escrow` are planted verbatim.
    pub fn profile<R: Rng>(&self, rng: &mut R, ctx: &ProfileContext<'_>) -> String {
        let fill = |s: &str| {
            s.replace("{name}", ctx.name)
                .replace("{country}", ctx.country)
                .replace("{market}", ctx.market)
        };
        let mut lines: Vec<String> = Vec::new();
        lines.push(self.voice(rng, &fill(self.greeting)));
        if let Some(rule) = self.rule {
            lines.push(rule.to_string());
        }
        lines.push(self.voice(rng, &self.history));
        let products: Vec<&str> = ctx.products.iter().map(|k| k.names[0]).collect();
        if rng.gen_bool(0.5) {
            lines.push(self.voice(rng, "We sell:"));
            for p in &products {
                lines.push(format!("{}{p}", self.bullet));
            }
        } else {
            lines.push(self.voice(rng, &format!("Specialised in {}.", join_and(&products))));
        }
        lines.push(self.voice(
            rng,
            &format!(
                "Ships from {} Mon-Fri, orders before {}:00 ship the same day.",
                ctx.country, self.cutoff_hour
            ),
        ));
        lines.push(self.voice(rng, self.stealth));
        if let Some(rule) = self.rule {
            lines.push(rule.to_string());
        }
        for policy in &self.policies {
            // Vendors trim their rules a little from market to market.
            if rng.gen_bool(0.85) {
                lines.push(format!("{}{}", self.bullet, self.voice(rng, policy)));
            }
        }
        lines.push(self.voice(rng, self.pgp_note));
        if let Some(handle) = ctx.handle {
            let (before, after) = self.handle_line.split_once("{handle}").unwrap_or(("", ""));
            lines.push(format!("{before}{handle}{after}"));
        }
        if let Some(escrow) = ctx.escrow {
            lines.push(format!("pay only through escrow: {escrow}"));
        }
        lines.push(self.voice(rng, self.catchphrase));
        let mut signoff = fill(self.signoff);
        if self.shrugs {
            signoff.push_str(" ¯\\_(ツ)_/¯");
        }
        lines.push(signoff);
        lines.join(self.newline())
    }

    /// Casing only: for text around a planted identifier, which must stay verbatim.
    fn plain(&self, s: &str) -> String {
        if self.lowercase {
            s.to_lowercase()
        } else {
            s.to_string()
        }
    }

    /// A listing title.
    pub fn title<R: Rng>(
        &self,
        rng: &mut R,
        info: &KindInfo,
        name: &str,
        quantity: &str,
        ships_code: &str,
    ) -> String {
        let claim = pick(rng, info.claims);
        let title = match self.title_form {
            0 => format!("{quantity} {name} {claim}"),
            1 => format!(
                "{} - {quantity} - {claim} - {ships_code}",
                name.to_uppercase()
            ),
            2 => format!("[{ships_code}] {name} {quantity} | {claim}"),
            3 => format!("★ {quantity} {name} ★ {claim}"),
            4 => format!("{name} ({quantity}) {claim} *FREE SHIPPING*"),
            _ => format!("{quantity} {name} {claim}").to_lowercase(),
        };
        if self.lowercase {
            title.to_lowercase()
        } else {
            title
        }
    }

    /// A listing description.
    pub fn description<R: Rng>(&self, rng: &mut R, words: &ListingWords<'_>) -> String {
        let ListingWords {
            info,
            name,
            quantity,
            country,
            ships_to,
            tiers,
        } = *words;
        let mut lines: Vec<String> = Vec::new();
        let header = format!("{name} - {quantity}");
        lines.push(if self.lowercase {
            header.to_lowercase()
        } else {
            header.to_uppercase()
        });
        if let Some(rule) = self.rule {
            lines.push(rule.to_string());
        }
        let mut claims: Vec<&str> = info.claims.to_vec();
        claims.shuffle(rng);
        for claim in claims.iter().take(rng.gen_range(2..4)) {
            lines.push(format!("{}{}", self.bullet, self.voice(rng, claim)));
        }
        if self.tabbed_tiers && !tiers.is_empty() {
            lines.push("Qty\tPrice".to_string());
            for (q, p) in tiers {
                lines.push(format!("{q}\t${p}"));
            }
        }
        lines.push(self.voice(rng, &format!("Ships from {country} to {ships_to}.")));
        if rng.gen_bool(0.5) {
            lines.push(self.voice(rng, self.stealth));
        }
        if let Some(policy) = self.policies.first() {
            lines.push(self.voice(rng, policy));
        }
        if rng.gen_bool(0.4) {
            lines.push(self.voice(
                rng,
                "Don't message asking for \"samples\" or \"discounts\".",
            ));
        }
        lines.push(self.voice(rng, self.catchphrase));
        lines.join(self.newline())
    }

    /// A vendor's reply in a conversation.
    pub fn reply<R: Rng>(&self, rng: &mut R) -> String {
        let reply = pick(rng, VENDOR_REPLIES);
        self.voice(rng, reply)
    }

    /// A reply that moves the buyer off-market; the handle is planted verbatim.
    pub fn reply_with_handle<R: Rng>(&self, rng: &mut R, handle: &str) -> String {
        let template = pick(rng, VENDOR_HANDLE_REPLIES);
        let (before, after) = template.split_once("{handle}").unwrap_or(("", ""));
        format!("{}{handle}{}", self.plain(before), self.plain(after))
    }

    /// A reply asking for direct payment; the address is planted verbatim.
    pub fn reply_with_address<R: Rng>(&self, rng: &mut R, address: &str) -> String {
        let template = pick(rng, VENDOR_PAYOUT_REPLIES);
        let (before, after) = template.split_once("{address}").unwrap_or(("", ""));
        format!("{}{address}{}", self.plain(before), self.plain(after))
    }
}

/// What a listing description mentions.
#[derive(Clone, Copy)]
pub struct ListingWords<'a> {
    pub info: &'a KindInfo,
    /// The product name used in the title too.
    pub name: &'a str,
    pub quantity: &'a str,
    pub country: &'a str,
    pub ships_to: &'a str,
    /// (quantity label, price) lines some vendors tabulate.
    pub tiers: &'a [(String, String)],
}

/// What a profile mentions.
pub struct ProfileContext<'a> {
    pub name: &'a str,
    pub market: &'a str,
    pub country: &'a str,
    pub products: &'a [&'static KindInfo],
    /// Written form of the contact handle to plant, if any.
    pub handle: Option<&'a str>,
    /// The market escrow address quoted in scrape-market profiles.
    pub escrow: Option<&'a str>,
}

fn join_and(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// A buyer's opening message.
pub fn buyer_opener<R: Rng>(rng: &mut R, product: &str) -> String {
    pick(rng, BUYER_OPENERS)
        .replace("{product}", product)
        .replace("{qty}", pick(rng, &["10", "50", "100", "an oz", "a QP"]))
        .replace(
            "{place}",
            pick(rng, &["Canada", "the UK", "Germany", "Texas", "Australia"]),
        )
}

pub fn buyer_followup<R: Rng>(rng: &mut R) -> String {
    pick(rng, BUYER_FOLLOWUPS).to_string()
}

/// A feedback comment fitting a 1..5 rating.
pub fn feedback_comment<R: Rng>(rng: &mut R, stars: u8) -> String {
    let bank = match stars {
        4..=5 => FEEDBACK_POSITIVE,
        3 => FEEDBACK_NEUTRAL,
        _ => FEEDBACK_NEGATIVE,
    };
    let mut c = pick(rng, bank).to_string();
    if !c.is_empty() && rng.gen_bool(0.15) {
        c = c.to_uppercase();
    }
    c
}

/// A staff welcome message.
pub fn staff_welcome<R: Rng>(rng: &mut R, market: &str) -> String {
    pick(rng, STAFF_WELCOME).replace("{market}", market)
}

pub fn subject<R: Rng>(rng: &mut R, product: &str) -> String {
    pick(rng, SUBJECTS).replace("{product}", product)
}
