//! `a3c`: Asynchronous Advantage Actor-Critic (Mnih et al. 2016) with real OS threads.
//!
//! `workers` threads each own their environments and a **local copy** of the network. Each
//! rolls out `n_steps` steps with its local policy, computes the gradient of the total loss on
//! its own rollout, applies it to the shared **global** network whenever it is ready — no
//! worker waits for another — and periodically copies the global weights back into its local
//! copy (§4, Algorithm S3). Because the workers are in different states of different episodes,
//! the updates are far less correlated than consecutive steps of one agent: the role that
//! experience replay plays for DQN, without leaving the on-policy setting.
//!
//! **Lock, not Hogwild.** The paper applied updates lock-free (§4, "Optimization", in the
//! style of Hogwild!, Recht et al. 2011): threads write the shared parameters concurrently and
//! occasionally overwrite each other. In Rust that needs `unsafe` shared mutation or one atomic per parameter, and a data race on
//! plain floats is undefined behaviour, not just noise. Here the global network sits behind a
//! `Mutex`, held only for the update itself: copy the gradient in, one Adam step, count the
//! version — about 4.7k parameters, a few microseconds — while the expensive part (rollout,
//! forward, backward) runs on the local copy with no lock held. Workers still update at their
//! own pace and still compute on stale parameters; the lock only makes each single update
//! whole. The shared Adam moments play the role of the paper's shared RMSProp statistics.
//!
//! **Deterministic mode** (`deterministic = true`, used by the tests and snapshots) runs the
//! same workers on the calling thread in a fixed interleaving that imitates threads of equal
//! speed: in each round every worker syncs, rolls out and computes its gradient from the same
//! global parameters, then the gradients are applied in worker order — so worker `k`'s gradient
//! is `k` updates stale, as it would be in lock-step threads. With real threads the order is
//! whatever the scheduler makes of it, so runs differ from one another.
//!
//! **Which network is evaluated.** The greedy checks every `eval_every` steps keep a copy of
//! the global network; the final 100-episode evaluation plays the latest of the best-scoring
//! copies (usually the network after the last update, which is checked too). With real threads
//! the last stale updates can land the policy in one of the dips the learning curve shows
//! mid-training (e.g. one check at 362 between checks at 500); one threaded run in 22 under
//! load once ended at 453. Picking the checkpoint on the 10-episode checks and scoring it on 100
//! other episodes (another seed) keeps the evaluation honest, as Stable-Baselines3's
//! `EvalCallback` "best model" does. The step is reported as `evaluated_checkpoint_step`; in 20
//! threaded runs (seeds 0–19) it was the final network every time.
//!
//! **The trace** is written only by the kernel's own thread (the monitor), from the reports the
//! workers send after each update; while it shows a step it holds the workers at a gate, so in
//! the TUI's step mode training waits for the learner.

mod report;
pub mod worker;

use super::actor_critic::ActorCritic;
use super::cartpole::{N_ACTIONS, OBS_DIM};
use super::learner::{self, Hyper, Optimizer};
use super::report as rl_report;
use crate::KernelError;
use crate::kernel::KernelInfo;
use crate::knobs::{KnobSpec, KnobValues};
use crate::trace::{Cell, Metric, PROGRESS_INTERVAL, StepDecl, Table, Trace};
use ndarray_rand::rand::SeedableRng;
use ndarray_rand::rand::rngs::StdRng;
use report::Monitor;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Instant;
use worker::{Global, ParameterServer, UpdateReport, Worker};

/// The registry entry.
pub const KERNEL: KernelInfo = KernelInfo {
    id: "a3c",
    title: "A3C (非同期 Advantage Actor-Critic) で CartPole",
    summary: "複数のワーカーが OS スレッドで並列にロールアウトし、共有のグローバルネットワークを各自のタイミングで更新する",
    source: "rl/a3c.rs",
    knobs: &[
        learner::TOTAL_STEPS,
        KnobSpec::int("workers", "ワーカー (スレッド) の数", 2, 1, 32),
        KnobSpec::int("envs_per_worker", "各ワーカーが持つ環境の数", 4, 1, 64),
        KnobSpec::int(
            "sync_every",
            "ローカルネットワークをグローバルの重みに同期する間隔 (そのワーカーの更新回数)",
            1,
            1,
            100,
        ),
        KnobSpec::bool(
            "deterministic",
            "ワーカーを 1 スレッドで決まった順に動かす (テスト用, 再現可能)",
            false,
        ),
        learner::N_STEPS,
        learner::HIDDEN,
        learner::GAMMA,
        learner::LR,
        learner::LR_DECAY,
        learner::OPTIMIZER,
        learner::VALUE_COEF,
        learner::ENTROPY_COEF,
        learner::MAX_GRAD_NORM,
        learner::EVAL_EPISODES,
        learner::EVAL_EVERY,
    ],
    steps: &[
        StepDecl::new("environment", "環境: CartPole-v1"),
        StepDecl::new("network", "共有ネットワーク (Actor と Critic)"),
        StepDecl::new("workers", "ワーカーとグローバルネットワーク"),
        StepDecl::new(
            "rollout",
            "ワーカー 0 のロールアウトと n-step アドバンテージ",
        ),
        StepDecl::new("loss", "トータルロス"),
        StepDecl::new("async_updates", "非同期な更新の順序"),
        StepDecl::new("training", "学習の進み具合"),
        StepDecl::new("evaluation", "貪欲方策の評価 (100 エピソード)"),
        StepDecl::new("throughput", "ワーカーごとの仕事量"),
    ],
    goals: &[rl_report::EVAL_RETURN_MEAN],
    run: run_knobs,
};

