//! Submissions: a received file, what it declared, its problems and resolved smelter rows, the
//! supplier it belongs to, and whether it is accepted — superseding that supplier's earlier
//! submission in the campaign while keeping it as history.

use crate::Store;
use crate::bulk::{Arg, insert_rows};
use crate::campaigns::{Campaign, RequestStatus, update_request};
use crate::db::{Backend, now};
use crate::error::{Result, StoreError};
use crate::suppliers::{Supplier, list_suppliers, name_key};
use oretrail_facilities::normalize::name_tokens;
use oretrail_facilities::registry::{compare_versions, metal_key};
use oretrail_facilities::similarity::name_similarity;
use oretrail_template::{EntryKind, ResolutionMethod, SupplierReport};
use oretrail_validate::{Problem, Severity};
use serde::Serialize;
use sqlx::{AnyConnection, Row};
use std::collections::{HashMap, HashSet};

/// What the pipeline made of one file's bytes.
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    /// The report with resolved smelter rows, when the file could be read.
    pub report: Option<SupplierReport>,
    /// Reject reason code, when it could not.
    pub reject_code: Option<String>,
    /// Reject explanation.
    pub reject_detail: Option<String>,
    /// Problems found.
    pub problems: Vec<Problem>,
}

/// How a file was received.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Receipt {
    /// File name as received (for archives: `archive.zip/folder/file.xlsx`).
    pub original_name: String,
    /// Who received or uploaded it.
    pub received_by: String,
    /// How ("cli ingest", "zip archive", "web upload" ...).
    pub received_via: String,
}

/// Whether a submission's supplier is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkState {
    /// Linked with certainty (unique ID, ERP ID, exact name, or confirmed).
    Linked,
    /// A likely supplier awaits an analyst's confirmation.
    NeedsConfirmation,
    /// No supplier found.
    Unlinked,
}

impl LinkState {
    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            LinkState::Linked => "linked",
            LinkState::NeedsConfirmation => "needs_confirmation",
            LinkState::Unlinked => "unlinked",
        }
    }
}

/// The supplier a submission is linked to, and how.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Link {
    /// Supplier ID (also for a link that needs confirmation).
    pub supplier_id: Option<i64>,
    /// "unique_id", "erp_id", "name", "fuzzy", "explicit" or "none".
    pub method: &'static str,
    /// Similarity of a fuzzy match.
    pub score: Option<f64>,
    /// State.
    pub state: LinkState,
}

/// Suppliers indexed for linking declarations to them.
#[derive(Debug, Default)]
pub struct SupplierIndex {
    suppliers: Vec<(i64, Vec<String>)>,
    by_id_key: HashMap<String, Vec<usize>>,
    by_erp_key: HashMap<String, Vec<usize>>,
    by_name: HashMap<String, Vec<usize>>,
    by_token: HashMap<String, Vec<usize>>,
}

/// Lowest similarity for a fuzzy name match to be proposed.
pub const FUZZY_LINK_THRESHOLD: f64 = 0.85;

fn id_key(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect()
}

impl SupplierIndex {
    /// Indexes suppliers.
    pub fn new(suppliers: &[Supplier]) -> SupplierIndex {
        let mut index = SupplierIndex::default();
        for (i, s) in suppliers.iter().enumerate() {
            let tokens = name_tokens(&s.name).tokens;
            for t in &tokens {
                let list = index.by_token.entry(t.clone()).or_default();
                if list.last() != Some(&i) {
                    list.push(i);
                }
            }
            index.suppliers.push((s.id, tokens));
            if let Some(u) = s.unique_id.as_deref().map(id_key).filter(|k| !k.is_empty()) {
                index.by_id_key.entry(u).or_default().push(i);
            }
            let erp = id_key(&s.erp_id);
            if !erp.is_empty() {
                index.by_erp_key.entry(erp).or_default().push(i);
            }
            index.by_name.entry(name_key(&s.name)).or_default().push(i);
        }
        index
    }

    /// Links a declared company to a supplier: unique ID, then ERP ID, then the normalised
    /// name; a fuzzy name match is only proposed (needs confirmation).
    pub fn link(&self, company_name: Option<&str>, unique_id: Option<&str>) -> Link {
        let one = |list: Option<&Vec<usize>>| match list.map(Vec::as_slice) {
            Some([i]) => Some(self.suppliers[*i].0),
            _ => None,
        };
        let sure = |id, method| Link {
            supplier_id: Some(id),
            method,
            score: None,
            state: LinkState::Linked,
        };
        if let Some(key) = unique_id.map(id_key).filter(|k| k.len() >= 3) {
            if let Some(id) = one(self.by_id_key.get(&key)) {
                return sure(id, "unique_id");
            }
            if let Some(id) = one(self.by_erp_key.get(&key)) {
                return sure(id, "erp_id");
            }
        }
        let Some(name) = company_name.map(str::trim).filter(|n| !n.is_empty()) else {
            return Link {
                supplier_id: None,
                method: "none",
                score: None,
                state: LinkState::Unlinked,
            };
        };
        match self.by_name.get(&name_key(name)).map(Vec::as_slice) {
            Some([i]) => return sure(self.suppliers[*i].0, "name"),
            Some([i, ..]) => {
                return Link {
                    supplier_id: Some(self.suppliers[*i].0),
                    method: "name",
                    score: Some(1.0),
                    state: LinkState::NeedsConfirmation,
                };
            }
            _ => {}
        }
        let tokens = name_tokens(name).tokens;
        let mut seen = HashSet::new();
        let mut best: Option<(f64, i64)> = None;
        let mut second = 0.0f64;
        for t in &tokens {
            for &i in self.by_token.get(t).map(Vec::as_slice).unwrap_or(&[]) {
                if !seen.insert(i) {
                    continue;
                }
                let (id, other) = &self.suppliers[i];
                let score = name_similarity(&tokens, other);
                match best {
                    Some((b, _)) if score <= b => second = second.max(score),
                    _ => {
                        second = second.max(best.map_or(0.0, |b| b.0));
                        best = Some((score, *id));
                    }
                }
            }
        }
        match best {
            Some((score, id)) if score >= FUZZY_LINK_THRESHOLD && score - second > 0.02 => Link {
                supplier_id: Some(id),
                method: "fuzzy",
                score: Some(score),
                state: LinkState::NeedsConfirmation,
            },
            _ => Link {
                supplier_id: None,
                method: "none",
                score: None,
                state: LinkState::Unlinked,
            },
        }
    }
}

