//! The `docker` kernel: parses the repository's Dockerfile, explains CMD/ENTRYPOINT and
//! simulates the build cache; a malformed Dockerfile is a located error, never a panic.

mod kernel_util;

use eshikaku_kernels::KernelError;
use eshikaku_kernels::docker::{self, CacheOutcome, Config, Form, Kind};
use eshikaku_kernels::registry::Report;
use eshikaku_kernels::trace::{Step, summarize};
use kernel_util::{assert_declared_steps, declared_keys, metric};
use std::path::PathBuf;

fn run(settings: &[&str]) -> Result<(Report, Vec<Step>), KernelError> {
    kernel_util::run("docker", 0, settings)
}

/// Writes `text` to a fresh file in the temp folder and returns its path.
fn temp_file(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("eshikaku-docker-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path
}

fn cfg() -> Config {
    Config {
        file: None,
        changed: "src/main.rs".into(),
        deps_cost: 240.0,
        crate_cost: 25.0,
    }
}

#[test]
fn default_run_reaches_every_target() {
    let (report, steps) = run(&[]).expect("runs");
    for m in &report.metrics {
        assert!(m.pass, "{m:?}");
    }
    assert!(metric(&report, "rebuild_cost_s") < metric(&report, "naive_rebuild_cost_s"));
    assert!(metric(&report, "rebuild_cost_ratio") <= 0.5);
    assert_eq!(metric(&report, "final_user_non_root"), 1.0);
    let keys: Vec<&str> = steps.iter().map(|s| s.key.as_str()).collect();
    assert_eq!(keys, declared_keys("docker"));
    assert_declared_steps("docker", &steps);
}

#[test]
fn the_repository_dockerfile_read_from_disk_gives_the_same_run() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../Dockerfile");
    let text = std::fs::read_to_string(path).expect("repository Dockerfile");
    assert_eq!(text, docker::PROJECT_DOCKERFILE);
    let setting = format!("file={path}");
    let (report, _) = run(&[&setting]).expect("runs");
    assert!(report.passed(), "{:?}", report.metrics);

    let df = docker::parse("Dockerfile", &text).expect("parses");
    assert_eq!(df.stages.len(), 2);
    assert_eq!(df.stages[0].name.as_deref(), Some("build"));
    assert!(
        df.stages[0].base.starts_with("rust:1.88-slim"),
        "{}",
        df.stages[0].base
    );
    assert!(df.global_args.contains_key("RUST_VERSION"));
    assert!(df.instructions[0].stage.is_none(), "ARG before FROM");
    let last = df.instructions.last().expect("instructions");
    assert_eq!(last.kind, Kind::Entrypoint);
    assert_eq!(last.form, Some(Form::Exec(vec!["eshikaku".into()])));
}

#[test]
fn a_naive_dockerfile_misses_the_rebuild_target() {
    let path = temp_file("Dockerfile.naive", docker::NAIVE_DOCKERFILE);
    let setting = format!("file={}", path.display());
    let (report, _) = run(&[&setting]).expect("runs");
    let ratio = report.metric("rebuild_cost_ratio").expect("ratio");
    assert!(!ratio.pass, "{ratio:?}");
    assert_eq!(ratio.value, 1.0);
}

#[test]
fn changing_the_manifest_rebuilds_the_dependencies_in_both_orderings() {
    let df = docker::parse("Dockerfile", docker::PROJECT_DOCKERFILE).expect("parses");
    let naive = docker::parse("naive", docker::NAIVE_DOCKERFILE).expect("parses");
    let c = cfg();
    let src = docker::rebuild(&df, &c, "src/main.rs");
    let toml = docker::rebuild(&df, &c, "Cargo.toml");
    assert!(src.cost() < 240.0 && toml.cost() > 240.0);
    assert!(toml.layers_rebuilt(&df) > src.layers_rebuilt(&df));
    // A file no COPY names changes nothing here, but everything after `COPY . .` in the naive file.
    assert_eq!(docker::rebuild(&df, &c, "README.md").cost(), 0.0);
    let readme = docker::rebuild(&naive, &c, "README.md");
    assert_eq!(readme.cost(), 240.0 + 25.0 + 1.0 + 1.0);
    assert!(readme.outcomes.contains(&CacheOutcome::ChangedFiles));
}

