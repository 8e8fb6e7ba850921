//! Seized image files (product photos, avatars): told by their first bytes, decoded, and reduced to a
//! perceptual hash that linking compares.
//!
//! The hash is a DCT median hash of 8 × 8 = 64 bits (`image_hasher`: grayscale, scaled to 16 × 16, 2-D
//! DCT, the 8 × 8 lowest frequencies compared with their median; the "pHash" of Zauner 2010 and Krawetz).
//! Low frequencies survive what a re-upload does to a photo (resizing, re-encoding at another JPEG quality,
//! a small crop, a watermark band), so the hashes of one shot stay a few bits apart, while unrelated
//! pictures differ in about half their bits.
//!
//! Bad input never panics: a file that is not an image, or is truncated or corrupt, gives a reading with the
//! reason, and the file is still kept as evidence by the caller.

use std::io::Cursor;
use std::sync::LazyLock;

use image::{ImageFormat, ImageReader, Limits};
use image_hasher::{HashAlg, Hasher, HasherConfig};

/// The image formats read, told by magic bytes (never by the file's name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImageKind {
    Png,
    Jpeg,
    Gif,
    Webp,
}

impl ImageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ImageKind::Png => "png",
            ImageKind::Jpeg => "jpeg",
            ImageKind::Gif => "gif",
            ImageKind::Webp => "webp",
        }
    }

    fn format(self) -> ImageFormat {
        match self {
            ImageKind::Png => ImageFormat::Png,
            ImageKind::Jpeg => ImageFormat::Jpeg,
            ImageKind::Gif => ImageFormat::Gif,
            ImageKind::Webp => ImageFormat::WebP,
        }
    }
}

/// Bytes needed to tell an image by its first bytes.
pub const SNIFF_BYTES: usize = 12;

/// The image format a file's first bytes announce, if any.
pub fn sniff_image(head: &[u8]) -> Option<ImageKind> {
    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(ImageKind::Png)
    } else if head.starts_with(b"\xff\xd8\xff") {
        Some(ImageKind::Jpeg)
    } else if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        Some(ImageKind::Gif)
    } else if head.len() >= 12 && head.starts_with(b"RIFF") && head.get(8..12) == Some(b"WEBP") {
        Some(ImageKind::Webp)
    } else {
        None
    }
}

/// Whether a file's name says it is an image (`.jpg`, `.png` ...): such a file in an uploads directory is
/// kept and reported even when its bytes are no image.
pub fn has_image_extension(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".jpg", ".jpeg", ".jpe", ".png", ".gif", ".webp"]
        .iter()
        .any(|ext| lower.ends_with(ext))
}

/// What one image file shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageReading {
    /// `None` when the first bytes are no image format read here.
    pub kind: Option<ImageKind>,
    /// From the header, when it could be read (also for a file whose pixels could not be decoded).
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// The 64-bit perceptual hash; `None` when the pixels could not be decoded.
    pub phash: Option<u64>,
    /// Why the file could not be decoded, when it could not.
    pub error: Option<String>,
}

/// The largest picture decoded, per side: product photos are far smaller; larger ones are decompression
/// bombs or not photos.
const MAX_SIDE: u32 = 16_384;
/// The most memory one decode may take.
const MAX_ALLOC: u64 = 512 * 1024 * 1024;
/// The most pixels decoded, told from the header before decoding: a phone's 50-megapixel photo is read, a
/// file announcing more is refused as a decompression bomb or no photo. Found by CI's fuzz smoke run: a
/// 29-byte GIF announcing 11,308 × 11,475 pixels took 2.0 s to decode and hash (and over 10 s under
/// AddressSanitizer); an uploads directory of such files would stall an ingest.
const MAX_PIXELS: u64 = 64_000_000;

fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    limits
}

