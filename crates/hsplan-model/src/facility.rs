//! Health institutions (卫生机构) following the national classification.

use crate::admin::AdminCode;
use crate::labelled_enum;
use crate::units::{LonLat, Year};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Identifier of a facility (e.g. its 组织机构代码 or a registry id).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct FacilityId(String);

/// Why a text is not a facility id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a facility id: expected 1–64 characters without spaces")]
pub struct InvalidFacilityId(pub String);

impl FacilityId {
    /// An id: 1–64 characters, no whitespace.
    pub fn new(text: &str) -> Result<Self, InvalidFacilityId> {
        let t = text.trim();
        if t.is_empty() || t.chars().count() > 64 || t.chars().any(char::is_whitespace) {
            Err(InvalidFacilityId(t.to_string()))
        } else {
            Ok(FacilityId(t.to_string()))
        }
    }
    /// The id text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for FacilityId {
    type Error = InvalidFacilityId;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        FacilityId::new(&s)
    }
}

impl From<FacilityId> for String {
    fn from(id: FacilityId) -> String {
        id.0
    }
}

impl fmt::Display for FacilityId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

labelled_enum! {
    /// Institution type (卫生机构类别), after the national health statistics classification.
    pub enum InstitutionType: "institution type" {
        GeneralHospital => ("general_hospital", "综合医院", "General hospital"),
        TcmHospital => ("tcm_hospital", "中医医院", "TCM hospital"),
        IntegratedHospital => ("integrated_hospital", "中西医结合医院", "Integrated TCM–Western hospital"),
        EthnicMedicineHospital => ("ethnic_medicine_hospital", "民族医医院", "Ethnic-medicine hospital"),
        SpecialisedHospital => ("specialised_hospital", "专科医院", "Specialised hospital"),
        NursingHome => ("nursing_home", "护理院", "Nursing home (hospital)", "护理中心"),
        CommunityHealthCentre => ("community_health_centre", "社区卫生服务中心", "Community health centre", "chc"),
        CommunityHealthStation => ("community_health_station", "社区卫生服务站", "Community health station"),
        StreetHealthCentre => ("street_health_centre", "街道卫生院", "Street health centre"),
        TownshipHealthCentre => ("township_health_centre", "乡镇卫生院", "Township health centre", "thc", "卫生院"),
        VillageClinic => ("village_clinic", "村卫生室", "Village clinic"),
        OutpatientDepartment => ("outpatient_department", "门诊部", "Outpatient department"),
        Clinic => ("clinic", "诊所", "Clinic"),
        Infirmary => ("infirmary", "卫生所（医务室）", "Infirmary", "卫生所", "医务室"),
        Cdc => ("cdc", "疾病预防控制中心", "Centre for disease control", "疾控中心"),
        DiseasePrevention => ("disease_prevention", "专科疾病防治机构", "Specialised disease prevention institution", "专科疾病防治院"),
        MaternalChildHealth => ("maternal_child_health", "妇幼保健机构", "Maternal and child health institution", "妇幼保健院", "mch"),
        EmergencyCentre => ("emergency_centre", "急救中心（站）", "Emergency centre/station", "急救中心", "急救站"),
        BloodStation => ("blood_station", "采供血机构", "Blood collection and supply", "血站"),
        HealthSupervision => ("health_supervision", "卫生监督机构", "Health supervision institution", "卫生监督所"),
        HealthEducation => ("health_education", "健康教育机构", "Health education institution", "健康教育所"),
        Sanatorium => ("sanatorium", "疗养院", "Sanatorium"),
        IndependentLab => ("independent_lab", "医学检验实验室", "Independent medical laboratory", "独立检验"),
        IndependentImaging => ("independent_imaging", "医学影像诊断中心", "Independent imaging centre"),
        IndependentPathology => ("independent_pathology", "病理诊断中心", "Independent pathology centre"),
        IndependentDialysis => ("independent_dialysis", "血液透析中心", "Independent dialysis centre"),
        Hospice => ("hospice", "安宁疗护中心", "Hospice"),
        ElderlyCare => ("elderly_care", "医养结合机构", "Combined medical and elderly care institution", "养老机构"),
        Childcare => ("childcare", "托育机构", "Childcare institution"),
        Other => ("other", "其他机构", "Other institution", "其他"),
    }
}

labelled_enum! {
    /// The four families of the classification.
    pub enum InstitutionFamily: "institution family" {
        Hospital => ("hospital", "医院", "Hospital"),
        PrimaryCare => ("primary_care", "基层医疗卫生机构", "Primary care"),
        PublicHealth => ("public_health", "专业公共卫生机构", "Public health"),
        Other => ("other", "其他机构", "Other"),
    }
}

