//! Tests of the store's design rules. Crash-by-kill tests, which need a child process, are in `tests/`.

use crate::parts::{ROW_GROUP_ROWS, read_part, write_part};
use crate::tables::Row;
use crate::*;
use proptest::collection::vec;
use proptest::prelude::*;
use spector_model::*;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Debug;
use std::fs;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

// ---------------------------------------------------------------------------------------------------------
// Round trips of every table, at the part level, with arbitrary values.

fn text() -> impl Strategy<Value = String> {
    any::<String>()
}
fn opt_text() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(any::<String>())
}
fn id() -> impl Strategy<Value = RecordId> {
    any::<String>().prop_map(RecordId::from_stored)
}
fn opt_id() -> impl Strategy<Value = Option<RecordId>> {
    proptest::option::of(id())
}
fn number() -> impl Strategy<Value = f64> {
    // NaN is the one value that cannot compare equal to itself after a round trip.
    any::<f64>().prop_filter("not NaN", |f| !f.is_nan())
}
fn opt_number() -> impl Strategy<Value = Option<f64>> {
    proptest::option::of(number())
}
fn opt_time() -> impl Strategy<Value = Option<i64>> {
    proptest::option::of(any::<i64>())
}
fn provenance() -> impl Strategy<Value = Provenance> {
    (text(), text(), any::<u64>(), any::<u64>(), any::<u64>()).prop_map(
        |(src_sha256, src_table, src_row, src_offset, src_len)| Provenance {
            src_sha256: src_sha256.into(),
            src_table: src_table.into(),
            src_row,
            src_offset,
            src_len,
        },
    )
}

fn market() -> impl Strategy<Value = Market> {
    (id(), text(), provenance()).prop_map(|(id, name, provenance)| Market {
        id,
        name,
        provenance,
    })
}

fn account() -> impl Strategy<Value = Account> {
    let role = prop_oneof![
        Just(AccountRole::Vendor),
        Just(AccountRole::Buyer),
        Just(AccountRole::Staff)
    ];
    (
        id(),
        text(),
        text(),
        role,
        opt_time(),
        opt_text(),
        provenance(),
    )
        .prop_map(
            |(id, market, name, role, created_at, profile, provenance)| Account {
                id,
                market,
                name,
                role,
                created_at,
                profile,
                provenance,
            },
        )
}

fn listing() -> impl Strategy<Value = Listing> {
    (
        (id(), text(), opt_id(), text(), opt_text(), opt_text()),
        (
            opt_number(),
            opt_text(),
            opt_text(),
            opt_text(),
            opt_time(),
            provenance(),
        ),
    )
        .prop_map(
            |(
                (id, market, vendor_id, title, description, category),
                (price, currency, ships_from, ships_to, created_at, provenance),
            )| Listing {
                id,
                market,
                vendor_id,
                title,
                description,
                category,
                price,
                currency,
                ships_from,
                ships_to,
                created_at,
                provenance,
            },
        )
}

fn order() -> impl Strategy<Value = Order> {
    let state = proptest::sample::select(OrderState::ALL.to_vec());
    (
        (id(), text(), opt_id(), opt_id(), opt_id(), opt_number()),
        (
            opt_number(),
            opt_text(),
            state,
            opt_text(),
            opt_time(),
            provenance(),
        ),
    )
        .prop_map(
            |(
                (id, market, listing_id, buyer_id, vendor_id, quantity),
                (amount, currency, state, state_raw, created_at, provenance),
            )| Order {
                id,
                market,
                listing_id,
                buyer_id,
                vendor_id,
                quantity,
                amount,
                currency,
                state,
                state_raw,
                created_at,
                provenance,
            },
        )
}

fn feedback() -> impl Strategy<Value = Feedback> {
    (
        (id(), text(), opt_id(), opt_id(), opt_id()),
        (opt_id(), opt_number(), opt_text(), opt_time(), provenance()),
    )
        .prop_map(
            |(
                (id, market, order_id, listing_id, vendor_id),
                (buyer_id, rating, comment, created_at, provenance),
            )| Feedback {
                id,
                market,
                order_id,
                listing_id,
                vendor_id,
                buyer_id,
                rating,
                comment,
                created_at,
                provenance,
            },
        )
}

fn message() -> impl Strategy<Value = Message> {
    (
        id(),
        text(),
        opt_id(),
        opt_id(),
        opt_text(),
        text(),
        opt_time(),
        provenance(),
    )
        .prop_map(
            |(id, market, sender_id, recipient_id, subject, body, created_at, provenance)| {
                Message {
                    id,
                    market,
                    sender_id,
                    recipient_id,
                    subject,
                    body,
                    created_at,
                    provenance,
                }
            },
        )
}

fn pgp_key() -> impl Strategy<Value = PgpKey> {
    (
        id(),
        text(),
        opt_id(),
        text(),
        opt_text(),
        opt_text(),
        opt_text(),
        provenance(),
    )
        .prop_map(
            |(id, market, account_id, armored, fingerprint, parse_error, found_in, provenance)| {
                PgpKey {
                    id,
                    market,
                    account_id,
                    armored,
                    fingerprint,
                    parse_error,
                    found_in,
                    provenance,
                }
            },
        )
}

fn crypto_address() -> impl Strategy<Value = CryptoAddress> {
    (
        id(),
        text(),
        opt_id(),
        text(),
        text(),
        opt_text(),
        opt_text(),
        provenance(),
    )
        .prop_map(
            |(id, market, account_id, address, coin, purpose, found_in, provenance)| {
                CryptoAddress {
                    id,
                    market,
                    account_id,
                    address,
                    coin,
                    purpose,
                    found_in,
                    provenance,
                }
            },
        )
}

fn shipping_info() -> impl Strategy<Value = ShippingInfo> {
    (
        id(),
        text(),
        opt_id(),
        opt_id(),
        opt_id(),
        text(),
        any::<bool>(),
        provenance(),
    )
        .prop_map(
            |(id, market, order_id, buyer_id, vendor_id, text, encrypted, provenance)| {
                ShippingInfo {
                    id,
                    market,
                    order_id,
                    buyer_id,
                    vendor_id,
                    text,
                    encrypted,
                    provenance,
                }
            },
        )
}

fn image_file() -> impl Strategy<Value = ImageFile> {
    (
        (id(), text(), text(), text()),
        (opt_text(), proptest::option::of(any::<u64>())),
        (proptest::option::of(any::<u64>()), opt_text(), opt_text()),
        provenance(),
    )
        .prop_map(
            |(
                (id, market, path, sha256),
                (format, width),
                (height, phash, decode_error),
                provenance,
            )| {
                ImageFile {
                    id,
                    market,
                    path,
                    sha256,
                    format,
                    width,
                    height,
                    phash,
                    decode_error,
                    provenance,
                }
            },
        )
}

fn photo_ref() -> impl Strategy<Value = PhotoRef> {
    (id(), text(), opt_id(), opt_id(), text(), provenance()).prop_map(
        |(id, market, listing_id, account_id, reference, provenance)| PhotoRef {
            id,
            market,
            listing_id,
            account_id,
            reference,
            provenance,
        },
    )
}

fn contact_handle() -> impl Strategy<Value = ContactHandle> {
    (
        id(),
        text(),
        opt_id(),
        text(),
        text(),
        text(),
        opt_text(),
        provenance(),
    )
        .prop_map(
            |(id, market, account_id, kind, handle, raw, found_in, provenance)| ContactHandle {
                id,
                market,
                account_id,
                kind,
                handle,
                raw,
                found_in,
                provenance,
            },
        )
}

fn quarantined() -> impl Strategy<Value = Quarantined> {
    (text(), text(), any::<u64>(), any::<u64>(), text(), text()).prop_map(
        |(src_sha256, file, line, offset, raw, reason)| Quarantined {
            src_sha256,
            reject: Reject {
                file,
                line,
                offset,
                raw,
                reason,
            },
        },
    )
}

fn persona_member() -> impl Strategy<Value = PersonaMember> {
    (text(), id()).prop_map(|(persona_id, account_id)| PersonaMember {
        persona_id,
        account_id,
    })
}

fn refused_link_row() -> impl Strategy<Value = RefusedLink> {
    (link_evidence_row(), 1i64..i64::MAX).prop_map(|(evidence, n)| RefusedLink {
        evidence,
        judgement: JudgementId(n),
    })
}

fn link_rule_row() -> impl Strategy<Value = LinkRuleRate> {
    (
        "[a-z:_]{1,20}",
        any::<u64>(),
        proptest::option::of(0.0f64..1.0),
        proptest::option::of(0.0f64..1.0),
        proptest::option::of(0.0f64..1.0),
        ".{0,80}",
    )
        .prop_map(|(rule, links, threshold, p, r, basis)| LinkRuleRate {
            rule,
            links,
            threshold,
            expected_precision: p,
            expected_recall: r,
            basis,
        })
}

fn link_model_row() -> impl Strategy<Value = LinkModelLevel> {
    (
        "[a-z_]{1,16}",
        0u64..8,
        ".{0,24}",
        0.0f64..1.0,
        0.0f64..1.0,
        -40.0f64..40.0,
    )
        .prop_map(
            |(comparison, level, level_name, m, u, weight_bits)| LinkModelLevel {
                comparison,
                level,
                level_name,
                m,
                u,
                weight_bits,
            },
        )
}

fn link_evidence_row() -> impl Strategy<Value = LinkEvidence> {
    (id(), id(), text(), text(), number()).prop_map(|(account_a, account_b, rule, value, score)| {
        LinkEvidence {
            account_a,
            account_b,
            rule,
            value,
            score,
        }
    })
}

fn listing_facts_row() -> impl Strategy<Value = ListingFacts> {
    let class = (
        id(),
        text(),
        opt_id(),
        opt_text(),
        opt_text(),
        any::<(bool, bool, bool)>(),
        text(),
    );
    let amounts = (
        opt_number(),
        opt_number(),
        opt_number(),
        opt_number(),
        text(),
    );
    let price_and_places = (
        opt_number(),
        opt_text(),
        (opt_text(), opt_text(), opt_text(), opt_text()),
        text(),
        text(),
    );
    (class, amounts, price_and_places).prop_map(
        |(
            (listing_id, market, vendor_id, class, class_group, flags, matched),
            (grams, units, dose_mg, purity_pct, amounts),
            (
                price_usd,
                price_usd_note,
                (ships_from, ships_from_kind, ships_to, ships_to_kind),
                taxonomy,
                enrichment,
            ),
        )| ListingFacts {
            listing_id,
            market,
            vendor_id,
            class,
            class_group,
            fentanyl: flags.0,
            counterfeit_pill: flags.1,
            youth_appeal: flags.2,
            matched,
            grams,
            units,
            dose_mg,
            purity_pct,
            amounts,
            price_usd,
            price_usd_note,
            ships_from,
            ships_from_kind,
            ships_to,
            ships_to_kind,
            taxonomy,
            enrichment,
        },
    )
}

fn order_value_row() -> impl Strategy<Value = OrderValue> {
    (
        id(),
        text(),
        opt_id(),
        opt_id(),
        opt_number(),
        opt_text(),
        text(),
    )
        .prop_map(
            |(order_id, market, listing_id, vendor_id, usd, usd_note, enrichment)| OrderValue {
                order_id,
                market,
                listing_id,
                vendor_id,
                usd,
                usd_note,
                enrichment,
            },
        )
}

fn chain_block_row() -> impl Strategy<Value = ChainBlock> {
    let header = (
        text(),
        text(),
        proptest::option::of(any::<u64>()),
        any::<i32>(),
        any::<i32>(),
    );
    let rest = (
        any::<(u32, u32)>(),
        text(),
        any::<(u64, u64, u64)>(),
        text(),
        provenance(),
    );
    (header, rest).prop_map(
        |(
            (hash, prev_hash, height, time, version),
            ((bits, nonce), merkle_root, (tx_count, size, weight), network, provenance),
        )| ChainBlock {
            hash,
            prev_hash,
            height,
            time: i64::from(time),
            version,
            bits,
            nonce,
            merkle_root,
            tx_count,
            size,
            weight,
            network,
            provenance,
        },
    )
}

