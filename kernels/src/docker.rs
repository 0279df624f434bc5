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
use crate::trace::{Goal, Metric, StepDecl, Table, Trace};
use std::collections::BTreeMap;
use std::fmt::Write as _;

mod report;

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

/// An instruction keyword.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    From,
    Arg,
    Env,
    Label,
    Workdir,
    User,
    Run,
    Copy,
    Add,
    Expose,
    Volume,
    Shell,
    Healthcheck,
    Stopsignal,
    Onbuild,
    Cmd,
    Entrypoint,
}

impl Kind {
    fn parse(word: &str) -> Option<Self> {
        Some(match word.to_ascii_uppercase().as_str() {
            "FROM" => Self::From,
            "ARG" => Self::Arg,
            "ENV" => Self::Env,
            "LABEL" => Self::Label,
            "WORKDIR" => Self::Workdir,
            "USER" => Self::User,
            "RUN" => Self::Run,
            "COPY" => Self::Copy,
            "ADD" => Self::Add,
            "EXPOSE" => Self::Expose,
            "VOLUME" => Self::Volume,
            "SHELL" => Self::Shell,
            "HEALTHCHECK" => Self::Healthcheck,
            "STOPSIGNAL" => Self::Stopsignal,
            "ONBUILD" => Self::Onbuild,
            "CMD" => Self::Cmd,
            "ENTRYPOINT" => Self::Entrypoint,
            _ => return None,
        })
    }

    /// The keyword as written in a Dockerfile.
    pub fn name(self) -> &'static str {
        match self {
            Self::From => "FROM",
            Self::Arg => "ARG",
            Self::Env => "ENV",
            Self::Label => "LABEL",
            Self::Workdir => "WORKDIR",
            Self::User => "USER",
            Self::Run => "RUN",
            Self::Copy => "COPY",
            Self::Add => "ADD",
            Self::Expose => "EXPOSE",
            Self::Volume => "VOLUME",
            Self::Shell => "SHELL",
            Self::Healthcheck => "HEALTHCHECK",
            Self::Stopsignal => "STOPSIGNAL",
            Self::Onbuild => "ONBUILD",
            Self::Cmd => "CMD",
            Self::Entrypoint => "ENTRYPOINT",
        }
    }

    /// Only these three add a filesystem layer; the rest edit the image configuration.
    pub fn creates_layer(self) -> bool {
        matches!(self, Self::Run | Self::Copy | Self::Add)
    }

    /// When the instruction takes effect.
    fn when(self) -> &'static str {
        match self {
            Self::Arg | Self::Run | Self::Copy | Self::Add | Self::From | Self::Shell => "ビルド時",
            Self::Env | Self::Workdir | Self::User => "ビルド時と起動時",
            Self::Cmd | Self::Entrypoint | Self::Healthcheck | Self::Stopsignal => "起動時",
            Self::Expose | Self::Label | Self::Volume => "メタデータ",
            Self::Onbuild => "子イメージのビルド時",
        }
    }
}

/// How `RUN`, `CMD` and `ENTRYPOINT` are written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Form {
    /// `["python", "train.py"]`: run directly, the program is PID 1.
    Exec(Vec<String>),
    /// `python train.py`: run as `/bin/sh -c "python train.py"`, the shell is PID 1.
    Shell(String),
}

impl Form {
    /// The argument vector the container runtime executes.
    pub fn argv(&self) -> Vec<String> {
        match self {
            Self::Exec(v) => v.clone(),
            Self::Shell(s) => vec!["/bin/sh".into(), "-c".into(), s.clone()],
        }
    }

    fn label(&self) -> &'static str {
        match self {
            Self::Exec(_) => "exec 形式",
            Self::Shell(_) => "シェル形式",
        }
    }
}