impl InstitutionType {
    /// The family this type belongs to.
    pub fn family(self) -> InstitutionFamily {
        use InstitutionType::*;
        match self {
            GeneralHospital
            | TcmHospital
            | IntegratedHospital
            | EthnicMedicineHospital
            | SpecialisedHospital
            | NursingHome => InstitutionFamily::Hospital,
            CommunityHealthCentre
            | CommunityHealthStation
            | StreetHealthCentre
            | TownshipHealthCentre
            | VillageClinic
            | OutpatientDepartment
            | Clinic
            | Infirmary => InstitutionFamily::PrimaryCare,
            Cdc | DiseasePrevention | MaternalChildHealth | EmergencyCentre | BloodStation
            | HealthSupervision | HealthEducation => InstitutionFamily::PublicHealth,
            Sanatorium | IndependentLab | IndependentImaging | IndependentPathology
            | IndependentDialysis | Hospice | ElderlyCare | Childcare | Other => {
                InstitutionFamily::Other
            }
        }
    }

    /// TCM-type hospitals (中医类医院: TCM, integrated, ethnic medicine).
    pub fn is_tcm_hospital(self) -> bool {
        matches!(
            self,
            InstitutionType::TcmHospital
                | InstitutionType::IntegratedHospital
                | InstitutionType::EthnicMedicineHospital
        )
    }

    /// Community or township/street health centre (CHC/THC).
    pub fn is_primary_care_centre(self) -> bool {
        matches!(
            self,
            InstitutionType::CommunityHealthCentre
                | InstitutionType::StreetHealthCentre
                | InstitutionType::TownshipHealthCentre
        )
    }
}

labelled_enum! {
    /// Specialty of a specialised hospital or disease-prevention institution.
    pub enum Specialty: "specialty" {
        Psychiatric => ("psychiatric", "精神病", "Psychiatric", "精神卫生", "精神"),
        Rehabilitation => ("rehabilitation", "康复", "Rehabilitation"),
        Paediatric => ("paediatric", "儿童", "Paediatric", "儿科"),
        ObstetricsGynaecology => ("obstetrics_gynaecology", "妇产", "Obstetrics and gynaecology"),
        Stomatology => ("stomatology", "口腔", "Stomatology"),
        Ophthalmology => ("ophthalmology", "眼科", "Ophthalmology"),
        Oncology => ("oncology", "肿瘤", "Oncology"),
        InfectiousDisease => ("infectious_disease", "传染病", "Infectious disease"),
        Cardiovascular => ("cardiovascular", "心血管", "Cardiovascular"),
        Orthopaedic => ("orthopaedic", "骨科", "Orthopaedic"),
        Tuberculosis => ("tuberculosis", "结核病", "Tuberculosis"),
        OccupationalDisease => ("occupational_disease", "职业病", "Occupational disease"),
        Other => ("other", "其他专科", "Other specialty"),
    }
}

labelled_enum! {
    /// Hospital tier (级).
    pub enum Tier: "hospital tier" {
        Tier1 => ("1", "一级", "Tier 1"),
        Tier2 => ("2", "二级", "Tier 2"),
        Tier3 => ("3", "三级", "Tier 3"),
    }
}

labelled_enum! {
    /// Grade class within a tier, or the primary-care grade (甲/乙/丙).
    pub enum GradeClass: "grade class" {
        A => ("a", "甲等", "A", "甲"),
        B => ("b", "乙等", "B", "乙"),
        C => ("c", "丙等", "C", "丙"),
    }
}

/// Grade (等级) of an institution: 三级甲等 … 一级, 甲/乙 for primary care, or 未定级.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Grade {
    /// Not graded (未定级).
    #[default]
    Ungraded,
    /// A primary-care grade (甲等/乙等/丙等), without a tier.
    Primary(GradeClass),
    /// A hospital tier, with its class when assessed.
    Hospital(Tier, Option<GradeClass>),
}

/// Why a text is not a grade.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a grade: expected e.g. 三级甲等, 二级, 甲等, 未定级 (or 3a, 2, a, ungraded)")]
pub struct InvalidGrade(pub String);

impl Grade {
    /// Parses 三级甲等 / 二级 / 甲等 / 未定级, or the codes 3a / 2 / a / ungraded.
    pub fn parse(text: &str) -> Result<Grade, InvalidGrade> {
        use crate::labels::Labelled;
        let t = text.trim();
        let bad = || InvalidGrade(t.to_string());
        if t.is_empty() || t == "未定级" || t.eq_ignore_ascii_case("ungraded") {
            return Ok(Grade::Ungraded);
        }
        if let Ok(class) = GradeClass::parse_label(t) {
            return Ok(Grade::Primary(class));
        }
        // Code form: "3a", "2".
        let mut chars = t.chars();
        let first = chars.next().ok_or_else(bad)?;
        if first.is_ascii_digit() {
            let tier = Tier::parse_label(&first.to_string()).map_err(|_| bad())?;
            let rest: String = chars.collect();
            let class = if rest.is_empty() {
                None
            } else {
                Some(GradeClass::parse_label(&rest).map_err(|_| bad())?)
            };
            return Ok(Grade::Hospital(tier, class));
        }
        // Chinese form: "三级甲等", "二级".
        let tier = Tier::all()
            .iter()
            .copied()
            .find(|tier| t.starts_with(tier.zh()))
            .ok_or_else(bad)?;
        let rest = &t[tier.zh().len()..];
        let class = if rest.is_empty() {
            None
        } else {
            Some(GradeClass::parse_label(rest).map_err(|_| bad())?)
        };
        Ok(Grade::Hospital(tier, class))
    }

