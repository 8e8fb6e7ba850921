//! What a single cell looks like: the content classes a draft counts per column.
//!
//! Classes are shape tests only (no checksums: those belong to enrichment). They overlap on purpose: `42` is an
//! integer and a 1–5 rating, `1588338131` an integer and a Unix time; the column statistics keep the share of
//! each and the inference weighs them.

use serde::Serialize;

use crate::mapper::parse_time;

/// The shape of one value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ContentClass {
    /// `-?[0-9]+`
    Integer,
    /// A number with a fraction: `12.50`, `0.00123000`.
    Decimal,
    /// An integer that reads as Unix seconds between 2009 and 2035.
    UnixSeconds,
    /// An integer that reads as Unix milliseconds between 2009 and 2035.
    UnixMillis,
    /// An SQL or ISO 8601 date or date-time.
    Date,
    Uuid,
    /// An ASCII-armored PGP public key block.
    PgpPublicKey,
    /// An ASCII-armored PGP message (encrypted shipping addresses, messages).
    PgpMessage,
    /// 40 hex digits (a v4 key fingerprint), spaces allowed between groups.
    Fingerprint,
    /// 16 hex digits, optionally `0x`-prefixed (a long key id).
    KeyId,
    /// Base58 `1…`/`3…` or bech32 `bc1…` shape.
    BtcAddress,
    /// 95 (or 106) base58 characters starting with 4 or 8.
    XmrAddress,
    /// `0x` and 40 hex digits.
    EthAddress,
    Email,
    /// `@name`, `wickr: name`, `telegram: @name`, a Session id.
    Handle,
    /// A number from 0 to 5.
    Rating5,
    /// A number from 0 to 10.
    Rating10,
    /// 0/1, true/false, t/f, yes/no.
    Bool,
    /// BTC, XMR, USD, EUR …
    CurrencyCode,
    /// A country name or code, or a list of them.
    Country,
    /// A masked name such as `b***r` (crawlers see buyers masked).
    Masked,
    Url,
    /// One token without spaces, with a letter: a name, a login, an enumeration value.
    Word,
    /// Text with spaces, at most 80 characters, one line.
    ShortText,
    /// Text longer than 80 characters or of several lines.
    LongText,
}

impl ContentClass {
    pub const ALL: [ContentClass; 25] = [
        ContentClass::Integer,
        ContentClass::Decimal,
        ContentClass::UnixSeconds,
        ContentClass::UnixMillis,
        ContentClass::Date,
        ContentClass::Uuid,
        ContentClass::PgpPublicKey,
        ContentClass::PgpMessage,
        ContentClass::Fingerprint,
        ContentClass::KeyId,
        ContentClass::BtcAddress,
        ContentClass::XmrAddress,
        ContentClass::EthAddress,
        ContentClass::Email,
        ContentClass::Handle,
        ContentClass::Rating5,
        ContentClass::Rating10,
        ContentClass::Bool,
        ContentClass::CurrencyCode,
        ContentClass::Country,
        ContentClass::Masked,
        ContentClass::Url,
        ContentClass::Word,
        ContentClass::ShortText,
        ContentClass::LongText,
    ];

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ContentClass::Integer => "integers",
            ContentClass::Decimal => "decimals",
            ContentClass::UnixSeconds => "Unix times (s)",
            ContentClass::UnixMillis => "Unix times (ms)",
            ContentClass::Date => "dates",
            ContentClass::Uuid => "UUIDs",
            ContentClass::PgpPublicKey => "PGP public key blocks",
            ContentClass::PgpMessage => "PGP messages",
            ContentClass::Fingerprint => "PGP fingerprints",
            ContentClass::KeyId => "PGP key ids",
            ContentClass::BtcAddress => "Bitcoin addresses",
            ContentClass::XmrAddress => "Monero addresses",
            ContentClass::EthAddress => "Ethereum addresses",
            ContentClass::Email => "e-mail addresses",
            ContentClass::Handle => "contact handles",
            ContentClass::Rating5 => "numbers 0-5",
            ContentClass::Rating10 => "numbers 0-10",
            ContentClass::Bool => "booleans",
            ContentClass::CurrencyCode => "currency codes",
            ContentClass::Country => "countries",
            ContentClass::Masked => "masked names",
            ContentClass::Url => "URLs",
            ContentClass::Word => "single words",
            ContentClass::ShortText => "short text",
            ContentClass::LongText => "long text",
        }
    }
}

