//! The real `eshikaku` binary: `run`, `list`, `show`, and their errors.

mod common;
use common::eshikaku;
use std::process::Command;

#[test]
fn run_norm_json_has_config_steps_and_passing_metrics() {
    let (code, stdout, stderr) =
        eshikaku(&["run", "norm", "--json", "--seed", "3", "--set", "batch=8"]);
    assert_eq!(code, 0, "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("one JSON document");
    assert_eq!(v["kernel"], "norm");
    assert_eq!(v["seed"], 3);
    assert_eq!(v["config"]["batch"], 8);
    assert_eq!(v["config"]["groups"], 2);
    let steps = v["steps"].as_array().expect("steps");
    assert_eq!(steps.first().and_then(|s| s["key"].as_str()), Some("input"));
    assert_eq!(
        steps.last().and_then(|s| s["key"].as_str()),
        Some("metrics")
    );
    let metrics = v["metrics"].as_array().expect("metrics");
    let get = |name: &str| {
        metrics
            .iter()
            .find(|m| m["name"] == name)
            .unwrap_or_else(|| panic!("no {name}"))
    };
    assert!(
        get("ln_batch_invariance_err")["value"]
            .as_f64()
            .is_some_and(|x| x <= 1e-6)
    );
    assert_eq!(get("ln_batch_invariance_err")["target"]["op"], "<=");
    assert!(
        get("bn_batch_dependence")["value"]
            .as_f64()
            .is_some_and(|x| x >= 1e-2)
    );
    assert!(metrics.iter().all(|m| m["pass"] == true), "{metrics:?}");
}

#[test]
fn a_failing_metric_is_reported_and_exits_1() {
    let (code, stdout, _) = eshikaku(&["run", "norm", "--json", "--set", "batch=1"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    let dep = v["metrics"]
        .as_array()
        .and_then(|m| m.iter().find(|m| m["name"] == "bn_batch_dependence"))
        .cloned();
    assert_eq!(
        dep.map(|d| d["pass"].clone()),
        Some(serde_json::Value::Bool(false))
    );
}

#[test]
fn bad_knobs_are_rejected_with_the_valid_range() {
    let (code, _, stderr) = eshikaku(&["run", "norm", "--set", "batch=0"]);
    assert_eq!(code, 2);
    assert!(
        stderr
            .contains("knob `batch` = `0` is out of range: expected integer in 1..=64 (default 4)"),
        "{stderr}"
    );
    let (code, _, stderr) = eshikaku(&["run", "norm", "--set", "lr=0.1"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("kernel `norm` has no knob `lr`; valid knobs:"),
        "{stderr}"
    );
    assert!(
        stderr.contains("groups (integer in 1..=32, default 2)"),
        "{stderr}"
    );
    let (code, _, stderr) = eshikaku(&["run", "norm", "--set", "channels=4", "--set", "groups=3"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("groups = 3 does not divide channels = 4"),
        "{stderr}"
    );
    let (code, _, stderr) = eshikaku(&["run", "nosuch"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("unknown kernel `nosuch`; kernels: gan, "),
        "{stderr}"
    );
    assert!(stderr.contains(", norm (see `eshikaku list`)"), "{stderr}");
}

#[test]
fn human_output_prints_steps_and_a_summary() {
    let (code, stdout, _) = eshikaku(&["run", "norm"]);
    assert_eq!(code, 0);
    assert!(stdout.starts_with("norm — "), "{stdout}");
    assert!(
        stdout.contains("[3] Batch Normalization (batch_norm)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("✓ ln_batch_invariance_err = 0  (目標 ≤ 1e-6)"),
        "{stdout}"
    );
    assert!(
        stdout.trim_end().ends_with("metrics reached their targets"),
        "{stdout}"
    );
}

#[test]
fn step_mode_waits_for_enter_and_q_stops() {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_eshikaku"))
        .args(["run", "norm", "--steps"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .as_mut()
        .expect("stdin")
        .write_all(b"\n\nq\n")
        .expect("write");
    let out = child.wait_with_output().expect("finish");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("[3] "), "{stdout}");
    assert!(!stdout.contains("[4] "), "ran past the q: {stdout}");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("stopped"));
}

#[test]
fn list_json_has_chapters_lessons_and_kernel_knobs() {
    let (code, stdout, _) = eshikaku(&["list", "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    let chapters = v["chapters"].as_array().expect("chapters");
    let norm = chapters
        .iter()
        .find(|c| c["id"] == "normalization")
        .expect("chapter");
    assert_eq!(norm["lessons"][0]["id"], "normalization");
    assert_eq!(norm["lessons"][0]["kernel"], "norm");
    let kernel = v["kernels"]
        .as_array()
        .and_then(|k| k.iter().find(|k| k["id"] == "norm"))
        .expect("kernel");
    assert!(
        kernel["knobs"]
            .as_array()
            .is_some_and(|k| k.iter().any(|k| k["name"] == "groups"))
    );
}

#[test]
fn show_prints_the_lesson_with_questions_and_answers() {
    let (code, stdout, _) = eshikaku(&["show", "normalization", "--answers"]);
    assert_eq!(code, 0);
    assert!(stdout.starts_with("正規化層"), "{stdout}");
    assert!(stdout.contains("■ 要点"));
    assert!(
        stdout.contains("［ ？ ］"),
        "code-fill question shows its blank: {stdout}"
    );
    assert!(stdout.contains("■ 解答と解説"));
    assert!(
        stdout.lines().all(|l| eshikaku::ui::wrap::width(l) <= 80),
        "wrapped at 80 columns"
    );
    let (code, _, stderr) = eshikaku(&["show", "nope"]);
    assert_eq!(code, 2);
    // The list names every lesson (more arrive with each chapter), normalization among them.
    assert!(
        stderr.contains("no lesson `nope`; lessons: ") && stderr.contains("normalization"),
        "{stderr}"
    );
}

#[test]
fn content_flag_adds_lessons() {
    let (code, stdout, _) = eshikaku(&["--content", "tests/fixtures/extra", "show", "added"]);
    assert_eq!(code, 0);
    assert!(stdout.starts_with("追加のレッスン"), "{stdout}");
}
