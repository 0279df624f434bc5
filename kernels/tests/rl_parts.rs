//! The building blocks of the RL kernels: the actor-critic network and total loss (gradient
//! check in f64 against an independently written objective), orthogonal initialisation,
//! truncation bootstrapping, action sampling, greedy evaluation, the parameter server, and
//! knob validation.

mod kernel_util;

use eshikaku_kernels::KernelError;
use eshikaku_kernels::nn::Params;
use eshikaku_kernels::nn::gradcheck::gradcheck;
use eshikaku_kernels::registry;
use eshikaku_kernels::rl::a3c::worker::{Global, ParameterServer};
use eshikaku_kernels::rl::actor_critic::{ActorCritic, greedy_actions, sample_actions};
use eshikaku_kernels::rl::cartpole::{CartPole, MAX_EPISODE_STEPS};
use eshikaku_kernels::rl::evaluate::greedy_episodes;
use eshikaku_kernels::rl::learner::{CHUNK_ROWS, Hyper, Optimizer, compute_gradients};
use eshikaku_kernels::rl::loss::{actor_critic_loss, n_step_returns};
use eshikaku_kernels::rl::vec_env::VecEnv;
use ndarray::{Array1, Array2, ArrayD, array};
use ndarray_rand::RandomExt;
use ndarray_rand::rand::SeedableRng;
use ndarray_rand::rand::rngs::StdRng;
use ndarray_rand::rand_distr::StandardNormal;

/// `L = −mean(A₀ log π(a|s)) + c_v mean((R − V)²) − c_H mean(H)`, written from the definition
/// with the advantages `A₀` frozen (the policy gradient treats them as constants).
fn objective(
    net: &mut ActorCritic<f64>,
    s: &Array2<f64>,
    actions: &[usize],
    returns: &Array1<f64>,
    adv: &Array1<f64>,
    (cv, ch): (f64, f64),
) -> f64 {
    let h = net.forward(s);
    let b = actions.len() as f64;
    let mut total = 0.0;
    for (i, &a) in actions.iter().enumerate() {
        let z = h.logits.row(i);
        let norm: f64 = z.iter().map(|v| v.exp()).sum();
        let p: Vec<f64> = z.iter().map(|v| v.exp() / norm).collect();
        let entropy: f64 = -p.iter().map(|q| q * q.ln()).sum::<f64>();
        total += -adv[i] * p[a].ln() + cv * (returns[i] - h.values[i]).powi(2) - ch * entropy;
    }
    total / b
}

#[test]
fn network_and_total_loss_pass_a_gradient_check() {
    let mut rng = StdRng::seed_from_u64(11);
    let mut net = ActorCritic::<f64>::new(4, 6, 3, &mut rng).expect("net");
    // Larger policy weights than the 0.01 init, so the policy term is not negligible.
    net.policy_head.w.mapv_inplace(|v| v * 100.0);
    let s = Array2::<f64>::random_using((5, 4), StandardNormal, &mut rng);
    let actions = [0, 2, 1, 1, 0];
    let returns = array![1.0, -0.5, 2.0, 0.3, 1.2];
    let coefs = (0.5, 0.07);
    let h = net.forward(&s);
    let adv = &returns - &h.values;
    let report = gradcheck(
        &mut net,
        &mut Vec::<ArrayD<f64>>::new(),
        |m, _| objective(m, &s, &actions, &returns, &adv, coefs),
        |m, _| {
            let h = m.forward(&s);
            let out = actor_critic_loss(&h.logits, &h.values, &actions, &returns, 0.5, 0.07);
            m.backward(&out.dlogits, &out.dvalues);
            Vec::new()
        },
        1e-5,
    );
    assert!(report.max() < 1e-6, "{report:?}");
    // And the loss value itself agrees with the independent objective.
    let h = net.forward(&s);
    let out = actor_critic_loss(&h.logits, &h.values, &actions, &returns, 0.5, 0.07);
    let want = objective(&mut net, &s, &actions, &returns, &adv, coefs);
    assert!((out.terms.total - want).abs() < 1e-12);
}

