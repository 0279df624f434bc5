//! `eshikaku run KERNEL`: run a kernel and print its steps (text, or one JSON document).

use super::text;
use eshikaku_kernels::kernel::KernelInfo;
use eshikaku_kernels::knobs::KnobValues;
use eshikaku_kernels::registry;
use eshikaku_kernels::trace::Report;
use eshikaku_kernels::trace::sink::Cancelled;
use eshikaku_kernels::trace::{CollectSink, Progress, Sink, Step, Trace};
use eshikaku_kernels::{KernelError, trace::Metric};
use serde::Serialize;
use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

/// Exit code when a metric missed its target.
const EXIT_METRIC_FAILED: u8 = 1;
/// Exit code for bad arguments or a failed run.
const EXIT_ERROR: u8 = 2;

pub fn main(kernel: &str, seed: u64, settings: &[String], json: bool, stepping: bool) -> ExitCode {
    let Some(info) = registry::find(kernel) else {
        eprintln!(
            "error: unknown kernel `{kernel}`; kernels: {} (see `eshikaku list`)",
            registry::all()
                .iter()
                .map(|k| k.id)
                .collect::<Vec<_>>()
                .join(", ")
        );
        return ExitCode::from(EXIT_ERROR);
    };
    let knobs = match info.configure(seed, settings) {
        Ok(k) => k,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_ERROR);
        }
    };
    if json {
        run_json(info, &knobs)
    } else {
        run_text(info, &knobs, stepping)
    }
}

/// The document `run --json` prints.
#[derive(Serialize)]
struct RunJson<'a> {
    kernel: &'a str,
    seed: u64,
    config: serde_json::Map<String, serde_json::Value>,
    steps: Vec<Step>,
    metrics: Vec<Metric>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

fn config_json(knobs: &KnobValues) -> serde_json::Map<String, serde_json::Value> {
    knobs
        .iter()
        .map(|(k, v)| {
            (
                k.to_string(),
                serde_json::to_value(v).unwrap_or(serde_json::Value::Null),
            )
        })
        .collect()
}

fn run_json(info: &KernelInfo, knobs: &KnobValues) -> ExitCode {
    let mut sink = CollectSink::default();
    let result = info.run(knobs, &mut Trace::new(&mut sink));
    let (metrics, error) = match &result {
        Ok(r) => (r.metrics.clone(), None),
        Err(e) => (Vec::new(), Some(e.to_string())),
    };
    let doc = RunJson {
        kernel: info.id,
        seed: knobs.seed,
        config: config_json(knobs),
        steps: sink.steps,
        metrics,
        error,
    };
    match serde_json::to_string(&doc) {
        Ok(s) => println!("{s}"),
        Err(e) => {
            eprintln!("error: cannot write JSON: {e}");
            return ExitCode::from(EXIT_ERROR);
        }
    }
    exit_code(&result)
}

fn exit_code(result: &Result<Report, KernelError>) -> ExitCode {
    match result {
        Ok(r) if r.passed() => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(EXIT_METRIC_FAILED),
        Err(_) => ExitCode::from(EXIT_ERROR),
    }
}

fn run_text(info: &KernelInfo, knobs: &KnobValues, stepping: bool) -> ExitCode {
    let config: Vec<String> = knobs.iter().map(|(k, v)| format!("{k}={v}")).collect();
    println!("{} — {}", info.id, info.title);
    println!("  seed {}  {}\n", knobs.seed, config.join("  "));
    let mut sink = PrintSink {
        stepping,
        progress_shown: false,
        tty: std::io::stderr().is_terminal(),
        last_percent: None,
    };
    let result = info.run(knobs, &mut Trace::new(&mut sink));
    sink.clear_progress();
    match &result {
        Ok(r) => {
            let failed = r.metrics.iter().filter(|m| !m.pass).count();
            if failed == 0 {
                println!("all {} metrics reached their targets", r.metrics.len());
            } else {
                println!(
                    "{failed} of {} metrics missed their targets",
                    r.metrics.len()
                );
            }
        }
        Err(KernelError::Cancelled) => eprintln!("stopped"),
        Err(e) => eprintln!("error: {e}"),
    }
    exit_code(&result)
}

/// Prints each step as it happens, a progress line on stderr, and optionally waits for Enter.
struct PrintSink {
    stepping: bool,
    progress_shown: bool,
    tty: bool,
    last_percent: Option<usize>,
}

impl PrintSink {
    fn clear_progress(&mut self) {
        if self.progress_shown {
            eprint!("\r\x1b[2K");
            self.progress_shown = false;
        }
    }
}

impl Sink for PrintSink {
    fn step(&mut self, step: Step) -> Result<(), Cancelled> {
        self.clear_progress();
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{}", text::step(&step));
        let _ = out.flush();
        drop(out);
        if self.stepping {
            eprint!("── Enter: 次のステップ / c Enter: 最後まで / q Enter: 中止 ── ");
            let mut line = String::new();
            match std::io::stdin().lock().read_line(&mut line) {
                Ok(0) | Err(_) => self.stepping = false,
                Ok(_) => match line.trim() {
                    "q" => return Err(Cancelled),
                    "c" => self.stepping = false,
                    _ => {}
                },
            }
        }
        Ok(())
    }

    fn progress(&mut self, p: Progress) -> Result<(), Cancelled> {
        let percent = p.percent();
        if self.tty && self.last_percent != Some(percent) {
            self.last_percent = Some(percent);
            eprint!(
                "\r\x1b[2K  {} {percent:>3}% ({}/{})",
                p.label, p.done, p.total
            );
            self.progress_shown = true;
        }
        Ok(())
    }
}
