//! The study engine: practice, spaced review, mock exams, saved progress and statistics.
//!
//! Domain code only — no terminal here. The TUI (`tui/`, `ui/`) and the CLI (`cli/`) both call
//! these functions. Time comes from an injectable [`clock::Clock`], so exam timing and
//! scheduling are testable without sleeping.

pub mod clock;
pub mod exam;
pub mod export;
pub mod pick;
pub mod practice;
pub mod progress;
pub mod records;
pub mod report;
pub mod schedule;
pub mod settings;
pub mod shuffle;
pub mod stats;
pub mod store;
