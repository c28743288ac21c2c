//! An assessment: every facility and supplier of a campaign scored as of a date, and the
//! campaign's score — the spend-weighted mean of its suppliers' scores — explained rule by rule.

use crate::facts::{CampaignFacts, Listing};
use crate::policy::LoadedPolicy;
use crate::rules::{CampaignContext, facility_flags, supplier_flags};
use crate::score::{FacilityKey, Level, Score};
use chrono::NaiveDate;
use oretrail_facilities::RiskLists;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// A facility's score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FacilityRisk {
    /// Metal and CID.
    pub key: FacilityKey,
    /// Metal as written.
    pub metal: String,
    /// Standard name.
    pub name: String,
    /// Country.
    pub country: Option<String>,
    /// Status on the date, in words.
    pub status: String,
    /// ERP IDs of the suppliers declaring it.
    pub suppliers: Vec<String>,
    /// Score and flags.
    pub score: Score,
}

/// A supplier's score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SupplierRisk {
    /// Supplier ID.
    pub supplier_id: i64,
    /// ERP ID.
    pub erp_id: String,
    /// Name.
    pub name: String,
    /// In-scope spend.
    pub spend: f64,
    /// Request status on the date.
    pub request: String,
    /// Submission read, if any.
    pub submission_id: Option<i64>,
    /// Template of that submission ("CMRT 6.5").
    pub template: Option<String>,
    /// Facilities it declares.
    pub facilities: usize,
    /// Score and flags.
    pub score: Score,
}

/// How much a rule weighs in a campaign.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleTally {
    /// Rule id.
    pub rule: String,
    /// The policy's reason.
    pub reason: String,
    /// Weight.
    pub weight: f64,
    /// Facilities flagged.
    pub facilities: usize,
    /// Suppliers flagged.
    pub suppliers: usize,
    /// Spend of the suppliers flagged.
    pub spend: f64,
    /// Points the rule adds to the campaign score (the contributions add up to the score).
    pub contribution: f64,
}

/// A campaign's score and what makes it up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignRisk {
    /// Spend-weighted mean of the suppliers' scores (plain mean without spend).
    pub score: f64,
    /// Level the thresholds give.
    pub level: Level,
    /// Suppliers per level.
    pub suppliers_by_level: BTreeMap<Level, usize>,
    /// Facilities per level.
    pub facilities_by_level: BTreeMap<Level, usize>,
    /// Spend per supplier level.
    pub spend_by_level: BTreeMap<Level, f64>,
    /// Rules that raised flags, largest contribution first.
    pub rules: Vec<RuleTally>,
}

/// The assessment of a campaign as of a date under a policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    /// Campaign ID.
    pub campaign_id: i64,
    /// Campaign name.
    pub campaign_name: String,
    /// Date assessed.
    pub as_of: NaiveDate,
    /// Policy name.
    pub policy_name: String,
    /// Policy version.
    pub policy_version: String,
    /// SHA-256 of the policy's canonical text.
    pub policy_sha256: String,
    /// The campaign's score.
    pub campaign: CampaignRisk,
    /// Suppliers, highest score first.
    pub suppliers: Vec<SupplierRisk>,
    /// Facilities, highest score first.
    pub facilities: Vec<FacilityRisk>,
}

impl Assessment {
    /// A supplier's risk by ERP ID.
    pub fn supplier(&self, erp_id: &str) -> Option<&SupplierRisk> {
        self.suppliers.iter().find(|s| s.erp_id == erp_id)
    }

    /// A facility's risk.
    pub fn facility(&self, key: &FacilityKey) -> Option<&FacilityRisk> {
        self.facilities.iter().find(|f| &f.key == key)
    }
}

