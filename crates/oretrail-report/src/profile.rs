//! The company's own facts: who it is, who signs, its policy and management system, its
//! products, and the analysts' overrides of derived answers. Kept in small TOML files the
//! analyst edits (`company.toml`, `overrides.toml`); both are hashed into every report snapshot.

use crate::error::{ReportError, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// The company profile (`company.toml`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompanyProfile {
    /// Identity of the company.
    #[serde(default)]
    pub company: Company,
    /// Contact person for the declaration.
    #[serde(default)]
    pub contact: Person,
    /// Person authorising the declaration.
    #[serde(default)]
    pub authorizer: Person,
    /// Responsible-minerals sourcing policy.
    #[serde(default)]
    pub policy: PolicyInfo,
    /// Management system (OECD step 1) as the annual report describes it.
    #[serde(default)]
    pub management: Management,
    /// Products, for product-scope declarations.
    #[serde(default)]
    pub products: Vec<ProductInfo>,
    /// Company-question answers: by family code ("CMRT") then question id ("H") or role
    /// name ("disclosure").
    #[serde(default)]
    pub answers: BTreeMap<String, BTreeMap<String, AnswerSpec>>,
}

/// Identity of the company.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Company {
    /// Legal name.
    #[serde(default)]
    pub name: String,
    /// Unique ID (DUNS, VAT ...).
    pub unique_id: Option<String>,
    /// Authority of the unique ID.
    pub unique_id_authority: Option<String>,
    /// Address.
    pub address: Option<String>,
    /// Description of scope, for user-defined scopes.
    pub scope_description: Option<String>,
}

/// A person named in the declaration.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    /// Name.
    pub name: Option<String>,
    /// Title.
    pub title: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
}

/// The sourcing policy.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyInfo {
    /// Whether a policy is established.
    #[serde(default)]
    pub established: bool,
    /// Public URL of the policy.
    pub url: Option<String>,
    /// Version of the policy document ("2026.1").
    pub version: Option<String>,
    /// Date adopted (ISO).
    pub adopted: Option<String>,
    /// Whether it covers the OECD Annex II risks.
    #[serde(default)]
    pub covers_annex_ii: bool,
    /// Summary for the annual report.
    pub summary: Option<String>,
}

/// The management system, in the company's words.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Management {
    /// Who is accountable (senior management).
    pub accountable: Option<String>,
    /// How the programme is run (team, systems, supplier contracts).
    pub system: Option<String>,
    /// Supplier engagement (contract clauses, codes of conduct).
    pub supplier_engagement: Option<String>,
    /// Grievance mechanism.
    pub grievance_mechanism: Option<String>,
    /// Record keeping.
    pub record_keeping: Option<String>,
}

/// A product the declaration covers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductInfo {
    /// The company's product number.
    pub number: String,
    /// Product name.
    pub name: Option<String>,
    /// Requester's product number (EMRT 2.1, AMRT 1.3).
    pub requester_number: Option<String>,
    /// Requester's product name.
    pub requester_name: Option<String>,
    /// Comment.
    pub comment: Option<String>,
}

/// An answer given in a profile: the answer alone, or with a comment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AnswerSpec {
    /// Just the answer.
    Text(String),
    /// Answer and comment.
    Full {
        /// The answer.
        answer: String,
        /// The comment.
        comment: Option<String>,
    },
}

impl AnswerSpec {
    /// The answer text.
    pub fn answer(&self) -> &str {
        match self {
            AnswerSpec::Text(a) => a,
            AnswerSpec::Full { answer, .. } => answer,
        }
    }

    /// The comment, if any.
    pub fn comment(&self) -> Option<&str> {
        match self {
            AnswerSpec::Text(_) => None,
            AnswerSpec::Full { comment, .. } => comment.as_deref(),
        }
    }
}

/// An analyst's decision to answer a question differently from what the data suggests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Override {
    /// Family the override applies to (all when absent).
    pub family: Option<String>,
    /// Question id ("Q7", "A").
    pub question: String,
    /// Mineral, for per-mineral questions (all minerals when absent).
    pub mineral: Option<String>,
    /// The answer to give.
    pub answer: String,
    /// Comment to write beside it.
    pub comment: Option<String>,
    /// Why (required: it is recorded with the export).
    pub reason: String,
    /// Who decided.
    pub by: String,
    /// When (ISO date).
    pub at: Option<String>,
}

/// The overrides file (`overrides.toml`): `[[override]]` tables.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Overrides {
    /// The overrides, in file order (a later one for the same question wins).
    #[serde(default, rename = "override")]
    pub items: Vec<Override>,
}

impl CompanyProfile {
    /// Parses a profile from TOML text.
    pub fn from_toml(text: &str, origin: &str) -> Result<CompanyProfile> {
        toml::from_str(text).map_err(|e| ReportError::Toml {
            file: origin.to_string(),
            message: e.to_string(),
        })
    }

