//! Product photos: each selling persona's own shots, drawn from its seeded stream, and a few stock pictures
//! that many unrelated vendors show. A market's `images/` directory holds the files its listings name.
//!
//! A shot is a picture of shapes over a gradient with some noise, so that two personas' shots differ in
//! their broad strokes (what a perceptual hash keeps). On each market a shot is uploaded as it was (the
//! same file, byte for byte) or as real re-uploads change it: re-encoded as JPEG at another quality,
//! resized, cropped a little, or with a watermark band across the bottom.

use std::io::Cursor;
use std::path::Path;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::imageops::{self, FilterType};
use image::{ExtendedColorType, ImageEncoder, Rgb, RgbImage};
use rand::{Rng, RngCore};
use rand_chacha::ChaCha8Rng;

use std::collections::BTreeSet;

use crate::SynthError;
use crate::formats::sink::Progress;
use crate::seed::{StreamFamily, stream};
use crate::world::{Family, Market, Persona, Role, World};

/// Side of a shot as its owner keeps it.
const SIDE: u32 = 128;
/// Stock pictures in a world.
pub const STOCK_PICTURES: usize = 3;

/// What a picture is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Picture {
    /// Shot `shot` of the persona at this index.
    Own { persona: usize, shot: usize },
    /// A stock picture many vendors show.
    Stock(usize),
}

/// How an upload changed the picture.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Variation {
    /// The owner's file as it is: byte for byte the same on every market that shows it so.
    Original,
    /// Decoded and saved again as JPEG at this quality.
    Reencoded { quality: u8 },
    /// Scaled to this width (height in proportion).
    Resized { width: u32 },
    /// This many percent cut off each side, then scaled back.
    Cropped { percent: u32 },
    /// A half-transparent band of stripes across the bottom in this market's colour (saved as PNG).
    Watermarked { rgb: [u8; 3] },
}

impl Variation {
    pub fn describe(&self) -> String {
        match self {
            Variation::Original => "original".into(),
            Variation::Reencoded { quality } => format!("reencoded_q{quality}"),
            Variation::Resized { width } => format!("resized_w{width}"),
            Variation::Cropped { percent } => format!("cropped_{percent}pct"),
            Variation::Watermarked { .. } => "watermarked".into(),
        }
    }

    pub fn extension(&self) -> &'static str {
        match self {
            Variation::Watermarked { .. } => "png",
            _ => "jpg",
        }
    }

    /// Draws how one upload changes its picture; `watermark` is the market's band colour.
    pub fn random(rng: &mut ChaCha8Rng, watermark: [u8; 3]) -> Variation {
        match rng.gen_range(0..100) {
            0..=29 => Variation::Original,
            30..=59 => Variation::Reencoded {
                quality: rng.gen_range(45..=85),
            },
            60..=79 => Variation::Resized {
                width: rng.gen_range(96..=160),
            },
            80..=89 => Variation::Cropped {
                percent: rng.gen_range(2..=6),
            },
            _ => Variation::Watermarked { rgb: watermark },
        }
    }
}

/// The picture as its owner has it.
pub fn master(seed: u64, picture: Picture) -> RgbImage {
    let mut rng = match picture {
        Picture::Own { persona, shot } => stream(seed, "shot", persona as u64, shot as u64),
        Picture::Stock(n) => stream(seed, "stock-picture", 0, n as u64),
    };
    draw(&mut rng)
}