#[test]
fn orthogonal_init_has_the_gains_of_the_issue() {
    let mut rng = StdRng::seed_from_u64(0);
    let net = ActorCritic::<f64>::new(4, 64, 2, &mut rng).expect("net");
    // (in, out) with in ≤ out: orthogonal rows, W Wᵀ = gain² I; in > out: Wᵀ W = gain² I.
    let close = |a: Array2<f64>, gain2: f64| {
        let eye = Array2::<f64>::eye(a.nrows()) * gain2;
        (&a - &eye).iter().fold(0.0f64, |m, v| m.max(v.abs()))
    };
    assert!(close(net.fc1.w.dot(&net.fc1.w.t()), 2.0) < 1e-12);
    assert!(close(net.fc2.w.dot(&net.fc2.w.t()), 2.0) < 1e-12);
    assert!(close(net.policy_head.w.t().dot(&net.policy_head.w), 1e-4) < 1e-12);
    assert!(close(net.value_head.w.t().dot(&net.value_head.w), 1.0) < 1e-12);
    for b in [
        &net.fc1.b,
        &net.fc2.b,
        &net.policy_head.b,
        &net.value_head.b,
    ] {
        assert!(b.iter().all(|&v| v == 0.0));
    }
}

#[test]
fn params_and_grads_round_trip_through_flat_vectors() {
    let mut rng = StdRng::seed_from_u64(1);
    let mut a = ActorCritic::<f32>::new(4, 8, 2, &mut rng).expect("net");
    let mut b = ActorCritic::<f32>::new(4, 8, 2, &mut rng).expect("net");
    assert_ne!(a.params_to_vec(), b.params_to_vec());
    b.set_params(&a.params_to_vec());
    assert_eq!(a.params_to_vec(), b.params_to_vec());
    let g: Vec<f32> = (0..a.num_params()).map(|i| i as f32).collect();
    a.set_grads(&g);
    assert_eq!(a.grads_to_vec(), g);
}

#[test]
fn truncation_bootstraps_from_the_critic_and_termination_does_not() {
    let mut rng = StdRng::seed_from_u64(2);
    let mut net = ActorCritic::<f32>::new(4, 8, 2, &mut rng).expect("net");
    net.value_head.b.fill(3.0); // V(s) ≈ 3 everywhere: a visible bootstrap
    // env 0: upright, one step before the 500-step limit; env 1: about to fall over.
    let mut cut = CartPole::from_state([0.0, 0.0, 0.0, 0.0]);
    cut.elapsed_steps = MAX_EPISODE_STEPS - 1;
    let falling = CartPole::from_state([0.0, 0.0, 0.2094, 2.0]);
    let mut envs = VecEnv::from_envs(vec![cut, falling]);
    let mut ends = Vec::new();
    let ro = envs
        .rollout(&mut net, 1, 0.9, &mut rng, &mut ends, &mut || Ok(()))
        .expect("never cancelled");
    assert_eq!(ro.dones.row(0).to_vec(), vec![1.0, 1.0]);
    assert_eq!(ends.len(), 2);
    assert!(ends[0].truncated && !ends[1].truncated);
    // r = 1 + γ V(s_final) for the cut-off episode, exactly 1 for the terminated one.
    assert!(
        ro.rewards[[0, 0]] > 1.0 + 0.9 * 2.5,
        "{}",
        ro.rewards[[0, 0]]
    );
    assert_eq!(ro.rewards[[0, 1]], 1.0);
    // Both environments were reset.
    assert!(envs.envs.iter().all(|e| e.elapsed_steps == 0));
    assert!(envs.obs().iter().all(|v| v.abs() < 0.05));
}

