//! What the rules read: plain facts about a campaign's suppliers and the facilities they declare,
//! as of a date. The loaders in [`crate::db::facts`] build them from the store; tests build them
//! by hand.

use crate::score::FacilityKey;
use chrono::NaiveDate;
use oretrail_facilities::registry::metal_key;
use oretrail_facilities::{RmapStatus, StatusEntry, StatusSnapshot};
use oretrail_store::campaigns::RequestStatus;
use oretrail_template::Family;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

/// A facility's entry in a status list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ListedStatus {
    /// Date of the list.
    pub list_date: NaiveDate,
    /// File of the list.
    pub source: String,
    /// Status.
    pub status: RmapStatus,
    /// Status as the list wrote it.
    pub status_text: String,
    /// Last audit.
    pub last_audit: Option<NaiveDate>,
    /// Re-audit due date.
    pub reaudit_due: Option<NaiveDate>,
    /// Whether a re-audit is in progress.
    pub reaudit_in_progress: Option<bool>,
}

impl ListedStatus {
    /// The entry of a list dated `list_date`.
    pub fn of(entry: &StatusEntry, list_date: NaiveDate, source: &str) -> ListedStatus {
        ListedStatus {
            list_date,
            source: source.to_string(),
            status: entry.status,
            status_text: entry.status_text.clone(),
            last_audit: entry.last_audit,
            reaudit_due: entry.reaudit_due,
            reaudit_in_progress: entry.reaudit_in_progress,
        }
    }
}

/// Where the status lists up to a date leave a facility.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "listing", rename_all = "snake_case")]
pub enum Listing {
    /// The latest list covering its metal lists it.
    Listed(ListedStatus),
    /// An earlier list did, the latest one covering its metal does not.
    Dropped {
        /// Its entry in the last list naming it.
        last: ListedStatus,
        /// Date of the first later list without it.
        dropped_on: NaiveDate,
    },
    /// No list up to the date names it.
    NeverListed,
}

impl Listing {
    /// The status in force, when listed.
    pub fn status(&self) -> Option<&ListedStatus> {
        match self {
            Listing::Listed(s) => Some(s),
            _ => None,
        }
    }

    /// Short text ("conformant (list of 2025-09-30)").
    pub fn summary(&self) -> String {
        match self {
            Listing::Listed(s) => format!("{} (list of {})", s.status_text, s.list_date),
            Listing::Dropped { last, dropped_on } => format!(
                "not on the list of {dropped_on} (last listed {} as {})",
                last.list_date, last.status_text
            ),
            Listing::NeverListed => "on no status list".into(),
        }
    }
}

/// Status lists up to a date, indexed by facility.
pub struct StatusIndex<'a> {
    lists: Vec<IndexedList<'a>>,
}

struct IndexedList<'a> {
    snapshot: &'a StatusSnapshot,
    entries: HashMap<(String, String), &'a StatusEntry>,
    metals: HashSet<String>,
    any_metal: bool,
}

