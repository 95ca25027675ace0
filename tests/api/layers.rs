//! The layers of ARCHITECTURE.md, checked on the source: HTTP handlers reach the
//! database, the recorder and the actors only through the service layer.

use std::path::Path;

const FORBIDDEN_IN_ROUTES: &[&str] = &[
    "sea_orm",
    "crate::db",
    "Recorder",
    "recorder",
    "crate::actors",
    "entity::",
];

fn rust_files(dir: &Path, found: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            found.push(path);
        }
    }
}

#[test]
fn handlers_never_reach_the_database_the_recorder_or_an_actor() {
    let routes = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/routes");
    let mut files = Vec::new();
    rust_files(&routes, &mut files);
    assert!(files.len() > 10, "the routes are in {}", routes.display());
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (number, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            for forbidden in FORBIDDEN_IN_ROUTES {
                if code.contains(forbidden) {
                    found.push(format!(
                        "{}:{}: {}",
                        file.display(),
                        number + 1,
                        line.trim()
                    ));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "handlers go through crate::app, not around it:\n{}",
        found.join("\n")
    );
}
