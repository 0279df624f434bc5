//! A problem found in a content file, printed as `path:line:column: message`.

use super::safe_text::inert;
use super::yaml::Pos;
use std::fmt;

/// One problem in one file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    /// The file as the user should open it (e.g. `content/05_norm/normalization.yaml`).
    pub path: String,
    pub pos: Pos,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl Diagnostic {
    pub fn new(path: &str, pos: Pos, message: impl Into<String>) -> Self {
        Self {
            path: path.to_string(),
            pos,
            message: message.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Paths and messages quote file names and file contents: print them inert, on one line.
        write!(
            f,
            "{}:{}:{}: {}",
            inert(&self.path),
            self.pos.line,
            self.pos.col,
            inert(&self.message)
        )
    }
}
