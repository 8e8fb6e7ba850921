//! What table and column names hint at, in English, transliterated and Cyrillic Russian, and basic German,
//! Spanish and French. Names are only hints: contents decide when they disagree or say nothing (`t1.c1`).

use serde::Serialize;

/// A meaning a name can carry. Table names and column names share the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sense {
    Account,
    Vendor,
    Buyer,
    Staff,
    Listing,
    Offer,
    Order,
    Feedback,
    Message,
    Wallet,
    Category,
    Id,
    Name,
    Title,
    Description,
    Profile,
    Comment,
    Body,
    Subject,
    Price,
    Amount,
    Currency,
    Quantity,
    State,
    Role,
    Time,
    /// Creation: created, added, posted, registered (also a `Time`).
    Created,
    /// Update, deletion, last-seen times: not a creation time.
    Updated,
    Rating,
    Pgp,
    Fingerprint,
    Address,
    Shipping,
    From,
    To,
    Country,
    Purpose,
    /// Passwords, hashes, tokens: never mapped.
    Secret,
    Email,
    Contact,
    Sender,
    Recipient,
    Bitcoin,
    Monero,
    Usd,
    /// Smallest units: satoshi, piconero, cents.
    SmallUnit,
}

use Sense as S;

/// Word stems (Latin, lower case, transliterated) and what they mean. A stem of four letters or more also
/// matches words it begins or ends (`polzovatel` in `polzovateli`, `name` in `username`); shorter ones, and
/// those marked `=` (`count=` is not `country`), match whole words only.
const VOCABULARY: &[(&str, &[Sense])] = &[
    // accounts
    ("user", &[S::Account]),
    ("users", &[S::Account]),
    ("account", &[S::Account]),
    ("member", &[S::Account]),
    ("polzovatel", &[S::Account]),
    ("uchastnik", &[S::Account]),
    ("akkaunt", &[S::Account]),
    ("benutzer", &[S::Account]),
    ("nutzer", &[S::Account]),
    ("usuario", &[S::Account]),
    ("utilisateur", &[S::Account]),
    ("vendor", &[S::Vendor]),
    ("seller", &[S::Vendor]),
    ("merchant", &[S::Vendor]),
    ("dealer", &[S::Vendor]),
    ("shop", &[S::Vendor]),
    ("prodav", &[S::Vendor]),
    ("verkaufer", &[S::Vendor]),
    ("verkaeufer", &[S::Vendor]),
    ("vendedor", &[S::Vendor]),
    ("vendeur", &[S::Vendor]),
    ("buyer", &[S::Buyer]),
    ("customer", &[S::Buyer]),
    ("purchaser", &[S::Buyer]),
    ("client", &[S::Buyer]),
    ("pokupatel", &[S::Buyer]),
    ("kaufer", &[S::Buyer]),
    ("kaeufer", &[S::Buyer]),
    ("kunde", &[S::Buyer]),
    ("comprador", &[S::Buyer]),
    ("acheteur", &[S::Buyer]),
    ("admin", &[S::Staff]),
    ("moderator", &[S::Staff]),
    ("staff", &[S::Staff]),
    ("support", &[S::Staff]),
    // listings
    ("product", &[S::Listing]),
    ("item", &[S::Listing]),
    ("items", &[S::Listing]),
    ("listing", &[S::Listing]),
    ("goods", &[S::Listing]),
    ("tovar", &[S::Listing]),
    ("artikel", &[S::Listing]),
    ("produkt", &[S::Listing]),
    ("producto", &[S::Listing]),
    ("produit", &[S::Listing]),
    ("article", &[S::Listing]),
    ("annonce", &[S::Listing]),
    ("obyavlen", &[S::Listing]),
    ("lot", &[S::Listing]),
    ("lots", &[S::Listing]),
    ("offer", &[S::Offer]),
    ("tier", &[S::Offer]),
    ("variant", &[S::Offer]),
    ("predlozhen", &[S::Offer]),
    ("angebot", &[S::Offer]),
    ("oferta", &[S::Offer]),
    ("offre", &[S::Offer]),
    // orders
    ("order", &[S::Order]),
    ("purchase", &[S::Order]),
    ("deal=", &[S::Order]),
    ("deals", &[S::Order]),
    ("transaction", &[S::Order]),
    ("sale", &[S::Order]),
    ("sales", &[S::Order]),
    ("trade", &[S::Order]),
    ("zakaz", &[S::Order]),
    ("pokupk", &[S::Order]),
    ("sdelk", &[S::Order]),
    ("bestell", &[S::Order]),
    ("pedido", &[S::Order]),
    ("commande", &[S::Order]),
    // feedback
    ("feedback", &[S::Feedback]),
    ("review", &[S::Feedback, S::Comment]),
    ("otzyv", &[S::Feedback, S::Comment]),
    ("otziv", &[S::Feedback, S::Comment]),
    ("bewertung", &[S::Feedback, S::Rating]),
    ("resena", &[S::Feedback]),
    ("avis", &[S::Feedback]),
    ("testimonial", &[S::Feedback]),
    // messages
    ("message", &[S::Message, S::Body]),
    ("messages", &[S::Message]),
    ("msg", &[S::Message, S::Body]),
    ("pm", &[S::Message]),
    ("pms", &[S::Message]),
    ("mail", &[S::Message, S::Email]),
    ("inbox", &[S::Message]),
    ("conversation", &[S::Message]),
    ("chat", &[S::Message]),
    ("soobshch", &[S::Message, S::Body]),
    ("soobshen", &[S::Message, S::Body]),
    ("pismo", &[S::Message]),
    ("pisma", &[S::Message]),
    ("nachricht", &[S::Message, S::Body]),
    ("mensaje", &[S::Message, S::Body]),
    ("messagerie", &[S::Message]),
    ("dialog", &[S::Message]),
    // wallets and addresses
    ("wallet", &[S::Wallet]),
    ("koshel", &[S::Wallet]),
    ("billetera", &[S::Wallet]),
    ("cartera", &[S::Wallet]),
    ("portefeuille", &[S::Wallet]),
    ("payout", &[S::Wallet, S::Purpose]),
    ("withdraw", &[S::Wallet]),
    ("deposit", &[S::Wallet]),
    ("address", &[S::Address]),
    ("addresses", &[S::Address]),
    ("addr", &[S::Address]),
    ("adres", &[S::Address]),
    ("adresse", &[S::Address]),
    ("direccion", &[S::Address]),
    ("anschrift", &[S::Address]),
    ("btc", &[S::Bitcoin]),
    ("bitcoin", &[S::Bitcoin]),
    ("xmr", &[S::Monero]),
    ("monero", &[S::Monero]),
    ("usd", &[S::Usd]),
    ("dollar", &[S::Usd]),
    ("sat", &[S::SmallUnit, S::Bitcoin]),
    ("sats", &[S::SmallUnit, S::Bitcoin]),
    ("satoshi", &[S::SmallUnit, S::Bitcoin]),
    ("piconero", &[S::SmallUnit, S::Monero]),
    ("cents=", &[S::SmallUnit]),
    ("cent=", &[S::SmallUnit]),
    ("kopek", &[S::SmallUnit]),
    // categories
    ("category", &[S::Category]),
    ("categor", &[S::Category]),
    ("cat", &[S::Category]),
    ("section", &[S::Category]),
    ("kategor", &[S::Category]),
    ("rubrik", &[S::Category]),
    ("razdel", &[S::Category]),
    // column meanings
    ("id", &[S::Id]),
    ("uid", &[S::Id]),
    ("pk", &[S::Id]),
    ("nomer", &[S::Id]),
    ("ident", &[S::Id]),
    ("name", &[S::Name]),
    ("username", &[S::Name]),
    ("login", &[S::Name]),
    ("nick", &[S::Name]),
    ("nickname", &[S::Name]),
    ("alias", &[S::Name]),
    ("imya", &[S::Name]),
    ("nik", &[S::Name]),
    ("nombre", &[S::Name]),
    ("nom", &[S::Name]),
    ("pseudo", &[S::Name]),
    ("title", &[S::Title, S::Subject]),
    ("headline", &[S::Title]),
    ("nazvan", &[S::Title]),
    ("zagolov", &[S::Title, S::Subject]),
    ("titel", &[S::Title]),
    ("titulo", &[S::Title]),
    ("titre", &[S::Title]),
    ("bezeichnung", &[S::Title]),
    ("description", &[S::Description]),
    ("descr", &[S::Description]),
    ("desc", &[S::Description]),
    ("details", &[S::Description]),
    ("opisan", &[S::Description]),
    ("beschreibung", &[S::Description]),
    ("descripcion", &[S::Description]),
    ("text", &[S::Description, S::Body, S::Comment]),
    ("tekst", &[S::Description, S::Body, S::Comment]),
    ("content", &[S::Description, S::Body]),
    ("body", &[S::Description, S::Body]),
    ("soderzhan", &[S::Body]),
    ("inhalt", &[S::Body]),
    ("contenido", &[S::Body]),
    ("contenu", &[S::Body]),
    ("about", &[S::Profile]),
    ("bio", &[S::Profile]),
    ("biograph", &[S::Profile]),
    ("profile", &[S::Profile]),
    ("profil", &[S::Profile]),
    ("signature", &[S::Profile]),
    ("osebe", &[S::Profile]),
    ("info", &[S::Profile]),
    ("comment", &[S::Comment]),
    ("remark", &[S::Comment]),
    ("note", &[S::Comment]),
    ("komment", &[S::Comment]),
    ("comentario", &[S::Comment]),
    ("commentaire", &[S::Comment]),
    ("subject", &[S::Subject]),
    ("topic", &[S::Subject]),
    ("tema=", &[S::Subject]),
    ("betreff", &[S::Subject]),
    ("asunto", &[S::Subject]),
    ("sujet", &[S::Subject]),
    ("price", &[S::Price]),
    ("cost", &[S::Price, S::Amount]),
    ("tsena", &[S::Price]),
    ("cena", &[S::Price]),
    ("preis", &[S::Price]),
    ("precio", &[S::Price]),
    ("prix", &[S::Price]),
    ("stoimost", &[S::Price, S::Amount]),
    ("amount", &[S::Amount]),
    ("total", &[S::Amount]),
    ("sum", &[S::Amount]),
    ("summa", &[S::Amount]),
    ("pay", &[S::Amount]),
    ("paid", &[S::Amount]),
    ("betrag", &[S::Amount]),
    ("importe", &[S::Amount]),
    ("montant", &[S::Amount]),
    ("itogo", &[S::Amount]),
    ("currency", &[S::Currency]),
    ("coin", &[S::Currency]),
    ("valyuta", &[S::Currency]),
    ("valjuta", &[S::Currency]),
    ("waehrung", &[S::Currency]),
    ("wahrung", &[S::Currency]),
    ("moneda", &[S::Currency]),
    ("devise", &[S::Currency]),
    ("quantity", &[S::Quantity]),
    ("qty", &[S::Quantity]),
    ("count=", &[S::Quantity]),
    ("kolichestv", &[S::Quantity]),
    ("kolvo", &[S::Quantity]),
    ("menge", &[S::Quantity]),
    ("anzahl", &[S::Quantity]),
    ("cantidad", &[S::Quantity]),
    ("quantite", &[S::Quantity]),
    ("pcs", &[S::Quantity]),
    ("state", &[S::State]),
    ("status", &[S::State]),
    ("sostoyan", &[S::State]),
    ("zustand", &[S::State]),
    ("estado", &[S::State]),
    ("etat", &[S::State]),
    ("statut", &[S::State]),
    ("stage", &[S::State]),
    ("role", &[S::Role]),
    ("type", &[S::Role, S::Purpose]),
    ("kind", &[S::Role, S::Purpose]),
    ("group", &[S::Role]),
    ("rank", &[S::Role]),
    ("level", &[S::Role]),
    ("rol", &[S::Role]),
    ("rolle", &[S::Role]),
    ("tip", &[S::Role, S::Purpose]),
    ("gruppa", &[S::Role]),
    ("created", &[S::Time, S::Created]),
    ("create", &[S::Time, S::Created]),
    ("date", &[S::Time]),
    ("time", &[S::Time]),
    ("timestamp", &[S::Time]),
    ("added", &[S::Time, S::Created]),
    ("posted", &[S::Time, S::Created]),
    ("listed", &[S::Time, S::Created]),
    ("joined", &[S::Time, S::Created]),
    ("registered", &[S::Time, S::Created]),
    ("opened", &[S::Time, S::Created]),
    ("sent=", &[S::Time]),
    ("crawled", &[S::Time]),
    ("at", &[S::Time]),
    ("on", &[S::Time]),
    ("dt", &[S::Time]),
    ("ts", &[S::Time]),
    ("sozdan", &[S::Time, S::Created]),
    ("data=", &[S::Time]),
    ("vremya", &[S::Time]),
    ("datum", &[S::Time]),
    ("fecha", &[S::Time]),
    ("erstellt", &[S::Time, S::Created]),
    ("creado", &[S::Time, S::Created]),
    ("cree", &[S::Time, S::Created]),
    ("updated", &[S::Updated]),
    ("update", &[S::Updated]),
    ("modified", &[S::Updated]),
    ("changed", &[S::Updated]),
    ("edited", &[S::Updated]),
    ("last=", &[S::Updated]),
    ("deleted", &[S::Updated]),
    ("expires", &[S::Updated]),
    ("seen=", &[S::Updated]),
    ("read=", &[S::Updated]),
    ("izmenen", &[S::Updated]),
    ("obnovl", &[S::Updated]),
    ("rating", &[S::Rating]),
    ("rate=", &[S::Rating]),
    ("score", &[S::Rating]),
    ("stars=", &[S::Rating]),
    ("star=", &[S::Rating]),
    ("mark=", &[S::Rating]),
    ("grade", &[S::Rating]),
    ("otsenk", &[S::Rating]),
    ("reiting", &[S::Rating]),
    ("reyting", &[S::Rating]),
    ("puntuacion", &[S::Rating]),
    ("calificacion", &[S::Rating]),
    ("pgp", &[S::Pgp]),
    ("gpg", &[S::Pgp]),
    ("pgpkey", &[S::Pgp]),
    ("publickey", &[S::Pgp]),
    ("pubkey", &[S::Pgp]),
    ("public", &[S::Pgp]),
    ("key", &[S::Pgp]),
    ("klyuch", &[S::Pgp]),
    ("kluch", &[S::Pgp]),
    ("schlussel", &[S::Pgp]),
    ("schluessel", &[S::Pgp]),
    ("clave", &[S::Pgp]),
    ("cle", &[S::Pgp]),
    ("fingerprint", &[S::Fingerprint]),
    ("fpr", &[S::Fingerprint]),
    ("otpechat", &[S::Fingerprint]),
    ("shipping", &[S::Shipping]),
    ("delivery", &[S::Shipping]),
    ("ship", &[S::Shipping]),
    ("ships", &[S::Shipping]),
    ("dostavk", &[S::Shipping]),
    ("lieferung", &[S::Shipping]),
    ("versand", &[S::Shipping]),
    ("envio", &[S::Shipping]),
    ("livraison", &[S::Shipping]),
    ("from", &[S::From, S::Sender]),
    ("origin", &[S::From]),
    ("otkuda", &[S::From]),
    ("herkunft", &[S::From]),
    ("origen", &[S::From]),
    ("to", &[S::To, S::Recipient]),
    ("destination", &[S::To]),
    ("kuda", &[S::To]),
    ("ziel", &[S::To]),
    ("destino", &[S::To]),
    ("country", &[S::Country]),
    ("countries", &[S::Country, S::To]),
    ("strana", &[S::Country]),
    ("strany", &[S::Country, S::To]),
    ("land=", &[S::Country]),
    ("pais", &[S::Country]),
    ("pays", &[S::Country]),
    ("region", &[S::Country]),
    ("purpose", &[S::Purpose]),
    ("naznachen", &[S::Purpose]),
    ("zweck", &[S::Purpose]),
    ("password", &[S::Secret]),
    ("pass=", &[S::Secret]),
    ("passwd", &[S::Secret]),
    ("pwd", &[S::Secret]),
    ("hash", &[S::Secret]),
    ("salt", &[S::Secret]),
    ("parol", &[S::Secret]),
    ("passwort", &[S::Secret]),
    ("contrasena", &[S::Secret]),
    ("token", &[S::Secret]),
    ("secret", &[S::Secret]),
    ("otp", &[S::Secret]),
    ("mnemonic", &[S::Secret]),
    ("pin", &[S::Secret]),
    ("remember", &[S::Secret]),
    ("email", &[S::Email]),
    ("pochta", &[S::Email]),
    ("correo", &[S::Email]),
    ("courriel", &[S::Email]),
    ("jabber", &[S::Contact]),
    ("xmpp", &[S::Contact]),
    ("wickr", &[S::Contact]),
    ("telegram", &[S::Contact]),
    ("tg", &[S::Contact]),
    ("icq", &[S::Contact]),
    ("signal", &[S::Contact]),
    ("threema", &[S::Contact]),
    ("session", &[S::Contact]),
    ("contact", &[S::Contact]),
    ("kontakt", &[S::Contact]),
    ("contacto", &[S::Contact]),
    ("sender", &[S::Sender]),
    ("author", &[S::Sender]),
    ("writer", &[S::Sender]),
    ("otpravitel", &[S::Sender]),
    ("absender", &[S::Sender]),
    ("remitente", &[S::Sender]),
    ("expediteur", &[S::Sender]),
    ("recipient", &[S::Recipient]),
    ("receiver", &[S::Recipient]),
    ("poluchatel", &[S::Recipient]),
    ("empfanger", &[S::Recipient]),
    ("empfaenger", &[S::Recipient]),
    ("destinatario", &[S::Recipient]),
    ("destinataire", &[S::Recipient]),
];