/// One instruction of a parsed Dockerfile.
#[derive(Debug, Clone, PartialEq)]
pub struct Instruction {
    /// 1-based line where the instruction starts.
    pub line: usize,
    pub kind: Kind,
    /// `--name=value` flags (`COPY --from=build`), in order.
    pub flags: Vec<(String, String)>,
    /// The arguments after the flags, continuation lines joined.
    pub args: String,
    /// For `RUN`, `CMD`, `ENTRYPOINT`: how it is written.
    pub form: Option<Form>,
    /// Index of the stage; `None` for an `ARG` before the first `FROM`.
    pub stage: Option<usize>,
}

impl Instruction {
    fn flag(&self, name: &str) -> Option<&str> {
        self.flags
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The whitespace-separated arguments (for `COPY`/`ADD`: sources then destination).
    fn words(&self) -> Vec<&str> {
        self.args.split_whitespace().collect()
    }
}

/// A build stage: one `FROM` and what follows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Stage {
    pub index: usize,
    /// The `AS` name, if any.
    pub name: Option<String>,
    /// The base as written after variable substitution: an image or an earlier stage.
    pub base: String,
    /// Index of the earlier stage it builds on, if the base names one.
    pub base_stage: Option<usize>,
    /// Indices into [`Dockerfile::instructions`], the `FROM` first.
    pub instructions: Vec<usize>,
}

/// A parsed Dockerfile.
#[derive(Debug, Clone, PartialEq)]
pub struct Dockerfile {
    /// Parser directives (`# syntax=…`, `# escape=…`) from the top of the file.
    pub directives: Vec<(String, String)>,
    pub instructions: Vec<Instruction>,
    pub stages: Vec<Stage>,
    /// `ARG`s declared before the first `FROM` (usable only in `FROM` lines) with defaults.
    pub global_args: BTreeMap<String, String>,
    /// Things that parse but are probably mistakes, as `line: message`.
    pub warnings: Vec<String>,
}

/// `path:line: message`.
fn error_at(path: &str, line: usize, msg: impl std::fmt::Display) -> KernelError {
    KernelError::InvalidConfig(format!("{path}:{line}: {msg}"))
}

