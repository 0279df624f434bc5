//! Concatenation along the channel axis: U-Net's skip connections (pix2pix).

use super::{Float, Params};
use ndarray::{Array4, ArrayRef4, ArrayView4, Axis, s};

/// `y = [x₁, x₂, …]` stacked along the channel axis; backward splits `dL/dy` back into the
/// pieces' channel ranges (each input receives exactly its slice of the gradient).
///
/// # Shapes
/// inputs `(N, C_i, H, W)` with equal `N, H, W`; output `(N, Σ C_i, H, W)`
#[derive(Debug, Clone, Default)]
pub struct Concat {
    channels: Vec<usize>,
}

impl Concat {
    pub fn new() -> Self {
        Self {
            channels: Vec::new(),
        }
    }

    /// # Panics
    /// If `xs` is empty or the inputs differ in `N`, `H` or `W`.
    pub fn forward<A: Float>(&mut self, xs: &[ArrayView4<'_, A>]) -> Array4<A> {
        assert!(!xs.is_empty(), "Concat: no inputs");
        self.channels = xs.iter().map(|x| x.len_of(Axis(1))).collect();
        ndarray::concatenate(Axis(1), xs)
            .unwrap_or_else(|e| panic!("Concat: inputs differ in N, H or W: {e}"))
    }

    /// Splits `(N, Σ C_i, H, W)` into the `(N, C_i, H, W)` gradients of the inputs, in order.
    ///
    /// # Panics
    /// If called before `forward`, or if `dout` has another channel count.
    pub fn backward<A: Float>(&mut self, dout: &ArrayRef4<A>) -> Vec<Array4<A>> {
        assert!(
            !self.channels.is_empty(),
            "Concat: backward called before forward"
        );
        assert_eq!(
            dout.len_of(Axis(1)),
            self.channels.iter().sum::<usize>(),
            "Concat: dout channels differ from the output"
        );
        let mut start = 0;
        self.channels
            .iter()
            .map(|&c| {
                let part = dout.slice(s![.., start..start + c, .., ..]).to_owned();
                start += c;
                part
            })
            .collect()
    }
}

impl<A: Float> Params<A> for Concat {
    /// No parameters.
    fn visit_params(&mut self, _f: &mut dyn FnMut(&mut [A], &mut [A])) {}
}
