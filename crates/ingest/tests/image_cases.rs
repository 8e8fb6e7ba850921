//! Image files as seized: what `read_image` makes of tiny pictures encoded here (PNG, JPEG at two
//! qualities, GIF, WebP, resized, watermarked), a truncated file, a non-image and an empty file. Each case
//! states what must come out; the perceptual hashes are compared with each other, not with stored values.

use std::io::Cursor;

use image::codecs::gif::GifEncoder;
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::codecs::webp::WebPEncoder;
use image::imageops::{self, FilterType};
use image::{ExtendedColorType, ImageEncoder, Rgb, RgbImage, Rgba, RgbaImage};
use spector_ingest::image::{ImageKind, parse_phash, phash_hex, read_image, sniff_image};

/// A product shot stand-in: a gradient with a disc and a bar, in colours chosen by `tint`.
fn picture(tint: u8, width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        let (fx, fy) = (x as f32 / width as f32, y as f32 / height as f32);
        let disc = (fx - 0.35).powi(2) + (fy - 0.4).powi(2) < 0.06;
        let bar = fy > 0.7 && fx > 0.3 * (tint % 3) as f32;
        if disc {
            Rgb([230, tint, 40])
        } else if bar {
            Rgb([20, 40, 200 - tint / 2])
        } else {
            Rgb([(fx * 200.0) as u8, (fy * 150.0) as u8 + tint / 4, 90])
        }
    })
}

/// A picture unlike [`picture`]: a checkerboard of large squares.
fn other_picture(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        if (x * 4 / width + y * 3 / height).is_multiple_of(2) {
            Rgb([250, 250, 250])
        } else {
            Rgb([10, 10, 10])
        }
    })
}

fn png(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    PngEncoder::new(Cursor::new(&mut out))
        .write_image(
            img.as_raw(),
            img.width(),
            img.height(),
            ExtendedColorType::Rgb8,
        )
        .expect("png");
    out
}

fn jpeg(img: &RgbImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, quality)
        .write_image(
            img.as_raw(),
            img.width(),
            img.height(),
            ExtendedColorType::Rgb8,
        )
        .expect("jpeg");
    out
}

fn rgba(img: &RgbImage) -> RgbaImage {
    RgbaImage::from_fn(img.width(), img.height(), |x, y| {
        let Rgb([r, g, b]) = *img.get_pixel(x, y);
        Rgba([r, g, b, 255])
    })
}

fn gif(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut encoder = GifEncoder::new(&mut out);
        encoder
            .encode(
                rgba(img).as_raw(),
                img.width(),
                img.height(),
                ExtendedColorType::Rgba8,
            )
            .expect("gif");
    }
    out
}

fn webp(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    WebPEncoder::new_lossless(&mut out)
        .write_image(
            img.as_raw(),
            img.width(),
            img.height(),
            ExtendedColorType::Rgb8,
        )
        .expect("webp");
    out
}

fn distance(a: u64, b: u64) -> u32 {
    (a ^ b).count_ones()
}

/// One file and what reading it must give.
struct Case {
    name: &'static str,
    bytes: Vec<u8>,
    kind: Option<ImageKind>,
    size: Option<(u32, u32)>,
    decodes: bool,
    /// Most bits its hash may differ from the reference picture's (`None`: not compared).
    near_reference: Option<u32>,
    /// Fewest bits its hash must differ from the reference picture's.
    far_from_reference: Option<u32>,
}

