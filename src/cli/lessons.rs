//! `eshikaku lessons check|schema|new`.

use crate::content;
use crate::content::stats::QuestionStats;
use eshikaku_kernels::registry;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Validates the built-in lessons, or the lessons in `dir`; exit 1 if anything is wrong.
pub fn check(dir: Option<&Path>) -> ExitCode {
    let set = match dir {
        None => content::check_builtin(),
        Some(d) => content::check_folder(d, &content::check_builtin().chapters),
    };
    report_stats(&set.lessons);
    if set.diagnostics.is_empty() {
        let questions: usize = set.lessons.iter().map(|l| l.lesson.questions.len()).sum();
        println!(
            "{} lessons, {} questions, {} kernels: ok",
            set.lessons.len(),
            questions,
            registry::all().len()
        );
        ExitCode::SUCCESS
    } else {
        for d in &set.diagnostics {
            println!("{d}");
        }
        eprintln!("{} problem(s) found", set.diagnostics.len());
        ExitCode::from(1)
    }
}

/// Per lesson, on stderr: questions by kind and the two give-away measures, with a
/// `warning:` line for each measure above its limit. The exit status does not depend on them.
fn report_stats(lessons: &[content::check::LessonEntry]) {
    for l in lessons {
        let s = QuestionStats::of(&l.lesson);
        eprintln!(
            "{}: {} questions ({} four-choice; code: {} Rust, {} Python, {} other); key uniquely longest {:.0}%, most keys at one position {:.0}%",
            l.path,
            s.total,
            s.four_choice,
            s.rust_code,
            s.python_code,
            s.other_code,
            s.longest_share * 100.0,
            s.max_position_share * 100.0
        );
        for w in s.warnings() {
            eprintln!("warning: {}: {w}", l.path);
        }
    }
}

/// The JSON Schema of a lesson file, pretty-printed.
fn schema_json() -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(&schemars::schema_for!(content::model::Lesson))
}

/// Prints the JSON Schema of a lesson file.
pub fn schema() -> ExitCode {
    match schema_json() {
        Ok(s) => {
            println!("{s}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: cannot write the schema: {e}");
            ExitCode::from(2)
        }
    }
}

/// The schema file `lessons new` writes at the root of the content folder.
const SCHEMA_FILE: &str = "lesson.schema.json";

