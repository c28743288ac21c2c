//! The company's own declaration, derived from a campaign's results: which minerals it uses,
//! how it answers every question (and why), which facilities its Smelter List names, and which
//! products it covers. Analysts' overrides replace a derived answer and are kept beside it.

use crate::error::{ReportError, Result};
use crate::profile::{CompanyProfile, Overrides, ProductInfo};
use crate::roles::{CompanyRole, Role, company_role_of, role_of};
use chrono::NaiveDate;
use indexmap::IndexMap;
use oretrail_facilities::registry::metal_key;
use oretrail_template::registry::MineralsDef;
use oretrail_template::{CompanyAnswer, Registry, SupplierReport, TemplateDef};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// What one supplier's accepted template answered, by mineral and meaning.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SupplierResponse {
    /// Supplier's ERP ID.
    pub erp_id: String,
    /// Minerals (metal keys) the supplier declares used.
    pub active: BTreeSet<String>,
    /// Answers: metal key → meaning → answer text.
    pub answers: BTreeMap<String, BTreeMap<Role, String>>,
    /// Company answers by meaning (one per question; per-mineral ones joined).
    pub company: BTreeMap<CompanyRole, String>,
}

impl SupplierResponse {
    /// The answers of a read report, by meaning.
    pub fn from_report(erp_id: &str, report: &SupplierReport) -> SupplierResponse {
        let def = Registry::global().get(report.template.family, &report.template.version);
        let mut out = SupplierResponse {
            erp_id: erp_id.to_string(),
            active: report
                .active_minerals
                .iter()
                .map(|m| metal_key(m))
                .collect(),
            ..SupplierResponse::default()
        };
        let Some(def) = def else { return out };
        for (mineral, answers) in &report.mineral_answers {
            let slot = out.answers.entry(metal_key(mineral)).or_default();
            for q in &def.questions {
                if let Some(a) = answers.get(&q.id).and_then(|a| a.answer.clone()) {
                    slot.insert(role_of(q), a);
                }
            }
        }
        for q in &def.company_questions {
            let text = match report.company_answers.get(&q.id) {
                Some(CompanyAnswer::Single(a)) => a.answer.clone(),
                Some(CompanyAnswer::PerMineral(m)) => {
                    let v: Vec<String> = m.values().filter_map(|a| a.answer.clone()).collect();
                    (!v.is_empty()).then(|| v.join("; "))
                }
                None => None,
            };
            if let Some(t) = text {
                out.company.insert(company_role_of(q), t);
            }
        }
        out
    }
}

/// A facility of the campaign's roll-up, as the declaration names it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FacilityEntry {
    /// Metal.
    pub metal: String,
    /// RMI facility ID (`None`: the suppliers' rows did not resolve).
    pub cid: Option<String>,
    /// Standard name (or the name as declared).
    pub name: String,
    /// Country.
    pub country: Option<String>,
    /// Risk lists its country is on ("covered_country", "eu_cahra").
    #[serde(default)]
    pub risk_lists: Vec<String>,
    /// Suppliers naming it (ERP IDs).
    #[serde(default)]
    pub suppliers: Vec<String>,
}

/// How many relevant suppliers responded, per mineral.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct ResponseCount {
    /// In-scope suppliers relevant to the mineral.
    pub relevant: usize,
    /// Of which with an accepted template.
    pub responded: usize,
}

impl ResponseCount {
    /// Share responding (1 when nobody is relevant).
    pub fn share(self) -> f64 {
        if self.relevant == 0 {
            1.0
        } else {
            self.responded as f64 / self.relevant as f64
        }
    }

    /// Whether every relevant supplier responded.
    pub fn complete(self) -> bool {
        self.responded >= self.relevant
    }
}

