//! A stable-Rust stand-in for the fuzz targets (`/fuzz`): thousands of inputs made by mutating the
//! data-driven cases are fed to every reader, which must not panic, must end, and must keep the invariants
//! of `selfcheck::drain_checked` (rows decode again from their bytes, errors know their line, ...).

use std::fs;
use std::path::Path;

use spector_ingest::Format;
use spector_ingest::formats::selfcheck::drain_checked;

/// Deterministic, so that a failure names an input that can be made again.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Bytes that matter to some reader's grammar.
const SPECIAL: &[u8] = b"'\"\\`()[]{},:;\t\n\r-#/*$NE0xbu.\xe9\xc3\x00";

fn mutate(rng: &mut XorShift, input: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(out.len() + 1);
        match rng.below(6) {
            0 => out.truncate(at),
            1 if at < out.len() => out[at] ^= 1 << rng.below(8),
            2 => out.insert(at, SPECIAL[rng.below(SPECIAL.len())]),
            3 if at < out.len() => {
                let end = (at + 1 + rng.below(32)).min(out.len());
                out.drain(at..end);
            }
            4 if at < out.len() => {
                let end = (at + 1 + rng.below(64)).min(out.len());
                let copy = out[at..end].to_vec();
                let to = rng.below(out.len() + 1);
                out.splice(to..to, copy);
            }
            _ if at < out.len() => out[at] = SPECIAL[rng.below(SPECIAL.len())],
            _ => {}
        }
    }
    out
}

#[test]
fn mutated_cases_never_break_a_reader() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let mut seeds = Vec::new();
    for dir in ["mysql", "pg", "csv", "json"] {
        for entry in fs::read_dir(data.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path
                .extension()
                .is_some_and(|e| ["sql", "csv", "json", "jsonl"].iter().any(|x| e == *x))
            {
                seeds.push(fs::read(&path).unwrap());
            }
        }
    }
    let mut rng = XorShift(0x5eed_cafe_f00d_d00d);
    let per_seed = 3000 / seeds.len().max(1) + 1;
    let mut inputs = 0;
    for seed in &seeds {
        for i in 0..per_seed {
            let input = mutate(&mut rng, seed);
            for format in [Format::MysqlDump, Format::PgDump, Format::Csv, Format::Json] {
                if let Err(problem) = drain_checked(format, &input) {
                    panic!(
                        "{format} reader broke on mutant {i}: {problem}\ninput: {:?}",
                        String::from_utf8_lossy(&input)
                    );
                }
            }
            inputs += 1;
        }
    }
    assert!(inputs >= 3000, "only {inputs} inputs");
}
