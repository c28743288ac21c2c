//! The risk policy: red-flag rules (id, plain-language reason, weight, parameters), thresholds,
//! which template questions the answer rules read, and the register's settings (case due days,
//! sign-offs on the escalation ladder, digest horizon, grievance deadlines).
//!
//! The default policy ships as `policy/default.toml`. A user policy is a TOML file that only
//! needs the keys it changes: it is laid over the default table by table before it is read, so
//! a typo in a key is refused rather than ignored. The effective policy is identified by its
//! name, version and the SHA-256 of its canonical TOML text.

use crate::error::{Result, RiskError};
use crate::ladder::Stage;
use crate::score::Level;
use oretrail_template::{Family, Registry};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// The default policy's TOML text.
pub const DEFAULT_POLICY: &str = include_str!("../policy/default.toml");

/// A risk policy, every section filled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Name, version and description.
    pub policy: PolicyInfo,
    /// Level thresholds.
    pub thresholds: Thresholds,
    /// The red-flag rules.
    pub rules: Rules,
    /// Which question of each family the answer rules read.
    #[serde(default)]
    pub questions: BTreeMap<Family, QuestionRoles>,
    /// Risk register settings.
    pub cases: CaseSettings,
    /// Escalation ladder settings.
    pub ladder: LadderSettings,
    /// Digest settings.
    pub digest: DigestSettings,
    /// Grievance settings.
    pub grievances: GrievanceSettings,
}

/// Name, version and description of a policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyInfo {
    /// Name ("Example Devices cobalt policy").
    pub name: String,
    /// Version ("2026.1").
    pub version: String,
    /// What it is for.
    #[serde(default)]
    pub description: String,
}

/// Scores at or above which a subject is medium or high risk.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    /// Medium from this score.
    pub medium: f64,
    /// High from this score.
    pub high: f64,
}

impl Thresholds {
    /// The level of a score.
    pub fn level(&self, score: f64) -> Level {
        if score >= self.high {
            Level::High
        } else if score >= self.medium {
            Level::Medium
        } else {
            Level::Low
        }
    }
}

/// One rule: whether it runs, its weight, the reason people read, its parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule<P = NoParams> {
    /// Whether the rule raises flags.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Weight a raised flag adds to the score.
    pub weight: f64,
    /// Plain-language reason.
    pub reason: String,
    /// Parameters.
    #[serde(default)]
    pub params: P,
}

fn yes() -> bool {
    true
}

/// No parameters.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoParams {}

/// Parameters of `facility_reaudit_overdue`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReauditOverdue {
    /// Whether an overdue re-audit counts while the list says one is in progress.
    #[serde(default)]
    pub count_in_progress: bool,
}

/// A horizon in days.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Within {
    /// Days ahead of the assessment date.
    pub within_days: i64,
}

impl Default for Within {
    fn default() -> Self {
        Within { within_days: 90 }
    }
}

/// Answers that raise the flag.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Answers {
    /// Answers (compared trimmed, ignoring case).
    pub answers: Vec<String>,
    /// Whether a blank answer raises it too.
    #[serde(default)]
    pub blank_counts: bool,
}

impl Answers {
    /// Whether an answer (or its absence) raises the flag.
    pub fn matches(&self, answer: Option<&str>) -> bool {
        match answer.map(str::trim).filter(|a| !a.is_empty()) {
            Some(a) => self
                .answers
                .iter()
                .any(|x| x.trim().eq_ignore_ascii_case(a)),
            None => self.blank_counts,
        }
    }
}

/// A row count from which the flag is raised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MinRows {
    /// Fewest rows that raise it.
    pub min_rows: usize,
}

impl Default for MinRows {
    fn default() -> Self {
        MinRows { min_rows: 1 }
    }
}

/// Parameters of `supplier_template_outdated`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateOutdated {
    /// Days a newer version must have been out before older ones count as outdated.
    #[serde(default)]
    pub grace_days: i64,
    /// Retired families and the family replacing each.
    #[serde(default)]
    pub retired_families: BTreeMap<Family, Family>,
}

/// Days of grace after a date.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grace {
    /// Days.
    #[serde(default)]
    pub grace_days: i64,
}