#[test]
fn sampled_actions_follow_the_policy_and_greedy_takes_the_max() {
    let mut rng = StdRng::seed_from_u64(3);
    let probs = Array2::from_shape_fn((20_000, 2), |(_, k)| if k == 0 { 0.3f32 } else { 0.7 });
    let a = sample_actions(&probs, &mut rng);
    let right = a.iter().filter(|&&x| x == 1).count() as f64 / a.len() as f64;
    assert!((right - 0.7).abs() < 0.02, "{right}");
    assert_eq!(
        greedy_actions(&array![[0.1f32, 0.2], [3.0, -1.0]]),
        vec![1, 0]
    );
}

#[test]
fn greedy_evaluation_is_seeded_and_records_the_first_episode() {
    let mut rng = StdRng::seed_from_u64(4);
    let mut net = ActorCritic::<f32>::new(4, 16, 2, &mut rng).expect("net");
    let a = greedy_episodes(&mut net, 7, 42);
    let b = greedy_episodes(&mut net, 7, 42);
    assert_eq!(a, b);
    assert_eq!(a.returns.len(), 7);
    assert!(a.returns.iter().all(|&r| (1.0..=500.0).contains(&r)));
    assert_eq!(a.frames.len(), a.returns[0] as usize + 1);
}

#[test]
fn the_parameter_server_hands_out_the_step_budget_exactly_once() {
    let mut rng = StdRng::seed_from_u64(5);
    let hp = Hyper::from_knobs(
        &registry::find("a3c")
            .expect("a3c")
            .configure(0, &[] as &[&str])
            .expect("defaults"),
    );
    let server = ParameterServer::new(
        Global {
            net: ActorCritic::new(4, 8, 2, &mut rng).expect("net"),
            opt: Optimizer::new(&hp).expect("adam"),
            version: 0,
        },
        100,
    );
    assert_eq!(server.reserve(40), Some(0));
    assert_eq!(server.reserve(40), Some(40));
    assert_eq!(server.reserve(40), None, "only 20 steps left");
    assert_eq!(server.steps_reserved(), 100);
    assert_eq!(hp.lr_at(0), hp.lr);
    assert_eq!(hp.lr_at(hp.total_steps), 0.0);
}

fn run(id: &str, settings: &[&str]) -> Result<eshikaku_kernels::trace::Report, KernelError> {
    kernel_util::run(id, 0, settings).map(|(report, _)| report)
}

#[test]
fn a_rollout_larger_than_the_budget_is_an_invalid_config() {
    let a2c = run("a2c", &["total_steps=1000", "n_envs=64", "n_steps=100"]);
    assert!(matches!(a2c, Err(KernelError::InvalidConfig(m)) if m.contains("total_steps")));
    let a3c = run(
        "a3c",
        &["total_steps=1000", "envs_per_worker=64", "n_steps=100"],
    );
    assert!(matches!(a3c, Err(KernelError::InvalidConfig(m)) if m.contains("total_steps")));
}

#[test]
fn extreme_knobs_never_panic() {
    for (id, settings) in [
        (
            "a2c",
            vec![
                "total_steps=2000",
                "hidden=4",
                "gamma=0",
                "n_envs=1",
                "n_steps=1",
            ],
        ),
        (
            "a2c",
            vec![
                "total_steps=2000",
                "lr=0.1",
                "entropy_coef=1",
                "optimizer=rmsprop",
            ],
        ),
        (
            "a2c",
            vec![
                "total_steps=2000",
                "lr_decay=false",
                "eval_every=1000",
                "eval_episodes=1",
            ],
        ),
        (
            "a3c",
            vec![
                "total_steps=2000",
                "workers=32",
                "envs_per_worker=1",
                "sync_every=100",
            ],
        ),
        (
            "a3c",
            vec![
                "total_steps=2000",
                "deterministic=true",
                "workers=1",
                "value_coef=10",
            ],
        ),
    ] {
        match run(id, &settings) {
            Ok(report) => assert!(report.metric("eval_return_mean").is_some()),
            Err(KernelError::Diverged { .. }) => {}
            Err(e) => panic!("{id} {settings:?}: {e}"),
        }
    }
}

