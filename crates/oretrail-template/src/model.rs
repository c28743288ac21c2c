//! The supplier report: one model for every template family and version.
//!
//! Field names and meanings follow the fixtures' truth files, so that `parse --json` output and
//! the conformance test speak the same language as the people who wrote the fixtures.

use crate::family::Family;
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

/// Everything read from one filled RMI template.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SupplierReport {
    /// Which template the workbook is.
    pub template: TemplateInfo,
    /// Language picked in `Declaration!D3` (labels only; answers are English).
    pub language: Option<String>,
    /// Whether formulas carry cached values (false for files saved by non-calculating tools).
    pub cached_values: bool,
    /// Company information.
    pub declaration: Declaration,
    /// Cell of every declaration field, e.g. `"company_name": "Declaration!D8"`.
    pub declaration_cells: IndexMap<String, String>,
    /// Minerals whose questions appear, in template order.
    pub minerals_in_scope: Vec<String>,
    /// Minerals answered Yes to the activating questions (Q1 and Q2; CRT and AMRT Q1).
    pub active_minerals: Vec<String>,
    /// Per-mineral answers: mineral → question id → answer.
    pub mineral_answers: IndexMap<String, IndexMap<String, Answer>>,
    /// Company-level answers by question id.
    pub company_answers: IndexMap<String, CompanyAnswer>,
    /// Product List rows.
    pub products: Vec<Product>,
    /// Mine List rows (EMRT 2.x, AMRT).
    pub mines: Vec<Mine>,
    /// Smelter List rows, in sheet order.
    pub smelters: Vec<SmelterRow>,
}

/// Family and version of a template.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TemplateInfo {
    /// Template family.
    pub family: Family,
    /// Version as Oretrail identified it.
    pub version: String,
    /// The revision label printed in the workbook (`Declaration!J3`, first line).
    pub revision_label: String,
}

/// How the declaration scope was chosen (`Declaration!D9`).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ScopeCode {
    /// A. Company.
    Company,
    /// B. Product (or List of Products).
    Product,
    /// C. User defined.
    UserDefined,
}

/// Company information from the Declaration sheet.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Declaration {
    /// Company name.
    pub company_name: Option<String>,
    /// Declaration scope, exact template text.
    pub scope: Option<String>,
    /// Scope as a code, when the text is one of the template's options.
    pub scope_code: Option<ScopeCode>,
    /// Description of scope (required for user-defined scope).
    pub scope_description: Option<String>,
    /// Company unique ID (e.g. DUNS, VAT).
    pub company_unique_id: Option<String>,
    /// Authority that issued the unique ID.
    pub company_unique_id_authority: Option<String>,
    /// Company address.
    pub address: Option<String>,
    /// Contact name.
    pub contact_name: Option<String>,
    /// Contact e-mail.
    pub contact_email: Option<String>,
    /// Contact phone.
    pub contact_phone: Option<String>,
    /// Authorizer name.
    pub authorizer_name: Option<String>,
    /// Authorizer title.
    pub authorizer_title: Option<String>,
    /// Authorizer e-mail.
    pub authorizer_email: Option<String>,
    /// Authorizer phone.
    pub authorizer_phone: Option<String>,
    /// Effective date (ISO `YYYY-MM-DD`), when the cell holds a date or a text that is one.
    pub effective_date: Option<String>,
    /// Whether the effective-date cell holds text rather than a date.
    pub effective_date_is_text: bool,
    /// The effective-date text as typed, when it is text.
    pub effective_date_raw: Option<String>,
}

/// One answer with its comment and the cell it came from.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Answer {
    /// The answer as entered (English), `None` when blank.
    pub answer: Option<String>,
    /// The comment beside it, `None` when blank.
    pub comment: Option<String>,
    /// The answer cell, e.g. `Declaration!D26`.
    pub cell: String,
}

/// A company-level answer: one answer, or one per mineral (EMRT question C).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum CompanyAnswer {
    /// A single answer.
    Single(Answer),
    /// One answer per mineral.
    PerMineral(IndexMap<String, Answer>),
}

/// A Product List row.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Product {
    /// Sheet row.
    pub row: u32,
    /// Responder's product number (always text).
    pub number: Option<String>,
    /// Responder's product name.
    pub name: Option<String>,
    /// Requester's product number (EMRT 2.1, AMRT 1.3).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub requester_number: Option<Option<String>>,
    /// Requester's product name (EMRT 2.1, AMRT 1.3).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub requester_name: Option<Option<String>>,
    /// Comment.
    pub comment: Option<String>,
}

/// A Mine List row.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Mine {
    /// Sheet row.
    pub row: u32,
    /// Metal.
    pub metal: Option<String>,
    /// Smelter(s) sourcing from this mine.
    pub smelter_names: Option<String>,
    /// Mine facility (site) name.
    pub mine_name: Option<String>,
    /// Mine identification (e.g. CID).
    pub mine_id: Option<String>,
    /// Source of the mine identification.
    pub mine_id_source: Option<String>,
    /// Country of the mine.
    pub country: Option<String>,
    /// Street.
    pub street: Option<String>,
    /// City.
    pub city: Option<String>,
    /// State or province.
    pub state_province: Option<String>,
    /// Contact name.
    pub contact_name: Option<String>,
    /// Contact e-mail.
    pub contact_email: Option<String>,
    /// Proposed next steps.
    pub proposed_next_steps: Option<String>,
    /// Comments.
    pub comments: Option<String>,
}