impl<'a> StatusIndex<'a> {
    /// Indexes the snapshots dated at or before `as_of` (any order given).
    pub fn new(snapshots: &'a [StatusSnapshot], as_of: NaiveDate) -> StatusIndex<'a> {
        let mut lists: Vec<IndexedList<'a>> = snapshots
            .iter()
            .filter(|s| s.as_of <= as_of)
            .map(|snapshot| {
                let mut entries = HashMap::new();
                let mut metals = HashSet::new();
                let mut any_metal = false;
                for e in &snapshot.entries {
                    let m = e.metal.as_deref().map(metal_key).unwrap_or_default();
                    if m.is_empty() {
                        any_metal = true;
                    } else {
                        metals.insert(m.clone());
                    }
                    entries.insert((m, e.cid.trim().to_ascii_uppercase()), e);
                }
                IndexedList {
                    snapshot,
                    entries,
                    metals,
                    any_metal,
                }
            })
            .collect();
        // Oldest first; the order of import breaks ties (later imports win).
        lists.sort_by_key(|l| l.snapshot.as_of);
        StatusIndex { lists }
    }

    /// Where the lists leave a facility.
    pub fn listing(&self, key: &FacilityKey) -> Listing {
        let mut newer_without: Option<NaiveDate> = None;
        for list in self.lists.iter().rev() {
            if !(list.any_metal || list.metals.contains(&key.metal)) {
                continue;
            }
            let entry = list
                .entries
                .get(&(key.metal.clone(), key.cid.clone()))
                .or_else(|| list.entries.get(&(String::new(), key.cid.clone())));
            match entry {
                Some(e) => {
                    let status = ListedStatus::of(e, list.snapshot.as_of, &list.snapshot.source);
                    return match newer_without {
                        Some(dropped_on) => Listing::Dropped {
                            last: status,
                            dropped_on,
                        },
                        None => Listing::Listed(status),
                    };
                }
                None => {
                    // Only a list dated after the last one naming it shows it was dropped.
                    if newer_without.is_none() {
                        newer_without = Some(list.snapshot.as_of);
                    }
                }
            }
        }
        Listing::NeverListed
    }

    /// The facility's status in every list (oldest first), for timelines.
    pub fn timeline(&self, key: &FacilityKey) -> Vec<(NaiveDate, Option<ListedStatus>)> {
        self.lists
            .iter()
            .filter(|l| l.any_metal || l.metals.contains(&key.metal))
            .map(|l| {
                let e = l
                    .entries
                    .get(&(key.metal.clone(), key.cid.clone()))
                    .or_else(|| l.entries.get(&(String::new(), key.cid.clone())));
                (
                    l.snapshot.as_of,
                    e.map(|e| ListedStatus::of(e, l.snapshot.as_of, &l.snapshot.source)),
                )
            })
            .collect()
    }
}

/// A facility declared in a campaign.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FacilityFacts {
    /// Metal and CID.
    pub key: FacilityKey,
    /// Metal as written.
    pub metal: String,
    /// Standard name.
    pub name: String,
    /// Country (registry spelling, else as declared).
    pub country: Option<String>,
    /// ISO alpha-2 code of the country.
    pub country_iso: Option<String>,
    /// What the status lists say on the date.
    pub listing: Listing,
    /// Whether RMI's newest smelter look-up no longer lists it.
    pub removed_from_lookup: bool,
    /// ERP IDs of the suppliers declaring it.
    pub suppliers: Vec<String>,
}

/// What a supplier's template says, as the rules read it.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Response {
    /// Submission ID.
    pub submission_id: i64,
    /// Day received.
    pub received_on: Option<NaiveDate>,
    /// Template family.
    pub family: Option<Family>,
    /// Template version.
    pub version: String,
    /// Minerals declared as used.
    pub active_minerals: Vec<String>,
    /// Mineral → question → answer (blank answers as `None`).
    pub mineral_answers: BTreeMap<String, BTreeMap<String, Option<String>>>,
    /// Company question → answers (one, or one per mineral).
    pub company_answers: BTreeMap<String, Vec<Option<String>>>,
    /// Smelter List rows naming no known facility ("Tin: Foo Smelting").
    pub unresolved_rows: Vec<String>,
    /// "Smelter not yet identified" rows ("Tin, row 12").
    pub not_yet_identified_rows: Vec<String>,
    /// Facilities its rows resolve to.
    pub facilities: Vec<FacilityKey>,
}

impl Response {
    /// Reads the answers of a supplier report.
    pub fn answers_from(report: &oretrail_template::SupplierReport) -> Response {
        let mineral_answers = report
            .mineral_answers
            .iter()
            .map(|(m, qs)| {
                (
                    m.clone(),
                    qs.iter()
                        .map(|(q, a)| (q.clone(), a.answer.clone()))
                        .collect(),
                )
            })
            .collect();
        let company_answers = report
            .company_answers
            .iter()
            .map(|(q, a)| {
                let answers = match a {
                    oretrail_template::CompanyAnswer::Single(a) => vec![a.answer.clone()],
                    oretrail_template::CompanyAnswer::PerMineral(m) => {
                        m.values().map(|a| a.answer.clone()).collect()
                    }
                };
                (q.clone(), answers)
            })
            .collect();
        Response {
            family: Some(report.template.family),
            version: report.template.version.clone(),
            active_minerals: report.active_minerals.clone(),
            mineral_answers,
            company_answers,
            ..Response::default()
        }
    }
}

