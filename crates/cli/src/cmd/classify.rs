use clap::Args;
use serde_json::json;
use spector_enrich::{find_contact_handles, find_crypto_addresses, find_public_keys};
use spector_model::{EntityKind, Listing, Provenance, RecordId};
use spector_pipeline::{ListingReading, read_listing};

use crate::output::{Output, term_safe};

#[derive(Args)]
pub struct ClassifyArgs {
    /// Texts to classify, each as a listing title (quote each one).
    #[arg(required = true, value_name = "TEXT")]
    pub texts: Vec<String>,
    /// A listing description to read with every TEXT, as the pipeline reads a listing's title and
    /// description together (the class comes from the title unless it names nothing).
    #[arg(long)]
    pub description: Option<String>,
    /// Read every TEXT without the fuzzy (misspelling) matches, to see what they add.
    #[arg(long)]
    pub no_fuzzy: bool,
    /// Read every TEXT as listed on this day (YYYY-MM-DD): some names changed meaning over the years (an
    /// "M30" listed before 2015 was oxycodone, not a counterfeit fentanyl pill). Without it, today's reading.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: Option<String>,
}

pub fn run(args: ClassifyArgs, out: &Output) -> anyhow::Result<()> {
    let classifier = spector_enrich::Classifier::embedded()
        .clone()
        .with_fuzzy(!args.no_fuzzy);
    let listed_at = match &args.date {
        None => None,
        Some(d) => Some(
            chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .map_err(|e| anyhow::anyhow!("--date {d:?}: expected YYYY-MM-DD ({e})"))?
                .and_hms_opt(12, 0, 0)
                .map(|t| t.and_utc().timestamp())
                .unwrap_or_default(),
        ),
    };
    let mut results = Vec::new();
    for text in &args.texts {
        let found = Found::of(&classifier, text, args.description.as_deref(), listed_at);
        if out.json {
            results.push(found.to_json(text));
        } else {
            found.print(text, out);
        }
    }
    if out.json {
        out.print_json(&results)?;
    }
    Ok(())
}

/// Everything enrichment finds in one text, as the pipeline finds it in a listing.
struct Found {
    /// The class, the amounts and the stored summary, exactly as `spector enrich` reads a listing.
    reading: ListingReading,
    addresses: Vec<spector_enrich::FoundAddress>,
    handles: Vec<spector_enrich::FoundHandle>,
    keys: Vec<spector_enrich::FoundKey>,
}

impl Found {
    fn of(
        classifier: &spector_enrich::Classifier,
        title: &str,
        description: Option<&str>,
        listed_at: Option<i64>,
    ) -> Found {
        let listing = Listing {
            id: RecordId::new("classify", EntityKind::Listing, "0"),
            market: "classify".into(),
            vendor_id: None,
            title: title.to_string(),
            description: description.map(str::to_string),
            category: None,
            price: None,
            currency: None,
            ships_from: None,
            ships_to: None,
            created_at: listed_at,
            provenance: Provenance::default(),
        };
        let reading = read_listing(classifier, &listing, spector_enrich::PriceTable::shipped());
        let free_text = match description {
            Some(d) => format!("{title}\n{d}"),
            None => title.to_string(),
        };
        Found {
            reading,
            addresses: find_crypto_addresses(&free_text),
            handles: find_contact_handles(&free_text),
            keys: find_public_keys(&free_text),
        }
    }

