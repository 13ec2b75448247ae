//! The indicator library: every computable indicator of the seed plans, defined once.

use crate::measure::{FacilitySet as S, Measure, PopulationBase as P};
use hsplan_model::{Capability as C, Condition, Quantity as Q, UsageCount as U};

/// How the value is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// numerator / denominator × factor.
    Rate,
    /// A ratio written 1:x, x = numerator / denominator.
    OneTo,
    /// A plain count (no denominator).
    Count,
}

/// One indicator's formula and documentation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IndicatorDef {
    /// Stable id shared with plan files.
    pub id: &'static str,
    /// Chinese name.
    pub name_zh: &'static str,
    /// English name.
    pub name_en: &'static str,
    /// Unit as in plan files.
    pub unit: &'static str,
    /// Numerator.
    pub numerator: Measure,
    /// Denominator (`None` for counts).
    pub denominator: Option<Measure>,
    /// Multiplier (1000 for per-1000, 100 for %).
    pub factor: f64,
    /// How the value is written.
    pub form: Form,
    /// Official definition and source.
    pub definition: &'static str,
}

const fn rate(
    (id, name_zh, name_en): Names,
    unit: &'static str,
    numerator: Measure,
    denominator: Measure,
    factor: f64,
    definition: &'static str,
) -> IndicatorDef {
    IndicatorDef {
        id,
        name_zh,
        name_en,
        unit,
        numerator,
        denominator: Some(denominator),
        factor,
        form: Form::Rate,
        definition,
    }
}

const fn one_to(
    (id, name_zh, name_en): Names,
    numerator: Measure,
    denominator: Measure,
    definition: &'static str,
) -> IndicatorDef {
    IndicatorDef {
        id,
        name_zh,
        name_en,
        unit: "ratio",
        numerator,
        denominator: Some(denominator),
        factor: 1.0,
        form: Form::OneTo,
        definition,
    }
}

const fn count(
    (id, name_zh, name_en): Names,
    unit: &'static str,
    numerator: Measure,
    definition: &'static str,
) -> IndicatorDef {
    IndicatorDef {
        id,
        name_zh,
        name_en,
        unit,
        numerator,
        denominator: None,
        factor: 1.0,
        form: Form::Count,
        definition,
    }
}