/// Parses Dockerfile `text`; `path` only names the file in errors (`path:line: message`).
pub fn parse(path: &str, text: &str) -> Result<Dockerfile, KernelError> {
    let lines: Vec<&str> = text.lines().collect();
    let mut directives = Vec::new();
    let mut escape = '\\';
    // Parser directives: `# key=value` lines at the very top, before any blank line, comment
    // or instruction.
    let mut i = 0;
    while i < lines.len() {
        let Some(rest) = lines[i].trim().strip_prefix('#') else {
            break;
        };
        let Some((k, v)) = rest.split_once('=') else {
            break;
        };
        let key = k.trim().to_ascii_lowercase();
        if !(key == "syntax" || key == "escape" || key == "check") || key.contains(' ') {
            break;
        }
        let value = v.trim().to_string();
        if key == "escape" {
            escape = match value.as_str() {
                "\\" => '\\',
                "`" => '`',
                _ => return Err(error_at(path, i + 1, "escape must be \\ or `")),
            };
        }
        directives.push((key, value));
        i += 1;
    }

    let mut instructions: Vec<Instruction> = Vec::new();
    let mut stages: Vec<Stage> = Vec::new();
    let mut global_args = BTreeMap::new();
    let mut warnings = Vec::new();
    while i < lines.len() {
        let start = i;
        let first = lines[i].trim();
        i += 1;
        if first.is_empty() || first.starts_with('#') {
            continue;
        }
        // Join continuation lines (a trailing escape character); comment lines inside a
        // continued instruction are dropped, as docker does.
        let mut logical = String::new();
        let mut current = first.to_string();
        loop {
            let trimmed = current.trim_end();
            if let Some(head) = trimmed.strip_suffix(escape) {
                logical.push_str(head.trim_end());
                logical.push(' ');
                // Skip comment lines and blank lines inside the continuation.
                while i < lines.len()
                    && (lines[i].trim().starts_with('#') || lines[i].trim().is_empty())
                {
                    i += 1;
                }
                if i >= lines.len() {
                    break;
                }
                current = lines[i].trim().to_string();
                i += 1;
            } else {
                logical.push_str(trimmed);
                break;
            }
        }
        let line = start + 1;
        let (word, rest) = match logical.split_once(char::is_whitespace) {
            Some((w, r)) => (w, r.trim()),
            None => (logical.as_str(), ""),
        };
        let kind = Kind::parse(word)
            .ok_or_else(|| error_at(path, line, format!("unknown instruction `{word}`")))?;
        if rest.is_empty() {
            return Err(error_at(
                path,
                line,
                format!("{} needs arguments", kind.name()),
            ));
        }
        if stages.is_empty() && !matches!(kind, Kind::From | Kind::Arg) {
            return Err(error_at(
                path,
                line,
                format!(
                    "{} before the first FROM: only ARG (and parser directives) may precede FROM",
                    kind.name()
                ),
            ));
        }
        // Leading `--flag=value` options (COPY --from=build, RUN --mount=…).
        let mut flags = Vec::new();
        let mut args = rest;
        if matches!(
            kind,
            Kind::From | Kind::Run | Kind::Copy | Kind::Add | Kind::Healthcheck
        ) {
            while let Some(opt) = args.strip_prefix("--") {
                let (flag, tail) = opt.split_once(char::is_whitespace).unwrap_or((opt, ""));
                let (k, v) = flag.split_once('=').unwrap_or((flag, ""));
                flags.push((k.to_string(), v.to_string()));
                args = tail.trim_start();
            }
        }
        let args = args.to_string();
        let form = match kind {
            Kind::Run | Kind::Cmd | Kind::Entrypoint => {
                if args.starts_with('[') {
                    match parse_json_strings(&args) {
                        Some(v) => Some(Form::Exec(v)),
                        None => {
                            warnings.push(format!(
                                "{line}: {} の JSON 配列が読めないので、シェル形式として扱われます (引用符は \" を使う)",
                                kind.name()
                            ));
                            Some(Form::Shell(args.clone()))
                        }
                    }
                } else {
                    Some(Form::Shell(args.clone()))
                }
            }
            _ => None,
        };
        let index = instructions.len();
        match kind {
            Kind::From => {
                let words: Vec<&str> = args.split_whitespace().collect();
                let (image, name) = match words.as_slice() {
                    [image] => (*image, None),
                    [image, as_, name] if as_.eq_ignore_ascii_case("as") => {
                        (*image, Some(name.to_ascii_lowercase()))
                    }
                    _ => {
                        return Err(error_at(
                            path,
                            line,
                            "FROM takes an image and an optional `AS name`",
                        ));
                    }
                };
                if let Some(n) = &name
                    && stages.iter().any(|s| s.name.as_deref() == Some(n))
                {
                    return Err(error_at(
                        path,
                        line,
                        format!("stage name `{n}` is used twice"),
                    ));
                }
                let base = substitute(image, &global_args, line, &mut warnings);
                let base_stage = stages
                    .iter()
                    .position(|s| s.name.as_deref() == Some(base.to_ascii_lowercase().as_str()));
                stages.push(Stage {
                    index: stages.len(),
                    name,
                    base,
                    base_stage,
                    instructions: vec![index],
                });
            }
            Kind::Copy | Kind::Add if args.split_whitespace().count() < 2 => {
                return Err(error_at(
                    path,
                    line,
                    format!(
                        "{} needs at least one source and a destination",
                        kind.name()
                    ),
                ));
            }
            Kind::Arg if stages.is_empty() => {
                let (k, v) = args.split_once('=').unwrap_or((args.as_str(), ""));
                global_args.insert(k.trim().to_string(), v.trim().to_string());
            }
            _ => {}
        }
        let stage = stages.len().checked_sub(1);
        if kind != Kind::From
            && let Some(s) = stage
        {
            stages[s].instructions.push(index);
        }
        instructions.push(Instruction {
            line,
            kind,
            flags,
            args,
            form,
            stage,
        });
    }
    if stages.is_empty() {
        return Err(error_at(
            path,
            1,
            "no FROM instruction: a Dockerfile needs at least one",
        ));
    }
    Ok(Dockerfile {
        directives,
        instructions,
        stages,
        global_args,
        warnings,
    })
}

