//! Live reload of a course folder in the TUI: a good edit replaces the lessons, a broken one
//! keeps the old version and says why on the status line.

use eshikaku::content;
use eshikaku::tui::app::App;
use eshikaku::tui::reload::{Watch, apply};
use std::path::Path;

fn copy_dir(from: &Path, to: &Path) {
    for e in std::fs::read_dir(from).expect("fixture folder").flatten() {
        std::fs::copy(e.path(), to.join(e.file_name())).expect("copy");
    }
}

fn title(app: &App, id: &str) -> String {
    app.library
        .lesson(id)
        .map(|e| e.lesson.title.clone())
        .unwrap_or_default()
}

#[test]
fn edits_reload_and_broken_edits_keep_the_old_lessons() {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/extra"),
        dir.path(),
    );
    let loaded = content::load(Some(dir.path()));
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    let mut app = App::new(loaded.library, 0);
    let mut watch = Watch::new(dir.path());
    let file = dir.path().join("added.yaml");
    let text = std::fs::read_to_string(&file).expect("lesson");
    assert_eq!(title(&app, "added"), "追加のレッスン");

    std::fs::write(
        &file,
        text.replace("title: 追加のレッスン", "title: [壊れた"),
    )
    .expect("write");
    assert!(watch.changed());
    apply(&mut app, content::load(Some(dir.path())));
    assert_eq!(
        title(&app, "added"),
        "追加のレッスン",
        "the old version stays"
    );
    let status = app.status.clone().unwrap_or_default();
    assert!(status.contains("再読み込みできませんでした"), "{status}");
    assert!(status.contains("added.yaml"), "names the file: {status}");

    std::fs::write(&file, text.replace("追加のレッスン", "書き直したレッスン")).expect("write");
    assert!(watch.changed());
    apply(&mut app, content::load(Some(dir.path())));
    assert_eq!(title(&app, "added"), "書き直したレッスン");
    assert!(!watch.changed(), "nothing new");
}
