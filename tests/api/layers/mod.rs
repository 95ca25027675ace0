//! The layers of ARCHITECTURE.md, checked on the modules' real imports (every
//! path resolved, re-exports followed to the module that defines the name):
//! each top-level module reaches only the ones below it, and HTTP handlers
//! reach the database, the recorder and the actors only through the services.

mod modules;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use modules::Crate;

fn read_crate() -> Crate {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest: toml::Table = std::fs::read_to_string(root.join("Cargo.toml"))
        .expect("Cargo.toml")
        .parse()
        .expect("Cargo.toml parses");
    let mut externals: BTreeSet<String> = ["std", "core", "alloc"].map(String::from).into();
    for table in ["dependencies", "dev-dependencies"] {
        if let Some(dependencies) = manifest.get(table).and_then(|t| t.as_table()) {
            externals.extend(dependencies.keys().map(|name| name.replace('-', "_")));
        }
    }
    Crate::read(&root.join("src"), externals)
}

/// Top-level module → the other top-level modules it reaches.
fn top_level_edges(krate: &Crate) -> BTreeMap<String, BTreeSet<String>> {
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, reached) in krate.reaches() {
        let Some(from) = module.first() else { continue };
        for definer in reached {
            if definer.module.first().is_some_and(|first| first == "crate")
                && let Some(to) = definer.module.get(1)
                && to != from
            {
                edges.entry(from.clone()).or_default().insert(to.clone());
            }
        }
    }
    edges
}

/// The top-level modules, from the top down: each may reach only those after
/// it (ARCHITECTURE.md draws the same order). A new module takes its place here.
const LAYERS: &[&str] = &[
    "commands",
    "startup",
    "bootstrap",
    "routes",
    "http",
    "security",
    "app",
    "actors",
    "events",
    "metrics",
    "whatsapp",
    "qr",
    "auth",
    "error",
    "db",
    "cluster",
    "telemetry",
    "config",
    "domain",
    "net",
    "webhooks",
    "cli",
];

#[test]
fn every_module_reaches_only_the_layers_below_it() {
    let edges = top_level_edges(&read_crate());
    let rank = |name: &str| LAYERS.iter().position(|layer| *layer == name);
    let mut wrong = Vec::new();
    for (from, targets) in &edges {
        let Some(from_rank) = rank(from) else {
            wrong.push(format!("{from} is not in LAYERS"));
            continue;
        };
        for to in targets {
            match rank(to) {
                None => wrong.push(format!("{to} is not in LAYERS")),
                Some(to_rank) if to_rank <= from_rank => {
                    wrong.push(format!("{from} reaches {to}, which is not below it"))
                }
                Some(_) => {}
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // The test sees real imports: the service layer reaches the actors.
    assert!(edges.get("app").is_some_and(|to| to.contains("actors")));
}

/// What a handler or the middleware may not reach itself, only through a
/// service: the database (its functions, the recorder, sea-orm, entity rows,
/// whatever name a re-export gives them) and the actors.
fn forbidden_below_http(reached: &modules::Reached) -> bool {
    let module: Vec<&str> = reached.module.iter().map(String::as_str).collect();
    match module.as_slice() {
        ["sea_orm", ..] | ["actix", "Addr", ..] => true,
        ["entity", _table, name, ..] => ["Model", "ActiveModel", "Entity", "Column"].contains(name),
        ["crate", "db", "recorder", ..] => true,
        ["crate", "db" | "actors", ..] => reached.kind == Some("fn"),
        _ => false,
    }
}

#[test]
fn handlers_and_middleware_reach_the_database_and_actors_only_through_services() {
    let mut found = Vec::new();
    for (module, reached) in read_crate().reaches() {
        if !module
            .first()
            .is_some_and(|top| top == "routes" || top == "http")
        {
            continue;
        }
        for target in reached.iter().filter(|target| forbidden_below_http(target)) {
            found.push(format!("{} reaches {target:?}", module.join("::")));
        }
    }
    assert!(
        found.is_empty(),
        "go through crate::app:\n{}",
        found.join("\n")
    );
}
