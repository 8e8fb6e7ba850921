//! Finding a taxonomy's terms in text: words, their normal forms, and the ways sellers disguise them.
//!
//! The text is cut into words (letters and digits; `@` and `$` inside words, where they stand for
//! letters). Each word is lower-cased and its accents folded. A trie of every variant is walked from
//! each word on, across the gaps between words when the variant has a space there or when the gap is
//! a spacing trick, trying leetspeak letters where the written character fails; the longest match
//! starting at a word wins and the search resumes after it. This is an anchored Aho-Corasick search
//! over words: because every term starts and ends on a word boundary, starting only at words costs a
//! few trie steps per word and no per-term loop. Words no term matched are then compared with the
//! fuzzy-enabled variants that share one of their rarer letter pairs with the word (an index that
//! misses no variant within the distance), narrowed by length and letter set before the
//! Damerau-Levenshtein (optimal string alignment) distance is computed.
//!
//! A match's positions are those of the words it covers, so they always slice the text on char
//! boundaries.

use std::collections::{HashMap, HashSet};
use std::fmt;

use crate::classify::MatchKind;
use crate::taxonomy::{Affix, Amounts, Negation, Normalise, Taxonomy, TaxonomyError};

const NO_TERM: u32 = u32::MAX;
/// Words this long are never compared fuzzily (no term is that long; it bounds the distance tables).
const MAX_FUZZY_LEN: usize = 48;
/// Active walks at once; leetspeak alternatives branch, and this bounds hostile input like "1111...".
const MAX_STATES: usize = 16;

#[derive(Clone, Default)]
struct Node {
    children: Vec<(char, u32)>,
    /// The term whose variant ends here (whole word).
    word_term: u32,
    /// The term whose variant starts a word here (the rest of the word is free).
    prefix_term: u32,
    /// A variant has a separator after this point.
    soft_break: bool,
    depth: u16,
}

impl Node {
    fn new(depth: u16) -> Node {
        Node {
            children: Vec::new(),
            word_term: NO_TERM,
            prefix_term: NO_TERM,
            soft_break: false,
            depth,
        }
    }

    fn child(&self, c: char) -> Option<u32> {
        self.children.iter().find(|(k, _)| *k == c).map(|&(_, n)| n)
    }
}

struct FuzzyKey {
    chars: Vec<char>,
    letters: u64,
    max_distance: usize,
    term: u32,
}

/// A taxonomy's variants compiled for matching.
pub(crate) struct TermIndex {
    nodes: Vec<Node>,
    /// The root's children by ASCII code: every word starts a walk there.
    root_ascii: [u32; 128],
    suffixes: Vec<(Vec<char>, u32)>,
    /// Fuzzy-enabled variants.
    fuzzy: Vec<FuzzyKey>,
    /// Per letter pair (see [`pair_slot`]), the fuzzy keys a word containing it may be near.
    fuzzy_by_pair: Vec<Vec<u32>>,
    /// Keys with too few distinct letter pairs to be indexed: always compared.
    fuzzy_always: Vec<u32>,
    fuzzy_min_len: usize,
    fuzzy_max_len: usize,
    fuzzy_exclusions: HashSet<Vec<char>>,
    normalise: Normalise,
    amounts: Amounts,
    negation_before: Vec<(Vec<Vec<char>>, bool)>,
    negation: Negation,
}

impl fmt::Debug for TermIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TermIndex")
            .field("nodes", &self.nodes.len())
            .field("suffixes", &self.suffixes.len())
            .field("fuzzy", &self.fuzzy.len())
            .finish()
    }
}

#[derive(Clone, Copy, Default)]
struct State {
    node: u32,
    leet: bool,
    spacing: bool,
}

/// The walks under way; allocated once per text and swapped by pointer per character.
#[derive(Default)]
struct States {
    items: Vec<State>,
}