/// The knobs, read.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub hp: Hyper,
    pub workers: usize,
    pub envs_per_worker: usize,
    pub sync_every: usize,
    pub deterministic: bool,
}

impl Config {
    pub fn from_knobs(k: &KnobValues) -> Self {
        Self {
            hp: Hyper::from_knobs(k),
            workers: k.usize("workers"),
            envs_per_worker: k.usize("envs_per_worker"),
            sync_every: k.usize("sync_every"),
            deterministic: k.bool("deterministic"),
        }
    }
}

fn run_knobs(k: &KnobValues, tr: &mut Trace) -> Result<Vec<Metric>, KernelError> {
    run(&Config::from_knobs(k), tr)
}

/// Trains A3C on CartPole-v1 and evaluates the global network's greedy policy.
pub fn run(cfg: &Config, tr: &mut Trace) -> Result<Vec<Metric>, KernelError> {
    let hp = &cfg.hp;
    if cfg.workers == 0 {
        return Err(KernelError::InvalidConfig(
            "workers must be at least 1".into(),
        ));
    }
    hp.validate(cfg.envs_per_worker)?;
    let mut rng = StdRng::seed_from_u64(hp.seed);
    rl_report::environment(tr, &mut rng)?;
    let mut net = ActorCritic::new(OBS_DIM, hp.hidden, N_ACTIONS, &mut rng)?;
    rl_report::network(tr, &mut net, hp)?;
    let mut workers: Vec<Worker> = (0..cfg.workers)
        .map(|id| Worker::new(id, cfg.envs_per_worker, hp.seed, &mut net))
        .collect();
    let server = ParameterServer::new(
        Global {
            net,
            opt: Optimizer::new(hp)?,
            version: 0,
        },
        hp.total_steps,
    );
    show_workers(tr, cfg)?;

    let mut monitor = Monitor::new(hp);
    let started = Instant::now();
    if cfg.deterministic {
        run_interleaved(&mut workers, &server, &mut monitor, tr, cfg)?;
    } else {
        run_threads(&mut workers, &server, &mut monitor, tr, cfg)?;
    }
    // Training time: wall time without the pauses for shown steps and greedy checks.
    let seconds = started
        .elapsed()
        .saturating_sub(monitor.paused)
        .as_secs_f64();
    monitor.finish(tr, &server, hp)?;

    // Evaluate the latest of the best greedy checks (after the last update there always is one).
    let (checkpoint, mut evaluated) = match monitor.best.take() {
        Some(c) => (c.step, c.net),
        None => (server.steps_reserved(), server.lock().net.clone()),
    };
    let ev = rl_report::evaluation(tr, &mut evaluated, hp)?;
    let env_steps: usize = workers.iter().map(|w| w.env_steps).sum();
    let updates = server.lock().version;
    show_throughput(tr, &workers, cfg, seconds, env_steps)?;
    let mut metrics = rl_report::metrics(&ev, &monitor.log);
    metrics.push(Metric::reported(
        "evaluated_checkpoint_step",
        checkpoint as f64,
    ));
    metrics.push(Metric::reported("updates", updates as f64));
    metrics.push(Metric::reported("env_steps", env_steps as f64));
    let stale: usize = workers.iter().map(|w| w.staleness_sum).sum();
    metrics.push(Metric::reported(
        "mean_staleness",
        stale as f64 / updates.max(1) as f64,
    ));
    if !cfg.deterministic {
        // Wall-clock speed only where threads really ran (it differs from run to run).
        metrics.push(Metric::reported(
            "env_steps_per_sec",
            env_steps as f64 / seconds.max(1e-9),
        ));
    }
    Ok(metrics)
}

/// Deterministic mode: rounds of "every worker computes, then every worker applies".
fn run_interleaved(
    workers: &mut [Worker],
    server: &ParameterServer,
    monitor: &mut Monitor,
    tr: &mut Trace,
    cfg: &Config,
) -> Result<(), KernelError> {
    let hp = &cfg.hp;
    let per_rollout = cfg.envs_per_worker * hp.n_steps;
    loop {
        let mut pending = Vec::with_capacity(workers.len());
        for w in workers.iter_mut() {
            let Some(before) = server.reserve(per_rollout) else {
                break;
            };
            w.maybe_sync(server, cfg.sync_every);
            let keep_going = &mut || tr.progress(report::PROGRESS_LABEL, before, hp.total_steps);
            pending.push(w.compute(before, hp, keep_going)?);
        }
        let last_round = pending.len() < workers.len();
        for (w, p) in workers.iter_mut().zip(pending) {
            let report = w.apply(p, server, hp);
            monitor.handle(report, tr, server, hp)?;
        }
        if last_round {
            return Ok(());
        }
    }
}