/// Status of a submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SubmissionStatus {
    /// Counts for the campaign.
    Accepted,
    /// Cannot count (unreadable, not accepted by the campaign, or with errors).
    Rejected,
    /// An analyst must confirm the supplier first.
    NeedsReview,
}

impl SubmissionStatus {
    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            SubmissionStatus::Accepted => "accepted",
            SubmissionStatus::Rejected => "rejected",
            SubmissionStatus::NeedsReview => "needs_review",
        }
    }
}

/// Decision about one analysed file.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// Status.
    pub status: SubmissionStatus,
    /// Why (rejections, reviews).
    pub reason: Option<String>,
}

/// Decides a submission's status from what was read, the supplier link and the campaign's
/// accepted templates: unreadable → rejected; unsure supplier → needs review; family or version
/// not accepted, or errors → rejected; otherwise accepted.
pub fn judge(
    family_version: Option<(&str, &str)>,
    reject: Option<&str>,
    error_codes: &[String],
    link: &Link,
    campaign: Option<&Campaign>,
) -> Verdict {
    let rejected = |reason: String| Verdict {
        status: SubmissionStatus::Rejected,
        reason: Some(reason),
    };
    if let Some(r) = reject {
        return rejected(r.to_string());
    }
    if link.state != LinkState::Linked {
        return Verdict {
            status: SubmissionStatus::NeedsReview,
            reason: Some(match link.state {
                LinkState::NeedsConfirmation => format!(
                    "supplier match by {} needs confirmation{}",
                    link.method,
                    link.score
                        .map(|s| format!(" (similarity {s:.2})"))
                        .unwrap_or_default()
                ),
                _ => "no supplier matches the declared company".to_string(),
            }),
        };
    }
    if let (Some(c), Some((family, version))) = (campaign, family_version) {
        let accepted = c
            .spec
            .families
            .iter()
            .find(|(f, _)| f.code().eq_ignore_ascii_case(family));
        match accepted {
            None if !c.spec.families.is_empty() => {
                return rejected(format!(
                    "template_not_accepted: {family} is not a template this campaign asks for"
                ));
            }
            Some((_, Some(min))) if compare_versions(version, min).is_lt() => {
                return rejected(format!(
                    "template_too_old: {family} {version} is older than the campaign's minimum {min}"
                ));
            }
            _ => {}
        }
    }
    if !error_codes.is_empty() {
        let mut codes: Vec<&str> = error_codes.iter().map(String::as_str).collect();
        codes.sort_unstable();
        codes.dedup();
        return rejected(format!(
            "errors: {} error(s): {}",
            error_codes.len(),
            codes.join(", ")
        ));
    }
    Verdict {
        status: SubmissionStatus::Accepted,
        reason: None,
    }
}

/// A file ready to be written: hash, receipt and analysis (the original already stored).
#[derive(Debug, Clone)]
pub struct NewSubmission {
    /// SHA-256 of the bytes (the original is durable under this name).
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// How it was received.
    pub receipt: Receipt,
    /// What it says.
    pub analysis: Analysis,
}

/// What writing one file did.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// Accepted without warnings.
    New {
        /// Submission ID.
        submission_id: i64,
    },
    /// Accepted, with warnings.
    AcceptedWithWarnings {
        /// Submission ID.
        submission_id: i64,
        /// Number of warnings.
        warnings: usize,
    },
    /// Rejected, with the reason.
    Rejected {
        /// Submission ID.
        submission_id: i64,
        /// Why.
        reason: String,
    },
    /// Stored, waiting for an analyst.
    NeedsReview {
        /// Submission ID.
        submission_id: i64,
        /// Why.
        reason: String,
    },
    /// The same bytes were already received (in this campaign).
    Duplicate {
        /// The earlier submission.
        submission_id: i64,
    },
    /// Not read at all (unsafe archive entry, over a size limit, unreadable on disk).
    NotStored {
        /// Why.
        reason: String,
    },
}

/// Writes submissions from one place (ingest's single writer), many per transaction.
pub struct SubmissionWriter {
    store: Store,
    campaign: Option<Campaign>,
    index: SupplierIndex,
    requests: HashMap<i64, i64>,
    known: HashMap<String, i64>,
    refs: HashMap<(String, String), i64>,
    actor: String,
}

