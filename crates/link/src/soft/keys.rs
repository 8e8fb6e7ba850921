//! PGP key creation patterns. A careful seller makes a new key for each market, but makes it the same way
//! each time: the tool it uses offers it the same algorithm and curve, it fills in the user id the same way,
//! and some make the keys of all their markets in one sitting. Two accounts whose keys differ can still
//! have been made by one hand; the comparison says how much alike the making was.
//!
//! Two accounts that hold the same key are a hard link already (same fingerprint): the comparison is
//! silent for them, so that one fact is not counted twice.

use spector_model::RecordId;

use super::compare::Measured;
use super::features::AccountFeatures;
use super::sketch::piece_hash;

/// What one key tells about how it was made, as the caller read it from the key (enrichment parses keys;
/// this crate does not).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyFacts {
    /// The account that posted the key.
    pub account_id: RecordId,
    /// The key's fingerprint, in any consistent spelling: accounts sharing one are linked by it already.
    pub fingerprint: String,
    /// Creation time the key claims, Unix seconds (the owner's clock).
    pub created_at: i64,
    /// Primary key algorithm with its curve or size, short and consistently spelt (`eddsa-legacy-ed25519`,
    /// `ecdsa-nistp256`, `rsa4096`): keys are alike when the strings are equal.
    pub algorithm: String,
    /// The shape of the key's first user id.
    pub user_id: UserIdForm,
}

/// How a user id is written: a habit of whoever fills in the key generator's prompts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UserIdForm {
    /// A name only: `GhostPharma`.
    Name,
    /// `GhostPharma <ghost@dnmx.org>`.
    WithEmail,
    /// `GhostPharma (vendor key)`.
    WithComment,
    /// `GhostPharma (vendor key) <ghost@dnmx.org>`.
    WithCommentAndEmail,
    /// An address alone: `<ghost@dnmx.org>` or `ghost@dnmx.org`.
    EmailOnly,
    /// No user id, or a blank one.
    Missing,
}

impl UserIdForm {
    /// Reads the form of a user id as OpenPGP tools write it (`Name (Comment) <email>`, RFC 4880 5.11).
    pub fn of(user_id: &str) -> UserIdForm {
        let uid = user_id.trim();
        if uid.is_empty() {
            return UserIdForm::Missing;
        }
        let (rest, email) = match uid.strip_suffix('>').and_then(|s| s.rsplit_once('<')) {
            Some((rest, address)) if address.contains('@') => (rest.trim_end(), true),
            _ if !uid.contains(char::is_whitespace) && uid.contains('@') => ("", true),
            _ => (uid, false),
        };
        let (name, comment) = match rest.strip_suffix(')').and_then(|s| s.rsplit_once('(')) {
            Some((name, _)) => (name.trim(), true),
            None => (rest, false),
        };
        match (name.is_empty() && !comment, email, comment) {
            (true, true, _) => UserIdForm::EmailOnly,
            (_, true, true) => UserIdForm::WithCommentAndEmail,
            (_, true, false) => UserIdForm::WithEmail,
            (_, false, true) => UserIdForm::WithComment,
            (_, false, false) => UserIdForm::Name,
        }
    }
}

/// One key of an account, reduced for comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyFeature {
    /// Hash of the fingerprint: equal hashes make the comparison silent (a collision only silences it).
    pub fingerprint: u64,
    pub created_at: i64,
    /// The algorithm's index among the case's algorithms.
    pub algorithm: u16,
    /// Whether the algorithm is common among the case's sellers ([`COMMON_ALGORITHM_SHARE`]).
    pub common: bool,
    pub user_id: UserIdForm,
}

/// An algorithm that at least this share of the sellers' keys use is the default of the day (RSA 2048 and
/// 4096 in the 2014 scrapes, Ed25519 in GnuPG since 2.3): sharing it says little. A rarer one is a choice,
/// and two accounts that made the same rare choice say more. Two levels of each kind let the model learn
/// how much more from the case itself.
pub const COMMON_ALGORITHM_SHARE: f64 = 0.20;

