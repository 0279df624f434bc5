//! Neural-network building blocks with explicit `forward` / `backward`.
//!
//! Written in the spirit of ゼロから作るDeep Learning `common/layers.py`: every layer is a plain
//! struct, `forward` caches what `backward` needs, and `backward` takes the upstream gradient
//! `dL/dy` and returns `dL/dx`. There is no autodiff: each file shows its maths.
//!
//! # Conventions
//!
//! - **Element type.** Layers are generic over [`Float`] (`f32` or `f64`): kernels train in `f32`,
//!   the gradient checks run the very same code in `f64`.
//! - **Shapes.** Images are `(N, C, H, W)` ([`ndarray::Array4`]), feature batches `(N, D)`
//!   ([`ndarray::Array2`]). Element-wise layers accept any dimension. Inputs are taken as
//!   `&ArrayRef<A, D>`, so both owned arrays and views can be passed.
//! - **Parameters** are public fields named as in the textbook (`w`, `b`, `gamma`, `beta`) with
//!   their gradients beside them (`dw`, `db`, `dgamma`, `dbeta`), same shapes.
//! - **Parameter gradients accumulate**: `backward` *adds* into `dw`, `db`, …, so a layer whose
//!   weights are shared (DCGAN's discriminator run on a real and on a fake batch, the two towers
//!   of a Siamese net) gets the sum of both contributions. Call [`Params::zero_grad`] before each
//!   optimisation step. Input gradients are returned, never accumulated.
//! - **One cache per layer.** `backward` uses what the *most recent* `forward` cached, so passes
//!   through a shared layer come in pairs: `forward(a)`, `backward(da)`, `forward(b)`,
//!   `backward(db)` (DCGAN's real and fake batches). When both outputs are needed before either
//!   gradient is known (a Siamese pair feeding one contrastive loss), stack the two inputs into
//!   one batch, run the layer once and split the result (with BatchNorm this also shares the
//!   batch statistics, as running the towers on one batch in PyTorch would).
//! - **Visiting parameters.** Every layer implements [`Params`], which calls a closure on each
//!   `(parameter, gradient)` pair as flat slices in a fixed order. Optimisers
//!   ([`optim`]), gradient clipping and [`gradcheck`] work on anything implementing it; a model
//!   implements it by visiting its layers in order.
//! - **Train / eval.** Layers that behave differently (`BatchNorm2d`, `Dropout`) have a public
//!   `training: bool` and `train()` / `eval()` methods. New layers start in training mode.
//! - **Errors.** Constructors validate knob values (channel counts, group counts, probabilities,
//!   kernel sizes) and return `Result<_, NnError>`; a bad knob is never a panic.
//!   `forward` / `backward` panic only on a contract violation by the calling code (an input
//!   shape that disagrees with the layer, `backward` before `forward`); each says so under
//!   `# Panics`. Layers whose output size depends on the input size offer an `output_size`
//!   method returning `Result`, so a kernel can validate its config before running.
//! - **Weight layouts.** [`Linear`] stores `W (in, out)` as the textbook (`y = xW + b`);
//!   [`Conv2d`] `(C_out, C_in, k, k)` and [`ConvTranspose2d`] `(C_in, C_out, k, k)` as PyTorch.
//! - **Losses** are functions returning `(loss, dL/dprediction)`, averaged like PyTorch's
//!   `reduction = "mean"` ([`loss`]).
//! - **Relative error**, used by the gradient checks and the golden tests, is
//!   `max|a − b| / max(max|b|, tiny)` per array, with `b` the reference.
//!
//! # Map
//!
//! [`linear`], [`conv`] and [`conv_transpose`] (sharing the private `im2col` module, and
//! `windows` for small maps), [`norm`]
//! (BatchNorm2d, LayerNorm, InstanceNorm2d, GroupNorm), [`activation`], [`dropout`], [`pool`],
//! [`concat`](mod@concat), [`loss`], [`optim`], [`init`], [`gradcheck`], and [`params`] for the visiting
//! trait.

pub mod activation;
pub mod concat;
pub mod conv;
pub mod conv_transpose;
pub mod dropout;
pub mod float;
pub mod gemm;
pub mod gradcheck;
mod im2col;
pub mod init;
pub mod linear;
pub mod loss;
pub mod norm;
pub mod optim;
pub mod params;
pub mod pool;
mod pool_tiles;
mod windows;

pub use activation::{LeakyReLU, ReLU, Sigmoid, Softmax, Tanh};
pub use concat::Concat;
pub use conv::Conv2d;
pub use conv_transpose::ConvTranspose2d;
pub use dropout::Dropout;
pub use float::Float;
pub use linear::Linear;
pub use norm::{BatchNorm2d, GroupNorm, InstanceNorm2d, LayerNorm};
pub use optim::{Adam, RmsProp, Sgd, clip_grad_norm};
pub use params::Params;
pub use pool::{AvgPool2d, GlobalAvgPool, MaxPool2d};

use std::fmt;

/// A knob value a layer cannot work with. Returned by constructors and `output_size` methods.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NnError {
    /// A size or count that must be positive was zero (`what` names the knob).
    Zero {
        layer: &'static str,
        what: &'static str,
    },
    /// `GroupNorm`'s group count does not divide the channel count.
    GroupsDoNotDivideChannels { groups: usize, channels: usize },
    /// A probability outside its valid range (e.g. dropout `p` must be in `[0, 1)`).
    Probability { layer: &'static str, p: String },
    /// The (padded) input is smaller than the kernel, so there is no output position.
    InputTooSmall {
        layer: &'static str,
        input: (usize, usize),
        kernel: (usize, usize),
        padding: usize,
    },
    /// Any other invalid setting, explained in words.
    Invalid { layer: &'static str, reason: String },
}

impl fmt::Display for NnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NnError::Zero { layer, what } => write!(f, "{layer}: {what} must be at least 1"),
            NnError::GroupsDoNotDivideChannels { groups, channels } => write!(
                f,
                "GroupNorm: {groups} groups do not divide {channels} channels; \
                 choose a group count that divides the channel count"
            ),
            NnError::Probability { layer, p } => {
                write!(f, "{layer}: probability {p} must be in [0, 1)")
            }
            NnError::InputTooSmall {
                layer,
                input,
                kernel,
                padding,
            } => write!(
                f,
                "{layer}: input {}x{} with padding {padding} is smaller than kernel {}x{}",
                input.0, input.1, kernel.0, kernel.1
            ),
            NnError::Invalid { layer, reason } => write!(f, "{layer}: {reason}"),
        }
    }
}

impl std::error::Error for NnError {}
