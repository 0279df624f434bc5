//! The steps of the `docker` kernel: what the run shows, built from the parsed Dockerfile and
//! the simulated rebuilds (the method itself is in `stage.rs`, `cache.rs` and `command.rs`).

use super::command::{pid1, show_argv};
use super::*;
use crate::trace::{Cell, Table};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The parsed file: instructions, the layers they create, when each takes effect.
pub(super) fn step_parse(
    tr: &mut Trace,
    path: &str,
    df: &Dockerfile,
    layers: usize,
) -> Result<(), KernelError> {
    tr.step("parse", |s| {
        let mut t = format!(
            "{path}: 命令 {} 個、ステージ {} 個、レイヤーを作る命令 (RUN・COPY・ADD) {} 個。",
            df.instructions.len(),
            df.stages.len(),
            layers
        );
        for (k, v) in &df.directives {
            let _ = write!(
                t,
                "\nパーサーディレクティブ # {k}={v} (FROM より前、ファイルの先頭だけに書ける)"
            );
        }
        for w in &df.warnings {
            let _ = write!(t, "\n注意 (行 {w}");
            t.push(')');
        }
        s.text(t);
        s.scalar("instructions", df.instructions.len() as f64);
        s.scalar("layers", layers as f64);
        let columns = ["行", "ステージ", "命令", "引数", "レイヤー", "効く時点"];
        s.table(Table::new("命令", columns).rows(&df.instructions, |ins| {
            let flags: String = ins
                .flags
                .iter()
                .map(|(k, v)| format!("--{k}={v} "))
                .collect();
            [
                Cell::from(ins.line),
                ins.stage
                    .map_or_else(|| Cell::from("(FROM の前)"), Cell::from),
                ins.kind.name().into(),
                short(&format!("{flags}{}", ins.args), 40).into(),
                if ins.kind.creates_layer() {
                    "○"
                } else {
                    "—"
                }
                .into(),
                ins.kind.when().into(),
            ]
        }));
    })
}

/// The stages of a multi-stage build and what the final image holds.
pub(super) fn step_stages(tr: &mut Trace, df: &Dockerfile) -> Result<(), KernelError> {
    tr.step("stages", |s| {
        let last = df.stages.len() - 1;
        let mut t = String::new();
        let _ = write!(
            t,
            "最終的なイメージになるのは最後のステージ {} だけです。",
            stage_label(df, last)
        );
        if !df.global_args.is_empty() {
            let names: Vec<&str> = df.global_args.keys().map(String::as_str).collect();
            let _ = write!(
                t,
                "\nFROM の前の ARG ({}) はどのステージにも属さず、FROM 行の中でだけ使えます。",
                names.join(", ")
            );
        }
        s.text(t);
        let columns = [
            "ステージ",
            "ベース",
            "命令",
            "レイヤー",
            "ほかのステージからのコピー",
        ];
        s.table(Table::new("ステージ", columns).rows(&df.stages, |st| {
            let copies: Vec<String> = st
                .instructions
                .iter()
                .filter_map(|&i| df.instructions[i].flag("from"))
                .map(|f| format!("--from={f}"))
                .collect();
            let base = match st.base_stage {
                Some(b) => format!("ステージ {}", stage_label(df, b)),
                None => st.base.clone(),
            };
            let layers = st
                .instructions
                .iter()
                .filter(|&&i| df.instructions[i].kind.creates_layer())
                .count();
            [
                Cell::from(stage_label(df, st.index)),
                base.into(),
                st.instructions.len().into(),
                layers.into(),
                copies.join(" ").into(),
            ]
        }));
        s.scalar("stages", df.stages.len() as f64);
    })
}

/// Each instruction kind as this file uses it; whether the final user is not root.
pub(super) fn step_instructions(tr: &mut Trace, df: &Dockerfile) -> Result<bool, KernelError> {
    // Per kind, what this file does with it.
    let mut by_kind: BTreeMap<Kind, Vec<&Instruction>> = BTreeMap::new();
    for ins in &df.instructions {
        by_kind.entry(ins.kind).or_default().push(ins);
    }
    let final_stage = &df.stages[df.stages.len() - 1];
    let final_user = final_stage
        .instructions
        .iter()
        .rev()
        .map(|&i| &df.instructions[i])
        .find(|i| i.kind == Kind::User)
        .map(|i| i.args.trim().to_string());
    let non_root = final_user
        .as_deref()
        .is_some_and(|u| !matches!(u.split(':').next(), Some("root" | "0")));
    tr.step("instructions", |s| {
        let columns = ["命令", "行", "レイヤー", "効く時点", "この Dockerfile では"];
        s.table(
            Table::new("命令の種類", columns).rows(&by_kind, |(kind, list)| {
                let lines: Vec<String> = list.iter().map(|i| i.line.to_string()).collect();
                [
                    Cell::from(kind.name()),
                    lines.join(",").into(),
                    if kind.creates_layer() { "○" } else { "—" }.into(),
                    kind.when().into(),
                    explain(*kind, list, df).into(),
                ]
            }),
        );
        s.text(match &final_user {
            Some(u) if non_root => {
                format!("最終ステージは USER {u} で、起動したプロセスは root ではありません。")
            }
            Some(u) => format!("最終ステージの USER は {u} (root) です。"),
            None => "最終ステージに USER が無いので、コンテナのプロセスは root で動きます。".into(),
        });
    })?;
    Ok(non_root)
}