/// A set of classes, one bit each.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Classes(u32);

impl Classes {
    fn add(&mut self, c: ContentClass) {
        self.0 |= 1 << c.index();
    }
    pub fn has(self, c: ContentClass) -> bool {
        self.0 & (1 << c.index()) != 0
    }
    pub fn iter(self) -> impl Iterator<Item = ContentClass> {
        ContentClass::ALL.into_iter().filter(move |c| self.has(*c))
    }
}

/// 2009-01-01 and 2035-01-01 UTC: the plausible life of a darknet market's timestamps.
const UNIX_FROM: i64 = 1_230_768_000;
const UNIX_TO: i64 = 2_051_222_400;

const BASE58: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
const BECH32: &[u8] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";

/// The classes of one non-empty, trimmed value.
pub fn classify(s: &str) -> Classes {
    let mut c = Classes::default();
    let s = s.trim();
    if s.is_empty() {
        return c;
    }
    if s.len() >= 27 && memchr::memmem::find(s.as_bytes(), b"-----BEGIN PGP ").is_some() {
        if s.contains("-----BEGIN PGP PUBLIC KEY BLOCK-----") {
            c.add(ContentClass::PgpPublicKey);
        }
        if s.contains("-----BEGIN PGP MESSAGE-----") {
            c.add(ContentClass::PgpMessage);
        }
    }
    let len = s.chars().count();
    let has_space = s.chars().any(char::is_whitespace);
    if len > 80 || s.contains('\n') {
        c.add(ContentClass::LongText);
    } else if has_space {
        c.add(ContentClass::ShortText);
    }
    let bytes = s.as_bytes();
    // Dates start with a four-digit year; only those are worth the parser's time.
    let date_like =
        bytes.len() >= 10 && bytes[..4].iter().all(u8::is_ascii_digit) && bytes[4] == b'-';
    if has_space {
        if len <= 50 && is_fingerprint(s) {
            c.add(ContentClass::Fingerprint);
        }
        if len <= 80 && is_country_list(s) {
            c.add(ContentClass::Country);
        }
        if len <= 80 && is_handle(s) {
            c.add(ContentClass::Handle);
        }
        if date_like && len <= 40 && is_date(s) {
            c.add(ContentClass::Date);
        }
        return c;
    }
    let digits = bytes
        .strip_prefix(b"-")
        .unwrap_or(bytes)
        .iter()
        .all(u8::is_ascii_digit);
    if digits && bytes.iter().any(u8::is_ascii_digit) {
        c.add(ContentClass::Integer);
        if let Ok(n) = s.parse::<i64>() {
            if bytes.len() == 10 && (UNIX_FROM..UNIX_TO).contains(&n) {
                c.add(ContentClass::UnixSeconds);
            }
            if bytes.len() == 13 && (UNIX_FROM * 1000..UNIX_TO * 1000).contains(&n) {
                c.add(ContentClass::UnixMillis);
            }
            rating_classes(&mut c, n as f64);
            if n == 0 || n == 1 {
                c.add(ContentClass::Bool);
            }
        }
        return c;
    }
    if is_decimal(s) {
        c.add(ContentClass::Decimal);
        if let Ok(x) = s.parse::<f64>() {
            rating_classes(&mut c, x);
        }
        return c;
    }
    let is = |word: &str| s.eq_ignore_ascii_case(word);
    if ["true", "false", "t", "f", "yes", "no"].into_iter().any(is) {
        c.add(ContentClass::Bool);
    }
    if is_uuid(bytes) {
        c.add(ContentClass::Uuid);
    }
    if date_like && is_date(s) {
        c.add(ContentClass::Date);
    }
    if is_fingerprint(s) {
        c.add(ContentClass::Fingerprint);
    }
    let hex_prefixed = bytes.len() > 2 && bytes[0] == b'0' && (bytes[1] | 0x20) == b'x';
    let hex16 = if hex_prefixed { &bytes[2..] } else { bytes };
    if hex16.len() == 16 && hex16.iter().all(u8::is_ascii_hexdigit) {
        c.add(ContentClass::KeyId);
    }
    if is_btc(bytes) {
        c.add(ContentClass::BtcAddress);
    }
    if (bytes.len() == 95 || bytes.len() == 106)
        && matches!(bytes[0], b'4' | b'8')
        && bytes.iter().all(|b| BASE58.contains(b))
    {
        c.add(ContentClass::XmrAddress);
    }
    if bytes.len() == 42 && hex_prefixed && bytes[2..].iter().all(u8::is_ascii_hexdigit) {
        c.add(ContentClass::EthAddress);
    }
    if is_email(s) {
        c.add(ContentClass::Email);
    }
    if is_handle(s) {
        c.add(ContentClass::Handle);
    }
    if bytes.len() <= 4 && CURRENCIES.iter().any(|k| s.eq_ignore_ascii_case(k)) {
        c.add(ContentClass::CurrencyCode);
    }
    if is_country_list(s) {
        c.add(ContentClass::Country);
    }
    if s.contains("**") {
        c.add(ContentClass::Masked);
    }
    let starts =
        |p: &str| bytes.len() >= p.len() && bytes[..p.len()].eq_ignore_ascii_case(p.as_bytes());
    if starts("http://") || starts("https://") || s.contains(".onion") {
        c.add(ContentClass::Url);
    }
    if len <= 40 && s.chars().any(char::is_alphabetic) {
        c.add(ContentClass::Word);
    }
    c
}

