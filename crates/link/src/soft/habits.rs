//! Formatting and punctuation habits of a writer: how a seller lays out and punctuates, whatever the words.
//!
//! The writing sketch ([`super::features`]) keeps only pieces few sellers wrote, so a habit many sellers
//! share ("!!!", a dashed bullet, Windows line ends) drops out of it, although the particular combination
//! of habits is one writer's. Each habit here is read into a small code (0 when the writer does not show
//! it), and two writers are compared on the habits either of them shows.

/// The habits read, in the order of [`Habits::codes`].
pub const HABIT_NAMES: [&str; HABIT_COUNT] = [
    "lowercase_sentence_starts",
    "exclamation",
    "emoji",
    "windows_line_ends",
    "tabs",
    "bullet",
    "rule_line",
    "ellipsis",
    "all_caps_words",
    "shorthand",
    "emoticons",
    "unit_spacing",
];
pub const HABIT_COUNT: usize = 12;

/// Texts shorter than this together show too little of a writer's habits to compare.
pub const MIN_HABIT_TEXT: usize = 200;

/// One writer's habit codes: 0 = not shown; other values name how (e.g. which bullet character).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Habits {
    pub codes: [u8; HABIT_COUNT],
}

/// Line-start markers of bulleted lists, longest first so that "->" is not read as "-".
const BULLETS: [&str; 12] = ["->", "=>", "-", "*", "•", "~", ">", "✔", "✓", "+", "★", "→"];

const SHORTHAND: [&str; 8] = ["u", "ur", "pls", "plz", "thx", "b4", "w/", "msg"];

const EMOTICONS: [&str; 8] = [":)", ";)", ":D", ":P", ":-)", "xD", "¯\\_", "^^"];

const UNITS: [&str; 6] = ["mg", "ug", "µg", "ml", "kg", "g"];

#[derive(Default)]
struct Tally {
    chars: usize,
    starts_lower: u32,
    starts_upper: u32,
    bangs_single: u32,
    bangs_run: u32,
    emoji: u32,
    crlf: u32,
    tabs: u32,
    bullets: [u32; BULLETS.len()],
    rules: Vec<(char, u32)>,
    ellipses: u32,
    words: u32,
    caps_words: u32,
    shorthand: u32,
    emoticons: u32,
    unit_attached: u32,
    unit_spaced: u32,
}

impl Habits {
    /// Reads the habits of everything one writer wrote; `None` when the texts are too short to tell.
    pub fn read(texts: &[&str]) -> Option<Habits> {
        let mut t = Tally::default();
        for text in texts {
            t.chars += text.len();
            tally_text(text, &mut t);
        }
        if t.chars < MIN_HABIT_TEXT {
            return None;
        }
        let mut codes = [0u8; HABIT_COUNT];
        let starts = t.starts_lower + t.starts_upper;
        if starts >= 5 {
            let lower = f64::from(t.starts_lower) / f64::from(starts);
            codes[0] = if lower >= 0.8 {
                2
            } else {
                u8::from(lower >= 0.3)
            };
        }
        let bangs = t.bangs_single + t.bangs_run;
        if bangs > 0 {
            codes[1] = if t.bangs_run * 3 >= bangs { 2 } else { 1 };
        }
        codes[2] = u8::from(t.emoji > 0);
        codes[3] = u8::from(t.crlf > 0);
        codes[4] = u8::from(t.tabs > 0);
        // The writer's usual bullet, when lists are a habit (two bulleted lines at least).
        if let Some((i, &n)) = t
            .bullets
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(&a.0)))
            && n >= 2
        {
            codes[5] = i as u8 + 1;
        }
        if let Some((c, _)) = t
            .rules
            .iter()
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
        {
            // Any character: a code from 1 to 251 that differs for every rule character used in practice.
            codes[6] = (*c as u32 % 251) as u8 + 1;
        }
        codes[7] = u8::from(t.ellipses > 0);
        if t.words >= 20 {
            let share = f64::from(t.caps_words) / f64::from(t.words);
            codes[8] = if share >= 0.10 {
                2
            } else {
                u8::from(share >= 0.02)
            };
        }
        codes[9] = u8::from(t.shorthand >= 2);
        codes[10] = u8::from(t.emoticons > 0);
        if t.unit_attached + t.unit_spaced >= 2 {
            codes[11] = if t.unit_attached >= t.unit_spaced {
                1
            } else {
                2
            };
        }
        Some(Habits { codes })
    }

    /// Of the habits either writer shows, the share both show the same way, and how many that is.
    pub fn agreement(&self, other: &Habits) -> (f64, u32) {
        let mut either = 0u32;
        let mut agree = 0u32;
        for (a, b) in self.codes.iter().zip(&other.codes) {
            if *a != 0 || *b != 0 {
                either += 1;
                agree += u32::from(a == b);
            }
        }
        if either == 0 {
            (1.0, 0)
        } else {
            (f64::from(agree) / f64::from(either), either)
        }
    }
}

