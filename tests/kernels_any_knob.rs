//! Kernels under any knob value: out-of-range values are rejected before running, naming the
//! valid range; random in-range values never panic (each run is cut short by its sink after a
//! budget of work); and a run cancelled from the TUI at any step ends promptly.

use eshikaku::tui::runner::{KernelRun, RunState};
use eshikaku_kernels::KernelError;
use eshikaku_kernels::knobs::{KnobKind, KnobSpec};
use eshikaku_kernels::registry;
use eshikaku_kernels::trace::sink::{Cancelled, Progress, Sink};
use eshikaku_kernels::trace::{Control, Event, Step, Trace};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::time::{Duration, Instant};

/// Values outside `spec`'s range (or of the wrong type), as text.
fn out_of_range(spec: &KnobSpec, rng: &mut StdRng) -> Vec<String> {
    match spec.kind {
        KnobKind::Int { min, max, .. } => vec![
            (min - 1).to_string(),
            (max + 1).to_string(),
            (max + rng.random_range(2..1_000_000)).to_string(),
            "1.5".into(),
            "".into(),
        ],
        KnobKind::Float { min, max, .. } => {
            let span = (max - min).abs().max(1e-6);
            vec![
                (min - span * rng.random_range(0.01..10.0)).to_string(),
                (max + span * rng.random_range(0.01..10.0)).to_string(),
                "NaN".into(),
                "inf".into(),
                "-inf".into(),
                "x".into(),
            ]
        }
        KnobKind::Bool { .. } => vec!["maybe".into(), "2".into()],
        KnobKind::Choice { .. } => vec!["no-such-option".into(), "".into()],
        // Any text is a valid text knob; what it names is checked when the kernel runs.
        KnobKind::Text { .. } => Vec::new(),
    }
}

/// A random valid value of `spec`, as text; the ends of the range come up often.
fn in_range(spec: &KnobSpec, rng: &mut StdRng) -> String {
    let edge = rng.random_range(0..4);
    match spec.kind {
        KnobKind::Int { min, max, .. } => match edge {
            0 => min.to_string(),
            1 => max.to_string(),
            _ => rng.random_range(min..=max).to_string(),
        },
        KnobKind::Float { min, max, .. } => match edge {
            0 => min.to_string(),
            1 => max.to_string(),
            _ => rng.random_range(min..=max).to_string(),
        },
        KnobKind::Bool { .. } => rng.random_bool(0.5).to_string(),
        KnobKind::Choice { options, .. } => options[rng.random_range(0..options.len())].into(),
        KnobKind::Text { default } => match edge {
            0 => "no/such/Dockerfile".into(),
            _ => default.into(),
        },
    }
}

#[test]
fn out_of_range_knobs_are_rejected_with_the_valid_range() {
    let mut rng = StdRng::seed_from_u64(15);
    let mut checked = 0;
    for info in registry::all() {
        for spec in info.knobs {
            for bad in out_of_range(spec, &mut rng) {
                let setting = format!("{}={bad}", spec.name);
                let err = info
                    .configure(0, &[setting.as_str()])
                    .expect_err(&format!("{}: `{setting}` accepted", info.id));
                let msg = err.to_string();
                assert!(
                    msg.contains(&spec.range_text()) || msg.contains(spec.name),
                    "{}: `{setting}` → `{msg}` names neither the range nor the knob",
                    info.id
                );
                checked += 1;
            }
        }
        let err = info
            .configure(0, &["no_such_knob=1"])
            .expect_err("unknown knob");
        assert!(err.to_string().contains("no_such_knob"));
    }
    assert!(checked > 50, "only {checked} bad values tried");
}

/// A sink that stops the run after a budget of steps and progress reports.
struct Budget {
    steps: usize,
    progress: usize,
}

impl Sink for Budget {
    fn step(&mut self, step: Step) -> Result<(), Cancelled> {
        assert!(step.values.iter().all(|_| true));
        self.steps = self.steps.checked_sub(1).ok_or(Cancelled)?;
        Ok(())
    }
    fn progress(&mut self, _: Progress) -> Result<(), Cancelled> {
        self.progress = self.progress.checked_sub(1).ok_or(Cancelled)?;
        Ok(())
    }
}

#[test]
fn random_in_range_knobs_never_panic() {
    let mut rng = StdRng::seed_from_u64(2026);
    for info in registry::all() {
        for trial in 0..2 {
            let settings: Vec<String> = info
                .knobs
                .iter()
                .map(|s| format!("{}={}", s.name, in_range(s, &mut rng)))
                .collect();
            let knobs = match info.configure(trial, &settings) {
                Ok(k) => k,
                // Valid one by one but not together is reported, never a panic.
                Err(e) => {
                    assert!(!e.to_string().is_empty());
                    continue;
                }
            };
            let mut sink = Budget {
                steps: 3,
                progress: 40,
            };
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                info.run(&knobs, &mut Trace::new(&mut sink))
            }));
            match outcome {
                Ok(Ok(_)) | Ok(Err(KernelError::Cancelled)) => {}
                Ok(Err(e)) => assert!(
                    !e.to_string().is_empty(),
                    "{}: an error must say what went wrong",
                    info.id
                ),
                Err(_) => panic!("{} panicked with {settings:?}", info.id),
            }
        }
    }
}

/// Waits for the run to report that it ended.
fn wait_finished(run: &mut KernelRun, limit: Duration) -> Option<Duration> {
    let start = Instant::now();
    while start.elapsed() < limit {
        while let Some(ev) = run.try_event() {
            let done = matches!(ev, Event::Finished(_));
            run.apply(ev);
            if done {
                return Some(start.elapsed());
            }
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    None
}

#[test]
fn a_cancelled_run_ends_promptly_at_any_step() {
    for info in registry::all() {
        let knobs = info.configure(0, &[] as &[&str]).expect("defaults");
        // In step mode: wait for the first step, then cancel while the kernel waits.
        let mut run = KernelRun::start(info, knobs.clone(), true);
        let start = Instant::now();
        while run.steps.is_empty() && start.elapsed() < Duration::from_secs(60) {
            if let Some(ev) = run.try_event() {
                run.apply(ev);
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        assert!(!run.steps.is_empty(), "{}: no first step", info.id);
        run.send(Control::Cancel);
        let took = wait_finished(&mut run, Duration::from_secs(5))
            .unwrap_or_else(|| panic!("{}: did not stop after cancel", info.id));
        assert!(
            took < Duration::from_secs(1),
            "{}: took {took:?} to stop while stepping",
            info.id
        );
        assert!(matches!(run.state, RunState::Failed(_)), "{}", info.id);
    }
}
