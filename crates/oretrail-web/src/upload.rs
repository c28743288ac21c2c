//! Receiving files: single templates or zip archives of many, from the upload page, the API
//! or a supplier's link. Each file's original is stored before the database refers to it, the
//! pipeline reads, resolves and validates it, and the store's writer files it as a submission.

use crate::db::audit;
use crate::error::{Result, WebError};
use crate::state::AppState;
use oretrail_pipeline::{FileRecord, Pipeline};
use oretrail_store::campaigns::Campaign;
use oretrail_store::sha256_hex;
use oretrail_store::sources::{Item as SourceItem, is_bulk_archive, read_all};
use oretrail_store::submissions::{Analysis, NewSubmission, Outcome, Receipt, SubmissionWriter};
use oretrail_validate::{Problem, Severity};
use serde::Serialize;
use std::sync::RwLock;

/// A file as it arrived.
#[derive(Debug, Clone)]
pub struct Incoming {
    /// File name given by the client.
    pub name: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// What became of one file.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FileResult {
    /// File name (for archive members: `archive.zip/member.xlsx`).
    pub name: String,
    /// SHA-256 of the bytes, when read.
    pub sha256: Option<String>,
    /// "accepted", "accepted_with_warnings", "rejected", "needs_review", "duplicate", "not_stored".
    pub outcome: String,
    /// Submission created (or the earlier one for a duplicate).
    pub submission_id: Option<i64>,
    /// Why (rejections, reviews).
    pub reason: Option<String>,
    /// Family and version read.
    pub template: Option<String>,
    /// Declared company.
    pub company: Option<String>,
    /// Errors found.
    pub errors: usize,
    /// Warnings found.
    pub warnings: usize,
    /// The problems (with their context, so they can be shown in any language).
    #[schema(value_type = Vec<Object>)]
    pub problems: Vec<Problem>,
}

impl FileResult {
    /// Problems rendered for display: (severity, place, message in `lang`).
    pub fn messages(&self, lang: &str) -> Vec<(String, String, String)> {
        self.problems
            .iter()
            .map(|p| problem_view(p, lang))
            .collect()
    }
}

/// A problem for display: (severity, "Sheet!Cell", message in a language).
pub fn problem_view(p: &Problem, lang: &str) -> (String, String, String) {
    let place = match (&p.sheet, &p.cell, p.row) {
        (Some(s), Some(c), _) => format!("{s}!{c}"),
        (Some(s), None, Some(r)) => format!("{s} row {r}"),
        (Some(s), None, None) => s.clone(),
        _ => "workbook".into(),
    };
    (p.severity.as_str().to_string(), place, p.message_in(lang))
}

/// Reads, resolves and validates one file, learning its template's look-up first when the
/// registry has not seen that version; true when the registry changed.
pub fn analyse(pipeline: &RwLock<Pipeline>, bytes: &[u8], name: &str) -> (Analysis, bool) {
    let read = match pipeline.read() {
        Ok(p) => p.read(bytes),
        Err(_) => return (internal_error(), false),
    };
    let outcome = match read {
        Ok(o) => o,
        Err(e) => return (FileRecord::rejected(name, e).into(), false),
    };
    let mut learned = false;
    let unknown = pipeline
        .read()
        .map(|p| {
            outcome.lookup.is_some() && !p.has_learned(outcome.def.family, &outcome.def.version)
        })
        .unwrap_or(false);
    if unknown && let Ok(mut p) = pipeline.write() {
        learned = p.learn(std::iter::once(&outcome)) > 0;
    }
    match pipeline.read() {
        Ok(p) => (p.finish(name, outcome).into(), learned),
        Err(_) => (internal_error(), learned),
    }
}

fn internal_error() -> Analysis {
    Analysis {
        reject_code: Some("internal_error".into()),
        reject_detail: Some("the pipeline is unavailable".into()),
        ..Analysis::default()
    }
}

/// A file to receive, or an archive member refused (name, reason).
pub type Item = std::result::Result<Incoming, (String, String)>;

/// Sends the files, bulk archives expanded into their members (read from a temporary file in
/// a blocking thread, within the configured archive limits), one at a time: at most a couple
/// of members are in memory whatever the archive holds. Stops when the receiver is gone.
pub async fn expand(state: &AppState, files: Vec<Incoming>, tx: tokio::sync::mpsc::Sender<Item>) {
    for f in files {
        if !is_bulk_archive(&f.bytes) {
            if tx.send(Ok(f)).await.is_err() {
                return;
            }
            continue;
        }
        let zip_name = f.name.clone();
        let refused = |reason: String| Err((zip_name.clone(), reason));
        let dir = state.store.data_dir().join("tmp");
        let token = match crate::auth::random_token() {
            Ok(t) => t,
            Err(e) => {
                let _ = tx.send(refused(format!("internal_error: {e}"))).await;
                continue;
            }
        };
        let path = dir.join(format!("upload-{token}.zip"));
        if let Err(e) = std::fs::create_dir_all(&dir).and_then(|_| std::fs::write(&path, &f.bytes))
        {
            let _ = tx.send(refused(format!("storage_error: {e}"))).await;
            continue;
        }
        drop(f);
        let label = path.display().to_string();
        let limits = state.config.archive_limits;
        let tx = tx.clone();
        let done = tokio::task::spawn_blocking(move || {
            read_all(std::slice::from_ref(&path), &limits, &mut |item| {
                let rename = |n: String| n.replacen(&label, &zip_name, 1);
                let item = match item {
                    SourceItem::File { name, bytes, .. } => Ok(Incoming {
                        name: rename(name),
                        bytes,
                    }),
                    SourceItem::Refused { name, reason } => Err((rename(name), reason)),
                };
                tx.blocking_send(item).is_ok()
            });
            let _ = std::fs::remove_file(&path);
        })
        .await;
        if done.is_err() {
            return;
        }
    }
}