/// The red-flag rules; each field name is the rule's id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    /// Facility in the DRC or an adjoining country.
    pub facility_covered_country: Rule,
    /// Facility in a country with EU-listed CAHRAs.
    pub facility_eu_cahra: Rule,
    /// Facility not conformant on the date.
    pub facility_not_conformant: Rule,
    /// Facility active (committed) but not yet conformant.
    pub facility_active_only: Rule,
    /// Facility on no status list.
    pub facility_not_listed: Rule,
    /// Facility dropped from the status list or RMI's look-up.
    pub facility_no_longer_listed: Rule,
    /// Re-audit overdue.
    pub facility_reaudit_overdue: Rule<ReauditOverdue>,
    /// Re-audit due soon.
    pub facility_reaudit_due_soon: Rule<Within>,
    /// Supplier sources from CAHRAs.
    pub supplier_cahra_sourcing: Rule<Answers>,
    /// Supplier does not know whether it sources from CAHRAs.
    pub supplier_cahra_unknown: Rule<Answers>,
    /// Supplier has no sourcing policy.
    pub supplier_no_sourcing_policy: Rule<Answers>,
    /// Supplier has no due-diligence measures.
    pub supplier_no_due_diligence: Rule<Answers>,
    /// Few of the supplier's suppliers responded.
    pub supplier_low_response: Rule<Answers>,
    /// Supplier has not identified all smelters.
    pub supplier_smelters_not_identified: Rule<Answers>,
    /// Smelter rows resolving to no facility.
    pub supplier_unresolved_rows: Rule<MinRows>,
    /// "Smelter not yet identified" rows.
    pub supplier_not_yet_identified_rows: Rule<MinRows>,
    /// Outdated template version or retired family.
    pub supplier_template_outdated: Rule<TemplateOutdated>,
    /// No template after the deadline.
    pub supplier_silent_after_deadline: Rule<Grace>,
    /// Supplier declares a high-risk facility.
    pub supplier_high_risk_facility: Rule,
}

/// A rule as listed (ids, weights, reasons and parameters for pages and the CLI).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleView {
    /// Rule id.
    pub id: String,
    /// "facility" or "supplier".
    pub subject: String,
    /// Whether it runs.
    pub enabled: bool,
    /// Weight.
    pub weight: f64,
    /// Reason.
    pub reason: String,
    /// Parameters as JSON.
    pub params: serde_json::Value,
}

impl Rules {
    /// Every rule in policy order.
    pub fn list(&self) -> Vec<RuleView> {
        let Ok(serde_json::Value::Object(map)) = serde_json::to_value(self) else {
            return Vec::new();
        };
        map.into_iter()
            .map(|(id, v)| RuleView {
                subject: id.split('_').next().unwrap_or_default().to_string(),
                enabled: v.get("enabled").and_then(|x| x.as_bool()).unwrap_or(true),
                weight: v.get("weight").and_then(|x| x.as_f64()).unwrap_or(0.0),
                reason: v
                    .get("reason")
                    .and_then(|x| x.as_str())
                    .unwrap_or_default()
                    .to_string(),
                params: v.get("params").cloned().unwrap_or_default(),
                id,
            })
            .collect()
    }

    /// The view of one rule.
    pub fn get(&self, id: &str) -> Option<RuleView> {
        self.list().into_iter().find(|r| r.id == id)
    }
}

/// Which questions of a family carry the answers the supplier rules read.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionRoles {
    /// Per-mineral questions on sourcing from covered countries / CAHRAs.
    #[serde(default)]
    pub cahra: Vec<String>,
    /// Per-mineral question on the share of suppliers responding.
    pub response_rate: Option<String>,
    /// Per-mineral question on whether all smelters are identified.
    pub all_identified: Option<String>,
    /// Company question on a sourcing policy.
    pub sourcing_policy: Option<String>,
    /// Company question on due-diligence measures.
    pub due_diligence: Option<String>,
}

/// Values per risk level.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ByLevel {
    /// Low.
    pub low: i64,
    /// Medium.
    pub medium: i64,
    /// High.
    pub high: i64,
}

