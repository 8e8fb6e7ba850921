//! From scored pairs to personas, resisting chaining. Hard links join their accounts outright (the guard
//! has already set aside shared infrastructure). Soft links are taken strongest first, and two groups join
//! only when the average match probability over every pair across them reaches the threshold: one good
//! pair between two large groups (A–B strong, but B's group and A's group otherwise unlike) is not enough,
//! which is what keeps a single weak or generic link from merging sellers (single linkage chains them).

/// Why a soft link above the threshold did not join its accounts.
#[derive(Debug, Clone, PartialEq)]
pub struct RefusedMerge {
    pub a: u32,
    pub b: u32,
    pub probability: f64,
    /// Average probability across the two groups it would have joined, and their sizes.
    pub group_average: f64,
    pub sizes: (usize, usize),
}

#[derive(Debug, Clone)]
pub struct Clusters {
    /// The group of each account (the smallest account index in it).
    pub group_of: Vec<u32>,
    /// Soft links that joined two groups, in the order they were taken.
    pub joined_by: Vec<(u32, u32, f64)>,
    pub refused: Vec<RefusedMerge>,
}

struct Groups {
    parent: Vec<u32>,
    members: Vec<Vec<u32>>,
}

impl Groups {
    fn new(n: usize) -> Self {
        Groups {
            parent: (0..n as u32).collect(),
            members: (0..n as u32).map(|i| vec![i]).collect(),
        }
    }

    fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let up = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = up;
            x = up;
        }
        x
    }

    fn union(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return;
        }
        let (keep, gone) = if ra < rb { (ra, rb) } else { (rb, ra) };
        self.parent[gone as usize] = keep;
        let moved = std::mem::take(&mut self.members[gone as usize]);
        self.members[keep as usize].extend(moved);
    }
}

/// Groups `n` accounts. `probability(a, b)` scores any pair (it is asked for pairs across two groups about
/// to merge); `soft` holds the candidate pairs at or above `threshold` with their probability.
pub fn cluster(
    n: usize,
    hard: &[(u32, u32)],
    soft: &[(u32, u32, f64)],
    threshold: f64,
    probability: impl Fn(u32, u32) -> f64,
) -> Clusters {
    let mut groups = Groups::new(n);
    for &(a, b) in hard {
        groups.union(a, b);
    }
    let mut order: Vec<&(u32, u32, f64)> = soft.iter().filter(|l| l.2 >= threshold).collect();
    order.sort_by(|x, y| y.2.total_cmp(&x.2).then((x.0, x.1).cmp(&(y.0, y.1))));
    let mut joined_by = Vec::new();
    let mut refused = Vec::new();
    for &&(a, b, p) in &order {
        let (ra, rb) = (groups.find(a), groups.find(b));
        if ra == rb {
            continue;
        }
        let (ga, gb) = (&groups.members[ra as usize], &groups.members[rb as usize]);
        let average = if ga.len() == 1 && gb.len() == 1 {
            p
        } else {
            let total: f64 = ga
                .iter()
                .flat_map(|&x| gb.iter().map(move |&y| (x, y)))
                .map(|(x, y)| probability(x, y))
                .sum();
            total / (ga.len() * gb.len()) as f64
        };
        if average >= threshold {
            groups.union(a, b);
            joined_by.push((a, b, p));
        } else {
            refused.push(RefusedMerge {
                a,
                b,
                probability: p,
                group_average: average,
                sizes: (ga.len(), gb.len()),
            });
        }
    }
    let group_of = (0..n as u32).map(|i| groups.find(i)).collect();
    Clusters {
        group_of,
        joined_by,
        refused,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_strong_pair_does_not_chain_two_unlike_groups() {
        // {0,1,2} and {3,4,5} are each tight; 2–3 is strong, every other pair across is weak.
        let p = |a: u32, b: u32| {
            let (a, b) = (a.min(b), a.max(b));
            let same_side = (a < 3) == (b < 3);
            if same_side || (a, b) == (2, 3) {
                0.99
            } else {
                0.01
            }
        };
        let soft: Vec<(u32, u32, f64)> = (0..6u32)
            .flat_map(|a| (a + 1..6).map(move |b| (a, b)))
            .map(|(a, b)| (a, b, p(a, b)))
            .collect();
        let c = cluster(6, &[], &soft, 0.5, p);
        assert_eq!(&c.group_of, &[0, 0, 0, 3, 3, 3]);
        assert_eq!(c.refused.len(), 1);
        assert_eq!((c.refused[0].a, c.refused[0].b), (2, 3));
        assert!(c.refused[0].group_average < 0.5);
    }

    #[test]
    fn single_linkage_would_have_chained_them() {
        // The same data with every cross pair as strong as 2–3 merges everything: the check is what differs.
        let c = cluster(
            6,
            &[],
            &[(0, 1, 0.9), (1, 2, 0.9), (2, 3, 0.9), (3, 4, 0.9)],
            0.5,
            |_, _| 0.9,
        );
        assert!(c.group_of.iter().take(5).all(|&g| g == 0));
        assert_eq!(c.group_of[5], 5);
    }

    #[test]
    fn hard_links_join_outright_and_links_below_the_threshold_are_ignored() {
        let c = cluster(4, &[(0, 3)], &[(1, 2, 0.4)], 0.5, |_, _| 0.0);
        assert_eq!(c.group_of, vec![0, 1, 2, 0]);
        assert!(c.refused.is_empty() && c.joined_by.is_empty());
    }
}
