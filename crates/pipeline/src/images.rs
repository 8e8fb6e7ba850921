//! Seized image files into a case, and the photos each seller shows, for linking.
//!
//! A directory of images (a market server's uploads) is committed as one batch
//! ([`spector_store::SourceBatch`]): every file
//! is evidence of its own, hashed, and its record says what it is (format, size, perceptual hash, or why it
//! could not be decoded); the whole directory becomes part of the case at once, or not at all.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use spector_ingest::image::{
    MAX_DECODED_BYTES, SNIFF_BYTES, has_image_extension, parse_phash, phash_hex, read_image,
    sniff_image,
};
use spector_link::soft::AccountPhoto;
use spector_model::{
    EntityKind, ImageFile, Listing, PhotoRef, Provenance, Record, RecordId, photo_file_key,
};
use spector_store::Case;

use crate::{PipelineError, Progress};

/// What one ingest of image files did.
#[derive(Debug, Clone, Default)]
pub struct ImageIngestReport {
    /// The directory or file handed in.
    pub origin: PathBuf,
    pub market: String,
    /// Image files found (by their first bytes, or by a name such as `.jpg`).
    pub files: u64,
    /// Files stored with a record of this market (new evidence, or bytes the case held for another market
    /// only: a photo a seller uploaded to several markets as it was).
    pub stored: u64,
    /// Of those, files whose bytes became new evidence (the same bytes under two names are one).
    pub new_evidence: u64,
    /// Files whose bytes the case already held as a source: nothing done.
    pub already_ingested: u64,
    /// Stored files per format (`png`, `jpeg`, `gif`, `webp`, `unknown`).
    pub by_format: BTreeMap<String, u64>,
    /// Files stored that could not be decoded, with the reason (kept as evidence all the same).
    pub undecodable: Vec<(String, String)>,
    /// Files of a directory left out: neither their bytes nor their name say image.
    pub skipped: Vec<PathBuf>,
}

/// Whether `path` is a file whose first bytes are an image format read here.
pub fn is_image_file(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; SNIFF_BYTES];
    let Ok(mut file) = std::fs::File::open(path) else {
        return false;
    };
    let mut n = 0;
    while n < head.len() {
        match file.read(&mut head[n..]) {
            Ok(0) | Err(_) => break,
            Ok(k) => n += k,
        }
    }
    sniff_image(&head[..n]).is_some()
}

/// Regular files below `dir`, sorted by path (symbolic links are not followed: a seized tree may loop).
fn files_below(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), PipelineError> {
    let io = |source| PipelineError::ImageDir {
        dir: dir.to_path_buf(),
        source,
    };
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(io)?;
    entries.sort();
    for path in entries {
        let meta = std::fs::symlink_metadata(&path).map_err(io)?;
        if meta.is_dir() {
            files_below(&path, out)?;
        } else if meta.is_file() {
            out.push(path);
        }
    }
    Ok(())
}

/// A path below `root`, `/`-separated, as image records name it.
fn relative_name(root: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(root).unwrap_or(file);
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.is_empty() {
        file.file_name().map_or_else(
            || file.display().to_string(),
            |n| n.to_string_lossy().into(),
        )
    } else {
        parts.join("/")
    }
}