/// Replaces `$NAME`, `${NAME}` and `${NAME:-default}` with the global ARG values.
fn substitute(
    text: &str,
    args: &BTreeMap<String, String>,
    line: usize,
    warnings: &mut Vec<String>,
) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(pos) = rest.find('$') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        let (name, default, used) = if let Some(inner) = after.strip_prefix('{') {
            match inner.find('}') {
                Some(end) => {
                    let body = &inner[..end];
                    let (n, d) = match body.split_once(":-") {
                        Some((n, d)) => (n, Some(d)),
                        None => (body, None),
                    };
                    (n, d, end + 2)
                }
                None => (inner, None, after.len()),
            }
        } else {
            let end = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            (&after[..end], None, end)
        };
        match args.get(name).filter(|v| !v.is_empty()) {
            Some(v) => out.push_str(v),
            None => match default {
                Some(d) => out.push_str(d),
                None => warnings.push(format!(
                    "{line}: ${name} は FROM の前の ARG で値が決まっていないので空文字列になります"
                )),
            },
        }
        rest = &after[used.min(after.len())..];
    }
    out.push_str(rest);
    out
}

/// A JSON array of strings (`["a", "b"]`), or `None` if it is not one.
fn parse_json_strings(text: &str) -> Option<Vec<String>> {
    let mut chars = text.trim().chars().peekable();
    let skip_ws = |c: &mut std::iter::Peekable<std::str::Chars>| {
        while c.peek().is_some_and(|x| x.is_whitespace()) {
            c.next();
        }
    };
    if chars.next()? != '[' {
        return None;
    }
    let mut out = Vec::new();
    skip_ws(&mut chars);
    if chars.peek() == Some(&']') {
        chars.next();
        skip_ws(&mut chars);
        return chars.next().is_none().then_some(out);
    }
    loop {
        skip_ws(&mut chars);
        if chars.next()? != '"' {
            return None;
        }
        let mut s = String::new();
        loop {
            match chars.next()? {
                '"' => break,
                '\\' => match chars.next()? {
                    'n' => s.push('\n'),
                    't' => s.push('\t'),
                    c @ ('"' | '\\' | '/') => s.push(c),
                    _ => return None,
                },
                c => s.push(c),
            }
        }
        out.push(s);
        skip_ws(&mut chars);
        match chars.next()? {
            ',' => continue,
            ']' => break,
            _ => return None,
        }
    }
    skip_ws(&mut chars);
    chars.next().is_none().then_some(out)
}

/// A path relative to the build context, without `./` and trailing `/`.
fn normalize(path: &str) -> String {
    let p = path.trim().trim_start_matches("./").trim_end_matches('/');
    if p.is_empty() { ".".into() } else { p.into() }
}

/// Whether `COPY`/`ADD` source `src` (a path, a folder or a glob) includes `file`.
fn source_covers(src: &str, file: &str) -> bool {
    let src = normalize(src);
    if src == "." || src == "*" {
        return true;
    }
    if src.contains(['*', '?']) {
        return glob(&src, file) || file.split('/').next().is_some_and(|top| glob(&src, top));
    }
    file == src || file.starts_with(&format!("{src}/"))
}

/// `*` and `?` within one path, `*` not crossing `/`.
fn glob(pattern: &str, text: &str) -> bool {
    match (pattern.chars().next(), text.chars().next()) {
        (None, None) => true,
        (Some('*'), _) => {
            glob(&pattern[1..], text)
                || text
                    .chars()
                    .next()
                    .is_some_and(|c| c != '/' && glob(pattern, &text[c.len_utf8()..]))
        }
        (Some('?'), Some(c)) if c != '/' => glob(&pattern[1..], &text[c.len_utf8()..]),
        (Some(p), Some(c)) if p == c => glob(&pattern[p.len_utf8()..], &text[c.len_utf8()..]),
        _ => false,
    }
}

