//! How results reach a person or a script.

use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use serde::Serialize;

pub struct Output {
    pub json: bool,
}

impl Output {
    pub fn new(json: bool) -> Self {
        Output { json }
    }

    pub fn print_json<T: Serialize>(&self, value: &T) -> anyhow::Result<()> {
        emit(&serde_json::to_string_pretty(value)?);
        Ok(())
    }

    /// A line for a person. Seized text is hostile: control characters never reach the terminal raw.
    pub fn line(&self, text: &str) {
        if !self.json {
            emit(&term_safe(text));
        }
    }

    pub fn table(&self, header: &[&str], rows: Vec<Vec<String>>) {
        let mut t = Table::new();
        t.load_preset(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_header(header.to_vec());
        for r in rows {
            t.add_row(r.iter().map(|c| term_safe(c)).collect::<Vec<_>>());
        }
        emit(&t.to_string());
    }
}

/// Writes a line to standard output. A reader that went away (`spector personas | head`) ends the program
/// quietly, as it does for other command-line tools, instead of a panic.
fn emit(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(e) = writeln!(out, "{text}") {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: cannot write to standard output: {e}");
        std::process::exit(1);
    }
}

/// Escapes control characters (ANSI escapes, carriage returns, bidi overrides) so that text written by the
/// people under investigation cannot rewrite an analyst's terminal. Newlines and tabs are kept.
pub fn term_safe(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let bidi = matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
        if (c.is_control() && c != '\n' && c != '\t') || bidi {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::term_safe;

    #[test]
    fn escapes_terminal_control_sequences() {
        assert_eq!(term_safe("ok\ttab\nnl"), "ok\ttab\nnl");
        assert_eq!(term_safe("\u{1b}[31mred"), "\\u{1b}[31mred");
        assert_eq!(term_safe("a\rb"), "a\\u{d}b");
        assert_eq!(term_safe("x\u{202E}y"), "x\\u{202e}y");
    }
}
