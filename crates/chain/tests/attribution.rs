//! The real attribution data of `../shared/data` (GraphSense TagPacks, 0xB10C's extraction of the OFAC SDN
//! list, and the flattened darknet rows of the packs as a golden file), and arbitrary text as a TagPack.
//! The tests on real data skip when it is absent.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use spector_chain::attribution::{
    RejectReason, TagKind, TagPackRead, canonical_address, parse_tagpack,
};
use spector_chain::{AddressTag, AttributionError, read_sanctions_list, read_tagpack};

mod support;

const PACK_DIRS: [&str; 2] = [
    "attribution/graphsense_tagpacks",
    "chain/tags/graphsense-tagpacks",
];

fn files_in(dir: &Path, extension: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == extension))
        .collect();
    files.sort();
    files
}

/// The pack's list entries counted from its text, not by the reader: lines starting with `- ` (every pack
/// here writes `tags:` as a block list at column 0, and nothing else there).
fn list_entries_in_text(path: &Path) -> usize {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("- "))
        .count()
}

#[test]
fn every_tagpack_reads_and_every_list_entry_is_a_tag_or_a_reject() {
    let mut packs_read = 0;
    for relative in PACK_DIRS {
        let dir = data_or_skip!(relative);
        for path in files_in(&dir, "yaml") {
            let name = path.file_name().unwrap().to_str().unwrap().to_owned();
            if name == "graphsense.actorpack.yaml" {
                let error = read_tagpack(&path).unwrap_err();
                assert!(
                    matches!(error, AttributionError::ActorPack { .. }),
                    "{error}"
                );
                continue;
            }
            let read = read_tagpack(&path).unwrap_or_else(|e| panic!("{e}"));
            packs_read += 1;
            let entries = list_entries_in_text(&path);
            assert!(entries > 0, "{name}");
            assert_eq!(read.tags.len() + read.rejects.len(), entries, "{name}");
            let mut indices: Vec<usize> = read
                .tags
                .iter()
                .map(|t| t.origin.index)
                .chain(read.rejects.iter().map(|r| r.origin.index))
                .collect();
            indices.sort_unstable();
            assert!(indices.iter().copied().eq(1..=entries), "{name}");
            assert!(read.title.is_some() && read.creator.is_some(), "{name}");
            for tag in &read.tags {
                assert_eq!(tag.kind, TagKind::TagPack);
                assert_eq!(&*tag.origin.file, path.as_path());
                assert!(!tag.label.is_empty() && !tag.source.is_empty(), "{name}");
                assert_eq!(tag.currency, tag.currency.to_uppercase());
            }
            // The one bad tag of the real packs: OFAC's SDN list gives a TRON-shaped address (T...) as XBT,
            // and GraphSense's ofac pack copies it as BTC (the sanctions list below holds it too).
            let rejects: Vec<(usize, &RejectReason)> = read
                .rejects
                .iter()
                .map(|r| (r.origin.index, &r.reason))
                .collect();
            if name == "ofac.yaml" {
                assert_eq!(rejects.len(), 1, "{rejects:?}");
                assert_eq!(read.rejects[0].origin.line, 1069);
                assert_eq!(rejects[0].0, 531);
                assert!(matches!(
                    rejects[0].1,
                    RejectReason::InvalidBitcoinAddress { address, .. }
                        if address == "TUCsTq7TofTCJRRoHk6RvhMoS2mJLm5Yzq"
                ));
            } else {
                assert!(rejects.is_empty(), "{name}: {rejects:?}");
            }
        }
    }
    assert_eq!(packs_read, 4 + 22);
}

fn pack(relative: &str) -> Option<TagPackRead> {
    support::shared_data(relative).map(|p| read_tagpack(&p).unwrap())
}

macro_rules! pack_or_skip {
    ($relative:expr) => {
        match pack($relative) {
            Some(p) => p,
            None => {
                eprintln!("skipped: ../shared/data/{} is absent", $relative);
                return;
            }
        }
    };
}

