//! Road GeoJSON: read, build a car graph, write and read it back.
#![no_main]
use hsplan_access::graph::Graph;
use hsplan_access::roads::{Profile, read_geojson};
libfuzzer_sys::fuzz_target!(|text: &str| {
    if let Ok(roads) = read_geojson("f.geojson", text) {
        let (g, _) = Graph::build(&roads, &Profile::car(true));
        let back = Graph::from_bytes("g", &g.to_bytes()).expect("a built graph reads back");
        assert_eq!(back, g);
    }
});