/// Why an instruction was rebuilt or reused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheOutcome {
    /// Reused from the cache.
    Hit,
    /// A `COPY`/`ADD` whose sources include the changed file.
    ChangedFiles,
    /// A `COPY --from` or `FROM` of a stage that produced something new.
    ChangedStage(usize),
    /// Rebuilt because an earlier instruction of the stage missed.
    AfterMiss,
}

/// The simulated build of one Dockerfile after one file changed.
#[derive(Debug, Clone, PartialEq)]
pub struct Rebuild {
    /// One outcome per instruction.
    pub outcomes: Vec<CacheOutcome>,
    /// Simulated seconds per instruction (a cold build; a hit costs nothing).
    pub costs: Vec<f64>,
}

impl Rebuild {
    /// Layers (RUN/COPY/ADD) that are rebuilt.
    pub fn layers_rebuilt(&self, df: &Dockerfile) -> usize {
        df.instructions
            .iter()
            .zip(&self.outcomes)
            .filter(|(ins, o)| ins.kind.creates_layer() && **o != CacheOutcome::Hit)
            .count()
    }

    /// Simulated seconds spent rebuilding.
    pub fn cost(&self) -> f64 {
        self.outcomes
            .iter()
            .zip(&self.costs)
            .filter(|(o, _)| **o != CacheOutcome::Hit)
            .fold(0.0, |sum, (_, c)| sum + c)
    }

    /// Simulated seconds of a build without any cache.
    pub fn cold_cost(&self) -> f64 {
        self.costs.iter().fold(0.0, |sum, c| sum + c)
    }
}

/// Simulated seconds of each instruction of a cold build. A `cargo build` compiles every
/// dependency unless an earlier `cargo build` of the same stage already did (its `target/`
/// is in a lower layer), and compiles the workspace crates only once real sources were copied.
pub fn costs(df: &Dockerfile, cfg: &Config) -> Vec<f64> {
    let mut out = vec![0.0; df.instructions.len()];
    for stage in &df.stages {
        let mut deps_built = stage.base_stage.is_some_and(|b| stage_builds_deps(df, b));
        let mut sources_copied = false;
        for &i in &stage.instructions {
            let ins = &df.instructions[i];
            out[i] = match ins.kind {
                Kind::Copy | Kind::Add => {
                    if ins.flag("from").is_none()
                        && ins.words().split_last().is_some_and(|(_, srcs)| {
                            srcs.iter().any(|s| {
                                let s = normalize(s);
                                s == "." || s == "src" || s.ends_with("/src")
                            })
                        })
                    {
                        sources_copied = true;
                    }
                    1.0
                }
                Kind::Run if ins.args.contains("cargo build") => {
                    // quiz:begin cargo-cost
                    let mut seconds = if sources_copied { cfg.crate_cost } else { 1.0 };
                    if !deps_built {
                        seconds += cfg.deps_cost;
                        deps_built = true;
                    }
                    seconds
                    // quiz:end cargo-cost
                }
                Kind::Run if ins.args.contains("apt-get") || ins.args.contains("pip install") => {
                    30.0
                }
                Kind::Run => 2.0,
                _ => 0.0,
            };
        }
    }
    out
}

fn stage_builds_deps(df: &Dockerfile, s: usize) -> bool {
    let stage = &df.stages[s];
    stage.base_stage.is_some_and(|b| stage_builds_deps(df, b))
        || stage.instructions.iter().any(|&i| {
            df.instructions[i].kind == Kind::Run && df.instructions[i].args.contains("cargo build")
        })
}

