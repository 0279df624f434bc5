//! The floating-point element type the layers are generic over.
//!
//! Training runs in `f32` for speed; gradient checks run the same code in `f64` so finite
//! differences are precise.

use ndarray::{LinalgScalar, ScalarOperand};
use num_traits::{Float as NumFloat, FromPrimitive, NumAssign};
use std::fmt::{Debug, Display};
use std::iter::Sum;

/// A real number type usable in every layer (`f32` or `f64`).
pub trait Float:
    NumFloat
    + NumAssign
    + FromPrimitive
    + LinalgScalar
    + ScalarOperand
    + Sum
    + Debug
    + Display
    + Default
    + Send
    + Sync
    + 'static
{
    /// Converts a literal (`Float::lit(1e-5)`); every `f64` maps to some value of `Self`.
    fn lit(x: f64) -> Self;

    /// A count as a number (`1/n` for means); exact for any count a layer can hold.
    fn count(n: usize) -> Self {
        Self::lit(n as f64)
    }
}

impl Float for f32 {
    fn lit(x: f64) -> Self {
        x as f32
    }
}

impl Float for f64 {
    fn lit(x: f64) -> Self {
        x
    }
}