impl States {
    fn push(&mut self, s: State) {
        // Leetspeak alternatives branch; past the bound, hostile input ("1111...") loses branches.
        if self.items.len() < MAX_STATES {
            self.items.push(s);
        }
    }
    fn clear(&mut self) {
        self.items.clear();
    }
    fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

impl<'a> IntoIterator for &'a States {
    type Item = &'a State;
    type IntoIter = std::slice::Iter<'a, State>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

/// What was found: a term of the taxonomy, or a number with a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Found {
    Term(u32),
    Amount,
    PillCount,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RawMatch {
    pub found: Found,
    pub start: usize,
    pub end: usize,
    pub kind: MatchKind,
    pub negated: bool,
}

#[derive(Debug, Clone, Copy)]
struct Token {
    start: usize,
    end: usize,
    /// Range of the normal form in the chars buffer.
    from: u32,
    to: u32,
    has_letter: bool,
    has_digit: bool,
}

/// Letters and digits of a word, as the matcher compares them.
fn push_normal(c: char, fold: &HashMap<char, String>, out: &mut Vec<char>) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return;
    }
    for lower in c.to_lowercase() {
        match fold.get(&lower) {
            Some(folded) => out.extend(folded.chars()),
            None => out.push(lower),
        }
    }
}

const PAIR_SLOTS: usize = 64 * 64;

/// Which fuzzy keys the current word was already compared with: a stamp per key, so that moving
/// to the next word costs nothing.
#[derive(Default)]
struct Seen {
    stamps: Vec<u32>,
    word: u32,
}

impl Seen {
    fn next_word(&mut self, keys: usize) {
        if self.stamps.len() != keys || self.word == u32::MAX {
            self.stamps = vec![0; keys];
            self.word = 0;
        }
        self.word += 1;
    }

    fn first_time(&mut self, key: u32) -> bool {
        match self.stamps.get_mut(key as usize) {
            Some(stamp) if *stamp != self.word => {
                *stamp = self.word;
                true
            }
            _ => false,
        }
    }
}

/// A letter pair's slot: ASCII letters have slots of their own; other letters share them, which only
/// adds candidates.
fn pair_slot(a: char, b: char) -> usize {
    (u32::from(a) as usize % 64) * 64 + u32::from(b) as usize % 64
}

fn letter_bits(chars: &[char]) -> u64 {
    chars
        .iter()
        .fold(0u64, |bits, &c| bits | 1u64 << (u32::from(c) % 64))
}

/// A variant as pieces of normal-form chars, split where it has anything but letters and digits.
fn variant_pieces(variant: &str, fold: &HashMap<char, String>) -> Vec<Vec<char>> {
    let mut pieces = vec![Vec::new()];
    for c in variant.chars() {
        if c.is_alphanumeric() {
            if let Some(last) = pieces.last_mut() {
                push_normal(c, fold, last);
            }
        } else if pieces.last().is_some_and(|p| !p.is_empty()) {
            pieces.push(Vec::new());
        }
    }
    pieces.retain(|p| !p.is_empty());
    pieces
}

impl TermIndex {
    /// An index that finds nothing, standing in while a taxonomy is being validated.
    pub(crate) fn empty() -> TermIndex {
        TermIndex {
            nodes: vec![Node::new(0)],
            root_ascii: [NO_TERM; 128],
            suffixes: Vec::new(),
            fuzzy: Vec::new(),
            fuzzy_by_pair: Vec::new(),
            fuzzy_always: Vec::new(),
            fuzzy_min_len: usize::MAX,
            fuzzy_max_len: 0,
            fuzzy_exclusions: HashSet::new(),
            normalise: Normalise {
                separators: Vec::new(),
                max_gap: 0,
                leetspeak: HashMap::new(),
                fold: HashMap::new(),
            },
            amounts: Amounts {
                weight_units: HashSet::new(),
                count_units: HashSet::new(),
                count_prefixes: Vec::new(),
                max_count_digits: 0,
            },
            negation_before: Vec::new(),
            negation: Negation {
                before: Vec::new(),
                fillers: HashSet::new(),
                after: HashSet::new(),
                free_offers: HashSet::new(),
            },
        }
    }

