//! Case-insensitive matching and highlighting of a search query in text.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// Folds a character for comparison: lower case, and full-width ASCII (Ａ, ｂ, ３) as ASCII.
fn fold(c: char) -> char {
    let c = match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    };
    c.to_lowercase().next().unwrap_or(c)
}

/// The byte ranges of `hay` where `needle` occurs, ignoring case (non-overlapping, in order).
/// An empty (or blank) needle matches nowhere.
pub fn find_ci(hay: &str, needle: &str) -> Vec<(usize, usize)> {
    let needle: Vec<char> = needle.trim().chars().map(fold).collect();
    if needle.is_empty() {
        return Vec::new();
    }
    let chars: Vec<(usize, char)> = hay.char_indices().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i + needle.len() <= chars.len() {
        let matched = needle
            .iter()
            .enumerate()
            .all(|(k, &n)| fold(chars[i + k].1) == n);
        if matched {
            let end = chars.get(i + needle.len()).map_or(hay.len(), |&(b, _)| b);
            out.push((chars[i].0, end));
            i += needle.len();
        } else {
            i += 1;
        }
    }
    out
}

/// `line` with every occurrence of `query` (inside one span) drawn in `style`.
pub fn highlight(line: Line<'static>, query: &str, style: Style) -> Line<'static> {
    let mut spans = Vec::with_capacity(line.spans.len());
    for span in line.spans {
        let ranges = find_ci(&span.content, query);
        if ranges.is_empty() {
            spans.push(span);
            continue;
        }
        let text = span.content.to_string();
        let mut at = 0;
        for (a, b) in ranges {
            if a > at {
                spans.push(Span::styled(text[at..a].to_string(), span.style));
            }
            spans.push(Span::styled(
                text[a..b].to_string(),
                span.style.patch(style),
            ));
            at = b;
        }
        if at < text.len() {
            spans.push(Span::styled(text[at..].to_string(), span.style));
        }
    }
    Line::from(spans).style(line.style)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_ignore_case_and_full_width_ascii() {
        assert_eq!(find_ci("Batch Normalization", "batch"), vec![(0, 5)]);
        assert_eq!(find_ci("ＢＮ と bn", "bn").len(), 2);
        assert_eq!(
            find_ci("勾配消失と勾配爆発", "勾配"),
            vec![(0, 6), (15, 21)]
        );
        assert!(find_ci("abc", "").is_empty());
        assert!(find_ci("ab", "abc").is_empty());
    }

    #[test]
    fn highlight_splits_spans_at_the_match() {
        let l = highlight(
            Line::raw("正規化層 LayerNorm"),
            "layernorm",
            Style::new().bold(),
        );
        assert_eq!(l.spans.len(), 2);
        assert_eq!(l.spans[1].content, "LayerNorm");
    }
}
