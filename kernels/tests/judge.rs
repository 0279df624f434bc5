//! The digit judge: accurate on the test split, deterministic, and its scores separate real
//! digits from a mode-collapsed set.

use eshikaku_kernels::data::digits;
use eshikaku_kernels::judge::{self, JUDGE_SEED, Judge, as_images, score};

#[test]
fn judge_is_accurate_and_tolerates_one_pixel_shifts() {
    let j = judge::shared();
    assert!(j.test_accuracy >= 0.95, "{}", j.test_accuracy);
    assert!(
        j.shifted_test_accuracy >= 0.9,
        "{}",
        j.shifted_test_accuracy
    );
}

#[test]
fn real_digits_score_high_and_a_collapsed_set_scores_low() {
    let j = judge::shared();
    let all = digits::load();
    let p = j.probabilities(&as_images(&all));
    let cs = score::classifier_score(&p);
    assert!(cs > 9.0 && cs <= 10.0, "real digits score {cs}");
    assert_eq!(score::class_coverage(&p, 0.03), 10);
    // only the ones: coverage 1 and a score near its minimum 1
    let ones: Vec<usize> = (0..all.len()).filter(|&i| all.labels[i] == 1).collect();
    let p1 = j.probabilities(&as_images(&all.select(&ones)));
    assert_eq!(score::class_coverage(&p1, 0.03), 1);
    assert!(score::classifier_score(&p1) < 1.5);
}

#[test]
fn training_is_deterministic() {
    let (_, test) = digits::load().split();
    let x = as_images(&test);
    let again = Judge::train(JUDGE_SEED);
    assert_eq!(again.test_accuracy, judge::shared().test_accuracy);
    assert_eq!(again.probabilities(&x), judge::shared().probabilities(&x));
}