/// A DCT median hash of 8 × 8 bits (see the module's documentation). Built once: it holds the DCT's
/// precomputed coefficients.
static HASHER: LazyLock<Hasher<[u8; 8]>> = LazyLock::new(|| {
    HasherConfig::with_bytes_type::<[u8; 8]>()
        .hash_alg(HashAlg::Median)
        .preproc_dct()
        .hash_size(8, 8)
        .to_hasher()
});

/// Reads one image file's bytes: its format, size and perceptual hash, or why it could not be decoded.
pub fn read_image(bytes: &[u8]) -> ImageReading {
    let kind = sniff_image(bytes);
    let Some(kind) = kind else {
        let head: Vec<String> = bytes.iter().take(8).map(|b| format!("{b:02x}")).collect();
        return ImageReading {
            kind: None,
            width: None,
            height: None,
            phash: None,
            error: Some(format!(
                "not a PNG, JPEG, GIF or WebP file (first bytes: {})",
                if head.is_empty() {
                    "none, the file is empty".to_string()
                } else {
                    head.join(" ")
                }
            )),
        };
    };
    // A decoder is third-party code fed hostile bytes: should one panic, the file is reported as
    // undecodable rather than taking the ingest down (fuzzing, which aborts on panics, still finds it).
    let decoded = std::panic::catch_unwind(|| decode(bytes, kind)).unwrap_or_else(|_| {
        Err(format!(
            "the {} decoder failed on this file (internal error)",
            kind.as_str()
        ))
    });
    match decoded {
        Ok((width, height, phash)) => ImageReading {
            kind: Some(kind),
            width: Some(width),
            height: Some(height),
            phash: Some(phash),
            error: None,
        },
        Err(error) => {
            let size = std::panic::catch_unwind(|| dimensions(bytes, kind))
                .ok()
                .flatten();
            ImageReading {
                kind: Some(kind),
                width: size.map(|s| s.0),
                height: size.map(|s| s.1),
                phash: None,
                error: Some(error),
            }
        }
    }
}

fn reader(bytes: &[u8], kind: ImageKind) -> ImageReader<Cursor<&[u8]>> {
    let mut reader = ImageReader::new(Cursor::new(bytes));
    reader.set_format(kind.format());
    reader.limits(limits());
    reader
}

fn decode(bytes: &[u8], kind: ImageKind) -> Result<(u32, u32, u64), String> {
    if let Some((width, height)) = dimensions(bytes, kind)
        && u64::from(width) * u64::from(height) > MAX_PIXELS
    {
        return Err(format!(
            "the {} file announces {width} × {height} pixels, more than the {} million read here \
             (a decompression bomb, or no photo)",
            kind.as_str(),
            MAX_PIXELS / 1_000_000
        ));
    }
    let picture = reader(bytes, kind)
        .decode()
        .map_err(|e| format!("cannot decode {}: {e}", kind.as_str()))?;
    if picture.width() == 0 || picture.height() == 0 {
        return Err(format!("the {} file holds an empty picture", kind.as_str()));
    }
    let hash = HASHER.hash_image(&picture);
    let phash = hash
        .as_bytes()
        .iter()
        .fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
    Ok((picture.width(), picture.height(), phash))
}

/// The size the header announces, for a file whose pixels could not be decoded.
fn dimensions(bytes: &[u8], kind: ImageKind) -> Option<(u32, u32)> {
    reader(bytes, kind).into_dimensions().ok()
}

/// A perceptual hash as stored: 16 lower-case hex digits.
pub fn phash_hex(phash: u64) -> String {
    format!("{phash:016x}")
}

/// A stored perceptual hash read back; `None` for anything but 16 hex digits.
pub fn parse_phash(hex: &str) -> Option<u64> {
    if hex.len() != 16 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u64::from_str_radix(hex, 16).ok()
}

/// Files larger than this are kept as evidence but not decoded: product photos are far smaller, and a
/// gigabyte "photo" is not one.
pub const MAX_DECODED_BYTES: u64 = 64 * 1024 * 1024;