/// Latin letters for Russian Cyrillic (a simple BGN-like scheme, as people type translit names).
fn transliterate(c: char) -> Option<&'static str> {
    Some(match c {
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' => "g",
        'д' => "d",
        'е' | 'ё' | 'э' => "e",
        'ж' => "zh",
        'з' => "z",
        'и' => "i",
        'й' | 'ы' => "y",
        'к' => "k",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' => "u",
        'ф' => "f",
        'х' => "kh",
        'ц' => "ts",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "shch",
        'ъ' | 'ь' => "",
        'ю' => "yu",
        'я' => "ya",
        'і' => "i",
        'ї' => "yi",
        'є' => "ye",
        'ґ' => "g",
        _ => return None,
    })
}

/// Latin letters without their accents, for German, Spanish and French names.
fn fold_accent(c: char) -> Option<&'static str> {
    Some(match c {
        'ä' | 'à' | 'á' | 'â' | 'ã' | 'å' => "a",
        'ö' | 'ò' | 'ó' | 'ô' | 'õ' => "o",
        'ü' | 'ù' | 'ú' | 'û' => "u",
        'é' | 'è' | 'ê' | 'ë' => "e",
        'í' | 'ì' | 'î' | 'ï' => "i",
        'ñ' => "n",
        'ç' => "c",
        'ß' => "ss",
        _ => return None,
    })
}