#[test]
fn hydra_holds_117_bitcoin_addresses_of_hydra_market_from_the_treasury() {
    let read = pack_or_skip!("attribution/graphsense_tagpacks/hydra.yaml");
    assert_eq!(read.title.as_deref(), Some("Hydra Market"));
    assert_eq!(read.creator.as_deref(), Some("GraphSense Core Team"));
    assert_eq!(read.last_modified.as_deref(), Some("2023-05-10"));
    assert_eq!(read.tags.len(), 117);
    let distinct: BTreeSet<&str> = read.tags.iter().map(|t| t.address.as_str()).collect();
    assert_eq!(distinct.len(), 117);
    for tag in &read.tags {
        assert_eq!(tag.currency, "BTC");
        assert_eq!(tag.label, "Hydra Market");
        assert_eq!(tag.category.as_deref(), Some("market"));
        assert_eq!(tag.actor.as_deref(), Some("hydramarket"));
        assert_eq!(tag.confidence.as_deref(), Some("authority_data"));
        assert!(tag.is_cluster_definer);
        assert_eq!(
            tag.source,
            "https://home.treasury.gov/policy-issues/financial-sanctions/recent-actions/20220405"
        );
    }
    // First and last entries, read off the file (lines 13 and 129).
    let first = &read.tags[0];
    assert_eq!(first.address, "1BCWMwpR4M1nYUuuYe2bmzrNuwGoF9ZAbA");
    assert_eq!((first.origin.line, first.origin.index), (13, 1));
    let last = &read.tags[116];
    assert_eq!(last.address, "1PWRKxkR5AU7Tc9zPqjdhtu1eGW1QZzs4y");
    assert_eq!((last.origin.line, last.origin.index), (129, 117));
}

#[test]
fn walletexplorer_tags_set_their_own_fields_and_inherit_the_rest() {
    let read = pack_or_skip!("attribution/graphsense_tagpacks/walletexplorer.yaml");
    assert_eq!(read.tags.len(), 386);
    let first = &read.tags[0];
    assert_eq!(first.address, "1vdXJDiDSzeUAoM7eAcWZPhM9wEKmH8dG");
    assert_eq!(first.label, "Huobi.com");
    assert_eq!(
        first.source,
        "https://www.walletexplorer.com/address/1vdXJDiDSzeUAoM7eAcWZPhM9wEKmH8dG"
    );
    assert_eq!(first.category.as_deref(), Some("exchange"));
    assert_eq!(first.actor.as_deref(), Some("huobi"));
    assert_eq!(first.confidence.as_deref(), Some("service_data"));
    assert!(first.is_cluster_definer);
    assert_eq!(first.last_modified.as_deref(), Some("2021-11-11"));
    assert_eq!(first.origin.line, 8);
    // 386 tags, 384 `actor:` lines (grep): two tags have no actor and the header none to give.
    assert_eq!(read.tags.iter().filter(|t| t.actor.is_none()).count(), 2);
}

#[test]
fn older_packs_give_abuse_and_per_tag_cluster_definers() {
    let ransomware = pack_or_skip!("chain/tags/graphsense-tagpacks/ransomware.yaml");
    assert_eq!(ransomware.tags.len(), 7178);
    let first = &ransomware.tags[0];
    assert_eq!(first.address, "1Lud76Q98VRHCUiyK7XUs7AgFofrqXeP78");
    assert_eq!(first.label, "7ev3n");
    assert_eq!(first.abuse.as_deref(), Some("ransomware"));
    assert_eq!(first.category, None);
    assert_eq!(first.confidence.as_deref(), Some("forensic"));
    assert!(first.is_cluster_definer);

    let mixing = pack_or_skip!("chain/tags/graphsense-tagpacks/mixing_fc2021.yaml");
    assert_eq!(mixing.tags.len(), 66);
    assert_eq!(mixing.tags[0].label, "ChipMixer");
    assert_eq!(mixing.tags[0].address, "1LAScEFHGkfpyjtFzA4g9283JmL2cYR9Tx");
    assert!(mixing.tags.iter().all(|t| !t.is_cluster_definer));
    assert!(
        mixing
            .tags
            .iter()
            .all(|t| t.category.as_deref() == Some("mixing_service"))
    );

    // `currency: BTC ` with a trailing blank in every tag.
    let ransomwhere = pack_or_skip!("chain/tags/graphsense-tagpacks/ransomwhere.yaml");
    assert!(ransomwhere.tags.iter().all(|t| t.currency == "BTC"));
    assert_eq!(ransomwhere.tags[0].label, "Netwalker (Mailto)");
}