fn colour(rng: &mut ChaCha8Rng) -> [f32; 3] {
    [rng.r#gen(), rng.r#gen(), rng.r#gen()].map(|c: f32| c * 255.0)
}

/// Shapes over a gradient, with noise: a picture whose broad strokes are its own.
fn draw(rng: &mut ChaCha8Rng) -> RgbImage {
    let (from, to) = (colour(rng), colour(rng));
    let angle: f32 = rng.gen_range(0.0..std::f32::consts::TAU);
    let (dx, dy) = (angle.cos(), angle.sin());
    let side = SIDE as f32;
    let mut img = RgbImage::from_fn(SIDE, SIDE, |x, y| {
        let t = ((x as f32 / side - 0.5) * dx + (y as f32 / side - 0.5) * dy + 0.71) / 1.42;
        let t = t.clamp(0.0, 1.0);
        Rgb([0, 1, 2].map(|c| (from[c] * (1.0 - t) + to[c] * t) as u8))
    });
    for _ in 0..rng.gen_range(3..=6) {
        let fill = colour(rng).map(|c| c as u8);
        let (cx, cy) = (rng.gen_range(0.0..side), rng.gen_range(0.0..side));
        let (rx, ry) = (
            rng.gen_range(side * 0.12..side * 0.4),
            rng.gen_range(side * 0.12..side * 0.4),
        );
        let round = rng.gen_bool(0.5);
        for (x, y, p) in img.enumerate_pixels_mut() {
            let (u, v) = ((x as f32 - cx) / rx, (y as f32 - cy) / ry);
            let inside = if round {
                u * u + v * v <= 1.0
            } else {
                u.abs() <= 1.0 && v.abs() <= 1.0
            };
            if inside {
                *p = Rgb(fill);
            }
        }
    }
    // Sensor noise, ±10 per channel: one draw per pixel, a byte per channel.
    for p in img.pixels_mut() {
        let noise = rng.next_u32().to_le_bytes();
        for (c, n) in p.0.iter_mut().zip(noise) {
            let n = i16::from(n % 21) - 10;
            *c = (i16::from(*c) + n).clamp(0, 255) as u8;
        }
    }
    img
}

/// The bytes of the file one upload of `master` left on a market's server.
pub fn upload(master: &RgbImage, variation: Variation) -> Result<Vec<u8>, SynthError> {
    let picture = match variation {
        Variation::Original | Variation::Reencoded { .. } => master.clone(),
        Variation::Resized { width } => {
            let height = (u64::from(master.height()) * u64::from(width) / u64::from(SIDE)) as u32;
            imageops::resize(master, width, height.max(1), FilterType::Triangle)
        }
        Variation::Cropped { percent } => {
            let cut = master.width() * percent / 100;
            let inner = imageops::crop_imm(
                master,
                cut,
                cut,
                master.width() - 2 * cut,
                master.height() - 2 * cut,
            )
            .to_image();
            imageops::resize(&inner, SIDE, SIDE, FilterType::Triangle)
        }
        Variation::Watermarked { rgb } => {
            let mut img = master.clone();
            let band = img.height() * 88 / 100;
            for (x, y, p) in img.enumerate_pixels_mut() {
                // Half-transparent stripes, like the letters of a market's name stamped over the photo.
                if y >= band && (x / 6).is_multiple_of(2) {
                    let blend = |c: u8, w: u8| ((u16::from(c) + u16::from(w)) / 2) as u8;
                    *p = Rgb([0, 1, 2].map(|i| blend(p.0[i], rgb[i])));
                }
            }
            img
        }
    };
    let mut out = Vec::new();
    let (w, h) = picture.dimensions();
    let encoded = match variation {
        Variation::Watermarked { .. } => PngEncoder::new(Cursor::new(&mut out)).write_image(
            picture.as_raw(),
            w,
            h,
            ExtendedColorType::Rgb8,
        ),
        Variation::Reencoded { quality } => JpegEncoder::new_with_quality(&mut out, quality)
            .write_image(picture.as_raw(), w, h, ExtendedColorType::Rgb8),
        _ => JpegEncoder::new_with_quality(&mut out, ORIGINAL_QUALITY).write_image(
            picture.as_raw(),
            w,
            h,
            ExtendedColorType::Rgb8,
        ),
    };
    encoded.map_err(|e| SynthError::Image(e.to_string()))?;
    Ok(out)
}

/// The quality the owners' own files (and resized or cropped copies) are saved at.
const ORIGINAL_QUALITY: u8 = 90;

/// Writes the market's `images/` directory: every file its listings name. Returns the bytes written.
pub fn write_market(
    world: &World,
    market: &Market,
    dir: &Path,
    progress: &Progress<'_>,
) -> Result<u64, SynthError> {
    if market.images.is_empty() {
        return Ok(0);
    }
    std::fs::create_dir_all(dir).map_err(SynthError::io(dir))?;
    // Stock pictures are uploaded by many accounts: drawn once per market. (A persona's shot appears about
    // once per market, so its master is drawn where needed rather than kept for the whole world.)
    let stock: Vec<RgbImage> = (0..STOCK_PICTURES)
        .map(|n| master(world.seed, Picture::Stock(n)))
        .collect();
    // Drawn and encoded on every core (the world is otherwise written on one), written in order.
    let encode = |image: &MarketImage| -> Result<Vec<u8>, SynthError> {
        match image.picture {
            Picture::Stock(n) if n < stock.len() => upload(&stock[n], image.variation),
            _ => upload(&master(world.seed, image.picture), image.variation),
        }
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = market.images.len().div_ceil(threads).max(1);
    let encoded: Vec<Result<Vec<u8>, SynthError>> = std::thread::scope(|scope| {
        let parts: Vec<_> = market
            .images
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(encode).collect::<Vec<_>>()))
            .collect();
        parts
            .into_iter()
            .flat_map(|p| p.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    let mut bytes = 0;
    for (image, file) in market.images.iter().zip(encoded) {
        let bytes_of = file?;
        let path = dir.join(&image.name);
        std::fs::write(&path, &bytes_of).map_err(SynthError::io(&path))?;
        bytes += bytes_of.len() as u64;
        progress.add_bytes(bytes_of.len() as u64);
    }
    Ok(bytes)
}

/// A picture uploaded to one market by one account: the file its listings name.
pub struct MarketImage {
    /// The file's name on the market's server (random, as upload scripts name files).
    pub name: String,
    pub picture: Picture,
    pub variation: Variation,
    /// Index into the market's accounts.
    pub account: usize,
}

/// Shots a selling persona has of its products.
pub fn shots_of(seed: u64, persona: usize) -> usize {
    stream(seed, "shots", 0, persona as u64).gen_range(2..=4)
}

/// Share of seller accounts showing a stock picture: enough that each stock picture is shown by about
/// two dozen accounts (far more than one seller runs, and than the linker's common limit of twelve) in a
/// world of any size, and by a thirtieth of them in a large one.
fn stock_share(seller_accounts: usize) -> f64 {
    (24.0 * STOCK_PICTURES as f64 / seller_accounts.max(1) as f64).clamp(0.10, 0.9)
}

/// Decides which pictures each vendor account uploads to its market and which listing shows which. A
/// persona uses its own shots on most of its markets (not all: some accounts show only stock pictures or
/// none); a stock picture is shown by many unrelated vendors.
pub fn assign(seed: u64, markets: &mut [Market], personas: &[Persona]) {
    let sellers: usize = markets
        .iter()
        .map(|m| m.accounts.iter().filter(|a| a.role == Role::Vendor).count())
        .sum();
    let stock = stock_share(sellers);
    for market in markets.iter_mut() {
        let photos = StreamFamily::new(seed, "photos", market.index as u64);
        let watermark =
            colour(&mut stream(seed, "watermark", market.index as u64, 0)).map(|c| c as u8);
        let mut images: Vec<MarketImage> = Vec::new();
        let mut names: BTreeSet<String> = BTreeSet::new();
        let mut pools: Vec<Vec<usize>> = vec![Vec::new(); market.accounts.len()];
        for (i, account) in market.accounts.iter().enumerate() {
            if account.role != Role::Vendor || personas[account.persona].seller.is_none() {
                continue;
            }
            let mut rng = photos.at(i as u64);
            let mut pictures = Vec::new();
            if rng.gen_bool(0.8) {
                let shots = shots_of(seed, account.persona);
                let first = rng.gen_range(0..shots);
                for shot in 0..shots {
                    if shot == first || rng.gen_bool(0.5) {
                        pictures.push(Picture::Own {
                            persona: account.persona,
                            shot,
                        });
                    }
                }
            }
            if rng.gen_bool(stock) {
                pictures.push(Picture::Stock(rng.gen_range(0..STOCK_PICTURES)));
            }
            for picture in pictures {
                let variation = Variation::random(&mut rng, watermark);
                let mut name = String::new();
                while name.is_empty() || !names.insert(name.clone()) {
                    name = format!("{:016x}.{}", rng.r#gen::<u64>(), variation.extension());
                }
                pools[i].push(images.len());
                images.push(MarketImage {
                    name,
                    picture,
                    variation,
                    account: i,
                });
            }
        }
        for (l, listing) in market.listings.iter_mut().enumerate() {
            let mut rng = photos.at(1_000_000_000 + l as u64);
            let pool = &pools[listing.vendor];
            if pool.is_empty() || rng.gen_bool(0.1) {
                continue;
            }
            let first = pool[rng.gen_range(0..pool.len())];
            listing.photos.push(first);
            // A table of photos holds several per listing; a column only the first.
            if market.family == Family::Pgmarket && pool.len() > 1 && rng.gen_bool(0.3) {
                let second = pool[rng.gen_range(0..pool.len())];
                if second != first {
                    listing.photos.push(second);
                }
            }
        }
        market.images = images;
    }
}