/// Receives files (archives expanded) into a campaign (or none): stores, analyses and files each
/// one, records each in the audit log, and returns what became of them in order.
pub async fn receive(
    state: &AppState,
    campaign: Option<Campaign>,
    files: Vec<Incoming>,
    actor: &str,
    via: &str,
) -> Result<Vec<FileResult>> {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Item>(1);
    let producer = {
        let state = state.clone();
        tokio::spawn(async move { expand(&state, files, tx).await })
    };
    let _guard = state.write_lock.lock().await;
    let mut writer = SubmissionWriter::new(&state.store, campaign, actor).await?;
    let mut results = Vec::new();
    let mut registry_changed = false;
    while let Some(item) = rx.recv().await {
        let f = match item {
            Ok(f) => f,
            Err((name, reason)) => {
                results.push(not_stored(name, reason));
                continue;
            }
        };
        let sha = sha256_hex(&f.bytes);
        if let Some(id) = writer.duplicate_of(&sha) {
            // A supplier re-sending the same file still sees its problems.
            let problems = if via == "supplier link" {
                let pipeline = state.pipeline.clone();
                let name = f.name.clone();
                tokio::task::spawn_blocking(move || analyse(&pipeline, &f.bytes, &name).0.problems)
                    .await
                    .map_err(|e| WebError::Internal(e.to_string()))?
            } else {
                Vec::new()
            };
            let count = |s: Severity| problems.iter().filter(|p| p.severity == s).count();
            results.push(FileResult {
                outcome: "duplicate".into(),
                submission_id: Some(id),
                sha256: Some(sha),
                errors: count(Severity::Error),
                warnings: count(Severity::Warning),
                problems: problems.clone(),
                ..not_stored(f.name, String::new())
            });
            continue;
        }
        let display = f
            .name
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or(&f.name)
            .to_string();
        let pipeline = state.pipeline.clone();
        let originals = state.store.originals().clone();
        let sha_c = sha.clone();
        let (bytes_len, stored, analysis, learned) = tokio::task::spawn_blocking(move || {
            let stored = originals
                .put_with_hash(&f.bytes, &sha_c)
                .map_err(|e| e.to_string());
            let (analysis, learned) = analyse(&pipeline, &f.bytes, &display);
            (f.bytes.len(), stored, analysis, learned)
        })
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?;
        registry_changed |= learned;
        if let Err(e) = stored {
            results.push(not_stored(f.name, format!("storage_error: {e}")));
            continue;
        }
        let report = analysis.report.as_ref();
        let template =
            report.map(|r| format!("{} {}", r.template.family.code(), r.template.version));
        let company = report.and_then(|r| r.declaration.company_name.clone());
        let problems = analysis.problems.clone();
        let count = |s: Severity| problems.iter().filter(|p| p.severity == s).count();
        let sub = NewSubmission {
            sha256: sha.clone(),
            size: bytes_len as u64,
            receipt: Receipt {
                original_name: f.name.clone(),
                received_by: actor.to_string(),
                received_via: via.to_string(),
            },
            analysis,
        };
        let outcome = writer.write(vec![sub]).await?.into_iter().next();
        let (code, id, reason) = outcome_parts(outcome);
        audit::record(
            &state.store,
            actor,
            "submission.upload",
            id.map(|i| format!("submission {i}")).as_deref(),
            Some(&format!(
                "{} ({via}): {code}{}",
                f.name,
                reason
                    .as_deref()
                    .map(|r| format!(" — {r}"))
                    .unwrap_or_default()
            )),
        )
        .await?;
        results.push(FileResult {
            name: f.name,
            sha256: Some(sha),
            outcome: code,
            submission_id: id,
            reason,
            template,
            company,
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            problems,
        });
    }
    drop(_guard);
    producer
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?;
    if registry_changed {
        let registry = state
            .pipeline
            .read()
            .map(|p| p.registry().clone())
            .map_err(|_| WebError::Internal("pipeline lock poisoned".into()))?;
        oretrail_store::facilities::save_registry(&state.store, &registry).await?;
    }
    state.changed();
    Ok(results)
}

fn not_stored(name: String, reason: String) -> FileResult {
    FileResult {
        name,
        sha256: None,
        outcome: "not_stored".into(),
        submission_id: None,
        reason: (!reason.is_empty()).then_some(reason),
        template: None,
        company: None,
        errors: 0,
        warnings: 0,
        problems: Vec::new(),
    }
}

/// (code, submission, reason) of a writer outcome.
pub fn outcome_parts(outcome: Option<Outcome>) -> (String, Option<i64>, Option<String>) {
    match outcome {
        Some(Outcome::New { submission_id }) => ("accepted".into(), Some(submission_id), None),
        Some(Outcome::AcceptedWithWarnings {
            submission_id,
            warnings,
        }) => (
            "accepted_with_warnings".into(),
            Some(submission_id),
            Some(format!("{warnings} warning(s)")),
        ),
        Some(Outcome::Rejected {
            submission_id,
            reason,
        }) => ("rejected".into(), Some(submission_id), Some(reason)),
        Some(Outcome::NeedsReview {
            submission_id,
            reason,
        }) => ("needs_review".into(), Some(submission_id), Some(reason)),
        Some(Outcome::Duplicate { submission_id }) => {
            ("duplicate".into(), Some(submission_id), None)
        }
        Some(Outcome::NotStored { reason }) => ("not_stored".into(), None, Some(reason)),
        None => ("not_stored".into(), None, Some("no outcome".into())),
    }
}