impl SubmissionWriter {
    /// A writer for a campaign (or none), loading suppliers, requests and known hashes.
    pub async fn new(store: &Store, campaign: Option<Campaign>, actor: &str) -> Result<Self> {
        let suppliers = list_suppliers(store).await?;
        let campaign_key = campaign.as_ref().map_or(0, |c| c.id);
        let mut requests = HashMap::new();
        if let Some(c) = &campaign {
            for r in sqlx::query("SELECT supplier_id, id FROM requests WHERE campaign_id = $1")
                .bind(c.id)
                .fetch_all(store.pool())
                .await?
            {
                requests.insert(r.try_get(0)?, r.try_get(1)?);
            }
        }
        let mut known = HashMap::new();
        for r in sqlx::query("SELECT file_sha256, id FROM submissions WHERE campaign_key = $1")
            .bind(campaign_key)
            .fetch_all(store.pool())
            .await?
        {
            known.insert(r.try_get(0)?, r.try_get(1)?);
        }
        let mut refs = HashMap::new();
        for r in sqlx::query("SELECT metal_key, cid, id FROM facility_refs")
            .fetch_all(store.pool())
            .await?
        {
            refs.insert((r.try_get(0)?, r.try_get(1)?), r.try_get(2)?);
        }
        Ok(SubmissionWriter {
            refs,
            store: store.clone(),
            campaign,
            index: SupplierIndex::new(&suppliers),
            requests,
            known,
            actor: actor.to_string(),
        })
    }

    /// Hashes already received in this campaign (workers skip parsing them).
    pub fn known_hashes(&self) -> HashSet<String> {
        self.known.keys().cloned().collect()
    }

    /// The earlier submission of these bytes, if any.
    pub fn duplicate_of(&self, sha256: &str) -> Option<i64> {
        self.known.get(sha256).copied()
    }

    /// Writes a batch in one transaction; outcomes in batch order.
    pub async fn write(&mut self, batch: Vec<NewSubmission>) -> Result<Vec<Outcome>> {
        let mut tx = self.store.pool().begin().await?;
        let outcomes = self.write_in(&mut tx, batch).await?;
        tx.commit().await?;
        Ok(outcomes)
    }

    /// Gives every facility the batch resolves to its `facility_refs` integer, each in its own
    /// short statement outside any batch transaction. Concurrent writers (queue workers) call
    /// this first, so that their batch transactions never wait on each other's new refs.
    pub async fn prepare_refs(&mut self, batch: &[NewSubmission]) -> Result<()> {
        let mut conn = self.store.pool().acquire().await?;
        for sub in batch {
            if let Some(report) = &sub.analysis.report {
                self.ensure_refs(&mut conn, report).await?;
            }
        }
        Ok(())
    }

