//! Siting scenario files (as `site compare` and `site apply` read them).
#![no_main]
libfuzzer_sys::fuzz_target!(|text: &str| {
    let _ = hsplan_app::siting::parse_scenario("f.json", text);
});