impl ByLevel {
    /// The value of a level.
    pub fn get(&self, level: Level) -> i64 {
        match level {
            Level::Low => self.low,
            Level::Medium => self.medium,
            Level::High => self.high,
        }
    }
}

/// Risk register settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseSettings {
    /// Lowest subject level whose flags open or join a case.
    pub open_from: Level,
    /// Owner of new cases.
    pub default_owner: String,
    /// Days to a new case's due date, by level.
    pub due_days: ByLevel,
    /// Levels whose cases close only with a sign-off.
    #[serde(default)]
    pub close_sign_off: Vec<Level>,
}

/// Escalation ladder settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LadderSettings {
    /// Steps that need a management sign-off.
    #[serde(default)]
    pub sign_off: Vec<Stage>,
    /// Whether the signer must differ from who recorded the step.
    #[serde(default = "yes")]
    pub sign_off_by_other: bool,
    /// Days each step gives until the case's next due date.
    #[serde(default)]
    pub step_due_days: BTreeMap<Stage, i64>,
}

/// Digest settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DigestSettings {
    /// Horizon of "due soon".
    pub due_within_days: i64,
    /// Campaigns whose deadline is at most this many days past are reassessed daily.
    pub reassess_within_days: i64,
}

/// Grievance settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrievanceSettings {
    /// Days to acknowledge.
    pub acknowledge_days: i64,
    /// Days to answer.
    pub respond_days: i64,
}

/// A policy with the text it was read from and its identity.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedPolicy {
    /// The policy.
    pub policy: Policy,
    /// Canonical TOML text of the effective policy (the default with the overrides applied).
    pub text: String,
    /// SHA-256 of `text`.
    pub sha256: String,
    /// Where it came from ("default", a file name, "active policy #2").
    pub origin: String,
}

impl LoadedPolicy {
    /// The shipped default policy.
    pub fn default_policy() -> LoadedPolicy {
        match LoadedPolicy::from_toml(DEFAULT_POLICY, "default") {
            Ok(p) => p,
            // The default policy is checked by this module's tests.
            Err(e) => panic!("the shipped default policy is invalid: {e}"),
        }
    }

    /// A policy from TOML text laid over the default policy; validated.
    pub fn from_toml(text: &str, origin: &str) -> Result<LoadedPolicy> {
        let err = |message: String| RiskError::Policy {
            origin: origin.to_string(),
            message,
        };
        let mut base: toml::Table = DEFAULT_POLICY
            .parse()
            .map_err(|e: toml::de::Error| err(format!("default policy: {e}")))?;
        let user: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| err(e.to_string()))?;
        merge(&mut base, user);
        let policy: Policy = base
            .clone()
            .try_into()
            .map_err(|e: toml::de::Error| err(e.to_string()))?;
        policy.validate().map_err(err)?;
        let text = toml::to_string(&policy).map_err(|e| err(e.to_string()))?;
        Ok(LoadedPolicy {
            sha256: oretrail_store::sha256_hex(text.as_bytes()),
            text,
            policy,
            origin: origin.to_string(),
        })
    }

    /// A policy file (TOML; JSON when the name ends in `.json`).
    pub fn from_file(path: &Path) -> Result<LoadedPolicy> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| RiskError::Policy {
            origin: origin.clone(),
            message: e.to_string(),
        })?;
        let is_json = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
        if is_json {
            let value: toml::Table =
                serde_json::from_str(&text).map_err(|e| RiskError::Policy {
                    origin: origin.clone(),
                    message: e.to_string(),
                })?;
            let text = toml::to_string(&value).map_err(|e| RiskError::Policy {
                origin: origin.clone(),
                message: e.to_string(),
            })?;
            return LoadedPolicy::from_toml(&text, &origin);
        }
        LoadedPolicy::from_toml(&text, &origin)
    }

    /// "name version (sha…)" for messages.
    pub fn label(&self) -> String {
        format!(
            "{} {} ({})",
            self.policy.policy.name,
            self.policy.policy.version,
            &self.sha256[..12.min(self.sha256.len())]
        )
    }
}

/// Lays `over` onto `base`, table by table (other values replace).
fn merge(base: &mut toml::Table, over: toml::Table) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) if k != "params" => merge(b, o),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

