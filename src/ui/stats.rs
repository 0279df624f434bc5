// TEMPORARY STUB — replaced by the store branch's stats view at merge. Not committed.
use crate::content::Library;
use crate::study::stats::Stats;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;
pub struct StatsView<'a> {
    pub stats: &'a Stats,
    pub library: &'a Library,
    pub scroll: usize,
}
impl Widget for &StatsView<'_> {
    fn render(self, _area: Rect, _buf: &mut Buffer) {}
}