/// A campaign's results, as the company declaration is derived from them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CampaignResults {
    /// Campaign name.
    pub campaign: String,
    /// Minerals the campaign's suppliers supply (metal keys).
    pub commodities: BTreeSet<String>,
    /// Accepted current templates.
    pub responses: Vec<SupplierResponse>,
    /// Response counts per mineral (metal key).
    pub response_by_mineral: BTreeMap<String, ResponseCount>,
    /// Response count over all minerals.
    pub overall: ResponseCount,
    /// The roll-up.
    pub facilities: Vec<FacilityEntry>,
}

/// An analyst's override as recorded with the export.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OverrideRecord {
    /// What the data suggested.
    pub derived: Option<String>,
    /// Why it was overridden.
    pub reason: String,
    /// Who decided.
    pub by: String,
    /// When.
    pub at: Option<String>,
}

/// One answer of the declaration, with how it was reached.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Derived {
    /// The answer (exactly one of the template's allowed answers), `None` when left blank.
    pub answer: Option<String>,
    /// Comment beside it.
    pub comment: Option<String>,
    /// Why this answer, in plain words.
    pub basis: String,
    /// The override that replaced the derived answer, if any.
    pub overridden: Option<OverrideRecord>,
}

/// A company answer: one, or one per mineral slot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum CompanyValue {
    /// A single answer.
    Single(Derived),
    /// One answer per mineral.
    PerMineral(IndexMap<String, Derived>),
}

/// Declaration scope of the export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportScope {
    /// A. Company-wide.
    Company,
    /// B. Product (or list of products).
    Product,
}

impl ExportScope {
    /// Parses "company" or "product".
    pub fn parse(text: &str) -> Option<ExportScope> {
        match text.trim().to_ascii_lowercase().as_str() {
            "company" | "a" => Some(ExportScope::Company),
            "product" | "products" | "b" => Some(ExportScope::Product),
            _ => None,
        }
    }

    /// The letter the template's scope options start with.
    pub fn letter(self) -> char {
        match self {
            ExportScope::Company => 'A',
            ExportScope::Product => 'B',
        }
    }
}

/// A Smelter List row to write.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SmelterEntry {
    /// Metal.
    pub metal: String,
    /// RMI facility ID, when resolved.
    pub cid: Option<String>,
    /// Name (standard, or as declared).
    pub name: String,
    /// Country.
    pub country: Option<String>,
}

/// A facility left off the Smelter List, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeftOut {
    /// Metal.
    pub metal: String,
    /// Name.
    pub name: String,
    /// Why.
    pub reason: String,
}

/// The company's declaration for one template family and version.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompanyDeclaration {
    /// Template ("EMRT 2.1").
    pub template: String,
    /// Scope.
    pub scope: ExportScope,
    /// Effective date.
    pub effective_date: NaiveDate,
    /// The profile the declaration fields come from.
    pub profile: CompanyProfile,
    /// Minerals declared, in template (slot) order.
    pub minerals: Vec<String>,
    /// Per-mineral answers: mineral → question id → answer.
    pub answers: IndexMap<String, IndexMap<String, Derived>>,
    /// Company answers by question id.
    pub company: IndexMap<String, CompanyValue>,
    /// Smelter List rows.
    pub smelters: Vec<SmelterEntry>,
    /// Facilities that could not be written.
    pub left_out: Vec<LeftOut>,
    /// Product List rows (product scope).
    pub products: Vec<ProductInfo>,
}

/// Whether two mineral names mean the same mineral ("Graphite", "natural graphite").
pub fn same_mineral(a: &str, b: &str) -> bool {
    let (a, b) = (metal_key(a), metal_key(b));
    !a.is_empty() && !b.is_empty() && (a == b || a.ends_with(&b) || b.ends_with(&a))
}

/// The minerals a template version can declare, in template order.
pub fn template_minerals(def: &TemplateDef) -> Vec<String> {
    match &def.minerals {
        MineralsDef::Fixed { list } => list.clone(),
        MineralsDef::Selected { cells, .. } => {
            cells.iter().filter_map(|c| c.mineral.clone()).collect()
        }
    }
}

