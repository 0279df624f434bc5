//! The runtime's side of saving: loading the progress into the model at start, and carrying
//! out the model's [`Effect`]s against the progress store.

use super::app::App;
use super::effect::Effect;
use crate::study::progress::StudyState;
use crate::study::stats::StoreData;
use crate::study::store::{Store, StoreError};

/// The progress held by `store`, with any warnings about it.
pub fn load(store: &Store, mut warnings: Vec<String>) -> StudyState {
    let data = StoreData::load(store).unwrap_or_else(|e| {
        warnings.push(format!("could not read the saved progress: {e}"));
        StoreData::default()
    });
    let (settings, more) = crate::study::settings::load(store);
    warnings.extend(more);
    let mut study = StudyState::new(data, settings);
    study.store_warning = warnings.into_iter().next();
    study
}

/// Saves everything the model asked for. A failed save keeps the data in memory and says so
/// on the status line.
pub fn apply(store: &Store, app: &mut App) {
    super::effect::start_kernels(app);
    for effect in std::mem::take(&mut app.effects) {
        let result = match &effect {
            Effect::LessonOpened(id, at) => store.record_lesson_opened(id, *at),
            Effect::KernelRun(r) => store.record_kernel_run(r),
            Effect::Answer(a, card) => store.record_answer(a, card.as_ref()),
            Effect::Exam(record, answers) => save_exam(store, record, answers),
            Effect::StartKernel => Ok(()),
        };
        if let Err(e) = result {
            if matches!(effect, Effect::Answer(..) | Effect::Exam(..)) {
                app.study.unsaved += 1;
            }
            app.status = Some(format!(
                "⚠ 進捗を保存できませんでした (メモリ上には残っています): {e}"
            ));
        }
    }
}

fn save_exam(
    store: &Store,
    record: &crate::study::records::ExamRecord,
    answers: &[crate::study::records::AnswerRecord],
) -> Result<(), StoreError> {
    store.record_exam(record)?;
    for a in answers {
        store.record_answer(a, None)?;
    }
    Ok(())
}
