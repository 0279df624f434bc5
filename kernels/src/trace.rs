//! The trace: how a kernel shows its work, step by step.
//!
//! A kernel is plain sequential code. At instructive points it records a [`Step`]:
//!
//! ```
//! # use eshikaku_kernels::trace::{CollectSink, Trace};
//! # let mut sink = CollectSink::default();
//! # let mut tr = Trace::new(&mut sink);
//! tr.step("discriminator_update", |s| {
//!     s.scalar("loss_d", 0.69);
//!     s.series("loss", 1.0, 0.69);
//! })?;
//! # Ok::<(), eshikaku_kernels::KernelError>(())
//! ```
//!
//! Where the step goes depends on the [`Sink`]: a [`CollectSink`] keeps every step (tests,
//! `--json`), a [`ChannelSink`] sends it to the TUI and, in step mode, blocks until the
//! learner asks for the next one — so the kernel never has to be written as a state machine.

mod channel;
mod histogram;
mod metrics;
mod number;
pub mod sink;
mod summary;
mod table;
mod value;
mod worker;

pub use channel::{ChannelSink, Control, Event};
pub use histogram::{BinValues, Histogram};
pub use metrics::{Goal, METRICS_STEP, Metric, Op, Report, Target};
pub use number::fmt_num;
pub use sink::{CollectSink, Progress, Sink};
pub use summary::{snap_num, summarize};
pub use table::{Cell, Rows, Table};
pub use value::{CartPole, Image, Palette, Scatter, Step, StepDecl, TensorSummary, Value};
pub use worker::{Handoff, WorkerSink};

use crate::KernelError;
use ndarray::{ArrayBase, Data, Dimension};

/// The handle a kernel records into. Cheap to pass by `&mut`.
pub struct Trace<'s> {
    sink: &'s mut dyn Sink,
    decls: &'static [StepDecl],
    next_index: usize,
    /// When [`Trace::progress`] last reached the sink.
    last_progress: Option<std::time::Instant>,
}

/// How often [`Trace::progress`] reaches the sink at most (it always does at the end of a loop).
/// Kernels call it every iteration; this keeps that cheap while a cancelled run still notices
/// within this time plus one iteration.
pub const PROGRESS_INTERVAL: std::time::Duration = std::time::Duration::from_millis(20);

impl<'s> Trace<'s> {
    /// A trace that sends every step to `sink`.
    pub fn new(sink: &'s mut dyn Sink) -> Self {
        Self {
            sink,
            decls: &[],
            next_index: 0,
            last_progress: None,
        }
    }

    /// Sets the kernel's declared steps, which give each step its display title. Once steps are
    /// declared (as `KernelInfo::run` always does), recording a key that is
    /// neither declared nor [`METRICS_STEP`] is an error ([`KernelError::Internal`]); a trace
    /// with no declarations titles each step by its key.
    pub fn declare(&mut self, decls: &'static [StepDecl]) {
        self.decls = decls;
    }

    /// Records one step: `key` is a stable ASCII id (lessons attach notes to it), `fill`
    /// adds the values. Returns `KernelError::Cancelled` if the viewer stopped the run and
    /// `KernelError::Internal` if `key` was not declared (see [`Trace::declare`]).
    pub fn step(
        &mut self,
        key: &str,
        fill: impl FnOnce(&mut StepBuilder),
    ) -> Result<(), KernelError> {
        let title = if self.decls.is_empty() {
            key.to_string() // a free-form trace (tests, tools): nothing was declared
        } else {
            self.decls
                .iter()
                .chain(std::iter::once(&METRICS_STEP))
                .find(|d| d.key == key)
                .map(|d| d.title.to_string())
                .ok_or_else(|| KernelError::Internal(format!("step {key:?} is not declared")))?
        };
        let mut builder = StepBuilder { values: Vec::new() };
        fill(&mut builder);
        let step = Step {
            index: self.next_index,
            key: key.to_string(),
            title,
            values: builder.values,
        };
        self.next_index += 1;
        self.sink.step(step).map_err(|_| KernelError::Cancelled)
    }

