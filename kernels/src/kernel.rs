//! What a kernel is, for the registry and the app: its entry in [`KernelInfo`] (id, knobs, the
//! steps it may record, the targets its metrics must reach) and how a run is driven.
//!
//! Dependencies point one way: `nn`, `data`, `trace` below this module; every kernel imports
//! it; the registry (the list of kernels) sits on top.

use crate::KernelError;
use crate::knobs::{KnobError, KnobSpec, KnobValues};
use crate::trace::{Goal, METRICS_STEP, Metric, Report, StepDecl, Trace};

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
    /// The targets its default run must reach: the one place each threshold is written. The
    /// kernel builds those metrics with [`Goal::measure`]; tests read them from here.
    pub goals: &'static [Goal],
    /// The entry point.
    pub run: RunFn,
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
    ///
    /// A metric named like one of [`KernelInfo::goals`] must carry that goal's target or a
    /// stricter one (a short run may demand less time): anything else is a kernel bug,
    /// reported as [`KernelError::Internal`].
    pub fn run(&self, knobs: &KnobValues, tr: &mut Trace) -> Result<Report, KernelError> {
        tr.declare(self.steps);
        let metrics = (self.run)(knobs, tr)?;
        for m in &metrics {
            if let Some(goal) = self.goal(&m.name)
                && !m.target.is_some_and(|t| t.is_as_strict_as(&goal.target))
            {
                return Err(KernelError::Internal(format!(
                    "{}: metric {} has target {:?}, its goal says {}",
                    self.id, m.name, m.target, goal.target
                )));
            }
        }
        tr.step(METRICS_STEP.key, |s| {
            for m in &metrics {
                s.metric(m.clone());
            }
        })?;
        Ok(Report { metrics })
    }

    /// The declared goal of metric `name`, if it has one.
    pub fn goal(&self, name: &str) -> Option<&'static Goal> {
        self.goals.iter().find(|g| g.metric == name)
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
