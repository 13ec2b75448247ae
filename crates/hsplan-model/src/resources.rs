//! Resources of a facility in a year: beds, staff, equipment, vehicles, places,
//! service volumes, and departments/capabilities.
//!
//! A quantity that was not reported is *absent* from [`FacilityYear::quantities`];
//! it is never stored as zero.

use crate::facility::FacilityId;
use crate::labelled_enum;
use crate::units::{Count, Year};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

labelled_enum! {
    /// A countable resource or service volume of a facility in a year.
    pub enum Quantity: "resource quantity" {
        Beds => ("beds", "实有床位", "Beds (actual, year end)", "床位"),
        BedsRehabilitation => ("beds_rehabilitation", "康复床位", "Rehabilitation beds"),
        BedsPsychiatric => ("beds_psychiatric", "精神科床位", "Psychiatric beds"),
        BedsIcu => ("beds_icu", "重症医学床位", "ICU beds", "ICU床位"),
        BedsInfectious => ("beds_infectious", "传染病床位", "Infectious-disease beds"),
        BedsNegativePressure => ("beds_negative_pressure", "负压病床", "Negative-pressure beds"),
        NegativePressureRooms => ("negative_pressure_rooms", "负压病房", "Negative-pressure rooms"),
        BedsGeriatricNursing => ("beds_geriatric_nursing", "老年护理床位", "Geriatric nursing beds"),
        BedsHospice => ("beds_hospice", "安宁疗护床位", "Hospice beds"),
        BedsPaediatric => ("beds_paediatric", "儿科床位", "Paediatric beds"),
        BedsObstetric => ("beds_obstetric", "产科床位", "Obstetric beds"),
        StaffTotal => ("staff_total", "卫生人员", "Health workers (all)"),
        StaffHealthTechnical => ("staff_health_technical", "卫生技术人员", "Health technical staff"),
        LicensedDoctors => ("licensed_doctors", "执业医师", "Licensed doctors"),
        AssistantDoctors => ("assistant_doctors", "执业助理医师", "Licensed assistant doctors"),
        RegisteredNurses => ("registered_nurses", "注册护士", "Registered nurses"),
        Pharmacists => ("pharmacists", "药师（士）", "Pharmacists", "药师"),
        ClinicalPharmacists => ("clinical_pharmacists", "临床药师", "Clinical pharmacists"),
        GeneralPractitioners => ("general_practitioners", "全科医生", "General practitioners"),
        SeniorGeneralPractitioners => ("senior_general_practitioners", "高级职称全科医生", "Senior general practitioners"),
        TcmDoctors => ("tcm_doctors", "中医类别执业（助理）医师", "TCM doctors", "中医医师"),
        Psychiatrists => ("psychiatrists", "精神科医师", "Psychiatrists"),
        Paediatricians => ("paediatricians", "儿科医师", "Paediatricians"),
        RehabilitationDoctors => ("rehabilitation_doctors", "康复医师", "Rehabilitation doctors"),
        PublicHealthPhysicians => ("public_health_physicians", "公共卫生医师", "Public-health physicians"),
        PublicHealthStaff => ("public_health_staff", "公共卫生人员", "Public-health staff"),
        VillageDoctors => ("village_doctors", "乡村医生", "Village doctors"),
        PetCt => ("pet_ct", "PET/CT", "PET/CT"),
        PetMr => ("pet_mr", "PET/MR", "PET/MR"),
        SurgicalRobots => ("surgical_robots", "手术机器人", "Surgical robots"),
        LinearAccelerators => ("linear_accelerators", "直线加速器", "Linear accelerators"),
        Ct64Plus => ("ct_64_plus", "64排及以上CT", "CT, 64-slice and above"),
        Mr15TPlus => ("mr_1_5t_plus", "1.5T及以上磁共振", "MR, 1.5 T and above"),
        Ambulances => ("ambulances", "救护车", "Ambulances"),
        AmbulancesNegativePressure => ("ambulances_negative_pressure", "负压救护车", "Negative-pressure ambulances"),
        ChildcarePlaces => ("childcare_places", "托位", "Childcare places"),
        ChildcarePlacesPublicBenefit => ("childcare_places_public_benefit", "普惠托位", "Public-benefit childcare places"),
        OutpatientVisits => ("outpatient_visits", "诊疗人次", "Outpatient and emergency visits"),
        Discharges => ("discharges", "出院人数", "Discharges"),
        InpatientBedDays => ("inpatient_bed_days", "出院者占用总床日数", "Bed-days of discharged patients"),
        ReferralsUp => ("referrals_up", "上转人次", "Referrals up"),
        ReferralsDown => ("referrals_down", "下转人次", "Referrals down"),
    }
}