/// A supplier in a campaign's scope.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SupplierFacts {
    /// Supplier ID.
    pub supplier_id: i64,
    /// ERP ID.
    pub erp_id: String,
    /// Name.
    pub name: String,
    /// In-scope spend.
    pub spend: f64,
    /// Request status on the date.
    pub request: RequestStatus,
    /// Whether any file came from it by the date (readable or not).
    pub submitted: bool,
    /// Its latest readable template by the date.
    pub response: Option<Response>,
}

/// A campaign's facts on a date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CampaignFacts {
    /// Campaign ID.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Deadline.
    pub deadline: Option<NaiveDate>,
    /// Minimum version per accepted family.
    pub minimum_versions: BTreeMap<Family, Option<String>>,
    /// Suppliers in scope.
    pub suppliers: Vec<SupplierFacts>,
    /// Facilities the suppliers declare.
    pub facilities: Vec<FacilityFacts>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(metal: Option<&str>, cid: &str, status: RmapStatus) -> StatusEntry {
        StatusEntry {
            metal: metal.map(str::to_string),
            cid: cid.into(),
            standard_name: None,
            country: None,
            state_province: None,
            status,
            status_text: format!("{status:?}"),
            last_audit: None,
            last_audit_text: None,
            audit_cycle_years: None,
            reaudit_due: None,
            reaudit_in_progress: None,
            cross_recognition: None,
        }
    }

    fn list(y: i32, m: u32, entries: Vec<StatusEntry>) -> StatusSnapshot {
        StatusSnapshot {
            as_of: NaiveDate::from_ymd_opt(y, m, 1).expect("date"),
            source: format!("{y}-{m}.csv"),
            entries,
            skipped: vec![],
        }
    }

    #[test]
    fn listings_follow_the_latest_list_covering_the_metal() {
        let d = |y, m| NaiveDate::from_ymd_opt(y, m, 15).expect("date");
        let lists = vec![
            list(
                2025,
                1,
                vec![entry(Some("Tin"), "CID1", RmapStatus::Conformant)],
            ),
            list(
                2025,
                6,
                vec![entry(Some("Tin"), "CID2", RmapStatus::Active)],
            ),
            // A gold-only list says nothing about tin facilities.
            list(
                2025,
                9,
                vec![entry(Some("Gold"), "CID9", RmapStatus::Conformant)],
            ),
        ];
        let tin = |cid| FacilityKey::new("tin", cid);
        let at_march = StatusIndex::new(&lists, d(2025, 3));
        assert!(
            matches!(at_march.listing(&tin("CID1")), Listing::Listed(s) if s.status == RmapStatus::Conformant)
        );
        assert_eq!(at_march.listing(&tin("CID2")), Listing::NeverListed);
        let now = StatusIndex::new(&lists, d(2025, 12));
        match now.listing(&tin("CID1")) {
            Listing::Dropped { last, dropped_on } => {
                assert_eq!(
                    last.list_date,
                    NaiveDate::from_ymd_opt(2025, 1, 1).expect("d")
                );
                assert_eq!(dropped_on, NaiveDate::from_ymd_opt(2025, 6, 1).expect("d"));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(now.listing(&tin("CID2")), Listing::Listed(_)));
        assert_eq!(
            now.timeline(&tin("CID1")).len(),
            2,
            "the gold list is left out"
        );
        // Lists without a metal column cover every metal.
        let plain = vec![list(
            2025,
            1,
            vec![entry(None, "CID1", RmapStatus::NonConformant)],
        )];
        let idx = StatusIndex::new(&plain, d(2025, 2));
        assert!(
            matches!(idx.listing(&tin("CID1")), Listing::Listed(s) if s.status == RmapStatus::NonConformant)
        );
    }
}