fn chain_tx_row() -> impl Strategy<Value = ChainTx> {
    let ids = (
        text(),
        text(),
        proptest::option::of(any::<u64>()),
        any::<i32>(),
        any::<u32>(),
    );
    let sizes = (any::<(i32, u32)>(), any::<(u64, u64, u64)>(), any::<bool>());
    let values = (
        any::<(u32, u32)>(),
        proptest::option::of(any::<u64>()),
        any::<u64>(),
        proptest::option::of(any::<u64>()),
    );
    (ids, sizes, values).prop_map(
        |(
            (txid, block_hash, height, time, index),
            ((version, lock_time), (size, vsize, weight), coinbase),
            ((input_count, output_count), input_value, output_value, fee),
        )| ChainTx {
            txid,
            block_hash,
            height,
            time: i64::from(time),
            index,
            version,
            lock_time,
            size,
            vsize,
            weight,
            coinbase,
            input_count,
            output_count,
            input_value,
            output_value,
            fee,
        },
    )
}

fn chain_input_row() -> impl Strategy<Value = ChainInput> {
    (
        text(),
        any::<u32>(),
        opt_text(),
        proptest::option::of(any::<u32>()),
        any::<u32>(),
        proptest::option::of(any::<u64>()),
        opt_text(),
        opt_text(),
    )
        .prop_map(
            |(txid, vin, prev_txid, prev_vout, sequence, value, address, script_type)| ChainInput {
                txid,
                vin,
                prev_txid,
                prev_vout,
                sequence,
                value,
                address,
                script_type,
            },
        )
}

fn chain_output_row() -> impl Strategy<Value = ChainOutput> {
    (text(), any::<u32>(), any::<u64>(), text(), opt_text()).prop_map(
        |(txid, vout, value, script_type, address)| ChainOutput {
            txid,
            vout,
            value,
            script_type,
            address,
        },
    )
}

fn chain_address_row() -> impl Strategy<Value = ChainAddress> {
    (
        text(),
        text(),
        any::<(i32, i32)>(),
        any::<(u64, u64, u64, u64)>(),
        text(),
        any::<u64>(),
    )
        .prop_map(
            |(
                address,
                script_type,
                (first, last),
                (outputs, received, inputs, spent),
                cluster,
                cluster_size,
            )| ChainAddress {
                address,
                script_type,
                first_seen: i64::from(first),
                last_seen: i64::from(last),
                outputs,
                received,
                inputs,
                spent,
                cluster,
                cluster_size,
            },
        )
}

fn chain_union_row() -> impl Strategy<Value = ChainUnion> {
    (text(), text(), text(), text()).prop_map(|(address_a, address_b, txid, rule)| ChainUnion {
        address_a,
        address_b,
        txid,
        rule,
    })
}

fn chain_tag_row() -> impl Strategy<Value = ChainTag> {
    (
        (text(), text(), text(), opt_text(), opt_text()),
        (text(), opt_text(), text(), any::<u64>(), text()),
    )
        .prop_map(
            |(
                (address, currency, label, category, actor),
                (source, confidence, file, position, src_sha256),
            )| ChainTag {
                address,
                currency,
                label,
                category,
                actor,
                source,
                confidence,
                file,
                position,
                src_sha256,
            },
        )
}

fn chain_skip_row() -> impl Strategy<Value = ChainSkip> {
    (
        text(),
        text(),
        proptest::option::of(any::<u64>()),
        proptest::option::of(any::<u64>()),
    )
        .prop_map(|(txid, rule, size_a, size_b)| ChainSkip {
            txid,
            rule,
            size_a,
            size_b,
        })
}

fn part_round_trip<T: Row + PartialEq + Debug>(rows: Vec<T>) -> Result<(), TestCaseError> {
    let dir = TempDir::new().unwrap();
    let part = write_part(dir.path(), &rows).unwrap();
    let mut back: Vec<T> = Vec::new();
    match part {
        None => prop_assert!(rows.is_empty(), "rows but no part"),
        Some(p) => {
            prop_assert_eq!(p.rows, rows.len() as u64);
            prop_assert_eq!(read_part(&p.staged, &mut back).unwrap(), rows.len() as u64);
        }
    }
    prop_assert_eq!(back, rows);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test] fn markets_round_trip(rows in vec(market(), 0..12)) { part_round_trip(rows)?; }
    #[test] fn accounts_round_trip(rows in vec(account(), 0..12)) { part_round_trip(rows)?; }
    #[test] fn listings_round_trip(rows in vec(listing(), 0..12)) { part_round_trip(rows)?; }
    #[test] fn orders_round_trip(rows in vec(order(), 0..12)) { part_round_trip(rows)?; }
    #[test] fn feedback_round_trip(rows in vec(feedback(), 0..12)) { part_round_trip(rows)?; }
    #[test] fn messages_round_trip(rows in vec(message(), 0..12)) { part_round_trip(rows)?; }
    #[test] fn pgp_keys_round_trip(rows in vec(pgp_key(), 0..12)) { part_round_trip(rows)?; }
    #[test] fn crypto_addresses_round_trip(rows in vec(crypto_address(), 0..12)) { part_round_trip(rows)?; }
    #[test] fn contact_handles_round_trip(rows in vec(contact_handle(), 0..12)) { part_round_trip(rows)?; }
    #[test] fn shipping_info_round_trip(rows in vec(shipping_info(), 0..12)) { part_round_trip(rows)?; }
    #[test] fn images_round_trip(rows in vec(image_file(), 0..12)) { part_round_trip(rows)?; }
    #[test] fn photo_refs_round_trip(rows in vec(photo_ref(), 0..12)) { part_round_trip(rows)?; }
    #[test] fn rejects_round_trip(rows in vec(quarantined(), 0..12)) { part_round_trip(rows)?; }
    #[test] fn persona_members_round_trip(rows in vec(persona_member(), 0..12)) { part_round_trip(rows)?; }
    #[test] fn link_evidence_round_trip(rows in vec(link_evidence_row(), 0..12)) { part_round_trip(rows)?; }
    #[test] fn refused_links_round_trip(rows in vec(refused_link_row(), 0..12)) { part_round_trip(rows)?; }
    #[test] fn link_rules_round_trip(rows in vec(link_rule_row(), 0..12)) { part_round_trip(rows)?; }
    #[test] fn link_model_round_trip(rows in vec(link_model_row(), 0..12)) { part_round_trip(rows)?; }
    #[test] fn listing_facts_round_trip(rows in vec(listing_facts_row(), 0..12)) { part_round_trip(rows)?; }
    #[test] fn order_values_round_trip(rows in vec(order_value_row(), 0..12)) { part_round_trip(rows)?; }
    #[test] fn chain_blocks_round_trip(rows in vec(chain_block_row(), 0..12)) { part_round_trip(rows)?; }
    #[test] fn chain_txs_round_trip(rows in vec(chain_tx_row(), 0..12)) { part_round_trip(rows)?; }
    #[test] fn chain_inputs_round_trip(rows in vec(chain_input_row(), 0..12)) { part_round_trip(rows)?; }
    #[test] fn chain_outputs_round_trip(rows in vec(chain_output_row(), 0..12)) { part_round_trip(rows)?; }
    #[test] fn chain_addresses_round_trip(rows in vec(chain_address_row(), 0..12)) { part_round_trip(rows)?; }
    #[test] fn chain_unions_round_trip(rows in vec(chain_union_row(), 0..12)) { part_round_trip(rows)?; }
    #[test] fn chain_skips_round_trip(rows in vec(chain_skip_row(), 0..12)) { part_round_trip(rows)?; }
    #[test] fn chain_tags_round_trip(rows in vec(chain_tag_row(), 0..12)) { part_round_trip(rows)?; }
}

/// The chain tables' column readers (what a trace reads of them) give exactly the fields of the rows read
/// whole, in the same order.
fn chain_columns_agree_with_rows(
    txs: Vec<ChainTx>,
    inputs: Vec<ChainInput>,
    outputs: Vec<ChainOutput>,
    addresses: Vec<ChainAddress>,
    unions: Vec<ChainUnion>,
) -> Result<(), TestCaseError> {
    let dir = TempDir::new().unwrap();
    let case = Case::init(&dir.path().join("case")).unwrap();
    let mut w = case.begin_chain().unwrap();
    txs.iter().for_each(|r| w.push_tx(r).unwrap());
    inputs.iter().for_each(|r| w.push_input(r).unwrap());
    outputs.iter().for_each(|r| w.push_output(r).unwrap());
    addresses.iter().for_each(|r| w.push_address(r).unwrap());
    unions.iter().for_each(|r| w.push_union(r).unwrap());
    w.commit(&[]).unwrap();

    let mut got = Vec::new();
    case.visit_chain_tx_times(&mut |t, time| got.push((t.to_string(), time)))
        .unwrap();
    let want: Vec<_> = txs.iter().map(|t| (t.txid.clone(), t.time)).collect();
    prop_assert_eq!(got, want);

    let mut got = Vec::new();
    case.visit_chain_output_edges(&mut |o| {
        got.push((
            o.txid.to_string(),
            o.vout,
            o.value,
            o.address.map(str::to_string),
        ))
    })
    .unwrap();
    let want: Vec<_> = outputs
        .iter()
        .map(|o| (o.txid.clone(), o.vout, o.value, o.address.clone()))
        .collect();
    prop_assert_eq!(got, want);

    let mut got = Vec::new();
    case.visit_chain_input_edges(&mut |i| {
        got.push((
            i.txid.to_string(),
            i.vin,
            i.prev.map(|(p, v)| (p.to_string(), v)),
        ))
    })
    .unwrap();
    let want: Vec<_> = inputs
        .iter()
        .map(|i| (i.txid.clone(), i.vin, i.prev_txid.clone().zip(i.prev_vout)))
        .collect();
    prop_assert_eq!(got, want);

    let mut got = Vec::new();
    case.visit_chain_address_clusters(&mut |a, c, r| got.push((a.to_string(), c.to_string(), r)))
        .unwrap();
    let want: Vec<_> = addresses
        .iter()
        .map(|a| (a.address.clone(), a.cluster.clone(), a.received))
        .collect();
    prop_assert_eq!(got, want);

    // Every other address, read whole.
    let kept: BTreeSet<&str> = addresses
        .iter()
        .step_by(2)
        .map(|a| a.address.as_str())
        .collect();
    let got = case.chain_addresses_where(&|a| kept.contains(a)).unwrap();
    let want: Vec<_> = addresses
        .iter()
        .filter(|a| kept.contains(a.address.as_str()))
        .cloned()
        .collect();
    prop_assert_eq!(got, want);

    // The unions of every other first address, read whole.
    let kept: BTreeSet<&str> = unions
        .iter()
        .step_by(2)
        .map(|u| u.address_a.as_str())
        .collect();
    let got = case.chain_unions_where(&|a| kept.contains(a)).unwrap();
    let want: Vec<_> = unions
        .iter()
        .filter(|u| kept.contains(u.address_a.as_str()))
        .cloned()
        .collect();
    prop_assert_eq!(got, want);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]
    #[test]
    fn chain_columns_read_what_rows_hold(
        txs in vec(chain_tx_row(), 0..10),
        inputs in vec(chain_input_row(), 0..10),
        outputs in vec(chain_output_row(), 0..10),
        addresses in vec(chain_address_row(), 0..10),
        unions in vec(chain_union_row(), 0..10),
    ) {
        chain_columns_agree_with_rows(txs, inputs, outputs, addresses, unions)?;
    }
}

