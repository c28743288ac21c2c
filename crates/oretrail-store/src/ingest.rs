//! Bulk ingestion: files, folders and zip archives → originals and submissions.
//!
//! One reader thread walks the inputs ([`crate::sources`]) in order; a bounded rayon pool hashes
//! each file, stores its original durably and analyses it; one writer (the calling task) puts
//! the results into the database in input order, many per transaction. At most
//! `2 × threads + 2` files are in flight, so memory stays bounded whatever the batch size. A bad
//! file is an outcome, never an error; bytes already received are recognised before parsing.

use crate::Store;
use crate::campaigns::campaign_by_name;
use crate::error::{Result, StoreError};
use crate::originals::sha256_hex;
use crate::sources::{Item, SourceLimits, read_all};
use crate::submissions::{Analysis, NewSubmission, Outcome, Receipt, SubmissionWriter};
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How to ingest.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// Campaign the files answer (by name).
    pub campaign: Option<String>,
    /// Who is ingesting (recorded as `received_by`).
    pub actor: String,
    /// Worker threads (0: all cores).
    pub threads: usize,
    /// Read limits.
    pub limits: SourceLimits,
    /// Most submissions per database transaction.
    pub batch: usize,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            campaign: None,
            actor: "oretrail".into(),
            threads: 0,
            limits: SourceLimits::default(),
            batch: 64,
        }
    }
}

/// One input's outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IngestItem {
    /// Label of the input.
    pub name: String,
    /// SHA-256 of its bytes, when read.
    pub sha256: Option<String>,
    /// What happened.
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// Everything one ingest did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IngestReport {
    /// Accepted without warnings.
    pub new: usize,
    /// Bytes already received.
    pub duplicate: usize,
    /// Rejected (unreadable, not accepted, errors, or not read at all).
    pub rejected: usize,
    /// Accepted with warnings.
    pub accepted_with_warnings: usize,
    /// Waiting for an analyst (supplier unsure or unknown).
    pub needs_review: usize,
    /// Rejections by reason (the part before the first colon).
    pub rejected_by_reason: BTreeMap<String, usize>,
    /// Seconds taken.
    pub seconds: f64,
    /// Every input, in order.
    pub items: Vec<IngestItem>,
}

impl IngestReport {
    /// Inputs seen.
    pub fn total(&self) -> usize {
        self.items.len()
    }

    fn count(&mut self, item: &IngestItem) {
        match &item.outcome {
            Outcome::New { .. } => self.new += 1,
            Outcome::Duplicate { .. } => self.duplicate += 1,
            Outcome::AcceptedWithWarnings { .. } => self.accepted_with_warnings += 1,
            Outcome::NeedsReview { .. } => self.needs_review += 1,
            Outcome::Rejected { reason, .. } | Outcome::NotStored { reason } => {
                self.rejected += 1;
                let key = reason
                    .split(':')
                    .next()
                    .unwrap_or(reason)
                    .trim()
                    .to_string();
                *self.rejected_by_reason.entry(key).or_default() += 1;
            }
        }
    }
}

/// A worker's result for one input.
enum Processed {
    Stored(Box<NewSubmission>),
    Known { name: String, sha256: String },
    NotStored { name: String, reason: String },
}