/// The answer among `allowed` that says `wanted`: the same text, else the first beginning
/// with it ("Yes" → "Yes, in conformance with IPC1755 (e.g., CMRT)").
pub fn choose(allowed: &[String], wanted: &str) -> Option<String> {
    let w = wanted.trim().to_lowercase();
    allowed
        .iter()
        .find(|a| a.trim().to_lowercase() == w)
        .or_else(|| {
            allowed
                .iter()
                .find(|a| a.trim().to_lowercase().starts_with(&w))
        })
        .cloned()
}

/// The survey-response bucket of a share, as the templates word it.
pub fn response_bucket(count: ResponseCount) -> &'static str {
    let share = count.share();
    if count.relevant > 0 && count.responded == 0 {
        "None"
    } else if share >= 1.0 - 1e-9 {
        "100%"
    } else if share > 0.9 {
        "Greater than 90%"
    } else if share > 0.75 {
        "Greater than 75%"
    } else if share > 0.5 {
        "Greater than 50%"
    } else {
        "50% or less"
    }
}

/// Tally of suppliers' answers to one question for one mineral.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    yes: usize,
    no: usize,
    other: usize,
}

impl Tally {
    fn total(self) -> usize {
        self.yes + self.no + self.other
    }

    fn text(self) -> String {
        format!(
            "{} supplier(s) answered: {} Yes, {} No, {} other or blank",
            self.total(),
            self.yes,
            self.no,
            self.other
        )
    }
}

fn tally(results: &CampaignResults, mineral: &str, role: Role) -> Tally {
    let mut t = Tally::default();
    for r in &results.responses {
        let Some((_, answers)) = r.answers.iter().find(|(m, _)| same_mineral(m, mineral)) else {
            continue;
        };
        match answers.get(&role).map(|a| a.trim().to_lowercase()) {
            Some(a) if a.starts_with("yes") => t.yes += 1,
            Some(a) if a == "no" => t.no += 1,
            _ => t.other += 1,
        }
    }
    t
}

/// Everything [`derive`] needs besides the campaign's results.
#[derive(Debug, Clone)]
pub struct DeriveOptions<'a> {
    /// Scope of the declaration.
    pub scope: ExportScope,
    /// Effective date.
    pub effective_date: NaiveDate,
    /// The company profile.
    pub profile: &'a CompanyProfile,
    /// Analysts' overrides.
    pub overrides: &'a Overrides,
}

