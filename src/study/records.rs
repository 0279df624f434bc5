//! What the progress store keeps: plain records, shared by the store, the scheduler, the
//! statistics and the export format.

use serde::{Deserialize, Serialize};

/// Milliseconds since the Unix epoch (UTC).
pub type Timestamp = i64;

/// A question is identified by its lesson id and its id within the lesson, so adding or
/// reordering content never confuses saved progress.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct QuestionKey {
    pub lesson: String,
    pub question: String,
}

impl QuestionKey {
    pub fn new(lesson: &str, question: &str) -> Self {
        Self {
            lesson: lesson.to_string(),
            question: question.to_string(),
        }
    }
}

impl std::fmt::Display for QuestionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.lesson, self.question)
    }
}

/// The FSRS grade of one review (the four buttons of Anki).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Rating {
    Again = 1,
    Hard = 2,
    Good = 3,
    Easy = 4,
}

impl Rating {
    pub const ALL: [Rating; 4] = [Rating::Again, Rating::Hard, Rating::Good, Rating::Easy];

    /// 1 = Again … 4 = Easy (the FSRS grade).
    pub fn grade(self) -> u32 {
        self as u32
    }

    pub fn from_grade(g: i64) -> Option<Rating> {
        Rating::ALL.into_iter().find(|r| i64::from(r.grade()) == g)
    }

    /// The Japanese label shown on screen.
    pub fn label(self) -> &'static str {
        match self {
            Rating::Again => "もう一度",
            Rating::Hard => "難しい",
            Rating::Good => "正解",
            Rating::Easy => "簡単",
        }
    }
}

/// How a question was answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Practice round of a lesson or chapter.
    Practice,
    /// Spaced review of due (and new) cards.
    Review,
    /// A timed mock exam.
    Exam,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Practice => "practice",
            Mode::Review => "review",
            Mode::Exam => "exam",
        }
    }
    pub fn parse(s: &str) -> Option<Mode> {
        [Mode::Practice, Mode::Review, Mode::Exam]
            .into_iter()
            .find(|m| m.as_str() == s)
    }
}

/// One answer to one question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnswerRecord {
    pub key: QuestionKey,
    /// When the answer was given.
    pub at: Timestamp,
    /// How long the learner took, in milliseconds.
    pub took_ms: i64,
    pub correct: bool,
    /// The FSRS rating given (none for exam answers, which do not move the schedule).
    pub rating: Option<Rating>,
    pub mode: Mode,
}

/// The FSRS memory state of one question (one "card").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CardState {
    pub key: QuestionKey,
    /// FSRS stability S, in days: the interval at which recall probability falls to 90 %.
    pub stability: f32,
    /// FSRS difficulty D, 1 (easy) … 10 (hard).
    pub difficulty: f32,
    pub last_review: Timestamp,
    /// When the card is next due.
    pub due: Timestamp,
    /// Number of reviews so far.
    pub reps: u32,
    /// Number of times it was forgotten (rated Again after the first review).
    pub lapses: u32,
}

/// One metric of a kernel run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricRecord {
    pub name: String,
    pub value: f64,
    /// The target as text (e.g. `≥ 0.9`), if the metric has one.
    pub target: Option<String>,
    pub pass: bool,
}

/// One finished kernel run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KernelRunRecord {
    pub kernel: String,
    pub at: Timestamp,
    pub seed: u64,
    /// Every metric with a target passed.
    pub passed: bool,
    pub metrics: Vec<MetricRecord>,
}

/// One question of a finished mock exam.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExamItemRecord {
    pub key: QuestionKey,
    pub chapter: String,
    pub area: String,
    /// The chosen option as an index into the question's choices as written (not as shown);
    /// `None` if unanswered.
    pub chosen: Option<usize>,
    pub correct: bool,
    pub flagged: bool,
}

/// One finished mock exam.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExamRecord {
    pub started: Timestamp,
    /// Time used, in milliseconds.
    pub used_ms: i64,
    /// Time allowed, in milliseconds.
    pub allowed_ms: i64,
    pub seed: u64,
    /// Submitted because the time ran out.
    pub timed_out: bool,
    pub items: Vec<ExamItemRecord>,
}

/// A score within one group (a chapter or a syllabus area).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Score {
    /// Chapter id or area name.
    pub id: String,
    pub correct: usize,
    pub total: usize,
}

impl Score {
    /// Share correct, 0 ..= 1 (0 for an empty group).
    pub fn ratio(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            self.correct as f64 / self.total as f64
        }
    }
}

impl ExamRecord {
    /// Number of correct answers.
    pub fn correct(&self) -> usize {
        self.items.iter().filter(|i| i.correct).count()
    }

    /// Scores per chapter, in order of first appearance.
    pub fn by_chapter(&self) -> Vec<Score> {
        self.scores_by(|i| &i.chapter)
    }

    /// Scores per syllabus area, in order of first appearance.
    pub fn by_area(&self) -> Vec<Score> {
        self.scores_by(|i| &i.area)
    }

    fn scores_by(&self, group: impl Fn(&ExamItemRecord) -> &String) -> Vec<Score> {
        let mut out: Vec<Score> = Vec::new();
        for item in &self.items {
            let id = group(item);
            let i = match out.iter().position(|s| &s.id == id) {
                Some(i) => i,
                None => {
                    out.push(Score {
                        id: id.clone(),
                        correct: 0,
                        total: 0,
                    });
                    out.len() - 1
                }
            };
            out[i].total += 1;
            out[i].correct += usize::from(item.correct);
        }
        out
    }
}
