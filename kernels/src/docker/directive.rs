//! Parser directives: `# key=value` lines at the very top of a Dockerfile (`syntax`,
//! `escape`, `check`), before any blank line, comment or instruction.

use super::stage::error_at;
use crate::KernelError;

/// What the top of a Dockerfile declares.
pub(crate) struct Directives {
    /// `(key, value)` in order.
    pub list: Vec<(String, String)>,
    /// The line-continuation character (a backslash unless `# escape=` says otherwise).
    pub escape: char,
    /// Index of the first line after the directives.
    pub end: usize,
}

/// The directives at the top of `lines`.
pub(crate) fn read(path: &str, lines: &[&str]) -> Result<Directives, KernelError> {
    let mut directives = Vec::new();
    let mut escape = '\\';
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
    Ok(Directives {
        list: directives,
        escape,
        end: i,
    })
}
