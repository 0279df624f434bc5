//! Work the update function asks the runtime to do: saving progress, starting a kernel's
//! worker thread. Keeping it out of
//! `update` makes every flow testable without a database or threads.

use crate::study::records::{AnswerRecord, CardState, ExamRecord, KernelRunRecord, Timestamp};

/// One piece of work for the runtime.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// A lesson was opened (lesson id, when).
    LessonOpened(String, Timestamp),
    /// A kernel run finished.
    KernelRun(KernelRunRecord),
    /// A question was answered; save the answer and the card together.
    Answer(AnswerRecord, Option<CardState>),
    /// A mock exam was submitted, with its answers.
    Exam(ExamRecord, Vec<AnswerRecord>),
    /// Start the worker thread of the run in `app.run`.
    StartKernel,
}

/// Performs the effects that need no database (starting kernel threads) and leaves the others
/// in `app.effects`.
pub fn start_kernels(app: &mut super::app::App) {
    let mut start = false;
    app.effects.retain(|e| {
        let is_start = matches!(e, Effect::StartKernel);
        start |= is_start;
        !is_start
    });
    if start && let Some(run) = app.run.as_mut() {
        run.spawn();
    }
}
