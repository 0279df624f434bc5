//! `docker`: reads a Dockerfile like `docker build` does and simulates its build cache.
//!
//! No Docker daemon is involved: the kernel parses the file (the repository's own `Dockerfile`
//! by default, or `--set file=PATH`), lists its instructions and the layers they create, works
//! out what each instruction kind means in *this* file (build time or run time, which ARG is
//! visible where, what `docker run` will execute), and replays the build cache rules of the
//! Dockerfile reference (docs.docker.com/reference/dockerfile, "Build cache"):
//!
//! - only `RUN`, `COPY` and `ADD` create filesystem layers; the other instructions only change
//!   the image configuration (metadata);
//! - `RUN` is a cache hit when its command text is unchanged (the files it reads are not
//!   looked at); `COPY`/`ADD` are hits only if the copied files' contents are unchanged;
//!   `COPY --from=<stage>` changes when that stage produced something new;
//! - the first miss invalidates every later instruction of the same stage.
//!
//! For one changed file (`--set changed=src/main.rs`) it shows which layers are rebuilt and a
//! simulated rebuild cost, then does the same for a naive ordering of the same project
//! (`COPY . .` before `cargo build`): copying `Cargo.toml` and building the dependencies before
//! `COPY src` is what makes a one-line source change cheap. The target metric compares the two.

use crate::KernelError;
use crate::kernel::KernelInfo;
use crate::knobs::{KnobSpec, KnobValues};
use crate::trace::{Goal, Metric, StepDecl, Trace};

mod cache;
mod command;
mod directive;
mod instruction;
mod report;
mod stage;

use cache::normalize;
pub use cache::{CacheOutcome, Rebuild, costs, rebuild};
pub use command::run_command;
pub use instruction::{Form, Instruction, Kind};
pub use stage::{Dockerfile, Stage, parse};

/// The repository's Dockerfile, the default input.
pub const PROJECT_DOCKERFILE: &str = include_str!("../../Dockerfile");

/// The same project written naively: the whole context is copied before the one `cargo build`,
/// so any edit anywhere recompiles every dependency. The baseline the target compares against.
pub const NAIVE_DOCKERFILE: &str = "\
FROM rust:1.88-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked && cp target/release/eshikaku /usr/local/bin/eshikaku

FROM debian:bookworm-slim AS runtime
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin learner
COPY --from=build /usr/local/bin/eshikaku /usr/local/bin/eshikaku
USER learner
WORKDIR /home/learner
ENTRYPOINT [\"eshikaku\"]
";

/// Target: a one-line source change costs at most half of what the naive ordering costs.
pub const REBUILD_COST_RATIO: Goal = Goal::at_most("rebuild_cost_ratio", 0.5);
/// Target: the final image runs as a non-root user (1 = yes).
pub const FINAL_USER_NON_ROOT: Goal = Goal::at_least("final_user_non_root", 1.0);

/// The registry entry.
pub const KERNEL: KernelInfo = KernelInfo {
    id: "docker",
    title: "Dockerfile の解析とビルドキャッシュ",
    summary: "Dockerfile を解析して命令とレイヤーを示し、1 ファイルの変更で再ビルドされるレイヤーを素朴な順序と比べる",
    source: "docker.rs",
    knobs: &[
        KnobSpec::text(
            "file",
            "解析する Dockerfile のパス (空ならリポジトリの Dockerfile)",
            "",
        ),
        KnobSpec::text(
            "changed",
            "変更したとみなすファイル (ビルドコンテキストからの相対パス)",
            "src/main.rs",
        ),
        KnobSpec::int(
            "deps_cost",
            "依存クレートをすべてコンパイルする時間 (秒, シミュレーション)",
            240,
            1,
            100_000,
        ),
        KnobSpec::int(
            "crate_cost",
            "ワークスペースのクレートだけをコンパイルする時間 (秒, シミュレーション)",
            25,
            1,
            100_000,
        ),
    ],
    steps: &[
        StepDecl {
            key: "parse",
            title: "Dockerfile の解析: 命令とレイヤー",
        },
        StepDecl {
            key: "stages",
            title: "ステージとベースイメージ (マルチステージ)",
        },
        StepDecl {
            key: "instructions",
            title: "命令の種類ごとの意味",
        },
        StepDecl {
            key: "command",
            title: "起動時のコマンド (ENTRYPOINT と CMD)",
        },
        StepDecl {
            key: "cache",
            title: "ビルドキャッシュ: 1 ファイルを変えたとき",
        },
        StepDecl {
            key: "naive",
            title: "素朴な順序 (COPY . . が先) との比較",
        },
        StepDecl {
            key: "scenarios",
            title: "変更するファイルごとの再ビルド",
        },
    ],
    goals: &[REBUILD_COST_RATIO, FINAL_USER_NON_ROOT],
    run: run_knobs,
};

/// Typed knobs.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Path of the Dockerfile to read; `None` for the built-in [`PROJECT_DOCKERFILE`].
    pub file: Option<String>,
    /// The file (relative to the build context) whose content changed.
    pub changed: String,
    /// Simulated seconds to compile every dependency crate.
    pub deps_cost: f64,
    /// Simulated seconds to compile the workspace crates once the dependencies are built.
    pub crate_cost: f64,
}

