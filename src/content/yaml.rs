//! All YAML parsing lives here, so the parser can be swapped without touching the rest.
//!
//! We use `marked-yaml` (maintained, built on `yaml-rust2`) because it keeps the line and column
//! of every node: `lessons check` can then point at the exact place of a problem found *after*
//! deserialising (a duplicate id, an unknown kernel, an answer out of range), not only at
//! syntax and type errors.

use marked_yaml::{LoadError, LoaderOptions, Node};
use serde::de::DeserializeOwned;

/// A 1-based line and column in a source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pos {
    pub line: usize,
    pub col: usize,
}

impl Pos {
    /// The start of a file.
    pub const START: Pos = Pos { line: 1, col: 1 };
}

/// A step of a path into a YAML document: a mapping key or a sequence index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

/// A parse or type error with its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub pos: Pos,
    pub message: String,
}

/// A deserialised document and the positions of its nodes.
pub struct Parsed<T> {
    pub value: T,
    root: Node,
    /// Where the text ends: positions past it are moved here (see [`end_of`]).
    end: Pos,
}

impl<T> Parsed<T> {
    /// The deepest node along `path` and whether the whole path exists.
    fn walk(&self, path: &[Seg]) -> (Vec<&Node>, bool) {
        let mut nodes = vec![&self.root];
        for seg in path {
            let node = nodes[nodes.len() - 1];
            let next = match (seg, node) {
                (Seg::Key(k), Node::Mapping(m)) => m.get_node(k),
                (Seg::Index(i), Node::Sequence(s)) => s.get_node(*i),
                _ => None,
            };
            match next {
                Some(n) => nodes.push(n),
                None => return (nodes, false),
            }
        }
        (nodes, true)
    }

    /// Position of the node at `path`, or of its deepest existing ancestor.
    pub fn pos(&self, path: &[Seg]) -> Pos {
        let (nodes, _) = self.walk(path);
        let pos = nodes
            .iter()
            .rev()
            .find_map(|n| start_of(n))
            .unwrap_or(Pos::START);
        pos.min(self.end)
    }

    /// Position of the mapping key `key` at `path` (better than its value for "this key" errors).
    pub fn key_pos(&self, path: &[Seg], key: &str) -> Pos {
        let (nodes, found) = self.walk(path);
        if found
            && let Some(Node::Mapping(m)) = nodes.last()
            && let Some((k, _)) = m.iter().find(|(k, _)| k.as_str() == key)
            && let Some(p) = k.span().start()
        {
            let pos = Pos {
                line: p.line(),
                col: p.column(),
            };
            return pos.min(self.end);
        }
        let mut full = path.to_vec();
        full.push(Seg::Key(key));
        self.pos(&full)
    }

    /// Every scalar of the document (mapping keys and values) with its position. Walks with
    /// an explicit stack, so no input can make it recurse deeply.
    pub fn scalars(&self) -> Vec<(Pos, &str)> {
        let mut out = Vec::new();
        let mut todo = vec![&self.root];
        while let Some(node) = todo.pop() {
            match node {
                Node::Scalar(s) => {
                    let pos = start_of(node).unwrap_or(Pos::START);
                    out.push((pos.min(self.end), s.as_str()));
                }
                Node::Mapping(m) => {
                    for (k, v) in m.iter() {
                        let pos = k.span().start().map_or(Pos::START, |p| Pos {
                            line: p.line(),
                            col: p.column(),
                        });
                        out.push((pos.min(self.end), k.as_str()));
                        todo.push(v);
                    }
                }
                Node::Sequence(items) => todo.extend(items.iter()),
            }
        }
        out
    }
}

fn start_of(node: &Node) -> Option<Pos> {
    node.span().start().map(|m| Pos {
        line: m.line(),
        col: m.column(),
    })
}

