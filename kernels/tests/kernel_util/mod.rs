//! Helpers shared by the kernels' integration tests.
#![allow(dead_code)]

use eshikaku_kernels::KernelError;
use eshikaku_kernels::registry;
use eshikaku_kernels::trace::Report;
use eshikaku_kernels::trace::{CollectSink, Step, Trace};

/// Runs kernel `id` through the registry, as the CLI does.
pub fn run(id: &str, seed: u64, settings: &[&str]) -> Result<(Report, Vec<Step>), KernelError> {
    let k = registry::find(id).expect("registered");
    let knobs = k.configure(seed, settings).expect("valid knobs");
    let mut sink = CollectSink::default();
    let report = k.run(&knobs, &mut Trace::new(&mut sink))?;
    Ok((report, sink.steps))
}

/// The value of metric `name`, which must exist.
pub fn metric(report: &Report, name: &str) -> f64 {
    report
        .metric(name)
        .unwrap_or_else(|| panic!("missing metric {name}: {:?}", report.metrics))
        .value
}

/// Every goal kernel `id` declares is among the report's metrics, with the goal's target, and
/// every metric with a target passed. The thresholds are the kernel's own (`KernelInfo::goals`),
/// never restated here.
pub fn assert_goals_met(id: &str, report: &Report) {
    let info = registry::find(id).expect("registered");
    assert!(!info.goals.is_empty(), "{id} declares no goals");
    for goal in info.goals {
        let m = report.metric(goal.metric).unwrap_or_else(|| {
            panic!("{id}: missing metric {}: {:?}", goal.metric, report.metrics)
        });
        assert_eq!(m.target, Some(goal.target), "{id}: {}", goal.metric);
        assert!(
            m.pass,
            "{id}: {} = {} misses {}",
            m.name, m.value, goal.target
        );
    }
    assert!(report.passed(), "{id}: {:?}", report.metrics);
}

/// Every recorded step is declared by the kernel, carries its declared title, and the declared
/// steps appear in declaration order (a step may repeat or, if optional, be absent).
pub fn assert_declared_steps(id: &str, steps: &[Step]) {
    let info = registry::find(id).expect("registered");
    let order = declared_keys(id);
    let mut last = 0;
    for s in steps {
        let pos = order
            .iter()
            .position(|k| *k == s.key)
            .unwrap_or_else(|| panic!("{id}: undeclared step {}", s.key));
        assert_eq!(
            Some(s.title.as_str()),
            info.step_title(&s.key),
            "{id}: step {}",
            s.key
        );
        assert!(
            pos >= last || s.key == "progress",
            "{id}: step {} out of order",
            s.key
        );
        last = last.max(pos);
    }
    assert_eq!(steps.last().map(|s| s.key.as_str()), Some("metrics"));
}

/// The keys of the steps kernel `id` declares, in declaration order, then `metrics`.
pub fn declared_keys(id: &str) -> Vec<&'static str> {
    let info = registry::find(id).expect("registered");
    info.steps
        .iter()
        .map(|d| d.key)
        .chain(["metrics"])
        .collect()
}

/// The JSON size of a trace, as `run --json` would print it.
pub fn json_bytes(steps: &[Step]) -> usize {
    serde_json::to_string(steps).expect("json").len()
}
