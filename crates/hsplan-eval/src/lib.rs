//! # hsplan-eval — indicators computed from the model
//!
//! Owns the indicator library ([`library::INDICATORS`]: each indicator defined once
//! as numerator, denominator and factor over the model) and its computation for any
//! unit and year. Aggregation sums numerators and denominators over everything
//! below a unit — ratios are never averaged — and missing data stays explicit:
//! a facility that should have reported and did not makes the value incomplete,
//! never zero.
//!
//! Must not: read files or the store, print, or know about plan file syntax
//! (it takes a [`ServiceSystem`] in and returns values).

pub mod columnar;
pub mod evaluate;
pub mod library;
pub mod measure;
pub mod quality;
pub mod report;

pub use library::{Form, INDICATORS, IndicatorDef, find, from_records};
pub use measure::{Amount, FacilitySet, Measure, PopulationBase, usage_amount};

use hsplan_model::{AdminCode, ServiceSystem, Year};

/// Why a value could not be computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Gap {
    /// Some contributors to the numerator did not report.
    NumeratorIncomplete {
        /// How many.
        missing: usize,
    },
    /// Some contributors to the denominator did not report (or there is no population).
    DenominatorIncomplete {
        /// How many.
        missing: usize,
    },
    /// The denominator is zero.
    ZeroDenominator,
}

/// An indicator for one unit and year.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorValue {
    /// The indicator.
    pub def: &'static IndicatorDef,
    /// The unit.
    pub unit: AdminCode,
    /// The year.
    pub year: Year,
    /// Numerator as aggregated.
    pub numerator: Amount,
    /// Denominator as aggregated (None for counts).
    pub denominator: Option<Amount>,
    /// The value (x of 1:x for ratios), or why there is none.
    pub value: Result<f64, Gap>,
}

/// Computes one indicator for a unit (including everything below it) in a year.
pub fn compute(
    sys: &ServiceSystem,
    def: &'static IndicatorDef,
    unit: AdminCode,
    year: Year,
) -> IndicatorValue {
    let numerator = def.numerator.amount(sys, unit, year);
    let denominator = def.denominator.map(|d| d.amount(sys, unit, year));
    let value = ratio(def, numerator, denominator);
    IndicatorValue {
        def,
        unit,
        year,
        numerator,
        denominator,
        value,
    }
}

/// Numerator and denominator to a value (or why there is none).
pub(crate) fn ratio(
    def: &IndicatorDef,
    numerator: Amount,
    denominator: Option<Amount>,
) -> Result<f64, Gap> {
    match (numerator.complete(), denominator) {
        (None, _) => Err(Gap::NumeratorIncomplete {
            missing: numerator.missing,
        }),
        (Some(n), None) => Ok(n * def.factor),
        (Some(n), Some(d)) => match d.complete() {
            None => Err(Gap::DenominatorIncomplete { missing: d.missing }),
            Some(0.0) => Err(Gap::ZeroDenominator),
            Some(dv) => Ok(n / dv * def.factor),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_snake_case() {
        let mut ids: Vec<_> = INDICATORS.iter().map(|d| d.id).collect();
        assert!(ids.iter().all(|id| {
            id.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        }));
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), INDICATORS.len());
    }
}