/// A date or date-time as the mapper's `parse_time` reads it. The common SQL and ISO shapes are checked
/// by hand (this runs on every value that starts with a year); anything else goes to the parser.
fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let d = b.get(r)?;
        d.iter()
            .all(u8::is_ascii_digit)
            .then(|| d.iter().fold(0, |n, x| n * 10 + u32::from(x - b'0')))
    };
    let date_ok = b.get(4) == Some(&b'-')
        && b.get(7) == Some(&b'-')
        && num(0..4).is_some()
        && num(5..7).is_some_and(|m| (1..=12).contains(&m))
        && num(8..10).is_some_and(|d| (1..=31).contains(&d));
    if !date_ok {
        return false;
    }
    let time_ok = |at: usize| {
        b.get(at + 2) == Some(&b':')
            && b.get(at + 5) == Some(&b':')
            && num(at..at + 2).is_some_and(|h| h < 24)
            && num(at + 3..at + 5).is_some_and(|m| m < 60)
            && num(at + 6..at + 8).is_some_and(|x| x < 61)
    };
    match b.len() {
        10 => true,
        19 if matches!(b[10], b' ' | b'T') => time_ok(11),
        _ => parse_time(s).is_ok_and(|t| t.is_some()),
    }
}

fn rating_classes(c: &mut Classes, x: f64) {
    if (0.0..=5.0).contains(&x) {
        c.add(ContentClass::Rating5);
    }
    if (0.0..=10.0).contains(&x) {
        c.add(ContentClass::Rating10);
    }
}

fn is_decimal(s: &str) -> bool {
    let body = s.strip_prefix('-').unwrap_or(s);
    let Some((whole, frac)) = body.split_once('.') else {
        return false;
    };
    !whole.is_empty()
        && !frac.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
}

fn is_uuid(b: &[u8]) -> bool {
    b.len() == 36
        && b.iter().enumerate().all(|(i, &x)| match i {
            8 | 13 | 18 | 23 => x == b'-',
            _ => x.is_ascii_hexdigit(),
        })
}