/// Ingests image files as market `market`: a directory (walked, every image file in it) or one image file.
/// Every file is copied into the evidence area and hashed, read from that copy, and stored with its record
/// in one batch; a file that cannot be decoded is stored too, with the reason. Files of the directory that
/// are no images (by their first bytes, nor by their name) are left out and listed.
pub fn ingest_images(
    case: &Case,
    market: &str,
    origin: &Path,
    progress: &dyn Progress,
) -> Result<ImageIngestReport, PipelineError> {
    let mut report = ImageIngestReport {
        origin: origin.to_path_buf(),
        market: market.to_string(),
        ..Default::default()
    };
    let (root, candidates) = if origin.is_dir() {
        let mut files = Vec::new();
        files_below(origin, &mut files)?;
        (origin.to_path_buf(), files)
    } else {
        let parent = origin.parent().unwrap_or(Path::new("")).to_path_buf();
        (parent, vec![origin.to_path_buf()])
    };
    let images: Vec<PathBuf> = candidates
        .into_iter()
        .filter_map(|f| {
            let by_name = f
                .file_name()
                .is_some_and(|n| has_image_extension(&n.to_string_lossy()));
            if is_image_file(&f) || by_name {
                Some(f)
            } else {
                report.skipped.push(f);
                None
            }
        })
        .collect();
    report.files = images.len() as u64;
    let mut batch = case.begin_batch(market, "images", &origin.display().to_string())?;
    progress.begin_items(&format!("images {}", origin.display()), images.len() as u64);
    // Copied and hashed one after another (the disk is the limit), decoded on every core.
    let mut staged = Vec::with_capacity(images.len());
    for (n, file) in images.iter().enumerate() {
        let s = batch.stage_file(file)?;
        if s.already_ingested {
            report.already_ingested += 1;
        } else {
            staged.push((relative_name(&root, file), s));
        }
        progress.set(n as u64 + 1);
    }
    progress.end();
    let readings = read_all(&staged);
    for ((path, s), reading) in staged.iter().zip(readings) {
        let format = reading.kind.map_or("unknown", |k| k.as_str());
        *report.by_format.entry(format.to_string()).or_default() += 1;
        if let Some(why) = &reading.error {
            report.undecodable.push((path.clone(), why.clone()));
        }
        let record = ImageFile {
            id: RecordId::new(market, EntityKind::ImageFile, path),
            market: market.to_string(),
            path: path.clone(),
            sha256: s.sha256.clone(),
            format: reading.kind.map(|k| k.as_str().to_string()),
            width: reading.width.map(u64::from),
            height: reading.height.map(u64::from),
            phash: reading.phash.map(phash_hex),
            decode_error: reading.error,
            provenance: Provenance {
                src_sha256: s.sha256.as_str().into(),
                src_table: path.as_str().into(),
                src_row: 1,
                src_offset: 0,
                src_len: s.size,
            },
        };
        batch.push(Record::ImageFile(record))?;
    }
    report.stored = staged.len() as u64;
    report.new_evidence = batch.commit()?.sources;
    Ok(report)
}

/// Reads every staged file (from the batch's copy: the bytes hashed), on all cores.
fn read_all(
    staged: &[(String, spector_store::StagedFile)],
) -> Vec<spector_ingest::image::ImageReading> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = staged.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let parts: Vec<_> = staged
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|(_, s)| read_one(&s.path, s.size))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        parts
            .into_iter()
            .flat_map(|p| p.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

fn read_one(path: &Path, size: u64) -> spector_ingest::image::ImageReading {
    let unread = |error: String| spector_ingest::image::ImageReading {
        kind: None,
        width: None,
        height: None,
        phash: None,
        error: Some(error),
    };
    if size > MAX_DECODED_BYTES {
        let mut reading = unread(format!(
            "not decoded: {size} bytes, more than the {MAX_DECODED_BYTES} a photo is read up to"
        ));
        reading.kind = std::fs::File::open(path).ok().and_then(|f| {
            use std::io::Read;
            let mut head = Vec::with_capacity(SNIFF_BYTES);
            f.take(SNIFF_BYTES as u64).read_to_end(&mut head).ok()?;
            sniff_image(&head)
        });
        return reading;
    }
    match std::fs::read(path) {
        Ok(bytes) => read_image(&bytes),
        Err(e) => unread(format!("cannot read the stored copy: {e}")),
    }
}

/// The photos each seller shows: every photo reference (a listing's, resolved to the listing's vendor, or
/// an account's own) joined to the image files of the same market by file name ([`photo_file_key`]), those
/// that could be decoded.
pub fn account_photos(
    listings: &[Listing],
    refs: &[PhotoRef],
    images: &[ImageFile],
) -> Vec<AccountPhoto> {
    let mut by_name: std::collections::HashMap<(&str, String), Vec<(u64, u64)>> =
        std::collections::HashMap::new();
    for image in images {
        let (Some(phash), Some(key)) = (
            image.phash.as_deref().and_then(parse_phash),
            photo_file_key(&image.path),
        ) else {
            continue;
        };
        // The first 64 bits of the SHA-256: the same file, byte for byte.
        let file = image
            .sha256
            .get(..16)
            .and_then(|h| u64::from_str_radix(h, 16).ok())
            .unwrap_or(0);
        by_name
            .entry((image.market.as_str(), key))
            .or_default()
            .push((phash, file));
    }
    if by_name.is_empty() {
        return Vec::new();
    }
    let vendor: std::collections::HashMap<&RecordId, &RecordId> = listings
        .iter()
        .filter_map(|l| Some((&l.id, l.vendor_id.as_ref()?)))
        .collect();
    let mut out = Vec::new();
    for r in refs {
        let owner = r
            .account_id
            .as_ref()
            .or_else(|| r.listing_id.as_ref().and_then(|l| vendor.get(l).copied()));
        let (Some(owner), Some(key)) = (owner, photo_file_key(&r.reference)) else {
            continue;
        };
        for &(phash, file) in by_name
            .get(&(r.market.as_str(), key))
            .map_or(&[][..], Vec::as_slice)
        {
            out.push(AccountPhoto {
                account: owner.clone(),
                phash,
                file,
            });
        }
    }
    out
}