/// Derives the company's declaration for a template version from a campaign's results.
pub fn derive(
    def: &TemplateDef,
    results: &CampaignResults,
    options: &DeriveOptions<'_>,
) -> Result<CompanyDeclaration> {
    let family = def.family.code();
    let relevant = |m: &str| {
        results.commodities.iter().any(|c| same_mineral(c, m))
            || results
                .responses
                .iter()
                .any(|r| r.active.iter().any(|a| same_mineral(a, m)))
            || results.facilities.iter().any(|f| same_mineral(&f.metal, m))
    };
    let mut minerals: Vec<String> = match &def.minerals {
        MineralsDef::Fixed { list } => list.clone(),
        MineralsDef::Selected { cells, .. } if cells.iter().all(|c| c.mineral.is_some()) => cells
            .iter()
            .filter_map(|c| c.mineral.clone())
            .filter(|m| relevant(m))
            .collect(),
        MineralsDef::Selected { cells, .. } => {
            let mut found: Vec<String> = results
                .commodities
                .iter()
                .chain(results.facilities.iter().map(|f| &f.metal))
                .map(|m| capitalised(m))
                .collect();
            found.dedup();
            found.truncate(cells.len());
            found
        }
    };
    if def.has_mineral_selection() {
        minerals.sort_by_key(|m| m.to_lowercase());
        minerals.dedup_by(|a, b| same_mineral(a, b));
    }
    if minerals.is_empty() {
        return Err(ReportError::Invalid(format!(
            "campaign '{}' covers none of the minerals of {}",
            results.campaign,
            def.name()
        )));
    }

    // Smelter List: every facility of the declared minerals that can be named.
    let mut smelters = Vec::new();
    let mut left_out = Vec::new();
    for f in &results.facilities {
        let Some(mineral) = minerals.iter().find(|m| same_mineral(m, &f.metal)) else {
            continue;
        };
        let usable_name = !f.name.trim().is_empty()
            && !oretrail_template::is_not_yet_identified(&f.name)
            && f.name != "(no name)";
        if f.cid.is_none() && !usable_name {
            left_out.push(LeftOut {
                metal: mineral.clone(),
                name: f.name.clone(),
                reason: "no smelter named".into(),
            });
            continue;
        }
        if f.cid.is_none() && f.country.as_deref().is_none_or(|c| c.trim().is_empty()) {
            left_out.push(LeftOut {
                metal: mineral.clone(),
                name: f.name.clone(),
                reason: "unresolved and without a country".into(),
            });
            continue;
        }
        smelters.push(SmelterEntry {
            metal: mineral.clone(),
            cid: f.cid.clone(),
            name: f.name.clone(),
            country: f.country.clone(),
        });
    }

    let mut answers: IndexMap<String, IndexMap<String, Derived>> = IndexMap::new();
    for mineral in &minerals {
        let mut per = IndexMap::new();
        let used = derive_used(results, mineral);
        let is_used = used.0 == "Yes";
        for q in &def.questions {
            let role = role_of(q);
            let allowed = q.allowed_for(Some(mineral)).unwrap_or(&[]);
            let (wanted, basis) = if role == Role::Used {
                used.clone()
            } else if !is_used {
                (
                    String::new(),
                    format!("{mineral} is not used: question not applicable"),
                )
            } else {
                derive_role(results, mineral, role, &left_out)
            };
            let mut d = Derived {
                answer: None,
                comment: None,
                basis,
                overridden: None,
            };
            if !wanted.is_empty() {
                // Where "Unknown" is no choice, the cautious answer: it remains; not all found.
                let cautious = if role == Role::Remains { "Yes" } else { "No" };
                d.answer = choose(allowed, &wanted).or_else(|| match wanted.as_str() {
                    "Unknown" => choose(allowed, cautious),
                    _ => None,
                });
                if d.answer.is_none() {
                    d.basis.push_str(&format!(
                        " (\"{wanted}\" is not an answer this question allows; left blank)"
                    ));
                }
            }
            apply_override(
                &mut d,
                options.overrides,
                family,
                &q.id,
                Some(mineral),
                allowed,
            );
            per.insert(q.id.clone(), d);
        }
        answers.insert(mineral.clone(), per);
    }

    let mut company = IndexMap::new();
    for q in &def.company_questions {
        let role = company_role_of(q);
        let role_key = role.key();
        let one = |mineral: Option<&str>| -> Derived {
            let allowed = q.allowed_for(mineral).unwrap_or(&[]);
            let (wanted, comment, basis) =
                match options.profile.company_answer(family, &q.id, &role_key) {
                    Some(spec) => (
                        spec.answer().to_string(),
                        spec.comment().map(str::to_string),
                        "company.toml [answers]".to_string(),
                    ),
                    None => company_default(role, options.profile, results),
                };
            let mut d = Derived {
                answer: (!wanted.is_empty())
                    .then(|| choose(allowed, &wanted))
                    .flatten(),
                comment,
                basis,
                overridden: None,
            };
            if !wanted.is_empty() && d.answer.is_none() {
                d.basis.push_str(&format!(
                    " (\"{wanted}\" is not an allowed answer; left blank)"
                ));
            }
            apply_override(&mut d, options.overrides, family, &q.id, mineral, allowed);
            d
        };
        let value = if q.row.is_some() {
            CompanyValue::Single(one(None))
        } else {
            CompanyValue::PerMineral(minerals.iter().map(|m| (m.clone(), one(Some(m)))).collect())
        };
        company.insert(q.id.clone(), value);
    }
    // The Checker wants the policy's address beside a "Yes" to its URL question.
    if let Some(id) = &def.checker.url_question
        && let Some(CompanyValue::Single(d)) = company.get_mut(id)
        && d.answer.as_deref().is_some_and(|a| a.starts_with("Yes"))
        && d.comment.is_none()
    {
        d.comment = options.profile.policy.url.clone();
    }

    let products = match options.scope {
        ExportScope::Company => Vec::new(),
        ExportScope::Product => {
            if options.profile.products.is_empty() {
                return Err(ReportError::Invalid(
                    "a product-scope declaration needs [[products]] in the company profile".into(),
                ));
            }
            options.profile.products.clone()
        }
    };
    Ok(CompanyDeclaration {
        template: def.name(),
        scope: options.scope,
        effective_date: options.effective_date,
        profile: options.profile.clone(),
        minerals,
        answers,
        company,
        smelters,
        left_out,
        products,
    })
}