/// Past one read batch and one row group: the column readers go on where a batch or a row group ends.
#[test]
fn chain_columns_cross_batches_and_row_groups() {
    let outputs: Vec<ChainOutput> = (0..ROW_GROUP_ROWS as u32 + 9_000)
        .map(|i| ChainOutput {
            txid: format!("{:064x}", i / 3),
            vout: i % 3,
            value: u64::from(i) * 1_000,
            script_type: "witness_v0_keyhash".into(),
            address: (i % 7 != 0).then(|| format!("bcrt1q{i:x}")),
        })
        .collect();
    chain_columns_agree_with_rows(Vec::new(), Vec::new(), outputs, Vec::new(), Vec::new()).unwrap();
}

#[test]
fn every_table_has_a_schema_and_every_source_record_ends_with_flat_provenance() {
    for table in TABLES {
        let schema = table_schema(table).unwrap_or_else(|| panic!("no schema for {table}"));
        let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        let derived_or_quarantine = [
            "rejects",
            "persona_members",
            "link_evidence",
            "refused_links",
            "link_rules",
            "link_model",
            "listing_facts",
            "order_values",
        ]
        .contains(&table);
        // Chain tables are keyed by hashes, not record ids; their blocks carry the provenance.
        if table.starts_with("chain_") {
            assert_eq!(
                table == "chain_blocks",
                names.ends_with(&["src_offset", "src_len"]),
                "{table}"
            );
            continue;
        }
        if !derived_or_quarantine {
            assert_eq!(names[0], "id", "{table}");
            assert_eq!(
                names[names.len() - 5..],
                [
                    "src_sha256",
                    "src_table",
                    "src_row",
                    "src_offset",
                    "src_len"
                ],
                "{table}"
            );
        }
    }
    for kind in EntityKind::ALL {
        assert!(TABLES.contains(&kind.table()), "{:?} has no table", kind);
    }
    assert!(table_schema("nope").is_none());
}

// ---------------------------------------------------------------------------------------------------------
// Fixtures for whole-case tests.

struct Fixture {
    _dir: TempDir,
    case: Case,
    inbox: PathBuf,
}

fn new_case() -> Fixture {
    let dir = TempDir::new().unwrap();
    let inbox = dir.path().join("inbox");
    fs::create_dir_all(&inbox).unwrap();
    let case = Case::init(&dir.path().join("case")).unwrap();
    Fixture {
        _dir: dir,
        case,
        inbox,
    }
}

impl Fixture {
    /// A source file with these contents, added to the case.
    fn evidence(&self, name: &str, contents: &str, market: &str) -> Evidence {
        let path = self.inbox.join(name);
        fs::write(&path, contents).unwrap();
        self.case.add_evidence(&path, market).unwrap()
    }

    fn case_dir(&self) -> PathBuf {
        self.case.root().to_path_buf()
    }
}

fn prov(sha: &str, table: &str, row: u64) -> Provenance {
    Provenance {
        src_sha256: sha.into(),
        src_table: table.into(),
        src_row: row,
        src_offset: row * 100,
        src_len: 99,
    }
}

fn account_rec(sha: &str, market: &str, n: u64) -> Account {
    Account {
        id: RecordId::new(market, EntityKind::Account, &n.to_string()),
        market: market.to_string(),
        name: format!("vendor{n}"),
        role: AccountRole::Vendor,
        created_at: Some(1_577_836_800 + n as i64),
        profile: None,
        provenance: prov(sha, "users", n),
    }
}

fn order_rec(sha: &str, market: &str, n: u64) -> Order {
    Order {
        id: RecordId::new(market, EntityKind::Order, &n.to_string()),
        market: market.to_string(),
        listing_id: None,
        buyer_id: Some(RecordId::new(market, EntityKind::Account, "buyer")),
        vendor_id: Some(RecordId::new(
            market,
            EntityKind::Account,
            &(n % 7).to_string(),
        )),
        quantity: Some(1.0),
        amount: Some(n as f64 * 0.5),
        currency: Some("USD".into()),
        state: OrderState::Finalized,
        state_raw: Some("delivered".into()),
        created_at: Some(1_600_000_000 + n as i64),
        provenance: prov(sha, "purchases", n),
    }
}

/// Ingests `accounts` accounts and `orders` orders as one source.
fn ingest(f: &Fixture, ev: &Evidence, market: &str, accounts: u64, orders: u64) -> CommitSummary {
    let mut w = f.case.begin_source(ev, market, "csv", "test").unwrap();
    for n in 0..accounts {
        w.push(Record::Account(account_rec(&ev.sha256, market, n)))
            .unwrap();
    }
    for n in 0..orders {
        w.push(Record::Order(order_rec(&ev.sha256, market, n)))
            .unwrap();
    }
    w.commit(accounts + orders).unwrap()
}