impl Quantity {
    /// The quantity this one is a part of (其中), if any: the part may not exceed it.
    pub fn part_of(self) -> Option<Quantity> {
        use Quantity::*;
        Some(match self {
            BedsRehabilitation | BedsPsychiatric | BedsIcu | BedsInfectious
            | BedsGeriatricNursing | BedsHospice | BedsPaediatric | BedsObstetric => Beds,
            BedsNegativePressure => BedsInfectious,
            StaffHealthTechnical | VillageDoctors | PublicHealthStaff => StaffTotal,
            LicensedDoctors | AssistantDoctors | RegisteredNurses | Pharmacists => {
                StaffHealthTechnical
            }
            ClinicalPharmacists => Pharmacists,
            SeniorGeneralPractitioners => GeneralPractitioners,
            AmbulancesNegativePressure => Ambulances,
            ChildcarePlacesPublicBenefit => ChildcarePlaces,
            _ => return None,
        })
    }
}

labelled_enum! {
    /// A department or capability a facility has in a year.
    pub enum Capability: "capability" {
        FeverClinic => ("fever_clinic", "发热门诊", "Fever clinic"),
        FeverRoom => ("fever_room", "发热诊室", "Fever consulting room"),
        FeverSentinel => ("fever_sentinel", "发热哨点", "Fever sentinel"),
        EntericClinic => ("enteric_clinic", "肠道门诊", "Enteric clinic"),
        InfectiousDiseaseDept => ("infectious_disease_dept", "感染性疾病科", "Infectious-disease department"),
        Geriatrics => ("geriatrics", "老年医学科", "Geriatrics department"),
        Rehabilitation => ("rehabilitation", "康复医学科", "Rehabilitation department"),
        PreventiveTreatment => ("preventive_treatment", "治未病科", "Preventive treatment (治未病) department"),
        TcmHall => ("tcm_hall", "中医馆", "TCM hall"),
        Emergency => ("emergency", "急诊科", "Emergency department"),
        PublicHealthDept => ("public_health_dept", "公共卫生科", "Public-health department"),
        MentalHealthDept => ("mental_health_dept", "精神（心理）科", "Mental-health department", "精神科", "心理科"),
        Paediatrics => ("paediatrics", "儿科", "Paediatrics department"),
        Obstetrics => ("obstetrics", "产科", "Obstetrics department"),
        IntensiveCare => ("intensive_care", "重症医学科", "Intensive care department", "ICU"),
        HospiceCare => ("hospice_care", "安宁疗护科", "Hospice department"),
        ChestPainCentre => ("chest_pain_centre", "胸痛中心", "Chest pain centre"),
        StrokeCentre => ("stroke_centre", "卒中中心", "Stroke centre"),
        TraumaCentre => ("trauma_centre", "创伤中心", "Trauma centre"),
        StandardisedPrimaryCare => ("standardised", "标准化建设达标", "Meets the standardisation standard", "标准化"),
    }
}

impl Capability {
    /// Any of the three fever-screening capabilities (发热门诊/诊室/哨点).
    pub fn is_fever_screening(self) -> bool {
        matches!(
            self,
            Capability::FeverClinic | Capability::FeverRoom | Capability::FeverSentinel
        )
    }
}

