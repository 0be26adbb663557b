use lru::LruCache;
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};

/// Query vectors by query text, shared by every generation's ranker: the
/// model, not the index, decides a query's vector, so a new generation
/// keeps the cache.
pub(crate) struct QueryCache {
    entries: Option<Mutex<LruCache<String, Arc<[f32]>>>>,
}

impl QueryCache {
    /// A cache of `capacity` vectors; 0: none kept.
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            entries: NonZeroUsize::new(capacity).map(|c| Mutex::new(LruCache::new(c))),
        }
    }

    pub(crate) fn get(&self, text: &str) -> Option<Arc<[f32]>> {
        let entries = self.entries.as_ref()?;
        // A poisoned cache is only a cache: start it again.
        let mut entries = entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.get(text).cloned()
    }

    pub(crate) fn put(&self, text: &str, vector: Arc<[f32]>) {
        if let Some(entries) = &self.entries {
            let mut entries = entries.lock().unwrap_or_else(|p| p.into_inner());
            entries.put(text.to_string(), vector);
        }
    }
}

impl std::fmt::Debug for QueryCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let len = self
            .entries
            .as_ref()
            .map_or(0, |e| e.lock().map_or(0, |e| e.len()));
        f.debug_struct("QueryCache").field("len", &len).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_most_recently_used_and_can_be_off() {
        let cache = QueryCache::new(2);
        let v = |x: f32| -> Arc<[f32]> { Arc::from(vec![x]) };
        cache.put("a", v(1.0));
        cache.put("b", v(2.0));
        assert!(cache.get("a").is_some()); // a is now the most recent
        cache.put("c", v(3.0));
        assert!(cache.get("b").is_none(), "b was least recently used");
        assert_eq!(cache.get("a").as_deref(), Some(&[1.0][..]));
        let off = QueryCache::new(0);
        off.put("a", v(1.0));
        assert!(off.get("a").is_none());
    }
}
