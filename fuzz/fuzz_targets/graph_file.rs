//! Graph files: read (checksums and structure), then search from the first node.
#![no_main]
use hsplan_access::graph::Graph;
use hsplan_access::search::{Source, nearest};
libfuzzer_sys::fuzz_target!(|bytes: &[u8]| {
    if let Ok(g) = Graph::from_bytes("f.hsg", bytes)
        && g.node_count() > 0
    {
        let _ = nearest(
            &g,
            &[Source {
                node: 0,
                offset: 0.0,
                id: 0,
            }],
            3600.0,
        );
    }
});