fn is_fingerprint(s: &str) -> bool {
    let hex: Vec<u8> = s.bytes().filter(|b| *b != b' ').collect();
    hex.len() == 40 && hex.iter().all(u8::is_ascii_hexdigit) && s.len() <= 50
}

fn is_btc(b: &[u8]) -> bool {
    if (26..=35).contains(&b.len())
        && matches!(b[0], b'1' | b'3')
        && b.iter().all(|x| BASE58.contains(x))
    {
        return true;
    }
    let lower = b.to_ascii_lowercase();
    let upper_or_lower = b == lower.as_slice() || b == b.to_ascii_uppercase().as_slice();
    upper_or_lower
        && (42..=62).contains(&b.len())
        && lower.starts_with(b"bc1")
        && lower[3..].iter().all(|x| BECH32.contains(x))
}

fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && s.len() <= 254
        && s.chars()
            .all(|c| c.is_alphanumeric() || "._%+-@".contains(c))
}

const HANDLE_PREFIXES: &[&str] = &[
    "wickr", "telegram", "tg", "session", "jabber", "xmpp", "signal", "threema", "icq", "wire",
];

fn is_handle(s: &str) -> bool {
    // Cheap refusals first: this runs on every short value.
    let Some(first) = s.as_bytes().first().map(u8::to_ascii_lowercase) else {
        return false;
    };
    if !matches!(first, b'@' | b'0' | b'w' | b't' | b's' | b'j' | b'x' | b'i') {
        return false;
    }
    let lower = s.to_ascii_lowercase();
    if let Some(rest) = lower.strip_prefix('@') {
        return (3..=32).contains(&rest.len())
            && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    }
    if lower.len() == 66 && lower.starts_with("05") && lower.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return true;
    }
    HANDLE_PREFIXES.iter().any(|p| {
        lower.strip_prefix(p).is_some_and(|rest| {
            let rest = rest.trim_start();
            rest.starts_with(':') && rest.len() > 2 && rest.len() < 80
        })
    })
}

const CURRENCIES: &[&str] = &[
    "btc", "xmr", "usd", "eur", "ltc", "eth", "gbp", "rub", "bch", "zec", "dash", "usdt", "aud",
    "cad", "chf",
];

/// Codes and names as crawled ships-from / ships-to fields write them; lower case.
const COUNTRIES: &[&str] = &[
    "us",
    "usa",
    "united states",
    "united states of america",
    "america",
    "ca",
    "canada",
    "uk",
    "gb",
    "united kingdom",
    "great britain",
    "england",
    "de",
    "germany",
    "deutschland",
    "nl",
    "netherlands",
    "holland",
    "the netherlands",
    "fr",
    "france",
    "es",
    "spain",
    "it",
    "italy",
    "be",
    "belgium",
    "pl",
    "poland",
    "cz",
    "czech republic",
    "czechia",
    "at",
    "austria",
    "ch",
    "switzerland",
    "se",
    "sweden",
    "no",
    "norway",
    "dk",
    "denmark",
    "fi",
    "finland",
    "ie",
    "ireland",
    "pt",
    "portugal",
    "gr",
    "greece",
    "au",
    "australia",
    "nz",
    "new zealand",
    "cn",
    "china",
    "hk",
    "hong kong",
    "in",
    "india",
    "ru",
    "russia",
    "russian federation",
    "ua",
    "ukraine",
    "by",
    "belarus",
    "kz",
    "kazakhstan",
    "co",
    "colombia",
    "mx",
    "mexico",
    "br",
    "brazil",
    "ar",
    "argentina",
    "pe",
    "peru",
    "za",
    "south africa",
    "th",
    "thailand",
    "jp",
    "japan",
    "kr",
    "south korea",
    "tr",
    "turkey",
    "il",
    "israel",
    "ro",
    "romania",
    "bg",
    "bulgaria",
    "hu",
    "hungary",
    "sk",
    "slovakia",
    "si",
    "slovenia",
    "hr",
    "croatia",
    "rs",
    "serbia",
    "lt",
    "lithuania",
    "lv",
    "latvia",
    "ee",
    "estonia",
    "lu",
    "luxembourg",
    "eu",
    "europe",
    "european union",
    "worldwide",
    "world wide",
    "world",
    "ww",
    "international",
    "everywhere",
    "global",
    "north america",
    "south america",
    "asia",
    "africa",
    "oceania",
    "scandinavia",
    "undeclared",
    "unknown",
    "torland",
    "rossiya",
    "россия",
    "украина",
    "беларусь",
    "казахстан",
    "españa",
    "espana",
    "méxico",
    "россия и снг",
    "снг",
    "u.s.a.",
    "u.s.",
    "ger",
    "can",
    "aus",
    "prc",
    "gbr",
    "deu",
    "nld",
    "fra",
    "esp",
    "ita",
    "chn",
    "ind",
    "rus",
    "nederland",
    "österreich",
    "osterreich",
    "schweiz",
    "suisse",
    "belgië",
    "belgique",
    "sverige",
    "norge",
    "danmark",
    "suomi",
    "polska",
    "italia",
    "türkiye",
    "domestic",
    "eu only",
    "uk only",
];

