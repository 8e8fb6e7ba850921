//! Off-market contact handles, written the ways vendors write them.

use rand::Rng;
use rand::seq::SliceRandom;

const EMAIL_DOMAINS: &[&str] = &[
    "protonmail.com",
    "tutanota.com",
    "cock.li",
    "dnmx.org",
    "secmail.pro",
    "onionmail.org",
    "airmail.cc",
];

/// A contact handle planted in a profile or a message.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Handle {
    Wickr(String),
    Telegram(String),
    /// The 66-hex-digit Session id (`05` + 32-byte key).
    Session(String),
    Email {
        local: String,
        domain: String,
    },
}

impl Handle {
    /// Builds a handle from a name stem (lowercase ASCII letters, digits, `_`).
    pub fn generate<R: Rng>(rng: &mut R, stem: &str) -> Handle {
        let stem: String = stem
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect::<String>()
            .to_ascii_lowercase();
        let stem = if stem.len() < 3 {
            format!("{stem}plug")
        } else {
            stem
        };
        let digits = rng.gen_range(1..999);
        match rng.gen_range(0..100) {
            0..=34 => Handle::Wickr(format!("{stem}{digits}")),
            35..=64 => Handle::Telegram(format!("{stem}_{digits}")),
            65..=79 => {
                let key: [u8; 32] = rng.r#gen();
                Handle::Session(format!("05{}", hex::encode(key)))
            }
            _ => Handle::Email {
                local: format!("{stem}{digits}"),
                domain: EMAIL_DOMAINS
                    .choose(rng)
                    .copied()
                    .unwrap_or("protonmail.com")
                    .to_string(),
            },
        }
    }

    /// As it appears in text: `wickr: name`, `telegram: @name`, `session: 05...`, `name@domain`.
    pub fn written(&self) -> String {
        match self {
            Handle::Wickr(n) => format!("wickr: {n}"),
            Handle::Telegram(n) => format!("telegram: @{n}"),
            Handle::Session(id) => format!("session: {id}"),
            Handle::Email { local, domain } => format!("{local}@{domain}"),
        }
    }

    /// The value recorded in `truth/identifiers.csv`: `wickr:name`, `telegram:name`, `session:05...`,
    /// `email:local@domain`.
    pub fn normalized(&self) -> String {
        match self {
            Handle::Wickr(n) => format!("wickr:{n}"),
            Handle::Telegram(n) => format!("telegram:{n}"),
            Handle::Session(id) => format!("session:{id}"),
            Handle::Email { local, domain } => format!("email:{local}@{domain}"),
        }
    }
}