fn capitalised(m: &str) -> String {
    let m = m.trim();
    let mut c = m.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + &c.as_str().to_lowercase(),
        None => String::new(),
    }
}

fn derive_used(results: &CampaignResults, mineral: &str) -> (String, String) {
    let declaring = results
        .responses
        .iter()
        .filter(|r| r.active.iter().any(|a| same_mineral(a, mineral)))
        .count();
    let facilities = results
        .facilities
        .iter()
        .filter(|f| same_mineral(&f.metal, mineral))
        .count();
    let supplied = results.commodities.iter().any(|c| same_mineral(c, mineral));
    if declaring > 0 || facilities > 0 || supplied {
        (
            "Yes".into(),
            format!(
                "{declaring} supplier(s) declare {mineral} used; {facilities} facility(ies) in the roll-up; {}",
                if supplied {
                    "the campaign's suppliers supply it"
                } else {
                    "not among the campaign's commodities"
                }
            ),
        )
    } else {
        (
            "No".into(),
            format!(
                "no supplier declares {mineral} used, no facility of it is named, and the campaign does not cover it"
            ),
        )
    }
}

fn derive_role(
    results: &CampaignResults,
    mineral: &str,
    role: Role,
    left_out: &[LeftOut],
) -> (String, String) {
    let t = tally(results, mineral, role);
    let count = results
        .response_by_mineral
        .iter()
        .find(|(m, _)| same_mineral(m, mineral))
        .map(|(_, c)| *c)
        .unwrap_or(results.overall);
    let complete = count.complete();
    let coverage = format!(
        "{} of {} relevant suppliers responded",
        count.responded, count.relevant
    );
    let facilities: Vec<&FacilityEntry> = results
        .facilities
        .iter()
        .filter(|f| same_mineral(&f.metal, mineral))
        .collect();
    match role {
        Role::Remains => {
            if t.yes > 0 {
                ("Yes".into(), t.text())
            } else if t.no > 0 && t.other == 0 && complete {
                ("No".into(), format!("{}; {coverage}", t.text()))
            } else {
                (
                    "Unknown".into(),
                    format!(
                        "{}; {coverage}; assumed to remain unless shown otherwise",
                        t.text()
                    ),
                )
            }
        }
        Role::CoveredCountries | Role::Cahra => {
            let list = if role == Role::CoveredCountries {
                "covered_country"
            } else {
                "eu_cahra"
            };
            let located: Vec<&str> = facilities
                .iter()
                .filter(|f| {
                    f.risk_lists.iter().any(|l| l == list)
                        || (role == Role::Cahra
                            && f.risk_lists.iter().any(|l| l == "covered_country"))
                })
                .map(|f| f.name.as_str())
                .collect();
            if t.yes > 0 || !located.is_empty() {
                (
                    "Yes".into(),
                    format!(
                        "{}; {} facility(ies) located in listed countries{}",
                        t.text(),
                        located.len(),
                        if located.is_empty() {
                            String::new()
                        } else {
                            format!(" ({})", located.join(", "))
                        }
                    ),
                )
            } else if t.no > 0 && t.other == 0 && complete {
                ("No".into(), format!("{}; {coverage}", t.text()))
            } else {
                ("Unknown".into(), format!("{}; {coverage}", t.text()))
            }
        }
        Role::Recycled => {
            if t.no > 0 {
                ("No".into(), t.text())
            } else if t.yes > 0 && t.other == 0 && complete {
                ("Yes".into(), format!("{}; {coverage}", t.text()))
            } else {
                ("Unknown".into(), format!("{}; {coverage}", t.text()))
            }
        }
        Role::ResponseRate => (response_bucket(count).into(), coverage),
        Role::AllIdentified => {
            let unresolved = facilities.iter().filter(|f| f.cid.is_none()).count();
            if t.yes > 0 && t.no == 0 && t.other == 0 && complete && unresolved == 0 {
                (
                    "Yes".into(),
                    format!("{}; {coverage}; every row resolved", t.text()),
                )
            } else {
                (
                    "No".into(),
                    format!(
                        "{}; {coverage}; {unresolved} unresolved smelter name(s)",
                        t.text()
                    ),
                )
            }
        }
        Role::AllReported => {
            let missing = left_out
                .iter()
                .filter(|l| same_mineral(&l.metal, mineral))
                .count();
            if missing == 0 {
                (
                    "Yes".into(),
                    format!(
                        "all {} facility(ies) of the roll-up are on the Smelter List",
                        facilities.len()
                    ),
                )
            } else {
                (
                    "No".into(),
                    format!("{missing} smelter name(s) could not be written (no name or country)"),
                )
            }
        }
        Role::Used | Role::Other => (String::new(), "no rule derives this answer".into()),
    }
}