/// A name as lower-case Latin words: `sellerId` → `seller id`, `дата_создания` → `data sozdaniya`,
/// `t1` → `t` `1`.
pub fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut prev: Option<char> = None;
    let flush = |word: &mut String, words: &mut Vec<String>| {
        if !word.is_empty() {
            words.push(std::mem::take(word));
        }
    };
    for c in name.chars() {
        let boundary = match prev {
            Some(p) => {
                (p.is_lowercase() && c.is_uppercase())
                    || (p.is_ascii_digit() != c.is_ascii_digit() && c.is_alphanumeric())
            }
            None => false,
        };
        if !c.is_alphanumeric() {
            flush(&mut word, &mut words);
            prev = None;
            continue;
        }
        if boundary {
            flush(&mut word, &mut words);
        }
        for lower in c.to_lowercase() {
            if let Some(latin) = transliterate(lower).or_else(|| fold_accent(lower)) {
                word.push_str(latin);
            } else {
                word.push(lower);
            }
        }
        prev = Some(c);
    }
    flush(&mut word, &mut words);
    // `userid`, `buyerid`, `createdat`: a glued id or at.
    let mut out = Vec::with_capacity(words.len());
    for w in words {
        let glued = ["id", "at"]
            .iter()
            .find(|suffix| w.len() > suffix.len() + 2 && w.ends_with(*suffix));
        match glued {
            Some(suffix)
                if !VOCABULARY
                    .iter()
                    .any(|(stem, _)| stem.trim_end_matches('=') == w)
                    && !senses_of_word(&w[..w.len() - suffix.len()]).is_empty() =>
            {
                out.push(w[..w.len() - suffix.len()].to_string());
                out.push(suffix.to_string());
            }
            _ => out.push(w),
        }
    }
    out
}