    pub(crate) fn build(taxonomy: &Taxonomy) -> Result<TermIndex, TaxonomyError> {
        let fold = &taxonomy.normalise.fold;
        let mut index = TermIndex {
            nodes: vec![Node::new(0)],
            root_ascii: [NO_TERM; 128],
            suffixes: Vec::new(),
            fuzzy: Vec::new(),
            fuzzy_by_pair: vec![Vec::new(); PAIR_SLOTS],
            fuzzy_always: Vec::new(),
            fuzzy_min_len: taxonomy.fuzzy.min_len_distance_1.saturating_sub(1),
            fuzzy_max_len: 0,
            fuzzy_exclusions: taxonomy
                .fuzzy
                .exclusions
                .iter()
                .map(|w| {
                    let mut out = Vec::new();
                    w.chars().for_each(|c| push_normal(c, fold, &mut out));
                    out
                })
                .collect(),
            normalise: taxonomy.normalise.clone(),
            amounts: taxonomy.amounts.clone(),
            negation_before: taxonomy
                .negation
                .before
                .iter()
                .map(|phrase| {
                    let percent = phrase.ends_with('%');
                    (variant_pieces(phrase, fold), percent)
                })
                .filter(|(pieces, _)| !pieces.is_empty())
                .collect(),
            negation: taxonomy.negation.clone(),
        };
        // Which term owns each key, per kind of match, to reject a variant claimed by two terms.
        let mut owners: HashMap<(Affix, Vec<char>), u32> = HashMap::new();
        for (t, term) in taxonomy.terms().iter().enumerate() {
            let t = t as u32;
            for variant in &term.variants {
                let pieces = variant_pieces(variant, fold);
                if pieces.is_empty() {
                    return Err(TaxonomyError::EmptyVariant {
                        term: term.term.clone(),
                        variant: variant.clone(),
                    });
                }
                let key: Vec<char> = pieces.concat();
                match owners.get(&(term.affix, key.clone())) {
                    Some(&other) if other != t => {
                        return Err(TaxonomyError::AmbiguousVariant {
                            variant: variant.clone(),
                            first: taxonomy.terms()[other as usize].term.clone(),
                            second: term.term.clone(),
                        });
                    }
                    _ => {
                        owners.insert((term.affix, key.clone()), t);
                    }
                }
                match term.affix {
                    Affix::Suffix => index.suffixes.push((key.clone(), t)),
                    Affix::Word | Affix::Prefix => index.insert(&pieces, t, term.affix),
                }
                let len = key.len();
                let max_distance = if len >= taxonomy.fuzzy.min_len_distance_2 {
                    2
                } else if len >= taxonomy.fuzzy.min_len_distance_1 {
                    1
                } else {
                    0
                };
                let single_word = pieces.len() == 1;
                let letters_only = key.iter().all(|c| c.is_alphabetic());
                if term.fuzzy
                    && max_distance > 0
                    && single_word
                    && letters_only
                    && len < MAX_FUZZY_LEN
                {
                    index.fuzzy_max_len = index.fuzzy_max_len.max(len + max_distance);
                    index.fuzzy.push(FuzzyKey {
                        letters: letter_bits(&key),
                        chars: key,
                        max_distance,
                        term: t,
                    });
                }
            }
        }
        index.index_fuzzy_pairs();
        Ok(index)
    }

    /// Each fuzzy key is listed under `3d + 1` of its letter pairs, the rarest among the keys. One
    /// edit removes at most three pairs of a word (a transposition; a substitution two), so a word
    /// within distance `d` still holds one of them: looking up a word's pairs finds every key it
    /// may be near, and few others.
    fn index_fuzzy_pairs(&mut self) {
        let pairs_of = |chars: &[char]| {
            let mut slots: Vec<usize> = chars.windows(2).map(|w| pair_slot(w[0], w[1])).collect();
            slots.sort_unstable();
            slots.dedup();
            slots
        };
        let mut frequency = vec![0usize; PAIR_SLOTS];
        for key in &self.fuzzy {
            for slot in pairs_of(&key.chars) {
                frequency[slot] += 1;
            }
        }
        for (k, key) in self.fuzzy.iter().enumerate() {
            let mut slots = pairs_of(&key.chars);
            let needed = 3 * key.max_distance + 1;
            if slots.len() < needed {
                self.fuzzy_always.push(k as u32);
                continue;
            }
            slots.sort_by_key(|&slot| frequency[slot]);
            for &slot in slots.iter().take(needed) {
                self.fuzzy_by_pair[slot].push(k as u32);
            }
        }
    }

