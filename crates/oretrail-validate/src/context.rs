//! What the caller knows beyond the report: dates, campaign expectations, reference data.

use crate::problem::Code;
use chrono::NaiveDate;
use indexmap::IndexMap;
use oretrail_template::{Family, LookupEntry};

/// Facts and options for one validation run; `ValidationContext::default()` runs the template
/// rules and the checks that need no outside knowledge.
#[derive(Default)]
pub struct ValidationContext<'a> {
    /// Today's date; enables `effective_date_future` (and ages when no campaign date is given).
    pub today: Option<NaiveDate>,
    /// Date the declarations were requested; enables `outdated_template` for the campaign
    /// (newest version released by then) and anchors `max_declaration_age_days`.
    pub campaign_date: Option<NaiveDate>,
    /// First day of the reporting period; earlier effective dates are `effective_date_stale`.
    pub reporting_period_start: Option<NaiveDate>,
    /// Reference data for refiner countries (`smelter_country_mismatch`).
    pub facilities: Option<&'a dyn FacilityDirectory>,
    /// Further switches.
    pub options: ValidationOptions,
}

/// Optional checks and thresholds.
#[derive(Debug, Clone, Default)]
pub struct ValidationOptions {
    /// Report (info) any template older than the newest version of its family in the registry.
    pub flag_outdated_templates: bool,
    /// Minimum template version per family required by the campaign (warning below it).
    pub minimum_versions: IndexMap<Family, String>,
    /// Effective dates older than this many days before the campaign date (or today) are stale.
    pub max_declaration_age_days: Option<u32>,
    /// Days an effective date may lie after today before it counts as in the future.
    pub future_tolerance_days: u32,
    /// Codes not to report at all.
    pub disabled: Vec<Code>,
}

/// Reference data about RMI facilities, as far as validation needs it (shareable across threads).
pub trait FacilityDirectory: Sync {
    /// Country of the facility with this CID for this metal (RMI spelling), if known.
    fn country_of(&self, metal: &str, cid: &str) -> Option<String>;
}

impl FacilityDirectory for [LookupEntry] {
    fn country_of(&self, metal: &str, cid: &str) -> Option<String> {
        self.iter()
            .find(|e| {
                e.metal.trim().eq_ignore_ascii_case(metal.trim())
                    && e.cid
                        .as_deref()
                        .is_some_and(|c| c.trim().eq_ignore_ascii_case(cid.trim()))
            })
            .and_then(|e| e.country.clone())
    }
}

impl FacilityDirectory for Vec<LookupEntry> {
    fn country_of(&self, metal: &str, cid: &str) -> Option<String> {
        self.as_slice().country_of(metal, cid)
    }
}

/// A directory backed by a function `(metal, cid) -> country`.
pub struct FnDirectory<F>(pub F);

impl<F: Fn(&str, &str) -> Option<String> + Sync> FacilityDirectory for FnDirectory<F> {
    fn country_of(&self, metal: &str, cid: &str) -> Option<String> {
        (self.0)(metal, cid)
    }
}
