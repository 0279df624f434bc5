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
    let text = kernel_source(file).ok_or(SnippetError::NoFile)?;
    cut(text, marker)
}

/// The snippet marked `marker` in `text`.
pub fn cut(text: &str, marker: &str) -> Result<String, SnippetError> {
    let is = |line: &str, what: &str| {
        line.trim()
            .strip_prefix("// quiz:")
            .and_then(|rest| rest.strip_prefix(what))
            .is_some_and(|name| name.trim() == marker)
    };
    let lines: Vec<&str> = text.lines().collect();
    let begin = lines
        .iter()
        .position(|l| is(l, "begin "))
        .ok_or(SnippetError::NoBegin)?;
    let len = lines[begin + 1..]
        .iter()
        .position(|l| is(l, "end "))
        .ok_or(SnippetError::NoEnd)?;
    let body = &lines[begin + 1..begin + 1 + len];
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
    fn reports_missing_markers() {
        assert_eq!(cut("// quiz:begin x\n", "x"), Err(SnippetError::NoEnd));
        assert_eq!(
            cut("// quiz:begin x\n// quiz:end x\n", "y"),
            Err(SnippetError::NoBegin)
        );
        assert_eq!(snippet("no/such/file.rs", "x"), Err(SnippetError::NoFile));
    }
}
