//! The `?` help overlay: every key of the current screen.

use super::theme;
use super::wrap::width;
use crate::tui::app::Screen;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Paragraph, Widget};

pub struct HelpView {
    pub screen: Screen,
}

/// The keys of `screen`, as (keys, meaning).
pub fn keys(screen: Screen) -> Vec<(&'static str, &'static str)> {
    let mut k = vec![
        ("j / ↓, k / ↑", "下へ / 上へ"),
        ("PgDn / Ctrl-d, PgUp / Ctrl-u", "1 ページ進む / 戻る"),
        ("g / G, Home / End", "先頭 / 末尾"),
        ("/", "全レッスンを検索"),
    ];
    match screen {
        Screen::Home => k.extend([
            ("Enter / l", "レッスンを開く"),
            ("r", "カーネルを実行"),
            ("t", "このレッスンの問題演習"),
            ("v", "復習 (期限の問題 → 新しい問題)"),
            ("x", "模擬試験"),
            ("s", "学習の統計"),
            ("q / Esc", "終了"),
        ]),
        Screen::Lesson => k.extend([
            ("Space / b", "1 ページ進む / 戻る"),
            ("r / Enter", "カーネルをステップ実行"),
            ("n / N", "次 / 前の検索一致"),
            ("t", "このレッスンの問題演習"),
            ("q / Esc / h", "戻る"),
        ]),
        Screen::Quiz => k.extend([
            ("1–4", "選択肢を選んで解答"),
            ("j/k + Enter", "カーソルの選択肢で解答"),
            ("解答後 1–4", "評価を変更 (もう一度/難しい/正解/簡単)"),
            ("Enter / n / Space", "次の問題"),
            ("o", "関連するレッスンの節を開く"),
            ("q / Esc", "演習を終える"),
        ]),
        Screen::Exam => k.extend([
            ("1–4 / Enter", "解答を選ぶ (提出まで変更可)"),
            ("n / → / Tab", "次の問題"),
            ("p / ← / S-Tab", "前の問題"),
            ("f", "フラグ (見直し印) を付ける / 外す"),
            ("0 / BS", "解答を消す"),
            ("s", "提出 (y で確定)"),
            ("結果で Enter / o", "誤答のレッスンを開く"),
            ("q / Esc", "中断 / 戻る"),
        ]),
        Screen::Stats => k.extend([("q / Esc", "戻る")]),
        Screen::Kernel => k.extend([
            ("n / Space / →", "次のステップ"),
            ("N / ←", "前のステップを見る"),
            ("f", "最新のステップへ"),
            ("c", "最後まで連続実行"),
            ("p", "ステップ実行に戻す"),
            ("r", "最初からやり直す"),
            ("z", "画像: 縮小表示 / 1:1"),
            ("< / >", "幅の広い画像を横に移動"),
            ("e", "設定 (knobs) を編集して実行"),
            ("q / Esc", "中止してレッスンへ戻る"),
        ]),
    }
    k.extend([("?", "ヘルプを閉じる"), ("Ctrl-c", "終了")]);
    k
}

impl Widget for &HelpView {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let keys = keys(self.screen);
        let height = u16::try_from(keys.len() + 2).unwrap_or(u16::MAX);
        let key_w = keys.iter().map(|(k, _)| width(k)).max().unwrap_or(0) + 2;
        let full = keys
            .iter()
            .map(|(_, w)| key_w + width(w))
            .max()
            .unwrap_or(0)
            + 2;
        let popup = area.centered(
            Constraint::Max(u16::try_from(full).unwrap_or(u16::MAX)),
            Constraint::Max(height),
        );
        super::clear_popup(popup, buf);
        let lines: Vec<Line> = keys
            .iter()
            .map(|(k, what)| {
                Line::from(vec![
                    Span::styled(
                        format!("{k}{}", " ".repeat(key_w.saturating_sub(width(k)))),
                        theme::key(),
                    ),
                    Span::raw(*what),
                ])
            })
            .collect();
        Paragraph::new(Text::from(lines))
            .block(
                Block::bordered()
                    .title(" ヘルプ (?) ")
                    .border_style(theme::border()),
            )
            .render(popup, buf);
    }
}