/// One pass over the bytes of a text (a seller writes tens of kilobytes; this runs for every seller of a
/// case): lines are looked at for a divider or a bullet where they start, words where they end.
fn tally_text(text: &str, t: &mut Tally) {
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut line_start = true;
    let mut sentence_start = true;
    let mut word_start: Option<usize> = None;
    let mut previous_word_numeric = false;
    let mut bangs = 0u32;
    while i < bytes.len() {
        if line_start {
            line_start = false;
            let end = memchr_newline(bytes, i);
            let line = text.get(i..end).unwrap_or("");
            let trimmed = line.trim_start();
            let skipped = line.len() - trimmed.len();
            if let Some(c) = rule_character(trimmed.trim_end()) {
                match t.rules.iter_mut().find(|(r, _)| *r == c) {
                    Some((_, n)) => *n += 1,
                    None => t.rules.push((c, 1)),
                }
                i = end;
                continue;
            }
            if let Some(k) = BULLETS.iter().position(|b| {
                trimmed.starts_with(b) && trimmed.as_bytes().get(b.len()) == Some(&b' ')
            }) {
                t.bullets[k] += 1;
                i += skipped + BULLETS[k].len();
            }
            sentence_start = true;
            continue;
        }
        let b = bytes[i];
        if b != b'!' && bangs > 0 {
            if bangs >= 2 {
                t.bangs_run += 1;
            } else {
                t.bangs_single += 1;
            }
            bangs = 0;
        }
        if b.is_ascii_whitespace() {
            if let Some(ws) = word_start.take() {
                previous_word_numeric = tally_word(&bytes[ws..i], previous_word_numeric, t);
            }
            match b {
                b'\n' => {
                    line_start = true;
                    previous_word_numeric = false;
                }
                b'\r' if bytes.get(i + 1) == Some(&b'\n') => t.crlf += 1,
                b'\t' => t.tabs += 1,
                _ => {}
            }
            // ". " starts a sentence; "... " or "1. " may not, but they are rare beside real stops.
            if b == b' ' && i >= 1 && matches!(bytes[i - 1], b'.' | b'!' | b'?') {
                sentence_start = !(i >= 2 && bytes[i - 2] == b'.');
            }
            i += 1;
            continue;
        }
        if word_start.is_none() {
            word_start = Some(i);
        }
        match b {
            b'!' => bangs += 1,
            b'.' if bytes[i..].starts_with(b"...") && (i == 0 || bytes[i - 1] != b'.') => {
                t.ellipses += 1
            }
            b':' | b';' | b'x' | b'^' | 0xC2
                if EMOTICONS
                    .iter()
                    .any(|e| bytes[i..].starts_with(e.as_bytes())) =>
            {
                t.emoticons += 1
            }
            _ => {}
        }
        if b.is_ascii_alphabetic() {
            if sentence_start {
                if b.is_ascii_lowercase() {
                    t.starts_lower += 1;
                } else {
                    t.starts_upper += 1;
                }
                sentence_start = false;
            }
            i += 1;
            continue;
        }
        if b >= 0x80 {
            // A multi-byte character: decoded only here, where it is rare.
            let c = text.get(i..).and_then(|rest| rest.chars().next());
            let width = c.map_or(1, char::len_utf8);
            if let Some(c) = c {
                if c == '…' {
                    t.ellipses += 1;
                }
                if is_emoji(c) {
                    t.emoji += 1;
                }
                if sentence_start && c.is_alphabetic() {
                    if c.is_lowercase() {
                        t.starts_lower += 1;
                    } else if c.is_uppercase() {
                        t.starts_upper += 1;
                    }
                    sentence_start = false;
                }
            }
            i += width;
            continue;
        }
        i += 1;
    }
    if let Some(ws) = word_start {
        tally_word(&bytes[ws..], previous_word_numeric, t);
    }
    if bangs >= 2 {
        t.bangs_run += 1;
    } else if bangs == 1 {
        t.bangs_single += 1;
    }
}

