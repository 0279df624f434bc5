//! eshikaku: a terminal study-and-exam companion for the JDLA E資格 (Deep Learning for Engineer).
//!
//! The binary is a thin wrapper around [`cli::dispatch`]; the modules are public so the
//! integration tests can drive the TUI model and render screens on a test backend.

pub mod cli;
pub mod content;
pub mod crash;
pub mod format;
pub mod study;
pub mod trace_view;
pub mod tui;
pub mod ui;
pub mod wrap;
