//! The steps of the `docker` kernel: what the run shows, built from the parsed Dockerfile and
//! the simulated rebuilds (the method itself is in `docker.rs`).

use super::*;

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
        s.table(Table {
            name: "命令".into(),
            columns: vec![
                "行".into(),
                "ステージ".into(),
                "命令".into(),
                "引数".into(),
                "レイヤー".into(),
                "効く時点".into(),
            ],
            rows: df
                .instructions
                .iter()
                .map(|ins| {
                    let flags: String = ins
                        .flags
                        .iter()
                        .map(|(k, v)| format!("--{k}={v} "))
                        .collect();
                    vec![
                        ins.line.to_string(),
                        ins.stage
                            .map_or_else(|| "(FROM の前)".into(), |s| s.to_string()),
                        ins.kind.name().into(),
                        short(&format!("{flags}{}", ins.args), 40),
                        if ins.kind.creates_layer() {
                            "○"
                        } else {
                            "—"
                        }
                        .into(),
                        ins.kind.when().into(),
                    ]
                })
                .collect(),
        });
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
        s.table(Table {
            name: "ステージ".into(),
            columns: vec![
                "ステージ".into(),
                "ベース".into(),
                "命令".into(),
                "レイヤー".into(),
                "ほかのステージからのコピー".into(),
            ],
            rows: df
                .stages
                .iter()
                .map(|st| {
                    let copies: Vec<String> = st
                        .instructions
                        .iter()
                        .filter_map(|&i| df.instructions[i].flag("from"))
                        .map(|f| format!("--from={f}"))
                        .collect();
                    vec![
                        stage_label(df, st.index),
                        match st.base_stage {
                            Some(b) => format!("ステージ {}", stage_label(df, b)),
                            None => st.base.clone(),
                        },
                        st.instructions.len().to_string(),
                        st.instructions
                            .iter()
                            .filter(|&&i| df.instructions[i].kind.creates_layer())
                            .count()
                            .to_string(),
                        copies.join(" "),
                    ]
                })
                .collect(),
        });
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
        let rows = by_kind
            .iter()
            .map(|(kind, list)| {
                let lines: Vec<String> = list.iter().map(|i| i.line.to_string()).collect();
                vec![
                    kind.name().to_string(),
                    lines.join(","),
                    if kind.creates_layer() { "○" } else { "—" }.into(),
                    kind.when().to_string(),
                    explain(*kind, list, df),
                ]
            })
            .collect();
        s.table(Table {
            name: "命令の種類".into(),
            columns: vec![
                "命令".into(),
                "行".into(),
                "レイヤー".into(),
                "効く時点".into(),
                "この Dockerfile では".into(),
            ],
            rows,
        });
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
        s.table(Table {
            name: "変更したファイル → 再ビルド (レイヤー数 / 秒)".into(),
            columns: vec![
                "変更したファイル".into(),
                "この Dockerfile".into(),
                "素朴な順序".into(),
            ],
            rows: paths
                .iter()
                .map(|p| {
                    let g = rebuild(df, cfg, p);
                    let n = rebuild(naive, cfg, p);
                    vec![
                        p.clone(),
                        format!("{} / {}", g.layers_rebuilt(df), g.cost()),
                        format!("{} / {}", n.layers_rebuilt(naive), n.cost()),
                    ]
                })
                .collect(),
        });
    })
}
