//! Fact-checks by id, and the aliases of each canonical one: what ranked ids resolve to
//! when they are shown or written to a run file.
//!
//! Layer 1: imports nothing of the crate.

use std::collections::HashMap;

use claimdesk_core::{FactCheckId, StoredFactCheck};

/// Fact-checks by id, and the aliases of each canonical one (in id order). Store ids are
/// dense, so lookups index a vector.
pub struct Catalog {
    by_id: Vec<Option<StoredFactCheck>>,
    aliases: HashMap<FactCheckId, Vec<FactCheckId>>,
}

impl Catalog {
    /// The catalog of `all` (the store's fact-checks).
    pub fn new(all: Vec<StoredFactCheck>) -> Catalog {
        let mut aliases: HashMap<FactCheckId, Vec<FactCheckId>> = HashMap::new();
        for fc in &all {
            if let Some(c) = fc.alias_of {
                aliases.entry(c).or_default().push(fc.id);
            }
        }
        let len = all
            .iter()
            .map(|f| f.id.0.max(0) as usize + 1)
            .max()
            .unwrap_or(0);
        let mut by_id = vec![None; len];
        for f in all {
            let i = f.id.0.max(0) as usize;
            by_id[i] = Some(f);
        }
        Catalog { by_id, aliases }
    }

    /// The fact-check with this id.
    pub fn get(&self, id: FactCheckId) -> Option<&StoredFactCheck> {
        usize::try_from(id.0)
            .ok()
            .and_then(|i| self.by_id.get(i))
            .and_then(Option::as_ref)
    }

    /// The canonical fact-checks (not aliases), in id order.
    pub fn canonical(&self) -> impl Iterator<Item = &StoredFactCheck> {
        self.by_id.iter().flatten().filter(|f| f.alias_of.is_none())
    }

    /// Source ids of the aliases of a canonical fact-check.
    pub fn alias_source_ids(&self, id: FactCheckId) -> Vec<&str> {
        self.aliases
            .get(&id)
            .map(|v| {
                v.iter()
                    .filter_map(|a| self.get(*a))
                    .map(|f| f.fact_check.source_id.as_str())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The source id of a fact-check (its store id when unknown, which cannot happen for
    /// ids the index returns).
    pub fn source_id(&self, id: FactCheckId) -> String {
        self.get(id)
            .map_or_else(|| id.to_string(), |f| f.fact_check.source_id.clone())
    }
}
