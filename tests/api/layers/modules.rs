//! The crate's modules as the compiler resolves them: every file parsed (syn),
//! every `use` and every path in the code turned into the module that defines
//! the name it reaches, through `pub use` re-exports (named and glob) down to
//! the defining module or the external crate.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use syn::visit::Visit;

/// `crate::a::b` as `["a", "b"]`.
pub type ModulePath = Vec<String>;

#[derive(Default)]
struct Module {
    /// Names of the items defined here (structs, functions, submodules, …) and
    /// what each is (`fn`, `struct`, …).
    defined: BTreeMap<String, &'static str>,
    /// `pub use` names: the name here → the absolute path it stands for.
    reexports: BTreeMap<String, Vec<String>>,
    /// `pub use some::module::*`: absolute paths of those modules.
    globs: Vec<Vec<String>>,
    /// What the module's non-test code names, as absolute paths.
    reached: Vec<Vec<String>>,
}

pub struct Crate {
    modules: BTreeMap<ModulePath, Module>,
    /// The crates a path may start with: the package's dependencies and std.
    externals: BTreeSet<String>,
}

fn module_path(src: &Path, file: &Path) -> ModulePath {
    let relative = file.strip_prefix(src).unwrap_or(file).with_extension("");
    let mut parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts
        .last()
        .is_some_and(|last| last == "mod" || last == "lib")
    {
        parts.pop();
    }
    parts
}

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            found.push(path);
        }
    }
}

fn is_test_only(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        attr.path().is_ident("cfg")
            && attr
                .parse_args::<syn::Meta>()
                .is_ok_and(|meta| meta.path().is_ident("test"))
    })
}

/// Relative paths made absolute: `crate::`, `super::`, `self::`, and names
/// the file imported (`use a::b; b::c` → `a::b::c`).
struct Resolver<'a> {
    here: &'a [String],
    imported: BTreeMap<String, Vec<String>>,
    /// Names a path may start with that mean this module's own: its child
    /// modules and its items (uniform paths).
    local: BTreeSet<String>,
}

impl Resolver<'_> {
    fn absolute(&self, segments: &[String]) -> Option<Vec<String>> {
        let (first, rest) = segments.split_first()?;
        let mut base: Vec<String> = match first.as_str() {
            "crate" => vec!["crate".into()],
            "self" => std::iter::once("crate".into())
                .chain(self.here.iter().cloned())
                .collect(),
            "super" => {
                let mut base: Vec<String> = std::iter::once("crate".into())
                    .chain(self.here.iter().cloned())
                    .collect();
                base.pop();
                let mut rest = rest;
                while rest.first().is_some_and(|s| s == "super") {
                    base.pop();
                    rest = &rest[1..];
                }
                base.extend(rest.iter().cloned());
                return Some(base);
            }
            name => match self.imported.get(name) {
                Some(path) => path.clone(),
                None if self.local.contains(name) => std::iter::once("crate".into())
                    .chain(self.here.iter().cloned())
                    .chain(std::iter::once(name.to_owned()))
                    .collect(),
                None => vec![name.to_owned()],
            },
        };
        base.extend(rest.iter().cloned());
        Some(base)
    }
}