/// Keys created this close together were made in one sitting.
pub const SAME_SITTING_SECONDS: i64 = 2 * 86_400;

/// The levels of the `pgp_key` comparison. Keys made with different algorithms are no level at all (the
/// comparison is silent): people change tools (GnuPG's default went from RSA 2048 to 3072 to Ed25519), and
/// the pairs sharing a hard identifier that m is learned from are too few to say how often. Measured: as a
/// level of its own, `different_algorithm` learned m 0.010 from 2 of 192 such pairs (about 0.07 is the
/// synthetic world's true rate) and weighed -5.5 bits, which cost no-shared-identifier F1 on seed 41
/// (0.965 to 0.955) and on the test world (0.984 to 0.974).
pub const LEVELS: &[&str] = &[
    "null",
    "created_within_2d_same_algorithm",
    "same_rare_algorithm_and_user_id_form",
    "same_rare_algorithm",
    "same_common_algorithm_and_user_id_form",
    "same_common_algorithm",
];

/// Fills [`AccountFeatures::keys`] of the sellers among `features` from `keys`; `index` maps account ids to
/// positions in `features`. Keys of unknown accounts are ignored; an account's repeated key is kept once.
pub fn fill_key_features(
    keys: &[KeyFacts],
    index: &crate::FastMap<&RecordId, usize>,
    features: &mut [AccountFeatures],
) {
    let mut algorithms: crate::FastMap<&str, (u16, u64)> = crate::FastMap::default();
    let mut per_account: Vec<(usize, KeyFeature)> = Vec::new();
    for k in keys {
        let Some(&i) = index.get(&k.account_id) else {
            continue;
        };
        let next = algorithms.len() as u16;
        let entry = algorithms.entry(k.algorithm.as_str()).or_insert((next, 0));
        entry.1 += 1;
        per_account.push((
            i,
            KeyFeature {
                fingerprint: piece_hash(k.fingerprint.as_bytes()),
                created_at: k.created_at,
                algorithm: entry.0,
                common: false,
                user_id: k.user_id,
            },
        ));
    }
    let total: u64 = algorithms.values().map(|(_, n)| n).sum();
    let mut common = vec![false; algorithms.len()];
    for (id, n) in algorithms.values() {
        common[*id as usize] = *n as f64 >= COMMON_ALGORITHM_SHARE * total as f64;
    }
    // Grouped by account, then each account's keys are boxed once.
    per_account.sort_by_key(|(i, k)| (*i, k.fingerprint));
    per_account.dedup_by_key(|(i, k)| (*i, k.fingerprint));
    for group in per_account.chunk_by(|a, b| a.0 == b.0) {
        let i = group[0].0;
        features[i].keys = group
            .iter()
            .map(|(_, k)| KeyFeature {
                common: common[k.algorithm as usize],
                ..*k
            })
            .collect();
    }
}

