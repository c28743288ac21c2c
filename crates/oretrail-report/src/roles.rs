//! What a template question means, whatever its number in a family or version.
//!
//! The registry gives each question an id ("Q3") and its English text; the same meaning sits
//! under different ids across families (CMRT Q5, EMRT Q4 and CRT Q3 all ask about 100 %
//! recycled material). Reports and claim checks need the meaning, so it is read once from the
//! registry's own question text here, and a test checks that every question of every version
//! gets one.

use oretrail_template::TemplateDef;
use oretrail_template::registry::QuestionDef;
use serde::{Deserialize, Serialize};

/// Meaning of a per-mineral question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Is the mineral intentionally added or used?
    Used,
    /// Does it remain in the product?
    Remains,
    /// Do smelters source it from the DRC or adjoining (covered) countries?
    CoveredCountries,
    /// Do smelters source it from conflict-affected and high-risk areas?
    Cahra,
    /// Does 100 % of it come from recycled or scrap sources?
    Recycled,
    /// What share of relevant suppliers responded?
    ResponseRate,
    /// Have all smelters been identified?
    AllIdentified,
    /// Has all smelter information received been reported?
    AllReported,
    /// None of the above.
    Other,
}

/// Meaning of a company-level question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CompanyRole {
    /// A responsible-minerals sourcing policy exists.
    Policy,
    /// The policy is public on the website (URL in the comment).
    PolicyPublic,
    /// The policy covers the OECD Annex II risks.
    #[serde(rename = "policy_annex_ii")]
    PolicyAnnexII,
    /// Due-diligence measures are implemented.
    DueDiligence,
    /// Direct suppliers must source from validated (audited) smelters.
    RequireValidated,
    /// Suppliers must exercise OECD due diligence.
    RequireSupplierDueDiligence,
    /// Suppliers' due diligence must cover the Annex II risks.
    #[serde(rename = "require_supplier_annex_ii")]
    RequireSupplierAnnexII,
    /// The company surveys its relevant suppliers.
    Survey,
    /// Suppliers' due-diligence information is reviewed.
    Review,
    /// The review includes corrective-action management.
    CorrectiveAction,
    /// The company files an annual conflict-minerals disclosure.
    Disclosure,
    /// None of the above.
    Other,
}

impl Role {
    /// Every meaningful role, in questionnaire order.
    pub const ALL: [Role; 8] = [
        Role::Used,
        Role::Remains,
        Role::CoveredCountries,
        Role::Cahra,
        Role::Recycled,
        Role::ResponseRate,
        Role::AllIdentified,
        Role::AllReported,
    ];

    /// Short label for people.
    pub fn label(self) -> &'static str {
        match self {
            Role::Used => "mineral used",
            Role::Remains => "remains in product",
            Role::CoveredCountries => "sourced from covered countries",
            Role::Cahra => "sourced from conflict-affected and high-risk areas",
            Role::Recycled => "100% recycled or scrap",
            Role::ResponseRate => "suppliers responding",
            Role::AllIdentified => "all smelters identified",
            Role::AllReported => "all smelter information reported",
            Role::Other => "other",
        }
    }
}

impl CompanyRole {
    /// The snake-case name used in profile files ("policy_public").
    pub fn key(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }

    /// Parses the snake-case name used in profile files ("policy_public").
    pub fn from_key(key: &str) -> Option<CompanyRole> {
        serde_json::from_value(serde_json::Value::String(key.trim().to_string())).ok()
    }
}

fn has(text: &str, needle: &str) -> bool {
    text.contains(needle)
}

/// The meaning of a per-mineral question, from its English text.
pub fn role_of(q: &QuestionDef) -> Role {
    let t = q.text_en.to_lowercase();
    if has(&t, "intentionally added") {
        Role::Used
    } else if has(&t, "remain in the product") {
        Role::Remains
    } else if has(&t, "covered countries") {
        Role::CoveredCountries
    } else if has(&t, "conflict-affected") || has(&t, "conflict affected") {
        Role::Cahra
    } else if has(&t, "recycled or scrap") {
        Role::Recycled
    } else if has(&t, "percentage of relevant suppliers") {
        Role::ResponseRate
    } else if has(&t, "identified all") {
        Role::AllIdentified
    } else if has(&t, "all applicable smelter") {
        Role::AllReported
    } else {
        Role::Other
    }
}