/// A rollout of 3·CHUNK_ROWS/2 + 7 rows (so two chunks, the second partial) from a seeded net.
fn large_rollout() -> (
    ActorCritic<f32>,
    eshikaku_kernels::rl::vec_env::Rollout,
    Hyper,
) {
    let mut rng = StdRng::seed_from_u64(11);
    let mut net = ActorCritic::new(4, 16, 2, &mut rng).expect("network");
    let n_envs = 7;
    let n_steps = (3 * CHUNK_ROWS / 2) / n_envs + 1;
    let mut envs = VecEnv::new(n_envs, &mut rng);
    let ro = envs
        .rollout(
            &mut net,
            n_steps,
            0.99,
            &mut rng,
            &mut Vec::new(),
            &mut || Ok(()),
        )
        .expect("never cancelled");
    assert!(ro.actions.len() > CHUNK_ROWS && ro.actions.len() < 2 * CHUNK_ROWS);
    let knobs = registry::find("a2c")
        .expect("a2c")
        .configure::<&str>(0, &[])
        .expect("defaults");
    let mut hp = Hyper::from_knobs(&knobs);
    hp.max_grad_norm = 1e9; // compare the raw gradients, not clipped ones
    (net, ro, hp)
}

#[test]
fn gradients_in_chunks_equal_one_pass_over_the_whole_rollout() {
    let (mut net, ro, hp) = large_rollout();
    let stats = compute_gradients(&mut net, &ro, &hp, &mut || Ok(())).expect("finite");
    let chunked = net.grads_to_vec();
    // One pass, written out: returns, forward of all rows, loss, backward.
    let (t, n) = ro.rewards.dim();
    let boot = net.forward(&ro.last_obs).values;
    let returns = n_step_returns(&ro.rewards, &ro.dones, &boot, hp.gamma as f32);
    let returns = Array1::from_iter(returns.iter().copied());
    assert_eq!(returns.len(), t * n);
    net.zero_grad();
    let heads = net.forward(&ro.obs);
    let (cv, ch) = (hp.value_coef as f32, hp.entropy_coef as f32);
    let out = actor_critic_loss(&heads.logits, &heads.values, &ro.actions, &returns, cv, ch);
    net.backward(&out.dlogits, &out.dvalues);
    let whole = net.grads_to_vec();
    let scale = whole.iter().fold(0f32, |m, g| m.max(g.abs()));
    assert!(scale > 1e-4, "a gradient to compare: {scale}");
    for (i, (a, b)) in chunked.iter().zip(&whole).enumerate() {
        assert!(
            (a - b).abs() <= 1e-5 * scale,
            "grad {i}: chunked {a} vs whole {b}"
        );
    }
    let (a, b) = (stats.terms.total, out.terms.total);
    assert!((a - b).abs() <= 1e-5 * b.abs().max(1.0), "loss {a} vs {b}");
}

#[test]
fn a_cancel_point_stops_a_rollout_and_a_gradient_part_way() {
    let (mut net, ro, hp) = large_rollout();
    // The gradient asks once per chunk: stopping at the second ask means after one chunk.
    let mut asked = 0;
    let mut stop_at_second = || {
        asked += 1;
        if asked >= 2 {
            Err(KernelError::Cancelled)
        } else {
            Ok(())
        }
    };
    let r = compute_gradients(&mut net, &ro, &hp, &mut stop_at_second);
    assert!(matches!(r, Err(KernelError::Cancelled)), "{r:?}");
    assert_eq!(asked, 2);
    // The rollout asks before every time step.
    let mut rng = StdRng::seed_from_u64(3);
    let mut envs = VecEnv::new(2, &mut rng);
    let mut asked = 0;
    let mut stop_at_fifth = || {
        asked += 1;
        if asked >= 5 {
            Err(KernelError::Cancelled)
        } else {
            Ok(())
        }
    };
    let r = envs.rollout(
        &mut net,
        100,
        0.99,
        &mut rng,
        &mut Vec::new(),
        &mut stop_at_fifth,
    );
    assert!(matches!(r, Err(KernelError::Cancelled)));
    assert_eq!(asked, 5);
}
