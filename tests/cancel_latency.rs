//! Cancelling a run at its largest knob values: every kernel reaches a cancel point (a step or a
//! progress report) within a second of being asked to stop, wherever it is in its work.
//!
//! Timed, so it lives in the `--ignored` tier (a loaded machine stretches every gap):
//! `cargo test --release --test cancel_latency -- --ignored --nocapture`.

use eshikaku_kernels::KernelError;
use eshikaku_kernels::kernel::KernelInfo;
use eshikaku_kernels::knobs::{KnobKind, KnobSpec};
use eshikaku_kernels::registry;
use eshikaku_kernels::trace::Report;
use eshikaku_kernels::trace::sink::{Cancelled, Progress, Sink};
use eshikaku_kernels::trace::{Step, Trace};
use std::time::{Duration, Instant};

/// Asks the run to stop at its first cancel point after `deadline`, and records the longest
/// time between two cancel points.
struct StopAt {
    deadline: Instant,
    last: Instant,
    last_at: String,
    longest_gap: Duration,
    /// The cancel points before and after the longest gap (a step key or a progress label).
    longest_between: (String, String),
}

impl StopAt {
    fn visit(&mut self, at: String) -> Result<(), Cancelled> {
        let now = Instant::now();
        if now - self.last > self.longest_gap {
            self.longest_gap = now - self.last;
            self.longest_between = (self.last_at.clone(), at.clone());
        }
        self.last = now;
        self.last_at = at;
        if now >= self.deadline {
            Err(Cancelled)
        } else {
            Ok(())
        }
    }
}

impl Sink for StopAt {
    fn step(&mut self, step: Step) -> Result<(), Cancelled> {
        self.visit(format!("step {}", step.key))
    }
    fn progress(&mut self, p: Progress) -> Result<(), Cancelled> {
        self.visit(format!("{} {}/{}", p.label, p.done, p.total))
    }
}

/// The largest value of every numeric knob (sizes, counts, iterations); other knobs default.
fn largest(spec: &KnobSpec) -> Option<String> {
    match spec.kind {
        KnobKind::Int { max, .. } => Some(format!("{}={max}", spec.name)),
        _ => None,
    }
}

/// Runs `info` with `settings`, asks it to stop after `run_for`, prints what happened, and
/// returns the run's outcome and how long it took to stop after the request.
fn cancel_after(
    info: &KernelInfo,
    settings: &[String],
    run_for: Duration,
    what: &str,
) -> (Result<Report, KernelError>, Duration) {
    let knobs = match info.configure(0, settings) {
        Ok(k) => k,
        Err(e) => panic!("{}: the {what} do not configure: {e}", info.id),
    };
    let start = Instant::now();
    let mut sink = StopAt {
        deadline: start + run_for,
        last: start,
        last_at: "start".into(),
        longest_gap: Duration::ZERO,
        longest_between: Default::default(),
    };
    let outcome = info.run(&knobs, &mut Trace::new(&mut sink));
    let stopped = start.elapsed().saturating_sub(run_for);
    println!(
        "{:8} {what}: stopped {:>7.3} s after the request; longest gap between cancel points \
         {:>7.3} s ({} → {})",
        info.id,
        stopped.as_secs_f64(),
        sink.longest_gap.as_secs_f64(),
        sink.longest_between.0,
        sink.longest_between.1,
    );
    (outcome, stopped)
}

#[test]
#[ignore]
fn every_kernel_stops_within_a_second_at_its_largest_knobs() {
    let run_for = Duration::from_secs(2);
    let mut slow = Vec::new();
    for info in registry::all() {
        let settings: Vec<String> = info.knobs.iter().filter_map(largest).collect();
        let (mut outcome, mut stopped) = cancel_after(info, &settings, run_for, "largest knobs");
        if let Err(KernelError::InvalidConfig(e)) = &outcome {
            // Refused before any work (e.g. maml's memory cap): cancel a default run instead,
            // so that the kernel's cancel points are still exercised.
            println!("{:8} largest knobs refused: {e}", info.id);
            (outcome, stopped) = cancel_after(info, &[], run_for, "default knobs");
        }
        let finished_early = !matches!(outcome, Err(KernelError::Cancelled));
        if let Err(e) = &outcome
            && finished_early
        {
            println!("{:8} ended before the request: {e}", info.id);
        }
        if !finished_early && stopped > Duration::from_secs(1) {
            slow.push(format!("{} took {stopped:?}", info.id));
        }
    }
    assert!(slow.is_empty(), "slow to cancel: {slow:?}");
}
