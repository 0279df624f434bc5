//! Size and nesting limits checked before a file reaches the YAML parser.
//!
//! `marked-yaml` (and `yaml-rust2` under it) has no limits of its own: it reads a file of any
//! size, and its parser recurses once per nesting level, so a line such as `- - - - …` a few
//! hundred thousand levels deep overflows the stack (an abort, not an error). Flow nesting
//! (`[[[…`) is capped by the scanner at 255 levels; block nesting is not. Lessons are a few
//! dozen kB and a handful of levels deep, so generous caps cost nothing and make every input
//! end in a clear error.

use super::yaml::{Pos, YamlError};

/// The largest content file accepted, in bytes (the largest built-in lesson is about 21 kB).
pub const MAX_FILE_BYTES: usize = 1 << 20;

/// How far right (in characters) block structure may start on a line: indentation plus the
/// `- `, `? `, `: `, anchors and tags that open nested nodes before the first real token.
///
/// Block nesting needs a strictly deeper column per level (a sequence under a key may share
/// its key's column), so this bounds block depth by about twice this number; flow depth is
/// capped at 255 by the scanner. Together that keeps the parser's recursion well inside even a
/// 2 MB thread stack.
pub const MAX_STRUCTURE_COLUMN: usize = 100;

/// The message for a file over [`MAX_FILE_BYTES`].
pub fn too_big_message(bytes: u64) -> String {
    format!(
        "file is over {} MB ({bytes} bytes): lessons are a few dozen kB; split it into several lessons",
        MAX_FILE_BYTES >> 20
    )
}

/// Checks `text` against the size and nesting caps.
pub fn check(text: &str) -> Result<(), YamlError> {
    if text.len() > MAX_FILE_BYTES {
        return Err(YamlError {
            pos: Pos::START,
            message: too_big_message(text.len() as u64),
        });
    }
    for (i, line) in yaml_lines(text).enumerate() {
        let col = structure_column(line);
        if col > MAX_STRUCTURE_COLUMN {
            return Err(YamlError {
                pos: Pos {
                    line: i + 1,
                    col: 1,
                },
                message: format!(
                    "nesting too deep: structure on this line starts at column {col} (at most {MAX_STRUCTURE_COLUMN}); \
                     lessons need only a few levels of indentation"
                ),
            });
        }
    }
    Ok(())
}

/// The lines of `text` as the YAML scanner counts them: `\r\n`, `\n` and a lone `\r` each end
/// a line.
pub fn yaml_lines(text: &str) -> impl Iterator<Item = &str> {
    text.split('\n')
        .flat_map(|l| l.strip_suffix('\r').unwrap_or(l).split('\r'))
}

/// Characters before the first token of `line` that is not indentation or a node indicator.
fn structure_column(line: &str) -> usize {
    let chars: Vec<char> = line.chars().take(MAX_STRUCTURE_COLUMN + 2).collect();
    let blank = |i: usize| chars.get(i).is_none_or(|c| *c == ' ' || *c == '\t');
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            ' ' | '\t' => i += 1,
            '-' | '?' | ':' if blank(i + 1) => i += 1,
            '&' | '!' => {
                while !blank(i) {
                    i += 1;
                }
            }
            _ => break,
        }
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indicators_and_indentation_count_towards_the_structure_column() {
        assert_eq!(structure_column("title: x"), 0);
        assert_eq!(structure_column("    - a: b"), 6);
        assert_eq!(structure_column("- - - x"), 6);
        assert_eq!(structure_column("? &a !t - x"), 10);
        assert_eq!(structure_column("  -"), 3);
    }

    #[test]
    fn deep_block_nesting_is_refused_before_parsing() {
        let deep = "- ".repeat(200_000) + "x\n";
        let e = check(&deep).expect_err("too deep");
        assert_eq!(e.pos, Pos { line: 1, col: 1 });
        assert!(e.message.contains("nesting too deep"), "{}", e.message);
    }

    /// The deepest input the caps allow (block nesting up to the column cap, then the flow
    /// nesting the scanner allows) parses without overflowing a 2 MB test-thread stack.
    #[test]
    fn the_deepest_allowed_input_parses_on_a_small_stack() {
        let flow = format!("{}1{}", "[".repeat(254), "]".repeat(254));
        let mut alternating = String::from("a:\n");
        for level in 0..49 {
            alternating.push_str(&format!("{}- k:\n", "  ".repeat(level)));
        }
        alternating.push_str(&format!("{}- {flow}\n", "  ".repeat(49)));
        let sequences = format!("a:\n{}{flow}\n", "- ".repeat(50));
        for doc in [alternating, sequences] {
            assert!(check(&doc).is_ok());
            let handle = std::thread::Builder::new()
                .stack_size(2 << 20)
                .spawn(move || super::super::yaml::parse::<serde_json::Value>(&doc).is_ok())
                .expect("thread starts");
            assert_eq!(handle.join().ok(), Some(true), "parse failed or overflowed");
        }
    }
}