/// Real threads: one per worker; the calling thread runs the monitor until all have stopped.
fn run_threads(
    workers: &mut [Worker],
    server: &ParameterServer,
    monitor: &mut Monitor,
    tr: &mut Trace,
    cfg: &Config,
) -> Result<(), KernelError> {
    let hp = &cfg.hp;
    let per_rollout = cfg.envs_per_worker * hp.n_steps;
    let stop = AtomicBool::new(false);
    let mut failure: Option<KernelError> = None;
    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::channel::<Result<UpdateReport, KernelError>>();
        for w in workers.iter_mut() {
            let (tx, stop) = (tx.clone(), &stop);
            scope.spawn(move || {
                let keep_going = &mut || match stop.load(Ordering::Relaxed) {
                    true => Err(KernelError::Cancelled),
                    false => Ok(()),
                };
                // quiz:begin a3c-worker-loop
                while !stop.load(Ordering::Relaxed) {
                    server.pass_gate(); // waits while the viewer looks at a step
                    let Some(before) = server.reserve(per_rollout) else {
                        break; // the step budget is spent
                    };
                    w.maybe_sync(server, cfg.sync_every); // θ' ← θ
                    let report = w
                        .compute(before, hp, keep_going)
                        .map(|p| w.apply(p, server, hp));
                    let failed = report.is_err();
                    if tx.send(report).is_err() || failed {
                        break;
                    }
                }
                // quiz:end a3c-worker-loop
            });
        }
        drop(tx); // the channel closes when the last worker stops
        loop {
            // Waiting for a report is a cancel point too: one worker cycle can take seconds
            // with large knob values, and the viewer may stop the run meanwhile.
            let outcome = match rx.recv_timeout(PROGRESS_INTERVAL) {
                Ok(msg) if failure.is_none() => msg.and_then(|r| monitor.handle(r, tr, server, hp)),
                Ok(_) => continue, // drain until every worker has seen the stop flag
                Err(RecvTimeoutError::Timeout) if failure.is_none() => tr.progress(
                    report::PROGRESS_LABEL,
                    server.steps_reserved(),
                    hp.total_steps,
                ),
                Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => break,
            };
            if let Err(e) = outcome {
                stop.store(true, Ordering::Relaxed);
                failure = Some(e);
            }
        }
    });
    failure.map_or(Ok(()), Err)
}

fn show_workers(tr: &mut Trace, cfg: &Config) -> Result<(), KernelError> {
    let mode = if cfg.deterministic {
        "決定的モード (1 スレッド、決まった順)"
    } else {
        "スレッドモード (ワーカーごとに OS スレッド)"
    };
    tr.step("workers", |s| {
        let columns = ["ワーカー", "環境の数", "1 回の更新の経験", "同期の間隔"];
        let per_update = format!("{} ステップ", cfg.envs_per_worker * cfg.hp.n_steps);
        let sync = format!("{} 更新ごと", cfg.sync_every);
        let name = format!("{} ワーカー × {} 環境", cfg.workers, cfg.envs_per_worker);
        s.table(Table::new(name, columns).rows(0..cfg.workers, |w| {
            [
                Cell::from(w),
                cfg.envs_per_worker.into(),
                per_update.as_str().into(),
                sync.as_str().into(),
            ]
        }));
        s.text(format!("実行モード: {mode}"));
    })
}

fn show_throughput(
    tr: &mut Trace,
    workers: &[Worker],
    cfg: &Config,
    seconds: f64,
    env_steps: usize,
) -> Result<(), KernelError> {
    let mut columns = vec![
        "ワーカー",
        "更新回数",
        "環境ステップ",
        "エピソード",
        "平均 staleness",
    ];
    if !cfg.deterministic {
        columns.extend(["ロック待ち (ms)", "ロック保持 (ms)"]);
    }
    let ms = |d: std::time::Duration| Cell::from(d.as_secs_f64() * 1e3);
    let row = |w: &Worker| {
        let mut r = vec![
            Cell::from(w.id),
            w.updates.into(),
            w.env_steps.into(),
            w.episodes.into(),
            w.mean_staleness().into(),
        ];
        if !cfg.deterministic {
            r.extend([ms(w.lock_wait), ms(w.lock_held)]);
        }
        r
    };
    tr.step("throughput", |s| {
        s.table(Table::new("ワーカーごとの仕事", columns).rows(workers, row));
        s.scalar("環境ステップの合計", env_steps as f64);
        if !cfg.deterministic {
            s.scalar("学習の経過時間 (秒)", seconds);
            s.scalar("環境ステップ / 秒", env_steps as f64 / seconds.max(1e-9));
        }
    })
}
