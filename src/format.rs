//! Number formatting shared by the CLI, the TUI and snapshots (tables and other values are
//! described once in [`crate::trace_view`]).

/// 4 significant digits, `-0` as `0` (the kernels crate defines the rule).
pub use eshikaku_kernels::trace::fmt_num as num;