/// Scores a campaign's facts as of a date.
pub fn assess(
    policy: &LoadedPolicy,
    facts: &CampaignFacts,
    as_of: NaiveDate,
    lists: &RiskLists,
) -> Assessment {
    let p = &policy.policy;
    let mut facilities: Vec<FacilityRisk> = facts
        .facilities
        .iter()
        .map(|f| FacilityRisk {
            key: f.key.clone(),
            metal: f.metal.clone(),
            name: f.name.clone(),
            country: f.country.clone(),
            status: match &f.listing {
                Listing::Listed(s) => s.status_text.clone(),
                other => other.summary(),
            },
            suppliers: f.suppliers.clone(),
            score: Score::of(facility_flags(p, f, as_of, lists), &p.thresholds),
        })
        .collect();
    let levels: HashMap<FacilityKey, Level> = facilities
        .iter()
        .map(|f| (f.key.clone(), f.score.level))
        .collect();
    let context = CampaignContext {
        deadline: facts.deadline,
        minimum_versions: facts.minimum_versions.clone(),
    };
    let mut suppliers: Vec<SupplierRisk> = facts
        .suppliers
        .iter()
        .map(|s| SupplierRisk {
            supplier_id: s.supplier_id,
            erp_id: s.erp_id.clone(),
            name: s.name.clone(),
            spend: s.spend,
            request: s.request.code().to_string(),
            submission_id: s.response.as_ref().map(|r| r.submission_id),
            template: s
                .response
                .as_ref()
                .and_then(|r| r.family.map(|f| format!("{f} {}", r.version))),
            facilities: s.response.as_ref().map_or(0, |r| r.facilities.len()),
            score: Score::of(
                supplier_flags(p, s, &context, as_of, &levels),
                &p.thresholds,
            ),
        })
        .collect();
    facilities.sort_by(|a, b| {
        b.score
            .score
            .total_cmp(&a.score.score)
            .then_with(|| a.key.cmp(&b.key))
    });
    suppliers.sort_by(|a, b| {
        b.score
            .score
            .total_cmp(&a.score.score)
            .then_with(|| b.spend.total_cmp(&a.spend))
            .then_with(|| a.erp_id.cmp(&b.erp_id))
    });
    let campaign = campaign_risk(policy, &suppliers, &facilities);
    Assessment {
        campaign_id: facts.id,
        campaign_name: facts.name.clone(),
        as_of,
        policy_name: p.policy.name.clone(),
        policy_version: p.policy.version.clone(),
        policy_sha256: policy.sha256.clone(),
        campaign,
        suppliers,
        facilities,
    }
}

/// The campaign's score from its suppliers' and facilities' scores.
pub fn campaign_risk(
    policy: &LoadedPolicy,
    suppliers: &[SupplierRisk],
    facilities: &[FacilityRisk],
) -> CampaignRisk {
    let total_spend: f64 = suppliers.iter().map(|s| s.spend.max(0.0)).sum();
    // Each supplier's share of the campaign: its spend share, or an equal share without spend.
    let share = |s: &SupplierRisk| -> f64 {
        if total_spend > 0.0 {
            s.spend.max(0.0) / total_spend
        } else if suppliers.is_empty() {
            0.0
        } else {
            1.0 / suppliers.len() as f64
        }
    };
    let mut tallies: BTreeMap<String, RuleTally> = BTreeMap::new();
    let mut score = 0.0;
    let mut suppliers_by_level = BTreeMap::new();
    let mut spend_by_level = BTreeMap::new();
    for s in suppliers {
        let w = share(s);
        score += w * s.score.score;
        *suppliers_by_level.entry(s.score.level).or_insert(0) += 1;
        *spend_by_level.entry(s.score.level).or_insert(0.0) += s.spend;
        for f in &s.score.flags {
            let t = tally(&mut tallies, f);
            t.suppliers += 1;
            t.spend += s.spend;
            t.contribution += w * f.weight;
        }
    }
    let mut facilities_by_level = BTreeMap::new();
    for f in facilities {
        *facilities_by_level.entry(f.score.level).or_insert(0) += 1;
        for flag in &f.score.flags {
            tally(&mut tallies, flag).facilities += 1;
        }
    }
    let mut rules: Vec<RuleTally> = tallies.into_values().collect();
    rules.sort_by(|a, b| {
        b.contribution
            .total_cmp(&a.contribution)
            .then_with(|| (b.facilities + b.suppliers).cmp(&(a.facilities + a.suppliers)))
            .then_with(|| a.rule.cmp(&b.rule))
    });
    CampaignRisk {
        score,
        level: policy.policy.thresholds.level(score),
        suppliers_by_level,
        facilities_by_level,
        spend_by_level,
        rules,
    }
}

