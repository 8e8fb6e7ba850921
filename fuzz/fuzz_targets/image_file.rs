//! Arbitrary bytes as a seized image file (uploads directories hold photos, truncated photos, files named
//! like photos that are not): reading must return a reading, never panic. A reading has a hash exactly when
//! it has no error, a hash only with a format and a size, and the first bytes decide the format. An input
//! that is no image by its first bytes has its first byte pick a format's magic to put in front of the rest
//! (or none), so that every decoder is reached; real images (a seed corpus) are read as they are.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spector_ingest::image::{read_image, sniff_image};

const MAGIC: [&[u8]; 5] = [
    b"",
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",
    b"GIF89a",
    b"RIFF\x00\x00\x00\x00WEBP",
];

fuzz_target!(|data: &[u8]| {
    let bytes = match (sniff_image(data), data.split_first()) {
        (None, Some((&pick, rest))) => {
            let mut bytes = MAGIC[usize::from(pick) % MAGIC.len()].to_vec();
            bytes.extend_from_slice(rest);
            bytes
        }
        _ => data.to_vec(),
    };
    let r = read_image(&bytes);
    assert_eq!(r.kind, sniff_image(&bytes));
    assert_eq!(r.phash.is_some(), r.error.is_none());
    if r.phash.is_some() {
        assert!(r.kind.is_some());
        assert!(r.width.is_some_and(|w| w > 0) && r.height.is_some_and(|h| h > 0));
    }
});
