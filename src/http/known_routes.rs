//! What the middleware knows of the routes, handed to it at start-up (the
//! routes build it from their own table, so the layer below them never
//! imports them).

use std::collections::{BTreeMap, HashSet};

pub struct KnownRoutes {
    /// Path template → the methods it answers.
    methods: BTreeMap<String, Vec<&'static str>>,
    /// Paths of the routes documented without credentials (all fixed paths).
    public: HashSet<String>,
    /// Path prefixes served without credentials (Swagger UI, the console, the
    /// signed node-to-node calls).
    public_prefixes: Vec<&'static str>,
}

impl KnownRoutes {
    pub fn new(
        methods: BTreeMap<String, Vec<&'static str>>,
        public: HashSet<String>,
        public_prefixes: Vec<&'static str>,
    ) -> Self {
        Self {
            methods,
            public,
            public_prefixes,
        }
    }

    /// Whether a request path takes no credentials; anything else, unknown
    /// paths included, is authenticated first.
    pub fn is_public(&self, path: &str) -> bool {
        self.public.contains(path)
            || self
                .public_prefixes
                .iter()
                .any(|prefix| path.starts_with(prefix))
    }

    /// The methods a path template answers, `None` for a template no route has.
    pub fn methods(&self, template: &str) -> Option<&[&'static str]> {
        self.methods.get(template).map(Vec::as_slice)
    }
}
