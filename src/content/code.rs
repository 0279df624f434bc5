//! Code snippets cut from kernel sources by marker comments, for code-fill questions.
//!
//! A snippet is the lines strictly between `// quiz:begin <marker>` and `// quiz:end <marker>`,
//! with their common indentation removed.

use super::source::kernel_source;

/// Why a snippet could not be cut.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnippetError {
    /// The path is absolute, climbs out with `..`, or is not a plain `/`-separated path.
    OutsideSources,
    NoFile,
    NoBegin,
    NoEnd,
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
