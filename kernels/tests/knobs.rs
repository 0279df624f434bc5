//! Knob validation: every bad setting is rejected with a message that lists what is valid.

use eshikaku_kernels::knobs::{KnobError, KnobSpec, KnobValue};
use eshikaku_kernels::registry;

const SPECS: &[KnobSpec] = &[
    KnobSpec::int("batch", "バッチサイズ", 4, 1, 64),
    KnobSpec::float("lr", "学習率", 1e-3, 1e-6, 1.0),
    KnobSpec::bool("deterministic", "決定的に実行", true),
    KnobSpec::choice(
        "mining",
        "triplet の選び方",
        "semi-hard",
        &["random", "semi-hard", "hard"],
    ),
];

fn configure(settings: &[&str]) -> Result<eshikaku_kernels::knobs::KnobValues, KnobError> {
    eshikaku_kernels::knobs::KnobValues::from_settings("demo", SPECS, 7, settings)
}

#[test]
fn defaults_and_overrides() {
    let v =
        configure(&["lr=0.01", "mining=hard", "deterministic=false", "batch = 8"]).expect("valid");
    assert_eq!(v.seed, 7);
    assert_eq!(v.usize("batch"), 8);
    assert_eq!(v.float("lr"), 0.01);
    assert!(!v.bool("deterministic"));
    assert_eq!(v.choice("mining"), "hard");
    let d = configure(&[]).expect("defaults");
    assert_eq!(d.iter().collect::<Vec<_>>().len(), 4);
    assert_eq!(d.choice("mining"), "semi-hard");
}

#[test]
fn unknown_knob_lists_every_valid_knob_with_its_range() {
    let err = configure(&["lrr=0.1"]).expect_err("unknown");
    let msg = err.to_string();
    assert!(
        msg.starts_with("kernel `demo` has no knob `lrr`; valid knobs:"),
        "{msg}"
    );
    for needle in [
        "batch (integer in 1..=64, default 4)",
        "lr (number in 0.000001..=1",
        "mining (one of random | semi-hard | hard",
    ] {
        assert!(msg.contains(needle), "missing `{needle}` in {msg}");
    }
}

#[test]
fn out_of_range_and_unparsable_values_say_what_is_expected() {
    let msg = configure(&["batch=100"]).expect_err("too big").to_string();
    assert_eq!(
        msg,
        "knob `batch` = `100` is out of range: expected integer in 1..=64 (default 4)"
    );
    let msg = configure(&["batch=2.5"]).expect_err("not int").to_string();
    assert!(msg.contains("is not an integer"), "{msg}");
    for bad in ["lr=nan", "lr=inf", "lr=-1", "lr=abc"] {
        assert!(configure(&[bad]).is_err(), "{bad} accepted");
    }
    let msg = configure(&["mining=easy"])
        .expect_err("bad choice")
        .to_string();
    assert!(msg.contains("one of random | semi-hard | hard"), "{msg}");
    assert!(configure(&["deterministic=maybe"]).is_err());
    let msg = configure(&["batch"]).expect_err("no =").to_string();
    assert!(msg.contains("name=value"), "{msg}");
}

#[test]
fn spec_parse_keeps_exact_values() {
    assert_eq!(SPECS[1].parse("1e-4"), Ok(KnobValue::Float(1e-4)));
    assert_eq!(SPECS[0].parse("64"), Ok(KnobValue::Int(64)));
}

#[test]
fn every_registered_kernel_has_consistent_knobs_and_steps() {
    let ids: Vec<&str> = registry::all().iter().map(|k| k.id).collect();
    assert!(ids.contains(&"norm"), "{ids:?}");
    for k in registry::all() {
        assert!(registry::find(k.id).is_some());
        assert_eq!(
            ids.iter().filter(|i| **i == k.id).count(),
            1,
            "duplicate id {}",
            k.id
        );
        for spec in k.knobs {
            // The default must itself be valid.
            assert_eq!(
                spec.parse(&spec.default_value().to_string()),
                Ok(spec.default_value()),
                "{}.{}",
                k.id,
                spec.name
            );
        }
        let mut keys: Vec<&str> = k.steps.iter().map(|s| s.key).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), k.steps.len(), "duplicate step keys in {}", k.id);
        assert!(
            k.steps
                .iter()
                .all(|s| s.key.is_ascii() && !s.key.contains(' '))
        );
    }
}
