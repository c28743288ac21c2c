//! A report's snapshot: every figure a report shows, with the pins that identify its inputs —
//! the SHA-256 of each supplier file, of each status list used, of the company profile, and the
//! policy versions. The report is a pure function of the snapshot, so regenerating it from the
//! stored snapshot gives the same document; the snapshot's ID is the SHA-256 of its JSON.

use crate::error::{ReportError, Result};
use crate::profile::CompanyProfile;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Layout version of snapshots.
pub const FORMAT: u32 = 1;

/// Everything a report shows, pinned to its inputs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Layout version.
    pub format: u32,
    /// The campaign reported on.
    pub campaign: CampaignInfo,
    /// Date facility statuses are taken at.
    pub as_of: NaiveDate,
    /// What the figures come from.
    pub pins: Pins,
    /// The company profile used.
    pub company: CompanyProfile,
    /// Scope, coverage and responses.
    pub coverage: Coverage,
    /// Every facility of the roll-up.
    pub facilities: Vec<Facility>,
    /// Problems found in the current submissions, by code.
    pub problems: Vec<ProblemCount>,
    /// Risk register, audits, training, grievances.
    pub risk: RiskData,
    /// Changes against the previous year's snapshot, when there was one.
    pub changes: Option<crate::compare::Comparison>,
}

/// The campaign.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignInfo {
    /// Name.
    pub name: String,
    /// Reporting period.
    pub period: String,
    /// Families requested ("CMRT", "EMRT").
    pub families: Vec<String>,
    /// Coverage goal (share of spend).
    pub goal: f64,
    /// Deadline.
    pub deadline: Option<NaiveDate>,
}

/// The inputs a snapshot is pinned to.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Pins {
    /// Supplier files behind the figures (current linked submissions).
    pub inputs: Vec<InputPin>,
    /// Status lists dated on or before the as-of date.
    pub status_lists: Vec<StatusListPin>,
    /// SHA-256 of the company profile as used.
    pub profile_sha256: String,
    /// Version of the company's sourcing policy document.
    pub policy_version: Option<String>,
    /// The risk policy in force ("name version (hash)").
    pub risk_policy: Option<String>,
    /// The program that made the snapshot.
    pub generator: String,
}

/// One supplier file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputPin {
    /// SHA-256 of the original.
    pub sha256: String,
    /// Supplier ERP ID.
    pub supplier: String,
    /// Supplier name.
    pub supplier_name: String,
    /// File name as received.
    pub file: String,
    /// Template ("CMRT 6.5").
    pub template: Option<String>,
    /// Effective date declared.
    pub effective_date: Option<NaiveDate>,
    /// Verdict.
    pub status: String,
}

/// One status list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusListPin {
    /// Date it describes.
    pub as_of: NaiveDate,
    /// File it came from.
    pub source: String,
    /// Facility lines.
    pub entries: usize,
    /// SHA-256 of its entries (JSON).
    pub sha256: String,
}

/// Coverage of one mineral (or "all").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MineralCoverage {
    /// Mineral or "all".
    pub mineral: String,
    /// In-scope spend.
    pub in_scope_spend: f64,
    /// Spend covered by accepted templates.
    pub covered_spend: f64,
    /// covered / in-scope.
    pub coverage: f64,
    /// Whether the goal is met.
    pub goal_met: bool,
    /// Relevant suppliers.
    pub suppliers: usize,
    /// Of which accepted.
    pub accepted: usize,
}

/// A supplier without an accepted template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MissingSupplier {
    /// ERP ID.
    pub erp_id: String,
    /// Name.
    pub name: String,
    /// Spend.
    pub spend: f64,
    /// Request status.
    pub status: String,
    /// Reason.
    pub reason: Option<String>,
}

/// Scope, coverage and responses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Coverage {
    /// Requests in scope.
    pub requests: usize,
    /// Waived.
    pub waived: usize,
    /// Share of non-waived requests that sent something.
    pub response_rate: f64,
    /// Requests by status.
    pub by_status: BTreeMap<String, usize>,
    /// Whole spend.
    pub overall: MineralCoverage,
    /// Per mineral.
    pub per_mineral: Vec<MineralCoverage>,
    /// Suppliers without an accepted template, largest spend first.
    pub missing: Vec<MissingSupplier>,
}

/// A facility of the roll-up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Facility {
    /// Metal.
    pub metal: String,
    /// RMI ID (`None`: unresolved name).
    pub cid: Option<String>,
    /// Name.
    pub name: String,
    /// Country.
    pub country: Option<String>,
    /// ISO code of the country.
    pub country_iso: Option<String>,
    /// RMAP status code ("conformant" ...), `None` when no list names it.
    pub status: Option<String>,
    /// Date of the list the status comes from.
    pub status_as_of: Option<NaiveDate>,
    /// Last audit.
    pub last_audit: Option<NaiveDate>,
    /// Risk lists its country is on.
    pub risk_lists: Vec<String>,
    /// Suppliers naming it.
    pub suppliers: Vec<String>,
}