/// The meaning of a company-level question, from its English text.
pub fn company_role_of(q: &QuestionDef) -> CompanyRole {
    let t = q.text_en.to_lowercase();
    if has(&t, "publicly available on your website") {
        CompanyRole::PolicyPublic
    } else if has(&t, "does your policy cover") {
        CompanyRole::PolicyAnnexII
    } else if has(&t, "sourcing policy") && has(&t, "established") {
        CompanyRole::Policy
    } else if has(&t, "require your direct suppliers to source") {
        CompanyRole::RequireValidated
    } else if has(&t, "require suppliers to exercise due diligence") {
        CompanyRole::RequireSupplierDueDiligence
    } else if has(&t, "require suppliers' due diligence")
        || has(&t, "require suppliers\u{2019} due diligence")
    {
        CompanyRole::RequireSupplierAnnexII
    } else if has(&t, "implemented due diligence measures") {
        CompanyRole::DueDiligence
    } else if has(&t, "conduct") && has(&t, "survey") {
        CompanyRole::Survey
    } else if has(&t, "review due diligence information") {
        CompanyRole::Review
    } else if has(&t, "corrective action") {
        CompanyRole::CorrectiveAction
    } else if has(&t, "conflict minerals disclosure") {
        CompanyRole::Disclosure
    } else {
        CompanyRole::Other
    }
}

/// The id of the per-mineral question with a role in a template, if it has one.
pub fn question_with(def: &TemplateDef, role: Role) -> Option<&QuestionDef> {
    def.questions.iter().find(|q| role_of(q) == role)
}

/// The id of the company question with a role in a template, if it has one.
pub fn company_question_with(def: &TemplateDef, role: CompanyRole) -> Option<&QuestionDef> {
    def.company_questions
        .iter()
        .find(|q| company_role_of(q) == role)
}

#[cfg(test)]
mod tests {
    use super::*;
    use oretrail_template::Registry;
    use std::collections::HashSet;

    #[test]
    fn every_question_of_every_version_has_one_meaning() {
        for def in &Registry::global().versions {
            let mut seen = HashSet::new();
            for q in &def.questions {
                let role = role_of(q);
                assert_ne!(role, Role::Other, "{} {}: {}", def.name(), q.id, q.text_en);
                assert!(
                    seen.insert(role),
                    "{} {} repeats {role:?}",
                    def.name(),
                    q.id
                );
            }
            let mut seen = HashSet::new();
            for q in &def.company_questions {
                let role = company_role_of(q);
                assert_ne!(
                    role,
                    CompanyRole::Other,
                    "{} {}: {}",
                    def.name(),
                    q.id,
                    q.text_en
                );
                assert!(
                    seen.insert(role),
                    "{} {} repeats {role:?}",
                    def.name(),
                    q.id
                );
            }
        }
    }

    #[test]
    fn company_role_keys_read_as_written() {
        assert_eq!(
            CompanyRole::RequireSupplierAnnexII.key(),
            "require_supplier_annex_ii"
        );
        assert_eq!(
            CompanyRole::from_key("policy_annex_ii"),
            Some(CompanyRole::PolicyAnnexII)
        );
    }

    #[test]
    fn recycled_is_q5_in_cmrt_q4_in_emrt_and_q3_in_crt() {
        let r = Registry::global();
        let id = |f, v| {
            let def = r.get(f, v).expect("version");
            question_with(def, Role::Recycled).map(|q| q.id.clone())
        };
        use oretrail_template::Family::*;
        assert_eq!(id(Cmrt, "6.5").as_deref(), Some("Q5"));
        assert_eq!(id(Emrt, "2.1").as_deref(), Some("Q4"));
        assert_eq!(id(Crt, "2.21").as_deref(), Some("Q3"));
    }
}
