//! Progress bars on stderr; hidden when stderr is not a terminal.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use spector_pipeline::Progress;

pub struct Bar {
    bar: std::cell::RefCell<Option<ProgressBar>>,
}

impl Bar {
    pub fn new() -> Self {
        Bar {
            bar: std::cell::RefCell::new(None),
        }
    }
}

impl Progress for Bar {
    fn begin(&self, step: &str, total: Option<u64>) {
        let bar = match total {
            Some(n) => ProgressBar::new(n).with_style(
                ProgressStyle::with_template(
                    "{msg:40!} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            ),
            None => ProgressBar::new_spinner(),
        };
        bar.set_message(step.to_string());
        bar.enable_steady_tick(Duration::from_millis(120));
        if let Some(old) = self.bar.replace(Some(bar)) {
            old.finish_and_clear();
        }
    }
    fn begin_items(&self, step: &str, total: u64) {
        let bar = ProgressBar::new(total).with_style(
            ProgressStyle::with_template("{msg:40!} [{bar:30}] {pos}/{len} {per_sec} eta {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.set_message(step.to_string());
        bar.enable_steady_tick(Duration::from_millis(120));
        if let Some(old) = self.bar.replace(Some(bar)) {
            old.finish_and_clear();
        }
    }
    fn set(&self, done: u64) {
        if let Some(b) = self.bar.borrow().as_ref() {
            b.set_position(done);
        }
    }
    fn end(&self) {
        if let Some(b) = self.bar.take() {
            b.finish_and_clear();
        }
    }
}
