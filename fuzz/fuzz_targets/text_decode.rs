//! Arbitrary bytes through the source scan (declarations, guesses) and the text decoder: no panic, and
//! the decoder's promises hold. The first byte picks the profile encoding, mojibake repair and the format.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use spector_ingest::detect::scan_reader;
use spector_ingest::encoding::{TextDecoder, profile_encoding};
use spector_ingest::{Format, Value};

fuzz_target!(|data: &[u8]| {
    let Some((&config, input)) = data.split_first() else {
        return;
    };
    let label =
        [None, Some("windows-1251"), Some("koi8-r"), Some("utf-8")][usize::from(config & 3)];
    let profile = label.map(|l| profile_encoding(l).expect("a valid label"));
    let repair = config & 4 != 0;
    let format = [Format::MysqlDump, Format::PgDump, Format::Csv][usize::from(config >> 3) % 3];
    let scan =
        scan_reader(input, Path::new("fuzz.csv"), format).expect("memory cannot fail to read");
    let _ = scan.encodings.describe();
    let windows_1252 = profile_encoding("windows-1252").expect("a valid label");
    let decoder = TextDecoder::new(profile, repair).with_source(scan.encodings.clone());
    let tables: Vec<&str> = scan
        .encodings
        .tables
        .keys()
        .map(String::as_str)
        .take(4)
        .chain(["fuzz"])
        .collect();
    let mut values = 0;
    for table in tables {
        for piece in input
            .split(|&b| matches!(b, b'\'' | b'\t' | b',' | b'\n'))
            .take(64)
        {
            values += 1;
            let value = Value::Bytes(piece.to_vec());
            let text = decoder
                .text(table, "c", &value)
                .expect("bytes are never NULL");
            let Ok(utf8) = std::str::from_utf8(piece) else {
                continue;
            };
            if !repair || text == utf8 {
                assert_eq!(text, utf8, "valid UTF-8 changed without repair");
            } else {
                // A repair is the UTF-8 reading of the text's Windows-1252 bytes, nothing else.
                let (bytes, _, unmappable) = windows_1252.encode(utf8);
                assert!(!unmappable);
                assert_eq!(&*bytes, text.as_bytes());
            }
        }
    }
    let stats = decoder.stats();
    assert_eq!(stats.utf8 + stats.decoded_total(), values);
    let _ = stats.summary();
});
