//! Validation of content files: everything `eshikaku lessons check` reports.

use super::code::{self, SnippetError};
use super::diagnostic::Diagnostic;
use super::model::{
    AREAS, Chapter, ChapterList, CodeRef, FORMAT_VERSION, KernelLink, Lesson, Question,
};
use super::safe_text;
use super::source::{Origin, SourceFile};
use super::yaml::{self, Parsed, Pos, Seg};
use eshikaku_kernels::registry;
use std::collections::{HashMap, HashSet};

/// A lesson that passed its checks, with the file it came from.
#[derive(Debug, Clone)]
pub struct LessonEntry {
    pub lesson: Lesson,
    pub path: String,
    pub origin: Origin,
}

/// What checking one set of files (built-in, or one folder) found.
#[derive(Debug, Default)]
pub struct CheckedSet {
    pub chapters: Vec<Chapter>,
    pub lessons: Vec<LessonEntry>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Checks `files` (one origin). `known_chapters` are chapters defined elsewhere (the built-in
/// list when checking a folder). Lessons with problems are left out of the result.
pub fn check_set(files: &[SourceFile], known_chapters: &[Chapter]) -> CheckedSet {
    let mut out = CheckedSet::default();
    for f in files.iter().filter(|f| f.is_chapter_list()) {
        check_chapters(f, &mut out);
    }
    let mut chapters: Vec<&Chapter> = known_chapters.iter().collect();
    chapters.extend(out.chapters.iter());
    let chapter_ids: Vec<&str> = chapters.iter().map(|c| c.id.as_str()).collect();

    let mut seen: HashMap<String, (String, Pos)> = HashMap::new();
    let mut lessons = Vec::new();
    for f in files.iter().filter(|f| !f.is_chapter_list()) {
        let parsed = match yaml::parse::<Lesson>(&f.text) {
            Ok(p) => p,
            Err(e) => {
                out.diagnostics
                    .push(Diagnostic::new(&f.path, e.pos, e.message));
                continue;
            }
        };
        let before = out.diagnostics.len();
        let id_pos = parsed.pos(&[Seg::Key("id")]);
        let id = parsed.value.id.clone();
        match seen.get(&id) {
            Some((first, first_pos)) => out.diagnostics.push(Diagnostic::new(
                &f.path,
                id_pos,
                format!(
                    "duplicate lesson id `{id}` (first defined at {first}:{}:{}): give this lesson its own id",
                    first_pos.line, first_pos.col
                ),
            )),
            None => {
                seen.insert(id.clone(), (f.path.clone(), id_pos));
            }
        }
        check_lesson(f, &parsed, &chapter_ids, &mut out.diagnostics);
        control_chars(f, &parsed, &mut out.diagnostics);
        if out.diagnostics.len() == before {
            lessons.push(LessonEntry {
                lesson: parsed.value,
                path: f.path.clone(),
                origin: f.origin,
            });
        }
    }
    out.lessons = lessons;
    out.diagnostics.sort();
    out
}

fn check_chapters(f: &SourceFile, out: &mut CheckedSet) {
    let parsed = match yaml::parse::<ChapterList>(&f.text) {
        Ok(p) => p,
        Err(e) => {
            out.diagnostics
                .push(Diagnostic::new(&f.path, e.pos, e.message));
            return;
        }
    };
    let d = &mut out.diagnostics;
    control_chars(f, &parsed, d);
    if parsed.value.format_version != FORMAT_VERSION {
        d.push(Diagnostic::new(
            &f.path,
            parsed.pos(&[Seg::Key("format_version")]),
            format!("format_version must be {FORMAT_VERSION}"),
        ));
    }
    // Sets, not scans of the earlier items: a hostile file may hold 100 000 of them.
    let mut ids = HashSet::new();
    for (i, c) in parsed.value.chapters.iter().enumerate() {
        let at = |k| parsed.pos(&[Seg::Key("chapters"), Seg::Index(i), Seg::Key(k)]);
        if !valid_id(&c.id) {
            d.push(Diagnostic::new(
                &f.path,
                at("id"),
                bad_id_message("chapter", &c.id),
            ));
        }
        if !ids.insert(c.id.as_str()) {
            d.push(Diagnostic::new(
                &f.path,
                at("id"),
                format!("duplicate chapter id `{}`", c.id),
            ));
        }
        if c.title.trim().is_empty() {
            d.push(Diagnostic::new(
                &f.path,
                at("title"),
                "chapter title is empty",
            ));
        }
    }
    // Chapters are kept even with problems (lessons refer to them): make their text inert.
    out.chapters
        .extend(parsed.value.chapters.into_iter().map(|c| Chapter {
            id: safe_text::inert(&c.id).into_owned(),
            title: safe_text::inert(&c.title).into_owned(),
        }));
}

/// Reports control characters anywhere in the file's text (see [`safe_text`]), so a lesson
/// that would drive the learner's terminal is skipped instead of rendered.
fn control_chars<T>(f: &SourceFile, p: &Parsed<T>, d: &mut Vec<Diagnostic>) {
    for (pos, text) in p.scalars() {
        if let Some((i, c)) = safe_text::first_forbidden(text) {
            d.push(Diagnostic::new(
                &f.path,
                pos,
                safe_text::forbidden_message(i, c),
            ));
        }
    }
}

fn check_lesson(f: &SourceFile, p: &Parsed<Lesson>, chapters: &[&str], d: &mut Vec<Diagnostic>) {
    let l = &p.value;
    let mut err = |pos: Pos, msg: String| d.push(Diagnostic::new(&f.path, pos, msg));
    if l.format_version != FORMAT_VERSION {
        err(
            p.pos(&[Seg::Key("format_version")]),
            format!(
                "unsupported format_version {}: this eshikaku reads format_version {FORMAT_VERSION}",
                l.format_version
            ),
        );
    }
    let id_pos = p.pos(&[Seg::Key("id")]);
    if !valid_id(&l.id) {
        err(id_pos, bad_id_message("lesson", &l.id));
    }
    let stem = f.rel.rsplit('/').next().unwrap_or(&f.rel);
    let stem = stem.trim_end_matches(".yaml").trim_end_matches(".yml");
    if stem != l.id {
        err(
            id_pos,
            format!(
                "lesson id `{}` does not match the file name `{stem}`: rename the file to `{}.yaml` or change the id",
                l.id, l.id
            ),
        );
    }
    if !chapters.contains(&l.chapter.as_str()) {
        err(
            p.pos(&[Seg::Key("chapter")]),
            unknown_chapter_message(&l.chapter, chapters),
        );
    }
    for (key, empty) in [
        ("title", l.title.trim().is_empty()),
        ("syllabus", l.syllabus.trim().is_empty()),
        ("body", l.body.is_empty()),
    ] {
        if empty {
            err(
                p.pos(&[Seg::Key(key)]),
                format!("`{key}` must not be empty"),
            );
        }
    }
    for (i, s) in l.body.iter().enumerate() {
        if s.text.trim().is_empty() {
            err(
                p.pos(&[Seg::Key("body"), Seg::Index(i), Seg::Key("text")]),
                "section text is empty".into(),
            );
        }
    }
    if let Some(k) = &l.kernel {
        for (pos, msg) in kernel_problems(p, k) {
            err(pos, msg);
        }
    }
    let mut ids = HashSet::new();
    for (i, q) in l.questions.iter().enumerate() {
        let at = |k: &str| p.pos(&[Seg::Key("questions"), Seg::Index(i), Seg::Key(k)]);
        if !ids.insert(q.id.as_str()) {
            err(
                at("id"),
                format!("duplicate question id `{}` in this lesson", q.id),
            );
        }
        for msg in question_problems(q) {
            let (key, text) = msg;
            err(at(key), text);
        }
    }
}

/// Problems of a lesson's kernel link: an unknown kernel, or notes for steps it does not have.
fn kernel_problems(p: &Parsed<Lesson>, k: &KernelLink) -> Vec<(Pos, String)> {
    let mut out = Vec::new();
    match registry::find(&k.id) {
        None => out.push((
            p.pos(&[Seg::Key("kernel"), Seg::Key("id")]),
            format!(
                "unknown kernel `{}`: known kernels are {} (see `eshikaku list`)",
                k.id,
                registry::all()
                    .iter()
                    .map(|k| k.id)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
        Some(info) => {
            for key in k.step_notes.keys() {
                if info.step_title(key).is_none() {
                    out.push((
                        p.key_pos(&[Seg::Key("kernel"), Seg::Key("step_notes")], key),
                        format!(
                            "kernel `{}` has no step `{key}`: its steps are {}",
                            k.id,
                            info.steps
                                .iter()
                                .map(|s| s.key)
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ));
                }
            }
        }
    }
    out
}

/// Problems of one question, each with the key it is about.
fn question_problems(q: &Question) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if q.prompt.trim().is_empty() {
        out.push(("prompt", "question prompt is empty".to_string()));
    }
    if let Some(area) = &q.area
        && !AREAS.contains(&area.as_str())
    {
        out.push((
            "area",
            format!(
                "unknown syllabus area `{area}`: use one of {}",
                AREAS.join(", ")
            ),
        ));
    }
    if q.explanation.trim().is_empty() {
        out.push((
            "explanation",
            "explain the answer: `explanation` is empty".to_string(),
        ));
    }
    let n = q.choices.len();
    if n < 2 {
        out.push((
            "choices",
            format!("a question needs at least 2 choices (the exam uses 4); it has {n}"),
        ));
    }
    let mut seen = HashSet::new();
    for (i, c) in q.choices.iter().enumerate() {
        if c.trim().is_empty() {
            out.push(("choices", format!("choice {} is empty", i + 1)));
        } else if !seen.insert(c.as_str()) {
            out.push((
                "choices",
                format!("choice {} repeats an earlier choice", i + 1),
            ));
        }
    }
    if q.answer == 0 || q.answer > n {
        out.push((
            "answer",
            format!(
                "answer {} is out of range: it counts from 1 and this question has {n} choices",
                q.answer
            ),
        ));
    }
    if let Some(c) = &q.code {
        code_problems(q, c, &mut out);
    }
    out
}

/// Problems of a code-fill question's code.
fn code_problems(q: &Question, c: &CodeRef, out: &mut Vec<(&'static str, String)>) {
    let place = match (&c.file, &c.marker) {
        (Some(f), Some(m)) => format!("the code marked `{m}` in kernels/src/{f}"),
        _ => "`code.text`".to_string(),
    };
    match code::code_text(c) {
        Err(SnippetError::OutsideSources) => out.push((
            "code",
            format!(
                "code.file `{}` is outside kernels/src/: give a relative path inside it, like `nn/norm.rs` (lessons may only quote the built-in kernel sources; `..`, `./` and absolute paths are refused)",
                c.file.as_deref().unwrap_or("")
            ),
        )),
        Err(SnippetError::NotOneSource) => out.push((
            "code",
            "give either `file` and `marker` (Rust cut from a kernel) or `text` (code written here), not both"
                .to_string(),
        )),
        Err(SnippetError::NoFile) => out.push((
            "code",
            format!(
                "kernel source `kernels/src/{}` does not exist: give a path relative to kernels/src/",
                c.file.as_deref().unwrap_or("")
            ),
        )),
        Err(SnippetError::NoBegin | SnippetError::NoEnd) => out.push((
            "code",
            format!(
                "marker `{m}` not found in kernels/src/{f}: put `// quiz:begin {m}` and `// quiz:end {m}` around the code",
                m = c.marker.as_deref().unwrap_or(""),
                f = c.file.as_deref().unwrap_or("")
            ),
        )),
        Ok(text) => {
            if let Some(correct) = q.answer.checked_sub(1).and_then(|i| q.choices.get(i))
                && !text.contains(correct.as_str())
            {
                out.push((
                    "answer",
                    format!(
                        "the correct choice `{correct}` does not appear in {place}: the blank must be cut from the real code"
                    ),
                ));
            }
        }
    }
}

/// Ids are lowercase ASCII letters, digits, `-` and `_`, starting with a letter or digit.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        && id.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
}

fn unknown_chapter_message(chapter: &str, known: &[&str]) -> String {
    let choices = match known {
        [] => "no chapters are defined yet".to_string(),
        _ => format!("use one of {}", known.join(", ")),
    };
    format!("unknown chapter `{chapter}`: {choices} or add it to chapters.yaml")
}

fn bad_id_message(what: &str, id: &str) -> String {
    format!("{what} id `{id}` is not valid: use lowercase ASCII letters, digits, `-` and `_`")
}
