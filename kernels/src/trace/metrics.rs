//! Metrics: the named quality measures a run ends with, their targets, and the final step
//! that shows them.

use super::StepDecl;
use serde::{Deserialize, Serialize};

/// The key of the step every run ends with: all its metrics.
pub const METRICS_STEP: StepDecl = StepDecl::new("metrics", "結果 (metrics)");

/// The comparison a metric's target uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Op {
    /// The value must be at least the target.
    #[serde(rename = ">=")]
    AtLeast,
    /// The value must be at most the target.
    #[serde(rename = "<=")]
    AtMost,
}

/// What a metric must reach.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Target {
    pub op: Op,
    pub value: f64,
}

impl Target {
    /// Whether every value that meets `self` also meets `other` (same direction, same or
    /// tighter bound).
    pub fn is_as_strict_as(&self, other: &Target) -> bool {
        self.op == other.op && other.met_by(self.value)
    }

    /// Whether `value` meets the target (NaN never does).
    pub fn met_by(&self, value: f64) -> bool {
        match self.op {
            Op::AtLeast => value >= self.value,
            Op::AtMost => value <= self.value,
        }
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let op = match self.op {
            Op::AtLeast => "≥",
            Op::AtMost => "≤",
        };
        write!(f, "{op} {}", super::fmt_num(self.value))
    }
}

/// A named quality measure of a run; `pass` is decided by `target` (always true without one).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metric {
    pub name: String,
    pub value: f64,
    pub target: Option<Target>,
    pub pass: bool,
}

impl Metric {
    /// A metric that must be at least `min`.
    pub fn at_least(name: &str, value: f64, min: f64) -> Self {
        Self::with_target(
            name,
            value,
            Some(Target {
                op: Op::AtLeast,
                value: min,
            }),
        )
    }

    /// A metric that must be at most `max`.
    pub fn at_most(name: &str, value: f64, max: f64) -> Self {
        Self::with_target(
            name,
            value,
            Some(Target {
                op: Op::AtMost,
                value: max,
            }),
        )
    }

    /// A number reported for comparison, with no target.
    pub fn reported(name: &str, value: f64) -> Self {
        Self::with_target(name, value, None)
    }

    fn with_target(name: &str, value: f64, target: Option<Target>) -> Self {
        let pass = target.is_none_or(|t| t.met_by(value));
        Self {
            name: name.to_string(),
            value,
            target,
            pass,
        }
    }
}

/// A metric's declared target, written once in the kernel's registry entry; the kernel builds
/// the metric with [`Goal::measure`] and the tests read the same goal.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Goal {
    /// The metric's name, e.g. `"test_accuracy"`.
    pub metric: &'static str,
    pub target: Target,
}

impl Goal {
    /// `metric` must be at least `min`.
    pub const fn at_least(metric: &'static str, min: f64) -> Self {
        Self {
            metric,
            target: Target {
                op: Op::AtLeast,
                value: min,
            },
        }
    }

    /// `metric` must be at most `max`.
    pub const fn at_most(metric: &'static str, max: f64) -> Self {
        Self {
            metric,
            target: Target {
                op: Op::AtMost,
                value: max,
            },
        }
    }

    /// The metric with this goal's name and target and the measured `value`.
    pub fn measure(&self, value: f64) -> Metric {
        Metric::with_target(self.metric, value, Some(self.target))
    }

    /// The same target for a metric whose name depends on the run (e.g. on a variant knob).
    pub fn measure_as(&self, name: &str, value: f64) -> Metric {
        Metric::with_target(name, value, Some(self.target))
    }
}

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