/// Problems by code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProblemCount {
    /// Code.
    pub code: String,
    /// Severity.
    pub severity: String,
    /// Occurrences.
    pub count: i64,
    /// Submissions with it.
    pub submissions: i64,
}

/// The risk programme's records, as plain data.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RiskData {
    /// Where they come from ("risk register", a file, or "not recorded").
    pub source: String,
    /// Risk cases (red flags and the mitigation taken).
    pub cases: Vec<RiskCase>,
    /// Audits.
    pub audits: Vec<AuditItem>,
    /// Training sessions.
    pub trainings: Vec<TrainingItem>,
    /// Grievances.
    pub grievances: Vec<GrievanceItem>,
}

/// A risk case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskCase {
    /// Case ID.
    pub id: i64,
    /// "supplier" or "facility".
    pub subject_kind: String,
    /// Subject (ERP ID, or metal and CID).
    pub subject: String,
    /// Title (the risk found).
    pub title: String,
    /// "low", "medium", "high".
    pub level: String,
    /// "open" or "closed".
    pub status: String,
    /// Mitigation stage ("engage", "improvement_plan", "suspend", "disengage").
    pub stage: Option<String>,
    /// Opened.
    pub opened_on: NaiveDate,
    /// Closed.
    pub closed_on: Option<NaiveDate>,
    /// How it was closed.
    pub close_reason: Option<String>,
}

/// An audit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditItem {
    /// Site.
    pub site: String,
    /// "own_site", "supplier", "facility".
    pub subject_kind: String,
    /// Audit type.
    pub audit_type: String,
    /// Day.
    pub date: NaiveDate,
    /// Result.
    pub result: Option<String>,
    /// Findings.
    pub findings: usize,
    /// Findings still open.
    pub open_findings: usize,
}

/// A training session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingItem {
    /// Course.
    pub course: String,
    /// Day held.
    pub held_on: NaiveDate,
    /// Participants.
    pub participants: usize,
    /// Of which completed.
    pub completed: usize,
    /// Distinct suppliers taking part.
    pub suppliers: usize,
}

/// A grievance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GrievanceItem {
    /// Public reference.
    pub reference: String,
    /// Day received.
    pub received_on: NaiveDate,
    /// Status.
    pub status: String,
    /// Severity set at triage.
    pub severity: Option<String>,
    /// Summary.
    pub summary: String,
    /// Day answered.
    pub responded_on: Option<NaiveDate>,
}

impl Snapshot {
    /// The snapshot's JSON (deterministic: fields in declaration order, lists sorted).
    pub fn to_json(&self) -> Result<String> {
        Ok(serde_json::to_string_pretty(self)?)
    }

    /// Reads a snapshot.
    pub fn from_json(text: &str) -> Result<Snapshot> {
        let s: Snapshot = serde_json::from_str(text)?;
        if s.format != FORMAT {
            return Err(ReportError::Invalid(format!(
                "snapshot format {} is not {FORMAT}",
                s.format
            )));
        }
        Ok(s)
    }

    /// The snapshot's ID: SHA-256 of its JSON.
    pub fn id(&self) -> Result<String> {
        Ok(oretrail_store::sha256_hex(self.to_json()?.as_bytes()))
    }

    /// Short form of the ID (12 hex digits).
    pub fn short_id(&self) -> Result<String> {
        Ok(self.id()?[..12].to_string())
    }
}

/// Snapshots kept in a folder (`<data-dir>/reports`), one file per ID.
#[derive(Debug, Clone)]
pub struct SnapshotStore {
    dir: PathBuf,
}

/// A stored snapshot's headline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredSnapshot {
    /// ID.
    pub id: String,
    /// Campaign.
    pub campaign: String,
    /// Period.
    pub period: String,
    /// As of.
    pub as_of: NaiveDate,
    /// Supplier files pinned.
    pub inputs: usize,
    /// When it was first saved (RFC 3339 UTC): from the log of [`SnapshotStore::save_by`], else
    /// the file's modification time.
    pub created: Option<String>,
    /// Who made it, when it was saved through [`SnapshotStore::save_by`] (the web application
    /// records its user; the command line does not).
    pub by: Option<String>,
}

/// One line of `reports/made.jsonl`: who saved a snapshot, and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MadeBy {
    /// Snapshot ID.
    pub id: String,
    /// Who.
    pub by: String,
    /// When (RFC 3339 UTC).
    pub at: String,
}

/// Name of the log of who saved which snapshot, in the snapshots folder.
pub const MADE_LOG: &str = "made.jsonl";

impl SnapshotStore {
    /// The snapshots of a data directory.
    pub fn new(data_dir: &Path) -> SnapshotStore {
        SnapshotStore {
            dir: data_dir.join("reports"),
        }
    }

    /// Saves a snapshot (idempotent) and returns its ID.
    pub fn save(&self, s: &Snapshot) -> Result<String> {
        let json = s.to_json()?;
        let id = oretrail_store::sha256_hex(json.as_bytes());
        std::fs::create_dir_all(&self.dir).map_err(|e| ReportError::io(&self.dir, e))?;
        let path = self.dir.join(format!("{id}.json"));
        if !path.exists() {
            let tmp = self.dir.join(format!(".{id}.tmp"));
            std::fs::write(&tmp, json.as_bytes()).map_err(|e| ReportError::io(&tmp, e))?;
            std::fs::rename(&tmp, &path).map_err(|e| ReportError::io(&path, e))?;
        }
        Ok(id)
    }

