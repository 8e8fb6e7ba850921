//! The drafted profile as TOML an analyst reads, edits and checks: every mapping with its reason and sample
//! values in a comment, everything left unmapped listed.

use std::fmt::Write as _;

use super::{Draft, EntityDraft, FieldDraft, kind_name, parse_rule_name};

/// A TOML basic string.
pub fn toml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A TOML key: bare when it can be, quoted otherwise.
pub fn toml_key(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        s.to_string()
    } else {
        toml_string(s)
    }
}

/// Text made safe for a one-line TOML comment (no line breaks or control characters).
fn comment_text(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\n' | '\r' => ' '.to_string(),
            '\t' => '\t'.to_string(),
            c if c.is_control()
                || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}') =>
            {
                c.escape_unicode().to_string()
            }
            c => c.to_string(),
        })
        .collect()
}

fn samples_text(samples: &[String]) -> String {
    samples
        .iter()
        .take(3)
        .map(|s| format!("{s:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn field_value(f: &FieldDraft) -> String {
    if f.is_plain() {
        return toml_string(f.column.as_deref().unwrap_or(""));
    }
    let mut parts = Vec::new();
    if let Some(c) = &f.column {
        parts.push(format!("column = {}", toml_string(c)));
    }
    if let Some(c) = &f.constant {
        parts.push(format!("const = {}", toml_string(c)));
    }
    if let Some(v) = &f.via {
        parts.push(format!("via = {}", toml_string(v)));
    }
    if let Some(p) = f.parse {
        parts.push(format!("parse = {}", toml_string(parse_rule_name(p))));
    }
    if let Some(s) = f.scale {
        parts.push(format!("scale = {}", format_float(s)));
    }
    if f.lowercase {
        parts.push("lowercase = true".to_string());
    }
    if !f.map.is_empty() {
        let entries: Vec<String> = f
            .map
            .iter()
            .map(|(raw, to)| format!("{} = {}", toml_key(raw), toml_string(to)))
            .collect();
        parts.push(format!("map = {{ {} }}", entries.join(", ")));
    }
    if let Some(d) = &f.default {
        parts.push(format!("default = {}", toml_string(d)));
    }
    format!("{{ {} }}", parts.join(", "))
}

fn format_float(x: f64) -> String {
    if x != 0.0 && x.abs() < 1e-3 {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

fn render_entity(out: &mut String, d: &Draft, e: &EntityDraft) {
    let rows = d.table(&e.table).map_or(0, |t| t.rows);
    let lacking: Vec<&str> = crate::profile::required_fields(e.kind)
        .iter()
        .copied()
        .filter(|f| e.field(f).is_none())
        .collect();
    let _ = writeln!(
        out,
        "# ---- {} → {} (confidence {:.2}, {rows} rows)",
        comment_text(&e.table),
        kind_name(e.kind),
        e.confidence
    );
    if !e.reasons.is_empty() {
        let _ = writeln!(out, "# because: {}", comment_text(&e.reasons.join("; ")));
    }
    // An entity without a required field would make the whole profile invalid: it is written commented
    // out, for the analyst to complete.
    let prefix = if lacking.is_empty() {
        ""
    } else {
        let _ = writeln!(
            out,
            "# Commented out: no column found for required field(s) {}. Fill them in and uncomment.",
            lacking.join(", ")
        );
        "# "
    };
    let _ = writeln!(out, "{prefix}[[entity]]");
    let _ = writeln!(out, "{prefix}kind = {}", toml_string(kind_name(e.kind)));
    let _ = writeln!(out, "{prefix}table = {}", toml_string(&e.table));
    if !e.require.is_empty() {
        let list: Vec<String> = e.require.iter().map(|r| toml_string(r)).collect();
        let _ = writeln!(out, "{prefix}require = [{}]", list.join(", "));
    }
    let _ = writeln!(out, "{prefix}[entity.fields]");
    for f in &e.fields {
        let mut note = f.reason.clone();
        if !f.samples.is_empty() {
            note.push_str(&format!(" — e.g. {}", samples_text(&f.samples)));
        }
        let _ = writeln!(out, "# {}", comment_text(&note));
        for w in &f.warnings {
            let _ = writeln!(out, "# CHECK: {}", comment_text(w));
        }
        let _ = writeln!(out, "{prefix}{} = {}", toml_key(&f.field), field_value(f));
    }
    for f in &lacking {
        let _ = writeln!(out, "# {f} = \"?\"   # required: no column found");
    }
    let optional: Vec<&(String, String)> = e
        .missing
        .iter()
        .filter(|(f, _)| !lacking.contains(&f.as_str()))
        .collect();
    let plain: Vec<&str> = optional
        .iter()
        .filter(|(_, why)| why == "no column looks like it")
        .map(|(f, _)| f.as_str())
        .collect();
    if !plain.is_empty() {
        let _ = writeln!(out, "# not found: {}", plain.join(", "));
    }
    for (f, why) in optional
        .iter()
        .filter(|(_, why)| why != "no column looks like it")
    {
        let _ = writeln!(out, "# not mapped: {f}: {}", comment_text(why));
    }
    out.push('\n');
}

pub fn render(d: &Draft) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Profile drafted by `spector profile draft` from:");
    for s in &d.sources {
        let _ = writeln!(
            out,
            "#   {} ({}, {} bytes read, {} rows{}{})",
            comment_text(&s.file.display().to_string()),
            s.format,
            s.bytes_read,
            s.rows,
            if s.complete {
                ""
            } else {
                ", NOT read to the end"
            },
            if s.read_errors > 0 {
                format!(", {} read errors", s.read_errors)
            } else {
                String::new()
            }
        );
    }
    let _ = writeln!(
        out,
        "# Every mapping is a guess, with its reason and sample values. Read each one, fix what is wrong\n\
         # (lines marked CHECK first), then run `spector profile check THIS_FILE SOURCE...` and ingest with\n\
         # `spector ingest --profile THIS_FILE ...`."
    );
    let _ = writeln!(out, "name = {}", toml_string(&d.name));
    let files: Vec<String> = d
        .sources
        .iter()
        .map(|s| {
            s.file
                .file_name()
                .map_or(String::new(), |f| f.to_string_lossy().into_owned())
        })
        .collect();
    let _ = writeln!(
        out,
        "description = {}",
        toml_string(&format!("drafted from {}", files.join(", ")))
    );
    if let Some(f) = d.format {
        let _ = writeln!(out, "format = {}", toml_string(f.as_str()));
    }
    out.push('\n');

    let unmapped: Vec<_> = d
        .tables
        .iter()
        .filter(|t| !d.entities.iter().any(|e| e.table == t.name))
        .collect();
    if !unmapped.is_empty() {
        let _ = writeln!(out, "# Tables not mapped to any entity:");
        for t in unmapped {
            let cols: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
            let used = if d.lookups.iter().any(|l| l.table == t.name) {
                ", read by a lookup"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "#   {} ({} rows{used}): {}",
                comment_text(&t.name),
                t.rows,
                comment_text(&cols.join(", "))
            );
        }
        out.push('\n');
    }

    for l in &d.lookups {
        let _ = writeln!(out, "# {}", comment_text(&l.reason));
        let _ = writeln!(out, "[[lookup]]");
        let _ = writeln!(out, "name = {}", toml_string(&l.name));
        let _ = writeln!(out, "table = {}", toml_string(&l.table));
        let _ = writeln!(out, "key = {}", toml_string(&l.key));
        let _ = writeln!(out, "value = {}", toml_string(&l.value));
        out.push('\n');
    }

    for e in &d.entities {
        render_entity(&mut out, d, e);
    }

    let mut unused_lines = Vec::new();
    for t in &d.tables {
        if !d.entities.iter().any(|e| e.table == t.name) {
            continue;
        }
        let unused: Vec<String> = t
            .columns
            .iter()
            .filter(|c| c.mapped_to.is_empty())
            .map(|c| match &c.note {
                Some(n) => format!("{} ({n})", c.name),
                None => c.name.clone(),
            })
            .collect();
        if !unused.is_empty() {
            unused_lines.push(format!("#   {}: {}", t.name, unused.join(", ")));
        }
    }
    if !unused_lines.is_empty() {
        let _ = writeln!(out, "# Columns of mapped tables that no field reads:");
        for l in unused_lines {
            let _ = writeln!(out, "{}", comment_text(&l));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_keys_and_comments_stay_valid_toml() {
        assert_eq!(
            toml_string("a\"b\\c\nd\u{1b}"),
            "\"a\\\"b\\\\c\\nd\\u001B\""
        );
        assert_eq!(toml_key("sent"), "sent");
        assert_eq!(toml_key("1"), "1");
        assert_eq!(toml_key("в пути"), "\"в пути\"");
        assert_eq!(comment_text("a\nb\u{1b}[31m"), "a b\\u{1b}[31m");
        let doc = format!(
            "{} = {}\n# {}\n",
            toml_key("в пути"),
            toml_string("x\"\n\u{7}"),
            comment_text("line\nbreak")
        );
        let v: toml::Table = toml::from_str(&doc).expect("valid TOML");
        assert_eq!(v["в пути"].as_str(), Some("x\"\n\u{7}"));
    }
}
