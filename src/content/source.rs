//! Where content files come from: the built-in set embedded in the binary, or a folder.

use super::limits;
use include_dir::{Dir, include_dir};
use std::io::Read;
use std::path::Path;

static BUILTIN_CONTENT: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/content");
static KERNEL_SOURCES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/kernels/src");

/// Which set a file belongs to. Lessons in a folder override built-in lessons with the same id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    BuiltIn,
    Folder,
}

/// The text of one content file and how to name it in messages.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path shown to the user.
    pub path: String,
    /// Path relative to the content root, with `/` separators.
    pub rel: String,
    pub text: String,
    pub origin: Origin,
}

impl SourceFile {
    /// Whether this is the chapter list rather than a lesson.
    pub fn is_chapter_list(&self) -> bool {
        self.rel == "chapters.yaml"
    }
}

/// The built-in content files, sorted by path.
pub fn builtin() -> Vec<SourceFile> {
    let mut out = Vec::new();
    collect_embedded(&BUILTIN_CONTENT, &mut out);
    out.sort_by(|a, b| a.rel.cmp(&b.rel));
    out
}

fn collect_embedded(dir: &Dir<'static>, out: &mut Vec<SourceFile>) {
    for file in dir.files() {
        let rel = file.path().to_string_lossy().replace('\\', "/");
        if !is_yaml(&rel) {
            continue;
        }
        out.push(SourceFile {
            path: format!("content/{rel}"),
            text: String::from_utf8_lossy(file.contents()).into_owned(),
            rel,
            origin: Origin::BuiltIn,
        });
    }
    for sub in dir.dirs() {
        collect_embedded(sub, out);
    }
}

/// A file or folder that could not be read: its path and why.
pub type ReadProblem = (String, String);

/// The YAML files under `root` (recursively), sorted by path, and the files that could not be
/// read. Only an unreadable `root` is fatal.
pub fn folder(root: &Path) -> Result<(Vec<SourceFile>, Vec<ReadProblem>), ReadProblem> {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    std::fs::read_dir(root).map_err(|e| {
        (
            root.display().to_string(),
            format!("cannot read folder: {e}"),
        )
    })?;
    walk(root, root, &mut out, &mut problems);
    out.sort_by(|a, b| a.rel.cmp(&b.rel));
    Ok((out, problems))
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<SourceFile>, problems: &mut Vec<ReadProblem>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            return problems.push((
                dir.display().to_string(),
                format!("cannot read folder: {e}"),
            ));
        }
    };
    let mut paths: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        let shown = path.display().to_string();
        let is_link = path
            .symlink_metadata()
            .is_ok_and(|m| m.file_type().is_symlink());
        if path.is_dir() {
            if is_link {
                // A link back up the tree would make the walk endless.
                problems.push((
                    shown,
                    "symbolic link to a folder is not followed: move or copy the folder here"
                        .to_string(),
                ));
            } else {
                walk(root, &path, out, problems);
            }
            continue;
        }
        let rel = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        if !is_yaml(&rel) {
            continue;
        }
        if is_link && !resolves_inside(root, &path) {
            // A course folder (say, a cloned repository) must not make us read `~/.ssh/…`.
            problems.push((
                shown,
                "symbolic link to a file outside the content folder is not followed: copy the file into the folder"
                    .to_string(),
            ));
            continue;
        }
        match read_text(&path) {
            Err(message) => problems.push((shown, message)),
            Ok(text) => out.push(SourceFile {
                path: shown,
                rel,
                text,
                origin: Origin::Folder,
            }),
        }
    }
}

/// Whether `path`, with every link resolved, lies inside `root`.
fn resolves_inside(root: &Path, path: &Path) -> bool {
    match (root.canonicalize(), path.canonicalize()) {
        (Ok(root), Ok(target)) => target.starts_with(root),
        _ => false,
    }
}

/// The text of the content file at `path`: a regular file of at most
/// [`limits::MAX_FILE_BYTES`] bytes of UTF-8. A device, a pipe or a huge file is refused
/// without being read whole (the size is capped while reading too, in case it grows).
fn read_text(path: &Path) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read file: {e}"))?;
    if !meta.is_file() {
        return Err("not a regular file (a device, pipe or socket): skipped".to_string());
    }
    if meta.len() > limits::MAX_FILE_BYTES as u64 {
        return Err(limits::too_big_message(meta.len()));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| {
            f.take(limits::MAX_FILE_BYTES as u64 + 1)
                .read_to_end(&mut bytes)
        })
        .map_err(|e| format!("cannot read file: {e}"))?;
    if bytes.len() > limits::MAX_FILE_BYTES {
        return Err(limits::too_big_message(bytes.len() as u64));
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = 1 + e.as_bytes()[..at].iter().filter(|b| **b == b'\n').count();
        format!(
            "file is not valid UTF-8 (first bad byte on line {line}, byte offset {at}): save it as UTF-8"
        )
    })
}

fn is_yaml(rel: &str) -> bool {
    rel.ends_with(".yaml") || rel.ends_with(".yml")
}

/// The source of a kernel file, by path relative to `kernels/src/`.
pub fn kernel_source(rel: &str) -> Option<&'static str> {
    KERNEL_SOURCES.get_file(rel).and_then(|f| f.contents_utf8())
}
