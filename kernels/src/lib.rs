//! From-scratch reference kernels for eshikaku.
//!
//! Each kernel is plain sequential code that records instructive steps into a
//! [`trace::Trace`]; the app renders the trace. This crate never prints and never touches a
//! terminal.

pub mod nn;