fn company_default(
    role: CompanyRole,
    profile: &CompanyProfile,
    results: &CampaignResults,
) -> (String, Option<String>, String) {
    let yes_no = |b: bool| if b { "Yes" } else { "No" }.to_string();
    match role {
        CompanyRole::Policy => (
            yes_no(profile.policy.established),
            None,
            "company.toml [policy] established".into(),
        ),
        CompanyRole::PolicyPublic => match &profile.policy.url {
            Some(url) if !url.trim().is_empty() => (
                "Yes".into(),
                Some(url.clone()),
                "company.toml [policy] url".into(),
            ),
            _ => ("No".into(), None, "no policy URL in company.toml".into()),
        },
        CompanyRole::PolicyAnnexII => (
            yes_no(profile.policy.covers_annex_ii),
            None,
            "company.toml [policy] covers_annex_ii".into(),
        ),
        CompanyRole::Survey => (
            "Yes".into(),
            None,
            format!(
                "campaign '{}' surveyed {} supplier(s) with RMI templates",
                results.campaign, results.overall.relevant
            ),
        ),
        CompanyRole::Review => (
            "Yes".into(),
            None,
            "every template received is checked and reviewed in Oretrail".into(),
        ),
        CompanyRole::DueDiligence => (
            yes_no(profile.policy.established),
            None,
            "follows the policy (company.toml [policy] established)".into(),
        ),
        _ => (
            String::new(),
            None,
            "not answered: give it in company.toml [answers]".into(),
        ),
    }
}

