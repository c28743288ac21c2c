//! The red-flag rules, one plain function each over plain facts. [`facility_flags`] and
//! [`supplier_flags`] run every enabled rule of the policy.

use crate::facts::{FacilityFacts, Listing, Response, SupplierFacts};
use crate::policy::{Answers, Policy, Rule};
use crate::score::{FacilityKey, Flag, Level};
use chrono::{Duration, NaiveDate};
use oretrail_facilities::{RiskLists, RmapStatus};
use oretrail_store::campaigns::RequestStatus;
use oretrail_template::Registry;
use oretrail_template::registry::version_cmp;
use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};

/// What the supplier rules need to know about the campaign.
#[derive(Debug, Clone, Default)]
pub struct CampaignContext {
    /// Deadline for answers.
    pub deadline: Option<NaiveDate>,
    /// Minimum version per accepted family.
    pub minimum_versions: BTreeMap<oretrail_template::Family, Option<String>>,
}

fn raise<P>(id: &str, rule: &Rule<P>, detail: Option<String>) -> Option<Flag> {
    if !rule.enabled {
        return None;
    }
    detail.map(|d| Flag::of(id, rule, d))
}

/// Every flag the policy raises on a facility as of a date.
pub fn facility_flags(
    policy: &Policy,
    f: &FacilityFacts,
    as_of: NaiveDate,
    lists: &RiskLists,
) -> Vec<Flag> {
    let r = &policy.rules;
    [
        raise(
            "facility_covered_country",
            &r.facility_covered_country,
            covered_country(f, lists),
        ),
        raise(
            "facility_eu_cahra",
            &r.facility_eu_cahra,
            eu_cahra(f, lists),
        ),
        raise(
            "facility_not_conformant",
            &r.facility_not_conformant,
            not_conformant(f),
        ),
        raise(
            "facility_active_only",
            &r.facility_active_only,
            active_only(f),
        ),
        raise("facility_not_listed", &r.facility_not_listed, not_listed(f)),
        raise(
            "facility_no_longer_listed",
            &r.facility_no_longer_listed,
            no_longer_listed(f),
        ),
        raise(
            "facility_reaudit_overdue",
            &r.facility_reaudit_overdue,
            reaudit_overdue(
                f,
                as_of,
                r.facility_reaudit_overdue.params.count_in_progress,
            ),
        ),
        raise(
            "facility_reaudit_due_soon",
            &r.facility_reaudit_due_soon,
            reaudit_due_soon(f, as_of, r.facility_reaudit_due_soon.params.within_days),
        ),
    ]
    .into_iter()
    .flatten()
    .collect()
}

fn country_text(f: &FacilityFacts) -> String {
    match (&f.country, &f.country_iso) {
        (Some(c), Some(iso)) => format!("{c} ({iso})"),
        (Some(c), None) => c.clone(),
        (None, Some(iso)) => iso.clone(),
        (None, None) => "unknown".into(),
    }
}

/// `facility_covered_country`: the facility's country is the DRC or adjoins it.
pub fn covered_country(f: &FacilityFacts, lists: &RiskLists) -> Option<String> {
    let iso = f.country_iso.as_deref()?;
    lists
        .is_covered_country(iso)
        .then(|| format!("located in {}", country_text(f)))
}

/// `facility_eu_cahra`: the facility's country has areas on the EU CAHRA list.
pub fn eu_cahra(f: &FacilityFacts, lists: &RiskLists) -> Option<String> {
    let iso = f.country_iso.as_deref()?;
    let entry = lists.eu_cahra_entry(iso)?;
    Some(match &entry.note {
        Some(note) => format!("located in {} — EU CAHRA list: {note}", country_text(f)),
        None => format!("located in {} — on the EU CAHRA list", country_text(f)),
    })
}

/// `facility_not_conformant`: listed with a status other than conformant or active.
pub fn not_conformant(f: &FacilityFacts) -> Option<String> {
    let s = f.listing.status()?;
    (!matches!(s.status, RmapStatus::Conformant | RmapStatus::Active))
        .then(|| format!("status '{}' on the list of {}", s.status_text, s.list_date))
}

/// `facility_active_only`: listed as active (audit committed), not yet conformant.
pub fn active_only(f: &FacilityFacts) -> Option<String> {
    let s = f.listing.status()?;
    (s.status == RmapStatus::Active)
        .then(|| format!("status '{}' on the list of {}", s.status_text, s.list_date))
}

