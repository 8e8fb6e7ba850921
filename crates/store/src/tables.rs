//! The tables of a case: their columns, and how each row type maps onto them.
//!
//! Column names are what an analyst would guess in SQL. Ids are text, enums their lower-case names,
//! timestamps UTC seconds, and every record of a source ends with its flattened provenance
//! (`src_sha256, src_table, src_row, src_offset, src_len`).

use crate::columns::{
    Column, ColumnType::*, PROVENANCE, RowReader, RowWriter, optional, required, schema_of,
};
use crate::source::Quarantined;
use arrow::datatypes::SchemaRef;
use spector_model::{
    Account, AccountRole, ChainAddress, ChainBlock, ChainInput, ChainOutput, ChainSkip, ChainTag,
    ChainTx, ChainUnion, ContactHandle, CryptoAddress, Feedback, ImageFile, JudgementId,
    LinkEvidence, LinkModelLevel, LinkRuleRate, Listing, ListingFacts, Market, Message, Order,
    OrderState, OrderValue, PersonaMember, PgpKey, PhotoRef, RefusedLink, ShippingInfo,
};

/// Every table of a case, in the order they are listed to analysts.
pub const TABLES: [&str; 28] = [
    "markets",
    "accounts",
    "listings",
    "orders",
    "feedback",
    "messages",
    "pgp_keys",
    "crypto_addresses",
    "contact_handles",
    "shipping_info",
    "images",
    "photo_refs",
    "rejects",
    "persona_members",
    "link_evidence",
    "refused_links",
    "link_rules",
    "link_model",
    "listing_facts",
    "order_values",
    "chain_blocks",
    "chain_txs",
    "chain_inputs",
    "chain_outputs",
    "chain_addresses",
    "chain_unions",
    "chain_skips",
    "chain_tags",
];

/// The Arrow schema of a table, `None` for a name that is not a table.
pub fn table_schema(table: &str) -> Option<SchemaRef> {
    let columns = match table {
        "markets" => Market::columns(),
        "accounts" => Account::columns(),
        "listings" => Listing::columns(),
        "orders" => Order::columns(),
        "feedback" => Feedback::columns(),
        "messages" => Message::columns(),
        "pgp_keys" => PgpKey::columns(),
        "crypto_addresses" => CryptoAddress::columns(),
        "contact_handles" => ContactHandle::columns(),
        "shipping_info" => ShippingInfo::columns(),
        "images" => ImageFile::columns(),
        "photo_refs" => PhotoRef::columns(),
        "rejects" => Quarantined::columns(),
        "persona_members" => PersonaMember::columns(),
        "link_evidence" => LinkEvidence::columns(),
        "refused_links" => RefusedLink::columns(),
        "link_rules" => LinkRuleRate::columns(),
        "link_model" => LinkModelLevel::columns(),
        "listing_facts" => ListingFacts::columns(),
        "order_values" => OrderValue::columns(),
        "chain_blocks" => ChainBlock::columns(),
        "chain_txs" => ChainTx::columns(),
        "chain_inputs" => ChainInput::columns(),
        "chain_outputs" => ChainOutput::columns(),
        "chain_addresses" => ChainAddress::columns(),
        "chain_unions" => ChainUnion::columns(),
        "chain_skips" => ChainSkip::columns(),
        "chain_tags" => ChainTag::columns(),
        _ => return None,
    };
    Some(schema_of(&columns))
}