    fn child(&self, node: u32, c: char) -> Option<u32> {
        if node == 0
            && let Some(&n) = self.root_ascii.get(c as usize)
        {
            return (n != NO_TERM).then_some(n);
        }
        self.nodes.get(node as usize)?.child(c)
    }

    fn insert(&mut self, pieces: &[Vec<char>], term: u32, affix: Affix) {
        let mut node = 0usize;
        for (p, piece) in pieces.iter().enumerate() {
            if p > 0 {
                self.nodes[node].soft_break = true;
            }
            for &c in piece {
                node = match self.nodes[node].child(c) {
                    Some(n) => n as usize,
                    None => {
                        let depth = self.nodes[node].depth.saturating_add(1);
                        self.nodes.push(Node::new(depth));
                        let n = (self.nodes.len() - 1) as u32;
                        self.nodes[node].children.push((c, n));
                        if node == 0 && c.is_ascii() {
                            self.root_ascii[c as usize] = n;
                        }
                        n as usize
                    }
                };
            }
        }
        match affix {
            Affix::Prefix => self.nodes[node].prefix_term = term,
            _ => self.nodes[node].word_term = term,
        }
    }

    /// Every term and amount in `text`, in order, with negations marked.
    pub(crate) fn find(&self, text: &str, fuzzy: bool) -> Vec<RawMatch> {
        let mut chars = Vec::with_capacity(text.len());
        let tokens = self.tokenize(text, &mut chars);
        let mut found: Vec<(RawMatch, usize, usize)> = Vec::new();
        let mut covered = vec![false; tokens.len()];
        let mut i = 0;
        let mut scratch = (States::default(), States::default());
        while i < tokens.len() {
            let hit = self
                .walk(text, &tokens, &chars, i, &mut scratch)
                .or_else(|| self.suffix(&tokens, &chars, i))
                .or_else(|| self.amount(text, &tokens, &chars, i));
            match hit {
                Some((found_what, last, kind)) => {
                    let m = RawMatch {
                        found: found_what,
                        start: tokens[i].start,
                        end: tokens[last].end,
                        kind,
                        negated: false,
                    };
                    covered[i..=last].iter_mut().for_each(|c| *c = true);
                    found.push((m, i, last));
                    i = last + 1;
                }
                None => i += 1,
            }
        }
        if fuzzy && !self.fuzzy.is_empty() {
            let mut seen = Seen::default();
            for (i, token) in tokens.iter().enumerate() {
                if covered[i] {
                    continue;
                }
                if let Some((term, distance)) = self.fuzzy_match(token, &chars, &mut seen) {
                    let m = RawMatch {
                        found: Found::Term(term),
                        start: token.start,
                        end: token.end,
                        kind: MatchKind::Fuzzy { distance },
                        negated: false,
                    };
                    found.push((m, i, i));
                }
            }
            found.sort_by_key(|(m, _, _)| m.start);
        }
        found
            .into_iter()
            .map(|(mut m, first, last)| {
                // Amounts and pill counts are not claims that can be denied.
                if matches!(m.found, Found::Term(_)) {
                    m.negated = self.is_negated(text, &tokens, &chars, first, last);
                }
                m
            })
            .collect()
    }