    /// Writes a batch inside the caller's transaction; outcomes in batch order. When the
    /// caller rolls back, this writer's memory of what exists is wrong: drop it and make a new
    /// one.
    pub async fn write_in(
        &mut self,
        tx: &mut AnyConnection,
        batch: Vec<NewSubmission>,
    ) -> Result<Vec<Outcome>> {
        let backend = self.store.backend();
        let campaign_key = self.campaign.as_ref().map_or(0, |c| c.id);
        if backend == Backend::Postgres {
            self.lock_suppliers(tx, &batch).await?;
        }
        let mut outcomes = Vec::with_capacity(batch.len());
        let mut children = Children::default();
        let received_at = now();
        for sub in batch {
            if let Some(id) = self.known.get(&sub.sha256) {
                outcomes.push(Outcome::Duplicate { submission_id: *id });
                continue;
            }
            let report = sub.analysis.report.as_ref();
            let declaration = report.map(|r| &r.declaration);
            let link = match report {
                Some(_) => self.index.link(
                    declaration.and_then(|d| d.company_name.as_deref()),
                    declaration.and_then(|d| d.company_unique_id.as_deref()),
                ),
                None => Link {
                    supplier_id: None,
                    method: "none",
                    score: None,
                    state: LinkState::Unlinked,
                },
            };
            let count = |s: Severity| {
                sub.analysis
                    .problems
                    .iter()
                    .filter(|p| p.severity == s)
                    .count()
            };
            let errors: Vec<String> = sub
                .analysis
                .problems
                .iter()
                .filter(|p| p.severity == Severity::Error)
                .map(|p| p.code.as_str().to_string())
                .collect();
            let reject = sub.analysis.reject_code.as_ref().map(|c| {
                format!(
                    "{c}: {}",
                    sub.analysis
                        .reject_detail
                        .as_deref()
                        .unwrap_or("unreadable")
                )
            });
            let family_version =
                report.map(|r| (r.template.family.code(), r.template.version.as_str()));
            let verdict = judge(
                family_version,
                reject.as_deref(),
                &errors,
                &link,
                self.campaign.as_ref(),
            );
            sqlx::query(
                "INSERT INTO files (sha256, size, first_name, stored_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (sha256) DO NOTHING",
            )
            .bind(sub.sha256.clone())
            .bind(i64::try_from(sub.size).unwrap_or(i64::MAX))
            .bind(sub.receipt.original_name.clone())
            .bind(received_at.clone())
            .execute(&mut *tx)
            .await?;
            let report_json = report.map(serde_json::to_string).transpose()?;
            let row = sqlx::query(
                "INSERT INTO submissions (campaign_id, campaign_key, file_sha256, original_name, \
                 received_at, received_by, received_via, family, version, company_name, \
                 company_unique_id, effective_date, supplier_id, link_method, link_score, \
                 link_state, status, status_reason, error_count, warning_count, info_count, \
                 report_json) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, \
                 $14, CAST($15 AS DOUBLE PRECISION), $16, $17, $18, $19, $20, $21, $22) \
                 RETURNING id",
            )
            .bind(self.campaign.as_ref().map(|c| c.id))
            .bind(campaign_key)
            .bind(sub.sha256.clone())
            .bind(sub.receipt.original_name.clone())
            .bind(received_at.clone())
            .bind(if sub.receipt.received_by.is_empty() {
                self.actor.clone()
            } else {
                sub.receipt.received_by.clone()
            })
            .bind(sub.receipt.received_via.clone())
            .bind(family_version.map(|f| f.0.to_string()))
            .bind(family_version.map(|f| f.1.to_string()))
            .bind(declaration.and_then(|d| d.company_name.clone()))
            .bind(declaration.and_then(|d| d.company_unique_id.clone()))
            .bind(declaration.and_then(|d| d.effective_date.clone()))
            .bind(link.supplier_id)
            .bind(link.method)
            .bind(crate::db::nullable_real(link.score))
            .bind(link.state.code())
            .bind(verdict.status.code())
            .bind(verdict.reason.clone())
            .bind(count(Severity::Error) as i64)
            .bind(count(Severity::Warning) as i64)
            .bind(count(Severity::Info) as i64)
            .bind(report_json)
            .fetch_one(&mut *tx)
            .await?;
            let id: i64 = row.try_get(0)?;
            self.known.insert(sub.sha256.clone(), id);
            if let Some(report) = report {
                self.ensure_refs(&mut *tx, report).await?;
            }
            children.add(id, &sub.analysis, &self.refs);
            if link.state == LinkState::Linked
                && let Some(supplier) = link.supplier_id
            {
                supersede(&mut *tx, campaign_key, supplier, id).await?;
                if let Some(&request) = self.requests.get(&supplier) {
                    let status = match verdict.status {
                        SubmissionStatus::Accepted => RequestStatus::Accepted,
                        SubmissionStatus::Rejected => RequestStatus::Rejected,
                        SubmissionStatus::NeedsReview => RequestStatus::Received,
                    };
                    update_request(
                        &mut *tx,
                        request,
                        status,
                        verdict.reason.as_deref(),
                        &self.actor,
                    )
                    .await?;
                }
            }
            let warnings = count(Severity::Warning);
            outcomes.push(match (verdict.status, verdict.reason) {
                (SubmissionStatus::Accepted, _) if warnings == 0 => {
                    Outcome::New { submission_id: id }
                }
                (SubmissionStatus::Accepted, _) => Outcome::AcceptedWithWarnings {
                    submission_id: id,
                    warnings,
                },
                (SubmissionStatus::Rejected, reason) => Outcome::Rejected {
                    submission_id: id,
                    reason: reason.unwrap_or_default(),
                },
                (SubmissionStatus::NeedsReview, reason) => Outcome::NeedsReview {
                    submission_id: id,
                    reason: reason.unwrap_or_default(),
                },
            });
        }
        children.flush(&mut *tx, backend).await?;
        Ok(outcomes)
    }

    /// Locks the rows of the suppliers a batch links to, in id order (PostgreSQL). Two writers
    /// (queue workers, web servers) taking files of one supplier then run one after the other,
    /// so the later one sees the earlier one's submission when it marks older ones superseded;
    /// the fixed order means they cannot deadlock.
    async fn lock_suppliers(&self, tx: &mut AnyConnection, batch: &[NewSubmission]) -> Result<()> {
        let mut ids: Vec<i64> = batch
            .iter()
            .filter_map(|sub| {
                let d = &sub.analysis.report.as_ref()?.declaration;
                let link = self
                    .index
                    .link(d.company_name.as_deref(), d.company_unique_id.as_deref());
                (link.state == LinkState::Linked)
                    .then_some(link.supplier_id)
                    .flatten()
            })
            .collect();
        ids.sort_unstable();
        ids.dedup();
        for id in ids {
            sqlx::query("SELECT id FROM suppliers WHERE id = $1 FOR UPDATE")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        }
        Ok(())
    }
}

impl SubmissionWriter {
    /// Gives every facility the report resolves to its small integer (`facility_refs`).
    async fn ensure_refs(
        &mut self,
        conn: &mut AnyConnection,
        report: &SupplierReport,
    ) -> Result<()> {
        for s in &report.smelters {
            let Some(r) = &s.resolution else { continue };
            let Some(cid) = &r.canonical_cid else {
                continue;
            };
            let key = (
                s.metal.as_deref().map(metal_key).unwrap_or_default(),
                cid.clone(),
            );
            if self.refs.contains_key(&key) {
                continue;
            }
            sqlx::query(
                "INSERT INTO facility_refs (metal_key, cid, metal, name, country) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (metal_key, cid) DO NOTHING",
            )
            .bind(key.0.clone())
            .bind(key.1.clone())
            .bind(s.metal.clone())
            .bind(r.canonical_name.clone())
            .bind(s.country.clone())
            .execute(&mut *conn)
            .await?;
            let id: i64 =
                sqlx::query("SELECT id FROM facility_refs WHERE metal_key = $1 AND cid = $2")
                    .bind(key.0.clone())
                    .bind(key.1.clone())
                    .fetch_one(&mut *conn)
                    .await?
                    .try_get(0)?;
            self.refs.insert(key, id);
        }
        Ok(())
    }
}

