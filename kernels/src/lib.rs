//! From-scratch reference kernels for eshikaku, the JDLA E資格 study companion.
//!
//! Each kernel is plain sequential code that records instructive steps into a
//! [`trace::Trace`] and ends with quality [`trace::Metric`]s; the app renders the trace.
//! Kernels are found through [`registry`]. This crate never prints and never touches a
//! terminal.

pub mod cgan;
pub mod data;
pub mod dcgan;
pub mod docker;
pub mod error;
pub mod gan;
pub mod gan_util;
pub mod gcn;
pub mod judge;
pub mod knobs;
pub mod maml;
pub mod metric;
pub mod nn;
pub mod norm;
pub mod pix2pix;
pub mod registry;
pub mod rl;
pub mod trace;
pub mod xai;

pub use error::KernelError;
