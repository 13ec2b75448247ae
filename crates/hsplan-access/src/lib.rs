//! # hsplan-access — travel time over real road networks
//!
//! Owns road input ([`roads`]: OpenStreetMap PBF and road GeoJSON, profiles turning tags
//! into speeds and directions), the graph ([`graph`]: CSR of travel seconds, largest
//! strongly connected component, a versioned binary format), shortest travel times
//! ([`search`]: multi-source bounded Dijkstra, tested against a plain reference; [`ch`]:
//! contraction hierarchies with PHAST sweeps, tested against that Dijkstra) and the
//! planning answers ([`analysis`]: snapping, coverage within thresholds per unit, (E)2SFCA,
//! isochrones).
//!
//! Must not: touch the store, print, or know about plans. Readers take bytes or text the
//! caller opened; results are values.

pub mod analysis;
pub mod ch;
pub mod graph;
pub mod roads;
pub mod search;
pub mod synth;

/// Errors reading road data or graphs.
#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    /// A source could not be read or parsed.
    #[error("{source_name}: {message}")]
    Read {
        /// File or source name.
        source_name: String,
        /// What went wrong.
        message: String,
    },
}