/// Marks the supplier's current submission(s) in the campaign as superseded by `by`.
async fn supersede(
    conn: &mut AnyConnection,
    campaign_key: i64,
    supplier: i64,
    by: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE submissions SET superseded_by = $1 WHERE campaign_key = $2 AND supplier_id = $3 \
         AND link_state = 'linked' AND superseded_by IS NULL AND id <> $1",
    )
    .bind(by)
    .bind(campaign_key)
    .bind(supplier)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Rows of a batch's child tables, flushed together.
#[derive(Default)]
struct Children {
    minerals: Vec<Vec<Arg>>,
    problems: Vec<Vec<Arg>>,
    smelters: Vec<Vec<Arg>>,
}

fn entry_code(e: EntryKind) -> &'static str {
    match e {
        EntryKind::Lookup => "lookup",
        EntryKind::SmelterId => "smelter_id",
        EntryKind::NotListed => "not_listed",
        EntryKind::NotYetIdentified => "not_yet_identified",
    }
}

/// Stored code of a resolution method ("exact_name").
pub fn method_code(m: ResolutionMethod) -> &'static str {
    match m {
        ResolutionMethod::Cid => "cid",
        ResolutionMethod::ExactName => "exact_name",
        ResolutionMethod::NormalizedName => "normalized_name",
        ResolutionMethod::Fuzzy => "fuzzy",
        ResolutionMethod::Manual => "manual",
        ResolutionMethod::Unresolved => "unresolved",
    }
}

impl Children {
    fn add(&mut self, id: i64, analysis: &Analysis, refs: &HashMap<(String, String), i64>) {
        if let Some(report) = &analysis.report {
            let mut seen = HashSet::new();
            for m in &report.minerals_in_scope {
                let key = metal_key(m);
                if seen.insert(key.clone()) {
                    let active = report.active_minerals.iter().any(|a| metal_key(a) == key);
                    self.minerals
                        .push(vec![id.into(), key.into(), active.into()]);
                }
            }
            let mut rows = HashSet::new();
            for s in &report.smelters {
                if !rows.insert(s.row) {
                    continue;
                }
                let res = s.resolution.as_ref();
                let metal = s.metal.as_deref().map(metal_key).unwrap_or_default();
                let facility_ref = res
                    .and_then(|r| r.canonical_cid.clone())
                    .and_then(|cid| refs.get(&(metal.clone(), cid)).copied());
                self.smelters.push(vec![
                    id.into(),
                    i64::from(s.row).into(),
                    s.metal.clone().into(),
                    s.metal.as_deref().map(metal_key).unwrap_or_default().into(),
                    entry_code(s.entry).into(),
                    s.lookup_value.clone().into(),
                    s.name.clone().into(),
                    s.name.as_deref().map(name_key).unwrap_or_default().into(),
                    s.country.clone().into(),
                    s.cid.clone().into(),
                    res.and_then(|r| r.canonical_cid.clone()).into(),
                    res.and_then(|r| r.canonical_name.clone()).into(),
                    res.map_or("unresolved", |r| method_code(r.method)).into(),
                    res.map_or(0.0, |r| r.confidence).into(),
                    facility_ref.into(),
                ]);
            }
        }
        for (i, p) in analysis.problems.iter().enumerate() {
            self.problems.push(vec![
                id.into(),
                (i as i64).into(),
                p.code.as_str().into(),
                p.severity.as_str().into(),
                p.sheet.clone().into(),
                p.cell.clone().into(),
                p.message.as_str().into(),
                serde_json::to_string(p).ok().into(),
            ]);
        }
    }

    async fn flush(self, conn: &mut AnyConnection, backend: Backend) -> Result<()> {
        insert_rows(
            conn,
            backend,
            "submission_minerals",
            &["submission_id", "mineral_key", "active"],
            self.minerals,
            "",
        )
        .await?;
        insert_rows(
            conn,
            backend,
            "submission_problems",
            &[
                "submission_id",
                "position",
                "code",
                "severity",
                "sheet",
                "cell",
                "message",
                "detail_json",
            ],
            self.problems,
            "",
        )
        .await?;
        insert_rows(
            conn,
            backend,
            "submission_smelters",
            &[
                "submission_id",
                "sheet_row",
                "metal",
                "metal_key",
                "entry_kind",
                "lookup_value",
                "name",
                "name_key",
                "country",
                "declared_cid",
                "cid",
                "canonical_name",
                "method",
                "confidence",
                "facility_ref",
            ],
            self.smelters,
            "",
        )
        .await
    }
}

/// A submission as listed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubmissionSummary {
    /// ID.
    pub id: i64,
    /// File hash.
    pub sha256: String,
    /// File name as received.
    pub original_name: String,
    /// When received.
    pub received_at: String,
    /// Family and version.
    pub template: Option<String>,
    /// Declared company.
    pub company_name: Option<String>,
    /// Linked supplier's ERP ID.
    pub supplier: Option<String>,
    /// Link state.
    pub link_state: String,
    /// Status.
    pub status: String,
    /// Why.
    pub status_reason: Option<String>,
    /// Superseded by a later submission.
    pub superseded_by: Option<i64>,
}