/// `eshikaku lessons new ID --chapter CHAPTER [--dir DIR]`: writes a lesson skeleton that
/// passes `lessons check` to `DIR/<NN_chapter>/ID.yaml`, and the JSON Schema next to it.
pub fn new(id: &str, chapter: &str, dir: Option<&Path>) -> ExitCode {
    match write_skeleton(id, chapter, dir.unwrap_or(Path::new("content"))) {
        Ok(path) => {
            println!("wrote {}", path.display());
            println!(
                "next: fill it in, then run `eshikaku lessons check {}`",
                dir.map_or_else(|| "".to_string(), |d| d.display().to_string())
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn write_skeleton(id: &str, chapter: &str, dir: &Path) -> Result<PathBuf, String> {
    if !content::check::valid_id(id) {
        return Err(format!(
            "lesson id `{id}` is not valid: use lowercase ASCII letters, digits, `-` and `_`"
        ));
    }
    // The chapters: built-in, plus the folder's own `chapters.yaml` if it has one.
    let mut chapters = content::check_builtin().chapters;
    if dir.join("chapters.yaml").is_file() {
        for c in content::check_folder(dir, &chapters).chapters {
            if !chapters.iter().any(|k| k.id == c.id) {
                chapters.push(c);
            }
        }
    }
    let Some(position) = chapters.iter().position(|c| c.id == chapter) else {
        let ids: Vec<&str> = chapters.iter().map(|c| c.id.as_str()).collect();
        return Err(format!(
            "unknown chapter `{chapter}`; chapters: {} (add new ones to {}/chapters.yaml)",
            ids.join(", "),
            dir.display()
        ));
    };
    let folder_name = chapter.replace('-', "_");
    // An existing `NN_chapter` folder wins; otherwise NN is the chapter's position.
    let existing = std::fs::read_dir(dir).ok().and_then(|entries| {
        entries.filter_map(Result::ok).map(|e| e.path()).find(|p| {
            p.is_dir()
                && p.file_name()
                    .and_then(|n| n.to_str())
                    .and_then(|n| n.split_once('_'))
                    .is_some_and(|(nn, rest)| {
                        !nn.is_empty()
                            && nn.chars().all(|c| c.is_ascii_digit())
                            && rest == folder_name
                    })
        })
    });
    let chapter_dir =
        existing.unwrap_or_else(|| dir.join(format!("{:02}_{folder_name}", position + 1)));
    let path = chapter_dir.join(format!("{id}.yaml"));
    if path.exists() {
        return Err(format!(
            "{} already exists: choose another id or edit that file",
            path.display()
        ));
    }
    std::fs::create_dir_all(&chapter_dir)
        .map_err(|e| format!("cannot create {}: {e}", chapter_dir.display()))?;
    let schema = schema_json().map_err(|e| format!("cannot write the schema: {e}"))?;
    let schema_path = dir.join(SCHEMA_FILE);
    std::fs::write(&schema_path, schema + "\n")
        .map_err(|e| format!("cannot write {}: {e}", schema_path.display()))?;
    std::fs::write(&path, skeleton(id, chapter))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}

/// A minimal lesson that passes `lessons check`, with every field shown once.
fn skeleton(id: &str, chapter: &str) -> String {
    format!(
        r#"# yaml-language-server: $schema=../{SCHEMA_FILE}
# A new lesson: replace every TODO, then run `eshikaku lessons check`.
# docs/authoring.md describes each field.
format_version: 1
id: {id}
title: "TODO: タイトル"
chapter: {chapter}
order: 1
syllabus: "深層学習の応用 > TODO"
summary: >-
  TODO: このレッスンで学ぶことを 1 段落で。

body:
  - heading: TODO 見出し
    text: |
      TODO: 本文 (です・ます調)。空行で段落を分け、「- 」で始まる行は箇条書きになります。

key_points:
  - "TODO: 試験のために覚えること"

formulas:
  - name: TODO 式の名前
    expr: "y = γ x̂ + β"
    note: "TODO: 記号の説明"

# kernel:
#   id: norm                  # `eshikaku list` shows the kernels and their step keys
#   step_notes:
#     batch_norm: >-
#       TODO: そのステップで見てほしいこと

questions:
  - id: q1
    area: 深層学習の応用
    prompt: "TODO: 問題文"
    choices:
      - "TODO: 選択肢 1"
      - "TODO: 選択肢 2"
      - "TODO: 選択肢 3"
      - "TODO: 選択肢 4"
    answer: 2
    explanation: >-
      TODO: 正解が正しい理由と、それぞれの誤りの選択肢が誤りである理由。

  - id: q2-python
    area: 深層学習の応用
    prompt: "TODO: 空欄に入るコードを選べ。"
    code:
      lang: python
      text: |
        def relu(x):
            return np.maximum(0, x)
    choices:
      - "np.maximum(0, x)"
      - "np.minimum(0, x)"
      - "np.abs(x)"
      - "x * (x < 0)"
    answer: 1
    explanation: >-
      TODO: 正解の理由と、各選択肢が誤りである理由。

  # A Rust code-fill question cuts the lines between `// quiz:begin <marker>` and
  # `// quiz:end <marker>` in kernels/src/<file>:
  # - id: q3-rust
  #   prompt: "TODO"
  #   code: {{file: norm.rs, marker: TODO}}
  #   choices: [...]
  #   answer: 1
  #   explanation: TODO

references:
  - title: "TODO: 論文や書籍"
    url: https://example.org/
"#
    )
}
