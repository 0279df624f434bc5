//! Choices shuffled at every presentation, and the key mapped back.
//!
//! A presentation shows the choices of a question in a random order: `order[shown] = written`,
//! the index of the choice (as written in the lesson) displayed at position `shown`. Answers
//! are stored by the written index, so the shuffling never leaks into saved progress.

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

/// One presentation order of `n` choices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shuffled {
    /// `order[shown]` is the written index of the choice shown at position `shown`.
    pub order: Vec<usize>,
}

impl Shuffled {
    /// The choices in a random order drawn from `rng`.
    pub fn new(n: usize, rng: &mut StdRng) -> Self {
        let mut order: Vec<usize> = (0..n).collect();
        order.shuffle(rng);
        Self { order }
    }

    /// The written order (no shuffling).
    pub fn identity(n: usize) -> Self {
        Self {
            order: (0..n).collect(),
        }
    }

    /// The written index of the choice shown at `shown`.
    pub fn written(&self, shown: usize) -> Option<usize> {
        self.order.get(shown).copied()
    }

    /// The position at which written choice `written` is shown.
    pub fn shown(&self, written: usize) -> Option<usize> {
        self.order.iter().position(|&w| w == written)
    }
}

/// The random source of a study session: seeded, so a session can be replayed exactly.
pub fn rng(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presentations_differ_and_replay_with_the_seed() {
        let mut a = rng(7);
        let orders: Vec<_> = (0..50).map(|_| Shuffled::new(4, &mut a).order).collect();
        let distinct: std::collections::HashSet<_> = orders.iter().collect();
        assert!(
            distinct.len() > 10,
            "only {} distinct orders",
            distinct.len()
        );
        let mut b = rng(7);
        let again: Vec<_> = (0..50).map(|_| Shuffled::new(4, &mut b).order).collect();
        assert_eq!(orders, again);
        // Every choice reaches every position over many presentations.
        for written in 0..4 {
            let positions: std::collections::HashSet<_> = orders
                .iter()
                .map(|o| o.iter().position(|&w| w == written))
                .collect();
            assert_eq!(
                positions.len(),
                4,
                "choice {written} stuck at {positions:?}"
            );
        }
    }
}
