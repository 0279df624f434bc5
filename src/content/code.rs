//! The code of code-fill questions: snippets cut from kernel sources by marker comments, or
//! code written in the lesson.
//!
//! A snippet is the lines strictly between `// quiz:begin <marker>` and `// quiz:end <marker>`,
//! with their common indentation removed.

use super::model::{CodeRef, Question};
use super::source::kernel_source;

/// Why a question's code could not be found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnippetError {
    /// The path is absolute, climbs out with `..`, or is not a plain `/`-separated path.
    OutsideSources,
    NoFile,
    NoBegin,
    NoEnd,
    /// Neither `file` + `marker` nor `text` is given, or both are.
    NotOneSource,
}

/// The whole code of `c` (the correct choice still in it).
pub fn code_text(c: &CodeRef) -> Result<String, SnippetError> {
    match (&c.file, &c.marker, &c.text) {
        (Some(file), Some(marker), None) => snippet(file, marker),
        (None, None, Some(text)) => Ok(text.trim_end().to_string()),
        _ => Err(SnippetError::NotOneSource),
    }
}

/// The code of question `q` as shown to the learner: the first occurrence of the correct
/// choice replaced by [`BLANK`]. `None` for a question without code.
pub fn blanked(q: &Question) -> Option<Result<String, SnippetError>> {
    let c = q.code.as_ref()?;
    let correct = q.answer.checked_sub(1).and_then(|i| q.choices.get(i));
    Some(code_text(c).map(|text| match correct {
        Some(key) if !key.is_empty() => text.replacen(key.as_str(), BLANK, 1),
        _ => text,
    }))
}

/// The snippet marked `marker` in `kernels/src/<file>`.
pub fn snippet(file: &str, marker: &str) -> Result<String, SnippetError> {
    if !is_inside_sources(file) {
        return Err(SnippetError::OutsideSources);
    }
    let text = kernel_source(file).ok_or(SnippetError::NoFile)?;
    cut(text, marker)
}

/// Whether `file` names a file inside `kernels/src/`: relative, `/`-separated, without `.`,
/// `..` or empty parts. Lessons are data: they may quote the embedded kernel sources, nothing
/// else, whatever the lookup underneath would do with `../` or `/etc/passwd`.
pub fn is_inside_sources(file: &str) -> bool {
    !file.is_empty()
        && !file.contains(['\\', ':'])
        && file
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
}

/// The snippet marked `marker` in `text`. The end marker may also trail code on its line
/// (`} // quiz:end m`, as rustfmt sometimes places it); that code is part of the snippet.
pub fn cut(text: &str, marker: &str) -> Result<String, SnippetError> {
    let named = |rest: &str| rest.trim() == marker;
    let lines: Vec<&str> = text.lines().collect();
    let begin = lines
        .iter()
        .position(|l| l.trim().strip_prefix("// quiz:begin ").is_some_and(named))
        .ok_or(SnippetError::NoBegin)?;
    let (len, tail) = lines[begin + 1..]
        .iter()
        .enumerate()
        .find_map(|(i, l)| end_code(l, marker).map(|code| (i, code)))
        .ok_or(SnippetError::NoEnd)?;
    let mut body: Vec<&str> = lines[begin + 1..begin + 1 + len].to_vec();
    if !tail.trim().is_empty() {
        body.push(tail);
    }
    let indent = body
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    Ok(body
        .iter()
        .map(|l| l.get(indent..).unwrap_or("").trim_end())
        .collect::<Vec<_>>()
        .join("\n"))
}

/// The code before `// quiz:end <marker>` on `line`, if the line ends the snippet.
fn end_code<'a>(line: &'a str, marker: &str) -> Option<&'a str> {
    let at = line.find("// quiz:end ")?;
    (line[at + "// quiz:end ".len()..].trim() == marker).then(|| line[..at].trim_end())
}

/// The blank shown in place of the answer in a code-fill question.
pub const BLANK: &str = "［ ？ ］";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_between_markers_and_dedents() {
        let src = "fn f() {\n    // quiz:begin m\n    let a = 1;\n        let b = a;\n    // quiz:end m\n}\n";
        assert_eq!(cut(src, "m").as_deref(), Ok("let a = 1;\n    let b = a;"));
    }

    #[test]
    fn an_end_marker_may_trail_code() {
        let src =
            "match x {\n    // quiz:begin m\n    A => {\n        f();\n    } // quiz:end m\n}\n";
        assert_eq!(cut(src, "m").as_deref(), Ok("A => {\n    f();\n}"));
        assert_eq!(
            cut("// quiz:begin m\nx // quiz:end mm\n", "m"),
            Err(SnippetError::NoEnd)
        );
    }

    #[test]
    fn reports_missing_markers() {
        assert_eq!(cut("// quiz:begin x\n", "x"), Err(SnippetError::NoEnd));
        assert_eq!(
            cut("// quiz:begin x\n// quiz:end x\n", "y"),
            Err(SnippetError::NoBegin)
        );
        assert_eq!(snippet("no/such/file.rs", "x"), Err(SnippetError::NoFile));
    }

    #[test]
    fn refuses_paths_outside_the_kernel_sources() {
        for bad in [
            "../../etc/passwd",
            "/etc/passwd",
            "nn/../../Cargo.toml",
            "./nn/norm.rs",
            "nn//norm.rs",
            "C:\\Windows\\win.ini",
            "",
        ] {
            assert_eq!(
                snippet(bad, "x"),
                Err(SnippetError::OutsideSources),
                "{bad}"
            );
        }
        assert!(is_inside_sources("nn/norm/batch_norm.rs"));
        // A marker is only ever searched for as text inside the source.
        assert_eq!(
            snippet("nn/norm/batch_norm.rs", "../../etc/passwd"),
            Err(SnippetError::NoBegin)
        );
    }
}