#[test]
fn image_files_are_told_by_their_bytes_decoded_and_hashed() {
    let reference = picture(60, 120, 96);
    let reference_hash = read_image(&png(&reference))
        .phash
        .expect("reference decodes");
    let resized = imageops::resize(&reference, 84, 67, FilterType::Triangle);
    let mut watermarked = reference.clone();
    for (x, y, p) in watermarked.enumerate_pixels_mut() {
        // A market's name stamped half-transparent across the bottom, as markets mark their uploads.
        if y >= 86 && (x / 6).is_multiple_of(2) {
            *p = Rgb(p.0.map(|c| ((u16::from(c) + 255) / 2) as u8));
        }
    }
    let full = png(&reference);
    let truncated = full.get(..full.len() / 2).expect("half").to_vec();
    let cases = vec![
        Case {
            name: "png",
            bytes: full.clone(),
            kind: Some(ImageKind::Png),
            size: Some((120, 96)),
            decodes: true,
            near_reference: Some(0),
            far_from_reference: None,
        },
        Case {
            name: "jpeg at quality 90",
            bytes: jpeg(&reference, 90),
            kind: Some(ImageKind::Jpeg),
            size: Some((120, 96)),
            decodes: true,
            near_reference: Some(2),
            far_from_reference: None,
        },
        Case {
            name: "jpeg at quality 40",
            bytes: jpeg(&reference, 40),
            kind: Some(ImageKind::Jpeg),
            size: Some((120, 96)),
            decodes: true,
            near_reference: Some(4),
            far_from_reference: None,
        },
        Case {
            name: "resized and re-encoded",
            bytes: jpeg(&resized, 75),
            kind: Some(ImageKind::Jpeg),
            size: Some((84, 67)),
            decodes: true,
            near_reference: Some(4),
            far_from_reference: None,
        },
        Case {
            name: "watermark band",
            bytes: png(&watermarked),
            kind: Some(ImageKind::Png),
            size: Some((120, 96)),
            decodes: true,
            near_reference: Some(10),
            far_from_reference: None,
        },
        Case {
            name: "gif",
            bytes: gif(&reference),
            kind: Some(ImageKind::Gif),
            size: Some((120, 96)),
            decodes: true,
            near_reference: Some(4),
            far_from_reference: None,
        },
        Case {
            name: "webp",
            bytes: webp(&reference),
            kind: Some(ImageKind::Webp),
            size: Some((120, 96)),
            decodes: true,
            near_reference: Some(0),
            far_from_reference: None,
        },
        Case {
            name: "another picture",
            bytes: png(&other_picture(120, 96)),
            kind: Some(ImageKind::Png),
            size: Some((120, 96)),
            decodes: true,
            near_reference: None,
            far_from_reference: Some(20),
        },
        Case {
            name: "truncated png: the header is whole, the pixels are not",
            bytes: truncated,
            kind: Some(ImageKind::Png),
            size: Some((120, 96)),
            decodes: false,
            near_reference: None,
            far_from_reference: None,
        },
        Case {
            name: "a text file named like a photo",
            bytes: b"<html>404 Not Found</html>".to_vec(),
            kind: None,
            size: None,
            decodes: false,
            near_reference: None,
            far_from_reference: None,
        },
        Case {
            name: "an empty file",
            bytes: Vec::new(),
            kind: None,
            size: None,
            decodes: false,
            near_reference: None,
            far_from_reference: None,
        },
        Case {
            name: "jpeg magic and nothing else",
            bytes: b"\xff\xd8\xff\xe0".to_vec(),
            kind: Some(ImageKind::Jpeg),
            size: None,
            decodes: false,
            near_reference: None,
            far_from_reference: None,
        },
    ];
    for case in cases {
        let r = read_image(&case.bytes);
        let name = case.name;
        assert_eq!(sniff_image(&case.bytes), case.kind, "{name}: sniffed");
        assert_eq!(r.kind, case.kind, "{name}: kind");
        assert_eq!(r.width.zip(r.height), case.size, "{name}: size");
        assert_eq!(r.phash.is_some(), case.decodes, "{name}: {r:?}");
        assert_eq!(r.error.is_none(), case.decodes, "{name}: {r:?}");
        if let (Some(max), Some(h)) = (case.near_reference, r.phash) {
            let d = distance(h, reference_hash);
            assert!(
                d <= max,
                "{name}: {d} bits from the reference, at most {max} expected"
            );
        }
        if let (Some(min), Some(h)) = (case.far_from_reference, r.phash) {
            let d = distance(h, reference_hash);
            assert!(
                d >= min,
                "{name}: {d} bits from the reference, at least {min} expected"
            );
        }
        if let Some(h) = r.phash {
            assert_eq!(
                parse_phash(&phash_hex(h)),
                Some(h),
                "{name}: hex round trip"
            );
        }
    }
}

#[test]
fn stored_hashes_read_back_only_when_well_formed() {
    assert_eq!(parse_phash("00000000000000ff"), Some(255));
    assert_eq!(parse_phash("FFFFFFFFFFFFFFFF"), Some(u64::MAX));
    assert_eq!(parse_phash("+000000000000000"), None);
    assert_eq!(parse_phash("0"), None);
    assert_eq!(parse_phash("zz00000000000000"), None);
}

proptest::proptest! {
    // Seized files are hostile: whatever the bytes, reading them returns a reading, never a panic, and a
    // reading without a hash says why.
    #[test]
    fn any_bytes_give_a_reading(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..512)) {
        let r = read_image(&bytes);
        proptest::prop_assert_eq!(r.phash.is_none(), r.error.is_some());
    }

    // Any bytes behind a real format's magic go to that format's decoder, which must not panic either.
    #[test]
    fn any_bytes_behind_an_image_magic_give_a_reading(
        magic in 0usize..4,
        tail in proptest::collection::vec(proptest::num::u8::ANY, 0..512),
    ) {
        let head: &[u8] = match magic {
            0 => b"\x89PNG\r\n\x1a\n",
            1 => b"\xff\xd8\xff",
            2 => b"GIF89a",
            _ => b"RIFF\x10\x00\x00\x00WEBP",
        };
        let mut bytes = head.to_vec();
        bytes.extend(tail);
        let r = read_image(&bytes);
        proptest::prop_assert!(r.kind.is_some());
        proptest::prop_assert_eq!(r.phash.is_none(), r.error.is_some());
    }
}

/// The input CI's fuzz smoke run found: 29 bytes of GIF announcing 11,308 × 11,475 pixels, which took 2 s
/// to decode and hash. A picture of more pixels than are read is refused from its header, with its size.
#[test]
fn a_file_announcing_more_pixels_than_are_read_is_refused_from_its_header() {
    let mut bomb = b"GIF89a".to_vec();
    bomb.extend_from_slice(&[
        0x2c, 0x2c, 0xd3, 0x2c, 0xd0, 0x40, 0x30, 0x3f, 0x2f, 0x2a, 0x2e, 0x2c, 0x2c, 0x2c, 0x3f,
        0x2f, 0x2a, 0x2e, 0x2c, 0x2c, 0x00, 0x00, 0x6c, 0x07, 0x00, 0x00, 0x04, 0x00,
    ]);
    let r = read_image(&bomb);
    assert_eq!(r.kind, Some(ImageKind::Gif));
    assert_eq!((r.width, r.height), (Some(11_308), Some(11_475)));
    assert_eq!(r.phash, None);
    let error = r.error.expect("refused");
    assert!(
        error.contains("11308 × 11475 pixels") && error.contains("decompression bomb"),
        "{error}"
    );
    // A picture within the limit is still read (8,000 × 8,000 would be 64 million: the edge).
    let small = gif(&picture(7, 64, 48));
    let read = read_image(&small);
    assert_eq!((read.width, read.height), (Some(64), Some(48)));
    assert!(read.phash.is_some(), "{:?}", read.error);
}