    /// Reads a profile file.
    pub fn load(path: &Path) -> Result<CompanyProfile> {
        let text = std::fs::read_to_string(path).map_err(|e| ReportError::io(path, e))?;
        CompanyProfile::from_toml(&text, &path.display().to_string())
    }

    /// The company-question answer the profile gives for a family, by id or by role name.
    pub fn company_answer(&self, family: &str, id: &str, role_key: &str) -> Option<&AnswerSpec> {
        let by_family = self
            .answers
            .iter()
            .find(|(f, _)| f.eq_ignore_ascii_case(family))
            .map(|(_, m)| m);
        let any = self
            .answers
            .iter()
            .find(|(f, _)| f.as_str() == "*")
            .map(|(_, m)| m);
        for map in [by_family, any].into_iter().flatten() {
            if let Some(a) = map.get(id).or_else(|| map.get(role_key)) {
                return Some(a);
            }
        }
        None
    }
}

impl Overrides {
    /// Parses overrides from TOML text; every override needs a reason and a name.
    pub fn from_toml(text: &str, origin: &str) -> Result<Overrides> {
        let parsed: Overrides = toml::from_str(text).map_err(|e| ReportError::Toml {
            file: origin.to_string(),
            message: e.to_string(),
        })?;
        if let Some(o) = parsed
            .items
            .iter()
            .find(|o| o.reason.trim().is_empty() || o.by.trim().is_empty())
        {
            return Err(ReportError::Toml {
                file: origin.to_string(),
                message: format!(
                    "the override of {} needs a reason and who decided (`reason`, `by`)",
                    o.question
                ),
            });
        }
        Ok(parsed)
    }

    /// Reads an overrides file.
    pub fn load(path: &Path) -> Result<Overrides> {
        let text = std::fs::read_to_string(path).map_err(|e| ReportError::io(path, e))?;
        Overrides::from_toml(&text, &path.display().to_string())
    }

    /// The override for a question (and mineral) of a family, the last one winning.
    pub fn find(&self, family: &str, question: &str, mineral: Option<&str>) -> Option<&Override> {
        self.items.iter().rev().find(|o| {
            o.question.eq_ignore_ascii_case(question)
                && o.family
                    .as_deref()
                    .is_none_or(|f| f.eq_ignore_ascii_case(family))
                && match (o.mineral.as_deref(), mineral) {
                    (None, _) => true,
                    (Some(m), Some(want)) => m.eq_ignore_ascii_case(want),
                    (Some(_), None) => false,
                }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROFILE: &str = r#"
[company]
name = "Example Devices Ltd"
unique_id = "123456789"
unique_id_authority = "DUNS"

[contact]
name = "Ana Analyst"
email = "ana@example.com"
phone = "+1 555 0100"

[authorizer]
name = "Carl Chief"
title = "VP Procurement"
email = "carl@example.com"

[policy]
established = true
url = "https://example.com/minerals-policy"
version = "2026.1"

[[products]]
number = "P-100"
name = "Power module"

[answers.CMRT]
H = "Yes, with the SEC"
corrective_action = { answer = "Yes", comment = "Cases tracked in Oretrail" }
"#;

    #[test]
    fn a_profile_reads_answers_by_id_and_by_role() {
        let p = CompanyProfile::from_toml(PROFILE, "company.toml").expect("profile");
        assert_eq!(p.company.name, "Example Devices Ltd");
        assert_eq!(p.products.len(), 1);
        assert_eq!(
            p.company_answer("cmrt", "H", "disclosure")
                .map(AnswerSpec::answer),
            Some("Yes, with the SEC")
        );
        let g = p
            .company_answer("CMRT", "G", "corrective_action")
            .expect("by role");
        assert_eq!(g.comment(), Some("Cases tracked in Oretrail"));
        assert!(p.company_answer("EMRT", "H", "disclosure").is_none());
    }

    #[test]
    fn an_override_without_a_reason_is_refused() {
        let text =
            "[[override]]\nquestion = \"Q7\"\nanswer = \"No\"\nreason = \"\"\nby = \"ana\"\n";
        assert!(Overrides::from_toml(text, "overrides.toml").is_err());
        let ok = "[[override]]\nquestion = \"Q7\"\nmineral = \"Tin\"\nanswer = \"No\"\nreason = \"two suppliers still investigating\"\nby = \"ana\"\n";
        let o = Overrides::from_toml(ok, "overrides.toml").expect("parse");
        assert!(o.find("CMRT", "q7", Some("tin")).is_some());
        assert!(o.find("CMRT", "Q7", Some("Gold")).is_none());
        assert!(o.find("CMRT", "Q7", None).is_none());
    }
}