impl Config {
    /// Reads the knobs.
    pub fn from_knobs(k: &KnobValues) -> Self {
        let file = k.text("file").trim();
        Self {
            file: (!file.is_empty()).then(|| file.to_string()),
            changed: normalize(k.text("changed")),
            deps_cost: k.int("deps_cost") as f64,
            crate_cost: k.int("crate_cost") as f64,
        }
    }
}
/// The `docker` kernel.
pub fn run(cfg: &Config, tr: &mut Trace) -> Result<Vec<Metric>, KernelError> {
    let (path, text) = match &cfg.file {
        None => ("Dockerfile".to_string(), PROJECT_DOCKERFILE.to_string()),
        Some(p) => match std::fs::read_to_string(p) {
            Ok(t) => (p.clone(), t),
            Err(e) => {
                return Err(KernelError::InvalidConfig(format!(
                    "{p}: cannot read the Dockerfile: {e}"
                )));
            }
        },
    };
    let df = parse(&path, &text)?;
    let naive = parse("naive Dockerfile", NAIVE_DOCKERFILE)?;
    let layers = df
        .instructions
        .iter()
        .filter(|i| i.kind.creates_layer())
        .count();

    report::step_parse(tr, &path, &df, layers)?;
    report::step_stages(tr, &df)?;
    let non_root = report::step_instructions(tr, &df)?;
    report::step_command(tr, &df)?;
    let given = rebuild(&df, cfg, &cfg.changed);
    let base = rebuild(&naive, cfg, &cfg.changed);
    let given_layers = given.layers_rebuilt(&df);
    let naive_layers = base.layers_rebuilt(&naive);
    report::step_cache(tr, cfg, (&df, &naive), (&given, &base))?;

    let ratio = if base.cost() > 0.0 {
        given.cost() / base.cost()
    } else if given.cost() > 0.0 {
        f64::INFINITY
    } else {
        0.0
    };
    Ok(vec![
        Metric::reported("instructions", df.instructions.len() as f64),
        Metric::reported("layers", layers as f64),
        Metric::reported("layers_rebuilt", given_layers as f64),
        Metric::reported("naive_layers_rebuilt", naive_layers as f64),
        Metric::reported("rebuild_cost_s", given.cost()),
        Metric::reported("naive_rebuild_cost_s", base.cost()),
        REBUILD_COST_RATIO.measure(ratio),
        FINAL_USER_NON_ROOT.measure(if non_root { 1.0 } else { 0.0 }),
    ])
}

fn run_knobs(k: &KnobValues, tr: &mut Trace) -> Result<Vec<Metric>, KernelError> {
    run(&Config::from_knobs(k), tr)
}