/// Submissions of a campaign (`None`: received without campaign), newest first; only those
/// needing review when `review_only`.
pub async fn list_submissions(
    store: &Store,
    campaign_id: Option<i64>,
    review_only: bool,
) -> Result<Vec<SubmissionSummary>> {
    let sql = format!(
        "SELECT b.id, b.file_sha256, b.original_name, b.received_at, b.family, b.version, \
         b.company_name, s.erp_id, b.link_state, b.status, b.status_reason, b.superseded_by \
         FROM submissions b LEFT JOIN suppliers s ON s.id = b.supplier_id \
         WHERE b.campaign_key = $1 {} ORDER BY b.id DESC",
        if review_only {
            "AND b.status = 'needs_review'"
        } else {
            ""
        }
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(campaign_id.unwrap_or(0))
        .fetch_all(store.pool())
        .await?
        .iter()
        .map(|r| {
            let family: Option<String> = r.try_get(4)?;
            let version: Option<String> = r.try_get(5)?;
            Ok(SubmissionSummary {
                id: r.try_get(0)?,
                sha256: r.try_get(1)?,
                original_name: r.try_get(2)?,
                received_at: r.try_get(3)?,
                template: family.map(|f| format!("{f} {}", version.unwrap_or_default())),
                company_name: r.try_get(6)?,
                supplier: r.try_get(7)?,
                link_state: r.try_get(8)?,
                status: r.try_get(9)?,
                status_reason: r.try_get(10)?,
                superseded_by: r.try_get(11)?,
            })
        })
        .collect()
}

/// Links a submission to a supplier explicitly (an analyst's confirmation), judges it again,
/// supersedes the supplier's earlier submission and updates the request.
pub async fn confirm_supplier(
    store: &Store,
    submission_id: i64,
    erp_id: &str,
    actor: &str,
) -> Result<SubmissionStatus> {
    let supplier = crate::suppliers::supplier_by_erp_id(store, erp_id)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            kind: "supplier",
            name: erp_id.to_string(),
        })?;
    let row = sqlx::query(
        "SELECT campaign_id, campaign_key, family, version, status, status_reason, report_json \
         FROM submissions WHERE id = $1",
    )
    .bind(submission_id)
    .fetch_optional(store.pool())
    .await?
    .ok_or_else(|| StoreError::NotFound {
        kind: "submission",
        name: submission_id.to_string(),
    })?;
    let campaign_id: Option<i64> = row.try_get(0)?;
    let campaign_key: i64 = row.try_get(1)?;
    let family: Option<String> = row.try_get(2)?;
    let version: Option<String> = row.try_get(3)?;
    let report_json: Option<String> = row.try_get(6)?;
    let campaign = match campaign_id {
        Some(id) => crate::campaigns::list_campaigns(store)
            .await?
            .into_iter()
            .find(|c| c.id == id),
        None => None,
    };
    let errors: Vec<String> = sqlx::query(
        "SELECT code FROM submission_problems WHERE submission_id = $1 AND severity = 'error'",
    )
    .bind(submission_id)
    .fetch_all(store.pool())
    .await?
    .iter()
    .map(|r| r.try_get::<String, _>(0))
    .collect::<Result<_, _>>()?;
    let link = Link {
        supplier_id: Some(supplier.id),
        method: "explicit",
        score: None,
        state: LinkState::Linked,
    };
    let unreadable = report_json.is_none().then(|| {
        let reason: Option<String> = row.try_get(5).ok().flatten();
        reason.unwrap_or_else(|| "unreadable".into())
    });
    let fv = family.as_deref().zip(version.as_deref());
    let verdict = judge(fv, unreadable.as_deref(), &errors, &link, campaign.as_ref());
    let mut tx = store.pool().begin().await?;
    sqlx::query(
        "UPDATE submissions SET supplier_id = $1, link_method = 'explicit', link_score = NULL, \
         link_state = 'linked', status = $2, status_reason = $3 WHERE id = $4",
    )
    .bind(supplier.id)
    .bind(verdict.status.code())
    .bind(verdict.reason.clone())
    .bind(submission_id)
    .execute(&mut *tx)
    .await?;
    supersede(&mut tx, campaign_key, supplier.id, submission_id).await?;
    if let Some(cid) = campaign_id
        && let Some(r) =
            sqlx::query("SELECT id FROM requests WHERE campaign_id = $1 AND supplier_id = $2")
                .bind(cid)
                .bind(supplier.id)
                .fetch_optional(&mut *tx)
                .await?
    {
        let status = match verdict.status {
            SubmissionStatus::Accepted => RequestStatus::Accepted,
            SubmissionStatus::Rejected => RequestStatus::Rejected,
            SubmissionStatus::NeedsReview => RequestStatus::Received,
        };
        update_request(
            &mut tx,
            r.try_get(0)?,
            status,
            verdict.reason.as_deref(),
            actor,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(verdict.status)
}

/// The stored original of a submission: (file name, bytes), checked against its hash.
pub async fn original_of(store: &Store, submission_id: i64) -> Result<(String, Vec<u8>)> {
    let row = sqlx::query("SELECT original_name, file_sha256 FROM submissions WHERE id = $1")
        .bind(submission_id)
        .fetch_optional(store.pool())
        .await?
        .ok_or_else(|| StoreError::NotFound {
            kind: "submission",
            name: submission_id.to_string(),
        })?;
    let sha: String = row.try_get(1)?;
    Ok((row.try_get(0)?, store.originals().read(&sha)?))
}

/// A campaign's current (not superseded) submission linked to a supplier.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CurrentSubmission {
    /// Submission ID.
    pub id: i64,
    /// SHA-256 of the original file.
    pub sha256: String,
    /// File name as received.
    pub original_name: String,
    /// When received.
    pub received_at: String,
    /// Supplier ERP ID.
    pub erp_id: String,
    /// Supplier name.
    pub supplier_name: String,
    /// Family and version ("CMRT 6.5").
    pub template: Option<String>,
    /// Declared effective date.
    pub effective_date: Option<chrono::NaiveDate>,
    /// Verdict ("accepted", "rejected", "needs_review").
    pub status: String,
    /// Why (rejections).
    pub status_reason: Option<String>,
    /// Errors, warnings found.
    pub errors: i64,
    /// Warnings found.
    pub warnings: i64,
    /// What the file declared (absent for unreadable files).
    #[serde(skip)]
    pub report: Option<SupplierReport>,
}