/// Ingests `paths`, calling `analyse(bytes, name)` on worker threads and `progress` after each
/// input is written. Only store failures (database, disk) are errors.
pub async fn ingest<A>(
    store: &Store,
    paths: &[PathBuf],
    options: &IngestOptions,
    analyse: A,
    progress: &mut dyn FnMut(&IngestItem),
) -> Result<IngestReport>
where
    A: Fn(&[u8], &str) -> Analysis + Send + Sync + 'static,
{
    let started = Instant::now();
    let campaign = match &options.campaign {
        Some(name) => Some(campaign_by_name(store, name).await?),
        None => None,
    };
    let mut writer = SubmissionWriter::new(store, campaign, &options.actor).await?;
    let known: Arc<HashSet<String>> = Arc::new(writer.known_hashes());
    let (pool, threads) = analysis_pool(options.threads, "oretrail-ingest")?;
    let in_flight = 2 * threads + 2;
    let (token_tx, token_rx) = std::sync::mpsc::sync_channel::<()>(in_flight);
    for _ in 0..in_flight {
        let _ = token_tx.send(());
    }
    let (result_tx, mut result_rx) = tokio::sync::mpsc::unbounded_channel::<(usize, Processed)>();
    let analyse = Arc::new(analyse);
    let originals = store.originals().clone();
    let paths = paths.to_vec();
    let limits = options.limits;
    let reader = std::thread::Builder::new()
        .name("oretrail-ingest-reader".into())
        .spawn(move || {
            let mut seq = 0usize;
            read_all(&paths, &limits, &mut |item| {
                if token_rx.recv().is_err() {
                    return false;
                }
                let n = seq;
                seq += 1;
                let tx = result_tx.clone();
                match item {
                    Item::Refused { name, reason } => {
                        tx.send((n, Processed::NotStored { name, reason })).is_ok()
                    }
                    Item::File { name, via, bytes } => {
                        let known = Arc::clone(&known);
                        let analyse = Arc::clone(&analyse);
                        let originals = originals.clone();
                        pool.spawn(move || {
                            let result = process(&bytes, name, via, &known, &originals, &*analyse);
                            let _ = tx.send((n, result));
                        });
                        true
                    }
                }
            });
        })
        .map_err(|e| StoreError::Invalid(format!("cannot start the reader thread: {e}")))?;

    let mut report = IngestReport::default();
    let mut pending: BTreeMap<usize, Processed> = BTreeMap::new();
    let mut next = 0usize;
    let mut closed = false;
    while !closed || !pending.is_empty() {
        // Wait for at least one result, then take whatever else is ready.
        if !closed {
            match tokio::time::timeout(Duration::from_millis(200), result_rx.recv()).await {
                Ok(Some((n, p))) => {
                    pending.insert(n, p);
                    while let Ok((n, p)) = result_rx.try_recv() {
                        pending.insert(n, p);
                    }
                }
                Ok(None) => closed = true,
                Err(_) => {}
            }
        }
        let mut ready = Vec::new();
        while ready.len() < options.batch.max(1) {
            match pending.remove(&next) {
                Some(p) => {
                    ready.push(p);
                    next += 1;
                }
                None => break,
            }
        }
        if ready.is_empty() {
            if closed && !pending.is_empty() {
                // A worker died without answering (a panic): record the gap and go on.
                if let Some((&n, _)) = pending.iter().next() {
                    let item = IngestItem {
                        name: format!("input #{next}"),
                        sha256: None,
                        outcome: Outcome::NotStored {
                            reason: "internal_error: the analysis of this file failed".into(),
                        },
                    };
                    progress(&item);
                    report.count(&item);
                    report.items.push(item);
                    next = n;
                }
            }
            continue;
        }
        let count = ready.len();
        write_ready(&mut writer, ready, &mut report, progress).await?;
        for _ in 0..count {
            let _ = token_tx.send(());
        }
    }
    let _ = reader.join();
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// A pool of `threads` analysis threads (0: one per core) named `prefix-N`, and its size.
pub(crate) fn analysis_pool(threads: usize, prefix: &str) -> Result<(rayon::ThreadPool, usize)> {
    let threads = if threads == 0 {
        std::thread::available_parallelism().map_or(2, |n| n.get())
    } else {
        threads
    };
    let prefix = prefix.to_string();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(move |i| format!("{prefix}-{i}"))
        .build()
        .map_err(|e| StoreError::Invalid(format!("cannot start worker threads: {e}")))?;
    Ok((pool, threads))
}

async fn write_ready(
    writer: &mut SubmissionWriter,
    ready: Vec<Processed>,
    report: &mut IngestReport,
    progress: &mut dyn FnMut(&IngestItem),
) -> Result<()> {
    let mut names = Vec::new();
    let mut batch = Vec::new();
    let mut slots: Vec<Option<IngestItem>> = Vec::new();
    for p in ready {
        match p {
            Processed::Stored(sub) => {
                names.push((
                    slots.len(),
                    sub.receipt.original_name.clone(),
                    sub.sha256.clone(),
                ));
                slots.push(None);
                batch.push(*sub);
            }
            Processed::Known { name, sha256 } => {
                let outcome = match writer.duplicate_of(&sha256) {
                    Some(id) => Outcome::Duplicate { submission_id: id },
                    None => Outcome::NotStored {
                        reason: "internal_error: known file without submission".into(),
                    },
                };
                slots.push(Some(IngestItem {
                    name,
                    sha256: Some(sha256),
                    outcome,
                }));
            }
            Processed::NotStored { name, reason } => slots.push(Some(IngestItem {
                name,
                sha256: None,
                outcome: Outcome::NotStored { reason },
            })),
        }
    }
    let outcomes = if batch.is_empty() {
        Vec::new()
    } else {
        writer.write(batch).await?
    };
    for ((slot, name, sha), outcome) in names.into_iter().zip(outcomes) {
        slots[slot] = Some(IngestItem {
            name,
            sha256: Some(sha),
            outcome,
        });
    }
    for item in slots.into_iter().flatten() {
        progress(&item);
        report.count(&item);
        report.items.push(item);
    }
    Ok(())
}

fn process(
    bytes: &[u8],
    name: String,
    via: &'static str,
    known: &HashSet<String>,
    originals: &crate::Originals,
    analyse: &(dyn Fn(&[u8], &str) -> Analysis + Send + Sync),
) -> Processed {
    let sha256 = sha256_hex(bytes);
    if known.contains(&sha256) {
        return Processed::Known { name, sha256 };
    }
    // The original is written (and synced) on its own thread while the file is analysed, so
    // that waiting for the disk does not idle a worker; both finish before the result goes to
    // the writer, so the database never names bytes that are not durable.
    let display = name.rsplit(['/', '\\']).next().unwrap_or(&name).to_string();
    let (stored, analysis) = std::thread::scope(|scope| {
        let writer = scope.spawn(|| originals.put_with_hash(bytes, &sha256));
        let analysis =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| analyse(bytes, &display)));
        let stored = writer.join().unwrap_or_else(|_| {
            Err(crate::StoreError::Invalid(
                "the original writer panicked".into(),
            ))
        });
        (stored, analysis)
    });
    if let Err(e) = stored {
        return Processed::NotStored {
            name,
            reason: format!("storage_error: {e}"),
        };
    }
    let analysis = match analysis {
        Ok(a) => a,
        Err(_) => Analysis {
            reject_code: Some("internal_error".into()),
            reject_detail: Some("the analysis panicked; the original is kept".into()),
            ..Analysis::default()
        },
    };
    Processed::Stored(Box::new(NewSubmission {
        sha256,
        size: bytes.len() as u64,
        receipt: Receipt {
            original_name: name,
            received_by: String::new(),
            received_via: via.to_string(),
        },
        analysis,
    }))
}
