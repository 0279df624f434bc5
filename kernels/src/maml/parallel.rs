//! The trainings of one run spread over the two cores.
//!
//! The main method, the pretrained baseline and the two compared methods are independent given
//! the seed: each draws its tasks from its own seeded stream ([`train`](super::train::train)).
//! So the calling thread trains the main method — recording its steps and its progress live,
//! and answering cancel — while one worker thread trains the other three one after the other,
//! recording into a [`WorkerSink`](crate::trace::WorkerSink); the worker's steps are [replayed](Trace::replay) after the
//! main method's. The learner sees exactly the steps, values and order of the sequential run
//! (`threads = 1`), and every update inside a training runs on one thread (no hand-over per
//! meta-update). While the worker is still busy, the calling thread relays its progress and
//! checks for cancel ([`Handoff::wait`]).

use super::train::{Evaluation, Trained, train};
use super::{Config, KERNEL, Method, Variant};
use crate::KernelError;
use crate::trace::{Handoff, Trace};

/// Every model of one run.
#[derive(Debug, Clone)]
pub struct Models {
    /// The main method (the `variant` knob) after `iterations`.
    pub main: Trained,
    /// The main method after `compare_iterations` (when that is > 0).
    pub main_at_compare: Option<Trained>,
    /// The pretrained baseline after `iterations`.
    pub pretrained: Trained,
    /// The other two methods after `compare_iterations` (none when that is 0).
    pub compared: Vec<Trained>,
}

/// The pretrained baseline, then the two methods other than the main one: the trainings that
/// follow the main method's in the sequential order.
fn others(
    cfg: &Config,
    ev: &Evaluation,
    tr: &mut Trace,
) -> Result<(Trained, Vec<Trained>), KernelError> {
    let (pretrained, _) = train(Method::Pretrained, cfg, cfg.iterations, 1, ev, tr)?;
    let mut compared = Vec::new();
    if cfg.compare_iterations > 0 {
        for v in [Variant::Maml, Variant::FoMaml, Variant::Reptile] {
            if v != cfg.variant {
                let (t, _) = train(Method::Meta(v), cfg, cfg.compare_iterations, 1, ev, tr)?;
                compared.push(t);
            }
        }
    }
    Ok((pretrained, compared))
}

/// Trains every model of the run (`ev.snapshot_at` applies to the main method only) on
/// `threads` threads (1: one after the other on the calling thread; 2 or more: the main method
/// here, the rest on one worker). Same models and same recorded steps for any `threads`.
pub fn train_all(
    cfg: &Config,
    ev: &Evaluation,
    tr: &mut Trace,
    threads: usize,
) -> Result<Models, KernelError> {
    let rest_ev = Evaluation {
        snapshot_at: None,
        ..*ev
    };
    let main = Method::Meta(cfg.variant);
    if threads < 2 {
        let (main_run, main_at_compare) = train(main, cfg, cfg.iterations, 1, ev, tr)?;
        let (pretrained, compared) = others(cfg, &rest_ev, tr)?;
        return Ok(Models {
            main: main_run,
            main_at_compare,
            pretrained,
            compared,
        });
    }
    let handoff = Handoff::default();
    let (main_run, rest) = std::thread::scope(|s| {
        let worker = s.spawn(|| {
            let mut sink = handoff.sink();
            let mut wtr = Trace::new(&mut sink);
            wtr.declare(KERNEL.steps);
            let trained = others(cfg, &rest_ev, &mut wtr);
            trained.map(|t| (t, sink.steps))
        });
        let mut main_run = train(main, cfg, cfg.iterations, 1, ev, tr);
        if main_run.is_ok()
            && let Err(e) = handoff.wait(tr, || worker.is_finished())
        {
            main_run = Err(e);
        }
        if main_run.is_err() {
            handoff.cancel();
        }
        let rest = worker
            .join()
            .unwrap_or_else(|_| Err(KernelError::Internal("maml worker panicked".into())));
        (main_run, rest)
    });
    let (main_run, main_at_compare) = main_run?;
    let ((pretrained, compared), steps) = rest?;
    for step in steps {
        tr.replay(step)?;
    }
    Ok(Models {
        main: main_run,
        main_at_compare,
        pretrained,
        compared,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::knobs::KnobValues;
    use crate::maml::train::eval_batch;
    use crate::trace::CollectSink;

    fn short_config() -> Config {
        let settings = [
            "iterations=40",
            "compare_iterations=20",
            "meta_batch=5",
            "eval_tasks=12",
            "eval_points=15",
        ]
        .map(String::from);
        let knobs: KnobValues = KERNEL.configure(3, &settings).expect("valid knobs");
        Config::from_knobs(&knobs).expect("valid config")
    }

    /// One thread or two: the same weights, few-shot numbers and recorded steps, in order.
    #[test]
    fn the_thread_count_does_not_change_the_models_or_the_trace() {
        let cfg = short_config();
        let test = eval_batch(&cfg);
        let curve = test.first(5);
        let ev = Evaluation {
            test: &test,
            curve: &curve,
            snapshot_at: Some(cfg.compare_iterations),
        };
        let mut runs = Vec::new();
        for threads in [1, 2] {
            let mut sink = CollectSink::default();
            let mut tr = Trace::new(&mut sink);
            tr.declare(KERNEL.steps);
            let models = train_all(&cfg, &ev, &mut tr, threads).expect("trains");
            runs.push((models, sink.steps));
        }
        let [(one, one_steps), (two, two_steps)] = [&runs[0], &runs[1]];
        assert!(!one_steps.is_empty());
        assert_eq!(one_steps, two_steps);
        let pairs = [(&one.main, &two.main), (&one.pretrained, &two.pretrained)];
        for (a, b) in pairs
            .into_iter()
            .chain(one.compared.iter().zip(&two.compared))
        {
            assert_eq!(a.method, b.method);
            assert_eq!(a.theta, b.theta, "{:?}", a.method);
            assert_eq!(a.few_shot, b.few_shot, "{:?}", a.method);
        }
        assert_eq!(one.compared.len(), 2);
        let snaps = (&one.main_at_compare, &two.main_at_compare);
        assert_eq!(
            snaps.0.as_ref().map(|t| &t.theta),
            snaps.1.as_ref().map(|t| &t.theta)
        );
    }
}
