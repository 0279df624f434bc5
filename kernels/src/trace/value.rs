//! The plain, serialisable values a step carries.

use super::{Histogram, Metric, Table};
use serde::{Deserialize, Serialize};

/// A step a kernel may record: its stable key and the title shown to the learner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepDecl {
    /// Stable ASCII id, e.g. `"batch_norm"`; lessons attach `step_notes` to it.
    pub key: &'static str,
    /// Japanese display title.
    pub title: &'static str,
}

impl StepDecl {
    /// The declaration of step `key`, shown as `title`.
    pub const fn new(key: &'static str, title: &'static str) -> Self {
        Self { key, title }
    }
}

/// One recorded step of a kernel run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// 0-based position in the run.
    pub index: usize,
    /// Stable id of the step (see [`StepDecl`]).
    pub key: String,
    /// Display title.
    pub title: String,
    /// What the step shows.
    pub values: Vec<Value>,
}

/// A typed value inside a step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Value {
    /// A named number.
    Scalar { name: String, value: f64 },
    /// A tensor summary.
    Tensor(TensorSummary),
    /// One point of a named curve.
    Series { name: String, x: f64, y: f64 },
    /// An image or heat map.
    Image(Image),
    /// A table of typed cells.
    Table(Table),
    /// Counts (or densities) per bin, one set per compared sample: drawn as bars.
    Histogram(Histogram),
    /// Prose.
    Text { text: String },
    /// A quality metric.
    Metric(Metric),
    /// Points in the plane, optionally with a class each (e.g. a 2-D embedding).
    Scatter(Scatter),
    /// Frames of a cart-pole episode, which the TUI animates.
    CartPole(CartPole),
}

/// Points `(x, y)` with an optional class id per point (colour), e.g. test embeddings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scatter {
    pub name: String,
    pub points: Vec<[f32; 2]>,
    /// Empty, or one class id per point.
    pub classes: Vec<u16>,
}

/// A cart-pole episode: one `[cart position x (m), pole angle θ (rad)]` per time step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CartPole {
    pub name: String,
    pub frames: Vec<[f32; 2]>,
}

/// Shape, statistics and the first values of a tensor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TensorSummary {
    pub name: String,
    pub shape: Vec<usize>,
    pub min: f64,
    pub max: f64,
    pub mean: f64,
    pub std: f64,
    /// The first [`TensorSummary::HEAD`] values in row-major order.
    pub head: Vec<f64>,
}

impl TensorSummary {
    /// How many leading values a summary keeps.
    pub const HEAD: usize = 8;

    /// Summarises `values` (row-major) of a tensor with `shape`.
    pub fn of(name: &str, shape: &[usize], values: impl Iterator<Item = f64>) -> Self {
        let (mut n, mut sum, mut sum_sq) = (0usize, 0.0, 0.0);
        let (mut min, mut max) = (f64::INFINITY, f64::NEG_INFINITY);
        let mut head = Vec::with_capacity(Self::HEAD);
        for v in values {
            if head.len() < Self::HEAD {
                head.push(v);
            }
            n += 1;
            sum += v;
            sum_sq += v * v;
            min = min.min(v);
            max = max.max(v);
        }
        let count = n.max(1) as f64;
        let mean = sum / count;
        let std = (sum_sq / count - mean * mean).max(0.0).sqrt();
        if n == 0 {
            (min, max) = (0.0, 0.0);
        }
        Self {
            name: name.to_string(),
            shape: shape.to_vec(),
            min,
            max,
            mean,
            std,
            head,
        }
    }
}

/// How an image's values map to colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Palette {
    /// Dark (low) to light (high), e.g. a digit.
    Gray,
    /// Blue–red heat map, e.g. Grad-CAM.
    Heat,
    /// Negative blue, zero white, positive red, e.g. an attribution.
    Diverging,
    /// Small integers as distinct colours, e.g. a group or class id.
    Categorical,
}

/// A row-major `height × width` picture with a palette hint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Image {
    pub name: String,
    pub width: usize,
    pub height: usize,
    pub palette: Palette,
    /// `height * width` values, row-major.
    pub data: Vec<f32>,
}