/// Id, Chinese name, English name.
type Names = (&'static str, &'static str, &'static str);

const RESIDENT: Measure = Measure::Population(P::Resident);
const FEVER: &[C] = &[C::FeverClinic, C::FeverRoom, C::FeverSentinel];

/// Every indicator hsplan computes from the model.
pub const INDICATORS: &[IndicatorDef] = &[
    rate(
        (
            "beds_per_1000",
            "每千人口医疗卫生机构床位数",
            "Beds per 1,000 population",
        ),
        "张/千人",
        Measure::Quantity(S::All, Q::Beds),
        RESIDENT,
        1000.0,
        "实有床位（年末）÷ 常住人口 × 1000; 国家卫生健康统计调查制度",
    ),
    rate(
        (
            "public_hospital_beds_per_1000",
            "每千人口公立医院床位数",
            "Public hospital beds per 1,000 population",
        ),
        "张/千人",
        Measure::Quantity(S::PublicHospitals, Q::Beds),
        RESIDENT,
        1000.0,
        "公立医院实有床位 ÷ 常住人口 × 1000",
    ),
    rate(
        (
            "rehabilitation_beds_per_1000",
            "每千人口康复床位",
            "Rehabilitation beds per 1,000 population",
        ),
        "张/千人",
        Measure::Quantity(S::All, Q::BedsRehabilitation),
        RESIDENT,
        1000.0,
        "康复床位 ÷ 常住人口 × 1000",
    ),
    rate(
        (
            "psychiatric_beds_per_1000",
            "每千人口精神科床位数",
            "Psychiatric beds per 1,000 population",
        ),
        "张/千人",
        Measure::Quantity(S::All, Q::BedsPsychiatric),
        RESIDENT,
        1000.0,
        "精神科床位 ÷ 常住人口 × 1000",
    ),
    rate(
        (
            "public_tcm_hospital_beds_per_1000",
            "每千人口公立中医类医院床位数",
            "Public TCM-type hospital beds per 1,000 population",
        ),
        "张/千人",
        Measure::Quantity(S::PublicTcmHospitals, Q::Beds),
        RESIDENT,
        1000.0,
        "公立中医类医院（中医、中西医结合、民族医）实有床位 ÷ 常住人口 × 1000",
    ),
    rate(
        (
            "icu_beds_per_1000",
            "每千人口重症床位数",
            "ICU beds per 1,000 population",
        ),
        "张/千人",
        Measure::Quantity(S::All, Q::BedsIcu),
        RESIDENT,
        1000.0,
        "重症医学床位 ÷ 常住人口 × 1000",
    ),
    rate(
        (
            "licensed_doctors_per_1000",
            "每千人口执业（助理）医师数",
            "Licensed (assistant) doctors per 1,000 population",
        ),
        "人/千人",
        Measure::Doctors(S::All),
        RESIDENT,
        1000.0,
        "执业医师 + 执业助理医师 ÷ 常住人口 × 1000",
    ),
    rate(
        (
            "registered_nurses_per_1000",
            "每千人口注册护士数",
            "Registered nurses per 1,000 population",
        ),
        "人/千人",
        Measure::Quantity(S::All, Q::RegisteredNurses),
        RESIDENT,
        1000.0,
        "注册护士 ÷ 常住人口 × 1000",
    ),
    rate(
        (
            "pharmacists_per_1000",
            "每千人口药师（士）数",
            "Pharmacists per 1,000 population",
        ),
        "人/千人",
        Measure::Quantity(S::All, Q::Pharmacists),
        RESIDENT,
        1000.0,
        "药师（士）÷ 常住人口 × 1000",
    ),
    rate(
        (
            "tcm_doctors_per_1000",
            "每千人口中医类别执业（助理）医师数",
            "TCM licensed (assistant) doctors per 1,000 population",
        ),
        "人/千人",
        Measure::Quantity(S::All, Q::TcmDoctors),
        RESIDENT,
        1000.0,
        "中医类别执业（助理）医师 ÷ 常住人口 × 1000",
    ),
    rate(
        (
            "gps_per_10k",
            "每万人口全科医生数",
            "General practitioners per 10,000 population",
        ),
        "人/万人",
        Measure::Quantity(S::All, Q::GeneralPractitioners),
        RESIDENT,
        10000.0,
        "全科医生（注册为全科医学专业或取得培训合格证）÷ 常住人口 × 10000",
    ),
    rate(
        (
            "psychiatrists_per_100k",
            "每十万人口精神科执业（助理）医师数",
            "Psychiatrists per 100,000 population",
        ),
        "人/十万人",
        Measure::Quantity(S::All, Q::Psychiatrists),
        RESIDENT,
        100000.0,
        "精神科执业（助理）医师 ÷ 常住人口 × 100000",
    ),
    rate(
        (
            "paediatricians_per_1000_children",
            "每千儿童儿科执业（助理）医师数",
            "Paediatricians per 1,000 children",
        ),
        "人/千儿童",
        Measure::Quantity(S::All, Q::Paediatricians),
        Measure::Population(P::Children0To14),
        1000.0,
        "儿科执业（助理）医师 ÷ 0–14岁人口 × 1000",
    ),
    rate(
        (
            "clinical_pharmacists_per_100_beds",
            "每百张床位临床药师数",
            "Clinical pharmacists per 100 beds",
        ),
        "人/百床",
        Measure::Quantity(S::All, Q::ClinicalPharmacists),
        Measure::Quantity(S::All, Q::Beds),
        100.0,
        "临床药师 ÷ 实有床位 × 100",
    ),
    rate(
        (
            "public_health_staff_per_1000",
            "每千人口专业公共卫生机构人员数",
            "Staff of professional public-health institutions per 1,000 population",
        ),
        "人/千人",
        Measure::Quantity(S::PublicHealthInstitutions, Q::StaffTotal),
        RESIDENT,
        1000.0,
        "专业公共卫生机构卫生人员 ÷ 常住人口 × 1000",
    ),
    rate(
        (
            "cdc_staff_per_1000",
            "每千人口疾病预防控制机构人员数",
            "CDC staff per 1,000 population",
        ),
        "人/千人",
        Measure::Quantity(S::Cdc, Q::StaffTotal),
        RESIDENT,
        1000.0,
        "疾病预防控制中心卫生人员 ÷ 常住人口 × 1000",
    ),
    one_to(
        ("doctor_nurse_ratio", "医护比", "Doctor:nurse ratio"),
        Measure::Quantity(S::All, Q::RegisteredNurses),
        Measure::Doctors(S::All),
        "1 : 注册护士 ÷ 执业（助理）医师",
    ),
    one_to(
        (
            "bed_staff_ratio",
            "床人（卫生人员）比",
            "Bed:health-worker ratio",
        ),
        Measure::Quantity(S::All, Q::StaffTotal),
        Measure::Quantity(S::All, Q::Beds),
        "1 : 卫生人员 ÷ 实有床位",
    ),
    one_to(
        ("bed_nurse_ratio", "床护比", "Bed:nurse ratio"),
        Measure::Quantity(S::All, Q::RegisteredNurses),
        Measure::Quantity(S::All, Q::Beds),
        "1 : 注册护士 ÷ 实有床位",
    ),
    one_to(
        ("bed_doctor_ratio", "床医比", "Bed:doctor ratio"),
        Measure::Doctors(S::All),
        Measure::Quantity(S::All, Q::Beds),
        "1 : 执业（助理）医师 ÷ 实有床位",
    ),
    rate(
        (
            "ambulances_per_10k",
            "每万人口急救车数量",
            "Ambulances per 10,000 population",
        ),
        "辆/万人",
        Measure::Quantity(S::All, Q::Ambulances),
        RESIDENT,
        10000.0,
        "救护车 ÷ 常住人口 × 10000",
    ),
    rate(
        (
            "childcare_places_per_1000",
            "每千人口拥有3岁以下婴幼儿托位数",
            "Childcare places for children under 3 per 1,000 population",
        ),
        "个/千人",
        Measure::Quantity(S::All, Q::ChildcarePlaces),
        RESIDENT,
        1000.0,
        "托位 ÷ 常住人口 × 1000",
    ),
    rate(
        (
            "public_benefit_childcare_places_per_1000",
            "每千人口普惠托位数",
            "Public-benefit childcare places per 1,000 population",
        ),
        "个/千人",
        Measure::Quantity(S::All, Q::ChildcarePlacesPublicBenefit),
        RESIDENT,
        1000.0,
        "普惠托位 ÷ 常住人口 × 1000",
    ),
    rate(
        (
            "hospital_average_length_of_stay",
            "医院平均住院日",
            "Average length of hospital stay",
        ),
        "天",
        Measure::Quantity(S::Hospitals, Q::InpatientBedDays),
        Measure::Quantity(S::Hospitals, Q::Discharges),
        1.0,
        "出院者占用总床日数 ÷ 出院人数（医院）",
    ),
    rate(
        (
            "share_secondary_general_hospitals_with_geriatrics",
            "二级及以上综合性医院设置老年医学科的比例",
            "Share of secondary+ general hospitals with a geriatrics department",
        ),
        "%",
        Measure::FacilitiesWithAny(S::SecondaryPlusGeneralHospitals, &[C::Geriatrics]),
        Measure::Facilities(S::SecondaryPlusGeneralHospitals),
        100.0,
        "设老年医学科的二级及以上综合医院数 ÷ 二级及以上综合医院数 × 100",
    ),
    rate(
        (
            "share_secondary_general_hospitals_with_infectious_dept",
            "二级以上综合医院设置感染性疾病科的比例",
            "Share of secondary+ general hospitals with an infectious-disease department",
        ),
        "%",
        Measure::FacilitiesWithAny(
            S::SecondaryPlusGeneralHospitals,
            &[C::InfectiousDiseaseDept],
        ),
        Measure::Facilities(S::SecondaryPlusGeneralHospitals),
        100.0,
        "设感染性疾病科的二级及以上综合医院数 ÷ 二级及以上综合医院数 × 100",
    ),
    rate(
        (
            "share_primary_centres_with_fever_clinic",
            "镇（中心）卫生院和社区卫生服务中心设置发热门诊（诊室）的比例",
            "Share of THCs and CHCs with a fever clinic, room or sentinel",
        ),
        "%",
        Measure::FacilitiesWithAny(S::PrimaryCareCentres, FEVER),
        Measure::Facilities(S::PrimaryCareCentres),
        100.0,
        "设发热门诊（诊室、哨点）的乡镇卫生院和社区卫生服务中心数 ÷ 其总数 × 100",
    ),
    rate(
        (
            "share_primary_centres_with_tcm_hall",
            "设置中医馆的社区卫生服务中心和镇（中心）卫生院比例",
            "Share of CHCs and THCs with a TCM hall",
        ),
        "%",
        Measure::FacilitiesWithAny(S::PrimaryCareCentres, &[C::TcmHall]),
        Measure::Facilities(S::PrimaryCareCentres),
        100.0,
        "设中医馆的社区卫生服务中心和乡镇卫生院数 ÷ 其总数 × 100",
    ),
    rate(
        (
            "share_secondary_tcm_hospitals_with_preventive_dept",
            "设置治未病科的二级及以上中医类医院比例",
            "Share of secondary+ TCM-type hospitals with a preventive-treatment department",
        ),
        "%",
        Measure::FacilitiesWithAny(S::SecondaryPlusTcmHospitals, &[C::PreventiveTreatment]),
        Measure::Facilities(S::SecondaryPlusTcmHospitals),
        100.0,
        "设治未病科的二级及以上中医类医院数 ÷ 其总数 × 100",
    ),
    rate(
        (
            "primary_care_outpatient_share",
            "基层医疗卫生机构诊疗量占比",
            "Primary-care share of outpatient visits",
        ),
        "%",
        Measure::Quantity(S::PrimaryCare, Q::OutpatientVisits),
        Measure::Quantity(S::All, Q::OutpatientVisits),
        100.0,
        "基层医疗卫生机构诊疗人次 ÷ 总诊疗人次 × 100",
    ),
    count(
        ("pet_ct", "PET/CT配置数", "PET/CT units"),
        "台",
        Measure::Quantity(S::All, Q::PetCt),
        "配置数（台）",
    ),
    count(
        ("surgical_robots", "手术机器人配置数", "Surgical robots"),
        "台",
        Measure::Quantity(S::All, Q::SurgicalRobots),
        "配置数（台）",
    ),
    count(
        (
            "ct_64_plus",
            "64排及以上CT配置数",
            "CT scanners, 64-slice and above",
        ),
        "台",
        Measure::Quantity(S::All, Q::Ct64Plus),
        "配置数（台）",
    ),
    count(
        (
            "mr_1_5t_plus",
            "1.5T及以上磁共振配置数",
            "MR systems, 1.5 T and above",
        ),
        "台",
        Measure::Quantity(S::All, Q::Mr15TPlus),
        "配置数（台）",
    ),
    count(
        (
            "linear_accelerators",
            "直线加速器配置数",
            "Linear accelerators",
        ),
        "台",
        Measure::Quantity(S::All, Q::LinearAccelerators),
        "配置数（台）",
    ),
    count(
        ("tier3_hospitals", "三级医院数", "Tier-3 hospitals"),
        "个",
        Measure::Facilities(S::Tier3Hospitals),
        "年末开业的三级医院（各类、各种所有制）个数",
    ),
    count(
        (
            "nursing_homes",
            "护理院（中心）数",
            "Nursing homes and nursing centres",
        ),
        "个",
        Measure::Facilities(S::NursingHomes),
        "年末开业的护理院、护理中心个数",
    ),
    count(
        (
            "negative_pressure_ambulances",
            "负压救护车数",
            "Negative-pressure ambulances",
        ),
        "辆",
        Measure::Quantity(S::All, Q::AmbulancesNegativePressure),
        "负压救护车（辆），年末",
    ),
    rate(
        (
            "rehabilitation_doctors_per_100k",
            "每十万人口康复医师数",
            "Rehabilitation doctors per 100,000 population",
        ),
        "人/十万人",
        Measure::Quantity(S::All, Q::RehabilitationDoctors),
        RESIDENT,
        100000.0,
        "康复医师 ÷ 常住人口 × 100000",
    ),
    // Utilisation counted from records (visits, referrals, contracts, chronic disease,
    // health records): see hsplan-records.
    rate(
        (
            "primary_care_visit_share_records",
            "基层医疗卫生机构诊疗量占比（个案记录）",
            "Primary-care share of visits (from visit records)",
        ),
        "%",
        Measure::Usage(U::PrimaryCareVisits),
        Measure::Usage(U::Visits),
        100.0,
        "基层医疗卫生机构门急诊人次 ÷ 全部医疗卫生机构门急诊人次 × 100（机构所在地，由就诊记录计数）",
    ),
    rate(
        (
            "tcm_consultation_share_pct",
            "中医诊疗量占比",
            "Share of TCM in consultations",
        ),
        "%",
        Measure::Usage(U::TcmVisits),
        Measure::Usage(U::Visits),
        100.0,
        "中医类门急诊人次 ÷ 门急诊总人次 × 100（机构所在地，由就诊记录计数）",
    ),
    rate(
        (
            "local_care_rate_pct",
            "区（县）域内就诊率",
            "Share of residents' care received within the unit",
        ),
        "%",
        Measure::ResidentCareWithin { admissions: false },
        Measure::Usage(U::ResidentEncounters),
        100.0,
        "本辖区常住居民在辖区内医疗卫生机构的门急诊及住院人次 ÷ 本辖区居民门急诊及住院总人次 × 100（按居民住址；辖区为被评估单位本身）",
    ),
    rate(
        (
            "inpatient_outflow_rate_pct",
            "住院外流率",
            "Share of residents' admissions outside the unit",
        ),
        "%",
        Measure::ResidentCareOutside { admissions: true },
        Measure::Usage(U::ResidentAdmissions),
        100.0,
        "本辖区居民在辖区外医疗机构的住院人次 ÷ 本辖区居民住院总人次 × 100",
    ),
    count(
        ("referrals_up", "上转人次", "Referrals up"),
        "人次",
        Measure::Usage(U::ReferralsUp),
        "由辖区内机构转往服务层级更高机构的转诊人次（层级：村卫生室/诊所 < 乡镇卫生院/社区卫生服务中心、一级医院 < 二级 < 三级）",
    ),
    count(
        ("referrals_down", "下转人次", "Referrals down"),
        "人次",
        Measure::Usage(U::ReferralsDown),
        "由辖区内机构转往服务层级更低机构的转诊人次",
    ),
    rate(
        (
            "down_up_referral_ratio",
            "下转与上转人次之比",
            "Referrals down per referral up",
        ),
        "倍",
        Measure::Usage(U::ReferralsDown),
        Measure::Usage(U::ReferralsUp),
        1.0,
        "下转人次 ÷ 上转人次",
    ),
    rate(
        (
            "family_doctor_contract_coverage_pct",
            "家庭医生签约服务覆盖率",
            "Family-doctor contract coverage",
        ),
        "%",
        Measure::Usage(U::ContractedResidents),
        RESIDENT,
        100.0,
        "年末签约在约居民数 ÷ 常住人口 × 100",
    ),
    rate(
        (
            "family_doctor_priority_group_coverage_pct",
            "家庭医生签约服务重点人群覆盖率",
            "Family-doctor contract coverage of priority groups",
        ),
        "%",
        Measure::Usage(U::ContractedKeyResidents),
        Measure::Usage(U::KeyResidents),
        100.0,
        "年末签约在约的重点人群（65岁及以上老年人、高血压、糖尿病、孕产妇、0～6岁儿童、残疾人、脱贫人口）÷ 健康档案中的重点人群人数 × 100",
    ),
    rate(
        (
            "hypertension_management_rate_pct",
            "高血压患者规范管理率",
            "Standardised management rate of hypertension patients",
        ),
        "%",
        Measure::Usage(U::ChronicStandardised(Condition::Hypertension)),
        Measure::Usage(U::ChronicManaged(Condition::Hypertension)),
        100.0,
        "按照规范要求进行高血压患者健康管理的人数 ÷ 年内已管理的高血压患者人数 × 100（国家基本公共卫生服务规范）",
    ),
    rate(
        (
            "hypertension_control_rate_pct",
            "管理人群血压控制率",
            "Blood-pressure control among managed patients",
        ),
        "%",
        Measure::Usage(U::ChronicControlled(Condition::Hypertension)),
        Measure::Usage(U::ChronicManaged(Condition::Hypertension)),
        100.0,
        "年内最近一次随访血压达标人数 ÷ 年内已管理的高血压患者人数 × 100",
    ),
    rate(
        (
            "diabetes_management_rate_pct",
            "糖尿病患者规范管理率",
            "Standardised management rate of diabetes patients",
        ),
        "%",
        Measure::Usage(U::ChronicStandardised(Condition::Diabetes)),
        Measure::Usage(U::ChronicManaged(Condition::Diabetes)),
        100.0,
        "按照规范要求进行2型糖尿病患者健康管理的人数 ÷ 年内已管理的2型糖尿病患者人数 × 100",
    ),
    rate(
        (
            "diabetes_control_rate_pct",
            "管理人群血糖控制率",
            "Blood-glucose control among managed patients",
        ),
        "%",
        Measure::Usage(U::ChronicControlled(Condition::Diabetes)),
        Measure::Usage(U::ChronicManaged(Condition::Diabetes)),
        100.0,
        "年内最近一次随访空腹血糖达标人数 ÷ 年内已管理的2型糖尿病患者人数 × 100",
    ),
    rate(
        (
            "ehr_coverage_pct",
            "居民电子健康档案建档率",
            "Electronic health record coverage",
        ),
        "%",
        Measure::Usage(U::HealthRecords),
        RESIDENT,
        100.0,
        "年末在用的居民电子健康档案数 ÷ 常住人口 × 100",
    ),
];

/// Whether an indicator is counted from record-level data (visits, contracts…).
pub fn from_records(def: &IndicatorDef) -> bool {
    def.numerator.is_usage() || def.denominator.is_some_and(|d| d.is_usage())
}

/// The definition of an indicator id.
pub fn find(id: &str) -> Option<&'static IndicatorDef> {
    INDICATORS.iter().find(|d| d.id == id)
}