    fn tokenize(&self, text: &str, chars: &mut Vec<char>) -> Vec<Token> {
        let mut tokens = Vec::new();
        let mut current: Option<Token> = None;
        let mut iter = text.char_indices().peekable();
        let mut prev_alnum = false;
        while let Some((at, c)) = iter.next() {
            let next_alnum = iter.peek().is_some_and(|&(_, n)| n.is_alphanumeric());
            let next_letter = iter.peek().is_some_and(|&(_, n)| n.is_alphabetic());
            // "fent@nyl", "$peed": a symbol that stands for a letter inside a word.
            let in_word = c.is_alphanumeric()
                || (matches!(c, '@' | '$')
                    && self.normalise.leetspeak.contains_key(&c)
                    && ((prev_alnum && next_alnum) || (!prev_alnum && next_letter)));
            if in_word {
                let token = current.get_or_insert(Token {
                    start: at,
                    end: at,
                    from: chars.len() as u32,
                    to: chars.len() as u32,
                    has_letter: false,
                    has_digit: false,
                });
                token.end = at + c.len_utf8();
                token.has_letter |= c.is_alphabetic();
                token.has_digit |= c.is_numeric();
                push_normal(c, &self.normalise.fold, chars);
                token.to = chars.len() as u32;
            } else if let Some(token) = current.take() {
                tokens.push(token);
            }
            prev_alnum = in_word;
        }
        if let Some(token) = current {
            tokens.push(token);
        }
        tokens
    }

