//! Arbitrary listings through the taxonomy-driven classifier: the input is split into a title and a
//! description at its first newline. No panic, and every match's positions slice its field on char
//! boundaries.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spector_enrich::{TextField, classify_listing};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (title, description) = match text.split_once('\n') {
        Some((t, d)) => (t, Some(d)),
        None => (text.as_ref(), None),
    };
    let class = classify_listing(title, description);
    for m in &class.matched {
        let field = match m.field {
            TextField::Title => title,
            TextField::Description => description.unwrap_or(""),
        };
        assert!(m.start < m.end);
        assert!(field.get(m.start..m.end).is_some());
    }
});
