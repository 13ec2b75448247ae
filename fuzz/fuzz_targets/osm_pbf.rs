//! OSM PBF: read roads and facilities, then build a graph.
#![no_main]
use hsplan_access::graph::Graph;
use hsplan_access::roads::{Profile, read_pbf};
libfuzzer_sys::fuzz_target!(|bytes: &[u8]| {
    if let Ok(roads) = read_pbf("f.pbf", std::io::Cursor::new(bytes)) {
        let _ = Graph::build(&roads, &Profile::walk());
    }
});
