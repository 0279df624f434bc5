//! One Dockerfile instruction: its keyword ([`Kind`]), how `RUN`/`CMD`/`ENTRYPOINT` are
//! written ([`Form`]), and reading one logical line — continuation lines joined, leading
//! `--flag=value` options split off — into an [`Instruction`].

use super::stage::error_at;
use crate::KernelError;

/// An instruction keyword.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    From,
    Arg,
    Env,
    Label,
    Workdir,
    User,
    Run,
    Copy,
    Add,
    Expose,
    Volume,
    Shell,
    Healthcheck,
    Stopsignal,
    Onbuild,
    Cmd,
    Entrypoint,
}

impl Kind {
    /// The keyword `word` (any case), or `None` if it is not one.
    pub fn parse(word: &str) -> Option<Self> {
        Some(match word.to_ascii_uppercase().as_str() {
            "FROM" => Self::From,
            "ARG" => Self::Arg,
            "ENV" => Self::Env,
            "LABEL" => Self::Label,
            "WORKDIR" => Self::Workdir,
            "USER" => Self::User,
            "RUN" => Self::Run,
            "COPY" => Self::Copy,
            "ADD" => Self::Add,
            "EXPOSE" => Self::Expose,
            "VOLUME" => Self::Volume,
            "SHELL" => Self::Shell,
            "HEALTHCHECK" => Self::Healthcheck,
            "STOPSIGNAL" => Self::Stopsignal,
            "ONBUILD" => Self::Onbuild,
            "CMD" => Self::Cmd,
            "ENTRYPOINT" => Self::Entrypoint,
            _ => return None,
        })
    }

    /// The keyword as written in a Dockerfile.
    pub fn name(self) -> &'static str {
        match self {
            Self::From => "FROM",
            Self::Arg => "ARG",
            Self::Env => "ENV",
            Self::Label => "LABEL",
            Self::Workdir => "WORKDIR",
            Self::User => "USER",
            Self::Run => "RUN",
            Self::Copy => "COPY",
            Self::Add => "ADD",
            Self::Expose => "EXPOSE",
            Self::Volume => "VOLUME",
            Self::Shell => "SHELL",
            Self::Healthcheck => "HEALTHCHECK",
            Self::Stopsignal => "STOPSIGNAL",
            Self::Onbuild => "ONBUILD",
            Self::Cmd => "CMD",
            Self::Entrypoint => "ENTRYPOINT",
        }
    }

    /// Only these three add a filesystem layer; the rest edit the image configuration.
    pub fn creates_layer(self) -> bool {
        matches!(self, Self::Run | Self::Copy | Self::Add)
    }

    /// When the instruction takes effect.
    pub(crate) fn when(self) -> &'static str {
        match self {
            Self::Arg | Self::Run | Self::Copy | Self::Add | Self::From | Self::Shell => "ビルド時",
            Self::Env | Self::Workdir | Self::User => "ビルド時と起動時",
            Self::Cmd | Self::Entrypoint | Self::Healthcheck | Self::Stopsignal => "起動時",
            Self::Expose | Self::Label | Self::Volume => "メタデータ",
            Self::Onbuild => "子イメージのビルド時",
        }
    }
}

/// How `RUN`, `CMD` and `ENTRYPOINT` are written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Form {
    /// `["python", "train.py"]`: run directly, the program is PID 1.
    Exec(Vec<String>),
    /// `python train.py`: run as `/bin/sh -c "python train.py"`, the shell is PID 1.
    Shell(String),
}

impl Form {
    /// The argument vector the container runtime executes.
    pub fn argv(&self) -> Vec<String> {
        match self {
            Self::Exec(v) => v.clone(),
            Self::Shell(s) => vec!["/bin/sh".into(), "-c".into(), s.clone()],
        }
    }

    /// How the form is called in Japanese.
    pub(crate) fn label(&self) -> &'static str {
        match self {
            Self::Exec(_) => "exec 形式",
            Self::Shell(_) => "シェル形式",
        }
    }
}

/// One instruction of a parsed Dockerfile.
#[derive(Debug, Clone, PartialEq)]
pub struct Instruction {
    /// 1-based line where the instruction starts.
    pub line: usize,
    pub kind: Kind,
    /// `--name=value` flags (`COPY --from=build`), in order.
    pub flags: Vec<(String, String)>,
    /// The arguments after the flags, continuation lines joined.
    pub args: String,
    /// For `RUN`, `CMD`, `ENTRYPOINT`: how it is written.
    pub form: Option<Form>,
    /// Index of the stage; `None` for an `ARG` before the first `FROM`.
    pub stage: Option<usize>,
}

