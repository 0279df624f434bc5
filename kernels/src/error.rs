//! The one error type every kernel returns.

use crate::nn::NnError;
use std::fmt;

/// Why a kernel run stopped without a report.
#[derive(Debug, Clone, PartialEq)]
pub enum KernelError {
    /// A value became NaN or infinite.
    Diverged {
        /// What went bad, e.g. `"loss"`.
        what: String,
        /// The training step (iteration) where it happened.
        step: usize,
        /// What the learner can change, e.g. `"try a lower learning rate"`.
        hint: String,
    },
    /// The knobs are individually valid but do not fit together.
    InvalidConfig(String),
    /// The viewer stopped the run.
    Cancelled,
    /// A bug in the kernel itself, e.g. a step recorded under an undeclared key.
    Internal(String),
}

/// A cancel point inside a long computation: called between pieces of work, it returns an
/// error (normally [`KernelError::Cancelled`]) when the run should stop, and the computation
/// returns that error at once. A trace's `progress` makes one (`&mut || tr.progress(…)`), a
/// worker thread one that reads a shared stop flag; `&mut || Ok(())` never stops.
pub type CancelPoint<'a> = dyn FnMut() -> Result<(), KernelError> + 'a;

impl KernelError {
    /// `Ok(())` if `value` is finite, otherwise [`KernelError::Diverged`].
    pub fn check_finite(what: &str, value: f64, step: usize, hint: &str) -> Result<(), Self> {
        if value.is_finite() {
            Ok(())
        } else {
            Err(Self::Diverged {
                what: format!(
                    "{what} became {}",
                    if value.is_nan() { "NaN" } else { "infinite" }
                ),
                step,
                hint: hint.to_string(),
            })
        }
    }
}

impl fmt::Display for KernelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Diverged { what, step, hint } => write!(f, "{what} at step {step} — {hint}"),
            Self::InvalidConfig(msg) => write!(f, "invalid configuration: {msg}"),
            Self::Cancelled => f.write_str("run cancelled"),
            Self::Internal(msg) => write!(f, "kernel bug: {msg}"),
        }
    }
}

impl std::error::Error for KernelError {}

/// A layer that refused its shape or hyper-parameters: the knobs do not fit together.
impl From<NnError> for KernelError {
    fn from(e: NnError) -> Self {
        Self::InvalidConfig(e.to_string())
    }
}