#[test]
fn the_packs_shared_by_both_directories_read_alike() {
    let first = data_or_skip!(PACK_DIRS[0]);
    let second = data_or_skip!(PACK_DIRS[1]);
    let without_origin = |tags: Vec<AddressTag>| -> Vec<_> {
        tags.into_iter()
            .map(|t| (t.address, t.label, t.source, t.actor, t.origin.line))
            .collect()
    };
    for path in files_in(&first, "yaml") {
        let other = second.join(path.file_name().unwrap());
        let a = without_origin(read_tagpack(&path).unwrap().tags);
        let b = without_origin(read_tagpack(&other).unwrap().tags);
        assert!(!a.is_empty());
        assert_eq!(a, b, "{}", path.display());
    }
}

/// `darknet_related_tags_DERIVED.csv` flattens the darknet rows of the packs; every row must be a tag read
/// from its pack with the same fields.
#[test]
fn every_row_of_the_derived_darknet_csv_is_a_tag_read_alike() {
    let csv = data_or_skip!("attribution/darknet_related_tags_DERIVED.csv");
    let root = csv.parent().unwrap().to_owned();
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("address,currency,label,category,actor,confidence,source,tagpack_file")
    );
    let mut packs: HashMap<String, HashMap<(String, String), Vec<AddressTag>>> = HashMap::new();
    let mut rows = 0;
    let mut per_pack: HashMap<String, usize> = HashMap::new();
    for (n, line) in lines.enumerate() {
        // No field of this file is quoted or holds a comma (checked: every row has 8 fields).
        let fields: Vec<&str> = line.split(',').collect();
        assert_eq!(fields.len(), 8, "row {}: {line}", n + 2);
        let [
            address,
            currency,
            label,
            category,
            actor,
            confidence,
            source,
            pack_file,
        ] = fields[..]
        else {
            unreachable!()
        };
        let tags = packs.entry(pack_file.to_owned()).or_insert_with(|| {
            let mut by_address: HashMap<(String, String), Vec<AddressTag>> = HashMap::new();
            for tag in read_tagpack(&root.join(pack_file)).unwrap().tags {
                by_address
                    .entry((tag.currency.clone(), tag.address.clone()))
                    .or_default()
                    .push(tag);
            }
            by_address
        });
        let key = (
            currency.to_owned(),
            canonical_address(currency, address).unwrap(),
        );
        let found = tags
            .get(&key)
            .unwrap_or_else(|| panic!("row {}: {address} not read from {pack_file}", n + 2));
        let optional = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        let same = found.iter().any(|t| {
            t.label == label
                && t.category == optional(category)
                && t.actor == optional(actor)
                && t.confidence == optional(confidence)
                && t.source == source
        });
        assert!(same, "row {}: {line}\nread: {found:?}", n + 2);
        rows += 1;
        *per_pack.entry(pack_file.to_owned()).or_default() += 1;
    }
    assert_eq!(rows, 173);
    assert_eq!(per_pack["graphsense_tagpacks/hydra.yaml"], 117);
    assert_eq!(per_pack["graphsense_tagpacks/walletexplorer.yaml"], 56);
}

