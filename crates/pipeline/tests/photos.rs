//! Product photos end to end over a synthetic world: the images directory of every market is ingested, every
//! photo reference of the dumps meets its file, re-uploads of one picture stay near in perceptual hash while
//! different pictures are far apart (checked against `truth/photos.csv`), and re-ingesting changes nothing.

use std::collections::{BTreeMap, HashMap};

use spector_ingest::image::parse_phash;
use spector_model::photo_file_key;
use spector_pipeline::{NoProgress, account_photos, ingest_images};
use spector_store::Case;

mod common;
use common::{ingest_all, world};

/// `truth/photos.csv`: (market, file name) → (picture, variation).
fn truth_pictures(root: &std::path::Path) -> HashMap<(String, String), (String, String)> {
    let mut out = HashMap::new();
    for r in csv::Reader::from_path(root.join("truth/photos.csv"))
        .expect("photos.csv")
        .records()
    {
        let r = r.expect("row");
        let name = r[1].rsplit('/').next().unwrap_or(&r[1]).to_string();
        out.insert(
            (r[0].to_string(), name),
            (r[4].to_string(), r[5].to_string()),
        );
    }
    out
}

#[test]
fn photos_meet_their_files_and_copies_of_a_picture_stay_near() {
    let w = world(17, 1.0, 6);
    let dir = tempfile::tempdir().unwrap();
    let case = Case::init(&dir.path().join("case")).unwrap();
    ingest_all(&case, &w.root);

    let images = case.images().unwrap();
    let refs = case.photo_refs().unwrap();
    let truth = truth_pictures(&w.root);
    assert_eq!(images.len(), truth.len(), "every file of images/ is stored");
    assert!(images.len() > 100, "{} images", images.len());
    // Every reference of a dump meets a file of its market by name.
    let names: std::collections::HashSet<(String, String)> = images
        .iter()
        .map(|i| (i.market.clone(), photo_file_key(&i.path).unwrap()))
        .collect();
    for r in &refs {
        let key = photo_file_key(&r.reference).expect("a name");
        assert!(
            names.contains(&(r.market.clone(), key)),
            "{}: {} names no seized file",
            r.id,
            r.reference
        );
    }
    let listings = case.listings().unwrap();
    let photos = account_photos(&listings, &refs, &images);
    assert_eq!(photos.len(), refs.len(), "one photo per reference");

    // Hashes by picture: copies of one picture near each other, different pictures far apart.
    let mut by_picture: BTreeMap<String, Vec<(u64, String)>> = BTreeMap::new();
    for i in &images {
        let (picture, variation) = &truth[&(i.market.clone(), i.path.clone())];
        let h = i.phash.as_deref().and_then(parse_phash).expect("decoded");
        by_picture
            .entry(picture.clone())
            .or_default()
            .push((h, variation.clone()));
    }
    let d = |a: u64, b: u64| (a ^ b).count_ones();
    let mut within: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    for copies in by_picture.values() {
        for (x, (a, va)) in copies.iter().enumerate() {
            for (b, vb) in &copies[x + 1..] {
                let kind = if va == "original" { vb } else { va };
                let kind = kind.split('_').next().unwrap_or(kind);
                within.entry(kind.to_string()).or_default().push(d(*a, *b));
            }
        }
    }
    let pictures: Vec<(&String, u64)> = by_picture.iter().map(|(p, c)| (p, c[0].0)).collect();
    let mut across = Vec::new();
    for (x, (_, a)) in pictures.iter().enumerate() {
        for (_, b) in &pictures[x + 1..] {
            across.push(d(*a, *b));
        }
    }
    across.sort_unstable();
    let quantile = |v: &mut Vec<u32>, q: f64| {
        v.sort_unstable();
        v[((v.len() - 1) as f64 * q) as usize]
    };
    for (kind, v) in &mut within {
        eprintln!(
            "copies with one {kind}: {} pairs, median {} bits, 95% {} bits, max {}",
            v.len(),
            quantile(v, 0.5),
            quantile(v, 0.95),
            v.last().unwrap()
        );
    }
    eprintln!(
        "different pictures: {} pairs, min {} bits, 1% {} bits, median {} bits",
        across.len(),
        across[0],
        quantile(&mut across.clone(), 0.01),
        quantile(&mut across.clone(), 0.5)
    );
    let mut all_within: Vec<u32> = within.values().flatten().copied().collect();
    assert!(
        quantile(&mut all_within, 0.9) <= 10,
        "nine in ten copies of one picture are at most 10 bits apart"
    );
    assert!(
        across[0] > 10,
        "two different pictures only {} bits apart",
        across[0]
    );

    // The same directories again: nothing new.
    let market_dir = w.root.join("markets/abyss/images");
    let again = ingest_images(&case, "abyss", &market_dir, &NoProgress).unwrap();
    assert_eq!(again.stored, 0);
    assert_eq!(again.already_ingested, again.files);
    assert_eq!(case.images().unwrap().len(), images.len());
}