/// Replays the cache rules for a build after `changed` was edited.
pub fn rebuild(df: &Dockerfile, cfg: &Config, changed: &str) -> Rebuild {
    let mut outcomes = vec![CacheOutcome::Hit; df.instructions.len()];
    let mut stage_changed = vec![false; df.stages.len()];
    let stage_by_name = |name: &str| {
        df.stages
            .iter()
            .position(|s| s.name.as_deref() == Some(name.to_ascii_lowercase().as_str()))
            .or_else(|| name.parse::<usize>().ok().filter(|&n| n < df.stages.len()))
    };
    for stage in &df.stages {
        // quiz:begin cache-invalidation
        let mut missed = stage.base_stage.is_some_and(|b| stage_changed[b]);
        for &i in &stage.instructions {
            let ins = &df.instructions[i];
            let outcome = if missed {
                CacheOutcome::AfterMiss
            } else if let Some(from) = ins.flag("from").filter(|_| ins.kind == Kind::Copy) {
                match stage_by_name(from) {
                    Some(s) if stage_changed[s] => CacheOutcome::ChangedStage(s),
                    _ => CacheOutcome::Hit,
                }
            } else if matches!(ins.kind, Kind::Copy | Kind::Add)
                && ins
                    .words()
                    .split_last()
                    .is_some_and(|(_, srcs)| srcs.iter().any(|src| source_covers(src, changed)))
            {
                CacheOutcome::ChangedFiles
            } else {
                CacheOutcome::Hit
            };
            if outcome != CacheOutcome::Hit {
                missed = true;
            }
            outcomes[i] = outcome;
        }
        // quiz:end cache-invalidation
        if let Some(b) = stage.base_stage.filter(|&b| stage_changed[b]) {
            outcomes[stage.instructions[0]] = CacheOutcome::ChangedStage(b);
        }
        stage_changed[stage.index] = missed;
    }
    Rebuild {
        outcomes,
        costs: costs(df, cfg),
    }
}

/// What `docker run` executes: `run_args` are the words after the image name.
///
/// CMD gives defaults that any `run_args` replace; an exec-form ENTRYPOINT is always run and
/// receives them; a shell-form ENTRYPOINT ignores both.
pub fn run_command(
    entrypoint: Option<&Form>,
    cmd: Option<&Form>,
    run_args: &[String],
) -> Vec<String> {
    // quiz:begin run-command
    let args = if run_args.is_empty() {
        cmd.map(Form::argv).unwrap_or_default()
    } else {
        run_args.to_vec()
    };
    match entrypoint {
        Some(Form::Shell(line)) => Form::Shell(line.clone()).argv(),
        Some(Form::Exec(program)) => [program.clone(), args].concat(),
        None => args,
    }
    // quiz:end run-command
}

fn short(s: &str, n: usize) -> String {
    if s.chars().count() > n {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    } else {
        s.to_string()
    }
}

fn stage_label(df: &Dockerfile, s: usize) -> String {
    match &df.stages[s].name {
        Some(n) => format!("{s} ({n})"),
        None => s.to_string(),
    }
}

fn outcome_text(df: &Dockerfile, o: &CacheOutcome) -> String {
    match o {
        CacheOutcome::Hit => "キャッシュ".into(),
        CacheOutcome::ChangedFiles => "再実行: コピーするファイルが変わった".into(),
        CacheOutcome::ChangedStage(s) => {
            format!(
                "再実行: ステージ {} の成果物が変わった",
                stage_label(df, *s)
            )
        }
        CacheOutcome::AfterMiss => "再実行: 前の命令でキャッシュが外れた".into(),
    }
}

