//! Histograms: values per bin, one named set per compared sample. Viewers draw them as bars
//! (the TUI as a `BarChart`, the CLI as text bars), decided by this kind, not by a name.

use serde::{Deserialize, Serialize};

/// `bins.len()` bins, each with one value per set in `sets` (e.g. the counts of real and of
/// generated samples whose `D(x)` falls in the bin).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Histogram {
    pub name: String,
    /// What the bins measure, e.g. `"D の出力"`.
    pub axis: String,
    /// Each bin's label, e.g. `"0.1–0.2"`.
    pub bins: Vec<String>,
    /// The compared samples, each with `bins.len()` values.
    pub sets: Vec<BinValues>,
}

/// One sample's value (a count or a density, `≥ 0`) per bin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BinValues {
    pub label: String,
    pub values: Vec<f64>,
}

impl Histogram {
    /// A histogram named `name` over bins labelled `bins`, measuring `axis`; add samples with
    /// [`Histogram::set`].
    pub fn new(
        name: impl Into<String>,
        axis: impl Into<String>,
        bins: impl IntoIterator<Item = String>,
    ) -> Self {
        Self {
            name: name.into(),
            axis: axis.into(),
            bins: bins.into_iter().collect(),
            sets: Vec::new(),
        }
    }

    /// Adds the values per bin of one sample named `label`.
    pub fn set(mut self, label: impl Into<String>, values: impl IntoIterator<Item = f64>) -> Self {
        self.sets.push(BinValues {
            label: label.into(),
            values: values.into_iter().collect(),
        });
        self
    }

    /// The largest finite value over every set (0 when there is none).
    pub fn max(&self) -> f64 {
        self.sets
            .iter()
            .flat_map(|s| &s.values)
            .copied()
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max)
    }
}
