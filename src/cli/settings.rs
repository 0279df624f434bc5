//! `eshikaku settings [KEY [VALUE]]`: list, show or change a setting.

use crate::study::settings::{self, KEYS};
use std::process::ExitCode;

pub fn main(key: Option<&str>, value: Option<&str>) -> ExitCode {
    let store = super::progress::open_store();
    match (key, value) {
        (Some(key), Some(value)) => match settings::set(&store, key, value) {
            Ok(()) => {
                let (s, _) = settings::load(&store);
                println!("{key} = {}", s.get(key).unwrap_or_default());
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(2)
            }
        },
        (key, _) => {
            let (s, warnings) = settings::load(&store);
            for w in warnings {
                eprintln!("warning: {w}");
            }
            let shown: Vec<_> = KEYS
                .iter()
                .filter(|(k, _)| key.is_none_or(|x| x == *k))
                .collect();
            if shown.is_empty() {
                let known: Vec<&str> = KEYS.iter().map(|(k, _)| *k).collect();
                eprintln!(
                    "error: unknown setting `{}`: the settings are {}",
                    key.unwrap_or_default(),
                    known.join(", ")
                );
                return ExitCode::from(2);
            }
            for (k, doc) in shown {
                println!("{k} = {}    # {doc}", s.get(k).unwrap_or_default());
            }
            ExitCode::SUCCESS
        }
    }
}