/// Parses `text` as a YAML mapping and deserialises it into `T`.
pub fn parse<T: DeserializeOwned>(text: &str) -> Result<Parsed<T>, YamlError> {
    // A byte-order mark may open a YAML stream (Windows editors write one); the scanner would
    // make it part of the first key. Editors count columns without it, so nothing shifts.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    super::limits::check(text)?;
    if let Some(line) = second_document(text) {
        return Err(YamlError {
            pos: Pos { line, col: 1 },
            message: "a second YAML document starts here: a lesson file holds one document \
                      (the rest would be ignored); remove this line or move what follows to its own file"
                .into(),
        });
    }
    let end = end_of(text);
    let options = LoaderOptions::default().error_on_duplicate_keys(true);
    let root = marked_yaml::parse_yaml_with_options(0, text, options).map_err(|e| {
        let e = load_error(e);
        YamlError {
            pos: e.pos.min(end),
            ..e
        }
    })?;
    let value = marked_yaml::from_node(&root).map_err(|e| {
        let top_level = e.path().is_none_or(|p| p.is_empty() || p == ".");
        let pos = match e.start_mark() {
            // A field missing from the whole document is reported at its start.
            _ if top_level => Pos::START,
            Some(m) => Pos {
                line: m.line(),
                col: m.column(),
            },
            None => Pos::START,
        };
        let hint = "(`eshikaku lessons schema` describes every field)";
        let message = match e.path() {
            Some(path) if !top_level => format!("{path}: {} {hint}", *e),
            _ => format!("{e} {hint}"),
        };
        YamlError {
            pos: pos.min(end),
            message,
        }
    })?;
    Ok(Parsed { value, root, end })
}

/// The position just after the last character of `text`. The loader places some errors and
/// empty values at the end of the input one line past the last (found by fuzzing); every
/// position is capped here so editors can jump to it.
fn end_of(text: &str) -> Pos {
    let mut lines = 0;
    let mut last = "";
    for line in super::limits::yaml_lines(text) {
        lines += 1;
        last = line;
    }
    Pos {
        line: lines.max(1),
        col: last.chars().count() + 1,
    }
}

/// The line where a second document starts, if any: the loader reads only the first one and
/// would silently drop the rest. A document ends at a `---` or `...` line once content was seen.
fn second_document(text: &str) -> Option<usize> {
    let marker = |line: &str, m: &str| {
        line.strip_prefix(m)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
    };
    let (mut content, mut ended) = (false, false);
    for (i, line) in super::limits::yaml_lines(text).enumerate() {
        let body = line.trim();
        let is_content = !body.is_empty() && !body.starts_with('#');
        if marker(line, "---") {
            if content {
                return Some(i + 1);
            }
            content = !line[3..].trim().is_empty() && !line[3..].trim().starts_with('#');
        } else if marker(line, "...") {
            ended = content;
        } else if is_content && ended && !line.starts_with('%') {
            return Some(i + 1);
        } else if is_content && !line.starts_with('%') {
            content = true;
        }
    }
    None
}

fn load_error(e: LoadError) -> YamlError {
    let at = |m: &marked_yaml::Marker| Pos {
        line: m.line(),
        col: m.column(),
    };
    let (pos, message) = match &e {
        LoadError::TopLevelMustBeMapping(m) => (
            at(m),
            "the file must be a YAML mapping (`key: value` lines)".into(),
        ),
        LoadError::TopLevelMustBeSequence(m) => (at(m), "the file must be a YAML sequence".into()),
        LoadError::UnexpectedAnchor(m) => (
            at(m),
            "YAML anchors and aliases (`&x`, `*x`) are not supported".into(),
        ),
        LoadError::MappingKeyMustBeScalar(m) => {
            (at(m), "mapping keys must be plain strings".into())
        }
        LoadError::UnexpectedTag(m) => (at(m), "YAML tags (`!tag`) are not supported".into()),
        LoadError::ScanError(m, s) => (
            at(m),
            format!(
                "YAML syntax error: {} (the cause may be just before this point, e.g. an unclosed bracket or quote; text containing `: ` must be quoted)",
                s.info()
            ),
        ),
        LoadError::DuplicateKey(d) => (
            d.key.span().start().map(at).unwrap_or(Pos::START),
            format!(
                "duplicate key `{}` in the same mapping: remove one",
                d.key.as_str()
            ),
        ),
    };
    YamlError { pos, message }
}