/// What `docker run` executes (ENTRYPOINT and CMD of the final stage).
pub(super) fn step_command(tr: &mut Trace, df: &Dockerfile) -> Result<(), KernelError> {
    let final_stage = &df.stages[df.stages.len() - 1];
    // What `docker run` executes, from the final stage's last ENTRYPOINT and CMD.
    let last_of = |kind: Kind| {
        final_stage
            .instructions
            .iter()
            .rev()
            .map(|&i| &df.instructions[i])
            .find(|i| i.kind == kind)
            .and_then(|i| i.form.clone())
    };
    let entrypoint = last_of(Kind::Entrypoint);
    let cmd = last_of(Kind::Cmd);
    tr.step("command", |s| {
        let example: Vec<String> = vec!["list".into()];
        let cases: [(&str, &[String]); 2] = [("docker run IMAGE", &[]), ("docker run IMAGE list", &example)];
        let mut rows = Vec::new();
        for (how, run_args) in cases {
            let argv = run_command(entrypoint.as_ref(), cmd.as_ref(), run_args);
            rows.push(vec![how.to_string(), show_argv(&argv), pid1(&argv)]);
        }
        let argv = run_command(None, None, &["sh".to_string()]);
        rows.push(vec![
            "docker run --entrypoint sh IMAGE".into(),
            show_argv(&argv),
            pid1(&argv),
        ]);
        s.table(Table {
            name: "実行されるコマンド".into(),
            columns: vec!["起動のしかた".into(), "実行されるコマンド".into(), "PID 1".into()],
            rows: rows.into(),
        });
        let mut t = String::new();
        match &entrypoint {
            Some(f) => {
                let _ = write!(t, "ENTRYPOINT は {}。", f.label());
            }
            None => t.push_str("ENTRYPOINT はありません。"),
        }
        match &cmd {
            Some(f) => {
                let _ = write!(t, " CMD は {}。", f.label());
            }
            None => t.push_str(" CMD はありません。"),
        }
        t.push_str(
            " docker run の引数は CMD を置き換え、exec 形式の ENTRYPOINT の後ろに付きます。--entrypoint を使うとイメージの CMD も消えます。",
        );
        s.text(t);
    })
}

/// The rebuild after a one-line change, the naive ordering, and other changed files.
pub(super) fn step_cache(
    tr: &mut Trace,
    cfg: &Config,
    (df, naive): (&Dockerfile, &Dockerfile),
    (given, base): (&Rebuild, &Rebuild),
) -> Result<(), KernelError> {
    let given_layers = given.layers_rebuilt(df);
    let naive_layers = base.layers_rebuilt(naive);
    tr.step("cache", |s| {
        s.text(format!(
            "{} を 1 行変えて再ビルドすると: レイヤー {} 個を作り直し、約 {} 秒 (キャッシュなしの全ビルドは約 {} 秒)。",
            cfg.changed,
            given_layers,
            given.cost(),
            given.cold_cost()
        ));
        s.table(cache_table("再ビルド", df, given));
        s.scalar("layers_rebuilt", given_layers as f64);
        s.scalar("rebuild_cost_s", given.cost());
    })?;
    tr.step("naive", |s| {
        s.text(format!(
            "同じプロジェクトを COPY . . → cargo build の順に書くと、{} の変更でレイヤー {} 個、約 {} 秒。依存クレートのコンパイル ({} 秒) も毎回やり直しです。",
            cfg.changed,
            naive_layers,
            base.cost(),
            cfg.deps_cost
        ));
        s.table(cache_table("素朴な順序の再ビルド", naive, base));
        s.scalar("naive_layers_rebuilt", naive_layers as f64);
        s.scalar("naive_rebuild_cost_s", base.cost());
    })?;

    tr.step("scenarios", |s| {
        let mut paths = vec![
            cfg.changed.clone(),
            "src/main.rs".into(),
            "content/06_dev_env/docker.yaml".into(),
            "kernels/src/lib.rs".into(),
            "Cargo.toml".into(),
            "README.md".into(),
        ];
        let mut seen = std::collections::BTreeSet::new();
        paths.retain(|p| seen.insert(p.clone()));
        let columns = ["変更したファイル", "この Dockerfile", "素朴な順序"];
        let name = "変更したファイル → 再ビルド (レイヤー数 / 秒)";
        s.table(Table::new(name, columns).rows(&paths, |p| {
            let (g, n) = (rebuild(df, cfg, p), rebuild(naive, cfg, p));
            let cell = |r: &Rebuild, d: &Dockerfile| {
                Cell::from(format!("{} / {}", r.layers_rebuilt(d), r.cost()))
            };
            [Cell::from(p.clone()), cell(&g, df), cell(&n, naive)]
        }));
    })
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
    let staged = df
        .instructions
        .iter()
        .enumerate()
        .filter(|(_, ins)| ins.stage.is_some());
    Table::new(name, ["行", "ステージ", "命令", "結果", "秒"]).rows(staged, |(i, ins)| {
        let rebuilt = rb.outcomes[i] != CacheOutcome::Hit;
        let flags: String = ins
            .flags
            .iter()
            .map(|(k, v)| format!("--{k}={v} "))
            .collect();
        let text = short(&format!("{} {flags}{}", ins.kind.name(), ins.args), 44);
        [
            Cell::from(ins.line),
            ins.stage.map_or_else(|| Cell::from(""), Cell::from),
            text.into(),
            outcome_text(df, &rb.outcomes[i]).into(),
            (if rebuilt { rb.costs[i] } else { 0.0 }).into(),
        ]
    })
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
