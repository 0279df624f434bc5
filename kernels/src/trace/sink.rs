//! Where recorded steps go.

use super::Step;
use serde::{Deserialize, Serialize};

/// The viewer stopped the run; the kernel should unwind (it returns `KernelError::Cancelled`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cancelled;

/// Progress through a long loop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    pub label: String,
    pub done: usize,
    pub total: usize,
}

impl Progress {
    /// Whole percent done, 0–100.
    pub fn percent(&self) -> usize {
        (self.done.min(self.total) * 100)
            .checked_div(self.total)
            .unwrap_or(100)
    }
}

/// A destination for a kernel's steps.
pub trait Sink {
    /// Receives one step. `Err(Cancelled)` asks the kernel to stop.
    fn step(&mut self, step: Step) -> Result<(), Cancelled>;

    /// Receives a progress report; the default ignores it.
    fn progress(&mut self, progress: Progress) -> Result<(), Cancelled> {
        let _ = progress;
        Ok(())
    }
}

/// Keeps every step in memory (tests, `--json`).
#[derive(Debug, Default)]
pub struct CollectSink {
    pub steps: Vec<Step>,
}

impl Sink for CollectSink {
    fn step(&mut self, step: Step) -> Result<(), Cancelled> {
        self.steps.push(step);
        Ok(())
    }
}