fn tally<'a>(
    tallies: &'a mut BTreeMap<String, RuleTally>,
    flag: &crate::score::Flag,
) -> &'a mut RuleTally {
    tallies
        .entry(flag.rule.clone())
        .or_insert_with(|| RuleTally {
            rule: flag.rule.clone(),
            reason: flag.reason.clone(),
            weight: flag.weight,
            facilities: 0,
            suppliers: 0,
            spend: 0.0,
            contribution: 0.0,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{FacilityFacts, ListedStatus, Response, SupplierFacts};
    use oretrail_facilities::RmapStatus;
    use oretrail_store::campaigns::RequestStatus;
    use oretrail_template::Family;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn a_campaign_scores_its_facilities_suppliers_and_itself_with_reasons() {
        let drc = FacilityKey::new("tin", "CID000100");
        let ok = FacilityKey::new("tin", "CID000200");
        let listed = |status| {
            Listing::Listed(ListedStatus {
                list_date: d(2025, 9, 30),
                source: "list".into(),
                status,
                status_text: format!("{status:?}"),
                last_audit: None,
                reaudit_due: None,
                reaudit_in_progress: None,
            })
        };
        let facts = CampaignFacts {
            id: 7,
            name: "2025".into(),
            deadline: Some(d(2025, 11, 1)),
            minimum_versions: BTreeMap::new(),
            facilities: vec![
                FacilityFacts {
                    key: drc.clone(),
                    metal: "Tin".into(),
                    name: "Kivu Tin".into(),
                    country: Some("CONGO, DEMOCRATIC REPUBLIC OF THE".into()),
                    country_iso: Some("CD".into()),
                    listing: listed(RmapStatus::NonConformant),
                    removed_from_lookup: false,
                    suppliers: vec!["V1".into()],
                },
                FacilityFacts {
                    key: ok.clone(),
                    metal: "Tin".into(),
                    name: "Safe Tin".into(),
                    country: Some("JAPAN".into()),
                    country_iso: Some("JP".into()),
                    listing: listed(RmapStatus::Conformant),
                    removed_from_lookup: false,
                    suppliers: vec!["V1".into()],
                },
            ],
            suppliers: vec![
                SupplierFacts {
                    supplier_id: 1,
                    erp_id: "V1".into(),
                    name: "Answering".into(),
                    spend: 300.0,
                    request: RequestStatus::Accepted,
                    submitted: true,
                    response: Some(Response {
                        submission_id: 11,
                        family: Some(Family::Cmrt),
                        version: "6.5".into(),
                        facilities: vec![drc.clone(), ok.clone()],
                        ..Response::default()
                    }),
                },
                SupplierFacts {
                    supplier_id: 2,
                    erp_id: "V2".into(),
                    name: "Silent".into(),
                    spend: 100.0,
                    request: RequestStatus::Sent,
                    submitted: false,
                    response: None,
                },
            ],
        };
        let a = assess(
            &LoadedPolicy::default_policy(),
            &facts,
            d(2025, 12, 1),
            &RiskLists::embedded(),
        );
        let f = a.facility(&drc).expect("assessed");
        // Covered country 30 + EU CAHRA 20 + not conformant 40.
        assert_eq!((f.score.score, f.score.level), (90.0, Level::High));
        assert_eq!(a.facility(&ok).expect("assessed").score.score, 0.0);
        assert_eq!(a.facilities[0].key, drc, "highest first");
        let v1 = a.supplier("V1").expect("assessed");
        assert_eq!(v1.score.flags.len(), 1);
        assert_eq!(v1.score.flags[0].rule, "supplier_high_risk_facility");
        assert_eq!(v1.template.as_deref(), Some("CMRT 6.5"));
        let v2 = a.supplier("V2").expect("assessed");
        assert_eq!(v2.score.score, 30.0);
        // Spend-weighted: 0.75 × 20 + 0.25 × 30 = 22.5; contributions add up to it.
        assert!((a.campaign.score - 22.5).abs() < 1e-9);
        assert_eq!(a.campaign.level, Level::Low);
        let sum: f64 = a.campaign.rules.iter().map(|r| r.contribution).sum();
        assert!((sum - a.campaign.score).abs() < 1e-9);
        assert_eq!(a.campaign.rules[0].rule, "supplier_high_risk_facility");
        let not_conformant = a
            .campaign
            .rules
            .iter()
            .find(|r| r.rule == "facility_not_conformant")
            .expect("tallied");
        assert_eq!(
            (not_conformant.facilities, not_conformant.contribution),
            (1, 0.0)
        );
        assert_eq!(a.campaign.facilities_by_level.get(&Level::High), Some(&1));
        assert_eq!(a.campaign.spend_by_level.get(&Level::Low), Some(&300.0));
        assert_eq!(a.campaign.spend_by_level.get(&Level::Medium), Some(&100.0));
        assert_eq!(a.policy_version, "2026.1");
    }
}
