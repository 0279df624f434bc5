//! The build cache rules of the Dockerfile reference ("Build cache"), replayed for one changed
//! file: which instructions are reused, which are rebuilt and why, and a simulated cost.

use super::Config;
use super::instruction::Kind;
use super::stage::Dockerfile;

/// A path relative to the build context, without `./` and trailing `/`.
pub(crate) fn normalize(path: &str) -> String {
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