impl Instruction {
    /// The value of flag `--name=…`, if given.
    pub(crate) fn flag(&self, name: &str) -> Option<&str> {
        self.flags
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The whitespace-separated arguments (for `COPY`/`ADD`: sources then destination).
    pub(crate) fn words(&self) -> Vec<&str> {
        self.args.split_whitespace().collect()
    }
}

/// Joins the logical line that starts at `lines[i]`: a trailing `escape` continues it on the
/// next line, and comment or blank lines inside a continued instruction are dropped, as docker
/// does. Returns the line and the index after it, or `None` (and `i + 1`) for a blank or
/// comment line.
pub(crate) fn join_lines(lines: &[&str], i: usize, escape: char) -> (Option<String>, usize) {
    let first = lines[i].trim();
    let mut i = i + 1;
    if first.is_empty() || first.starts_with('#') {
        return (None, i);
    }
    let mut logical = String::new();
    let mut current = first.to_string();
    loop {
        let trimmed = current.trim_end();
        if let Some(head) = trimmed.strip_suffix(escape) {
            logical.push_str(head.trim_end());
            logical.push(' ');
            // Skip comment lines and blank lines inside the continuation.
            while i < lines.len()
                && (lines[i].trim().starts_with('#') || lines[i].trim().is_empty())
            {
                i += 1;
            }
            if i >= lines.len() {
                break;
            }
            current = lines[i].trim().to_string();
            i += 1;
        } else {
            logical.push_str(trimmed);
            break;
        }
    }
    (Some(logical), i)
}

/// Reads logical line `logical` (starting at 1-based `line`) into an instruction whose
/// `stage` is not set yet. `in_stage` tells whether a `FROM` came before; parse warnings go
/// to `warnings`.
pub(crate) fn read(
    path: &str,
    line: usize,
    logical: &str,
    in_stage: bool,
    warnings: &mut Vec<String>,
) -> Result<Instruction, KernelError> {
    let (word, rest) = match logical.split_once(char::is_whitespace) {
        Some((w, r)) => (w, r.trim()),
        None => (logical, ""),
    };
    let kind = Kind::parse(word)
        .ok_or_else(|| error_at(path, line, format!("unknown instruction `{word}`")))?;
    if rest.is_empty() {
        return Err(error_at(
            path,
            line,
            format!("{} needs arguments", kind.name()),
        ));
    }
    if !in_stage && !matches!(kind, Kind::From | Kind::Arg) {
        return Err(error_at(
            path,
            line,
            format!(
                "{} before the first FROM: only ARG (and parser directives) may precede FROM",
                kind.name()
            ),
        ));
    }
    // Leading `--flag=value` options (COPY --from=build, RUN --mount=…).
    let mut flags = Vec::new();
    let mut args = rest;
    if matches!(
        kind,
        Kind::From | Kind::Run | Kind::Copy | Kind::Add | Kind::Healthcheck
    ) {
        while let Some(opt) = args.strip_prefix("--") {
            let (flag, tail) = opt.split_once(char::is_whitespace).unwrap_or((opt, ""));
            let (k, v) = flag.split_once('=').unwrap_or((flag, ""));
            flags.push((k.to_string(), v.to_string()));
            args = tail.trim_start();
        }
    }
    let args = args.to_string();
    let form = match kind {
        Kind::Run | Kind::Cmd | Kind::Entrypoint => Some(read_form(kind, &args, line, warnings)),
        _ => None,
    };
    Ok(Instruction {
        line,
        kind,
        flags,
        args,
        form,
        stage: None,
    })
}

/// The exec form if `args` is a JSON array of strings, else the shell form — with a warning
/// when it looks like a JSON array but is not one (docker falls back silently).
fn read_form(kind: Kind, args: &str, line: usize, warnings: &mut Vec<String>) -> Form {
    if !args.starts_with('[') {
        return Form::Shell(args.to_string());
    }
    match parse_json_strings(args) {
        Some(v) => Form::Exec(v),
        None => {
            warnings.push(format!(
                "{line}: {} の JSON 配列が読めないので、シェル形式として扱われます (引用符は \" を使う)",
                kind.name()
            ));
            Form::Shell(args.to_string())
        }
    }
}

/// A JSON array of strings (`["a", "b"]`), or `None` if it is not one.
fn parse_json_strings(text: &str) -> Option<Vec<String>> {
    let mut chars = text.trim().chars().peekable();
    let skip_ws = |c: &mut std::iter::Peekable<std::str::Chars>| {
        while c.peek().is_some_and(|x| x.is_whitespace()) {
            c.next();
        }
    };
    if chars.next()? != '[' {
        return None;
    }
    let mut out = Vec::new();
    skip_ws(&mut chars);
    if chars.peek() == Some(&']') {
        chars.next();
        skip_ws(&mut chars);
        return chars.next().is_none().then_some(out);
    }
    loop {
        skip_ws(&mut chars);
        if chars.next()? != '"' {
            return None;
        }
        let mut s = String::new();
        loop {
            match chars.next()? {
                '"' => break,
                '\\' => match chars.next()? {
                    'n' => s.push('\n'),
                    't' => s.push('\t'),
                    c @ ('"' | '\\' | '/') => s.push(c),
                    _ => return None,
                },
                c => s.push(c),
            }
        }
        out.push(s);
        skip_ws(&mut chars);
        match chars.next()? {
            ',' => continue,
            ']' => break,
            _ => return None,
        }
    }
    skip_ws(&mut chars);
    chars.next().is_none().then_some(out)
}