/// The current linked submissions of a campaign with their suppliers and reports, ordered by
/// supplier ERP ID, then submission ID.
pub async fn current_linked_submissions(
    store: &Store,
    campaign_id: i64,
) -> Result<Vec<CurrentSubmission>> {
    let rows = sqlx::query(
        "SELECT b.id, b.file_sha256, b.original_name, b.received_at, s.erp_id, s.name, b.family, \
         b.version, b.effective_date, b.status, b.status_reason, b.error_count, b.warning_count, \
         b.report_json FROM submissions b JOIN suppliers s ON s.id = b.supplier_id \
         WHERE b.campaign_key = $1 AND b.superseded_by IS NULL AND b.link_state = 'linked' \
         ORDER BY s.erp_id, b.id",
    )
    .bind(campaign_id)
    .fetch_all(store.pool())
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let family: Option<String> = r.try_get(6)?;
        let version: Option<String> = r.try_get(7)?;
        let effective: Option<String> = r.try_get(8)?;
        let json: Option<String> = r.try_get(13)?;
        out.push(CurrentSubmission {
            id: r.try_get(0)?,
            sha256: r.try_get(1)?,
            original_name: r.try_get(2)?,
            received_at: r.try_get(3)?,
            erp_id: r.try_get(4)?,
            supplier_name: r.try_get(5)?,
            template: family.map(|f| format!("{f} {}", version.unwrap_or_default())),
            effective_date: effective.and_then(|d| {
                chrono::NaiveDate::parse_from_str(d.get(..10).unwrap_or(&d), "%Y-%m-%d").ok()
            }),
            status: r.try_get(9)?,
            status_reason: r.try_get(10)?,
            errors: r.try_get(11)?,
            warnings: r.try_get(12)?,
            report: json.and_then(|j| serde_json::from_str(&j).ok()),
        });
    }
    Ok(out)
}

/// A validation problem of a submission as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredProblem {
    /// Submission ID.
    pub submission_id: i64,
    /// Stable code.
    pub code: String,
    /// Severity code.
    pub severity: String,
    /// Sheet, when the problem has a place.
    pub sheet: Option<String>,
    /// Cell, when the problem has a place.
    pub cell: Option<String>,
    /// Message in English.
    pub message: String,
}

/// The problems of a campaign's current (not superseded) submissions, linked or not, ordered by
/// submission ID, then position.
pub async fn campaign_problems(store: &Store, campaign_id: i64) -> Result<Vec<StoredProblem>> {
    sqlx::query(
        "SELECT p.submission_id, p.code, p.severity, p.sheet, p.cell, p.message \
         FROM submission_problems p JOIN submissions b ON b.id = p.submission_id \
         WHERE b.campaign_key = $1 AND b.superseded_by IS NULL \
         ORDER BY p.submission_id, p.position",
    )
    .bind(campaign_id)
    .fetch_all(store.pool())
    .await?
    .iter()
    .map(|r| {
        Ok(StoredProblem {
            submission_id: r.try_get(0)?,
            code: r.try_get(1)?,
            severity: r.try_get(2)?,
            sheet: r.try_get(3)?,
            cell: r.try_get(4)?,
            message: r.try_get(5)?,
        })
    })
    .collect()
}

/// One Smelter List row of a submission as stored, resolved or not.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredSmelterRow {
    /// Submission ID.
    pub submission_id: i64,
    /// Row on the Smelter List sheet.
    pub sheet_row: i64,
    /// Metal as written.
    pub metal: Option<String>,
    /// Normalised metal.
    pub metal_key: String,
    /// Entry kind code (`not_yet_identified` for such rows).
    pub entry_kind: String,
    /// Name as written.
    pub name: Option<String>,
    /// Country as written.
    pub country: Option<String>,
    /// Resolved CID.
    pub cid: Option<String>,
    /// Resolved standard name.
    pub canonical_name: Option<String>,
}

/// IDs per `IN (...)` list: they are written into the statement, never bound.
const IDS_PER_STATEMENT: usize = 500;

