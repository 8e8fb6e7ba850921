//! Word banks. Slang follows `docs/DOMAIN.md` (shared docs): what sellers actually write.

pub const NAME_ADJECTIVES: &[&str] = &[
    "Ghost",
    "Shadow",
    "Silent",
    "Dutch",
    "Royal",
    "Golden",
    "Frosty",
    "Blue",
    "Green",
    "White",
    "Black",
    "Crystal",
    "Candy",
    "Happy",
    "Lucky",
    "Nordic",
    "Cali",
    "Yankee",
    "Euro",
    "Prime",
    "Elite",
    "Pure",
    "Top",
    "Fast",
    "Stealth",
    "Night",
    "Dark",
    "Red",
    "Purple",
    "Iron",
    "Atomic",
    "Cosmic",
    "Tropical",
    "Arctic",
    "Wild",
    "Grand",
    "Smooth",
    "Rapid",
    "Swift",
    "Secret",
    "Hidden",
    "Magic",
    "Mystic",
    "Supreme",
    "Alpha",
    "Omega",
    "Apex",
    "Zen",
    "Neon",
    "Lunar",
    "Solar",
    "Rogue",
    "Noble",
    "Urban",
    "Coastal",
    "Midwest",
    "Southern",
    "Northern",
    "Eastside",
    "Westcoast",
    "Double",
    "Triple",
    "Max",
];

pub const NAME_NOUNS: &[&str] = &[
    "Pharma",
    "Pharmacy",
    "Labs",
    "Chemist",
    "Plug",
    "Connect",
    "Supply",
    "Store",
    "Shop",
    "Kings",
    "Bros",
    "Cartel",
    "Express",
    "Depot",
    "Candyman",
    "Doctor",
    "Wizard",
    "Pirate",
    "Wolf",
    "Panda",
    "Dragon",
    "Tiger",
    "Owl",
    "Monk",
    "Farmer",
    "Garden",
    "Factory",
    "Medics",
    "Meds",
    "Dealer",
    "Vault",
    "Harbor",
    "Alchemist",
    "Apothecary",
    "Dispensary",
    "Baron",
    "Boss",
    "Mafia",
    "Family",
    "Crew",
    "Society",
    "Collective",
    "Syndicate",
    "Fox",
    "Raven",
    "Viper",
    "Cobra",
    "Falcon",
    "Bear",
    "Lion",
    "Samurai",
    "Ninja",
    "Viking",
    "Outlaw",
    "Bandit",
    "Smuggler",
    "Courier",
    "Trader",
    "Merchant",
];

pub const NAME_TITLES: &[&str] = &[
    "Dr",
    "Mr",
    "Captain",
    "Lord",
    "King",
    "Uncle",
    "Big",
    "Lil",
    "Sir",
    "Professor",
    "Don",
    "Mister",
    "Agent",
    "Chief",
    "Saint",
    "Count",
];

pub const NAME_AFFIXES: &[&str] = &[
    "_official",
    "Official",
    "_UK",
    "UK",
    "_US",
    "USA",
    "_NL",
    "NL",
    "_EU",
    "EU",
    "_shop",
    "_store",
    "_v2",
    "2",
    "420",
    "69",
    "99",
    "_",
    "x",
    "Xx",
    "_real",
    "_backup",
    "_new",
];

pub const NAME_PREFIXES: &[&str] = &[
    "The",
    "Real",
    "TheReal",
    "Real_",
    "Its",
    "Original",
    "Official_",
];

pub const BUYER_WORDS: &[&str] = &[
    "shadow", "blaze", "jimmy", "kush", "hunter", "viking", "panda", "coolguy", "tripper", "nomad",
    "sk8r", "grim", "lucky", "frosty", "zeus", "odin", "loki", "tank", "rider", "dingo", "mango",
    "pickle", "biscuit", "rocket", "comet", "yeti", "bandit", "goose", "moose", "walrus", "otter",
    "spliff", "dank", "toker", "raver", "wavy", "chill", "sloth", "koala", "ghost", "nacho",
    "taco", "burrito", "pixel", "vortex", "matrix", "cypher", "neo", "morpheus", "jester", "joker",
    "ace", "king", "queen", "duke", "baron", "psy", "acid", "molly", "lucy", "mary", "jane",
    "buddy", "dude",
];

pub const SYLLABLES: &[&str] = &[
    "ka", "lo", "mi", "ra", "ten", "zor", "vel", "dra", "qui", "nox", "fa", "bel", "tor", "ix",
    "ar", "sen", "mar", "lu", "ko", "vi", "shi", "gan", "dor", "el", "ri", "um", "pa", "ze", "no",
    "ta",
];

