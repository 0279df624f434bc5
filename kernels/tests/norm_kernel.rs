//! The `norm` kernel's default run reaches its targets, records only declared steps, and is
//! deterministic for a seed.

use eshikaku_kernels::registry;
use eshikaku_kernels::trace::{CollectSink, Trace, summarize};

fn run(seed: u64, settings: &[&str]) -> (eshikaku_kernels::registry::Report, CollectSink) {
    let k = registry::find("norm").expect("registered");
    let knobs = k.configure(seed, settings).expect("valid knobs");
    let mut sink = CollectSink::default();
    let report = k.run(&knobs, &mut Trace::new(&mut sink)).expect("runs");
    (report, sink)
}

#[test]
fn default_run_reaches_every_target() {
    let (report, _) = run(0, &[]);
    for m in &report.metrics {
        assert!(m.pass, "{m:?}");
    }
    for name in [
        "ln_batch_invariance_err",
        "bn_batch_dependence",
        "bn_eval_batch_invariance_err",
    ] {
        assert!(report.metric(name).is_some(), "missing {name}");
    }
    assert!(
        report
            .metric("bn_batch_dependence")
            .is_some_and(|m| m.value >= 1e-2)
    );
    assert!(
        report
            .metric("ln_batch_invariance_err")
            .is_some_and(|m| m.value <= 1e-6)
    );
}

#[test]
fn other_seeds_and_shapes_still_pass() {
    for (seed, settings) in [
        (1, vec![]),
        (2, vec!["batch=16", "channels=8", "groups=4", "size=5"]),
        (3, vec!["size=1", "batch=2"]),
    ] {
        let (report, _) = run(seed, &settings);
        assert!(
            report.passed(),
            "seed {seed} {settings:?}: {:?}",
            report.metrics
        );
    }
}

#[test]
fn only_declared_steps_are_recorded_in_order() {
    let (_, sink) = run(0, &[]);
    let info = registry::find("norm").expect("registered");
    let keys: Vec<&str> = sink.steps.iter().map(|s| s.key.as_str()).collect();
    let declared: Vec<&str> = info
        .steps
        .iter()
        .map(|s| s.key)
        .chain(["metrics"])
        .collect();
    assert_eq!(keys, declared);
    for s in &sink.steps {
        assert_eq!(Some(s.title.as_str()), info.step_title(&s.key));
    }
}

#[test]
fn same_seed_same_trace_other_seed_other_data() {
    let a = serde_json::to_string(&run(5, &[]).1.steps).expect("json");
    let b = serde_json::to_string(&run(5, &[]).1.steps).expect("json");
    let c = serde_json::to_string(&run(6, &[]).1.steps).expect("json");
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn trace_summary_snapshot() {
    let (_, sink) = run(0, &[]);
    insta::assert_snapshot!(summarize(&sink.steps));
}