/// The smelter rows of these submissions, ordered by submission ID, then sheet row.
pub async fn submission_smelter_rows(
    store: &Store,
    submission_ids: &[i64],
) -> Result<Vec<StoredSmelterRow>> {
    let mut ids = submission_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut out = Vec::new();
    for chunk in ids.chunks(IDS_PER_STATEMENT) {
        let list: Vec<String> = chunk.iter().map(i64::to_string).collect();
        // IDs are integers, never input text.
        let sql = format!(
            "SELECT submission_id, sheet_row, metal, metal_key, entry_kind, name, country, cid, \
             canonical_name FROM submission_smelters WHERE submission_id IN ({}) \
             ORDER BY submission_id, sheet_row",
            list.join(",")
        );
        for r in sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(store.pool())
            .await?
        {
            out.push(StoredSmelterRow {
                submission_id: r.try_get(0)?,
                sheet_row: r.try_get(1)?,
                metal: r.try_get(2)?,
                metal_key: r.try_get(3)?,
                entry_kind: r.try_get(4)?,
                name: r.try_get(5)?,
                country: r.try_get(6)?,
                cid: r.try_get(7)?,
                canonical_name: r.try_get(8)?,
            });
        }
    }
    Ok(out)
}

/// What a submission declared, as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubmissionReport {
    /// Submission ID.
    pub submission_id: i64,
    /// The report.
    pub report: SupplierReport,
}

/// The reports of these submissions that still read, by submission ID (files without a report,
/// and reports stored by an older version that no longer parse, are left out).
pub async fn submission_reports(
    store: &Store,
    submission_ids: &[i64],
) -> Result<Vec<SubmissionReport>> {
    let mut ids = submission_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut out = Vec::new();
    for chunk in ids.chunks(200) {
        let list: Vec<String> = chunk.iter().map(i64::to_string).collect();
        let sql = format!(
            "SELECT id, report_json FROM submissions WHERE id IN ({}) ORDER BY id",
            list.join(",")
        );
        for r in sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(store.pool())
            .await?
        {
            let id: i64 = r.try_get(0)?;
            let json: Option<String> = r.try_get(1)?;
            let Some(json) = json else { continue };
            if let Ok(report) = serde_json::from_str::<SupplierReport>(&json) {
                out.push(SubmissionReport {
                    submission_id: id,
                    report,
                });
            }
        }
    }
    Ok(out)
}

impl From<oretrail_pipeline::FileRecord> for Analysis {
    fn from(record: oretrail_pipeline::FileRecord) -> Analysis {
        Analysis {
            reject_code: record.reject_code().map(str::to_string),
            reject_detail: record.reject_detail,
            report: record.report,
            problems: record.problems.unwrap_or_default(),
        }
    }
}

/// The analysis of one file by the shared pipeline (read, resolve, validate); usable from many
/// threads at once.
pub fn analyse_with(pipeline: &oretrail_pipeline::Pipeline, bytes: &[u8], name: &str) -> Analysis {
    match pipeline.read(bytes) {
        Ok(outcome) => pipeline.finish(name, outcome).into(),
        Err(e) => oretrail_pipeline::FileRecord::rejected(name, e).into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn supplier(id: i64, erp: &str, name: &str, unique: Option<&str>) -> Supplier {
        Supplier {
            id,
            erp_id: erp.into(),
            name: name.into(),
            unique_id: unique.map(str::to_string),
            country: None,
            tier: 1,
            commodities: vec![],
        }
    }

    #[test]
    fn links_by_unique_id_then_name_and_only_proposes_fuzzy_matches() {
        let index = SupplierIndex::new(&[
            supplier(1, "V100", "Acme Power Cells Inc.", Some("123-456-789")),
            supplier(2, "V200", "Dunmore Capacitor Works Ltd", None),
            supplier(3, "V300", "Northwind Circuit Systems", None),
        ]);
        let l = index.link(Some("Whoever"), Some("123456789"));
        assert_eq!(
            (l.supplier_id, l.method, l.state),
            (Some(1), "unique_id", LinkState::Linked)
        );
        let l = index.link(Some("DUNMORE CAPACITOR WORKS LIMITED"), None);
        assert_eq!((l.supplier_id, l.state), (Some(2), LinkState::Linked));
        let l = index.link(Some("Northwind Circuit System"), None);
        assert_eq!(
            (l.supplier_id, l.method, l.state),
            (Some(3), "fuzzy", LinkState::NeedsConfirmation)
        );
        let l = index.link(Some("Completely Different GmbH"), None);
        assert_eq!(l.state, LinkState::Unlinked);
        let l = index.link(None, Some("V300"));
        assert_eq!((l.supplier_id, l.method), (Some(3), "erp_id"));
    }

    #[test]
    fn judging_follows_reject_link_campaign_errors() {
        let linked = Link {
            supplier_id: Some(1),
            method: "name",
            score: None,
            state: LinkState::Linked,
        };
        let v = judge(None, Some("not_ooxml: CSV"), &[], &linked, None);
        assert_eq!(v.status, SubmissionStatus::Rejected);
        let v = judge(
            Some(("CMRT", "6.5")),
            None,
            &["bad_email".into()],
            &linked,
            None,
        );
        assert_eq!(v.reason.as_deref(), Some("errors: 1 error(s): bad_email"));
        let v = judge(Some(("CMRT", "6.5")), None, &[], &linked, None);
        assert_eq!(v.status, SubmissionStatus::Accepted);
        let unsure = Link {
            state: LinkState::NeedsConfirmation,
            method: "fuzzy",
            score: Some(0.9),
            ..linked.clone()
        };
        assert_eq!(
            judge(Some(("CMRT", "6.5")), None, &[], &unsure, None).status,
            SubmissionStatus::NeedsReview
        );
    }
}