#[test]
fn cmd_and_entrypoint_combine_as_docker_run_does() {
    let exec = |v: &[&str]| Form::Exec(v.iter().map(|s| s.to_string()).collect());
    let words = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let ep = exec(&["python", "train.py"]);
    let cmd = exec(&["--epochs", "10"]);
    assert_eq!(
        docker::run_command(Some(&ep), Some(&cmd), &[]),
        words(&["python", "train.py", "--epochs", "10"])
    );
    assert_eq!(
        docker::run_command(Some(&ep), Some(&cmd), &words(&["--epochs", "50"])),
        words(&["python", "train.py", "--epochs", "50"])
    );
    let shell = Form::Shell("python train.py".into());
    assert_eq!(
        docker::run_command(Some(&shell), Some(&cmd), &words(&["--epochs", "50"])),
        words(&["/bin/sh", "-c", "python train.py"])
    );
    assert_eq!(
        docker::run_command(None, Some(&cmd), &words(&["bash"])),
        words(&["bash"])
    );
}

#[test]
fn parser_details_follow_the_dockerfile_reference() {
    let text = "# syntax=docker/dockerfile:1\n# escape=`\nARG TAG=3.11\nFROM python:${TAG}-slim AS base\nRUN apt-get update && `\n    # a comment inside the continuation\n    apt-get install -y git\nCMD ['python', 'x.py']\n";
    let df = docker::parse("t", text).expect("parses");
    assert_eq!(df.directives.len(), 2);
    assert_eq!(df.stages[0].base, "python:3.11-slim");
    let run = &df.instructions[2];
    assert_eq!(run.kind, Kind::Run);
    assert_eq!(run.line, 5);
    assert_eq!(run.args, "apt-get update && apt-get install -y git");
    // Single quotes are not JSON: docker falls back to the shell form.
    assert!(matches!(df.instructions[3].form, Some(Form::Shell(_))));
    assert_eq!(df.warnings.len(), 1, "{:?}", df.warnings);
}

#[test]
fn malformed_dockerfiles_are_located_errors_not_panics() {
    for (name, text, expected) in [
        (
            "unknown",
            "FROM debian\nRUNN ls\n",
            ":2: unknown instruction `RUNN`",
        ),
        (
            "before",
            "# hi\nRUN ls\nFROM debian\n",
            ":2: RUN before the first FROM",
        ),
        ("nofrom", "ARG X=1\n", ":1: no FROM instruction"),
        (
            "copy",
            "FROM debian\n\nCOPY onlyone\n",
            ":3: COPY needs at least one source",
        ),
        (
            "empty",
            "FROM debian\nWORKDIR\n",
            ":2: WORKDIR needs arguments",
        ),
        ("as", "FROM debian AS\n", ":1: FROM takes an image"),
        (
            "twice",
            "FROM a AS x\nFROM b AS x\n",
            ":2: stage name `x` is used twice",
        ),
        ("escape", "# escape=!\nFROM a\n", ":1: escape must be"),
    ] {
        let path = temp_file(name, text);
        let setting = format!("file={}", path.display());
        let err = run(&[&setting]).expect_err(name);
        let KernelError::InvalidConfig(msg) = &err else {
            panic!("{name}: {err:?}");
        };
        let want = format!("{}{expected}", path.display());
        assert!(
            msg.starts_with(&want),
            "{name}: `{msg}` does not start with `{want}`"
        );
    }
    // Garbage never panics.
    for text in [
        "",
        "\\",
        "FROM",
        "[",
        "FROM a\nRUN [\"x\"",
        "FROM a\nCOPY --from= a b\n",
    ] {
        let _ = docker::parse("g", text);
    }
}

#[test]
fn a_missing_file_is_a_clear_error() {
    let err = run(&["file=/no/such/Dockerfile"]).expect_err("missing");
    let msg = err.to_string();
    assert!(
        msg.contains("/no/such/Dockerfile: cannot read the Dockerfile"),
        "{msg}"
    );
}

#[test]
fn trace_summary_snapshot() {
    let (_, steps) = run(&[]).expect("runs");
    insta::assert_snapshot!(summarize(&steps));
}
