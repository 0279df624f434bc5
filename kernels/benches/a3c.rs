//! A3C with real threads: environment steps per second with 1 and with 2 workers, and the
//! speed-up of 2 workers over 1; plus the wall time of the default runs of `a2c` and `a3c`.
//!
//! `cargo bench -p eshikaku-kernels --bench a3c` — results are recorded in BENCHMARKS.md.
//! A plain `main` (no divan): the numbers wanted are throughputs and their ratio, measured on
//! whole training runs. Each worker count is run `ROUNDS` times, alternating 1 and 2 workers so
//! that a neighbour's load hits both alike; the speed-up is the ratio of the medians (and of the
//! best runs). Set `A3C_BENCH_STEPS` to change the steps per run (default 200 000).
//! The machine load (`/proc/loadavg`) is printed next to every measurement: on a shared
//! 2-core machine, only numbers measured at a load well below 1 show the real speed-up. The
//! process's CPU seconds beside the wall seconds tell how much of the time both cores were
//! really working for it (CPU/wall ≈ 2 when two workers ran in parallel the whole time).

use eshikaku_kernels::registry;
use eshikaku_kernels::trace::{CollectSink, Trace};
use std::time::Instant;

const ROUNDS: usize = 5;

/// CPU seconds (user + system) this process has used so far, from `/proc/self/stat`
/// (fields 14 and 15, in clock ticks of 1/100 s, the Linux default). `None` elsewhere.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name (field 2) may contain spaces; the fields after it are plain numbers.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i)?.parse::<f64>().ok();
    Some((ticks(11)? + ticks(12)?) / 100.0)
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

/// Runs kernel `id` with `settings`; returns (wall seconds, CPU seconds, the report).
fn run(id: &str, settings: &[String]) -> (f64, f64, eshikaku_kernels::trace::Report) {
    let k = registry::find(id).expect("registered kernel");
    let knobs = k.configure(0, settings).expect("valid knobs");
    let mut sink = CollectSink::default();
    let (t, cpu) = (Instant::now(), cpu_seconds());
    let report = k.run(&knobs, &mut Trace::new(&mut sink)).expect("runs");
    let cpu = cpu.zip(cpu_seconds()).map_or(f64::NAN, |(a, b)| b - a);
    (t.elapsed().as_secs_f64(), cpu, report)
}

fn metric(r: &eshikaku_kernels::trace::Report, name: &str) -> f64 {
    r.metric(name).map_or(f64::NAN, |m| m.value)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let steps: usize = std::env::var("A3C_BENCH_STEPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200_000);
    println!("A3C throughput, {steps} env steps per run, envs_per_worker = 4, n_steps = 5");
    println!(
        "| run | workers | env_steps_per_sec | train s | run: wall s, CPU s | load (1, 5, 15 min) |"
    );
    println!("|---|---|---|---|---|---|");
    let mut sps = [Vec::new(), Vec::new()];
    for round in 1..=ROUNDS {
        for workers in [1usize, 2] {
            let settings = [
                format!("total_steps={steps}"),
                format!("workers={workers}"),
                "eval_every=5000000".to_string(),
                "eval_episodes=10".to_string(),
            ];
            let load = load();
            let (wall, cpu, report) = run("a3c", &settings);
            let v = metric(&report, "env_steps_per_sec");
            sps[workers - 1].push(v);
            println!(
                "| {round} | {workers} | {v:.0} | {:.2} | {wall:.2}, {cpu:.2} | {load} |",
                steps as f64 / v
            );
        }
    }
    let best = |v: &Vec<f64>| v.iter().copied().fold(0.0, f64::max);
    let (m1, m2) = (median(sps[0].clone()), median(sps[1].clone()));
    println!();
    println!(
        "env_steps_per_sec (1 worker):  median {m1:.0}, best {:.0}",
        best(&sps[0])
    );
    println!(
        "env_steps_per_sec (2 workers): median {m2:.0}, best {:.0}",
        best(&sps[1])
    );
    println!(
        "speedup_2_workers: {:.2} (medians), {:.2} (best runs)",
        m2 / m1,
        best(&sps[1]) / best(&sps[0])
    );

    println!();
    println!("Default runs (500k env steps, 100 greedy evaluation episodes):");
    for (id, settings) in [
        ("a2c", vec![]),
        ("a3c", vec![]),
        ("a3c", vec!["deterministic=true".to_string()]),
    ] {
        let load = load();
        let (secs, cpu, report) = run(id, &settings);
        println!(
            "  {id} {settings:?}: {secs:.2} s wall, {cpu:.2} s CPU, eval_return_mean {}, load {load}",
            metric(&report, "eval_return_mean")
        );
    }
}
