//! The best chain among the blocks read: blk files hold blocks out of order, and stale blocks of forks that
//! lost; only the branch with the most work counts, as a node decides.
//!
//! Blocks are joined by their previous-block hash into trees. The blocks read may be pieces of the chain
//! that do not meet (single raw blocks from different years): each tree is a segment of its own, and in
//! each the branch ending in the most cumulative work is kept (ties: the tip read first). Every other block
//! of the tree is set aside as a side chain or orphan.

use std::collections::HashMap;

use bitcoin::BlockHash;
use bitcoin::pow::Work;

/// What ordering needs of a block.
#[derive(Debug, Clone, Copy)]
pub struct ChainHeader {
    pub hash: BlockHash,
    pub prev: BlockHash,
    pub work: Work,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BestChain {
    /// Segments, each a list of positions in the caller's headers from root to tip; segments in the order
    /// their first block was read.
    pub segments: Vec<Vec<usize>>,
    /// Blocks on losing branches.
    pub side: Vec<usize>,
    /// Blocks read more than once (the first is used).
    pub duplicates: Vec<usize>,
}

impl BestChain {
    pub fn block_count(&self) -> usize {
        self.segments.iter().map(Vec::len).sum()
    }
}

pub fn best_chain(headers: &[ChainHeader]) -> BestChain {
    let mut out = BestChain::default();
    // The first reading of a hash is the block; later ones are duplicates.
    let mut position: HashMap<BlockHash, usize> = HashMap::with_capacity(headers.len());
    for (i, h) in headers.iter().enumerate() {
        match position.entry(h.hash) {
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(i);
            }
            std::collections::hash_map::Entry::Occupied(_) => out.duplicates.push(i),
        }
    }
    let mut children: HashMap<usize, Vec<usize>> = HashMap::new();
    let mut roots = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        if position.get(&h.hash) != Some(&i) {
            continue;
        }
        match position.get(&h.prev) {
            Some(&parent) if parent != i => children.entry(parent).or_default().push(i),
            _ => roots.push(i),
        }
    }
    let mut on_chain = vec![false; headers.len()];
    for root in roots {
        // Cumulative work down the tree, iteratively (a chain is hundreds of thousands deep).
        let mut best: (Work, usize) = (headers[root].work, root);
        let mut parent_of: HashMap<usize, usize> = HashMap::new();
        let mut stack = vec![(root, headers[root].work)];
        let mut members = Vec::new();
        while let Some((node, work)) = stack.pop() {
            members.push(node);
            if work > best.0 || (work == best.0 && node < best.1) {
                best = (work, node);
            }
            for &child in children.get(&node).into_iter().flatten() {
                parent_of.insert(child, node);
                stack.push((child, work + headers[child].work));
            }
        }
        let mut path = vec![best.1];
        while let Some(&p) = parent_of.get(path.last().expect("never empty")) {
            path.push(p);
        }
        path.reverse();
        for &b in &path {
            on_chain[b] = true;
        }
        out.side
            .extend(members.into_iter().filter(|&m| !on_chain[m]));
        out.segments.push(path);
    }
    out.side.sort_unstable();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use bitcoin::hashes::Hash;

    fn hash(n: u8) -> BlockHash {
        BlockHash::from_byte_array([n; 32])
    }
    fn header(n: u8, prev: u8, work: u64) -> ChainHeader {
        let mut w = [0u8; 32];
        w[24..].copy_from_slice(&work.to_be_bytes());
        ChainHeader {
            hash: hash(n),
            prev: hash(prev),
            work: Work::from_be_bytes(w),
        }
    }

    #[test]
    fn the_branch_with_most_work_wins_whatever_the_order_read() {
        // 1 ← 2 ← 3 ← 4 and 2 ← 3a ← 4a ← 5a; read out of order, with a duplicate.
        let headers = [
            header(4, 3, 1),
            header(1, 0, 1),
            header(31, 2, 1),
            header(2, 1, 1),
            header(3, 2, 1),
            header(41, 31, 1),
            header(51, 41, 1),
            header(3, 2, 1),
        ];
        let chain = best_chain(&headers);
        let hashes: Vec<BlockHash> = chain.segments[0].iter().map(|&i| headers[i].hash).collect();
        assert_eq!(hashes, [hash(1), hash(2), hash(31), hash(41), hash(51)]);
        assert_eq!(chain.segments.len(), 1);
        assert_eq!(chain.side, vec![0, 4]);
        assert_eq!(chain.duplicates, vec![7]);
    }

    #[test]
    fn more_work_beats_more_blocks_and_pieces_that_do_not_meet_are_segments() {
        let headers = [
            header(1, 0, 10),
            header(2, 1, 1),
            header(3, 2, 1),
            header(12, 1, 5),
            header(90, 80, 1),
        ];
        let chain = best_chain(&headers);
        assert_eq!(chain.segments, vec![vec![0, 3], vec![4]]);
        assert_eq!(chain.side, vec![1, 2]);
    }
}