fn memchr_newline(bytes: &[u8], from: usize) -> usize {
    bytes[from..]
        .iter()
        .position(|b| *b == b'\n')
        .map_or(bytes.len(), |p| from + p)
}

/// Tallies one word; says whether it is a number (so that a unit after it is "spaced").
fn tally_word(word: &[u8], previous_word_numeric: bool, t: &mut Tally) -> bool {
    t.words += 1;
    let bare = trim_punctuation(word);
    let letters = bare.iter().filter(|b| b.is_ascii_alphabetic()).count();
    if letters >= 3 && !word.iter().any(|b| b.is_ascii_lowercase()) && word.is_ascii() {
        t.caps_words += 1;
    }
    if SHORTHAND
        .iter()
        .any(|s| bare.eq_ignore_ascii_case(s.as_bytes()))
    {
        t.shorthand += 1;
    }
    let is_unit = |w: &[u8]| UNITS.iter().any(|u| w.eq_ignore_ascii_case(u.as_bytes()));
    // "10g" against "10 g": a number written together with its unit, or apart from it.
    let digits = bare.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits > 0 && is_unit(&bare[digits..]) {
        t.unit_attached += 1;
    }
    if previous_word_numeric && is_unit(bare) {
        t.unit_spaced += 1;
    }
    digits > 0 && bare.iter().all(|b| b.is_ascii_digit() || *b == b'.')
}

fn trim_punctuation(word: &[u8]) -> &[u8] {
    let punctuation = |b: &u8| matches!(b, b',' | b'.' | b'!' | b'?' | b':' | b';' | b')' | b'(');
    let start = word
        .iter()
        .position(|b| !punctuation(b))
        .unwrap_or(word.len());
    let end = word
        .iter()
        .rposition(|b| !punctuation(b))
        .map_or(start, |p| p + 1);
    &word[start..end]
}

/// A line made of one repeated non-alphanumeric character, four times or more: the writer's divider.
fn rule_character(line: &str) -> Option<char> {
    let mut chars = line.chars();
    let first = chars.next()?;
    if first.is_alphanumeric() || first.is_whitespace() {
        return None;
    }
    let mut n = 1;
    for c in chars {
        if c != first {
            return None;
        }
        n += 1;
    }
    (n >= 4).then_some(first)
}