/// Markets that existed before 2019 or alongside the world's markets (public history).
pub const OLD_MARKETS: &[&str] = &[
    "AlphaBay",
    "Dream Market",
    "Wall Street Market",
    "Empire",
    "Berlusconi",
    "Nightmare",
    "Dark0de",
    "White House Market",
    "Cannazon",
    "ToRReZ",
    "Versus",
    "Apollon",
    "Silk Road 3.1",
    "Hansa",
    "Valhalla",
    "Tochka",
    "Cryptonia",
    "Point",
    "Agora",
    "Olympus",
];

pub const GREETINGS: &[&str] = &[
    "Welcome to {name}!",
    "Hi and welcome.",
    "WELCOME TO THE {name} SHOP",
    "hey guys, thanks for stopping by",
    "Greetings from {country}!",
    "Hello friends,",
    "Welcome to my {market} page.",
    "Yo. Welcome.",
    "Dear customers,",
    "Hola amigos!",
];

pub const HISTORY: &[&str] = &[
    "We have been vending since {year} on {old} and {old2}.",
    "Trusted vendor since {year}, {sales}+ sales on {old}.",
    "Moved here after {old} went down, same team same quality.",
    "Formerly on {old} ({sales} feedback, 4.9/5).",
    "In the game since {year}. Check my {old} reviews on dread.",
    "Veteran vendor, {sales}+ orders shipped since {year}.",
    "{old} exit scammed but we're still here, same product same stealth.",
];

pub const CATCHPHRASES: &[&str] = &[
    "Quality over quantity.",
    "Stay safe and stay high.",
    "We don't do drama, we do business.",
    "Your plug since day one.",
    "No bullshit, just product.",
    "Consistency is our religion.",
    "Fast, discreet, reliable.",
    "Always lab tested, never stepped on.",
    "Treat us right and we'll treat you right.",
    "Big or small, we ship it all.",
    "Respect the hustle.",
    "Love & light ✌",
];

pub const SIGNOFFS: &[&str] = &[
    "- {name}",
    "- the {name} team",
    "{name} crew",
    "peace, {name}",
    "regards, {name}",
    "~{name}~",
    "Much love - {name}",
];

pub const STEALTH: &[&str] = &[
    "Stealth: vacuum sealed x3, MBB, looks like normal business mail.",
    "Pro stealth, triple vac sealed and decoy packaging.",
    "Stealth is top notch, never had a package seized by customs.",
    "Moisture barrier bags + vacuum seal + \"gift\" packaging.",
    "We use the best stealth on the market, nothing smells, nothing shows.",
    "Discreet packaging, no signature required.",
];

pub const POLICIES: &[&str] = &[
    "No FE for new buyers.",
    "FE only for buyers with 10+ orders.",
    "Reship 50% on first loss, no reship after that.",
    "Only finalize when you receive your order.",
    "Disputes: talk to us first, we always find a solution.",
    "We don't do refunds on LE seizures.",
    "Orders placed on weekends ship on Monday.",
    "Don't ask for samples.",
    "Bulk discounts available, just message us.",
    "Never leave your real name in messages.",
];

pub const PGP_NOTES: &[&str] = &[
    "Always encrypt your address with our PGP key.",
    "PGP is mandatory, unencrypted addresses will be deleted.",
    "Please use PGP for your address!",
    "Our PGP key is below, verify it before ordering.",
];

pub const HANDLE_LINES: &[&str] = &[
    "Contact: {handle}",
    "Bulk orders: hit us up on {handle}",
    "{handle} (bulk only, no chitchat)",
    "Off-market deals: {handle}",
    "Reach me at {handle} if the market is down.",
];

pub const EMOJI_SETS: &[&[&str]] = &[
    &["🔥", "💊", "✅", "🚀"],
    &["🌿", "🍃", "💚", "✌"],
    &["❄️", "⛄", "💎", "✨"],
    &["💯", "👌", "😎", "🙏"],
    &["⚡", "☠", "⭐", "🎯"],
];

pub const BULLETS: &[&str] = &["- ", "* ", "• ", "~ ", "> ", "✔ ", "+ ", "-> "];

pub const RULES: &[&str] = &[
    "----------------------------------------",
    "========================================",
    "~~~~~~~~~~~~~~~~~~~~",
    "════════════════════",
    "****************************************",
    "_____________________",
];