/// How a Smelter List row was entered.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// Metal and a look-up name picked from the template's list.
    Lookup,
    /// Only a Smelter ID typed in column A; the rest is computed.
    SmelterId,
    /// "Smelter not listed": name and country typed.
    NotListed,
    /// "Smelter not yet identified".
    NotYetIdentified,
}

/// One Smelter List row.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SmelterRow {
    /// Sheet row.
    pub row: u32,
    /// How the row was entered.
    pub entry: EntryKind,
    /// Metal (column B, or derived from the Smelter ID).
    pub metal: Option<String>,
    /// Look-up value as picked (column C).
    pub lookup_value: Option<String>,
    /// Smelter name to report: typed name for not-listed rows, else the standard name.
    pub name: Option<String>,
    /// Country (column E).
    pub country: Option<String>,
    /// Smelter identification as the file states it (column F).
    pub cid: Option<String>,
    /// Value typed in column A.
    pub smelter_id_input: Option<String>,
    /// Which of the fields above are formula results in the file.
    pub formula_fields: Vec<String>,
    /// Typed extras (street, city, contact, comments, ...), by key.
    #[serde(skip_serializing_if = "IndexMap::is_empty", default)]
    pub details: IndexMap<String, String>,
    /// The facility this row resolves to, once resolved.
    #[serde(flatten, skip_serializing_if = "Option::is_none", default)]
    pub resolution: Option<Resolution>,
}

/// The facility a smelter row designates, and how Oretrail decided it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Resolution {
    /// RMI facility ID the row resolves to, `None` when unresolved.
    pub canonical_cid: Option<String>,
    /// Standard RMI name of that facility.
    pub canonical_name: Option<String>,
    /// Whether that facility is in this template version's own Smelter Look-up.
    pub in_template_lookup: bool,
    /// How the row was resolved.
    pub method: ResolutionMethod,
    /// Confidence in [0, 1].
    pub confidence: f64,
    /// Candidates considered when the row is unresolved or unsure.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub candidates: Vec<Candidate>,
    /// A CID in the row that contradicts its name.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub conflicting_cid: Option<String>,
}

/// How a smelter row was resolved to a facility.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum ResolutionMethod {
    /// By a valid CID typed or computed in the row, agreeing with the name.
    Cid,
    /// By the exact look-up name or alias for that metal.
    ExactName,
    /// By the normalised name (case, punctuation, diacritics, legal suffixes).
    NormalizedName,
    /// By fuzzy name similarity within the metal.
    Fuzzy,
    /// By an analyst's remembered decision.
    Manual,
    /// Not resolved.
    Unresolved,
}

/// A candidate facility for an unresolved or unsure row.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Candidate {
    /// RMI facility ID.
    pub cid: String,
    /// Standard name.
    pub name: String,
    /// Similarity score in [0, 1].
    pub score: f64,
}

impl SupplierReport {
    /// Rows naming a metal, in sheet order.
    pub fn smelters_of<'a>(&'a self, metal: &'a str) -> impl Iterator<Item = &'a SmelterRow> + 'a {
        self.smelters.iter().filter(move |s| {
            s.metal
                .as_deref()
                .is_some_and(|m| m.eq_ignore_ascii_case(metal))
        })
    }

    /// The answer to a per-mineral question.
    pub fn answer(&self, mineral: &str, question: &str) -> Option<&str> {
        self.mineral_answers
            .get(mineral)?
            .get(question)?
            .answer
            .as_deref()
    }
}

/// One row of a template's Smelter Look-up sheet: RMI's reference data for one alias.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Hash)]
pub struct LookupEntry {
    /// Metal the entry belongs to.
    pub metal: String,
    /// Look-up name (an alias or the standard name).
    pub lookup_name: String,
    /// Standard smelter name.
    pub standard_name: Option<String>,
    /// Country of the facility (RMI spelling).
    pub country: Option<String>,
    /// RMI facility ID (`CID` + 6 digits); `None` for the special rows.
    pub cid: Option<String>,
    /// Source of the ID (e.g. `RMI`).
    pub source: Option<String>,
    /// Street.
    pub street: Option<String>,
    /// City.
    pub city: Option<String>,
    /// State or province.
    pub state_province: Option<String>,
}

/// Look-up value meaning the supplier types name and country itself.
pub const SMELTER_NOT_LISTED: &str = "Smelter not listed";
/// Look-up value meaning the supplier does not know the smelter.
pub const SMELTER_NOT_YET_IDENTIFIED: &str = "Smelter not yet identified";

/// Whether a look-up value is "Smelter not listed" (any case, trimmed).
pub fn is_not_listed(value: &str) -> bool {
    value.trim().eq_ignore_ascii_case(SMELTER_NOT_LISTED)
}

/// Whether a look-up value is "Smelter not yet identified" (any case, trimmed).
pub fn is_not_yet_identified(value: &str) -> bool {
    value
        .trim()
        .eq_ignore_ascii_case(SMELTER_NOT_YET_IDENTIFIED)
}