/// `facility_not_listed`: no status list names the facility.
pub fn not_listed(f: &FacilityFacts) -> Option<String> {
    (f.listing == Listing::NeverListed).then(|| "on no status list up to the date".to_string())
}

/// `facility_no_longer_listed`: dropped from the status list, or from RMI's look-up.
pub fn no_longer_listed(f: &FacilityFacts) -> Option<String> {
    let mut parts = Vec::new();
    if let Listing::Dropped { last, dropped_on } = &f.listing {
        parts.push(format!(
            "last listed {} as '{}', not on the list of {dropped_on}",
            last.list_date, last.status_text
        ));
    }
    if f.removed_from_lookup {
        parts.push("removed from RMI's smelter look-up".to_string());
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// `facility_reaudit_overdue`: a conformant facility's re-audit date has passed.
pub fn reaudit_overdue(
    f: &FacilityFacts,
    as_of: NaiveDate,
    count_in_progress: bool,
) -> Option<String> {
    let s = f.listing.status()?;
    let due = s.reaudit_due?;
    if s.status != RmapStatus::Conformant || due >= as_of {
        return None;
    }
    let in_progress = s.reaudit_in_progress == Some(true);
    if in_progress && !count_in_progress {
        return None;
    }
    Some(format!(
        "re-audit was due {due} ({} days before the date){}",
        (as_of - due).num_days(),
        if in_progress {
            "; re-audit in progress"
        } else {
            ""
        }
    ))
}

/// `facility_reaudit_due_soon`: a conformant facility's re-audit falls due within the horizon.
pub fn reaudit_due_soon(f: &FacilityFacts, as_of: NaiveDate, within_days: i64) -> Option<String> {
    let s = f.listing.status()?;
    let due = s.reaudit_due?;
    (s.status == RmapStatus::Conformant
        && due >= as_of
        && due <= as_of + Duration::days(within_days))
    .then(|| format!("re-audit due {due}, in {} days", (due - as_of).num_days()))
}

/// Every flag the policy raises on a supplier as of a date; `facility_levels` are the levels of
/// the facilities assessed with it.
pub fn supplier_flags(
    policy: &Policy,
    s: &SupplierFacts,
    campaign: &CampaignContext,
    as_of: NaiveDate,
    facility_levels: &HashMap<FacilityKey, Level>,
) -> Vec<Flag> {
    let r = &policy.rules;
    let mut flags: Vec<Option<Flag>> = vec![raise(
        "supplier_silent_after_deadline",
        &r.supplier_silent_after_deadline,
        silent_after_deadline(
            s,
            campaign.deadline,
            as_of,
            r.supplier_silent_after_deadline.params.grace_days,
        ),
    )];
    if let Some(resp) = &s.response {
        let q = resp
            .family
            .and_then(|f| policy.questions.get(&f))
            .cloned()
            .unwrap_or_default();
        flags.extend([
            raise(
                "supplier_cahra_sourcing",
                &r.supplier_cahra_sourcing,
                mineral_answers(resp, &q.cahra, &r.supplier_cahra_sourcing.params),
            ),
            raise(
                "supplier_cahra_unknown",
                &r.supplier_cahra_unknown,
                mineral_answers(resp, &q.cahra, &r.supplier_cahra_unknown.params),
            ),
            raise(
                "supplier_no_sourcing_policy",
                &r.supplier_no_sourcing_policy,
                company_answer(
                    resp,
                    q.sourcing_policy.as_deref(),
                    &r.supplier_no_sourcing_policy.params,
                ),
            ),
            raise(
                "supplier_no_due_diligence",
                &r.supplier_no_due_diligence,
                company_answer(
                    resp,
                    q.due_diligence.as_deref(),
                    &r.supplier_no_due_diligence.params,
                ),
            ),
            raise(
                "supplier_low_response",
                &r.supplier_low_response,
                mineral_answers(
                    resp,
                    q.response_rate.as_slice(),
                    &r.supplier_low_response.params,
                ),
            ),
            raise(
                "supplier_smelters_not_identified",
                &r.supplier_smelters_not_identified,
                mineral_answers(
                    resp,
                    q.all_identified.as_slice(),
                    &r.supplier_smelters_not_identified.params,
                ),
            ),
            raise(
                "supplier_unresolved_rows",
                &r.supplier_unresolved_rows,
                rows(
                    &resp.unresolved_rows,
                    r.supplier_unresolved_rows.params.min_rows,
                    "unresolved",
                ),
            ),
            raise(
                "supplier_not_yet_identified_rows",
                &r.supplier_not_yet_identified_rows,
                rows(
                    &resp.not_yet_identified_rows,
                    r.supplier_not_yet_identified_rows.params.min_rows,
                    "not yet identified",
                ),
            ),
            raise(
                "supplier_template_outdated",
                &r.supplier_template_outdated,
                template_outdated(resp, campaign, as_of, &r.supplier_template_outdated.params),
            ),
            raise(
                "supplier_high_risk_facility",
                &r.supplier_high_risk_facility,
                high_risk_facilities(resp, facility_levels),
            ),
        ]);
    }
    flags.into_iter().flatten().collect()
}

/// `supplier_silent_after_deadline`: nothing received although the deadline (plus grace) passed.
pub fn silent_after_deadline(
    s: &SupplierFacts,
    deadline: Option<NaiveDate>,
    as_of: NaiveDate,
    grace_days: i64,
) -> Option<String> {
    let deadline = deadline?;
    if s.submitted
        || s.request == RequestStatus::Waived
        || as_of <= deadline + Duration::days(grace_days)
    {
        return None;
    }
    Some(format!(
        "deadline {deadline} passed {} days before the date; request {}",
        (as_of - deadline).num_days(),
        s.request.code().replace('_', " ")
    ))
}

/// Per-mineral answers (of the minerals declared used) matching the rule's answers:
/// "Q3 Tin: Yes; Q4 Gold: Unknown".
pub fn mineral_answers(resp: &Response, questions: &[String], answers: &Answers) -> Option<String> {
    let mut hits = Vec::new();
    for q in questions {
        for mineral in &resp.active_minerals {
            let answer = resp
                .mineral_answers
                .get(mineral)
                .and_then(|qs| qs.get(q))
                .cloned()
                .flatten();
            // A question the template does not ask for this mineral is not a blank answer.
            let asked = resp
                .mineral_answers
                .get(mineral)
                .is_some_and(|qs| qs.contains_key(q));
            if asked && answers.matches(answer.as_deref()) {
                hits.push(format!(
                    "{q} {mineral}: {}",
                    answer.as_deref().unwrap_or("(blank)")
                ));
            }
        }
    }
    (!hits.is_empty()).then(|| hits.join("; "))
}

/// A company question's answers matching the rule's answers: "A: No".
pub fn company_answer(
    resp: &Response,
    question: Option<&str>,
    answers: &Answers,
) -> Option<String> {
    let q = question?;
    let given = resp.company_answers.get(q)?;
    let hits: Vec<String> = given
        .iter()
        .filter(|a| answers.matches(a.as_deref()))
        .map(|a| a.clone().unwrap_or_else(|| "(blank)".into()))
        .collect();
    (!hits.is_empty()).then(|| format!("{q}: {}", hits.join(", ")))
}

/// Row lists at or above the minimum: "2 rows unresolved: Tin: Foo; Gold: Bar".
pub fn rows(list: &[String], min_rows: usize, what: &str) -> Option<String> {
    if list.is_empty() || list.len() < min_rows.max(1) {
        return None;
    }
    let shown: Vec<&str> = list.iter().take(5).map(String::as_str).collect();
    let more = list.len() - shown.len();
    Some(format!(
        "{} row(s) {what}: {}{}",
        list.len(),
        shown.join("; "),
        if more > 0 {
            format!("; +{more} more")
        } else {
            String::new()
        }
    ))
}

/// `supplier_template_outdated`: a retired family, a version below the campaign's minimum, or
/// older than the newest version out for `grace_days` on the date.
pub fn template_outdated(
    resp: &Response,
    campaign: &CampaignContext,
    as_of: NaiveDate,
    params: &crate::policy::TemplateOutdated,
) -> Option<String> {
    let family = resp.family?;
    if let Some(successor) = params.retired_families.get(&family) {
        return Some(format!(
            "{family} {} — RMI retired {family}; {successor} replaces it",
            resp.version
        ));
    }
    let older = |v: &str| version_cmp(&resp.version, v) == Ordering::Less;
    if let Some(Some(min)) = campaign.minimum_versions.get(&family)
        && older(min)
    {
        return Some(format!(
            "{family} {} is below the campaign's minimum version {min}",
            resp.version
        ));
    }
    let cutoff = as_of - Duration::days(params.grace_days);
    let current = Registry::global()
        .family(family)
        .filter_map(|d| {
            let released = d
                .release_date
                .as_deref()
                .and_then(|t| NaiveDate::parse_from_str(t, "%Y-%m-%d").ok())?;
            (released <= cutoff).then_some((d.version.as_str(), released))
        })
        .max_by(|a, b| version_cmp(a.0, b.0))?;
    older(current.0).then(|| {
        format!(
            "{family} {} used; {family} {} has been out since {}",
            resp.version, current.0, current.1
        )
    })
}

/// `supplier_high_risk_facility`: declared facilities assessed high.
pub fn high_risk_facilities(
    resp: &Response,
    facility_levels: &HashMap<FacilityKey, Level>,
) -> Option<String> {
    let mut high: Vec<String> = resp
        .facilities
        .iter()
        .filter(|k| facility_levels.get(*k) == Some(&Level::High))
        .map(|k| k.to_string())
        .collect();
    high.sort();
    high.dedup();
    if high.is_empty() {
        return None;
    }
    let n = high.len();
    high.truncate(8);
    Some(format!(
        "{n} high-risk facilit{}: {}{}",
        if n == 1 { "y" } else { "ies" },
        high.join(", "),
        if n > 8 { ", …" } else { "" }
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::ListedStatus;
    use crate::policy::LoadedPolicy;
    use oretrail_template::Family;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    fn policy() -> Policy {
        LoadedPolicy::default_policy().policy
    }

    fn listed(status: RmapStatus, reaudit_due: Option<NaiveDate>) -> Listing {
        Listing::Listed(ListedStatus {
            list_date: d(2025, 9, 30),
            source: "q3.csv".into(),
            status,
            status_text: format!("{status:?}"),
            last_audit: None,
            reaudit_due,
            reaudit_in_progress: None,
        })
    }

    fn facility(iso: &str, listing: Listing) -> FacilityFacts {
        FacilityFacts {
            key: FacilityKey::new("tin", "CID000001"),
            metal: "Tin".into(),
            name: "Test Smelter".into(),
            country: Some(iso.into()),
            country_iso: Some(iso.into()),
            listing,
            removed_from_lookup: false,
            suppliers: vec!["V1".into()],
        }
    }

    fn rules_of(f: &FacilityFacts, as_of: NaiveDate) -> Vec<String> {
        facility_flags(&policy(), f, as_of, &RiskLists::embedded())
            .into_iter()
            .map(|f| f.rule)
            .collect()
    }

    const NOW: (i32, u32, u32) = (2025, 12, 1);

    fn now() -> NaiveDate {
        d(NOW.0, NOW.1, NOW.2)
    }

    #[test]
    fn a_conformant_facility_far_from_risk_raises_nothing() {
        let f = facility("JP", listed(RmapStatus::Conformant, Some(d(2026, 9, 1))));
        assert!(rules_of(&f, now()).is_empty());
    }

    #[test]
    fn rule_facility_covered_country() {
        let f = facility("RW", listed(RmapStatus::Conformant, None));
        assert_eq!(rules_of(&f, now()), ["facility_covered_country"]);
        let flags = facility_flags(&policy(), &f, now(), &RiskLists::embedded());
        assert_eq!(flags[0].weight, 30.0);
        assert!(flags[0].detail.contains("RW"), "{}", flags[0].detail);
        assert!(flags[0].reason.contains("Democratic Republic of the Congo"));
    }

    #[test]
    fn rule_facility_eu_cahra() {
        let f = facility("CO", listed(RmapStatus::Conformant, None));
        assert_eq!(rules_of(&f, now()), ["facility_eu_cahra"]);
        let flags = facility_flags(&policy(), &f, now(), &RiskLists::embedded());
        assert!(
            flags[0].detail.contains("regions only"),
            "{}",
            flags[0].detail
        );
        // The DRC is on both lists.
        let f = facility("CD", listed(RmapStatus::Conformant, None));
        assert_eq!(
            rules_of(&f, now()),
            ["facility_covered_country", "facility_eu_cahra"]
        );
    }

    #[test]
    fn rule_facility_not_conformant() {
        for s in [
            RmapStatus::NonConformant,
            RmapStatus::OutreachRequired,
            RmapStatus::CommunicationSuspended,
            RmapStatus::InCommunication,
            RmapStatus::Other,
        ] {
            let f = facility("JP", listed(s, None));
            assert_eq!(rules_of(&f, now()), ["facility_not_conformant"], "{s:?}");
        }
    }

    #[test]
    fn rule_facility_active_only() {
        let f = facility("JP", listed(RmapStatus::Active, None));
        assert_eq!(rules_of(&f, now()), ["facility_active_only"]);
    }

    #[test]
    fn rule_facility_not_listed() {
        let f = facility("JP", Listing::NeverListed);
        assert_eq!(rules_of(&f, now()), ["facility_not_listed"]);
    }

    #[test]
    fn rule_facility_no_longer_listed() {
        let last = ListedStatus {
            list_date: d(2025, 3, 31),
            source: "q1.csv".into(),
            status: RmapStatus::Conformant,
            status_text: "Conformant".into(),
            last_audit: None,
            reaudit_due: None,
            reaudit_in_progress: None,
        };
        let f = facility(
            "JP",
            Listing::Dropped {
                last,
                dropped_on: d(2025, 9, 30),
            },
        );
        assert_eq!(rules_of(&f, now()), ["facility_no_longer_listed"]);
        let mut f = facility("JP", listed(RmapStatus::Conformant, None));
        f.removed_from_lookup = true;
        let flags = facility_flags(&policy(), &f, now(), &RiskLists::embedded());
        assert_eq!(flags.len(), 1);
        assert!(flags[0].detail.contains("look-up"));
    }

    #[test]
    fn rule_facility_reaudit_overdue() {
        let f = facility("JP", listed(RmapStatus::Conformant, Some(d(2025, 11, 1))));
        assert_eq!(rules_of(&f, now()), ["facility_reaudit_overdue"]);
        // As of a date before it fell due, it was only due soon: recomputed as of any date.
        assert_eq!(rules_of(&f, d(2025, 10, 1)), ["facility_reaudit_due_soon"]);
        // A re-audit in progress does not count unless the policy says so.
        let mut f = f;
        if let Listing::Listed(s) = &mut f.listing {
            s.reaudit_in_progress = Some(true);
        }
        assert!(rules_of(&f, now()).is_empty());
        let mut p = policy();
        p.rules.facility_reaudit_overdue.params.count_in_progress = true;
        let flags = facility_flags(&p, &f, now(), &RiskLists::embedded());
        assert!(flags[0].detail.contains("in progress"));
    }

    #[test]
    fn rule_facility_reaudit_due_soon() {
        let f = facility("JP", listed(RmapStatus::Conformant, Some(d(2026, 2, 1))));
        assert_eq!(rules_of(&f, now()), ["facility_reaudit_due_soon"]);
        let mut p = policy();
        p.rules.facility_reaudit_due_soon.params.within_days = 30;
        assert!(facility_flags(&p, &f, now(), &RiskLists::embedded()).is_empty());
    }

    #[test]
    fn disabled_rules_raise_nothing() {
        let mut p = policy();
        p.rules.facility_covered_country.enabled = false;
        let f = facility("RW", listed(RmapStatus::Conformant, None));
        assert!(facility_flags(&p, &f, now(), &RiskLists::embedded()).is_empty());
    }

    // ------------------------------------------------------------------ suppliers

    fn cmrt(answers: &[(&str, &str, &str)], company: &[(&str, &str)]) -> Response {
        let mut r = Response {
            submission_id: 1,
            received_on: Some(d(2025, 10, 1)),
            family: Some(Family::Cmrt),
            version: "6.5".into(),
            active_minerals: vec!["Tin".into(), "Gold".into()],
            ..Response::default()
        };
        for m in ["Tin", "Gold", "Tantalum"] {
            let qs = r.mineral_answers.entry(m.to_string()).or_default();
            for q in ["Q3", "Q4", "Q6", "Q7"] {
                let a = match q {
                    "Q6" => "100%",
                    "Q7" => "Yes",
                    _ => "No",
                };
                qs.insert(q.to_string(), Some(a.to_string()));
            }
        }
        for (m, q, a) in answers {
            r.mineral_answers
                .entry(m.to_string())
                .or_default()
                .insert(q.to_string(), (!a.is_empty()).then(|| a.to_string()));
        }
        for q in ["A", "D"] {
            r.company_answers
                .insert(q.to_string(), vec![Some("Yes".to_string())]);
        }
        for (q, a) in company {
            r.company_answers
                .insert(q.to_string(), vec![(!a.is_empty()).then(|| a.to_string())]);
        }
        r
    }

    fn supplier(response: Option<Response>) -> SupplierFacts {
        SupplierFacts {
            supplier_id: 1,
            erp_id: "V1".into(),
            name: "Supplier".into(),
            spend: 100.0,
            request: if response.is_some() {
                RequestStatus::Accepted
            } else {
                RequestStatus::Sent
            },
            submitted: response.is_some(),
            response,
        }
    }

    fn context() -> CampaignContext {
        CampaignContext {
            deadline: Some(d(2025, 11, 1)),
            minimum_versions: BTreeMap::new(),
        }
    }

    fn supplier_rules(s: &SupplierFacts) -> Vec<Flag> {
        supplier_flags(&policy(), s, &context(), now(), &HashMap::new())
    }

    fn ids(flags: &[Flag]) -> Vec<&str> {
        flags.iter().map(|f| f.rule.as_str()).collect()
    }

    #[test]
    fn a_clean_current_template_raises_nothing() {
        let s = supplier(Some(cmrt(&[], &[])));
        assert!(supplier_rules(&s).is_empty(), "{:?}", supplier_rules(&s));
    }

    #[test]
    fn rule_supplier_cahra_sourcing() {
        let s = supplier(Some(cmrt(&[("Tin", "Q3", "Yes")], &[])));
        let f = supplier_rules(&s);
        assert_eq!(ids(&f), ["supplier_cahra_sourcing"]);
        assert_eq!(f[0].detail, "Q3 Tin: Yes");
        // Minerals not declared as used are not read.
        let s = supplier(Some(cmrt(&[("Tantalum", "Q3", "Yes")], &[])));
        assert!(supplier_rules(&s).is_empty());
    }

    #[test]
    fn rule_supplier_cahra_unknown() {
        let s = supplier(Some(cmrt(&[("Gold", "Q4", "Unknown")], &[])));
        let f = supplier_rules(&s);
        assert_eq!(ids(&f), ["supplier_cahra_unknown"]);
        assert_eq!(f[0].detail, "Q4 Gold: Unknown");
    }

    #[test]
    fn rule_supplier_no_sourcing_policy() {
        let s = supplier(Some(cmrt(&[], &[("A", "No")])));
        let f = supplier_rules(&s);
        assert_eq!(ids(&f), ["supplier_no_sourcing_policy"]);
        assert_eq!(f[0].detail, "A: No");
        let s = supplier(Some(cmrt(&[], &[("A", "")])));
        assert_eq!(
            supplier_rules(&s)[0].detail,
            "A: (blank)",
            "blank counts by default"
        );
    }

    #[test]
    fn rule_supplier_no_due_diligence() {
        let s = supplier(Some(cmrt(&[], &[("D", "No")])));
        assert_eq!(ids(&supplier_rules(&s)), ["supplier_no_due_diligence"]);
        // CRT asks it as question C.
        let mut r = cmrt(&[], &[("C", "No")]);
        r.family = Some(Family::Crt);
        let mut p = policy();
        p.rules.supplier_template_outdated.enabled = false;
        let f = supplier_flags(&p, &supplier(Some(r)), &context(), now(), &HashMap::new());
        assert!(
            f.iter()
                .any(|f| f.rule == "supplier_no_due_diligence" && f.detail == "C: No")
        );
    }

    #[test]
    fn rule_supplier_low_response() {
        let s = supplier(Some(cmrt(&[("Tin", "Q6", "50% or less")], &[])));
        let f = supplier_rules(&s);
        assert_eq!(ids(&f), ["supplier_low_response"]);
        assert_eq!(f[0].detail, "Q6 Tin: 50% or less");
        let s = supplier(Some(cmrt(&[("Tin", "Q6", "Greater than 90%")], &[])));
        assert!(supplier_rules(&s).is_empty());
    }

    #[test]
    fn rule_supplier_smelters_not_identified() {
        let s = supplier(Some(cmrt(&[("Gold", "Q7", "No")], &[])));
        assert_eq!(
            ids(&supplier_rules(&s)),
            ["supplier_smelters_not_identified"]
        );
    }

    #[test]
    fn rule_supplier_unresolved_rows() {
        let mut r = cmrt(&[], &[]);
        r.unresolved_rows = vec!["Tin: Foo Smelting".into(), "Gold: Bar".into()];
        let f = supplier_rules(&supplier(Some(r.clone())));
        assert_eq!(ids(&f), ["supplier_unresolved_rows"]);
        assert!(
            f[0].detail
                .starts_with("2 row(s) unresolved: Tin: Foo Smelting")
        );
        let mut p = policy();
        p.rules.supplier_unresolved_rows.params.min_rows = 3;
        assert!(
            supplier_flags(&p, &supplier(Some(r)), &context(), now(), &HashMap::new()).is_empty()
        );
    }

    #[test]
    fn rule_supplier_not_yet_identified_rows() {
        let mut r = cmrt(&[], &[]);
        r.not_yet_identified_rows = vec!["Tin, row 9".into()];
        assert_eq!(
            ids(&supplier_rules(&supplier(Some(r)))),
            ["supplier_not_yet_identified_rows"]
        );
    }

    #[test]
    fn rule_supplier_template_outdated() {
        let mut r = cmrt(&[], &[]);
        r.version = "6.22".into();
        let f = supplier_rules(&supplier(Some(r.clone())));
        assert_eq!(ids(&f), ["supplier_template_outdated"]);
        assert!(
            f[0].detail
                .contains("CMRT 6.5 has been out since 2025-04-25"),
            "{}",
            f[0].detail
        );
        // As of mid-2022, 6.22 was current.
        let f = supplier_flags(
            &policy(),
            &supplier(Some(r.clone())),
            &context(),
            d(2022, 12, 1),
            &HashMap::new(),
        );
        assert!(f.is_empty(), "{f:?}");
        // Within the grace period after 6.5 came out, 6.4 is not outdated yet.
        r.version = "6.4".into();
        let f = supplier_flags(
            &policy(),
            &supplier(Some(r.clone())),
            &context(),
            d(2025, 6, 1),
            &HashMap::new(),
        );
        assert!(f.is_empty(), "{f:?}");
        // A campaign minimum above the version used.
        let mut c = context();
        c.minimum_versions.insert(Family::Cmrt, Some("6.5".into()));
        let f = supplier_flags(
            &policy(),
            &supplier(Some(r.clone())),
            &c,
            d(2025, 6, 1),
            &HashMap::new(),
        );
        assert!(f[0].detail.contains("minimum version 6.5"), "{f:?}");
        // A retired family.
        r.family = Some(Family::Crt);
        r.version = "2.21".into();
        let f = supplier_rules(&supplier(Some(r)));
        assert!(f.iter().any(
            |f| f.rule == "supplier_template_outdated" && f.detail.contains("EMRT replaces it")
        ));
    }

    #[test]
    fn rule_supplier_silent_after_deadline() {
        let s = supplier(None);
        let f = supplier_rules(&s);
        assert_eq!(ids(&f), ["supplier_silent_after_deadline"]);
        assert!(
            f[0].detail.contains("deadline 2025-11-01 passed 30 days"),
            "{}",
            f[0].detail
        );
        // Before the deadline, after an unreadable file, or waived: not silent.
        assert!(
            supplier_flags(&policy(), &s, &context(), d(2025, 10, 1), &HashMap::new()).is_empty()
        );
        let mut sent = supplier(None);
        sent.submitted = true;
        assert!(supplier_rules(&sent).is_empty());
        let mut waived = supplier(None);
        waived.request = RequestStatus::Waived;
        assert!(supplier_rules(&waived).is_empty());
    }

    #[test]
    fn rule_supplier_high_risk_facility() {
        let mut r = cmrt(&[], &[]);
        let high = FacilityKey::new("tin", "CID000001");
        let low = FacilityKey::new("gold", "CID000002");
        r.facilities = vec![high.clone(), low.clone()];
        let levels = HashMap::from([(high, Level::High), (low, Level::Low)]);
        let f = supplier_flags(&policy(), &supplier(Some(r)), &context(), now(), &levels);
        assert_eq!(ids(&f), ["supplier_high_risk_facility"]);
        assert_eq!(f[0].detail, "1 high-risk facility: CID000001 (tin)");
    }
}
