//! Golden files shared by the data-driven tests: a rendering is compared with `<case>.expected`, or written
//! there when `UPDATE_EXPECT` is set.

use std::fs;
use std::path::Path;

#[derive(Default)]
pub struct Golden {
    update: bool,
    failures: Vec<String>,
}

impl Golden {
    pub fn new() -> Self {
        Golden {
            update: std::env::var_os("UPDATE_EXPECT").is_some(),
            failures: Vec::new(),
        }
    }

    /// Compares `rendered` with the `.expected` file beside `case` (or rewrites it).
    pub fn check(&mut self, case: &Path, rendered: &str) {
        let expected_path = case.with_extension("expected");
        if self.update {
            fs::write(&expected_path, rendered).unwrap();
            return;
        }
        let expected = fs::read_to_string(&expected_path).unwrap_or_default();
        if expected != rendered {
            self.failures.push(format!(
                "{}:\n--- expected\n{expected}\n--- got\n{rendered}",
                case.display()
            ));
        }
    }

    /// Fails with every case that differed.
    pub fn finish(self) {
        assert!(
            self.failures.is_empty(),
            "{} case(s) differ (UPDATE_EXPECT=1 to rewrite):\n{}",
            self.failures.len(),
            self.failures.join("\n")
        );
    }
}