fn apply_override(
    d: &mut Derived,
    overrides: &Overrides,
    family: &str,
    question: &str,
    mineral: Option<&str>,
    allowed: &[String],
) {
    let Some(o) = overrides.find(family, question, mineral) else {
        return;
    };
    let chosen = choose(allowed, &o.answer);
    d.overridden = Some(OverrideRecord {
        derived: d.answer.clone(),
        reason: o.reason.clone(),
        by: o.by.clone(),
        at: o.at.clone(),
    });
    match chosen {
        Some(a) => d.answer = Some(a),
        None => d.basis.push_str(&format!(
            " (override \"{}\" is not an allowed answer; ignored)",
            o.answer
        )),
    }
    if o.comment.is_some() {
        d.comment = o.comment.clone();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oretrail_template::Family;

    fn results() -> CampaignResults {
        let mut tin = BTreeMap::new();
        tin.insert(Role::Recycled, "No".to_string());
        tin.insert(Role::AllIdentified, "Yes".to_string());
        CampaignResults {
            campaign: "2025 3TG".into(),
            commodities: ["tin".to_string()].into_iter().collect(),
            responses: vec![SupplierResponse {
                erp_id: "V1".into(),
                active: ["tin".to_string()].into_iter().collect(),
                answers: [("tin".to_string(), tin)].into_iter().collect(),
                company: BTreeMap::new(),
            }],
            response_by_mineral: [(
                "tin".to_string(),
                ResponseCount {
                    relevant: 4,
                    responded: 3,
                },
            )]
            .into_iter()
            .collect(),
            overall: ResponseCount {
                relevant: 4,
                responded: 3,
            },
            facilities: vec![FacilityEntry {
                metal: "Tin".into(),
                cid: Some("CID000001".into()),
                name: "Some Smelter".into(),
                country: Some("BOLIVIA".into()),
                risk_lists: vec![],
                suppliers: vec!["V1".into()],
            }],
        }
    }

    #[test]
    fn cmrt_answers_follow_the_suppliers_and_overrides_are_recorded() {
        let def = Registry::global()
            .get(Family::Cmrt, "6.5")
            .expect("CMRT 6.5");
        let profile = CompanyProfile::default();
        let overrides = Overrides::from_toml(
            "[[override]]\nquestion = \"Q7\"\nmineral = \"Tin\"\nanswer = \"Yes\"\nreason = \"confirmed by phone\"\nby = \"ana\"\n",
            "o",
        )
        .expect("overrides");
        let d = derive(
            def,
            &results(),
            &DeriveOptions {
                scope: ExportScope::Company,
                effective_date: NaiveDate::from_ymd_opt(2026, 3, 31).expect("date"),
                profile: &profile,
                overrides: &overrides,
            },
        )
        .expect("derive");
        assert_eq!(d.minerals, ["Tantalum", "Tin", "Gold", "Tungsten"]);
        let tin = &d.answers["Tin"];
        assert_eq!(tin["Q1"].answer.as_deref(), Some("Yes"));
        assert_eq!(
            tin["Q5"].answer.as_deref(),
            Some("No"),
            "{}",
            tin["Q5"].basis
        );
        assert_eq!(tin["Q6"].answer.as_deref(), Some("Greater than 50%"));
        assert_eq!(tin["Q7"].answer.as_deref(), Some("Yes"));
        let o = tin["Q7"].overridden.as_ref().expect("recorded");
        assert_eq!(o.derived.as_deref(), Some("No"));
        assert_eq!(d.answers["Gold"]["Q1"].answer.as_deref(), Some("No"));
        assert_eq!(d.answers["Gold"]["Q2"].answer, None);
        assert_eq!(d.smelters.len(), 1);
        match &d.company["E"] {
            CompanyValue::Single(e) => assert_eq!(
                e.answer.as_deref(),
                Some("Yes, in conformance with IPC1755 (e.g., CMRT)")
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn response_buckets_match_the_template_wording() {
        let c = |relevant, responded| ResponseCount {
            relevant,
            responded,
        };
        assert_eq!(response_bucket(c(10, 10)), "100%");
        assert_eq!(response_bucket(c(100, 91)), "Greater than 90%");
        assert_eq!(response_bucket(c(100, 90)), "Greater than 75%");
        assert_eq!(response_bucket(c(4, 2)), "50% or less");
        assert_eq!(response_bucket(c(4, 0)), "None");
    }
}