type WordSet = std::collections::HashSet<&'static str>;

fn country_set() -> &'static WordSet {
    static SET: std::sync::OnceLock<WordSet> = std::sync::OnceLock::new();
    SET.get_or_init(|| COUNTRIES.iter().copied().collect())
}

/// The words a country list can start with: a cheap refusal for the titles and comments that are not.
fn first_words() -> &'static WordSet {
    static SET: std::sync::OnceLock<WordSet> = std::sync::OnceLock::new();
    SET.get_or_init(|| {
        COUNTRIES
            .iter()
            .filter_map(|c| c.split(' ').next())
            .chain(["only", "all"])
            .collect()
    })
}

fn is_country(lower: &str) -> bool {
    let t = lower.trim().trim_matches(|c: char| c == '"' || c == '\'');
    !t.is_empty() && country_set().contains(t)
}

/// The countries a ships-from / ships-to text names, when every part of it is a country: `US`, `EU + UK`,
/// `Worldwide except Australia`, `USA, Canada`, `US only`.
fn country_tokens(s: &str) -> Option<Vec<String>> {
    if s.len() > 400 {
        return None;
    }
    let first = s
        .trim_start()
        .split(|c: char| c.is_whitespace() || ",;/|+&".contains(c))
        .next()
        .unwrap_or("");
    if first.len() > 24 || !first_words().contains(first.to_lowercase().as_str()) {
        return None;
    }
    let lower = s.trim().to_lowercase();
    if is_country(&lower) {
        let lower_case_code = lower.len() == 2 && s.trim() == lower;
        return (!lower_case_code).then(|| vec![lower]);
    }
    if !lower.contains([' ', ',', ';', '/', '|', '+', '&']) {
        return None;
    }
    let mut out = Vec::new();
    let parts = lower.split([',', ';', '/', '|', '+', '&']).flat_map(|seg| {
        seg.split(" except ")
            .flat_map(|x| x.split(" excluding "))
            .flat_map(|x| x.split(" and "))
    });
    for token in parts {
        let t = token.trim();
        let t = t.strip_suffix(" only").unwrap_or(t);
        let t = t.strip_prefix("only ").unwrap_or(t).trim();
        if t.is_empty() {
            continue;
        }
        // Two-letter codes only in capitals: lower-case `no`, `in`, `it` are words.
        let original_case_code = t.len() == 2 && !s.contains(&t.to_ascii_uppercase());
        if original_case_code || !is_country(t) {
            return None;
        }
        out.push(t.to_string());
    }
    (!out.is_empty()).then_some(out)
}

fn is_country_list(s: &str) -> bool {
    country_tokens(s).is_some()
}

/// Whether a text holds several countries (a ships-to list) rather than one.
pub fn is_country_list_of_several(s: &str) -> bool {
    country_tokens(s).is_some_and(|t| t.len() > 1)
}