#[test]
fn every_sanctions_list_line_is_a_tag_or_a_reject() {
    let dir = data_or_skip!("attribution/ofac_sdn_addresses_0xB10C");
    let files = files_in(&dir, "txt");
    assert_eq!(files.len(), 17);
    for path in &files {
        let read = read_sanctions_list(path).unwrap_or_else(|e| panic!("{e}"));
        let text = std::fs::read_to_string(path).unwrap();
        let lines = text.lines().filter(|l| !l.trim().is_empty()).count();
        assert_eq!(read.tags.len() + read.rejects.len(), lines);
        for tag in &read.tags {
            assert_eq!(tag.kind, TagKind::SanctionsList);
            assert_eq!(tag.currency, read.currency);
        }
        let name = path.file_name().unwrap().to_str().unwrap();
        if name != "sanctioned_addresses_XBT.txt" {
            assert!(read.rejects.is_empty(), "{name}: {:?}", read.rejects);
        }
    }

    let xbt = read_sanctions_list(&dir.join("sanctioned_addresses_XBT.txt")).unwrap();
    assert_eq!(xbt.currency, "BTC");
    // 435 lines (wc -l), no blank line: 434 mainnet addresses and the TRON-shaped entry on line 355.
    assert_eq!(xbt.tags.len(), 434);
    assert_eq!(xbt.rejects.len(), 1);
    assert_eq!(xbt.rejects[0].origin.line, 355);
    assert!(matches!(
        &xbt.rejects[0].reason,
        RejectReason::InvalidBitcoinAddress { address, .. } if address == "TUCsTq7TofTCJRRoHk6RvhMoS2mJLm5Yzq"
    ));
    for tag in &xbt.tags {
        assert_eq!(
            canonical_address("BTC", &tag.address).as_deref(),
            Ok(tag.address.as_str())
        );
    }

    // Cross-source: Hydra's 117 addresses were sanctioned on 5 April 2022, and GraphSense's ofac pack is an
    // earlier extraction of the same list; both are inside this one.
    let on_list: BTreeSet<&str> = xbt.tags.iter().map(|t| t.address.as_str()).collect();
    if let Some(hydra) = pack("attribution/graphsense_tagpacks/hydra.yaml") {
        assert!(
            hydra
                .tags
                .iter()
                .all(|t| on_list.contains(t.address.as_str()))
        );
    }
    if let Some(ofac) = pack("attribution/graphsense_tagpacks/ofac.yaml") {
        let btc: Vec<&AddressTag> = ofac.tags.iter().filter(|t| t.currency == "BTC").collect();
        assert_eq!(btc.len(), 384);
        assert!(btc.iter().all(|t| on_list.contains(t.address.as_str())));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Arbitrary text never panics; a reading numbers its tags and rejects 1..n, each on a line of the text.
    #[test]
    fn arbitrary_text_as_a_tagpack_never_panics(text in any::<String>()) {
        check_reading(text.as_bytes());
    }

    /// Headers and tags made of TagPack pieces reach past the YAML syntax into the tag rules.
    #[test]
    fn tagpack_like_text_never_panics(
        header in prop::sample::subsequence(vec![
            "title: t\n", "source: s\n", "label: l\n", "currency: BTC\n", "label: [1]\n",
            "is_cluster_definer: on\n", "actors:\n- id: a\n", "lastmod: 2023-05-10\n",
        ], 0..6),
        tags in prop::collection::vec(prop_oneof![
            3 => (
                prop::sample::select(vec![
                    "- address: 1BCWMwpR4M1nYUuuYe2bmzrNuwGoF9ZAbA\n",
                    "- address: BC1QJ6J6P0JDEFL6PVDZX3KX8245YY5MZ6Q4LUHZES\n",
                    "- address: 1BCWMwpR4M1nYUuuYe2bmzrNuwGoF9ZAbB\n",
                    "- address: '0xabc'\n",
                    "- label: z\n",
                ]),
                prop::sample::subsequence(vec![
                    "  label: x\n", "  currency: ETH\n", "  is_cluster_definer: yes\n", "  source: .inf\n",
                    "  context: {a: [1]}\n", "  actor: 01\n", "  category: [1, 2]\n", "  confidence: ~\n",
                ], 0..4),
            ).prop_map(|(first, fields)| format!("{first}{}", fields.concat())),
            1 => prop::sample::select(vec![
                "- foo\n", "- [1]\n", "- &a {address: 3KvBX3jo69Qn8jHy44M33RYoeYcf8DdRBD, label: y}\n",
                "- *a\n", "- {address: x, address: y}\n",
            ]).prop_map(str::to_owned),
        ], 0..8),
        tail in prop::sample::select(vec!["", "", "", "---\n", "  - [\n", "'", "\t", "tags: {}\n"]),
    ) {
        let text = format!("{}tags:\n{}{tail}", header.concat(), tags.concat());
        check_reading(text.as_bytes());
    }
}

fn check_reading(bytes: &[u8]) {
    let lines = bytes.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    if let Ok(read) = parse_tagpack(Path::new("arbitrary.yaml"), bytes) {
        let mut indices: Vec<usize> = read
            .tags
            .iter()
            .map(|t| t.origin.index)
            .chain(read.rejects.iter().map(|r| r.origin.index))
            .collect();
        indices.sort_unstable();
        assert!(indices.iter().copied().eq(1..=indices.len()));
        for tag in &read.tags {
            assert!(tag.origin.line >= 1 && tag.origin.line <= lines);
            assert!(!tag.address.is_empty() && !tag.label.is_empty() && !tag.source.is_empty());
        }
    }
}