    /// Reports progress through a long loop (`done` of `total`); call it every iteration. It
    /// reaches the sink at most every [`PROGRESS_INTERVAL`] (and at `done == total`), and that
    /// is where a running kernel notices that it was cancelled.
    pub fn progress(&mut self, label: &str, done: usize, total: usize) -> Result<(), KernelError> {
        let now = std::time::Instant::now();
        let due = self
            .last_progress
            .is_none_or(|last| now.duration_since(last) >= PROGRESS_INTERVAL);
        if !due && done < total {
            return Ok(());
        }
        self.last_progress = Some(now);
        self.sink
            .progress(Progress {
                label: label.to_string(),
                done,
                total,
            })
            .map_err(|_| KernelError::Cancelled)
    }

    /// Records a step that another trace recorded (a worker thread's, see [`WorkerSink`]),
    /// renumbered to follow this trace's steps.
    pub fn replay(&mut self, mut step: Step) -> Result<(), KernelError> {
        step.index = self.next_index;
        self.next_index += 1;
        self.sink.step(step).map_err(|_| KernelError::Cancelled)
    }

    /// Number of steps recorded so far.
    pub fn steps_recorded(&self) -> usize {
        self.next_index
    }
}

/// Collects the values of one step; see [`Trace::step`].
pub struct StepBuilder {
    values: Vec<Value>,
}

impl StepBuilder {
    /// A named number.
    pub fn scalar(&mut self, name: &str, value: f64) -> &mut Self {
        self.values.push(Value::Scalar {
            name: name.to_string(),
            value,
        });
        self
    }

    /// A tensor, shown as its shape, summary statistics and first few values.
    pub fn tensor<S, D>(&mut self, name: &str, a: &ArrayBase<S, D>) -> &mut Self
    where
        S: Data,
        S::Elem: Copy + Into<f64>,
        D: Dimension,
    {
        self.values.push(Value::Tensor(TensorSummary::of(
            name,
            a.shape(),
            a.iter().map(|&x| x.into()),
        )));
        self
    }

    /// One point `(x, y)` of a curve named `name`; the viewer joins points across steps.
    pub fn series(&mut self, name: &str, x: f64, y: f64) -> &mut Self {
        self.values.push(Value::Series {
            name: name.to_string(),
            x,
            y,
        });
        self
    }

    /// An image or heat map (row-major `height × width`), drawn with `palette`.
    pub fn image(&mut self, image: Image) -> &mut Self {
        self.values.push(Value::Image(image));
        self
    }

    /// A table of typed cells (see [`Table::row`]).
    pub fn table(&mut self, table: Table) -> &mut Self {
        self.values.push(Value::Table(table));
        self
    }

    /// Values per bin, drawn as bars.
    pub fn histogram(&mut self, histogram: Histogram) -> &mut Self {
        self.values.push(Value::Histogram(histogram));
        self
    }

    /// An explanation in prose.
    pub fn text(&mut self, text: impl Into<String>) -> &mut Self {
        self.values.push(Value::Text { text: text.into() });
        self
    }

    /// Points in the plane; `classes` is empty or has one class id per point.
    pub fn scatter(&mut self, name: &str, points: Vec<[f32; 2]>, classes: Vec<u16>) -> &mut Self {
        self.values.push(Value::Scatter(Scatter {
            name: name.to_string(),
            points,
            classes,
        }));
        self
    }

    /// A cart-pole episode, one `[x, θ]` per time step, for the viewer to animate.
    pub fn cartpole(&mut self, name: &str, frames: Vec<[f32; 2]>) -> &mut Self {
        self.values.push(Value::CartPole(CartPole {
            name: name.to_string(),
            frames,
        }));
        self
    }

    /// A quality metric with its target.
    pub fn metric(&mut self, metric: Metric) -> &mut Self {
        self.values.push(Value::Metric(metric));
        self
    }
}