#[cfg(test)]
mod tests {
    use super::ContentClass as C;
    use super::*;

    fn has(s: &str, c: ContentClass) -> bool {
        classify(s).has(c)
    }

    #[test]
    fn identifiers_are_told_apart() {
        assert!(has("1BoatSLRHtKNngkdXEeobR76b53LETtpyT", C::BtcAddress));
        assert!(has("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", C::BtcAddress));
        assert!(has(
            "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
            C::BtcAddress
        ));
        assert!(!has(
            "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdO",
            C::BtcAddress
        ));
        let xmr = format!("4{}", "A".repeat(94));
        assert!(has(&xmr, C::XmrAddress) && !has(&xmr, C::BtcAddress));
        assert!(has(
            "0x52908400098527886E0F7030069857D2E4169EE7",
            C::EthAddress
        ));
        assert!(has(
            "0123456789ABCDEF0123456789ABCDEF01234567",
            C::Fingerprint
        ));
        assert!(has(
            "0123 4567 89AB CDEF 0123  4567 89AB CDEF 0123 4567",
            C::Fingerprint
        ));
        assert!(has("0x0123456789ABCDEF", C::KeyId));
        assert!(has("bob@example.com", C::Email) && !has("b@b", C::Email));
        assert!(has("@dark_chem", C::Handle) && has("wickr: darkchem", C::Handle));
        assert!(has("123e4567-e89b-12d3-a456-426614174000", C::Uuid));
        assert!(has(
            "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQENBF...\n-----END PGP PUBLIC KEY BLOCK-----",
            C::PgpPublicKey
        ));
        assert!(has(
            "-----BEGIN PGP MESSAGE-----\n\nhQEMA...",
            C::PgpMessage
        ));
        assert!(has("b***r", C::Masked));
    }

    #[test]
    fn numbers_times_and_words() {
        let n = classify("1588338131");
        assert!(n.has(C::Integer) && n.has(C::UnixSeconds) && !n.has(C::UnixMillis));
        assert!(has("1588338131000", C::UnixMillis));
        assert!(!has("1000000000", C::UnixSeconds), "2001 is before bitcoin");
        assert!(has("0.00123000", C::Decimal) && !has("0.00123000", C::Integer));
        assert!(has("4", C::Rating5) && has("8", C::Rating10) && !has("8", C::Rating5));
        assert!(has("2020-05-01 13:02:11", C::Date) && has("2020-05-01T13:02:11Z", C::Date));
        assert!(has("2020-05-01 13:02:11+00", C::Date));
        assert!(!has("2020-99-01", C::Date) && !has("2020-01-01 25:00:00", C::Date));
        assert!(has("2020-05-01 13:02:11.123", C::Date) && has("2020-05-01T13:02:11", C::Date));
        // The quick date shapes accept what the mapper's parser accepts.
        for d in [
            "2020-05-01",
            "2020-05-01 13:02:11",
            "2020-05-01T13:02:11",
            "2019-12-31 23:59:59",
        ] {
            assert!(is_date(d), "{d}");
            assert!(parse_time(d).is_ok_and(|t| t.is_some()), "{d}");
        }
        assert!(has("xmr", C::CurrencyCode) && has("BTC", C::CurrencyCode));
        assert!(has("US", C::Country) && has("Germany, NL, UK", C::Country));
        assert!(!has("us", C::Country) && !has("green tea", C::Country));
        assert!(is_country_list_of_several("US, CA") && !is_country_list_of_several("US"));
        assert!(has("Worldwide except Australia", C::Country) && has("EU + UK", C::Country));
        assert!(has("US only", C::Country) && has("United States of America", C::Country));
        assert!(has("The Netherlands", C::Country) && !has("no way", C::Country));
        assert!(has("Nederland", C::Country) && has("Domestic only", C::Country));
        assert!(has("delivered", C::Word) && !has("delivered", C::ShortText));
        assert!(has("3.5g Zkittlez", C::ShortText));
        assert!(has(&"word ".repeat(30), C::LongText));
    }
}