    /// The machine code: `3a`, `2`, `a`, `ungraded`.
    pub fn code(self) -> String {
        use crate::labels::Labelled;
        match self {
            Grade::Ungraded => "ungraded".into(),
            Grade::Primary(c) => c.code().into(),
            Grade::Hospital(t, None) => t.code().into(),
            Grade::Hospital(t, Some(c)) => format!("{}{}", t.code(), c.code()),
        }
    }

    /// The Chinese label: 三级甲等, 二级, 甲等, 未定级.
    pub fn zh(self) -> String {
        use crate::labels::Labelled;
        match self {
            Grade::Ungraded => "未定级".into(),
            Grade::Primary(c) => c.zh().into(),
            Grade::Hospital(t, None) => t.zh().into(),
            Grade::Hospital(t, Some(c)) => format!("{}{}", t.zh(), c.zh()),
        }
    }

    /// The hospital tier, if any.
    pub fn tier(self) -> Option<Tier> {
        match self {
            Grade::Hospital(t, _) => Some(t),
            _ => None,
        }
    }

    /// Tier 2 or above (二级及以上).
    pub fn is_secondary_or_above(self) -> bool {
        matches!(self.tier(), Some(Tier::Tier2 | Tier::Tier3))
    }
}

impl fmt::Display for Grade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code())
    }
}

impl Serialize for Grade {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.code())
    }
}

impl<'de> Deserialize<'de> for Grade {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Grade::parse(&s).map_err(serde::de::Error::custom)
    }
}

labelled_enum! {
    /// Ownership (举办主体).
    pub enum Ownership: "ownership" {
        Government => ("government", "政府办", "Government-run", "公立", "政府"),
        OtherPublic => ("other_public", "其他公立", "Other public"),
        Private => ("private", "社会办", "Private", "民营", "非公立"),
    }
}

/// A health institution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Facility {
    /// Identifier.
    pub id: FacilityId,
    /// Name.
    pub name: String,
    /// Institution type.
    pub kind: InstitutionType,
    /// Specialty, for specialised hospitals and disease-prevention institutions.
    pub specialty: Option<Specialty>,
    /// Grade.
    pub grade: Grade,
    /// Ownership.
    pub ownership: Ownership,
    /// For-profit (营利性) when known.
    pub for_profit: Option<bool>,
    /// The unit it lies in (any level).
    pub unit: AdminCode,
    /// Location.
    pub location: Option<LonLat>,
    /// Year it opened, when known.
    pub opened: Option<Year>,
    /// Year it closed, when it has.
    pub closed: Option<Year>,
}

impl Facility {
    /// Open at the end of `year`: opened on or before, not closed on or before.
    pub fn is_open_in(&self, year: Year) -> bool {
        self.opened.is_none_or(|o| o <= year) && self.closed.is_none_or(|c| c > year)
    }

    /// Public (government or other public).
    pub fn is_public(&self) -> bool {
        self.ownership != Ownership::Private
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::Labelled;

    #[test]
    fn grades_parse_both_ways() {
        for (text, code) in [
            ("三级甲等", "3a"),
            ("二级", "2"),
            ("二级乙等", "2b"),
            ("甲等", "a"),
            ("未定级", "ungraded"),
            ("3A", "3a"),
            ("1", "1"),
        ] {
            let g = Grade::parse(text).unwrap();
            assert_eq!(g.code(), code, "{text}");
            assert_eq!(Grade::parse(&g.zh()).unwrap(), g);
        }
        assert!(Grade::parse("四级").is_err());
        assert!(Grade::parse("3x").is_err());
        assert!(Grade::parse("三级甲等").unwrap().is_secondary_or_above());
        assert!(!Grade::parse("一级").unwrap().is_secondary_or_above());
    }

    #[test]
    fn type_codes_are_unique_and_families_cover() {
        let mut codes: Vec<_> = InstitutionType::all().iter().map(|t| t.code()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), InstitutionType::all().len());
        assert_eq!(
            InstitutionType::VillageClinic.family(),
            InstitutionFamily::PrimaryCare
        );
        assert_eq!(
            "卫生院".parse::<InstitutionType>().unwrap(),
            InstitutionType::TownshipHealthCentre
        );
    }

    #[test]
    fn open_years() {
        let f = Facility {
            id: FacilityId::new("F1").unwrap(),
            name: "x".into(),
            kind: InstitutionType::Clinic,
            specialty: None,
            grade: Grade::Ungraded,
            ownership: Ownership::Private,
            for_profit: Some(true),
            unit: crate::admin::AdminCode::parse("500109").unwrap(),
            location: None,
            opened: Some(Year::new(2021).unwrap()),
            closed: Some(Year::new(2023).unwrap()),
        };
        assert!(!f.is_open_in(Year::new(2020).unwrap()));
        assert!(f.is_open_in(Year::new(2022).unwrap()));
        assert!(!f.is_open_in(Year::new(2023).unwrap()));
    }
}