fn cache_table(name: &str, df: &Dockerfile, rb: &Rebuild) -> Table {
    Table {
        name: name.into(),
        columns: vec![
            "行".into(),
            "ステージ".into(),
            "命令".into(),
            "結果".into(),
            "秒".into(),
        ],
        rows: df
            .instructions
            .iter()
            .enumerate()
            .filter(|(_, ins)| ins.stage.is_some())
            .map(|(i, ins)| {
                let rebuilt = rb.outcomes[i] != CacheOutcome::Hit;
                let flags: String = ins
                    .flags
                    .iter()
                    .map(|(k, v)| format!("--{k}={v} "))
                    .collect();
                vec![
                    ins.line.to_string(),
                    ins.stage.map_or_else(String::new, |s| s.to_string()),
                    short(&format!("{} {flags}{}", ins.kind.name(), ins.args), 44),
                    outcome_text(df, &rb.outcomes[i]),
                    if rebuilt {
                        format!("{}", rb.costs[i])
                    } else {
                        "0".into()
                    },
                ]
            })
            .collect(),
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

fn show_argv(argv: &[String]) -> String {
    if argv.is_empty() {
        return "(なし: 起動できない)".into();
    }
    let quoted: Vec<String> = argv
        .iter()
        .map(|a| {
            if a.contains(char::is_whitespace) {
                format!("\"{a}\"")
            } else {
                a.clone()
            }
        })
        .collect();
    quoted.join(" ")
}

fn pid1(argv: &[String]) -> String {
    match argv.first().map(String::as_str) {
        Some("/bin/sh") => "シェル (シグナルはプログラムに届かない)".into(),
        Some(p) => p.to_string(),
        None => "—".into(),
    }
}

/// What the instructions of one kind do in this file.
fn explain(kind: Kind, list: &[&Instruction], df: &Dockerfile) -> String {
    let args: Vec<String> = list.iter().map(|i| short(i.args.trim(), 24)).collect();
    match kind {
        Kind::From => format!(
            "ステージを始める。ステージ {} 個 = マルチステージ{}",
            df.stages.len(),
            if df.stages.len() > 1 {
                ""
            } else {
                "ではない"
            }
        ),
        Kind::Arg => {
            let scoped: Vec<String> = list
                .iter()
                .map(|i| match i.stage {
                    None => format!("{} (FROM の前: FROM 行だけ)", short(&i.args, 20)),
                    Some(s) => format!("{} (ステージ {s} のビルド中だけ)", short(&i.args, 20)),
                })
                .collect();
            format!(
                "ビルド時の変数。コンテナには残らない: {}",
                scoped.join("; ")
            )
        }
        Kind::Env => format!(
            "環境変数。以降の命令と起動したコンテナで有効: {}",
            args.join("; ")
        ),
        Kind::Workdir => format!("作業ディレクトリ (無ければ作る): {}", args.join(" → ")),
        Kind::User => format!(
            "以降の RUN と起動時のプロセスのユーザー: {}",
            args.join(" → ")
        ),
        Kind::Run => format!(
            "ビルド時にコマンドを実行しレイヤーにする。{} 個 (キャッシュは命令の文字列で判定)",
            list.len()
        ),
        Kind::Copy => {
            let from = list.iter().filter(|i| i.flag("from").is_some()).count();
            format!(
                "ビルドコンテキストからコピー {} 個、別のステージから (--from) {} 個。キャッシュはファイルの内容で判定",
                list.len() - from,
                from
            )
        }
        Kind::Add => "COPY + tar の自動展開と URL の取得。ファイルを入れるだけなら COPY".into(),
        Kind::Expose => format!(
            "待ち受けポートの記録だけ (公開は docker run -p): {}",
            args.join(", ")
        ),
        Kind::Cmd | Kind::Entrypoint => {
            let forms: Vec<String> = list
                .iter()
                .filter_map(|i| {
                    i.form
                        .as_ref()
                        .map(|f| format!("行 {} {}", i.line, f.label()))
                })
                .collect();
            format!(
                "{}。複数あれば各ステージの最後の 1 つだけが有効: {}",
                if kind == Kind::Cmd {
                    "既定のコマンド/引数。docker run の引数で置き換わる"
                } else {
                    "必ず実行するプログラム。変えるには --entrypoint"
                },
                forms.join(", ")
            )
        }
        Kind::Label => "イメージのメタデータ".into(),
        Kind::Volume => "マウントポイントの宣言。データはコンテナの外に置かれる".into(),
        Kind::Shell => "シェル形式で使うシェルを変える".into(),
        Kind::Healthcheck => "起動後の死活監視コマンド".into(),
        Kind::Stopsignal => "docker stop が送るシグナル".into(),
        Kind::Onbuild => "このイメージを FROM にしたビルドで実行される".into(),
    }
}

fn run_knobs(k: &KnobValues, tr: &mut Trace) -> Result<Vec<Metric>, KernelError> {
    run(&Config::from_knobs(k), tr)
}
