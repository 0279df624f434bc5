//! The `eshikaku` command.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    restore_default_sigpipe();
    eshikaku::crash::install();
    eshikaku::cli::dispatch(eshikaku::cli::Cli::parse())
}

/// Lets a closed pipe end the process quietly, like any other Unix command-line tool.
///
/// The Rust runtime ignores SIGPIPE before `main`, so a write to a pipe whose reader has gone
/// (`eshikaku list | head -1`) returns `BrokenPipe`, and `println!` turns that into a panic
/// ("failed printing to stdout") with exit status 101. Catching the error at every print would
/// have to be repeated in every command, present and future; restoring the default disposition
/// once, here, covers them all: the kernel ends the process at the first write to the closed
/// pipe, with no message (a shell reports status 141). The app opens no sockets, so SIGPIPE can
/// only mean "nobody reads our output any more".
#[cfg(unix)]
fn restore_default_sigpipe() {
    // SAFETY: `signal` with `SIG_DFL` only changes this process's disposition for SIGPIPE; it
    // runs first thing in `main`, before any other thread exists, and touches no Rust state.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

#[cfg(not(unix))]
fn restore_default_sigpipe() {}
