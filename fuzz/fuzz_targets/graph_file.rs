//! Graph files: read (checksums and structure, and a stored contraction hierarchy), then
//! search from the first node — by Dijkstra, and both ways through the hierarchy.
#![no_main]
use hsplan_access::graph::Graph;
use hsplan_access::search::{Source, nearest};
libfuzzer_sys::fuzz_target!(|bytes: &[u8]| {
    if let Ok((g, hierarchy)) = Graph::from_bytes_with_hierarchy("f.hsg", bytes)
        && g.node_count() > 0
    {
        let from = [Source {
            node: 0,
            offset: 0.0,
            id: 0,
        }];
        let _ = nearest(&g, &from, 3600.0);
        if let Some(h) = hierarchy {
            let _ = h.nearest(&from, 3600.0);
            let _ = h.nearest_to(&from, 3600.0);
        }
    }
});