fn senses_of_word(word: &str) -> Vec<Sense> {
    let mut out = Vec::new();
    for (stem, senses) in VOCABULARY {
        let (stem, exact) = match stem.strip_suffix('=') {
            Some(s) => (s, true),
            None => (*stem, false),
        };
        let long = stem.len() >= 4 && !exact;
        let hit = word == stem
            || (long && word.starts_with(stem) && word.len() <= stem.len() + 6)
            || (long && word.ends_with(stem) && word.len() > stem.len());
        if hit {
            out.extend_from_slice(senses);
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// The meanings a name carries, with the word that carries each.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct NameSenses {
    pub words: Vec<String>,
    pub senses: Vec<(Sense, String)>,
}

impl NameSenses {
    pub fn of(name: &str) -> NameSenses {
        let words = words(name);
        let mut senses: Vec<(Sense, String)> = Vec::new();
        for w in &words {
            for s in senses_of_word(w) {
                if !senses.iter().any(|(have, _)| *have == s) {
                    senses.push((s, w.clone()));
                }
            }
        }
        NameSenses { words, senses }
    }

    pub fn has(&self, s: Sense) -> bool {
        self.senses.iter().any(|(have, _)| *have == s)
    }

    /// The word that carries a sense, for reasons shown to the analyst.
    pub fn word_for(&self, s: Sense) -> Option<&str> {
        self.senses
            .iter()
            .find(|(have, _)| *have == s)
            .map(|(_, w)| w.as_str())
    }

    /// No word of the name means anything known (`c3`, `field_7`).
    pub fn is_opaque(&self) -> bool {
        self.senses.is_empty()
    }
}

/// What an order-state value obviously means, in the languages of the vocabulary.
pub fn order_state_of(raw: &str) -> Option<&'static str> {
    let w = words(raw).join("");
    const EXACT: &[(&str, &str)] = &[
        ("new", "created"),
        ("created", "created"),
        ("pending", "created"),
        ("open", "created"),
        ("unpaid", "created"),
        ("awaitingpayment", "created"),
        ("waiting", "created"),
        ("nuevo", "created"),
        ("neu", "created"),
        ("paid", "paid"),
        ("purchased", "paid"),
        ("escrow", "paid"),
        ("inescrow", "paid"),
        ("funded", "paid"),
        ("pagado", "paid"),
        ("bezahlt", "paid"),
        ("paye", "paid"),
        ("accepted", "accepted"),
        ("processing", "accepted"),
        ("confirmed", "accepted"),
        ("approved", "accepted"),
        ("inprogress", "accepted"),
        ("shipped", "shipped"),
        ("sent", "shipped"),
        ("dispatched", "shipped"),
        ("intransit", "shipped"),
        ("enviado", "shipped"),
        ("versandt", "shipped"),
        ("expedie", "shipped"),
        ("finalized", "finalized"),
        ("finalised", "finalized"),
        ("finalize", "finalized"),
        ("completed", "finalized"),
        ("complete", "finalized"),
        ("done", "finalized"),
        ("delivered", "finalized"),
        ("closed", "finalized"),
        ("received", "finalized"),
        ("finished", "finalized"),
        ("released", "finalized"),
        ("completado", "finalized"),
        ("abgeschlossen", "finalized"),
        ("termine", "finalized"),
        ("disputed", "disputed"),
        ("dispute", "disputed"),
        ("indispute", "disputed"),
        ("disputa", "disputed"),
        ("litige", "disputed"),
        ("refunded", "refunded"),
        ("refund", "refunded"),
        ("returned", "refunded"),
        ("reembolsado", "refunded"),
        ("erstattet", "refunded"),
        ("rembourse", "refunded"),
        ("cancelled", "cancelled"),
        ("canceled", "cancelled"),
        ("cancel", "cancelled"),
        ("rejected", "cancelled"),
        ("declined", "cancelled"),
        ("expired", "cancelled"),
        ("aborted", "cancelled"),
        ("cancelado", "cancelled"),
        ("storniert", "cancelled"),
        ("annule", "cancelled"),
    ];
    // Russian participles change their endings (otpravlen, otpravleno, otpravlennyy): match stems.
    const STEMS: &[(&str, &str)] = &[
        ("novy", "created"),
        ("sozdan", "created"),
        ("ozhida", "created"),
        ("oplach", "paid"),
        ("prinyat", "accepted"),
        ("podtverzhd", "accepted"),
        ("otpravl", "shipped"),
        ("zavershen", "finalized"),
        ("vypolnen", "finalized"),
        ("dostavlen", "finalized"),
        ("poluchen", "finalized"),
        ("spor", "disputed"),
        ("arbitrazh", "disputed"),
        ("vozvrat", "refunded"),
        ("otmen", "cancelled"),
    ];
    EXACT
        .iter()
        .find(|(k, _)| *k == w)
        .or_else(|| STEMS.iter().find(|(k, _)| w.starts_with(k)))
        .map(|(_, v)| *v)
}

/// What an account-role value obviously means.
pub fn role_of(raw: &str) -> Option<&'static str> {
    let w = words(raw).join("");
    const ROLES: &[(&str, &str)] = &[
        ("vendor", "vendor"),
        ("seller", "vendor"),
        ("merchant", "vendor"),
        ("prodav", "vendor"),
        ("verkaufer", "vendor"),
        ("vendedor", "vendor"),
        ("vendeur", "vendor"),
        ("buyer", "buyer"),
        ("customer", "buyer"),
        ("user", "buyer"),
        ("member", "buyer"),
        ("client", "buyer"),
        ("pokupat", "buyer"),
        ("polzovatel", "buyer"),
        ("kaufer", "buyer"),
        ("comprador", "buyer"),
        ("acheteur", "buyer"),
        ("admin", "staff"),
        ("moderator", "staff"),
        ("mod", "staff"),
        ("staff", "staff"),
        ("support", "staff"),
        ("superadmin", "staff"),
        ("owner", "staff"),
    ];
    ROLES
        .iter()
        .find(|(k, _)| w == *k || (k.len() >= 4 && w.starts_with(k)))
        .map(|(_, v)| *v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn senses(name: &str) -> Vec<Sense> {
        NameSenses::of(name)
            .senses
            .into_iter()
            .map(|(s, _)| s)
            .collect()
    }

    #[test]
    fn names_are_split_and_transliterated() {
        assert_eq!(words("sellerId"), ["seller", "id"]);
        assert_eq!(words("дата_создания"), ["data", "sozdaniya"]);
        assert_eq!(words("кошелёк"), ["koshelek"]);
        assert_eq!(words("t1"), ["t", "1"]);
        assert_eq!(words("buyerid"), ["buyer", "id"]);
        assert_eq!(words("Größe"), ["grosse"]);
    }

    #[test]
    fn senses_in_several_languages() {
        for (name, want) in [
            ("users", Sense::Account),
            ("polzovateli", Sense::Account),
            ("пользователи", Sense::Account),
            ("tovary", Sense::Listing),
            ("товары", Sense::Listing),
            ("zakazy", Sense::Order),
            ("заказы", Sense::Order),
            ("otzyvy", Sense::Feedback),
            ("отзывы", Sense::Feedback),
            ("soobshcheniya", Sense::Message),
            ("сообщения", Sense::Message),
            ("koshelek", Sense::Wallet),
            ("кошелёк", Sense::Wallet),
            ("adres", Sense::Address),
            ("tsena", Sense::Price),
            ("цена", Sense::Price),
            ("nazvanie", Sense::Title),
            ("название", Sense::Title),
            ("opisanie", Sense::Description),
            ("data", Sense::Time),
            ("дата", Sense::Time),
            ("sozdan", Sense::Time),
            ("login", Sense::Name),
            ("логин", Sense::Name),
            ("parol", Sense::Secret),
            ("prodavets", Sense::Vendor),
            ("продавец", Sense::Vendor),
            ("pokupatel", Sense::Buyer),
            ("покупатель", Sense::Buyer),
            ("reiting", Sense::Rating),
            ("оценка", Sense::Rating),
            ("kommentariy", Sense::Comment),
            ("klyuch", Sense::Pgp),
            ("ключ", Sense::Pgp),
            ("Verkäufer", Sense::Vendor),
            ("precio", Sense::Price),
            ("seller_id", Sense::Vendor),
            ("from_member", Sense::Sender),
            ("to_member", Sense::Recipient),
            ("created_at", Sense::Time),
            ("quality_rate", Sense::Rating),
            ("country_from", Sense::From),
        ] {
            assert!(senses(name).contains(&want), "{name}: {:?}", senses(name));
        }
        assert!(NameSenses::of("c3").is_opaque());
        assert!(NameSenses::of("t1").is_opaque());
        assert!(!senses("created_at").contains(&Sense::Updated));
        assert!(!senses("country").contains(&Sense::Quantity));
        assert!(!senses("market_id").contains(&Sense::Rating));
        assert!(senses("updated_at").contains(&Sense::Updated));
    }
}
