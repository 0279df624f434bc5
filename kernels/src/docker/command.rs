//! What `docker run IMAGE [ARGS…]` executes, from the final stage's `ENTRYPOINT` and `CMD`.

use super::instruction::Form;

/// What `docker run` executes: `run_args` are the words after the image name.
///
/// CMD gives defaults that any `run_args` replace; an exec-form ENTRYPOINT is always run and
/// receives them; a shell-form ENTRYPOINT ignores both.
pub fn run_command(
    entrypoint: Option<&Form>,
    cmd: Option<&Form>,
    run_args: &[String],
) -> Vec<String> {
    // quiz:begin run-command
    let args = if run_args.is_empty() {
        cmd.map(Form::argv).unwrap_or_default()
    } else {
        run_args.to_vec()
    };
    match entrypoint {
        Some(Form::Shell(line)) => Form::Shell(line.clone()).argv(),
        Some(Form::Exec(program)) => [program.clone(), args].concat(),
        None => args,
    }
    // quiz:end run-command
}
/// `argv` as a shell would show it (words with spaces quoted).
pub(crate) fn show_argv(argv: &[String]) -> String {
    if argv.is_empty() {
        return "(なし: 起動できない)".into();
    }
    let quoted: Vec<String> = argv
        .iter()
        .map(|a| {
            if a.contains(char::is_whitespace) {
                format!("\"{a}\"")
            } else {
                a.clone()
            }
        })
        .collect();
    quoted.join(" ")
}

/// Which process is PID 1 when `argv` runs.
pub(crate) fn pid1(argv: &[String]) -> String {
    match argv.first().map(String::as_str) {
        Some("/bin/sh") => "シェル (シグナルはプログラムに届かない)".into(),
        Some(p) => p.to_string(),
        None => "—".into(),
    }
}
