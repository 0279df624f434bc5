//! The lesson format: what an instructor writes in `content/<NN_chapter>/<id>.yaml`.
//!
//! Every struct here is both deserialised from YAML (see [`super::yaml`]) and described by the
//! JSON Schema that `eshikaku lessons schema` prints for editors.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The lesson format version this build reads.
pub const FORMAT_VERSION: u32 = 1;

/// One lesson file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Lesson {
    /// Lesson format version; must be 1.
    pub format_version: u32,
    /// Unique id: lowercase ASCII letters, digits, `-` and `_` (e.g. `normalization`).
    pub id: String,
    /// Japanese title shown in the lesson list.
    pub title: String,
    /// Id of the chapter this lesson belongs to (see `chapters.yaml`).
    pub chapter: String,
    /// Position within the chapter (smaller first; ties by id).
    #[serde(default)]
    pub order: u32,
    /// The E資格 syllabus item the lesson covers, e.g. `深層学習の応用 > 正規化層`.
    pub syllabus: String,
    /// One-paragraph summary shown above the body.
    #[serde(default)]
    pub summary: String,
    /// The lesson text, in sections.
    pub body: Vec<Section>,
    /// What to remember for the exam.
    #[serde(default)]
    pub key_points: Vec<String>,
    /// Formulas, written in plain Unicode so they read well in a terminal.
    #[serde(default)]
    pub formulas: Vec<Formula>,
    /// The reference kernel this lesson runs, if any.
    #[serde(default)]
    pub kernel: Option<KernelLink>,
    /// The question bank.
    #[serde(default)]
    pub questions: Vec<Question>,
    /// Papers and books to read further.
    #[serde(default)]
    pub references: Vec<Reference>,
}

/// A titled section of lesson text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub heading: String,
    /// Paragraphs separated by blank lines; a line starting with `- ` is a bullet.
    pub text: String,
}

/// A named formula with an optional explanation of its symbols.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Formula {
    pub name: String,
    /// The formula in plain Unicode, e.g. `y = γ (x − μ_B) / √(σ_B² + ε) + β`.
    pub expr: String,
    #[serde(default)]
    pub note: String,
}

/// The lesson's kernel and what to say at each of its steps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KernelLink {
    /// Kernel id (`eshikaku list` shows them).
    pub id: String,
    /// Notes shown beside a step, keyed by the step's key (e.g. `batch_norm`).
    #[serde(default)]
    pub step_notes: BTreeMap<String, String>,
}

/// An exam-style multiple-choice question.
///
/// With `code`, it is a code-fill question: the code is shown with the correct choice blanked
/// out. Rust code is cut from a kernel source between the markers `// quiz:begin <marker>` and
/// `// quiz:end <marker>` of `code.file`, so the question can never drift from the code it asks
/// about; Python (NumPy) code, as in the exam, is written in the lesson (`code.text`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// Unique within the lesson, e.g. `q1`.
    pub id: String,
    /// The question text.
    pub prompt: String,
    /// The E資格 syllabus area the question belongs to, for per-area exam scores: one of
    /// 数学的基礎, 機械学習, 深層学習の基礎, 深層学習の応用, 開発・運用環境. Defaults to the first
    /// part of the lesson's `syllabus`.
    #[serde(default)]
    pub area: Option<String>,
    /// For code-fill questions: the code, or where it comes from.
    #[serde(default)]
    pub code: Option<CodeRef>,
    /// The options, usually four as in the exam.
    pub choices: Vec<String>,
    /// The correct choice, counted from 1 (1 = the first choice).
    pub answer: usize,
    /// Why the answer is right (and the others wrong).
    pub explanation: String,
}

/// The code of a code-fill question: either a marked region of a kernel source file
/// (`file` + `marker`, Rust) or code written in the lesson (`text`, usually `lang: python`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeRef {
    /// The language the code is written in; `rust` when cut from a kernel.
    #[serde(default)]
    pub lang: CodeLang,
    /// Kernel source path relative to `kernels/src/`, e.g. `nn/norm.rs` (with `marker`).
    #[serde(default)]
    pub file: Option<String>,
    /// Marker name used in `// quiz:begin <marker>` / `// quiz:end <marker>` (with `file`).
    #[serde(default)]
    pub marker: Option<String>,
    /// The code itself, containing the correct choice verbatim (instead of `file`/`marker`).
    #[serde(default)]
    pub text: Option<String>,
}

/// Languages a code-fill question can show.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum CodeLang {
    #[default]
    Rust,
    Python,
    /// A Dockerfile written in the lesson (`code.text`).
    Dockerfile,
}

impl CodeLang {
    /// The name shown above the code.
    pub fn name(self) -> &'static str {
        match self {
            CodeLang::Rust => "Rust",
            CodeLang::Python => "Python",
            CodeLang::Dockerfile => "Dockerfile",
        }
    }
}

/// The syllabus areas of the E資格 exam, the units the exam result is reported in.
pub const AREAS: [&str; 5] = [
    "数学的基礎",
    "機械学習",
    "深層学習の基礎",
    "深層学習の応用",
    "開発・運用環境",
];

impl Lesson {
    /// The syllabus area of question `q` of this lesson: its own `area`, else the first part
    /// of the lesson's `syllabus` (`深層学習の応用 > 生成モデル > GAN` → `深層学習の応用`).
    pub fn area_of<'a>(&'a self, q: &'a Question) -> &'a str {
        q.area
            .as_deref()
            .unwrap_or_else(|| self.syllabus.split('>').next().unwrap_or("").trim())
    }
}

/// A paper, book or page to read further.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Reference {
    pub title: String,
    #[serde(default)]
    pub url: String,
}

/// The chapter list, `chapters.yaml` at the root of a content folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChapterList {
    pub format_version: u32,
    pub chapters: Vec<Chapter>,
}

/// A chapter: lessons refer to it by `id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Chapter {
    pub id: String,
    pub title: String,
}
