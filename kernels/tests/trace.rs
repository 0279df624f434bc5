//! The trace model: serialisation round-trip, sinks, stepping and cancellation.

use eshikaku_kernels::KernelError;
use eshikaku_kernels::trace::{
    Cell, ChannelSink, CollectSink, Control, Event, Histogram, Image, Metric, Palette, Step, Table,
    Trace, Value,
};
use ndarray::array;
use std::sync::mpsc;
use std::time::Duration;

fn every_kind_of_step(tr: &mut Trace) -> Result<(), KernelError> {
    tr.step("all", |s| {
        s.scalar("loss", 0.6);
        s.tensor("x", &array![[1.0f32, -2.0], [3.5, 0.0]]);
        s.series("loss curve", 1.0, 0.5);
        s.image(Image {
            name: "digit".into(),
            width: 2,
            height: 1,
            palette: Palette::Heat,
            data: vec![0.0, 1.0],
        });
        s.table(Table::new("t", ["a", "b", "c"]).row([Cell::from("x"), 2.0.into(), 3usize.into()]));
        s.histogram(
            Histogram::new("h", "x", ["0–1".to_string(), "1–2".into()]).set("n", [1.0, 4.0]),
        );
        s.text("説明");
        s.metric(Metric::at_least("acc", 0.9, 0.95));
    })
}

#[test]
fn steps_round_trip_through_json() {
    let mut sink = CollectSink::default();
    every_kind_of_step(&mut Trace::new(&mut sink)).expect("collect sink never cancels");
    let json = serde_json::to_string(&sink.steps).expect("serialise");
    let back: Vec<Step> = serde_json::from_str(&json).expect("deserialise");
    assert_eq!(back, sink.steps);
    assert_eq!(back[0].values.len(), 8);
    assert!(json.contains(r#""type":"tensor""#), "{json}");
    assert!(
        json.contains(r#""rows":[["x",2.0,3]]"#),
        "cells stay typed: {json}"
    );
    assert!(json.contains(r#""type":"histogram""#), "{json}");
    assert!(json.contains(r#""op":">=""#), "{json}");
}

#[test]
fn tensor_summary_has_shape_statistics_and_head() {
    let mut sink = CollectSink::default();
    every_kind_of_step(&mut Trace::new(&mut sink)).expect("runs");
    let Value::Tensor(t) = &sink.steps[0].values[1] else {
        panic!("second value is the tensor")
    };
    assert_eq!(t.shape, vec![2, 2]);
    assert_eq!((t.min, t.max), (-2.0, 3.5));
    assert!((t.mean - 0.625).abs() < 1e-12);
    let var = [1.0f64, -2.0, 3.5, 0.0]
        .iter()
        .map(|v| (v - 0.625).powi(2))
        .sum::<f64>()
        / 4.0;
    assert!((t.std - var.sqrt()).abs() < 1e-12);
    assert_eq!(t.head, vec![1.0, -2.0, 3.5, 0.0]);
}

#[test]
fn metrics_pass_by_their_target_and_nan_never_passes() {
    assert!(Metric::at_least("a", 1.0, 1.0).pass);
    assert!(!Metric::at_least("a", 0.99, 1.0).pass);
    assert!(Metric::at_most("b", 1e-7, 1e-6).pass);
    assert!(!Metric::at_most("b", f64::NAN, 1e-6).pass);
    assert!(!Metric::at_least("b", f64::NAN, 0.0).pass);
    assert!(Metric::reported("c", f64::NAN).pass);
}

#[test]
fn divergence_error_names_the_step_and_the_fix() {
    let err = KernelError::check_finite("loss", f64::NAN, 37, "try a lower learning rate")
        .expect_err("NaN is not finite");
    assert_eq!(
        err.to_string(),
        "loss became NaN at step 37 — try a lower learning rate"
    );
    assert!(KernelError::check_finite("loss", 1.0, 1, "").is_ok());
}

/// A kernel that records `n` steps with progress in between.
fn counting_kernel(tr: &mut Trace, n: usize) -> Result<usize, KernelError> {
    for i in 0..n {
        tr.progress("work", i, n)?;
        tr.step("count", |s| {
            s.scalar("i", i as f64);
        })?;
    }
    Ok(n)
}

fn spawn_counter(
    n: usize,
    stepping: bool,
) -> (
    mpsc::Receiver<Event>,
    mpsc::Sender<Control>,
    std::thread::JoinHandle<Result<usize, KernelError>>,
) {
    let (ev_tx, ev_rx) = mpsc::channel();
    let (ctl_tx, ctl_rx) = mpsc::channel();
    let handle = std::thread::spawn(move || {
        let mut sink = ChannelSink::new(ev_tx, ctl_rx, stepping);
        counting_kernel(&mut Trace::new(&mut sink), n)
    });
    (ev_rx, ctl_tx, handle)
}

fn next_step(rx: &mpsc::Receiver<Event>) -> Option<Step> {
    loop {
        match rx.recv_timeout(Duration::from_secs(10)) {
            Ok(Event::Step(s)) => return Some(s),
            Ok(_) => continue,
            Err(_) => return None,
        }
    }
}

#[test]
fn channel_sink_blocks_after_each_step_until_next() {
    let (rx, ctl, handle) = spawn_counter(3, true);
    assert_eq!(next_step(&rx).map(|s| s.index), Some(0));
    // Without "next" the kernel must not produce step 1.
    std::thread::sleep(Duration::from_millis(100));
    assert!(
        rx.try_iter().all(|e| !matches!(e, Event::Step(_))),
        "kernel ran ahead in step mode"
    );
    ctl.send(Control::Next).expect("kernel alive");
    assert_eq!(next_step(&rx).map(|s| s.index), Some(1));
    ctl.send(Control::Continue).expect("kernel alive");
    assert_eq!(next_step(&rx).map(|s| s.index), Some(2));
    assert_eq!(handle.join().expect("no panic"), Ok(3));
}

#[test]
fn channel_sink_cancels_when_asked_or_when_the_viewer_hangs_up() {
    let (rx, ctl, handle) = spawn_counter(5, true);
    assert!(next_step(&rx).is_some());
    ctl.send(Control::Cancel).expect("kernel alive");
    assert_eq!(
        handle.join().expect("no panic"),
        Err(KernelError::Cancelled)
    );

    let (rx, ctl, handle) = spawn_counter(5, true);
    assert!(next_step(&rx).is_some());
    drop(ctl);
    assert_eq!(
        handle.join().expect("no panic"),
        Err(KernelError::Cancelled)
    );
}

#[test]
fn channel_sink_sends_progress_at_most_once_per_percent() {
    let (rx, _ctl, handle) = spawn_counter(1000, false);
    assert_eq!(handle.join().expect("no panic"), Ok(1000));
    let progress = rx
        .try_iter()
        .filter(|e| matches!(e, Event::Progress(_)))
        .count();
    assert!((1..=101).contains(&progress), "{progress} progress events");
}