    fn word<'c>(chars: &'c [char], token: &Token) -> &'c [char] {
        chars
            .get(token.from as usize..token.to as usize)
            .unwrap_or(&[])
    }

    /// Whether the walk may go on from word `a` to word `b` over the gap between them: on a
    /// separator the variant has (`soft`), or a spacing trick ("f e n t", "fent.anyl").
    fn crossing(&self, text: &str, a: &Token, b: &Token, soft: bool) -> Option<bool> {
        let gap = text.get(a.end..b.start)?;
        let mut length = 0;
        let mut whitespace = false;
        for c in gap.chars() {
            length += 1;
            if length > self.normalise.max_gap || !self.normalise.separators.contains(&c) {
                return None;
            }
            whitespace |= c.is_whitespace();
        }
        if soft {
            return Some(false);
        }
        let single = |t: &Token| t.to.saturating_sub(t.from) == 1;
        (!whitespace || (single(a) && single(b))).then_some(true)
    }

    /// The longest term starting at word `i`: (found, last word, how).
    fn walk(
        &self,
        text: &str,
        tokens: &[Token],
        chars: &[char],
        i: usize,
        scratch: &mut (States, States),
    ) -> Option<(Found, usize, MatchKind)> {
        // The walk must not start on a word no variant starts with: most words of a description.
        let first = tokens
            .get(i)
            .and_then(|t| Self::word(chars, t).first().copied())?;
        let startable = self.child(0, first).is_some()
            || (tokens[i].has_letter
                && self
                    .normalise
                    .leetspeak
                    .get(&first)
                    .filter(|_| !first.is_alphabetic())
                    .is_some_and(|ls| ls.iter().any(|&l| self.child(0, l).is_some())));
        if !startable {
            return None;
        }
        let (states, next) = scratch;
        states.clear();
        states.push(State {
            node: 0,
            leet: false,
            spacing: false,
        });
        // (term, last word, leet, spacing); later words replace earlier ones: longest wins.
        let mut best: Option<(u32, usize, bool, bool)> = None;
        for j in i..tokens.len() {
            let token = &tokens[j];
            if j > i {
                let prev = &tokens[j - 1];
                next.clear();
                for s in states.items.iter() {
                    let soft = self
                        .nodes
                        .get(s.node as usize)
                        .is_some_and(|n| n.soft_break);
                    if let Some(trick) = self.crossing(text, prev, token, soft) {
                        next.push(State {
                            spacing: s.spacing || trick,
                            ..*s
                        });
                    }
                }
                std::mem::swap(states, next);
                if states.is_empty() {
                    break;
                }
            }
            let word = Self::word(chars, token);
            let mut found_here: Option<(u32, bool, bool)> = None;
            for (k, &c) in word.iter().enumerate() {
                let last_char = k + 1 == word.len();
                if last_char && c == 's' {
                    // A plural: the variant ends before this "s".
                    for s in states.items.iter() {
                        if let Some(node) = self.nodes.get(s.node as usize)
                            && node.word_term != NO_TERM
                            && node.depth >= 3
                            && found_here.is_none()
                        {
                            found_here = Some((node.word_term, s.leet, s.spacing));
                        }
                    }
                }
                next.clear();
                for s in states.items.iter() {
                    if let Some(n) = self.child(s.node, c) {
                        next.push(State { node: n, ..*s });
                    }
                    if token.has_letter
                        && !c.is_alphabetic()
                        && let Some(letters) = self.normalise.leetspeak.get(&c)
                    {
                        for &l in letters {
                            if let Some(n) = self.child(s.node, l) {
                                next.push(State {
                                    node: n,
                                    leet: true,
                                    ..*s
                                });
                            }
                        }
                    }
                }
                std::mem::swap(states, next);
                for s in states.items.iter() {
                    if let Some(node) = self.nodes.get(s.node as usize)
                        && node.prefix_term != NO_TERM
                        && found_here.is_none()
                    {
                        found_here = Some((node.prefix_term, s.leet, s.spacing));
                    }
                }
                if states.is_empty() {
                    break;
                }
            }
            // A whole-word match beats a plural or prefix reading of the same words; exact beats leet.
            let mut whole: Option<(u32, bool, bool)> = None;
            for s in states.items.iter() {
                if let Some(node) = self.nodes.get(s.node as usize)
                    && node.word_term != NO_TERM
                    && whole.is_none_or(|(_, leet, _)| leet && !s.leet)
                {
                    whole = Some((node.word_term, s.leet, s.spacing));
                }
            }
            if let Some((term, leet, spacing)) = whole.or(found_here) {
                best = Some((term, j, leet, spacing));
            }
            if states.is_empty() {
                break;
            }
        }
        best.map(|(term, last, leet, spacing)| {
            let kind = match (leet, spacing) {
                (false, false) => MatchKind::Exact,
                (true, false) => MatchKind::Leetspeak,
                (false, true) => MatchKind::Spacing,
                (true, true) => MatchKind::LeetspeakAndSpacing,
            };
            (Found::Term(term), last, kind)
        })
    }

    fn suffix(
        &self,
        tokens: &[Token],
        chars: &[char],
        i: usize,
    ) -> Option<(Found, usize, MatchKind)> {
        let word = Self::word(chars, tokens.get(i)?);
        let word = word
            .strip_suffix(&['s'])
            .filter(|w| w.len() >= 3)
            .unwrap_or(word);
        self.suffixes
            .iter()
            .find(|(suffix, _)| word.ends_with(suffix))
            .map(|&(_, term)| (Found::Term(term), i, MatchKind::Exact))
    }

    /// A number with a weight unit ("3.5g", "1 oz") or a count ("x100", "100x", "20 pcs").
    fn amount(
        &self,
        text: &str,
        tokens: &[Token],
        chars: &[char],
        i: usize,
    ) -> Option<(Found, usize, MatchKind)> {
        let token = tokens.get(i)?;
        if !token.has_digit {
            return None;
        }
        let word = Self::word(chars, token);
        let digits = word.iter().take_while(|c| c.is_ascii_digit()).count();
        let as_string = |cs: &[char]| cs.iter().collect::<String>();
        if digits == 0 {
            // "x100"
            let letters: usize = word.iter().take_while(|c| !c.is_ascii_digit()).count();
            let (prefix, rest) = word.split_at(letters);
            let counted = !rest.is_empty()
                && rest.len() <= self.amounts.max_count_digits
                && rest.iter().all(|c| c.is_ascii_digit())
                && self.amounts.count_prefixes.contains(&as_string(prefix));
            return counted.then_some((Found::PillCount, i, MatchKind::Exact));
        }
        // "3.5g": the decimals are the next word.
        let (mut last, mut unit) = (i, &word[digits..]);
        let mut number_digits = digits;
        if unit.is_empty()
            && let Some(next) = tokens.get(i + 1)
            && matches!(text.get(token.end..next.start), Some("." | ","))
        {
            let next_word = Self::word(chars, next);
            let decimals = next_word.iter().take_while(|c| c.is_ascii_digit()).count();
            if decimals > 0 {
                last = i + 1;
                unit = &next_word[decimals..];
                number_digits = usize::MAX;
            }
        }
        // "1 oz": the unit is the next word, after at most a space.
        if unit.is_empty()
            && let Some(next) = tokens.get(last + 1)
            && text
                .get(tokens[last].end..next.start)
                .is_some_and(|gap| gap.len() <= 2 && gap.chars().all(char::is_whitespace))
        {
            let next_word = Self::word(chars, next);
            let unit_name = as_string(next_word);
            if self.amounts.weight_units.contains(&unit_name)
                || self.amounts.count_units.contains(&unit_name)
            {
                last += 1;
                unit = next_word;
            }
        }
        let unit = as_string(unit);
        if self.amounts.weight_units.contains(&unit) {
            return Some((Found::Amount, last, MatchKind::Exact));
        }
        (self.amounts.count_units.contains(&unit) && number_digits <= self.amounts.max_count_digits)
            .then_some((Found::PillCount, last, MatchKind::Exact))
    }

    fn fuzzy_match(&self, token: &Token, chars: &[char], seen: &mut Seen) -> Option<(u32, u8)> {
        let word = Self::word(chars, token);
        if word.len() < self.fuzzy_min_len || word.len() > self.fuzzy_max_len || !token.has_letter {
            return None;
        }
        // Leetspeak first ("h3r0in"), then the word must be letters only.
        let mut normal = ['\0'; MAX_FUZZY_LEN];
        let normal = normal.get_mut(..word.len())?;
        for (slot, &c) in normal.iter_mut().zip(word) {
            *slot = if c.is_alphabetic() {
                c
            } else {
                let letter = self
                    .normalise
                    .leetspeak
                    .get(&c)
                    .and_then(|l| l.first().copied());
                letter.filter(|l| l.is_alphabetic())?
            };
        }
        let normal: &[char] = normal;
        seen.next_word(self.fuzzy.len());
        let pairs = normal
            .windows(2)
            .filter_map(|w| self.fuzzy_by_pair.get(pair_slot(w[0], w[1])));
        let candidates = self.fuzzy_always.iter().chain(pairs.flatten());
        let letters = letter_bits(normal);
        let mut best: Option<(u32, usize)> = None;
        for &k in candidates {
            if !seen.first_time(k) {
                continue;
            }
            let Some(key) = self.fuzzy.get(k as usize) else {
                continue;
            };
            let d = key.max_distance;
            // An edit changes the length by at most one and the letter set by at most one letter
            // each way: cheap tests before the distance.
            if normal.len().abs_diff(key.chars.len()) > d
                || (letters & !key.letters).count_ones() as usize > d
                || (key.letters & !letters).count_ones() as usize > d
            {
                continue;
            }
            let Some(distance) = osa_distance_within(normal, &key.chars, d) else {
                continue;
            };
            if best.is_none_or(|(_, b)| distance < b) {
                best = Some((key.term, distance));
            }
        }
        if best.is_some() && self.fuzzy_exclusions.contains(normal) {
            return None;
        }
        best.and_then(|(term, distance)| u8::try_from(distance).ok().map(|d| (term, d)))
    }

    fn is_negated(
        &self,
        text: &str,
        tokens: &[Token],
        chars: &[char],
        first: usize,
        last: usize,
    ) -> bool {
        let gap = |a: usize, b: usize| -> &str {
            match (tokens.get(a), tokens.get(b)) {
                (Some(x), Some(y)) => text.get(x.end..y.start).unwrap_or(""),
                _ => "",
            }
        };
        let plain_gap = |g: &str, extra: &[char]| {
            !g.is_empty() && g.chars().all(|c| c.is_whitespace() || extra.contains(&c))
        };
        let eq = |t: usize, word: &[char]| {
            tokens
                .get(t)
                .is_some_and(|tok| Self::word(chars, tok) == word)
        };
        // Before: a negation, then fillers, each separated by spaces, colons or hyphens.
        let mut p = first;
        for _ in 0..6 {
            let Some(q) = p.checked_sub(1) else { break };
            let after_q = gap(q, p);
            for (phrase, percent) in &self.negation_before {
                let n = phrase.len();
                let Some(start) = (q + 1).checked_sub(n) else {
                    continue;
                };
                let words_match = phrase.iter().enumerate().all(|(k, w)| eq(start + k, w));
                let inner_gaps = (start..q).all(|t| plain_gap(gap(t, t + 1), &[':', '-']));
                let gap_ok = if *percent {
                    after_q.contains('%') && plain_gap(after_q, &['%', ':', '-'])
                } else {
                    plain_gap(after_q, &[':', '-'])
                };
                if words_match && inner_gaps && gap_ok {
                    return true;
                }
            }
            let filler = tokens.get(q).is_some_and(|t| {
                self.negation
                    .fillers
                    .contains(&Self::word(chars, t).iter().collect::<String>())
            });
            if !filler || !plain_gap(after_q, &[':', '-']) {
                break;
            }
            p = q;
        }
        // After: "fent free", "fentanyl-free", but not "M30 free shipping".
        let Some(free) = tokens.get(last + 1) else {
            return false;
        };
        let free_word: String = Self::word(chars, free).iter().collect();
        if !self.negation.after.contains(&free_word) || !plain_gap(gap(last, last + 1), &['-']) {
            return false;
        }
        let offer = tokens.get(last + 2).is_some_and(|t| {
            plain_gap(gap(last + 1, last + 2), &['-'])
                && self
                    .negation
                    .free_offers
                    .contains(&Self::word(chars, t).iter().collect::<String>())
        });
        !offer
    }
}