/// What one facility had in one year (year-end stock, flows over the year).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacilityYear {
    /// The facility.
    pub facility: FacilityId,
    /// The year.
    pub year: Year,
    /// Reported quantities; absent = not reported.
    pub quantities: BTreeMap<Quantity, Count>,
    /// Departments and capabilities present.
    pub capabilities: BTreeSet<Capability>,
}

/// A part reported larger than its whole.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{part} ({part_value}) exceeds {whole} ({whole_value})")]
pub struct PartExceedsWhole {
    /// The part.
    pub part: Quantity,
    /// Its value.
    pub part_value: u64,
    /// The whole.
    pub whole: Quantity,
    /// Its value.
    pub whole_value: u64,
}

impl FacilityYear {
    /// An empty record.
    pub fn new(facility: FacilityId, year: Year) -> Self {
        FacilityYear {
            facility,
            year,
            quantities: BTreeMap::new(),
            capabilities: BTreeSet::new(),
        }
    }

    /// A reported quantity.
    pub fn get(&self, q: Quantity) -> Option<Count> {
        self.quantities.get(&q).copied()
    }

    /// Licensed doctors including assistant doctors (执业（助理）医师), when both are reported
    /// or at least one is and the other is known to be absent from the return.
    pub fn licensed_and_assistant_doctors(&self) -> Option<Count> {
        match (
            self.get(Quantity::LicensedDoctors),
            self.get(Quantity::AssistantDoctors),
        ) {
            (None, None) => None,
            (a, b) => Some(Count(a.unwrap_or_default().0 + b.unwrap_or_default().0)),
        }
    }

    /// Checks every part against its whole (both reported).
    pub fn check(&self) -> Vec<PartExceedsWhole> {
        let mut out = Vec::new();
        for (&part, &value) in &self.quantities {
            if let Some(whole) = part.part_of()
                && let Some(w) = self.get(whole)
                && value > w
            {
                out.push(PartExceedsWhole {
                    part,
                    part_value: value.0,
                    whole,
                    whole_value: w.0,
                });
            }
        }
        // Doctors of both kinds together are also part of the technical staff.
        if let (Some(d), Some(t)) = (
            self.licensed_and_assistant_doctors(),
            self.get(Quantity::StaffHealthTechnical),
        ) && d > t
            && self.get(Quantity::LicensedDoctors).unwrap_or_default() <= t
        {
            out.push(PartExceedsWhole {
                part: Quantity::LicensedDoctors,
                part_value: d.0,
                whole: Quantity::StaffHealthTechnical,
                whole_value: t.0,
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::Labelled;

    fn fy() -> FacilityYear {
        FacilityYear::new(FacilityId::new("H1").unwrap(), Year::new(2020).unwrap())
    }

    #[test]
    fn parts_within_wholes() {
        let mut r = fy();
        r.quantities.insert(Quantity::Beds, Count(100));
        r.quantities.insert(Quantity::BedsIcu, Count(5));
        assert!(r.check().is_empty());
        r.quantities.insert(Quantity::BedsIcu, Count(101));
        let e = r.check();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].whole, Quantity::Beds);
    }

    #[test]
    fn missing_is_not_zero() {
        let mut r = fy();
        assert_eq!(r.licensed_and_assistant_doctors(), None);
        r.quantities.insert(Quantity::AssistantDoctors, Count(3));
        assert_eq!(r.licensed_and_assistant_doctors(), Some(Count(3)));
    }

    #[test]
    fn part_of_has_no_cycles() {
        for &q in Quantity::all() {
            let mut cur = q;
            for _ in 0..10 {
                match cur.part_of() {
                    Some(w) => cur = w,
                    None => break,
                }
            }
            assert!(cur.part_of().is_none(), "{q} has a cycle");
        }
    }
}