/// The `pgp_key` comparison: silent when either account has no key, both hold the same one, or no two of
/// their keys share an algorithm; else the most alike pair of their keys, with the days between their
/// creation as the measured value.
pub fn compare_keys(a: &[KeyFeature], b: &[KeyFeature]) -> Measured {
    let silent = Measured {
        level: 0,
        value: None,
    };
    if a.iter()
        .any(|x| b.iter().any(|y| x.fingerprint == y.fingerprint))
    {
        return silent;
    }
    let mut best: Option<(u8, i64)> = None;
    for x in a {
        for y in b.iter().filter(|y| y.algorithm == x.algorithm) {
            let apart = (x.created_at - y.created_at).abs();
            let level = match (x.common, x.user_id == y.user_id) {
                _ if apart <= SAME_SITTING_SECONDS => 1,
                (false, true) => 2,
                (false, false) => 3,
                (true, true) => 4,
                (true, false) => 5,
            };
            if best.is_none_or(|(l, d)| (level, apart) < (l, d)) {
                best = Some((level, apart));
            }
        }
    }
    match best {
        Some((level, apart)) => Measured {
            level,
            value: Some(apart as f64 / 86_400.0),
        },
        None => silent,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;

    fn key(fingerprint: &str, created_days: i64, algorithm: &str, uid: &str) -> KeyFacts {
        KeyFacts {
            account_id: RecordId::from_stored(String::new()),
            fingerprint: fingerprint.into(),
            created_at: 1_500_000_000 + created_days * DAY,
            algorithm: algorithm.into(),
            user_id: UserIdForm::of(uid),
        }
    }

    /// Features of accounts `0..n`, all sellers, each holding the keys given for it.
    fn features(keys: &[(usize, KeyFacts)], n: usize) -> Vec<AccountFeatures> {
        let ids: Vec<RecordId> = (0..n)
            .map(|i| RecordId::from_stored(format!("m/account/{i}")))
            .collect();
        let index: crate::FastMap<&RecordId, usize> =
            ids.iter().enumerate().map(|(i, id)| (id, i)).collect();
        let keys: Vec<KeyFacts> = keys
            .iter()
            .map(|(i, k)| KeyFacts {
                account_id: ids[*i].clone(),
                ..k.clone()
            })
            .collect();
        let mut f: Vec<AccountFeatures> =
            (0..n).map(|_| AccountFeatures::new(0, "a", "a")).collect();
        fill_key_features(&keys, &index, &mut f);
        f
    }

    #[test]
    fn user_id_forms() {
        use UserIdForm::*;
        for (uid, form) in [
            ("GhostPharma", Name),
            ("Ghost Pharma NL", Name),
            ("GhostPharma <ghost4711@dnmx.org>", WithEmail),
            ("GhostPharma (vendor key)", WithComment),
            (
                "GhostPharma (vendor key) <ghost@dnmx.org>",
                WithCommentAndEmail,
            ),
            ("<ghost@dnmx.org>", EmailOnly),
            ("ghost@dnmx.org", EmailOnly),
            ("  ", Missing),
            ("", Missing),
            // Angle brackets without an address are part of a name, as GnuPG would show them.
            ("Ghost <3", Name),
            ("(vendor key)", WithComment),
        ] {
            assert_eq!(UserIdForm::of(uid), form, "{uid:?}");
        }
    }

    #[test]
    fn levels_from_one_sitting_to_a_common_algorithm() {
        // Twenty sellers with Ed25519 keys made 100 days apart (the common algorithm), four with P-384.
        let mut keys: Vec<(usize, KeyFacts)> = (0..20)
            .map(|i| {
                let k = key(
                    &format!("E{i}"),
                    100 * i as i64,
                    "eddsa-legacy-ed25519",
                    "n",
                );
                (i, k)
            })
            .collect();
        keys.push((20, key("P20", 0, "ecdsa-nistp384", "n")));
        keys.push((21, key("P21", 500, "ecdsa-nistp384", "n <n@x.org>")));
        keys.push((22, key("P22", 1, "ecdsa-nistp384", "n")));
        keys.push((23, key("P23", 700, "ecdsa-nistp384", "m")));
        // Account 3 posted a second key, with a comment, the day after account 4 made its key.
        keys.push((3, key("E3b", 401, "eddsa-legacy-ed25519", "n (vendor)")));
        let f = features(&keys, 25);
        let level = |a: usize, b: usize| compare_keys(&f[a].keys, &f[b].keys).level;
        assert!(f[0].keys[0].common && !f[20].keys[0].common);
        assert_eq!(LEVELS.len(), 6);

        let sitting = compare_keys(&f[20].keys, &f[22].keys);
        assert_eq!(
            (sitting.level, sitting.value),
            (1, Some(1.0)),
            "one sitting"
        );
        assert_eq!(
            level(20, 23),
            2,
            "rare algorithm, same form, 700 days apart"
        );
        assert_eq!(level(20, 21), 3, "rare algorithm, other form");
        assert_eq!(
            level(1, 2),
            4,
            "common algorithm, same form, 100 days apart"
        );
        assert_eq!(level(21, 22), 3);
        assert_eq!(
            level(0, 20),
            0,
            "different algorithms say nothing, even made the same day"
        );
        assert_eq!(level(0, 24), 0, "an account without a key is silent");
        assert_eq!(level(24, 24), 0);
        // An account with two keys is compared by its most alike one.
        assert_eq!(f[3].keys.len(), 2);
        assert_eq!(level(3, 2), 4);
        assert_eq!(level(3, 4), 1);
        let only_commented = [f[3]
            .keys
            .iter()
            .find(|k| k.user_id == UserIdForm::WithComment)];
        let only_commented: Vec<KeyFeature> =
            only_commented.into_iter().flatten().copied().collect();
        assert_eq!(compare_keys(&only_commented, &f[9].keys).level, 5);
    }

    #[test]
    fn the_same_key_is_hard_evidence_and_silences_the_comparison() {
        let shared = key("SAME", 0, "ecdsa-nistp521", "n");
        let keys = vec![
            (0, shared.clone()),
            (1, shared.clone()),
            // Account 1 also posted another key made the same day: still the same key held by both.
            (1, key("OTHER", 0, "ecdsa-nistp521", "n")),
            (2, key("THIRD", 0, "ecdsa-nistp521", "n")),
            // Posted twice by one account (key column and profile): kept once.
            (2, key("THIRD", 0, "ecdsa-nistp521", "n")),
        ];
        let f = features(&keys, 3);
        assert_eq!(compare_keys(&f[0].keys, &f[1].keys).level, 0);
        assert_eq!(f[2].keys.len(), 1);
        assert_eq!(compare_keys(&f[0].keys, &f[2].keys).level, 1);
    }

    #[test]
    fn keys_of_accounts_without_features_are_ignored() {
        let ids = [RecordId::from_stored("m/account/0")];
        let index: crate::FastMap<&RecordId, usize> = ids.iter().map(|id| (id, 0)).collect();
        let mut f = vec![AccountFeatures::new(0, "s", "")];
        let mut stranger = key("S", 0, "rsa2048", "s");
        stranger.account_id = RecordId::from_stored("m/account/9");
        fill_key_features(&[stranger], &index, &mut f);
        assert!(f[0].keys.is_empty());
    }

    proptest::proptest! {
        // User ids are seized text: any string has a form, and a name with an address has one.
        #[test]
        fn any_user_id_has_a_form(uid in ".{0,80}") {
            let form = UserIdForm::of(&uid);
            if uid.trim().is_empty() {
                proptest::prop_assert_eq!(form, UserIdForm::Missing);
            }
        }

        #[test]
        fn levels_are_in_range_and_symmetric(
            ta in 0i64..1000, tb in 0i64..1000, aa in 0u16..3, ab in 0u16..3, ca in proptest::bool::ANY,
            fa in 0usize..3,
            fb in 0usize..3,
        ) {
            let forms = [UserIdForm::Name, UserIdForm::WithEmail, UserIdForm::WithComment];
            let a = [KeyFeature { fingerprint: 1, created_at: ta * 3_600, algorithm: aa, common: ca,
                user_id: forms[fa] }];
            let b = [KeyFeature { fingerprint: 2, created_at: tb * 3_600, algorithm: ab, common: ca,
                user_id: forms[fb] }];
            let m = compare_keys(&a, &b);
            proptest::prop_assert!((m.level as usize) < LEVELS.len());
            proptest::prop_assert_eq!(m.level == 0, aa != ab);
            proptest::prop_assert_eq!(m.clone(), compare_keys(&b, &a));
        }
    }
}
