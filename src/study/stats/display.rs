//! Short text forms of statistics, shared by `eshikaku stats` and the TUI stats screen.

/// `75%`, or `-` when there is nothing to measure.
pub fn percent(ratio: Option<f64>) -> String {
    ratio.map_or_else(|| "-".to_string(), |r| format!("{:.0}%", r * 100.0))
}

/// `12.3s`, or `-` when there is nothing to measure.
pub fn seconds(ms: Option<i64>) -> String {
    ms.map_or_else(|| "-".to_string(), |m| format!("{:.1}s", m as f64 / 1000.0))
}

/// `1:05:09` from milliseconds (hours:minutes:seconds).
pub fn clock(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

/// The shades of the calendar heat map, from no study to the busiest day.
pub const SHADES: [char; 5] = ['·', '░', '▒', '▓', '█'];

/// The shade level 0 ..= 4 of a day with `answers` answers, relative to the busiest day.
pub fn level(answers: usize, busiest: usize) -> usize {
    if answers == 0 || busiest == 0 {
        0
    } else {
        (1 + (answers * 4 - 1) / busiest).min(4)
    }
}

/// Japanese weekday labels, Monday first.
pub const WEEKDAYS: [&str; 7] = ["月", "火", "水", "木", "金", "土", "日"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_cover_the_range() {
        assert_eq!(level(0, 10), 0);
        assert_eq!(level(1, 10), 1);
        assert_eq!(level(10, 10), 4);
        assert_eq!(level(6, 10), 3);
        assert_eq!(level(3, 0), 0);
    }

    #[test]
    fn short_forms() {
        assert_eq!(percent(Some(0.666)), "67%");
        assert_eq!(percent(None), "-");
        assert_eq!(seconds(Some(12_340)), "12.3s");
        assert_eq!(clock(3_909_000), "1:05:09");
    }
}
