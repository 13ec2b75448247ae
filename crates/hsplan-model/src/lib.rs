//! # hsplan-model — the service-system model
//!
//! Owns the pure types every other crate speaks: administrative units with their
//! NBS codes (or codes assigned to the units of other hierarchies), population by unit and year, health institutions, their yearly
//! resources and capabilities, and the [`ServiceSystem`] that holds them all,
//! with its invariants ([`ServiceSystem::validate`]).
//!
//! Must not: read or write files, touch a database, spawn threads or use async,
//! or depend on any other hsplan crate. Values come in, values go out.

pub mod admin;
pub mod facility;
pub mod hierarchy;
pub mod labels;
pub mod population;
pub mod region;
pub mod resources;
pub mod source;
pub mod units;
pub mod utilisation;

pub use admin::{
    AdminCode, AdminCodeError, AdminLevel, AdminLevelLabel, AdminUnit, UnitGeometry, UnitKind,
    UrbanRuralClass,
};
pub use facility::{
    Facility, FacilityId, Grade, GradeClass, InstitutionFamily, InstitutionType, Ownership,
    Specialty, Tier,
};
pub use hierarchy::{HeldCodes, HierarchyError, SourceNode, assign_codes, held_codes};
pub use labels::{Labelled, UnknownLabel};
pub use population::{AgeBands, PopulationRecord, PopulationSource};
pub use region::{ServiceSystem, Violation};
pub use resources::{Capability, FacilityYear, Quantity};
pub use source::{DatasetNote, NoteKind, Origin, Sourced};
pub use units::{Count, LonLat, MultiPolygon, Persons, SquareKm, Year};
pub use utilisation::{Condition, RecordTable, UsageCount, Utilisation};
