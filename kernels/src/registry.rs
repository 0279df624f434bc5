//! The kernel registry: the only way the app finds kernels.

use crate::KernelError;
use crate::knobs::{KnobError, KnobSpec, KnobValues};
use crate::trace::{Metric, StepDecl, Trace};
use serde::{Deserialize, Serialize};

/// A kernel's entry point: validated knobs in, metrics out, steps recorded on the way.
pub type RunFn = fn(&KnobValues, &mut Trace) -> Result<Vec<Metric>, KernelError>;

/// What the registry knows about one kernel.
#[derive(Debug, Clone, Copy)]
pub struct KernelInfo {
    /// Stable id used by lessons and the CLI, e.g. `"norm"`.
    pub id: &'static str,
    /// Japanese title.
    pub title: &'static str,
    /// One-sentence Japanese summary.
    pub summary: &'static str,
    /// The kernel's main source file, relative to `kernels/src/` (shown to learners).
    pub source: &'static str,
    /// Its knobs, with defaults and ranges.
    pub knobs: &'static [KnobSpec],
    /// Every step it may record, in the order it usually records them.
    pub steps: &'static [StepDecl],
    /// The entry point.
    pub run: RunFn,
}

/// The key of the step the registry appends with the final metrics.
pub const METRICS_STEP: StepDecl = StepDecl {
    key: "metrics",
    title: "結果 (metrics)",
};

/// The outcome of a run: its quality metrics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub metrics: Vec<Metric>,
}

impl Report {
    /// Whether every metric reached its target.
    pub fn passed(&self) -> bool {
        self.metrics.iter().all(|m| m.pass)
    }

    /// The metric named `name`, if any.
    pub fn metric(&self, name: &str) -> Option<&Metric> {
        self.metrics.iter().find(|m| m.name == name)
    }
}

impl KernelInfo {
    /// Validates `name=value` settings against this kernel's knobs.
    pub fn configure<S: AsRef<str>>(
        &self,
        seed: u64,
        settings: &[S],
    ) -> Result<KnobValues, KnobError> {
        KnobValues::from_settings(self.id, self.knobs, seed, settings)
    }

    /// Runs the kernel; the last step recorded is [`METRICS_STEP`] with every metric.
    pub fn run(&self, knobs: &KnobValues, tr: &mut Trace) -> Result<Report, KernelError> {
        tr.declare(self.steps);
        let metrics = (self.run)(knobs, tr)?;
        tr.step(METRICS_STEP.key, |s| {
            for m in &metrics {
                s.metric(m.clone());
            }
        })?;
        Ok(Report { metrics })
    }

    /// The title of step `key`.
    pub fn step_title(&self, key: &str) -> Option<&'static str> {
        self.steps
            .iter()
            .chain(std::iter::once(&METRICS_STEP))
            .find(|d| d.key == key)
            .map(|d| d.title)
    }
}

/// Every kernel, in teaching order.
pub fn all() -> &'static [KernelInfo] {
    KERNELS
}

/// The kernel with id `id`.
pub fn find(id: &str) -> Option<&'static KernelInfo> {
    KERNELS.iter().find(|k| k.id == id)
}

const KERNELS: &[KernelInfo] = &[
    crate::gan::KERNEL,
    crate::dcgan::KERNEL,
    crate::cgan::KERNEL,
    crate::pix2pix::KERNEL,
    crate::rl::a2c::KERNEL,
    crate::rl::a3c::KERNEL,
    crate::metric::siamese::KERNEL,
    crate::metric::triplet::KERNEL,
    crate::maml::KERNEL,
    crate::gcn::KERNEL,
    crate::xai::cam::KERNEL,
    crate::xai::lime::KERNEL,
    crate::xai::shap::KERNEL,
    crate::docker::KERNEL,
    crate::norm::KERNEL,
];
