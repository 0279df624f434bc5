//! A parsed Dockerfile: its build stages (one `FROM` and what follows it), the global `ARG`s
//! usable in `FROM` lines, and [`parse`], which reads a file line by line into them.

use super::directive;
use super::instruction::{self, Instruction, Kind};
use crate::KernelError;
use std::collections::BTreeMap;

/// A build stage: one `FROM` and what follows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Stage {
    pub index: usize,
    /// The `AS` name, if any.
    pub name: Option<String>,
    /// The base as written after variable substitution: an image or an earlier stage.
    pub base: String,
    /// Index of the earlier stage it builds on, if the base names one.
    pub base_stage: Option<usize>,
    /// Indices into [`Dockerfile::instructions`], the `FROM` first.
    pub instructions: Vec<usize>,
}

/// A parsed Dockerfile.
#[derive(Debug, Clone, PartialEq)]
pub struct Dockerfile {
    /// Parser directives (`# syntax=…`, `# escape=…`) from the top of the file.
    pub directives: Vec<(String, String)>,
    pub instructions: Vec<Instruction>,
    pub stages: Vec<Stage>,
    /// `ARG`s declared before the first `FROM` (usable only in `FROM` lines) with defaults.
    pub global_args: BTreeMap<String, String>,
    /// Things that parse but are probably mistakes, as `line: message`.
    pub warnings: Vec<String>,
}
/// `path:line: message`.
pub(crate) fn error_at(path: &str, line: usize, msg: impl std::fmt::Display) -> KernelError {
    KernelError::InvalidConfig(format!("{path}:{line}: {msg}"))
}
/// Parses Dockerfile `text`; `path` only names the file in errors (`path:line: message`).
pub fn parse(path: &str, text: &str) -> Result<Dockerfile, KernelError> {
    let lines: Vec<&str> = text.lines().collect();
    let directive::Directives {
        list: directives,
        escape,
        end: mut i,
    } = directive::read(path, &lines)?;
    let mut df = Dockerfile {
        directives,
        instructions: Vec::new(),
        stages: Vec::new(),
        global_args: BTreeMap::new(),
        warnings: Vec::new(),
    };
    while i < lines.len() {
        let line = i + 1;
        let (logical, next) = instruction::join_lines(&lines, i, escape);
        i = next;
        if let Some(logical) = logical {
            let in_stage = !df.stages.is_empty();
            let ins = instruction::read(path, line, &logical, in_stage, &mut df.warnings)?;
            df.add(path, ins)?;
        }
    }
    if df.stages.is_empty() {
        return Err(error_at(
            path,
            1,
            "no FROM instruction: a Dockerfile needs at least one",
        ));
    }
    Ok(df)
}

impl Dockerfile {
    /// Appends `ins` to the current stage; a `FROM` starts a new stage, an `ARG` before the
    /// first `FROM` declares a global argument.
    fn add(&mut self, path: &str, mut ins: Instruction) -> Result<(), KernelError> {
        let (line, index) = (ins.line, self.instructions.len());
        match ins.kind {
            Kind::From => self.start_stage(path, line, &ins.args, index)?,
            Kind::Copy | Kind::Add if ins.args.split_whitespace().count() < 2 => {
                return Err(error_at(
                    path,
                    line,
                    format!(
                        "{} needs at least one source and a destination",
                        ins.kind.name()
                    ),
                ));
            }
            Kind::Arg if self.stages.is_empty() => {
                let (k, v) = ins.args.split_once('=').unwrap_or((ins.args.as_str(), ""));
                self.global_args
                    .insert(k.trim().to_string(), v.trim().to_string());
            }
            _ => {}
        }
        ins.stage = self.stages.len().checked_sub(1);
        if ins.kind != Kind::From
            && let Some(s) = ins.stage
        {
            self.stages[s].instructions.push(index);
        }
        self.instructions.push(ins);
        Ok(())
    }

    /// `FROM image [AS name]` at `line`, instruction number `index`: a new stage, its base
    /// resolved against the global `ARG`s and the earlier stages' names.
    fn start_stage(
        &mut self,
        path: &str,
        line: usize,
        args: &str,
        index: usize,
    ) -> Result<(), KernelError> {
        let words: Vec<&str> = args.split_whitespace().collect();
        let (image, name) = match words.as_slice() {
            [image] => (*image, None),
            [image, as_, name] if as_.eq_ignore_ascii_case("as") => {
                (*image, Some(name.to_ascii_lowercase()))
            }
            _ => {
                return Err(error_at(
                    path,
                    line,
                    "FROM takes an image and an optional `AS name`",
                ));
            }
        };
        if let Some(n) = &name
            && self.stages.iter().any(|s| s.name.as_deref() == Some(n))
        {
            return Err(error_at(
                path,
                line,
                format!("stage name `{n}` is used twice"),
            ));
        }
        let base = substitute(image, &self.global_args, line, &mut self.warnings);
        let base_stage = self
            .stages
            .iter()
            .position(|s| s.name.as_deref() == Some(base.to_ascii_lowercase().as_str()));
        self.stages.push(Stage {
            index: self.stages.len(),
            name,
            base,
            base_stage,
            instructions: vec![index],
        });
        Ok(())
    }
}

/// Replaces `$NAME`, `${NAME}` and `${NAME:-default}` with the global ARG values.
fn substitute(
    text: &str,
    args: &BTreeMap<String, String>,
    line: usize,
    warnings: &mut Vec<String>,
) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(pos) = rest.find('$') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        let (name, default, used) = if let Some(inner) = after.strip_prefix('{') {
            match inner.find('}') {
                Some(end) => {
                    let body = &inner[..end];
                    let (n, d) = match body.split_once(":-") {
                        Some((n, d)) => (n, Some(d)),
                        None => (body, None),
                    };
                    (n, d, end + 2)
                }
                None => (inner, None, after.len()),
            }
        } else {
            let end = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            (&after[..end], None, end)
        };
        match args.get(name).filter(|v| !v.is_empty()) {
            Some(v) => out.push_str(v),
            None => match default {
                Some(d) => out.push_str(d),
                None => warnings.push(format!(
                    "{line}: ${name} は FROM の前の ARG で値が決まっていないので空文字列になります"
                )),
            },
        }
        rest = &after[used.min(after.len())..];
    }
    out.push_str(rest);
    out
}