impl Policy {
    /// Checks values a policy must respect; the message names the offending key.
    pub fn validate(&self) -> std::result::Result<(), String> {
        let t = &self.thresholds;
        if !(t.medium.is_finite() && t.high.is_finite() && t.medium > 0.0 && t.medium <= t.high) {
            return Err(format!(
                "thresholds: need 0 < medium <= high (medium {}, high {})",
                t.medium, t.high
            ));
        }
        for r in self.rules.list() {
            if !r.weight.is_finite() || r.weight < 0.0 {
                return Err(format!(
                    "rules.{}.weight: {} is not a weight",
                    r.id, r.weight
                ));
            }
            if r.reason.trim().is_empty() {
                return Err(format!("rules.{}.reason: empty", r.id));
            }
        }
        let days = [
            (
                "rules.facility_reaudit_due_soon.params.within_days",
                self.rules.facility_reaudit_due_soon.params.within_days,
            ),
            (
                "rules.supplier_template_outdated.params.grace_days",
                self.rules.supplier_template_outdated.params.grace_days,
            ),
            (
                "rules.supplier_silent_after_deadline.params.grace_days",
                self.rules.supplier_silent_after_deadline.params.grace_days,
            ),
            ("cases.due_days.low", self.cases.due_days.low),
            ("cases.due_days.medium", self.cases.due_days.medium),
            ("cases.due_days.high", self.cases.due_days.high),
            ("digest.due_within_days", self.digest.due_within_days),
            (
                "digest.reassess_within_days",
                self.digest.reassess_within_days,
            ),
            (
                "grievances.acknowledge_days",
                self.grievances.acknowledge_days,
            ),
            ("grievances.respond_days", self.grievances.respond_days),
        ];
        for (key, d) in days {
            if !(0..=3650).contains(&d) {
                return Err(format!("{key}: {d} is not a number of days (0 to 3650)"));
            }
        }
        for (stage, d) in &self.ladder.step_due_days {
            if !(0..=3650).contains(d) {
                return Err(format!(
                    "ladder.step_due_days.{}: {d} is not a number of days",
                    stage.code()
                ));
            }
        }
        if self.cases.default_owner.trim().is_empty() {
            return Err("cases.default_owner: empty".into());
        }
        let registry = Registry::global();
        for (family, roles) in &self.questions {
            let per_mineral = roles
                .cahra
                .iter()
                .chain(roles.response_rate.iter())
                .chain(roles.all_identified.iter());
            for q in per_mineral {
                if !registry.family(*family).any(|d| d.question(q).is_some()) {
                    return Err(format!(
                        "questions.{family}: no {family} version has question '{q}'"
                    ));
                }
            }
            for q in roles
                .sourcing_policy
                .iter()
                .chain(roles.due_diligence.iter())
            {
                if !registry
                    .family(*family)
                    .any(|d| d.company_question(q).is_some())
                {
                    return Err(format!(
                        "questions.{family}: no {family} version has company question '{q}'"
                    ));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_policy_is_valid_and_lists_every_rule() {
        let p = LoadedPolicy::default_policy();
        assert_eq!(p.policy.policy.version, "2026.1");
        let rules = p.policy.rules.list();
        assert_eq!(rules.len(), 19);
        assert!(
            rules
                .iter()
                .all(|r| r.subject == "facility" || r.subject == "supplier")
        );
        assert_eq!(
            p.policy
                .rules
                .get("facility_reaudit_due_soon")
                .map(|r| r.params),
            Some(serde_json::json!({"within_days": 90}))
        );
        assert_eq!(p.sha256.len(), 64);
        // The canonical text reads back to the same policy.
        let again = LoadedPolicy::from_toml(&p.text, "again").expect("canonical text");
        assert_eq!(again.policy, p.policy);
        assert_eq!(again.sha256, p.sha256);
    }

    #[test]
    fn a_user_policy_changes_only_what_it_names() {
        let p = LoadedPolicy::from_toml(
            "[policy]\nversion = \"7\"\n[thresholds]\nhigh = 80\n\
             [rules.facility_eu_cahra]\nenabled = false\n\
             [rules.supplier_low_response]\nparams = { answers = [\"None\"] }\n",
            "mine.toml",
        )
        .expect("valid");
        assert_eq!(p.policy.policy.version, "7");
        assert_eq!(p.policy.policy.name, "Oretrail default");
        assert_eq!(p.policy.thresholds.high, 80.0);
        assert_eq!(p.policy.thresholds.medium, 25.0);
        assert!(!p.policy.rules.facility_eu_cahra.enabled);
        assert_eq!(p.policy.rules.facility_eu_cahra.weight, 20.0);
        assert_eq!(
            p.policy.rules.supplier_low_response.params.answers,
            ["None"]
        );
        assert_ne!(p.sha256, LoadedPolicy::default_policy().sha256);
    }

    #[test]
    fn typos_and_bad_values_are_refused_with_the_key() {
        let e = LoadedPolicy::from_toml("[rules.facility_eu_cahr]\nweight = 3\n", "x")
            .expect_err("unknown rule");
        assert!(e.to_string().contains("facility_eu_cahr"), "{e}");
        let e = LoadedPolicy::from_toml("[thresholds]\nmedium = 90\nhigh = 50\n", "x")
            .expect_err("medium above high");
        assert!(e.to_string().contains("thresholds"), "{e}");
        let e = LoadedPolicy::from_toml("[rules.facility_eu_cahra]\nweight = -1\n", "x")
            .expect_err("negative weight");
        assert!(
            e.to_string().contains("rules.facility_eu_cahra.weight"),
            "{e}"
        );
        let e = LoadedPolicy::from_toml("[questions.CRT]\ncahra = [\"Q9\"]\n", "x")
            .expect_err("no such question");
        assert!(e.to_string().contains("Q9"), "{e}");
        let e = LoadedPolicy::from_toml("[ladder]\nsign_off = [\"sue\"]\n", "x")
            .expect_err("no such step");
        assert!(e.to_string().contains("sue"), "{e}");
    }

    #[test]
    fn the_question_roles_match_the_registry() {
        // Response-rate questions offer the percentage answers, all-identified questions are
        // the ones RMI's Checker uses, in every version that lists allowed answers.
        let p = LoadedPolicy::default_policy().policy;
        let registry = Registry::global();
        for (family, roles) in &p.questions {
            for def in registry.family(*family) {
                if let Some(q) = roles.response_rate.as_deref().and_then(|q| def.question(q)) {
                    let allowed: Vec<&String> = q
                        .allowed
                        .iter()
                        .flatten()
                        .chain(
                            q.allowed_by_mineral
                                .iter()
                                .flat_map(|m| m.values())
                                .flatten(),
                        )
                        .collect();
                    assert!(
                        allowed.is_empty() || allowed.iter().any(|a| *a == "Greater than 50%"),
                        "{family} {} {}",
                        def.version,
                        q.id
                    );
                }
                if let Some(expected) = &def.checker.all_identified_question {
                    assert_eq!(
                        roles.all_identified.as_ref(),
                        Some(expected),
                        "{}",
                        def.name()
                    );
                }
            }
        }
    }

    #[test]
    fn policy_files_may_be_json() {
        let path =
            std::env::temp_dir().join(format!("oretrail-policy-{}.json", std::process::id()));
        std::fs::write(
            &path,
            r#"{"policy": {"version": "j1"}, "rules": {"facility_eu_cahra": {"weight": 5}}}"#,
        )
        .expect("write");
        let p = LoadedPolicy::from_file(&path).expect("valid");
        std::fs::remove_file(&path).ok();
        assert_eq!(p.policy.policy.version, "j1");
        assert_eq!(p.policy.rules.facility_eu_cahra.weight, 5.0);
        assert!(p.origin.ends_with(".json"));
    }

    #[test]
    fn answers_compare_trimmed_and_caseless() {
        let a = Answers {
            answers: vec!["Yes".into()],
            blank_counts: false,
        };
        assert!(a.matches(Some(" yes ")));
        assert!(!a.matches(Some("No")));
        assert!(!a.matches(None));
        let b = Answers {
            blank_counts: true,
            ..a
        };
        assert!(b.matches(Some("  ")));
    }
}
