//! String escaping exactly as the dump tools do it.

/// Appends `s` escaped as `mysql_real_escape_string` (and so mysqldump) does: `\0`, `\n`, `\r`, `\\`,
/// `\'`, `\"` and `\Z` (0x1A); every other character, tabs and non-ASCII included, is copied as is.
/// The surrounding quotes are not added.
pub fn mysql_escape_into(out: &mut String, s: &str) {
    // Every escaped character is ASCII, so runs between them can be copied as whole UTF-8 slices.
    let mut run_start = 0;
    for (i, b) in s.bytes().enumerate() {
        let escape = match b {
            0 => "\\0",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\\' => "\\\\",
            b'\'' => "\\'",
            b'"' => "\\\"",
            0x1a => "\\Z",
            _ => continue,
        };
        out.push_str(&s[run_start..i]);
        out.push_str(escape);
        run_start = i + 1;
    }
    out.push_str(&s[run_start..]);
}

/// `'...'` with [`mysql_escape_into`] applied.
pub fn mysql_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    mysql_escape_into(&mut out, s);
    out.push('\'');
    out
}

/// Appends `s` escaped for a PostgreSQL `COPY ... FROM stdin` text-format field, as `COPY TO` writes it:
/// backslash doubled; backspace, form feed, newline, carriage return, tab and vertical tab written as
/// `\b \f \n \r \t \v`; everything else copied as is.
pub fn copy_escape_into(out: &mut String, s: &str) {
    let mut run_start = 0;
    for (i, b) in s.bytes().enumerate() {
        let escape = match b {
            b'\\' => "\\\\",
            0x08 => "\\b",
            0x0c => "\\f",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x0b => "\\v",
            _ => continue,
        };
        out.push_str(&s[run_start..i]);
        out.push_str(escape);
        run_start = i + 1;
    }
    out.push_str(&s[run_start..]);
}

/// Reverses [`mysql_escape_into`] (the body of a quoted literal, without the quotes); `None` when the input
/// holds a character mysqldump would have escaped, or a dangling backslash.
pub fn mysql_unescape(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push(match chars.next()? {
                '0' => '\0',
                'n' => '\n',
                'r' => '\r',
                'Z' => '\u{1a}',
                '\\' => '\\',
                '\'' => '\'',
                '"' => '"',
                _ => return None,
            }),
            '\'' | '"' | '\n' | '\r' | '\0' | '\u{1a}' => return None,
            c => out.push(c),
        }
    }
    Some(out)
}

/// Reverses [`copy_escape_into`]; `None` on a raw tab/newline/CR or an unknown escape.
pub fn copy_unescape(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push(match chars.next()? {
                '\\' => '\\',
                'b' => '\u{8}',
                'f' => '\u{c}',
                'n' => '\n',
                'r' => '\r',
                't' => '\t',
                'v' => '\u{b}',
                _ => return None,
            }),
            '\t' | '\n' | '\r' => return None,
            c => out.push(c),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn mysql_examples() {
        assert_eq!(
            mysql_quoted("it's \"x\"\\\n\r\t\u{1a}"),
            "'it\\'s \\\"x\\\"\\\\\\n\\r\t\\Z'"
        );
    }

    #[test]
    fn copy_examples() {
        let mut out = String::new();
        copy_escape_into(&mut out, "a\tb\\c\nd\re");
        assert_eq!(out, "a\\tb\\\\c\\nd\\re");
    }

    proptest! {
        #[test]
        fn mysql_round_trips(s in any::<String>()) {
            let mut out = String::new();
            mysql_escape_into(&mut out, &s);
            prop_assert!(!out.contains('\n') && !out.contains('\r') && !out.contains('\0'));
            prop_assert_eq!(mysql_unescape(&out), Some(s));
        }

        #[test]
        fn mysql_escaped_quotes_never_end_the_literal(s in "[a-z'\"\\\\]{0,40}") {
            let mut out = String::new();
            mysql_escape_into(&mut out, &s);
            // Every quote is preceded by an odd run of backslashes.
            let bytes = out.as_bytes();
            for (i, b) in bytes.iter().enumerate() {
                if *b == b'\'' {
                    let run = bytes[..i].iter().rev().take_while(|c| **c == b'\\').count();
                    prop_assert!(run % 2 == 1);
                }
            }
        }

        #[test]
        fn copy_round_trips(s in any::<String>()) {
            let mut out = String::new();
            copy_escape_into(&mut out, &s);
            prop_assert!(!out.contains('\t') && !out.contains('\n') && !out.contains('\r'));
            prop_assert_ne!(out.as_str(), "\\N");
            prop_assert_eq!(copy_unescape(&out), Some(s));
        }
    }
}
