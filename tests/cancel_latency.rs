//! Cancelling a run at its largest knob values: every kernel reaches a cancel point (a step or a
//! progress report) within a second of being asked to stop, wherever it is in its work.
//!
//! Timed, so it lives in the `--ignored` tier (a loaded machine stretches every gap):
//! `cargo test --release --test cancel_latency -- --ignored --nocapture`.

use eshikaku_kernels::KernelError;
use eshikaku_kernels::knobs::{KnobKind, KnobSpec};
use eshikaku_kernels::registry;
use eshikaku_kernels::trace::sink::{Cancelled, Progress, Sink};
use eshikaku_kernels::trace::{Step, Trace};
use std::time::{Duration, Instant};

/// Asks the run to stop at its first cancel point after `deadline`, and records the longest
/// time between two cancel points.
struct StopAt {
    deadline: Instant,
    last: Instant,
    longest_gap: Duration,
}

impl StopAt {
    fn visit(&mut self) -> Result<(), Cancelled> {
        let now = Instant::now();
        self.longest_gap = self.longest_gap.max(now - self.last);
        self.last = now;
        if now >= self.deadline {
            Err(Cancelled)
        } else {
            Ok(())
        }
    }
}

impl Sink for StopAt {
    fn step(&mut self, _: Step) -> Result<(), Cancelled> {
        self.visit()
    }
    fn progress(&mut self, _: Progress) -> Result<(), Cancelled> {
        self.visit()
    }
}

/// The largest value of every numeric knob (sizes, counts, iterations); other knobs default.
fn largest(spec: &KnobSpec) -> Option<String> {
    match spec.kind {
        KnobKind::Int { max, .. } => Some(format!("{}={max}", spec.name)),
        _ => None,
    }
}

#[test]
#[ignore]
fn every_kernel_stops_within_a_second_at_its_largest_knobs() {
    let run_for = Duration::from_secs(2);
    let mut slow = Vec::new();
    for info in registry::all() {
        let settings: Vec<String> = info.knobs.iter().filter_map(largest).collect();
        let knobs = match info.configure(0, &settings) {
            Ok(k) => k,
            Err(e) => panic!("{}: the largest knobs do not configure: {e}", info.id),
        };
        let start = Instant::now();
        let mut sink = StopAt {
            deadline: start + run_for,
            last: start,
            longest_gap: Duration::ZERO,
        };
        let outcome = info.run(&knobs, &mut Trace::new(&mut sink));
        let stopped = start.elapsed().saturating_sub(run_for);
        println!(
            "{:8} stopped {:>7.3} s after the request; longest gap between cancel points {:>7.3} s",
            info.id,
            stopped.as_secs_f64(),
            sink.longest_gap.as_secs_f64()
        );
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