/// The optimal-string-alignment distance (Damerau-Levenshtein where no substring is edited twice)
/// between `a` and `b`, if it is at most `max`. Hand-written rather than `strsim`'s, which allocates a
/// map per call: it runs on every candidate word, on the stack, and stops once a row exceeds `max`.
fn osa_distance_within(a: &[char], b: &[char], max: usize) -> Option<usize> {
    const W: usize = MAX_FUZZY_LEN + 1;
    if a.len() >= W || b.len() >= W || a.len().abs_diff(b.len()) > max {
        return None;
    }
    let mut two_back = [0usize; W];
    let mut one_back: [usize; W] = std::array::from_fn(|j| j);
    let mut current = [0usize; W];
    for i in 1..=a.len() {
        current[0] = i;
        let mut row_min = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (one_back[j] + 1)
                .min(current[j - 1] + 1)
                .min(one_back[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(two_back[j - 2] + 1);
            }
            current[j] = d;
            row_min = row_min.min(d);
        }
        if row_min > max {
            return None;
        }
        two_back = one_back;
        one_back = current;
    }
    let d = one_back[b.len()];
    (d <= max).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osa_distance_counts_edits_and_transpositions() {
        let d = |a: &str, b: &str, max| {
            let a: Vec<char> = a.chars().collect();
            let b: Vec<char> = b.chars().collect();
            osa_distance_within(&a, &b, max)
        };
        assert_eq!(d("fentanyl", "fentanyl", 2), Some(0));
        assert_eq!(d("fentanly", "fentanyl", 1), Some(1)); // transposition
        assert_eq!(d("fentanl", "fentanyl", 1), Some(1)); // deletion
        assert_eq!(d("fentannyl", "fentanyl", 1), Some(1)); // insertion
        assert_eq!(d("fentamyl", "fentanyl", 1), Some(1)); // substitution
        assert_eq!(d("fantamyl", "fentanyl", 1), None);
        assert_eq!(d("fantamyl", "fentanyl", 2), Some(2));
        assert_eq!(d("ca", "abc", 3), Some(3)); // OSA, not unrestricted Damerau-Levenshtein (2)
        assert_eq!(d("гераин", "героин", 1), Some(1));
    }
}
