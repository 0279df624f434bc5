//! From-scratch reference kernels for eshikaku, the JDLA E資格 study companion.
//!
//! Each kernel is plain sequential code that records instructive steps into a
//! [`trace::Trace`] and ends with quality [`trace::Metric`]s; the app renders the trace.
//! Kernels are found through [`registry`]. This crate never prints and never touches a
//! terminal.

pub mod data;
pub mod error;
pub mod knobs;
pub mod nn;
pub mod norm;
pub mod registry;
pub mod rl;
pub mod trace;

pub use error::KernelError;