    /// Saves a snapshot like [`SnapshotStore::save`] and records who saved it, and when, in
    /// `reports/made.jsonl` (one JSON line per save; the first line of an ID is its creation).
    pub fn save_by(&self, s: &Snapshot, by: &str) -> Result<String> {
        use std::io::Write;
        let id = self.save(s)?;
        let line = serde_json::to_string(&MadeBy {
            id: id.clone(),
            by: by.to_string(),
            at: chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now())
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        })?;
        let path = self.dir.join(MADE_LOG);
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| ReportError::io(&path, e))?;
        f.write_all(format!("{line}\n").as_bytes())
            .map_err(|e| ReportError::io(&path, e))?;
        Ok(id)
    }

    /// Who saved which snapshot first, and when (from `reports/made.jsonl`; unreadable lines
    /// are skipped).
    pub fn made(&self) -> Result<BTreeMap<String, MadeBy>> {
        let path = self.dir.join(MADE_LOG);
        let mut out = BTreeMap::new();
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
            Err(e) => return Err(ReportError::io(&path, e)),
        };
        for line in text.lines() {
            if let Ok(m) = serde_json::from_str::<MadeBy>(line) {
                out.entry(m.id.clone()).or_insert(m);
            }
        }
        Ok(out)
    }

    /// Loads a snapshot by ID or unique ID prefix (at least 6 hex digits), or from a file path.
    pub fn load(&self, id_or_path: &str) -> Result<Snapshot> {
        let as_path = Path::new(id_or_path);
        if as_path.is_file() {
            let text = std::fs::read_to_string(as_path).map_err(|e| ReportError::io(as_path, e))?;
            return Snapshot::from_json(&text);
        }
        self.load_id(id_or_path).map(|(_, s)| s)
    }

    /// Loads a stored snapshot by ID or unique ID prefix (at least 6 hex digits) only — never
    /// a file path, so that the name may come from a web request — with its full ID.
    pub fn load_id(&self, id: &str) -> Result<(String, Snapshot)> {
        let want = id.trim().to_ascii_lowercase();
        if want.len() < 6 || want.len() > 64 || !want.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(ReportError::Invalid(format!(
                "'{id}' is neither a snapshot file nor a snapshot ID"
            )));
        }
        let matches: Vec<String> = self
            .ids()?
            .into_iter()
            .filter(|i| i.starts_with(&want))
            .collect();
        let full = match matches.as_slice() {
            [one] => one.clone(),
            [] => return Err(ReportError::NotFound(format!("no snapshot {id}"))),
            _ => return Err(ReportError::Invalid(format!("{id} is ambiguous"))),
        };
        let path = self.dir.join(format!("{full}.json"));
        let text = std::fs::read_to_string(&path).map_err(|e| ReportError::io(&path, e))?;
        Ok((full, Snapshot::from_json(&text)?))
    }

    fn ids(&self) -> Result<Vec<String>> {
        if !self.dir.is_dir() {
            return Ok(Vec::new());
        }
        let mut ids: Vec<String> = std::fs::read_dir(&self.dir)
            .map_err(|e| ReportError::io(&self.dir, e))?
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().to_string();
                name.strip_suffix(".json").map(str::to_string)
            })
            .filter(|id| id.len() == 64)
            .collect();
        ids.sort();
        Ok(ids)
    }

    /// Every stored snapshot, newest as-of first.
    pub fn list(&self) -> Result<Vec<StoredSnapshot>> {
        let made = self.made()?;
        let mut out = Vec::new();
        for id in self.ids()? {
            let Ok((_, s)) = self.load_id(&id) else {
                continue;
            };
            let m = made.get(&id);
            let created = m.map(|m| m.at.clone()).or_else(|| {
                let path = self.dir.join(format!("{id}.json"));
                let modified = std::fs::metadata(path).and_then(|m| m.modified()).ok()?;
                Some(
                    chrono::DateTime::<chrono::Utc>::from(modified)
                        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                )
            });
            out.push(StoredSnapshot {
                by: m.map(|m| m.by.clone()),
                created,
                id,
                campaign: s.campaign.name,
                period: s.campaign.period,
                as_of: s.as_of,
                inputs: s.pins.inputs.len(),
            });
        }
        out.sort_by(|a, b| b.as_of.cmp(&a.as_of).then_with(|| a.id.cmp(&b.id)));
        Ok(out)
    }

    /// The newest stored snapshot of a campaign, if any.
    pub fn latest_of(&self, campaign: &str) -> Result<Option<Snapshot>> {
        match self.list()?.into_iter().find(|s| s.campaign == campaign) {
            Some(s) => self.load_id(&s.id).map(|(_, s)| Some(s)),
            None => Ok(None),
        }
    }
}
