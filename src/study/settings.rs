// TEMPORARY STUB — replaced by the store branch's settings.rs at merge. Not committed.
#[derive(Debug, Clone)]
pub struct Settings {
    pub retention: f32,
    pub daily_new: usize,
}
impl Default for Settings {
    fn default() -> Self {
        Self {
            retention: 0.9,
            daily_new: 20,
        }
    }
}
impl Settings {
    pub fn load(_store: &super::store::Store) -> (Settings, Vec<String>) {
        (Settings::default(), Vec::new())
    }
}