/// Every file under `tables/` outside staging, relative to the case root.
fn files_under_tables(case_dir: &Path) -> Vec<String> {
    fn walk(dir: &Path, root: &Path, out: &mut Vec<String>) {
        for e in fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.ends_with(".staging") {
                continue;
            }
            if p.is_dir() {
                walk(&p, root, out);
            } else {
                out.push(p.strip_prefix(root).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    let mut out = Vec::new();
    walk(&case_dir.join("tables"), case_dir, &mut out);
    out.sort();
    out
}

fn staging_is_empty(case_dir: &Path) -> bool {
    fs::read_dir(case_dir.join("tables/.staging"))
        .unwrap()
        .next()
        .is_none()
}

fn listed_files(case: &Case) -> Vec<String> {
    let mut out: Vec<String> = case
        .table_files()
        .unwrap()
        .into_values()
        .flatten()
        .map(|p| {
            p.strip_prefix(case.root())
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    out.sort();
    out
}

// ---------------------------------------------------------------------------------------------------------
// Case life cycle, evidence.

#[test]
fn init_refuses_an_existing_case_and_open_refuses_a_non_case() {
    let f = new_case();
    assert!(matches!(
        Case::init(&f.case_dir()),
        Err(StoreError::AlreadyACase(_))
    ));
    assert!(matches!(Case::open(&f.inbox), Err(StoreError::NotACase(_))));
    assert!(matches!(
        Case::open(&f.inbox.join("missing")),
        Err(StoreError::NotACase(_))
    ));
    Case::open(&f.case_dir()).unwrap();
}

#[test]
fn evidence_is_copied_hashed_and_made_read_only() {
    let f = new_case();
    let ev = f.evidence("dump.sql", "INSERT INTO users VALUES (1);\n", "abyss");
    // sha256 of the bytes above, computed independently.
    use sha2::Digest;
    let expected = hex::encode(sha2::Sha256::digest(b"INSERT INTO users VALUES (1);\n"));
    assert_eq!(ev.sha256, expected);
    assert_eq!(ev.original_name, "dump.sql");
    assert_eq!(ev.size, 30);
    assert!(!ev.already_held);
    assert_eq!(ev.stored_path, f.case.evidence_path(&ev.sha256));
    assert_eq!(
        fs::read(&ev.stored_path).unwrap(),
        b"INSERT INTO users VALUES (1);\n"
    );
    assert!(
        fs::metadata(&ev.stored_path)
            .unwrap()
            .permissions()
            .readonly()
    );
    assert!(f.case.verify_evidence(&ev.sha256).unwrap());
    assert!(!f.case.is_ingested(&ev.sha256).unwrap());
    // Nothing left over from the copy.
    let leftovers: Vec<_> = fs::read_dir(f.case_dir().join("evidence"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, vec![std::ffi::OsString::from(&ev.sha256)]);
}

#[test]
fn the_same_bytes_are_held_once_and_verified_when_received_again() {
    let f = new_case();
    let first = f.evidence("a.csv", "same bytes", "abyss");
    let again = f.evidence("b.csv", "same bytes", "abyss");
    assert!(again.already_held);
    assert_eq!(again.sha256, first.sha256);
    assert_eq!(
        again.original_name, "a.csv",
        "the first receipt names the evidence"
    );
    let other = f.evidence("c.csv", "different!", "abyss"); // same size, other bytes
    assert!(!other.already_held);
    assert_eq!(
        fs::read_dir(f.case_dir().join("evidence")).unwrap().count(),
        2
    );
    let receipts: i64 = f
        .case
        .conn()
        .query_row("SELECT count(*) FROM evidence_receipts", [], |r| r.get(0))
        .unwrap();
    assert_eq!(receipts, 3);
}

#[test]
fn altered_evidence_is_detected() {
    let f = new_case();
    let ev = f.evidence("a.csv", "original", "abyss");
    let mut perms = fs::metadata(&ev.stored_path).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    fs::set_permissions(&ev.stored_path, perms).unwrap();
    fs::write(&ev.stored_path, "tampered").unwrap();
    assert!(!f.case.verify_evidence(&ev.sha256).unwrap());
    let err = f
        .case
        .add_evidence(&f.inbox.join("a.csv"), "abyss")
        .unwrap_err();
    assert!(matches!(err, StoreError::EvidenceAltered { .. }), "{err}");
    assert!(
        err.to_string().contains(&ev.sha256),
        "names the file: {err}"
    );
}

#[test]
fn evidence_of_a_refused_ingest_can_be_discarded_but_ingested_evidence_cannot() {
    let f = new_case();
    let refused = f.evidence("truncated.sql", "half a dump", "abyss");
    let ingested = f.evidence("good.sql", "a whole dump", "abyss");
    ingest(&f, &ingested, "abyss", 1, 0);

    assert!(f.case.discard_evidence(&refused.sha256).unwrap());
    assert!(!refused.stored_path.exists());
    assert!(f.case.evidence(&refused.sha256).unwrap().is_none());
    assert!(
        !f.case.discard_evidence(&refused.sha256).unwrap(),
        "already gone"
    );

    assert!(!f.case.discard_evidence(&ingested.sha256).unwrap());
    assert!(f.case.verify_evidence(&ingested.sha256).unwrap());

    // Handed in again, the bytes are simply new evidence.
    let again = f.evidence("truncated.sql", "half a dump", "abyss");
    assert!(!again.already_held);
    assert!(f.case.verify_evidence(&again.sha256).unwrap());
}

#[test]
fn hashes_are_checked_before_they_become_paths() {
    let f = new_case();
    for bad in ["../case.db", "ABC", &"A".repeat(64)] {
        assert!(
            matches!(f.case.verify_evidence(bad), Err(StoreError::InvalidSha(_))),
            "{bad}"
        );
        assert!(
            matches!(f.case.is_ingested(bad), Err(StoreError::InvalidSha(_))),
            "{bad}"
        );
    }
    assert!(matches!(
        f.case.verify_evidence(&"0".repeat(64)),
        Err(StoreError::UnknownEvidence { .. })
    ));
}

// ---------------------------------------------------------------------------------------------------------
// Ingest: atomicity, streaming, manifest.

#[test]
fn a_committed_source_is_listed_and_readable() {
    let f = new_case();
    let ev = f.evidence("abyss.sql", "abyss dump", "abyss");
    let summary = ingest(&f, &ev, "abyss", 3, 5);
    assert_eq!(summary.records_stored, 8);
    assert_eq!(summary.rows_by_table.get("accounts"), Some(&3));
    assert_eq!(summary.rows_by_table.get("orders"), Some(&5));
    assert_eq!(summary.rows_by_table.get("markets"), Some(&1));
    assert!(f.case.is_ingested(&ev.sha256).unwrap());

    let accounts = f.case.accounts().unwrap();
    assert_eq!(
        accounts,
        (0..3)
            .map(|n| account_rec(&ev.sha256, "abyss", n))
            .collect::<Vec<_>>()
    );
    assert_eq!(f.case.orders().unwrap().len(), 5);
    assert!(f.case.listings().unwrap().is_empty());

    let sources = f.case.sources().unwrap();
    assert_eq!(sources.len(), 1);
    let s = &sources[0];
    assert_eq!(
        (s.name.as_str(), s.size, s.market.as_str()),
        ("abyss.sql", 10, "abyss")
    );
    assert_eq!((s.format.as_str(), s.profile.as_str()), ("csv", "test"));
    assert_eq!((s.rows_read, s.records_stored, s.rows_rejected), (8, 8, 0));
    assert_eq!(s.added_at, ev.added_at);
    for t in [&s.added_at, &s.ingested_at] {
        assert!(
            t.len() == 20 && t.ends_with('Z') && t.as_bytes()[10] == b'T',
            "RFC 3339 UTC: {t}"
        );
    }
}

#[test]
fn a_table_without_rows_gets_no_part() {
    let f = new_case();
    let ev = f.evidence("a.sql", "a", "abyss");
    ingest(&f, &ev, "abyss", 2, 0);
    let files = f.case.table_files().unwrap();
    assert_eq!(
        files.len(),
        TABLES.len(),
        "every table is listed, even empty"
    );
    assert_eq!(files["accounts"].len(), 1);
    assert!(files["orders"].is_empty());
    assert!(files["rejects"].is_empty());
    assert!(!f.case_dir().join("tables/orders").exists());
}

/// Pushes `n` records made by `record` (from the source's hash and a number) into a writer that is then
/// dropped without a commit, and checks that the case is as it was.
fn abandon_a_writer_after(n: u64, record: impl Fn(&str, u64) -> Record) -> (Fixture, Evidence) {
    let f = new_case();
    let ev = f.evidence("a.sql", "a", "abyss");
    let before = files_under_tables(&f.case_dir());
    {
        let mut w = f.case.begin_source(&ev, "abyss", "csv", "test").unwrap();
        for i in 0..n {
            w.push(record(&ev.sha256, i)).unwrap();
        }
    }
    assert_eq!(files_under_tables(&f.case_dir()), before);
    assert!(staging_is_empty(&f.case_dir()));
    assert!(!f.case.is_ingested(&ev.sha256).unwrap());
    assert!(f.case.accounts().unwrap().is_empty());
    assert!(f.case.orders().unwrap().is_empty());
    assert!(f.case.sources().unwrap().is_empty());
    (f, ev)
}

#[test]
fn dropping_a_writer_aborts_and_leaves_the_case_as_it_was() {
    let (f, ev) =
        abandon_a_writer_after(10, |sha, n| Record::Account(account_rec(sha, "abyss", n)));
    // And the source can still be ingested.
    ingest(&f, &ev, "abyss", 2, 0);
    assert_eq!(f.case.accounts().unwrap().len(), 2);
}

#[test]
fn dropping_a_writer_while_its_parts_encode_on_their_threads_leaves_the_case_as_it_was() {
    // Two full row groups: the orders' part has handed them to its encoding thread.
    let (f, ev) = abandon_a_writer_after((ROW_GROUP_ROWS * 2 + 10) as u64, |sha, n| {
        Record::Order(order_rec(sha, "abyss", n))
    });
    ingest(&f, &ev, "abyss", 0, 3);
    assert_eq!(f.case.orders().unwrap().len(), 3);
}

#[test]
fn a_crash_between_publishing_and_committing_leaves_no_trace_after_reopen() {
    let f = new_case();
    let first = f.evidence("a.sql", "a", "abyss");
    ingest(&f, &first, "abyss", 2, 3);
    let listed_before = listed_files(&f.case);

    let ev = f.evidence("b.sql", "b", "abyss");
    let mut w = f.case.begin_source(&ev, "abyss", "csv", "test").unwrap();
    for n in 0..4 {
        w.push(Record::Order(order_rec(&ev.sha256, "abyss", 100 + n)))
            .unwrap();
    }
    w.crash_before_commit = true;
    assert!(matches!(w.commit(4), Err(StoreError::Injected(_))));

    // The crashed commit's part sits in tables/orders, but nothing lists it.
    assert_eq!(
        fs::read_dir(f.case_dir().join("tables/orders"))
            .unwrap()
            .count(),
        2
    );
    assert_eq!(listed_files(&f.case), listed_before);
    assert_eq!(f.case.orders().unwrap().len(), 3);
    assert!(!f.case.is_ingested(&ev.sha256).unwrap());

    let reopened = Case::open(&f.case_dir()).unwrap();
    assert_eq!(
        fs::read_dir(f.case_dir().join("tables/orders"))
            .unwrap()
            .count(),
        1
    );
    assert_eq!(listed_files(&reopened), listed_before);
    assert_eq!(
        files_under_tables(&f.case_dir()),
        listed_before,
        "only listed parts remain"
    );
    assert!(staging_is_empty(&f.case_dir()));

    let mut w = reopened.begin_source(&ev, "abyss", "csv", "test").unwrap();
    w.push(Record::Order(order_rec(&ev.sha256, "abyss", 100)))
        .unwrap();
    w.commit(1).unwrap();
    assert_eq!(reopened.orders().unwrap().len(), 4);
}

#[test]
fn files_nobody_listed_are_ignored_and_swept_but_foreign_files_are_left_alone() {
    let f = new_case();
    let ev = f.evidence("a.sql", "a", "abyss");
    ingest(&f, &ev, "abyss", 1, 1);
    let listed = listed_files(&f.case);
    let orders_dir = f.case_dir().join("tables/orders");
    let listed_orders = orders_dir.join(
        listed
            .iter()
            .find(|p| p.contains("orders"))
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap(),
    );
    fs::copy(&listed_orders, orders_dir.join("part-stray.parquet")).unwrap();
    fs::write(orders_dir.join("NOTES.txt"), "analyst's file").unwrap();
    let dead_staging = f.case_dir().join("tables/.staging/dead");
    fs::create_dir_all(&dead_staging).unwrap();
    fs::write(f.case_dir().join("tables/.staging/dead.lock"), "").unwrap();
    fs::write(f.case_dir().join("evidence/.incoming-dead"), "half a copy").unwrap();

    assert_eq!(
        listed_files(&f.case),
        listed,
        "the stray part is not part of the table"
    );
    assert_eq!(f.case.orders().unwrap().len(), 1);

    Case::open(&f.case_dir()).unwrap();
    assert!(!orders_dir.join("part-stray.parquet").exists());
    assert!(orders_dir.join("NOTES.txt").exists());
    assert!(!dead_staging.exists());
    assert!(!f.case_dir().join("evidence/.incoming-dead").exists());
    assert!(f.case.evidence_path(&ev.sha256).exists());
}

#[test]
fn re_ingesting_a_committed_source_is_refused() {
    let f = new_case();
    let ev = f.evidence("a.sql", "a", "abyss");
    // Two writers race for the same source: the second to commit loses, and leaves nothing behind.
    let mut late = f.case.begin_source(&ev, "abyss", "csv", "test").unwrap();
    late.push(Record::Account(account_rec(&ev.sha256, "abyss", 99)))
        .unwrap();
    ingest(&f, &ev, "abyss", 1, 0);
    let files_after_first = files_under_tables(&f.case_dir());
    assert!(matches!(
        late.commit(1),
        Err(StoreError::AlreadyIngested { .. })
    ));
    assert_eq!(files_under_tables(&f.case_dir()), files_after_first);
    assert!(staging_is_empty(&f.case_dir()));
    assert!(matches!(
        f.case.begin_source(&ev, "abyss", "csv", "test"),
        Err(StoreError::AlreadyIngested { .. })
    ));
    assert_eq!(f.case.accounts().unwrap().len(), 1);
}

#[test]
fn records_must_carry_the_provenance_of_their_source() {
    let f = new_case();
    let ev = f.evidence("a.sql", "a", "abyss");
    let mut w = f.case.begin_source(&ev, "abyss", "csv", "test").unwrap();
    let err = w
        .push(Record::Account(account_rec(&"f".repeat(64), "abyss", 1)))
        .unwrap_err();
    assert!(matches!(err, StoreError::ForeignProvenance { .. }), "{err}");
    // After records of the source have been taken (the second one sharing the first one's hash, as the
    // records of a mapper do), a foreign one is still refused.
    let own = account_rec(&ev.sha256, "abyss", 2);
    let mut shared = account_rec(&ev.sha256, "abyss", 3);
    shared.provenance.src_sha256 = own.provenance.src_sha256.clone();
    w.push(Record::Account(own)).unwrap();
    w.push(Record::Account(shared)).unwrap();
    let err = w
        .push(Record::Account(account_rec(&"e".repeat(64), "abyss", 4)))
        .unwrap_err();
    assert!(matches!(err, StoreError::ForeignProvenance { .. }), "{err}");
}

#[test]
fn begin_source_needs_evidence_of_the_case() {
    let f = new_case();
    let other = new_case();
    let ev = other.evidence("a.sql", "a", "abyss");
    assert!(matches!(
        f.case.begin_source(&ev, "abyss", "csv", "test"),
        Err(StoreError::UnknownEvidence { .. })
    ));
}

#[test]
fn records_of_other_markets_list_their_markets_once() {
    let f = new_case();
    let g = f.evidence("grams.tsv", "index", "grams");
    let mut w = f.case.begin_source(&g, "grams", "csv", "grams").unwrap();
    for (market, n) in [("agora", 1), ("grams", 4), ("agora", 2), ("evolution", 3)] {
        w.push(Record::Account(account_rec(&g.sha256, market, n)))
            .unwrap();
    }
    let summary = w.commit(4).unwrap();
    // The source's own market and the two its records belong to.
    assert_eq!(summary.rows_by_table.get("markets"), Some(&3));
    assert_eq!(
        f.case.source_markets(&g.sha256).unwrap(),
        BTreeMap::from([
            ("agora".to_string(), 2),
            ("evolution".to_string(), 1),
            ("grams".to_string(), 1)
        ])
    );
    let markets = f.case.markets().unwrap();
    let names: BTreeSet<&str> = markets.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, BTreeSet::from(["agora", "evolution", "grams"]));
    let agora = markets.iter().find(|m| m.name == "agora").unwrap();
    assert_eq!(
        agora.id,
        RecordId::new("agora", EntityKind::Market, "agora")
    );
    assert_eq!(*agora.provenance.src_sha256, *g.sha256);

    // A later source of one of those markets does not list it again; a new one does.
    let a = f.evidence("agora.csv", "agora-pages", "agora");
    assert_eq!(
        ingest(&f, &a, "agora", 2, 0).rows_by_table.get("markets"),
        None
    );
    let h = f.evidence("hansa.sql", "hansa", "hansa");
    assert_eq!(
        ingest(&f, &h, "hansa", 1, 0).rows_by_table.get("markets"),
        Some(&1)
    );
    assert_eq!(f.case.markets().unwrap().len(), 4);
    assert_eq!(
        f.case.source_markets(&a.sha256).unwrap(),
        BTreeMap::from([("agora".to_string(), 2)])
    );
}

#[test]
fn the_first_source_of_a_market_writes_its_market_row() {
    let f = new_case();
    let a1 = f.evidence("a1.sql", "a1", "abyss");
    let a2 = f.evidence("a2.sql", "a2", "abyss");
    let t1 = f.evidence("t1.sql", "t1-dump", "tortuga");
    let s1 = ingest(&f, &a1, "abyss", 1, 0);
    let s2 = ingest(&f, &a2, "abyss", 1, 0);
    ingest(&f, &t1, "tortuga", 0, 0);
    assert_eq!(s1.rows_by_table.get("markets"), Some(&1));
    assert_eq!(s2.rows_by_table.get("markets"), None);
    let markets = f.case.markets().unwrap();
    assert_eq!(markets.len(), 2);
    assert_eq!(
        markets[0].id,
        RecordId::new("abyss", EntityKind::Market, "abyss")
    );
    assert_eq!(markets[0].name, "abyss");
    assert_eq!(
        markets[0].provenance,
        Provenance {
            src_sha256: a1.sha256.as_str().into(),
            src_table: "a1.sql".into(),
            src_row: 0,
            src_offset: 0,
            src_len: 2,
        }
    );
    assert_eq!(markets[1].name, "tortuga");
}

#[test]
fn every_record_kind_and_rejects_survive_a_case_round_trip() {
    let f = new_case();
    let ev = f.evidence("m.sql", "mixed", "ünïcödé");
    let sha = ev.sha256.clone();
    let m = "ünïcödé";
    let account = Account {
        id: RecordId::new(m, EntityKind::Account, "ユーザー/1"),
        market: m.into(),
        name: "😀 vendor\u{0}with nul".into(),
        role: AccountRole::Staff,
        created_at: Some(-1),
        profile: Some("multi\nline\r\n\"quoted\" 'text'".into()),
        provenance: prov(&sha, "users", 1),
    };
    let bare_account = Account {
        id: RecordId::new(m, EntityKind::Account, ""),
        market: m.into(),
        name: String::new(),
        role: AccountRole::Buyer,
        created_at: None,
        profile: None,
        provenance: prov(&sha, "", 0),
    };
    let listing = Listing {
        id: RecordId::new(m, EntityKind::Listing, "L1"),
        market: m.into(),
        vendor_id: Some(account.id.clone()),
        title: "Ẅeed 10g".into(),
        description: None,
        category: Some("Cannabis > Weed".into()),
        price: Some(12.5),
        currency: Some("EUR".into()),
        ships_from: Some("DE".into()),
        ships_to: None,
        created_at: Some(i64::MAX),
        provenance: prov(&sha, "products", 1),
    };
    let order = Order {
        state: OrderState::Unknown,
        quantity: None,
        amount: None,
        currency: None,
        buyer_id: None,
        vendor_id: None,
        state_raw: None,
        created_at: Some(i64::MIN),
        ..order_rec(&sha, m, 1)
    };
    let feedback = Feedback {
        id: RecordId::new(m, EntityKind::Feedback, "F1"),
        market: m.into(),
        order_id: Some(order.id.clone()),
        listing_id: None,
        vendor_id: Some(account.id.clone()),
        buyer_id: None,
        rating: Some(4.5),
        comment: Some("Ωmega fast 👍".into()),
        created_at: None,
        provenance: prov(&sha, "feedback", 1),
    };
    let message = Message {
        id: RecordId::new(m, EntityKind::Message, "M1"),
        market: m.into(),
        sender_id: None,
        recipient_id: Some(account.id.clone()),
        subject: None,
        body: "wickr: бар".into(),
        created_at: Some(0),
        provenance: prov(&sha, "messages", 1),
    };
    let pgp = PgpKey {
        id: RecordId::new(m, EntityKind::PgpKey, "K1"),
        market: m.into(),
        account_id: Some(account.id.clone()),
        armored: "-----BEGIN PGP PUBLIC KEY BLOCK-----\n...".into(),
        fingerprint: None,
        parse_error: Some("truncated".into()),
        found_in: Some("accounts.profile".into()),
        provenance: prov(&sha, "users", 1),
    };
    let address = CryptoAddress {
        id: RecordId::new(m, EntityKind::CryptoAddress, "A1"),
        market: m.into(),
        account_id: None,
        address: "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh".into(),
        coin: "btc".into(),
        purpose: None,
        found_in: None,
        provenance: prov(&sha, "addresses", 1),
    };
    let handle = ContactHandle {
        id: RecordId::new(m, EntityKind::ContactHandle, "H1"),
        market: m.into(),
        account_id: Some(account.id.clone()),
        kind: "telegram".into(),
        handle: "dr_ünïcödé".into(),
        raw: "@Dr_Ünïcödé".into(),
        found_in: Some("accounts.profile".into()),
        provenance: prov(&sha, "users", 1),
    };
    let reject = Reject {
        file: "m.sql".into(),
        line: 7,
        offset: 1234,
        raw: "INSERT INTO x VALUES ('broken".into(),
        reason: "unterminated string".into(),
    };
    let reject_without_raw = Reject {
        raw: String::new(),
        ..reject.clone()
    };

    let mut w = f
        .case
        .begin_source(&ev, m, "mysql-dump", "laravel")
        .unwrap();
    for r in [
        Record::Account(account.clone()),
        Record::Account(bare_account.clone()),
        Record::Listing(listing.clone()),
        Record::Order(order.clone()),
        Record::Feedback(feedback.clone()),
        Record::Message(message.clone()),
        Record::PgpKey(pgp.clone()),
        Record::CryptoAddress(address.clone()),
        Record::ContactHandle(handle.clone()),
    ] {
        w.push(r).unwrap();
    }
    w.push_reject(reject.clone()).unwrap();
    w.push_reject(reject_without_raw.clone()).unwrap();
    let summary = w.commit(11).unwrap();
    assert_eq!((summary.records_stored, summary.rows_rejected), (9, 2));

    let case = Case::open(&f.case_dir()).unwrap();
    assert_eq!(case.accounts().unwrap(), vec![account, bare_account]);
    assert_eq!(case.listings().unwrap(), vec![listing]);
    assert_eq!(case.orders().unwrap(), vec![order]);
    assert_eq!(case.feedback().unwrap(), vec![feedback]);
    assert_eq!(case.messages().unwrap(), vec![message]);
    assert_eq!(case.pgp_keys().unwrap(), vec![pgp]);
    assert_eq!(case.crypto_addresses().unwrap(), vec![address]);
    assert_eq!(case.contact_handles().unwrap(), vec![handle]);
    let rejects = case.rejects().unwrap();
    assert_eq!(rejects.len(), 2);
    assert!(rejects.iter().all(|q| q.src_sha256 == sha));
    assert_eq!(rejects[0].reject, reject);
    assert_eq!(rejects[1].reject, reject_without_raw);
    assert_eq!(case.markets().unwrap()[0].name, m);
}

/// An orders part staged where its encoding thread, once started, fails (`FAIL_ENCODING_UNDER`).
fn part_that_fails_to_encode() -> (TempDir, crate::parts::PartWriter) {
    let dir = TempDir::new().unwrap();
    let staged = dir.path().join(crate::parts::FAIL_ENCODING_UNDER);
    fs::create_dir(&staged).unwrap();
    let part = crate::parts::PartWriter::create::<Order>(&staged).unwrap();
    (dir, part)
}

fn assert_the_injected_encoding_failure(error: &StoreError) {
    assert!(
        matches!(error, StoreError::Injected("the encoding thread failed")),
        "{error}"
    );
}

#[test]
fn a_part_whose_encoding_thread_fails_says_so_to_the_appending_thread() {
    let (_dir, mut part) = part_that_fails_to_encode();
    // The first full row group starts the thread, which fails; a later row group or the finish hears of it.
    let mut failed = None;
    for n in 0..(ROW_GROUP_ROWS * 3) as u64 {
        if let Err(e) = part.append(&order_rec("sha", "abyss", n)) {
            failed = Some(e);
            break;
        }
    }
    let error = match failed {
        Some(e) => e,
        None => part.finish().unwrap_err(),
    };
    assert_the_injected_encoding_failure(&error);
}

#[test]
fn a_failed_encoding_thread_is_heard_of_before_the_parts_next_row_group() {
    let (_dir, mut part) = part_that_fails_to_encode();
    for n in 0..ROW_GROUP_ROWS as u64 {
        part.append(&order_rec("sha", "abyss", n)).unwrap();
    }
    // The thread started with the full row group, and fails at once; no more rows come.
    let waited = std::time::Instant::now();
    let error = loop {
        if let Err(e) = part.check() {
            break e;
        }
        assert!(
            waited.elapsed() < std::time::Duration::from_secs(30),
            "the failed encoding thread was never noticed"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    };
    assert_the_injected_encoding_failure(&error);
}

#[test]
fn a_part_that_never_fills_a_row_group_is_finished_on_the_appending_thread() {
    // No encoding thread is started, so nothing fails.
    let (_dir, mut part) = part_that_fails_to_encode();
    for n in 0..10 {
        part.append(&order_rec("sha", "abyss", n)).unwrap();
    }
    let finished = part.finish().unwrap();
    assert_eq!(finished.rows, 10);
    let mut back = Vec::new();
    assert_eq!(read_part::<Order>(&finished.staged, &mut back).unwrap(), 10);
    assert_eq!(back[9], order_rec("sha", "abyss", 9));
}

/// The row counts of a part's row groups, in order.
fn row_group_lengths(part: &Path) -> Vec<i64> {
    use parquet::file::reader::FileReader;
    let reader =
        parquet::file::serialized_reader::SerializedFileReader::new(fs::File::open(part).unwrap())
            .unwrap();
    reader
        .metadata()
        .row_groups()
        .iter()
        .map(|g| g.num_rows())
        .collect()
}

#[test]
fn row_groups_cut_short_by_their_size_settle_on_one_length() {
    // Accounts with 1 KB profiles: 16 MB of them is about 16,000, well under a row group's row count.
    let dir = TempDir::new().unwrap();
    let mut part = crate::parts::PartWriter::create::<Account>(dir.path()).unwrap();
    let n = 100_000u64;
    for i in 0..n {
        let mut account = account_rec("sha", "abyss", i);
        // Lengths that vary a little, as texts do.
        account.profile = Some("x".repeat(1000 + (i % 50) as usize));
        part.append(&account).unwrap();
    }
    let finished = part.finish().unwrap();
    let groups = row_group_lengths(&finished.staged);
    assert_eq!(groups.iter().sum::<i64>(), n as i64);
    // The first is cut at 16 MB; every later one but the last is 7/8 of it.
    let first = groups[0];
    assert!(
        first < ROW_GROUP_ROWS as i64 && first > 10_000,
        "{groups:?}"
    );
    let settled = first / 8 * 7;
    assert!(groups.len() > 3, "{groups:?}");
    assert!(
        groups[1..groups.len() - 1].iter().all(|&g| g == settled),
        "{groups:?}"
    );
    let mut back = Vec::new();
    read_part::<Account>(&finished.staged, &mut back).unwrap();
    assert_eq!(back.len() as u64, n);
    assert_eq!(
        back[77_777].profile.as_deref().map(str::len),
        Some(1000 + 77_777 % 50)
    );
}

#[test]
fn large_sources_are_written_in_bounded_row_groups() {
    let f = new_case();
    let ev = f.evidence("big.sql", "big", "abyss");
    let n = (ROW_GROUP_ROWS * 2 + 10) as u64;
    ingest(&f, &ev, "abyss", 0, n);
    let files = f.case.table_files().unwrap();
    let groups = row_group_lengths(&files["orders"][0]);
    assert_eq!(
        groups,
        vec![ROW_GROUP_ROWS as i64, ROW_GROUP_ROWS as i64, 10]
    );
    let orders = f.case.orders().unwrap();
    assert_eq!(orders.len() as u64, n);
    assert_eq!(
        orders[n as usize - 1],
        order_rec(&ev.sha256, "abyss", n - 1)
    );
}

/// How the first row group of the part at `path` compresses the column `name`.
fn compression_of(path: &Path, name: &str) -> parquet::basic::Compression {
    column_chunk(path, name).compression()
}

/// Whether the first row group of the part at `path` stores the column `name` in `encoding`.
fn encoded_as(path: &Path, name: &str, encoding: parquet::basic::Encoding) -> bool {
    column_chunk(path, name).encodings().any(|e| e == encoding)
}

fn column_chunk(path: &Path, name: &str) -> parquet::file::metadata::ColumnChunkMetaData {
    use parquet::file::reader::FileReader;
    let reader =
        parquet::file::serialized_reader::SerializedFileReader::new(fs::File::open(path).unwrap())
            .unwrap();
    (reader.metadata().row_group(0).columns().iter())
        .find(|c| c.column_path().string() == name)
        .unwrap()
        .clone()
}

/// Ids, times and provenance offsets are delta-encoded without Snappy; what repeats (the market, the
/// source's hash) keeps its dictionary and Snappy; free text keeps Snappy and plain values; references
/// have no statistics. All of it reads back unchanged.
#[test]
fn ids_times_and_offsets_are_delta_encoded() {
    use parquet::basic::{Compression, Encoding};
    let dir = TempDir::new().unwrap();
    let rows: Vec<Message> = (0..3000u64)
        .map(|n| Message {
            id: RecordId::new("abyss", EntityKind::Message, &(1_000_000 + n).to_string()),
            market: "abyss".into(),
            sender_id: Some(RecordId::new(
                "abyss",
                EntityKind::Account,
                &(n % 7).to_string(),
            )),
            recipient_id: None,
            subject: None,
            body: format!("message {n}: the usual, same stealth as last time"),
            created_at: Some(1_600_000_000 + (n as i64) * 37),
            provenance: prov("ab", "messages", n),
        })
        .collect();
    let part = write_part(dir.path(), &rows).unwrap().unwrap();
    let at = &part.staged;
    for delta in ["id", "created_at", "src_row", "src_offset", "src_len"] {
        let encoding = if delta == "id" {
            Encoding::DELTA_BYTE_ARRAY
        } else {
            Encoding::DELTA_BINARY_PACKED
        };
        assert!(encoded_as(at, delta, encoding), "{delta}");
        assert!(!encoded_as(at, delta, Encoding::RLE_DICTIONARY), "{delta}");
        assert_eq!(
            compression_of(at, delta),
            Compression::UNCOMPRESSED,
            "{delta}"
        );
    }
    for repeated in ["market", "sender_id", "src_sha256"] {
        assert!(
            encoded_as(at, repeated, Encoding::RLE_DICTIONARY),
            "{repeated}"
        );
        assert_eq!(
            compression_of(at, repeated),
            Compression::SNAPPY,
            "{repeated}"
        );
    }
    assert!(encoded_as(at, "body", Encoding::PLAIN));
    assert_eq!(compression_of(at, "body"), Compression::SNAPPY);
    // Statistics where a query can prune by them: not for references scattered over every row group,
    // nor for free text.
    for pruned_by in ["id", "market", "created_at", "src_sha256", "src_row"] {
        assert!(
            column_chunk(at, pruned_by).statistics().is_some(),
            "{pruned_by}"
        );
    }
    for scattered in ["sender_id", "body"] {
        assert!(
            column_chunk(at, scattered).statistics().is_none(),
            "{scattered}"
        );
    }
    let mut back: Vec<Message> = Vec::new();
    read_part(at, &mut back).unwrap();
    assert_eq!(back, rows);
}

/// Ciphertext (PGP-armoured shipping addresses) is stored without compression and without a delta
/// encoding, which random text gains nothing from; and what was written reads back (through the uncached
/// writer) unchanged.
#[test]
fn ciphertext_columns_are_stored_uncompressed() {
    use parquet::basic::{Compression, Encoding};
    let dir = TempDir::new().unwrap();
    let rows: Vec<ShippingInfo> = (0..3000u64)
        .map(|n| ShippingInfo {
            id: RecordId::new("abyss", EntityKind::ShippingInfo, &n.to_string()),
            market: "abyss".into(),
            order_id: None,
            buyer_id: None,
            vendor_id: None,
            text: format!(
                "-----BEGIN PGP MESSAGE-----\n{n:x}{}\n-----END PGP MESSAGE-----",
                "hQEMA9x".repeat(40)
            ),
            encrypted: true,
            provenance: prov("ab", "orders", n),
        })
        .collect();
    let part = write_part(dir.path(), &rows).unwrap().unwrap();
    let compression = |name: &str| compression_of(&part.staged, name);
    assert_eq!(compression("text"), Compression::UNCOMPRESSED);
    assert!(encoded_as(&part.staged, "text", Encoding::PLAIN));
    assert!(!encoded_as(
        &part.staged,
        "text",
        Encoding::DELTA_BYTE_ARRAY
    ));
    assert!(matches!(compression("market"), Compression::SNAPPY));
    let mut back: Vec<ShippingInfo> = Vec::new();
    read_part(&part.staged, &mut back).unwrap();
    assert_eq!(back, rows);
}

/// Hashes and addresses are random text that Snappy cannot shrink: stored uncompressed. A txid repeated
/// row after row (each input of a transaction) is left compressed, where Snappy halves it; no chain
/// column is delta-encoded.
#[test]
fn hashes_and_addresses_are_stored_uncompressed() {
    use parquet::basic::Compression;
    let dir = TempDir::new().unwrap();
    let hex = |n: u64| format!("{:064x}", n.wrapping_mul(0x9e37_79b9_7f4a_7c15));
    let rows: Vec<ChainInput> = (0..3000u64)
        .map(|n| ChainInput {
            txid: hex(n / 3),
            vin: (n % 3) as u32,
            prev_txid: Some(hex(n + 7)),
            prev_vout: Some(0),
            sequence: u32::MAX,
            value: Some(n * 1000),
            address: Some(format!("bcrt1q{}", &hex(n)[..38])),
            script_type: Some("witness_v0_keyhash".into()),
        })
        .collect();
    let part = write_part(dir.path(), &rows).unwrap().unwrap();
    let compression = |name: &str| compression_of(&part.staged, name);
    assert_eq!(compression("prev_txid"), Compression::UNCOMPRESSED);
    assert_eq!(compression("address"), Compression::UNCOMPRESSED);
    assert!(matches!(compression("txid"), Compression::SNAPPY));
    for column in ChainInput::columns() {
        assert!(!column.delta, "{}", column.name);
    }
    let mut back: Vec<ChainInput> = Vec::new();
    read_part(&part.staged, &mut back).unwrap();
    assert_eq!(back, rows);
    // The other chain tables' such columns, by their definitions (which `write_part` follows, as above).
    let incompressible = |columns: Vec<crate::columns::Column>, name: &str| {
        (columns.iter())
            .find(|c| c.name == name)
            .map(|c| c.incompressible)
    };
    assert_eq!(incompressible(ChainTx::columns(), "txid"), Some(true));
    assert_eq!(
        incompressible(ChainOutput::columns(), "address"),
        Some(true)
    );
    assert_eq!(incompressible(ChainOutput::columns(), "txid"), Some(false));
    assert_eq!(
        incompressible(ChainAddress::columns(), "address"),
        Some(true)
    );
    assert_eq!(
        incompressible(ChainUnion::columns(), "address_a"),
        Some(false)
    );
    assert_eq!(
        incompressible(ChainUnion::columns(), "address_b"),
        Some(true)
    );
}

// ---------------------------------------------------------------------------------------------------------
// Derived tables.

fn member(persona: &str, account: &str) -> PersonaMember {
    PersonaMember {
        persona_id: persona.into(),
        account_id: RecordId::from_stored(account),
    }
}

fn link(a: &str, b: &str) -> LinkEvidence {
    LinkEvidence {
        account_a: RecordId::from_stored(a),
        account_b: RecordId::from_stored(b),
        rule: "pgp_fingerprint".into(),
        value: "ABCD".into(),
        score: 1.0,
    }
}

#[test]
fn derived_tables_are_replaced_whole_and_old_files_removed() {
    let f = new_case();
    f.case
        .replace_personas(
            &[member("p1", "a/account/1"), member("p1", "b/account/1")],
            &[link("a/account/1", "b/account/1")],
        )
        .unwrap();
    let first_files = listed_files(&f.case);
    assert_eq!(first_files.len(), 2);
    assert_eq!(f.case.personas().unwrap().len(), 2);

    f.case
        .replace_personas(&[member("p9", "c/account/3")], &[])
        .unwrap();
    assert_eq!(
        f.case.personas().unwrap(),
        vec![member("p9", "c/account/3")]
    );
    assert!(f.case.link_evidence().unwrap().is_empty());
    for old in &first_files {
        assert!(!f.case_dir().join(old).exists(), "{old} should be gone");
    }
    assert_eq!(files_under_tables(&f.case_dir()), listed_files(&f.case));
    assert!(staging_is_empty(&f.case_dir()));

    f.case.replace_personas(&[], &[]).unwrap();
    assert!(f.case.personas().unwrap().is_empty());
    assert!(f.case.table_files().unwrap()["persona_members"].is_empty());
}

fn order_value(order: &str, usd: Option<f64>) -> OrderValue {
    OrderValue {
        order_id: RecordId::from_stored(order),
        market: "a".into(),
        listing_id: None,
        vendor_id: None,
        usd,
        usd_note: usd.is_none().then(|| "no price table for DOGE".to_string()),
        enrichment: "enrich-test".into(),
    }
}

#[test]
fn enrichment_tables_are_replaced_whole_and_leave_personas_alone() {
    let f = new_case();
    f.case
        .replace_personas(&[member("p1", "a/account/1")], &[])
        .unwrap();
    f.case
        .replace_enrichment(
            &[],
            &[
                order_value("a/order/1", Some(12.5)),
                order_value("a/order/2", None),
            ],
        )
        .unwrap();
    assert_eq!(f.case.order_values().unwrap().len(), 2);
    let first_files = listed_files(&f.case);

    f.case
        .replace_enrichment(&[], &[order_value("a/order/3", Some(1.0))])
        .unwrap();
    assert_eq!(
        f.case.order_values().unwrap(),
        vec![order_value("a/order/3", Some(1.0))]
    );
    assert!(f.case.listing_facts().unwrap().is_empty());
    assert_eq!(
        f.case.personas().unwrap(),
        vec![member("p1", "a/account/1")]
    );
    let gone: Vec<_> = first_files
        .iter()
        .filter(|p| p.contains("order_values"))
        .collect();
    assert_eq!(gone.len(), 1);
    assert!(!f.case_dir().join(gone[0]).exists());
    assert_eq!(files_under_tables(&f.case_dir()), listed_files(&f.case));
}

// ---------------------------------------------------------------------------------------------------------
// Damaged files are errors naming the file, never panics.

fn case_with_orders() -> (Fixture, PathBuf) {
    let f = new_case();
    let ev = f.evidence("a.sql", "a", "abyss");
    ingest(&f, &ev, "abyss", 0, 500);
    let part = f.case.table_files().unwrap()["orders"][0].clone();
    (f, part)
}

fn assert_error_names(err: StoreError, path: &Path) {
    let msg = err.to_string();
    assert!(
        msg.contains(&path.display().to_string()),
        "error does not name {}: {msg}",
        path.display()
    );
}

#[test]
fn a_truncated_part_is_an_error_naming_it() {
    let (f, part) = case_with_orders();
    let bytes = fs::read(&part).unwrap();
    for keep in [0, 3, bytes.len() / 2, bytes.len() - 1] {
        fs::write(&part, &bytes[..keep]).unwrap();
        assert_error_names(f.case.orders().unwrap_err(), &part);
    }
}

#[test]
fn a_part_with_damaged_bytes_is_an_error_naming_it() {
    let (f, part) = case_with_orders();
    let bytes = fs::read(&part).unwrap();
    // Damage every region of the file in turn: data pages, page headers, the footer. Single inverted
    // bytes reach decoder paths that assert (see `read_part`); blocks of damage reach others.
    let step = (bytes.len() / 200).max(1);
    for (at, width, mask) in (0..bytes.len())
        .step_by(step)
        .flat_map(|at| [(at, 1, 0xff), (at, 16, 0x5a)])
    {
        let mut damaged = bytes.clone();
        for b in &mut damaged[at..(at + width).min(bytes.len())] {
            *b ^= mask;
        }
        fs::write(&part, &damaged).unwrap();
        // Some damage lands in bytes nobody checks (statistics, padding): then the read may succeed.
        if let Err(e) = f.case.orders() {
            assert_error_names(e, &part);
        }
    }
}

#[test]
fn a_part_of_the_wrong_table_or_a_missing_part_is_an_error_naming_it() {
    let (f, part) = case_with_orders();
    let accounts_dir = TempDir::new().unwrap();
    let wrong = write_part(accounts_dir.path(), &[account_rec("x", "abyss", 1)])
        .unwrap()
        .unwrap();
    fs::copy(&wrong.staged, &part).unwrap();
    let err = f.case.orders().unwrap_err();
    assert!(matches!(err, StoreError::CorruptPart { .. }), "{err}");
    assert_error_names(err, &part);

    fs::remove_file(&part).unwrap();
    let err = f.case.orders().unwrap_err();
    assert!(matches!(err, StoreError::MissingPart { .. }), "{err}");
    assert_error_names(err, &part);
    assert!(matches!(
        f.case.table_files(),
        Err(StoreError::MissingPart { .. })
    ));
}

fn evidence_dir_names(case: &Case) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(case.root().join("evidence"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_received_file_becomes_evidence_only_with_the_commit_of_its_source() {
    let f = new_case();
    let src = f.inbox.join("c.sql");
    fs::write(&src, "some dump").unwrap();

    // Received and dropped (a refused ingest): nothing stays.
    let received = f.case.receive(&src).unwrap();
    let sha = received.evidence().sha256.clone();
    assert!(
        received.evidence().stored_path.exists(),
        "the staged copy is readable"
    );
    drop(received);
    assert!(evidence_dir_names(&f.case).is_empty());
    assert!(f.case.evidence(&sha).unwrap().is_none());

    // A commit that crashes after renaming the copy into place: the next open removes the unlisted file.
    let received = f.case.receive(&src).unwrap();
    let mut w = f
        .case
        .begin_received(received, "abyss", "csv", "test")
        .unwrap();
    w.push(Record::Order(order_rec(&sha, "abyss", 1))).unwrap();
    w.crash_before_commit = true;
    assert!(matches!(w.commit(1), Err(StoreError::Injected(_))));
    let reopened = Case::open(&f.case_dir()).unwrap();
    assert!(evidence_dir_names(&reopened).is_empty());
    assert!(reopened.evidence(&sha).unwrap().is_none());

    // A committed source lists its evidence, read-only, with the receipt.
    let received = reopened.receive(&src).unwrap();
    let mut w = reopened
        .begin_received(received, "abyss", "csv", "test")
        .unwrap();
    w.push(Record::Order(order_rec(&sha, "abyss", 1))).unwrap();
    w.commit(1).unwrap();
    assert_eq!(evidence_dir_names(&reopened), std::slice::from_ref(&sha));
    assert!(reopened.verify_evidence(&sha).unwrap());
    let held = reopened.evidence(&sha).unwrap().unwrap();
    assert_eq!(held.original_name, "c.sql");
    assert!(
        fs::metadata(reopened.evidence_path(&sha))
            .unwrap()
            .permissions()
            .readonly()
    );
    // Received again: held, not copied.
    let again = reopened.receive(&src).unwrap();
    assert!(again.evidence().already_held);
    assert_eq!(evidence_dir_names(&reopened), [sha]);
}

#[test]
fn an_observer_of_a_receive_sees_exactly_the_bytes_hashed_and_copied() {
    use std::io::Read as _;
    let f = new_case();
    let src = f.inbox.join("big.sql");
    // Several copy chunks, and not a whole number of them.
    let bytes: Vec<u8> = (0..2_621_447u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    fs::write(&src, &bytes).unwrap();

    let (received, seen) = f
        .case
        .receive_observed(&src, |mut stream| {
            let mut seen = Vec::new();
            stream.read_to_end(&mut seen).unwrap();
            seen
        })
        .unwrap();
    assert!(
        seen.as_ref() == Some(&bytes),
        "the observer saw other bytes"
    );
    let copy = fs::read(&received.evidence().stored_path).unwrap();
    assert!(copy == bytes, "the copy differs");
    let (sha, size) = super::evidence::tests_hash(&src);
    assert_eq!(
        (
            received.evidence().sha256.as_str(),
            received.evidence().size
        ),
        (sha.as_str(), size)
    );
    drop(received);

    // An observer that stops after a few bytes leaves a whole copy.
    let (received, first) = f
        .case
        .receive_observed(&src, |mut stream| {
            let mut first = [0u8; 10];
            stream.read_exact(&mut first).unwrap();
            first
        })
        .unwrap();
    assert_eq!(first.map(|b| b.to_vec()), Some(bytes[..10].to_vec()));
    assert!(fs::read(&received.evidence().stored_path).unwrap() == bytes);
    let mut w = f
        .case
        .begin_received(received, "abyss", "mysql-dump", "test")
        .unwrap();
    w.push(Record::Order(order_rec(&sha, "abyss", 1))).unwrap();
    w.commit(1).unwrap();

    // Bytes the case holds are not copied again, and the observer is not run.
    let (again, observed) = f
        .case
        .receive_observed(&src, |_| panic!("not run for held bytes"))
        .unwrap();
    assert!(again.evidence().already_held);
    assert!(observed.is_none());
}

#[test]
fn tables_read_in_batches_give_every_row_once_in_order_across_parts() {
    let f = new_case();
    let a = f.evidence("a.sql", "a", "abyss");
    ingest(&f, &a, "abyss", 0, 500);
    let b = f.evidence("b.sql", "b", "abyss");
    ingest(&f, &b, "abyss", 500, 300);
    let whole: Vec<String> = f
        .case
        .orders()
        .unwrap()
        .into_iter()
        .map(|o| o.id.to_string())
        .collect();
    assert_eq!(whole.len(), 800);
    for batch in [1, 7, 256, 500, 10_000] {
        let mut sizes = Vec::new();
        let mut ids = Vec::new();
        f.case
            .orders_in_batches(batch, &mut |rows| {
                sizes.push(rows.len());
                ids.extend(rows.into_iter().map(|o| o.id.to_string()));
                Ok(())
            })
            .unwrap();
        assert_eq!(ids, whole, "batch {batch}");
        assert!(
            sizes.iter().all(|&n| n > 0 && n <= batch),
            "batch {batch}: {sizes:?}"
        );
        assert_eq!(sizes.len(), 800usize.div_ceil(batch), "batch {batch}");
    }
    assert_eq!(f.case.order_count().unwrap(), 800);
}

#[test]
fn an_enrichment_run_dropped_before_its_commit_leaves_the_last_runs_tables() {
    let f = new_case();
    f.case
        .replace_enrichment(&[], &[order_value("a/order/1", Some(2.0))])
        .unwrap();
    let mut run = f.case.begin_enrichment().unwrap();
    run.push_order(&order_value("a/order/9", None)).unwrap();
    drop(run);
    assert_eq!(
        f.case.order_values().unwrap(),
        vec![order_value("a/order/1", Some(2.0))]
    );
    assert!(staging_is_empty(&f.case_dir()));

    let mut run = f.case.begin_enrichment().unwrap();
    run.push_order(&order_value("a/order/9", None)).unwrap();
    run.commit().unwrap();
    assert_eq!(
        f.case.order_values().unwrap(),
        vec![order_value("a/order/9", None)]
    );
    assert!(f.case.listing_facts().unwrap().is_empty());
    assert_eq!(files_under_tables(&f.case_dir()), listed_files(&f.case));
}

#[test]
fn a_receive_reports_its_copy_as_it_goes_ending_at_the_file_size() {
    let f = new_case();
    let src = f.inbox.join("big.sql");
    // Three runs of the reader (4 MiB) and a bit.
    let bytes = vec![b'x'; 3 * 4 * 1024 * 1024 + 17];
    fs::write(&src, &bytes).unwrap();
    let reported = std::cell::RefCell::new(Vec::new());
    let (received, _) = f
        .case
        .receive_watched(&src, |_| (), &|n| reported.borrow_mut().push(n))
        .unwrap();
    let reported = reported.into_inner();
    assert!(reported.len() >= 4, "one report a run: {reported:?}");
    assert!(reported.windows(2).all(|w| w[0] < w[1]), "{reported:?}");
    assert_eq!(reported.last().copied(), Some(bytes.len() as u64));
    assert_eq!(received.evidence().size, bytes.len() as u64);
}

// ---------------------------------------------------------------------------------------------------------
// Judgements.

fn acc(n: &str) -> RecordId {
    RecordId::from_stored(format!("m/account/{n}"))
}

#[test]
fn judgements_round_trip_and_are_withdrawn_never_deleted() {
    let f = new_case();
    let confirm = f
        .case
        .add_judgement(
            &JudgementKind::SameSeller {
                a: acc("1"),
                b: acc("2"),
            },
            "ana",
            "same PGP user id",
        )
        .unwrap();
    let split = f
        .case
        .add_judgement(
            &JudgementKind::Split {
                persona: "P-abc".into(),
                accounts: vec![acc("9"), acc("3")],
                members: vec![acc("1"), acc("3"), acc("9"), acc("2")],
            },
            "  bob ",
            "different writing style",
        )
        .unwrap();
    assert_eq!(confirm.id, JudgementId(1));
    assert_eq!(split.id, JudgementId(2));
    assert_eq!(split.analyst, "bob");
    assert!(confirm.made_at > 1_600_000_000, "{}", confirm.made_at);

    // Read back from a fresh open: members as judged, sorted.
    let reopened = Case::open(&f.case_dir()).unwrap();
    let all = reopened.judgements().unwrap();
    assert_eq!(all, vec![confirm.clone(), split.clone()]);
    assert_eq!(
        all[1].kind,
        JudgementKind::Split {
            persona: "P-abc".into(),
            accounts: vec![acc("3"), acc("9")],
            members: vec![acc("1"), acc("2"), acc("3"), acc("9")],
        }
    );

    let withdrawn = reopened
        .withdraw_judgement(JudgementId(1), "carl", "the user id was the market's")
        .unwrap();
    let w = withdrawn.withdrawn.clone().expect("withdrawn");
    assert_eq!(
        (w.analyst.as_str(), w.reason.as_str()),
        ("carl", "the user id was the market's")
    );
    assert!(!withdrawn.is_active());
    let all = f.case.judgements().unwrap();
    assert_eq!(all.len(), 2, "kept for the audit trail");
    assert_eq!(all[0], withdrawn);
    assert!(all[1].is_active());

    assert!(matches!(
        f.case.withdraw_judgement(JudgementId(1), "carl", "again"),
        Err(StoreError::JudgementWithdrawn { .. })
    ));
    assert!(matches!(
        f.case.withdraw_judgement(JudgementId(7), "carl", "no such"),
        Err(StoreError::UnknownJudgement(JudgementId(7)))
    ));

    // Not even SQL behind the store's back deletes or rewrites one.
    let conn = rusqlite::Connection::open(f.case_dir().join("case.db")).unwrap();
    assert!(conn.execute("DELETE FROM judgements", []).is_err());
    assert!(
        conn.execute("UPDATE judgements SET reason = 'x' WHERE id = 2", [])
            .is_err()
    );
    assert!(
        conn.execute(
            "UPDATE judgements SET withdrawn_by = 'eve' WHERE id = 1",
            []
        )
        .is_err()
    );
    assert_eq!(f.case.judgements().unwrap(), all);
}

#[test]
fn meaningless_judgements_are_refused() {
    let f = new_case();
    let pair = JudgementKind::DifferentSellers {
        a: acc("1"),
        b: acc("2"),
    };
    for (kind, analyst, reason) in [
        (&pair, "ana", "  "),
        (&pair, "", "why"),
        (
            &JudgementKind::SameSeller {
                a: acc("1"),
                b: acc("1"),
            },
            "ana",
            "why",
        ),
    ] {
        let err = f.case.add_judgement(kind, analyst, reason).unwrap_err();
        assert!(matches!(err, StoreError::InvalidJudgement(_)), "{err}");
    }
    assert!(f.case.judgements().unwrap().is_empty());
    assert!(matches!(
        f.case.withdraw_judgement(JudgementId(1), "ana", ""),
        Err(StoreError::InvalidJudgement(_))
    ));
}

#[test]
fn a_case_made_before_judgements_existed_is_upgraded_and_keeps_its_contents() {
    let f = new_case();
    let ev = f.evidence("a.sql", "a", "abyss");
    ingest(&f, &ev, "abyss", 3, 1);
    f.case
        .replace_personas(&[member("p1", "abyss/account/0")], &[])
        .unwrap();
    let dir = f.case_dir();
    let before = f.case.accounts().unwrap();
    drop(f.case);
    // Back to schema version 2 as it shipped: without the judgement tables (3), source batches (4) and
    // chain sources (5).
    {
        let conn = rusqlite::Connection::open(dir.join("case.db")).unwrap();
        conn.execute_batch(
            "DROP TABLE chain_sources;
             ALTER TABLE parts DROP COLUMN batch;
             ALTER TABLE sources DROP COLUMN batch;
             DROP TABLE source_batches;
             DROP TRIGGER judgements_are_never_deleted;
             DROP TRIGGER judgement_accounts_are_never_deleted;
             DROP TRIGGER judgements_are_never_changed;
             DROP TRIGGER judgements_are_withdrawn_once;
             DROP TABLE judgement_accounts; DROP TABLE judgements;
             UPDATE schema_version SET version = 2;",
        )
        .unwrap();
    }
    let case = Case::open(&dir).unwrap();
    let version: i64 = rusqlite::Connection::open(dir.join("case.db"))
        .unwrap()
        .query_row("SELECT version FROM schema_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, crate::db::SCHEMA_VERSION);
    assert_eq!(case.accounts().unwrap(), before);
    assert_eq!(
        case.personas().unwrap(),
        vec![member("p1", "abyss/account/0")]
    );
    assert!(case.judgements().unwrap().is_empty());
    assert!(case.chain_sources().unwrap().is_empty());
    let j = case
        .add_judgement(
            &JudgementKind::DifferentSellers {
                a: acc("0"),
                b: acc("1"),
            },
            "ana",
            "why",
        )
        .unwrap();
    assert_eq!(case.judgements().unwrap(), vec![j]);
}

#[test]
fn refused_links_are_replaced_with_the_personas() {
    let f = new_case();
    let refused = RefusedLink {
        evidence: link("a/account/1", "b/account/1"),
        judgement: JudgementId(4),
    };
    f.case
        .replace_links(&LinkRun {
            members: &[member("p1", "a/account/1")],
            refused: std::slice::from_ref(&refused),
            ..LinkRun::default()
        })
        .unwrap();
    assert_eq!(f.case.refused_links().unwrap(), vec![refused]);
    f.case
        .replace_personas(&[member("p1", "a/account/1")], &[])
        .unwrap();
    assert!(f.case.refused_links().unwrap().is_empty());
}

// ---------------------------------------------------------------------------------------------------------
// A batch of image files: each file its own evidence and source, the batch committed at once.

fn image_rec(sha: &str, market: &str, path: &str, size: u64) -> ImageFile {
    ImageFile {
        id: RecordId::new(market, EntityKind::ImageFile, path),
        market: market.to_string(),
        path: path.to_string(),
        sha256: sha.to_string(),
        format: Some("jpeg".into()),
        width: Some(128),
        height: Some(96),
        phash: Some("0123456789abcdef".into()),
        decode_error: None,
        provenance: Provenance {
            src_sha256: sha.into(),
            src_table: path.into(),
            src_row: 1,
            src_offset: 0,
            src_len: size,
        },
    }
}

/// Writes `files` (name, bytes) into a fresh directory of the inbox and stages them all in one batch,
/// pushing an image record for each new one.
fn stage_images<'c>(
    f: &'c Fixture,
    batch: &mut SourceBatch<'c>,
    dir: &str,
    files: &[(&str, &[u8])],
) -> Vec<StagedFile> {
    let dir = f.inbox.join(dir);
    fs::create_dir_all(&dir).unwrap();
    files
        .iter()
        .map(|(name, bytes)| {
            let path = dir.join(name);
            fs::write(&path, bytes).unwrap();
            let staged = batch.stage_file(&path).unwrap();
            assert_eq!(
                fs::read(&staged.path).unwrap(),
                *bytes,
                "the staged copy is the file"
            );
            if !staged.already_ingested {
                batch
                    .push(Record::ImageFile(image_rec(
                        &staged.sha256,
                        "abyss",
                        name,
                        staged.size,
                    )))
                    .unwrap();
            }
            staged
        })
        .collect()
}

#[test]
fn a_batch_of_images_commits_each_file_as_evidence_in_one_part() {
    let f = new_case();
    let mut batch = f.case.begin_batch("abyss", "images", "uploads").unwrap();
    let files: [(&str, &[u8]); 4] = [
        ("a.jpg", b"\xff\xd8\xff one"),
        ("b.jpg", b"\xff\xd8\xff two"),
        ("c.png", b"\x89PNG three"),
        // The same bytes under another name: one evidence file and source, two image records.
        ("copy-of-a.jpg", b"\xff\xd8\xff one"),
    ];
    let staged = stage_images(&f, &mut batch, "uploads", &files);
    assert_eq!(staged[0].sha256, staged[3].sha256);
    // Nothing is visible before the commit.
    assert!(f.case.images().unwrap().is_empty());
    assert!(evidence_dir_names(&f.case).is_empty());
    let summary = batch.commit().unwrap();
    assert_eq!(summary.sources, 3);
    assert_eq!(summary.rows_by_table.get("images"), Some(&4));
    assert_eq!(summary.rows_by_table.get("markets"), Some(&1));

    let mut held: Vec<String> = staged.iter().map(|s| s.sha256.clone()).collect();
    held.sort();
    held.dedup();
    assert_eq!(evidence_dir_names(&f.case), held);
    for sha in &held {
        assert!(f.case.is_ingested(sha).unwrap());
        assert!(f.case.verify_evidence(sha).unwrap());
    }
    let sources = f.case.sources().unwrap();
    assert_eq!(sources.len(), 3);
    assert!(
        sources
            .iter()
            .all(|s| s.profile == "images" && s.format == "jpeg")
    );
    let a = sources
        .iter()
        .find(|s| s.sha256 == staged[0].sha256)
        .unwrap();
    assert_eq!(a.records_stored, 2, "{a:?}");
    // One part for the whole batch, not one per file.
    let parts = listed_files(&f.case);
    assert_eq!(
        parts
            .iter()
            .filter(|p| p.starts_with("tables/images/"))
            .count(),
        1,
        "{parts:?}"
    );
    let mut paths: Vec<String> = f
        .case
        .images()
        .unwrap()
        .into_iter()
        .map(|i| i.path)
        .collect();
    paths.sort();
    assert_eq!(paths, ["a.jpg", "b.jpg", "c.png", "copy-of-a.jpg"]);
    assert_eq!(f.case.markets().unwrap().len(), 1);

    // The same directory again: every file is receipted, nothing new is stored.
    let mut again = f.case.begin_batch("abyss", "images", "uploads").unwrap();
    let staged = stage_images(&f, &mut again, "uploads", &files);
    assert!(staged.iter().all(|s| s.already_ingested));
    let summary = again.commit().unwrap();
    assert_eq!(summary.sources, 0);
    assert_eq!(summary.already_ingested, 4);
    assert_eq!(summary.batch, None);
    assert_eq!(f.case.images().unwrap().len(), 4);
    assert_eq!(f.case.sources().unwrap().len(), 3);
    assert_eq!(listed_files(&f.case), parts);
}

#[test]
fn a_batch_that_does_not_commit_leaves_the_case_as_it_was() {
    let f = new_case();
    let mut batch = f.case.begin_batch("abyss", "images", "uploads").unwrap();
    stage_images(
        &f,
        &mut batch,
        "uploads",
        &[("a.jpg", b"one"), ("b.jpg", b"two")],
    );
    drop(batch);
    assert!(evidence_dir_names(&f.case).is_empty());
    assert!(f.case.sources().unwrap().is_empty());
    assert!(files_under_tables(&f.case_dir()).is_empty());

    // A crash after the files were renamed into evidence/ and the parts into tables/, before the commit:
    // the next open sweeps both.
    let mut batch = f.case.begin_batch("abyss", "images", "uploads").unwrap();
    stage_images(
        &f,
        &mut batch,
        "uploads",
        &[("a.jpg", b"one"), ("b.jpg", b"two")],
    );
    batch.crash_before_commit = true;
    assert!(matches!(batch.commit(), Err(StoreError::Injected(_))));
    assert_eq!(evidence_dir_names(&f.case).len(), 2);
    let reopened = Case::open(&f.case_dir()).unwrap();
    assert!(evidence_dir_names(&reopened).is_empty());
    assert!(files_under_tables(&f.case_dir()).is_empty());
    assert!(reopened.images().unwrap().is_empty());
    assert!(reopened.sources().unwrap().is_empty());
}

#[test]
fn a_batch_refuses_records_of_other_sources() {
    let f = new_case();
    let mut batch = f.case.begin_batch("abyss", "images", "uploads").unwrap();
    let staged = stage_images(&f, &mut batch, "uploads", &[("a.jpg", b"one")]);
    let stranger = "ab".repeat(32);
    let err = batch
        .push(Record::ImageFile(image_rec(&stranger, "abyss", "x.jpg", 1)))
        .unwrap_err();
    assert!(matches!(err, StoreError::ForeignProvenance { .. }), "{err}");
    let err = batch
        .push(Record::Account(account_rec(&staged[0].sha256, "abyss", 1)))
        .unwrap_err();
    assert!(matches!(err, StoreError::ForeignProvenance { .. }), "{err}");
}

#[test]
fn bytes_held_for_one_market_take_records_of_another_once() {
    let f = new_case();
    let files: [(&str, &[u8]); 1] = [("a.jpg", b"the same upload")];
    let mut batch = f.case.begin_batch("abyss", "images", "abyss").unwrap();
    stage_images(&f, &mut batch, "abyss", &files);
    assert_eq!(batch.commit().unwrap().sources, 1);

    // The seller uploaded the very same file to a second market.
    let mut batch = f.case.begin_batch("tortuga", "images", "tortuga").unwrap();
    let dir = f.inbox.join("tortuga");
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("b.jpg"), files[0].1).unwrap();
    let staged = batch.stage_file(&dir.join("b.jpg")).unwrap();
    assert!(!staged.already_ingested);
    batch
        .push(Record::ImageFile(image_rec(
            &staged.sha256,
            "tortuga",
            "b.jpg",
            staged.size,
        )))
        .unwrap();
    let summary = batch.commit().unwrap();
    assert_eq!((summary.sources, summary.added_to_market), (0, 1));
    assert_eq!(
        f.case.sources().unwrap().len(),
        1,
        "one source, one evidence file"
    );
    let markets = f.case.source_markets(&staged.sha256).unwrap();
    assert_eq!(markets.get("abyss"), Some(&1));
    assert_eq!(markets.get("tortuga"), Some(&1));
    assert_eq!(f.case.images().unwrap().len(), 2);
    assert_eq!(f.case.markets().unwrap().len(), 2);

    // Again for the second market: nothing new.
    let mut batch = f.case.begin_batch("tortuga", "images", "tortuga").unwrap();
    let staged = batch.stage_file(&dir.join("b.jpg")).unwrap();
    assert!(staged.already_ingested);
    assert_eq!(batch.commit().unwrap().added_to_market, 0);
    assert_eq!(f.case.images().unwrap().len(), 2);
}