/// A type stored as the rows of one table.
pub(crate) trait Row: Sized {
    const TABLE: &'static str;
    /// The columns, in the order [`Row::write`] and [`Row::read`] visit them.
    fn columns() -> Vec<Column>;
    fn write(&self, w: &mut RowWriter);
    /// Reads the row the reader is positioned on; the message names the bad column.
    fn read(r: &mut RowReader<'_>) -> Result<Self, String>;
}

fn with_provenance(columns: &[Column]) -> Vec<Column> {
    columns.iter().chain(PROVENANCE.iter()).copied().collect()
}

impl Row for Market {
    const TABLE: &'static str = "markets";
    fn columns() -> Vec<Column> {
        with_provenance(&[required("id", Text).delta(), required("name", Text)])
    }
    fn write(&self, w: &mut RowWriter) {
        w.id(&self.id);
        w.text(&self.name);
        w.provenance(&self.provenance);
    }
    fn read(r: &mut RowReader<'_>) -> Result<Self, String> {
        Ok(Market {
            id: r.id()?,
            name: r.text()?,
            provenance: r.provenance()?,
        })
    }
}

impl Row for Account {
    const TABLE: &'static str = "accounts";
    fn columns() -> Vec<Column> {
        with_provenance(&[
            required("id", Text).delta(),
            required("market", Text),
            required("name", Text),
            required("role", Text).scattered(),
            optional("created_at", Time).delta(),
            optional("profile", Text).prose(),
        ])
    }
    fn write(&self, w: &mut RowWriter) {
        w.id(&self.id);
        w.text(&self.market);
        w.text(&self.name);
        w.text(self.role.as_str());
        w.time(self.created_at);
        w.opt_text(self.profile.as_deref());
        w.provenance(&self.provenance);
    }
    fn read(r: &mut RowReader<'_>) -> Result<Self, String> {
        Ok(Account {
            id: r.id()?,
            market: r.text()?,
            name: r.text()?,
            role: r.parsed(AccountRole::parse)?,
            created_at: r.time()?,
            profile: r.opt_text()?,
            provenance: r.provenance()?,
        })
    }
}

impl Row for Listing {
    const TABLE: &'static str = "listings";
    fn columns() -> Vec<Column> {
        with_provenance(&[
            required("id", Text).delta(),
            required("market", Text),
            optional("vendor_id", Text).scattered(),
            required("title", Text),
            optional("description", Text).prose(),
            optional("category", Text).scattered(),
            optional("price", Float),
            optional("currency", Text).scattered(),
            optional("ships_from", Text).scattered(),
            optional("ships_to", Text).scattered(),
            optional("created_at", Time).delta(),
        ])
    }
    fn write(&self, w: &mut RowWriter) {
        w.id(&self.id);
        w.text(&self.market);
        w.opt_id(self.vendor_id.as_ref());
        w.text(&self.title);
        w.opt_text(self.description.as_deref());
        w.opt_text(self.category.as_deref());
        w.float(self.price);
        w.opt_text(self.currency.as_deref());
        w.opt_text(self.ships_from.as_deref());
        w.opt_text(self.ships_to.as_deref());
        w.time(self.created_at);
        w.provenance(&self.provenance);
    }
    fn read(r: &mut RowReader<'_>) -> Result<Self, String> {
        Ok(Listing {
            id: r.id()?,
            market: r.text()?,
            vendor_id: r.opt_id()?,
            title: r.text()?,
            description: r.opt_text()?,
            category: r.opt_text()?,
            price: r.float()?,
            currency: r.opt_text()?,
            ships_from: r.opt_text()?,
            ships_to: r.opt_text()?,
            created_at: r.time()?,
            provenance: r.provenance()?,
        })
    }
}

impl Row for Order {
    const TABLE: &'static str = "orders";
    fn columns() -> Vec<Column> {
        with_provenance(&[
            required("id", Text).delta(),
            required("market", Text),
            optional("listing_id", Text).scattered(),
            optional("buyer_id", Text).scattered(),
            optional("vendor_id", Text).scattered(),
            optional("quantity", Float),
            optional("amount", Float),
            optional("currency", Text).scattered(),
            required("state", Text).scattered(),
            optional("state_raw", Text).scattered(),
            optional("created_at", Time).delta(),
        ])
    }
    fn write(&self, w: &mut RowWriter) {
        w.id(&self.id);
        w.text(&self.market);
        w.opt_id(self.listing_id.as_ref());
        w.opt_id(self.buyer_id.as_ref());
        w.opt_id(self.vendor_id.as_ref());
        w.float(self.quantity);
        w.float(self.amount);
        w.opt_text(self.currency.as_deref());
        w.text(self.state.as_str());
        w.opt_text(self.state_raw.as_deref());
        w.time(self.created_at);
        w.provenance(&self.provenance);
    }
    fn read(r: &mut RowReader<'_>) -> Result<Self, String> {
        Ok(Order {
            id: r.id()?,
            market: r.text()?,
            listing_id: r.opt_id()?,
            buyer_id: r.opt_id()?,
            vendor_id: r.opt_id()?,
            quantity: r.float()?,
            amount: r.float()?,
            currency: r.opt_text()?,
            state: r.parsed(OrderState::parse)?,
            state_raw: r.opt_text()?,
            created_at: r.time()?,
            provenance: r.provenance()?,
        })
    }
}

impl Row for Feedback {
    const TABLE: &'static str = "feedback";
    fn columns() -> Vec<Column> {
        with_provenance(&[
            required("id", Text).delta(),
            required("market", Text),
            // One feedback per order, as a rule: a dictionary would only be abandoned.
            optional("order_id", Text).delta(),
            optional("listing_id", Text).scattered(),
            optional("vendor_id", Text).scattered(),
            optional("buyer_id", Text).scattered(),
            optional("rating", Float),
            optional("comment", Text).prose(),
            optional("created_at", Time).delta(),
        ])
    }
    fn write(&self, w: &mut RowWriter) {
        w.id(&self.id);
        w.text(&self.market);
        w.opt_id(self.order_id.as_ref());
        w.opt_id(self.listing_id.as_ref());
        w.opt_id(self.vendor_id.as_ref());
        w.opt_id(self.buyer_id.as_ref());
        w.float(self.rating);
        w.opt_text(self.comment.as_deref());
        w.time(self.created_at);
        w.provenance(&self.provenance);
    }
    fn read(r: &mut RowReader<'_>) -> Result<Self, String> {
        Ok(Feedback {
            id: r.id()?,
            market: r.text()?,
            order_id: r.opt_id()?,
            listing_id: r.opt_id()?,
            vendor_id: r.opt_id()?,
            buyer_id: r.opt_id()?,
            rating: r.float()?,
            comment: r.opt_text()?,
            created_at: r.time()?,
            provenance: r.provenance()?,
        })
    }
}

impl Row for Message {
    const TABLE: &'static str = "messages";
    fn columns() -> Vec<Column> {
        with_provenance(&[
            required("id", Text).delta(),
            required("market", Text),
            optional("sender_id", Text).scattered(),
            optional("recipient_id", Text).scattered(),
            optional("subject", Text),
            required("body", Text).prose(),
            optional("created_at", Time).delta(),
        ])
    }
    fn write(&self, w: &mut RowWriter) {
        w.id(&self.id);
        w.text(&self.market);
        w.opt_id(self.sender_id.as_ref());
        w.opt_id(self.recipient_id.as_ref());
        w.opt_text(self.subject.as_deref());
        w.text(&self.body);
        w.time(self.created_at);
        w.provenance(&self.provenance);
    }
    fn read(r: &mut RowReader<'_>) -> Result<Self, String> {
        Ok(Message {
            id: r.id()?,
            market: r.text()?,
            sender_id: r.opt_id()?,
            recipient_id: r.opt_id()?,
            subject: r.opt_text()?,
            body: r.text()?,
            created_at: r.time()?,
            provenance: r.provenance()?,
        })
    }
}

impl Row for PgpKey {
    const TABLE: &'static str = "pgp_keys";
    fn columns() -> Vec<Column> {
        with_provenance(&[
            required("id", Text).delta(),
            required("market", Text),
            optional("account_id", Text).scattered(),
            required("armored", Text).prose(),
            optional("fingerprint", Text),
            optional("parse_error", Text),
            optional("found_in", Text),
        ])
    }
    fn write(&self, w: &mut RowWriter) {
        w.id(&self.id);
        w.text(&self.market);
        w.opt_id(self.account_id.as_ref());
        w.text(&self.armored);
        w.opt_text(self.fingerprint.as_deref());
        w.opt_text(self.parse_error.as_deref());
        w.opt_text(self.found_in.as_deref());
        w.provenance(&self.provenance);
    }
    fn read(r: &mut RowReader<'_>) -> Result<Self, String> {
        Ok(PgpKey {
            id: r.id()?,
            market: r.text()?,
            account_id: r.opt_id()?,
            armored: r.text()?,
            fingerprint: r.opt_text()?,
            parse_error: r.opt_text()?,
            found_in: r.opt_text()?,
            provenance: r.provenance()?,
        })
    }
}

impl Row for CryptoAddress {
    const TABLE: &'static str = "crypto_addresses";
    fn columns() -> Vec<Column> {
        with_provenance(&[
            required("id", Text).delta(),
            required("market", Text),
            optional("account_id", Text).scattered(),
            required("address", Text),
            required("coin", Text).scattered(),
            optional("purpose", Text).scattered(),
            optional("found_in", Text),
        ])
    }
    fn write(&self, w: &mut RowWriter) {
        w.id(&self.id);
        w.text(&self.market);
        w.opt_id(self.account_id.as_ref());
        w.text(&self.address);
        w.text(&self.coin);
        w.opt_text(self.purpose.as_deref());
        w.opt_text(self.found_in.as_deref());
        w.provenance(&self.provenance);
    }
    fn read(r: &mut RowReader<'_>) -> Result<Self, String> {
        Ok(CryptoAddress {
            id: r.id()?,
            market: r.text()?,
            account_id: r.opt_id()?,
            address: r.text()?,
            coin: r.text()?,
            purpose: r.opt_text()?,
            found_in: r.opt_text()?,
            provenance: r.provenance()?,
        })
    }
}

impl Row for ContactHandle {
    const TABLE: &'static str = "contact_handles";
    fn columns() -> Vec<Column> {
        with_provenance(&[
            required("id", Text).delta(),
            required("market", Text),
            optional("account_id", Text).scattered(),
            required("kind", Text).scattered(),
            required("handle", Text),
            required("raw", Text).prose(),
            optional("found_in", Text),
        ])
    }
    fn write(&self, w: &mut RowWriter) {
        w.id(&self.id);
        w.text(&self.market);
        w.opt_id(self.account_id.as_ref());
        w.text(&self.kind);
        w.text(&self.handle);
        w.text(&self.raw);
        w.opt_text(self.found_in.as_deref());
        w.provenance(&self.provenance);
    }
    fn read(r: &mut RowReader<'_>) -> Result<Self, String> {
        Ok(ContactHandle {
            id: r.id()?,
            market: r.text()?,
            account_id: r.opt_id()?,
            kind: r.text()?,
            handle: r.text()?,
            raw: r.text()?,
            found_in: r.opt_text()?,
            provenance: r.provenance()?,
        })
    }
}

impl Row for ShippingInfo {
    const TABLE: &'static str = "shipping_info";
    fn columns() -> Vec<Column> {
        with_provenance(&[
            required("id", Text).delta(),
            required("market", Text),
            // One shipping text per order.
            optional("order_id", Text).delta(),
            optional("buyer_id", Text).scattered(),
            optional("vendor_id", Text).scattered(),
            required("text", Text).ciphertext(),
            required("encrypted", Bool),
        ])
    }
    fn write(&self, w: &mut RowWriter) {
        w.id(&self.id);
        w.text(&self.market);
        w.opt_id(self.order_id.as_ref());
        w.opt_id(self.buyer_id.as_ref());
        w.opt_id(self.vendor_id.as_ref());
        w.text(&self.text);
        w.boolean(self.encrypted);
        w.provenance(&self.provenance);
    }
    fn read(r: &mut RowReader<'_>) -> Result<Self, String> {
        Ok(ShippingInfo {
            id: r.id()?,
            market: r.text()?,
            order_id: r.opt_id()?,
            buyer_id: r.opt_id()?,
            vendor_id: r.opt_id()?,
            text: r.text()?,
            encrypted: r.boolean()?,
            provenance: r.provenance()?,
        })
    }
}

impl Row for ImageFile {
    const TABLE: &'static str = "images";
    fn columns() -> Vec<Column> {
        with_provenance(&[
            required("id", Text).delta(),
            required("market", Text),
            required("path", Text).delta(),
            required("sha256", Text),
            optional("format", Text),
            optional("width", Count),
            optional("height", Count),
            optional("phash", Text),
            optional("decode_error", Text),
        ])
    }
    fn write(&self, w: &mut RowWriter) {
        w.id(&self.id);
        w.text(&self.market);
        w.text(&self.path);
        w.text(&self.sha256);
        w.opt_text(self.format.as_deref());
        w.opt_count(self.width);
        w.opt_count(self.height);
        w.opt_text(self.phash.as_deref());
        w.opt_text(self.decode_error.as_deref());
        w.provenance(&self.provenance);
    }
    fn read(r: &mut RowReader<'_>) -> Result<Self, String> {
        Ok(ImageFile {
            id: r.id()?,
            market: r.text()?,
            path: r.text()?,
            sha256: r.text()?,
            format: r.opt_text()?,
            width: r.opt_count()?,
            height: r.opt_count()?,
            phash: r.opt_text()?,
            decode_error: r.opt_text()?,
            provenance: r.provenance()?,
        })
    }
}

impl Row for PhotoRef {
    const TABLE: &'static str = "photo_refs";
    fn columns() -> Vec<Column> {
        with_provenance(&[
            required("id", Text).delta(),
            required("market", Text),
            optional("listing_id", Text).scattered(),
            optional("account_id", Text).scattered(),
            required("reference", Text),
        ])
    }
    fn write(&self, w: &mut RowWriter) {
        w.id(&self.id);
        w.text(&self.market);
        w.opt_id(self.listing_id.as_ref());
        w.opt_id(self.account_id.as_ref());
        w.text(&self.reference);
        w.provenance(&self.provenance);
    }
    fn read(r: &mut RowReader<'_>) -> Result<Self, String> {
        Ok(PhotoRef {
            id: r.id()?,
            market: r.text()?,
            listing_id: r.opt_id()?,
            account_id: r.opt_id()?,
            reference: r.text()?,
            provenance: r.provenance()?,
        })
    }
}

impl Row for Quarantined {
    const TABLE: &'static str = "rejects";
    fn columns() -> Vec<Column> {
        vec![
            required("src_sha256", Text),
            required("file", Text),
            required("line", Count),
            required("offset", Count),
            required("raw", Text).prose(),
            required("reason", Text),
        ]
    }
    fn write(&self, w: &mut RowWriter) {
        w.text(&self.src_sha256);
        w.text(&self.reject.file);
        w.count(self.reject.line);
        w.count(self.reject.offset);
        w.text(&self.reject.raw);
        w.text(&self.reject.reason);
    }
    fn read(r: &mut RowReader<'_>) -> Result<Self, String> {
        Ok(Quarantined {
            src_sha256: r.text()?,
            reject: crate::Reject {
                file: r.text()?,
                line: r.count()?,
                offset: r.count()?,
                raw: r.text()?,
                reason: r.text()?,
            },
        })
    }
}

impl Row for PersonaMember {
    const TABLE: &'static str = "persona_members";
    fn columns() -> Vec<Column> {
        vec![required("persona_id", Text), required("account_id", Text)]
    }
    fn write(&self, w: &mut RowWriter) {
        w.text(&self.persona_id);
        w.id(&self.account_id);
    }
    fn read(r: &mut RowReader<'_>) -> Result<Self, String> {
        Ok(PersonaMember {
            persona_id: r.text()?,
            account_id: r.id()?,
        })
    }
}

impl Row for LinkEvidence {
    const TABLE: &'static str = "link_evidence";
    fn columns() -> Vec<Column> {
        vec![
            required("account_a", Text),
            required("account_b", Text),
            required("rule", Text),
            required("value", Text),
            required("score", Float),
        ]
    }
    fn write(&self, w: &mut RowWriter) {
        w.id(&self.account_a);
        w.id(&self.account_b);
        w.text(&self.rule);
        w.text(&self.value);
        w.required_float(self.score);
    }
    fn read(r: &mut RowReader<'_>) -> Result<Self, String> {
        Ok(LinkEvidence {
            account_a: r.id()?,
            account_b: r.id()?,
            rule: r.text()?,
            value: r.text()?,
            score: r.required_float()?,
        })
    }
}

impl Row for RefusedLink {
    const TABLE: &'static str = "refused_links";
    fn columns() -> Vec<Column> {
        let mut columns = LinkEvidence::columns();
        // As `J-<n>`, the way confirmations name their judgement in `link_evidence.value`.
        columns.push(required("judgement", Text));
        columns
    }
    fn write(&self, w: &mut RowWriter) {
        self.evidence.write(w);
        w.text(&self.judgement.to_string());
    }
    fn read(r: &mut RowReader<'_>) -> Result<Self, String> {
        Ok(RefusedLink {
            evidence: LinkEvidence::read(r)?,
            judgement: r.parsed(JudgementId::parse)?,
        })
    }
}

impl Row for LinkRuleRate {
    const TABLE: &'static str = "link_rules";
    fn columns() -> Vec<Column> {
        vec![
            required("rule", Text),
            required("links", Count),
            optional("threshold", Float),
            optional("expected_precision", Float),
            optional("expected_recall", Float),
            required("basis", Text).prose(),
        ]
    }
    fn write(&self, w: &mut RowWriter) {
        w.text(&self.rule);
        w.count(self.links);
        w.float(self.threshold);
        w.float(self.expected_precision);
        w.float(self.expected_recall);
        w.text(&self.basis);
    }
    fn read(r: &mut RowReader<'_>) -> Result<Self, String> {
        Ok(LinkRuleRate {
            rule: r.text()?,
            links: r.count()?,
            threshold: r.float()?,
            expected_precision: r.float()?,
            expected_recall: r.float()?,
            basis: r.text()?,
        })
    }
}

impl Row for LinkModelLevel {
    const TABLE: &'static str = "link_model";
    fn columns() -> Vec<Column> {
        vec![
            required("comparison", Text),
            required("level", Count),
            required("level_name", Text),
            required("m", Float),
            required("u", Float),
            required("weight_bits", Float),
        ]
    }
    fn write(&self, w: &mut RowWriter) {
        w.text(&self.comparison);
        w.count(self.level);
        w.text(&self.level_name);
        w.required_float(self.m);
        w.required_float(self.u);
        w.required_float(self.weight_bits);
    }
    fn read(r: &mut RowReader<'_>) -> Result<Self, String> {
        Ok(LinkModelLevel {
            comparison: r.text()?,
            level: r.count()?,
            level_name: r.text()?,
            m: r.required_float()?,
            u: r.required_float()?,
            weight_bits: r.required_float()?,
        })
    }
}

impl Row for ListingFacts {
    const TABLE: &'static str = "listing_facts";
    fn columns() -> Vec<Column> {
        vec![
            required("listing_id", Text).delta(),
            required("market", Text),
            optional("vendor_id", Text),
            optional("class", Text),
            optional("class_group", Text),
            required("fentanyl", Bool),
            required("counterfeit_pill", Bool),
            required("youth_appeal", Bool),
            required("matched", Text).prose(),
            optional("grams", Float),
            optional("units", Float),
            optional("dose_mg", Float),
            optional("purity_pct", Float),
            required("amounts", Text).prose(),
            optional("price_usd", Float),
            optional("price_usd_note", Text),
            optional("ships_from", Text),
            optional("ships_from_kind", Text),
            optional("ships_to", Text),
            optional("ships_to_kind", Text),
            required("taxonomy", Text),
            required("enrichment", Text),
        ]
    }
    fn write(&self, w: &mut RowWriter) {
        w.id(&self.listing_id);
        w.text(&self.market);
        w.opt_id(self.vendor_id.as_ref());
        w.opt_text(self.class.as_deref());
        w.opt_text(self.class_group.as_deref());
        w.boolean(self.fentanyl);
        w.boolean(self.counterfeit_pill);
        w.boolean(self.youth_appeal);
        w.text(&self.matched);
        w.float(self.grams);
        w.float(self.units);
        w.float(self.dose_mg);
        w.float(self.purity_pct);
        w.text(&self.amounts);
        w.float(self.price_usd);
        w.opt_text(self.price_usd_note.as_deref());
        w.opt_text(self.ships_from.as_deref());
        w.opt_text(self.ships_from_kind.as_deref());
        w.opt_text(self.ships_to.as_deref());
        w.opt_text(self.ships_to_kind.as_deref());
        w.text(&self.taxonomy);
        w.text(&self.enrichment);
    }
    fn read(r: &mut RowReader<'_>) -> Result<Self, String> {
        Ok(ListingFacts {
            listing_id: r.id()?,
            market: r.text()?,
            vendor_id: r.opt_id()?,
            class: r.opt_text()?,
            class_group: r.opt_text()?,
            fentanyl: r.boolean()?,
            counterfeit_pill: r.boolean()?,
            youth_appeal: r.boolean()?,
            matched: r.text()?,
            grams: r.float()?,
            units: r.float()?,
            dose_mg: r.float()?,
            purity_pct: r.float()?,
            amounts: r.text()?,
            price_usd: r.float()?,
            price_usd_note: r.opt_text()?,
            ships_from: r.opt_text()?,
            ships_from_kind: r.opt_text()?,
            ships_to: r.opt_text()?,
            ships_to_kind: r.opt_text()?,
            taxonomy: r.text()?,
            enrichment: r.text()?,
        })
    }
}

impl Row for OrderValue {
    const TABLE: &'static str = "order_values";
    fn columns() -> Vec<Column> {
        vec![
            required("order_id", Text).delta(),
            required("market", Text),
            optional("listing_id", Text),
            optional("vendor_id", Text),
            optional("usd", Float),
            optional("usd_note", Text),
            required("enrichment", Text),
        ]
    }
    fn write(&self, w: &mut RowWriter) {
        w.id(&self.order_id);
        w.text(&self.market);
        w.opt_id(self.listing_id.as_ref());
        w.opt_id(self.vendor_id.as_ref());
        w.float(self.usd);
        w.opt_text(self.usd_note.as_deref());
        w.text(&self.enrichment);
    }
    fn read(r: &mut RowReader<'_>) -> Result<Self, String> {
        Ok(OrderValue {
            order_id: r.id()?,
            market: r.text()?,
            listing_id: r.opt_id()?,
            vendor_id: r.opt_id()?,
            usd: r.float()?,
            usd_note: r.opt_text()?,
            enrichment: r.text()?,
        })
    }
}

// Chain tables. Versions are stored as their 32 bits read unsigned: they are bit fields (BIP 9), and a
// negative reading says nothing an analyst needs.

impl Row for ChainBlock {
    const TABLE: &'static str = "chain_blocks";
    fn columns() -> Vec<Column> {
        with_provenance(&[
            required("hash", Text).distinct(),
            required("prev_hash", Text).distinct(),
            optional("height", Count),
            required("time", Time),
            required("version", Count),
            required("bits", Count),
            required("nonce", Count),
            required("merkle_root", Text).distinct(),
            required("tx_count", Count),
            required("size", Count),
            required("weight", Count),
            required("network", Text),
        ])
    }
    fn write(&self, w: &mut RowWriter) {
        w.text(&self.hash);
        w.text(&self.prev_hash);
        w.opt_count(self.height);
        w.time(Some(self.time));
        w.count(u64::from(self.version as u32));
        w.count(u64::from(self.bits));
        w.count(u64::from(self.nonce));
        w.text(&self.merkle_root);
        w.count(self.tx_count);
        w.count(self.size);
        w.count(self.weight);
        w.text(&self.network);
        w.provenance(&self.provenance);
    }
    fn read(r: &mut RowReader<'_>) -> Result<Self, String> {
        Ok(ChainBlock {
            hash: r.text()?,
            prev_hash: r.text()?,
            height: r.opt_count()?,
            time: r.time()?.ok_or("time is null")?,
            version: narrow(r.count()?, "version")? as i32,
            bits: narrow(r.count()?, "bits")?,
            nonce: narrow(r.count()?, "nonce")?,
            merkle_root: r.text()?,
            tx_count: r.count()?,
            size: r.count()?,
            weight: r.count()?,
            network: r.text()?,
            provenance: r.provenance()?,
        })
    }
}

pub(crate) fn narrow(value: u64, column: &str) -> Result<u32, String> {
    u32::try_from(value).map_err(|_| format!("{column} {value} does not fit 32 bits"))
}

impl Row for ChainTx {
    const TABLE: &'static str = "chain_txs";
    fn columns() -> Vec<Column> {
        vec![
            required("txid", Text).distinct().incompressible(),
            required("block_hash", Text),
            optional("height", Count),
            required("time", Time),
            required("tx_index", Count),
            required("version", Count),
            required("lock_time", Count),
            required("size", Count),
            required("vsize", Count),
            required("weight", Count),
            required("coinbase", Bool),
            required("input_count", Count),
            required("output_count", Count),
            optional("input_value", Count).distinct(),
            required("output_value", Count).distinct(),
            optional("fee", Count),
        ]
    }
    fn write(&self, w: &mut RowWriter) {
        w.text(&self.txid);
        w.text(&self.block_hash);
        w.opt_count(self.height);
        w.time(Some(self.time));
        w.count(u64::from(self.index));
        w.count(u64::from(self.version as u32));
        w.count(u64::from(self.lock_time));
        w.count(self.size);
        w.count(self.vsize);
        w.count(self.weight);
        w.boolean(self.coinbase);
        w.count(u64::from(self.input_count));
        w.count(u64::from(self.output_count));
        w.opt_count(self.input_value);
        w.count(self.output_value);
        w.opt_count(self.fee);
    }
    fn read(r: &mut RowReader<'_>) -> Result<Self, String> {
        Ok(ChainTx {
            txid: r.text()?,
            block_hash: r.text()?,
            height: r.opt_count()?,
            time: r.time()?.ok_or("time is null")?,
            index: narrow(r.count()?, "tx_index")?,
            version: narrow(r.count()?, "version")? as i32,
            lock_time: narrow(r.count()?, "lock_time")?,
            size: r.count()?,
            vsize: r.count()?,
            weight: r.count()?,
            coinbase: r.boolean()?,
            input_count: narrow(r.count()?, "input_count")?,
            output_count: narrow(r.count()?, "output_count")?,
            input_value: r.opt_count()?,
            output_value: r.count()?,
            fee: r.opt_count()?,
        })
    }
}

impl Row for ChainInput {
    const TABLE: &'static str = "chain_inputs";
    fn columns() -> Vec<Column> {
        vec![
            required("txid", Text).distinct(),
            required("vin", Count),
            optional("prev_txid", Text).distinct().incompressible(),
            optional("prev_vout", Count),
            required("sequence", Count),
            optional("value", Count).distinct(),
            optional("address", Text).distinct().incompressible(),
            optional("script_type", Text),
        ]
    }
    fn write(&self, w: &mut RowWriter) {
        w.text(&self.txid);
        w.count(u64::from(self.vin));
        w.opt_text(self.prev_txid.as_deref());
        w.opt_count(self.prev_vout.map(u64::from));
        w.count(u64::from(self.sequence));
        w.opt_count(self.value);
        w.opt_text(self.address.as_deref());
        w.opt_text(self.script_type.as_deref());
    }
    fn read(r: &mut RowReader<'_>) -> Result<Self, String> {
        Ok(ChainInput {
            txid: r.text()?,
            vin: narrow(r.count()?, "vin")?,
            prev_txid: r.opt_text()?,
            prev_vout: r.opt_count()?.map(|v| narrow(v, "prev_vout")).transpose()?,
            sequence: narrow(r.count()?, "sequence")?,
            value: r.opt_count()?,
            address: r.opt_text()?,
            script_type: r.opt_text()?,
        })
    }
}

impl Row for ChainOutput {
    const TABLE: &'static str = "chain_outputs";
    fn columns() -> Vec<Column> {
        vec![
            required("txid", Text).distinct(),
            required("vout", Count),
            required("value", Count).distinct(),
            required("script_type", Text),
            optional("address", Text).distinct().incompressible(),
        ]
    }
    fn write(&self, w: &mut RowWriter) {
        w.text(&self.txid);
        w.count(u64::from(self.vout));
        w.count(self.value);
        w.text(&self.script_type);
        w.opt_text(self.address.as_deref());
    }
    fn read(r: &mut RowReader<'_>) -> Result<Self, String> {
        Ok(ChainOutput {
            txid: r.text()?,
            vout: narrow(r.count()?, "vout")?,
            value: r.count()?,
            script_type: r.text()?,
            address: r.opt_text()?,
        })
    }
}

impl Row for ChainAddress {
    const TABLE: &'static str = "chain_addresses";
    fn columns() -> Vec<Column> {
        vec![
            required("address", Text).distinct().incompressible(),
            required("script_type", Text),
            required("first_seen", Time),
            required("last_seen", Time),
            required("outputs", Count),
            required("received", Count),
            required("inputs", Count),
            required("spent", Count),
            required("cluster", Text),
            required("cluster_size", Count),
        ]
    }
    fn write(&self, w: &mut RowWriter) {
        w.text(&self.address);
        w.text(&self.script_type);
        w.time(Some(self.first_seen));
        w.time(Some(self.last_seen));
        w.count(self.outputs);
        w.count(self.received);
        w.count(self.inputs);
        w.count(self.spent);
        w.text(&self.cluster);
        w.count(self.cluster_size);
    }
    fn read(r: &mut RowReader<'_>) -> Result<Self, String> {
        Ok(ChainAddress {
            address: r.text()?,
            script_type: r.text()?,
            first_seen: r.time()?.ok_or("first_seen is null")?,
            last_seen: r.time()?.ok_or("last_seen is null")?,
            outputs: r.count()?,
            received: r.count()?,
            inputs: r.count()?,
            spent: r.count()?,
            cluster: r.text()?,
            cluster_size: r.count()?,
        })
    }
}

impl Row for ChainUnion {
    const TABLE: &'static str = "chain_unions";
    fn columns() -> Vec<Column> {
        vec![
            required("address_a", Text).distinct(),
            required("address_b", Text).distinct().incompressible(),
            required("txid", Text).distinct(),
            required("rule", Text),
        ]
    }
    fn write(&self, w: &mut RowWriter) {
        w.text(&self.address_a);
        w.text(&self.address_b);
        w.text(&self.txid);
        w.text(&self.rule);
    }
    fn read(r: &mut RowReader<'_>) -> Result<Self, String> {
        Ok(ChainUnion {
            address_a: r.text()?,
            address_b: r.text()?,
            txid: r.text()?,
            rule: r.text()?,
        })
    }
}

impl Row for ChainSkip {
    const TABLE: &'static str = "chain_skips";
    fn columns() -> Vec<Column> {
        vec![
            required("txid", Text),
            required("rule", Text),
            optional("size_a", Count),
            optional("size_b", Count),
        ]
    }
    fn write(&self, w: &mut RowWriter) {
        w.text(&self.txid);
        w.text(&self.rule);
        w.opt_count(self.size_a);
        w.opt_count(self.size_b);
    }
    fn read(r: &mut RowReader<'_>) -> Result<Self, String> {
        Ok(ChainSkip {
            txid: r.text()?,
            rule: r.text()?,
            size_a: r.opt_count()?,
            size_b: r.opt_count()?,
        })
    }
}

impl Row for ChainTag {
    const TABLE: &'static str = "chain_tags";
    fn columns() -> Vec<Column> {
        vec![
            required("address", Text),
            required("currency", Text),
            required("label", Text),
            optional("category", Text),
            optional("actor", Text),
            required("source", Text),
            optional("confidence", Text),
            required("file", Text),
            required("position", Count),
            required("src_sha256", Text),
        ]
    }
    fn write(&self, w: &mut RowWriter) {
        w.text(&self.address);
        w.text(&self.currency);
        w.text(&self.label);
        w.opt_text(self.category.as_deref());
        w.opt_text(self.actor.as_deref());
        w.text(&self.source);
        w.opt_text(self.confidence.as_deref());
        w.text(&self.file);
        w.count(self.position);
        w.text(&self.src_sha256);
    }
    fn read(r: &mut RowReader<'_>) -> Result<Self, String> {
        Ok(ChainTag {
            address: r.text()?,
            currency: r.text()?,
            label: r.text()?,
            category: r.opt_text()?,
            actor: r.opt_text()?,
            source: r.text()?,
            confidence: r.opt_text()?,
            file: r.text()?,
            position: r.count()?,
            src_sha256: r.text()?,
        })
    }
}