pub const SHIPS_TO: &[&str] = &[
    "Worldwide",
    "USA",
    "US only",
    "EU",
    "Europe",
    "USA, Canada",
    "Worldwide except Australia",
    "United States",
    "EU + UK",
    "Domestic only",
];

/// (canonical code, ways it is written, UTC offset hours of its people, weight among vendors).
pub const COUNTRIES: &[(&str, &[&str], i64, u32)] = &[
    (
        "US",
        &[
            "USA",
            "United States",
            "US",
            "United States of America",
            "U.S.A.",
        ],
        -6,
        40,
    ),
    (
        "NL",
        &[
            "Netherlands",
            "NL",
            "Holland",
            "The Netherlands",
            "Nederland",
        ],
        1,
        12,
    ),
    ("DE", &["Germany", "Deutschland", "DE", "GER"], 1, 12),
    ("GB", &["United Kingdom", "UK", "GB", "England"], 0, 10),
    ("CA", &["Canada", "CA", "CAN"], -5, 5),
    ("AU", &["Australia", "AU", "AUS"], 10, 4),
    ("FR", &["France", "FR"], 1, 3),
    ("ES", &["Spain", "España", "ES"], 1, 3),
    ("CN", &["China", "CN", "PRC"], 8, 4),
    ("IN", &["India", "IN"], 5, 3),
    ("??", &["Undeclared", "Worldwide", "EU"], 0, 4),
];

pub const FEEDBACK_POSITIVE: &[&str] = &[
    "fast shipping, great stealth",
    "legit vendor, 10/10 would buy again",
    "A++ vendor",
    "second order, never disappoints",
    "arrived in 3 days, product is fire",
    "perfect as always",
    "great comms, quick delivery",
    "stealth on point, quality top",
    "best on the market hands down",
    "exactly as described, thanks!",
    "good stuff",
    "very potent, be careful with dosing",
    "5 stars, will order again",
    "Top Qualität, schnelle Lieferung",
    "super rápido, gracias",
    "smooth transaction 👍",
    "",
];

pub const FEEDBACK_NEUTRAL: &[&str] = &[
    "took 2 weeks but arrived",
    "ok product, bit weak",
    "packaging could be better",
    "slow shipping, product decent",
    "as expected, nothing special",
    "arrived, haven't tested yet",
    "",
];

pub const FEEDBACK_NEGATIVE: &[&str] = &[
    "never arrived, vendor won't respond",
    "pressed garbage, nothing like the pics",
    "scam, stay away",
    "weight was short by 0.3g",
    "package seized, vendor refused reship",
    "still waiting after 3 weeks",
    "fake, do not buy",
];

pub const BUYER_OPENERS: &[&str] = &[
    "hey, is the {product} still in stock?",
    "hi, sent payment for my order, pls confirm",
    "any tracking on my order?",
    "hello, can you do {qty} for a better price?",
    "do you ship to {place}?",
    "order placed, address is encrypted with your key",
    "first time buyer here, how long does shipping take?",
    "hey man, last batch was great, ordering again",
    "is this the same {product} as last time?",
    "can you add a sample of your other stuff?",
];

pub const BUYER_FOLLOWUPS: &[&str] = &[
    "thanks!",
    "got it, will finalize when it lands",
    "ok cool",
    "arrived today, thanks a lot",
    "alright, waiting then",
    "appreciate it",
];

pub const VENDOR_REPLIES: &[&str] = &[
    "yes, ships tomorrow",
    "shipped today, should be there in 3-5 days",
    "payment received, packing now",
    "we don't give tracking, sorry. stealth is solid",
    "sure, message me when you're ready",
    "in stock, order whenever",
    "thanks for the order, it's on the way",
    "no problem, we ship there",
    "sorry for the delay, restock this week",
];

pub const VENDOR_HANDLE_REPLIES: &[&str] = &[
    "for bigger orders hit me on {handle}",
    "add me: {handle}, faster replies there",
    "market is slow, talk to me on {handle}",
];

pub const VENDOR_PAYOUT_REPLIES: &[&str] = &[
    "for repeat customers: send direct to {address} and save the market fee",
    "next time you can pay direct, {address}, 10% off",
    "if the market goes down pay to {address} and message me",
];

pub const STAFF_WELCOME: &[&str] = &[
    "Your vendor account is active. Vendor bond received, welcome to {market}.",
    "Welcome to {market}! Please read the vendor rules before listing.",
    "Vendor application approved. Listings that break the rules will be removed.",
];

pub const SUBJECTS: &[&str] = &[
    "Re: order",
    "question",
    "{product}",
    "bulk",
    "shipping",
    "",
    "hi",
];