/// Pictographs and dingbats as vendors use them (fire, pill, check mark, leaf, snowflake ...).
fn is_emoji(c: char) -> bool {
    matches!(c as u32, 0x1F300..=0x1FAFF | 0x2600..=0x26FF | 0x2700..=0x27BF)
        && !matches!(c, '✔' | '✓' | '★' | '→')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(texts: &[&str], habit: &str) -> u8 {
        let i = HABIT_NAMES.iter().position(|h| *h == habit).unwrap();
        Habits::read(texts).expect("long enough").codes[i]
    }

    const PLAIN: &str = "Welcome to my shop. We ship every weekday from the Netherlands. \
        Orders placed before noon leave the same day. Reships are possible when tracking shows a loss. \
        Please encrypt your address with our key. Thank you for your trust and see you soon.";

    #[test]
    fn a_plain_writer_shows_no_habit_but_capitals() {
        let h = Habits::read(&[PLAIN]).unwrap();
        assert_eq!(h.codes, [0; HABIT_COUNT]);
    }

    #[test]
    fn too_little_text_tells_nothing() {
        assert_eq!(Habits::read(&["hi there!!!"]), None);
    }

    #[test]
    fn each_habit_is_read() {
        let lower = PLAIN.to_lowercase();
        assert_eq!(code(&[&lower], "lowercase_sentence_starts"), 2);
        let loud = PLAIN.replace('.', "!!!");
        assert_eq!(code(&[&loud], "exclamation"), 2);
        assert_eq!(code(&[&PLAIN.replace('.', "!")], "exclamation"), 1);
        assert_eq!(code(&[PLAIN, "🔥 best"], "emoji"), 1);
        assert_eq!(
            code(&[&PLAIN.replace(". ", ".\r\n")], "windows_line_ends"),
            1
        );
        assert_eq!(code(&[PLAIN, "1g\t10$\n"], "tabs"), 1);
        let dashes = format!("{PLAIN}\n- fast\n- safe\n* once");
        let stars = format!("{PLAIN}\n* fast\n* safe\n- once");
        let (d, s) = (code(&[&dashes], "bullet"), code(&[&stars], "bullet"));
        assert!(d != 0 && s != 0 && d != s, "{d} {s}");
        let arrows = format!("{PLAIN}\n-> fast\n-> safe");
        assert_ne!(code(&[&arrows], "bullet"), d, "-> is not -");
        let ruled = format!("{PLAIN}\n==========\n");
        let dashed = format!("{PLAIN}\n----------\n");
        assert_ne!(code(&[&ruled], "rule_line"), 0);
        assert_ne!(code(&[&ruled], "rule_line"), code(&[&dashed], "rule_line"));
        assert_eq!(code(&[PLAIN, "so..."], "ellipsis"), 1);
        let shouting = format!("{PLAIN} BEST QUALITY GUARANTEED FAST SHIPPING");
        assert_eq!(code(&[&shouting], "all_caps_words"), 2);
        assert_eq!(code(&[PLAIN, "thx u rock"], "shorthand"), 1);
        assert_eq!(code(&[PLAIN, "cheers :)"], "emoticons"), 1);
        assert_eq!(code(&[PLAIN, "10g for 5g price, 1mg"], "unit_spacing"), 1);
        assert_eq!(code(&[PLAIN, "10 g for 5 g price"], "unit_spacing"), 2);
    }

    #[test]
    fn agreement_counts_only_habits_either_shows() {
        let a = Habits::read(&[&PLAIN.to_lowercase(), "so... 🔥"]).unwrap();
        let b = Habits::read(&[&PLAIN.to_lowercase(), "well... 💊"]).unwrap();
        assert_eq!(a.agreement(&b), (1.0, 3));
        let c = Habits::read(&[PLAIN, "so... 🔥"]).unwrap();
        let (share, either) = a.agreement(&c);
        assert_eq!(either, 3);
        assert!((share - 2.0 / 3.0).abs() < 1e-9);
        let plain = Habits::read(&[PLAIN]).unwrap();
        assert_eq!(plain.agreement(&plain), (1.0, 0));
    }

    proptest::proptest! {
        #[test]
        fn any_text_is_read_without_panic(text in "\\PC{0,400}", more in ".{0,100}") {
            let _ = Habits::read(&[&text, &more]);
        }
    }
}