fn use_paths(tree: &syn::UseTree, prefix: &mut Vec<String>, out: &mut Vec<(String, Vec<String>)>) {
    match tree {
        syn::UseTree::Path(path) => {
            prefix.push(path.ident.to_string());
            use_paths(&path.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(name) => {
            let mut full = prefix.clone();
            let name = name.ident.to_string();
            if name == "self" {
                out.push((prefix.last().cloned().unwrap_or_default(), full));
            } else {
                full.push(name.clone());
                out.push((name, full));
            }
        }
        syn::UseTree::Rename(rename) => {
            let mut full = prefix.clone();
            full.push(rename.ident.to_string());
            out.push((rename.rename.to_string(), full));
        }
        syn::UseTree::Glob(_) => out.push(("*".into(), prefix.clone())),
        syn::UseTree::Group(group) => {
            for tree in &group.items {
                use_paths(tree, prefix, out);
            }
        }
    }
}

/// Every path written in the code (types, calls, patterns, macros' paths).
#[derive(Default)]
struct Paths(Vec<Vec<String>>);

impl<'ast> Visit<'ast> for Paths {
    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        if !segments.is_empty() {
            self.0.push(segments);
        }
        syn::visit::visit_path(self, path);
    }

    fn visit_item_mod(&mut self, module: &'ast syn::ItemMod) {
        if !is_test_only(&module.attrs) {
            syn::visit::visit_item_mod(self, module);
        }
    }

    fn visit_item_fn(&mut self, function: &'ast syn::ItemFn) {
        if !is_test_only(&function.attrs) {
            syn::visit::visit_item_fn(self, function);
        }
    }

    fn visit_item_use(&mut self, _: &'ast syn::ItemUse) {}
}

fn item_name(item: &syn::Item) -> Option<(String, &'static str)> {
    Some(match item {
        syn::Item::Struct(i) => (i.ident.to_string(), "struct"),
        syn::Item::Enum(i) => (i.ident.to_string(), "enum"),
        syn::Item::Fn(i) => (i.sig.ident.to_string(), "fn"),
        syn::Item::Type(i) => (i.ident.to_string(), "type"),
        syn::Item::Const(i) => (i.ident.to_string(), "const"),
        syn::Item::Static(i) => (i.ident.to_string(), "static"),
        syn::Item::Trait(i) => (i.ident.to_string(), "trait"),
        syn::Item::Mod(i) => (i.ident.to_string(), "mod"),
        syn::Item::Macro(i) => (i.ident.as_ref()?.to_string(), "macro"),
        _ => return None,
    })
}

/// Where a path leads: the module that defines the name and the item it
/// names there (`None`: the module itself); for an external crate, its path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Reached {
    pub module: Vec<String>,
    pub item: Option<String>,
    /// `fn`, `struct`, … for an item of this crate.
    pub kind: Option<&'static str>,
}

impl Crate {
    pub fn read(src: &Path, externals: BTreeSet<String>) -> Self {
        let mut files = Vec::new();
        rust_files(src, &mut files);
        let parsed: Vec<(ModulePath, syn::File)> = files
            .iter()
            .filter(|file| !file.ends_with("main.rs"))
            .map(|file| {
                let text = std::fs::read_to_string(file).expect("read file");
                let ast = syn::parse_file(&text)
                    .unwrap_or_else(|err| panic!("{}: {err}", file.display()));
                (module_path(src, file), ast)
            })
            .collect();
        let module_paths: BTreeSet<&ModulePath> = parsed.iter().map(|(path, _)| path).collect();
        let mut modules = BTreeMap::new();
        for (path, ast) in &parsed {
            let mut module = Module::default();
            let mut imports = Vec::new();
            let mut public = Vec::new();
            for item in &ast.items {
                if let syn::Item::Use(used) = item {
                    let mut found = Vec::new();
                    use_paths(&used.tree, &mut Vec::new(), &mut found);
                    if !matches!(used.vis, syn::Visibility::Inherited) {
                        public.extend(found.iter().cloned());
                    }
                    imports.extend(found);
                } else if let Some((name, kind)) = item_name(item) {
                    module.defined.insert(name, kind);
                }
            }
            let mut local: BTreeSet<String> = module.defined.keys().cloned().collect();
            local.extend(
                module_paths
                    .iter()
                    .filter(|other| other.len() == path.len() + 1 && other.starts_with(path))
                    .filter_map(|child| child.last().cloned()),
            );
            let mut resolver = Resolver {
                here: path,
                imported: BTreeMap::new(),
                local,
            };
            let mut absolute_imports = Vec::new();
            for (name, target) in &imports {
                if let Some(target) = resolver.absolute(target) {
                    absolute_imports.push((name.clone(), target));
                }
            }
            for (name, target) in &absolute_imports {
                if name != "*" {
                    resolver.imported.insert(name.clone(), target.clone());
                }
            }
            for (name, target) in &public {
                let Some(target) = resolver.absolute(target) else {
                    continue;
                };
                if name == "*" {
                    module.globs.push(target);
                } else {
                    module.reexports.insert(name.clone(), target);
                }
            }
            let mut paths = Paths::default();
            for item in &ast.items {
                paths.visit_item(item);
            }
            module.reached = absolute_imports
                .into_iter()
                .map(|(_, target)| target)
                .collect();
            module.reached.extend(
                paths
                    .0
                    .iter()
                    .filter_map(|segments| resolver.absolute(segments)),
            );
            modules.insert(path.clone(), module);
        }
        Self { modules, externals }
    }

    /// The module that defines what an absolute path names, or the external
    /// crate's path it comes from.
    pub fn definer(&self, path: &[String]) -> Option<Reached> {
        self.resolve(path, 0)
    }

    fn resolve(&self, path: &[String], depth: usize) -> Option<Reached> {
        let (first, rest) = path.split_first()?;
        if first != "crate" {
            return self.externals.contains(first).then(|| Reached {
                module: path.to_vec(),
                item: None,
                kind: None,
            });
        }
        if depth > 16 {
            return None;
        }
        let mut module: ModulePath = Vec::new();
        for (index, segment) in rest.iter().enumerate() {
            let current = self.modules.get(&module)?;
            let mut candidate = module.clone();
            candidate.push(segment.clone());
            if self.modules.contains_key(&candidate) {
                module = candidate;
                continue;
            }
            if let Some(kind) = current.defined.get(segment) {
                return Some(Reached {
                    module: std::iter::once("crate".into()).chain(module).collect(),
                    item: Some(segment.clone()),
                    kind: Some(kind),
                });
            }
            if let Some(target) = current.reexports.get(segment) {
                let mut target = target.clone();
                target.extend(rest[index + 1..].iter().cloned());
                return self.resolve(&target, depth + 1);
            }
            for glob in &current.globs {
                let mut target = glob.clone();
                target.extend(rest[index..].iter().cloned());
                if let Some(found) = self.resolve(&target, depth + 1) {
                    return Some(found);
                }
            }
            return None;
        }
        Some(Reached {
            module: std::iter::once("crate".into()).chain(module).collect(),
            item: None,
            kind: None,
        })
    }

    /// Each module and the definers of what it reaches.
    pub fn reaches(&self) -> BTreeMap<ModulePath, BTreeSet<Reached>> {
        self.modules
            .iter()
            .map(|(path, module)| {
                let reached = module
                    .reached
                    .iter()
                    .filter_map(|target| self.definer(target))
                    .collect();
                (path.clone(), reached)
            })
            .collect()
    }
}