    fn to_json(&self, text: &str) -> serde_json::Value {
        let p = &self.reading.product;
        json!({
            "text": text,
            "taxonomy": p.taxonomy_version,
            "class": p.class,
            "group": p.group.map(|g| g.as_str()),
            "fentanyl": p.fentanyl,
            "counterfeit_pill": p.counterfeit_pill,
            "youth_appeal": p.youth_appeal,
            "matched": p.matched.iter().map(|m| json!({
                "term": m.term, "field": field(m.field), "start": m.start, "end": m.end,
                "negated": m.negated, "how": m.how.describe(),
                "era": m.era.as_ref().map(|e| e.describe()),
            })).collect::<Vec<_>>(),
            "grams": self.reading.facts.grams,
            "units": self.reading.facts.units,
            "dose_mg": self.reading.facts.dose_mg,
            "purity_pct": self.reading.facts.purity_pct,
            "amounts": self.reading.amounts.iter().flat_map(|(field, a)| a.matches.iter().map(move |m| json!({
                "field": field, "kind": m.kind.as_str(), "raw": m.raw, "value": m.value, "unit": m.unit,
                "normalised": m.normalised, "start": m.start, "end": m.end,
            }))).collect::<Vec<_>>(),
            "tiers": self.reading.amounts.iter().flat_map(|(field, a)| a.tiers.iter().map(move |t| json!({
                "field": field, "quantity": t.quantity, "unit": t.unit, "price": t.price,
                "currency": t.currency, "start": t.start, "end": t.end,
            }))).collect::<Vec<_>>(),
            "addresses": self.addresses.iter().map(|a| json!({
                "address": a.address, "coin": a.coin, "kind": a.kind.as_str(),
                "network": a.network.as_str(), "checksum": a.checksum.as_str(),
            })).collect::<Vec<_>>(),
            "handles": self.handles.iter().map(|h| json!({
                "kind": h.kind.as_str(), "handle": h.handle, "raw": h.raw,
            })).collect::<Vec<_>>(),
            "pgp_keys": self.keys.iter().map(|k| match &k.result {
                Ok(info) => json!({"fingerprint": info.fingerprint, "key_id": info.key_id,
                    "algorithm": info.algorithm, "user_ids": info.user_ids}),
                Err(e) => json!({"error": e.to_string()}),
            }).collect::<Vec<_>>(),
        })
    }

    fn print(&self, text: &str, out: &Output) {
        let p = &self.reading.product;
        out.line(&term_safe(text));
        let mut flags = Vec::new();
        if p.fentanyl {
            flags.push("FENTANYL");
        }
        if p.counterfeit_pill {
            flags.push("counterfeit pill");
        }
        if p.youth_appeal {
            flags.push("aimed at young buyers");
        }
        out.line(&format!(
            "  class: {}{}{}",
            p.class.as_deref().unwrap_or("(nothing recognised)"),
            p.group
                .map(|g| format!(" ({})", g.as_str()))
                .unwrap_or_default(),
            if flags.is_empty() {
                String::new()
            } else {
                format!(" · {}", flags.join(" · "))
            }
        ));
        for m in &p.matched {
            let term = format!("{}{}", if m.negated { "not " } else { "" }, m.term);
            out.line(&format!(
                "    {:<18} {} {}-{} {}{}",
                term_safe(&term),
                field(m.field),
                m.start,
                m.end,
                m.how.describe(),
                m.era
                    .as_ref()
                    .map(|e| format!(" ({})", e.describe()))
                    .unwrap_or_default()
            ));
        }
        let summary: Vec<String> = [
            self.reading.facts.grams.map(|g| format!("{g} g")),
            self.reading.facts.units.map(|u| format!("{u} units")),
            self.reading.facts.dose_mg.map(|d| format!("{d} mg a unit")),
            self.reading.facts.purity_pct.map(|p| format!("{p}% pure")),
        ]
        .into_iter()
        .flatten()
        .collect();
        if !summary.is_empty() {
            out.line(&format!("  amount: {}", summary.join(", ")));
        }
        for (field, a) in &self.reading.amounts {
            for m in &a.matches {
                out.line(&format!(
                    "    {:<13} {:<14} {field} {}-{}",
                    m.kind.as_str(),
                    term_safe(&m.raw),
                    m.start,
                    m.end
                ));
            }
            for t in &a.tiers {
                out.line(&format!(
                    "    tier          {} {} for {} {}",
                    t.quantity,
                    term_safe(&t.unit),
                    t.price,
                    term_safe(&t.currency)
                ));
            }
        }
        for a in &self.addresses {
            out.line(&format!(
                "  address: {} ({} {}, {})",
                a.address,
                a.coin,
                a.kind.as_str(),
                a.checksum.as_str()
            ));
        }
        for h in &self.handles {
            out.line(&format!(
                "  handle: {} {} (written {:?})",
                h.kind.as_str(),
                term_safe(&h.handle),
                term_safe(&h.raw)
            ));
        }
        for k in &self.keys {
            match &k.result {
                Ok(info) => out.line(&format!(
                    "  pgp key: {} {}",
                    info.fingerprint,
                    term_safe(&info.user_ids.join(", "))
                )),
                Err(e) => out.line(&format!(
                    "  pgp key (unreadable): {}",
                    term_safe(&e.to_string())
                )),
            }
        }
    }
}

fn field(f: spector_enrich::TextField) -> &'static str {
    match f {
        spector_enrich::TextField::Title => "title",
        spector_enrich::TextField::Description => "description",
    }
}
