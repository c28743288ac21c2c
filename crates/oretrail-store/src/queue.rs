//! The ingest queue: files handed in now, processed by any number of workers.
//!
//! [`enqueue`] stores each original durably and adds an `ingest_jobs` row (one per file and
//! campaign); refused inputs are kept as jobs in state `refused` with the reason. [`run_worker`]
//! claims a few queued jobs at a time — on PostgreSQL with `FOR UPDATE SKIP LOCKED`, so
//! workers never wait for or take each other's jobs — analyses them on its own thread pool and
//! writes their submissions in the same transaction that marks the jobs done, guarded by "still
//! claimed by me". A worker that dies leaves its jobs claimed until their lease runs out; then
//! another claims them again. So every file is processed exactly once, whoever crashes.
//!
//! States: `queued` → `running` (claimed, lease in `lease_until`, seconds since the epoch) →
//! `done` (with the submission and its outcome) or `failed` (after `max_attempts` claims, or
//! when its original is missing); `refused` inputs never run.

use crate::Store;
use crate::campaigns::{Campaign, campaign_by_id, campaign_by_name};
use crate::db::{Backend, now, now_utc};
use crate::error::{Result, StoreError};
use crate::originals::sha256_hex;
use crate::sources::{Item, SourceLimits, read_all};
use crate::submissions::{Analysis, NewSubmission, Outcome, Receipt, SubmissionWriter};
use rayon::prelude::*;
use serde::Serialize;
use sqlx::Row;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How to enqueue.
#[derive(Debug, Clone)]
pub struct EnqueueOptions {
    /// Campaign the files answer (by name).
    pub campaign: Option<String>,
    /// Who handed the files in (recorded as `received_by`).
    pub actor: String,
    /// Read limits.
    pub limits: SourceLimits,
}

impl Default for EnqueueOptions {
    fn default() -> Self {
        EnqueueOptions {
            campaign: None,
            actor: "oretrail".into(),
            limits: SourceLimits::default(),
        }
    }
}

/// What enqueueing one input did.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "queue", rename_all = "snake_case")]
pub enum Enqueued {
    /// A new job.
    Queued {
        /// Job ID.
        job_id: i64,
    },
    /// The same bytes were already handed in for this campaign.
    AlreadyQueued {
        /// The earlier job.
        job_id: i64,
        /// Its state.
        state: String,
    },
    /// Not taken (over a limit, unsafe archive entry, unreadable); kept as a refused job.
    Refused {
        /// Job ID of the record.
        job_id: i64,
        /// Why.
        reason: String,
    },
}

/// One input's enqueue result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnqueueItem {
    /// Label of the input.
    pub name: String,
    /// SHA-256 of its bytes, when read.
    pub sha256: Option<String>,
    /// What happened.
    #[serde(flatten)]
    pub result: Enqueued,
}

/// Everything one enqueue did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct EnqueueReport {
    /// New jobs.
    pub queued: usize,
    /// Inputs already handed in.
    pub already_queued: usize,
    /// Inputs refused.
    pub refused: usize,
    /// Seconds taken.
    pub seconds: f64,
    /// Every input, in order.
    pub items: Vec<EnqueueItem>,
}

/// An input read and stored, ready to become a job.
enum Stored {
    File {
        name: String,
        via: &'static str,
        sha256: String,
        size: u64,
    },
    Refused {
        name: String,
        reason: String,
    },
}

/// Stores every input's original and adds a job for it; `progress` is called per input.
/// Only store failures (database, disk) are errors.
pub async fn enqueue(
    store: &Store,
    paths: &[PathBuf],
    options: &EnqueueOptions,
    progress: &mut dyn FnMut(&EnqueueItem),
) -> Result<EnqueueReport> {
    let paths = paths.to_vec();
    let limits = options.limits;
    enqueue_items(
        store,
        move |emit| read_all(&paths, &limits, emit),
        options,
        progress,
    )
    .await
}

/// [`enqueue`] over inputs from any source (a folder walk, an upload, a generator): `source`
/// runs on its own thread and hands each input to `emit`, stopping when it answers false.
pub async fn enqueue_items<S>(
    store: &Store,
    source: S,
    options: &EnqueueOptions,
    progress: &mut dyn FnMut(&EnqueueItem),
) -> Result<EnqueueReport>
where
    S: FnOnce(&mut dyn FnMut(Item) -> bool) + Send + 'static,
{
    let started = Instant::now();
    let campaign = match &options.campaign {
        Some(name) => Some(campaign_by_name(store, name).await?),
        None => None,
    };
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<Stored>>(64);
    let originals = store.originals().clone();
    let reader = std::thread::Builder::new()
        .name("oretrail-enqueue-reader".into())
        .spawn(move || {
            source(&mut |item| {
                let stored = match item {
                    Item::Refused { name, reason } => Ok(Stored::Refused { name, reason }),
                    Item::File { name, via, bytes } => {
                        let sha256 = sha256_hex(&bytes);
                        originals
                            .put_with_hash(&bytes, &sha256)
                            .map(|()| Stored::File {
                                name,
                                via,
                                sha256,
                                size: bytes.len() as u64,
                            })
                    }
                };
                tx.blocking_send(stored).is_ok()
            });
        })
        .map_err(|e| StoreError::Invalid(format!("cannot start the reader thread: {e}")))?;

    let mut report = EnqueueReport::default();
    let mut batch: Vec<Stored> = Vec::new();
    let mut closed = false;
    while !closed {
        match rx.recv().await {
            Some(stored) => batch.push(stored?),
            None => closed = true,
        }
        while batch.len() < 256 {
            match rx.try_recv() {
                Ok(stored) => batch.push(stored?),
                Err(_) => break,
            }
        }
        if !batch.is_empty() {
            let items = insert_jobs(
                store,
                campaign.as_ref(),
                &options.actor,
                std::mem::take(&mut batch),
            )
            .await?;
            for item in items {
                match &item.result {
                    Enqueued::Queued { .. } => report.queued += 1,
                    Enqueued::AlreadyQueued { .. } => report.already_queued += 1,
                    Enqueued::Refused { .. } => report.refused += 1,
                }
                progress(&item);
                report.items.push(item);
            }
        }
    }
    let _ = reader.join();
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

async fn insert_jobs(
    store: &Store,
    campaign: Option<&Campaign>,
    actor: &str,
    batch: Vec<Stored>,
) -> Result<Vec<EnqueueItem>> {
    let campaign_id = campaign.map(|c| c.id);
    let campaign_key = campaign_id.unwrap_or(0);
    let at = now();
    let mut tx = store.pool().begin().await?;
    let mut items = Vec::with_capacity(batch.len());
    for stored in batch {
        let (name, sha, size, via, state, detail) = match stored {
            Stored::File {
                name,
                via,
                sha256,
                size,
            } => (name, Some(sha256), Some(size), via, "queued", None),
            Stored::Refused { name, reason } => {
                (name, None, None, "refused", "refused", Some(reason))
            }
        };
        let id: Option<i64> = sqlx::query(
            "INSERT INTO ingest_jobs (campaign_id, campaign_key, file_sha256, size, original_name, \
             received_via, received_by, enqueued_at, state, detail) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             ON CONFLICT (campaign_key, file_sha256) DO NOTHING RETURNING id",
        )
        .bind(campaign_id)
        .bind(campaign_key)
        .bind(sha.clone())
        .bind(size.map(|s| i64::try_from(s).unwrap_or(i64::MAX)))
        .bind(name.clone())
        .bind(via.to_string())
        .bind(actor.to_string())
        .bind(at.clone())
        .bind(state.to_string())
        .bind(detail.clone())
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| r.try_get(0))
        .transpose()?;
        let result = match (id, detail) {
            (Some(job_id), Some(reason)) => Enqueued::Refused { job_id, reason },
            (Some(job_id), None) => Enqueued::Queued { job_id },
            (None, _) => {
                let row = sqlx::query(
                    "SELECT id, state FROM ingest_jobs WHERE campaign_key = $1 AND file_sha256 = $2",
                )
                .bind(campaign_key)
                .bind(sha.clone())
                .fetch_one(&mut *tx)
                .await?;
                Enqueued::AlreadyQueued {
                    job_id: row.try_get(0)?,
                    state: row.try_get(1)?,
                }
            }
        };
        items.push(EnqueueItem {
            name,
            sha256: sha,
            result,
        });
    }
    tx.commit().await?;
    Ok(items)
}

/// How a worker runs.
#[derive(Debug, Clone)]
pub struct WorkerOptions {
    /// This worker's name in `claimed_by` (unique among running workers).
    pub id: String,
    /// Analysis threads (0: all cores).
    pub threads: usize,
    /// Most jobs claimed at once.
    pub batch: usize,
    /// How long a claim holds without renewal; a dead worker's jobs return after this.
    pub lease: Duration,
    /// Pause when the queue is empty.
    pub poll: Duration,
    /// Stop when no job is queued or running (instead of waiting for more).
    pub until_idle: bool,
    /// Claims after which a job that never finished is marked failed.
    pub max_attempts: i64,
    /// How often cached suppliers, requests and known files are reloaded.
    pub refresh: Duration,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        WorkerOptions {
            id: default_worker_id(),
            threads: 0,
            batch: 16,
            lease: Duration::from_secs(60),
            poll: Duration::from_secs(1),
            until_idle: false,
            max_attempts: 5,
            refresh: Duration::from_secs(30),
        }
    }
}

/// `host:pid`, the default worker name.
pub fn default_worker_id() -> String {
    let host = std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "worker".into());
    format!("{host}:{}", std::process::id())
}

/// One job a worker finished.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JobDone {
    /// Job ID.
    pub job_id: i64,
    /// Label of the input.
    pub name: String,
    /// What writing it did.
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// What a worker did until it stopped.
#[derive(Debug, Clone, Default, Serialize)]
pub struct WorkerReport {
    /// Worker name.
    pub worker: String,
    /// Jobs finished (any outcome).
    pub processed: usize,
    /// Finished jobs by outcome.
    pub by_outcome: BTreeMap<String, usize>,
    /// Jobs marked failed by this worker.
    pub failed: usize,
    /// Jobs given back because their lease had passed to another worker.
    pub lost_leases: usize,
    /// Batches whose transaction failed and was retried later.
    pub retried_batches: usize,
    /// Seconds running.
    pub seconds: f64,
}

/// A claimed job.
#[derive(Debug, Clone)]
struct Job {
    id: i64,
    campaign_id: Option<i64>,
    campaign_key: i64,
    sha256: String,
    size: u64,
    name: String,
    via: String,
    by: String,
}

/// Counts of the queue's jobs by state.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct QueueStatus {
    /// Jobs per state.
    pub by_state: BTreeMap<String, i64>,
    /// Finished jobs per worker.
    pub by_worker: BTreeMap<String, i64>,
    /// Failed jobs: ID, name and why.
    pub failed: Vec<(i64, String, String)>,
}

/// Runs a worker until the queue is idle (with `until_idle`) or `stop` is set; `progress` is
/// called per finished job. Database errors in a batch are retried (the batch goes back to the
/// queue); only errors outside a batch (cannot claim) end the worker.
pub async fn run_worker<A>(
    store: &Store,
    options: &WorkerOptions,
    analyse: A,
    stop: Arc<AtomicBool>,
    progress: &mut (dyn FnMut(&JobDone) + Send),
) -> Result<WorkerReport>
where
    A: Fn(&[u8], &str) -> Analysis + Send + Sync,
{
    let started = Instant::now();
    let (pool, _) = crate::ingest::analysis_pool(options.threads, "oretrail-worker")?;
    let mut report = WorkerReport {
        worker: options.id.clone(),
        ..WorkerReport::default()
    };
    let lease_secs = options.lease.as_secs().max(2) as i64;
    let heartbeat = spawn_heartbeat(store, &options.id, lease_secs);
    let mut writers: HashMap<i64, SubmissionWriter> = HashMap::new();
    let mut loaded = Instant::now();
    let result = async {
        while !stop.load(Ordering::Relaxed) {
            if loaded.elapsed() >= options.refresh {
                writers.clear();
                loaded = Instant::now();
            }
            report.failed += fail_exhausted(store, options.max_attempts).await?;
            let jobs = claim(
                store,
                &options.id,
                options.batch.max(1),
                lease_secs,
                options.max_attempts,
            )
            .await?;
            if jobs.is_empty() {
                if options.until_idle && !has_pending(store).await? {
                    break;
                }
                tokio::time::sleep(options.poll).await;
                continue;
            }
            let mut groups: Vec<(i64, Vec<Job>)> = Vec::new();
            for job in jobs {
                match groups.iter_mut().find(|(k, _)| *k == job.campaign_key) {
                    Some((_, g)) => g.push(job),
                    None => groups.push((job.campaign_key, vec![job])),
                }
            }
            for (key, group) in groups {
                let writer = match writers.get_mut(&key) {
                    Some(w) => w,
                    None => {
                        let campaign = match group[0].campaign_id {
                            Some(id) => Some(campaign_by_id(store, id).await?),
                            None => None,
                        };
                        let w = SubmissionWriter::new(store, campaign, &options.id).await?;
                        writers.entry(key).or_insert(w)
                    }
                };
                let ids: Vec<i64> = group.iter().map(|j| j.id).collect();
                match process_group(store, &options.id, writer, group, &pool, &analyse).await {
                    Ok(done) => {
                        report.lost_leases += done.lost;
                        report.failed += done.failed;
                        for d in &done.finished {
                            report.processed += 1;
                            *report
                                .by_outcome
                                .entry(outcome_code(&d.outcome).to_string())
                                .or_default() += 1;
                            progress(d);
                        }
                        if done.lost > 0 {
                            writers.remove(&key);
                        }
                    }
                    Err(e) => {
                        // The transaction rolled back: this writer's memory is wrong, and the
                        // jobs go back to the queue (with their error) for another try.
                        writers.remove(&key);
                        report.retried_batches += 1;
                        let error = e.to_string();
                        release(store, &options.id, &ids, &error, options.max_attempts).await?;
                        tokio::time::sleep(options.poll).await;
                    }
                }
            }
        }
        Ok::<_, StoreError>(())
    }
    .await;
    heartbeat.abort();
    result?;
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// Renews the leases of this worker's running jobs a few times per lease.
fn spawn_heartbeat(store: &Store, worker: &str, lease_secs: i64) -> tokio::task::JoinHandle<()> {
    let store = store.clone();
    let worker = worker.to_string();
    tokio::spawn(async move {
        let every = Duration::from_secs((lease_secs / 3).max(1) as u64);
        loop {
            tokio::time::sleep(every).await;
            let _ = sqlx::query(
                "UPDATE ingest_jobs SET lease_until = $1 WHERE claimed_by = $2 AND state = 'running'",
            )
            .bind(epoch_now() + lease_secs)
            .bind(worker.clone())
            .execute(store.pool())
            .await;
        }
    })
}

fn epoch_now() -> i64 {
    now_utc().timestamp()
}

/// Claims up to `n` queued jobs (or running ones whose lease ran out), oldest first.
async fn claim(
    store: &Store,
    worker: &str,
    n: usize,
    lease_secs: i64,
    max_attempts: i64,
) -> Result<Vec<Job>> {
    let lock = match store.backend() {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        // SQLite has one writer at a time: the UPDATE below is atomic on its own.
        Backend::Sqlite => "",
    };
    let sql = format!(
        "UPDATE ingest_jobs SET state = 'running', claimed_by = $1, lease_until = $2, \
         attempts = attempts + 1 \
         WHERE id IN (SELECT id FROM ingest_jobs WHERE state = 'queued' \
         OR (state = 'running' AND lease_until < $3 AND attempts < $5) \
         ORDER BY id LIMIT $4{lock}) \
         RETURNING id, campaign_id, campaign_key, file_sha256, size, original_name, \
         received_via, received_by"
    );
    let now = epoch_now();
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(worker.to_string())
        .bind(now + lease_secs)
        .bind(now)
        .bind(n as i64)
        .bind(max_attempts)
        .fetch_all(store.pool())
        .await?;
    let mut jobs = Vec::with_capacity(rows.len());
    for r in rows {
        jobs.push(Job {
            id: r.try_get(0)?,
            campaign_id: r.try_get(1)?,
            campaign_key: r.try_get(2)?,
            sha256: r.try_get::<Option<String>, _>(3)?.unwrap_or_default(),
            size: r.try_get::<Option<i64>, _>(4)?.unwrap_or(0).max(0) as u64,
            name: r.try_get(5)?,
            via: r.try_get(6)?,
            by: r.try_get(7)?,
        });
    }
    jobs.sort_by_key(|j| j.id);
    Ok(jobs)
}

/// Marks failed the jobs claimed `max_attempts` times whose last claim ran out.
async fn fail_exhausted(store: &Store, max_attempts: i64) -> Result<usize> {
    let done = sqlx::query(
        "UPDATE ingest_jobs SET state = 'failed', finished_at = $1, claimed_by = NULL, \
         detail = COALESCE(detail, 'no worker finished it') \
         WHERE state = 'running' AND lease_until < $2 AND attempts >= $3",
    )
    .bind(now())
    .bind(epoch_now())
    .bind(max_attempts)
    .execute(store.pool())
    .await?;
    Ok(done.rows_affected() as usize)
}

/// Whether any job waits or runs.
async fn has_pending(store: &Store) -> Result<bool> {
    let n: i64 =
        sqlx::query("SELECT COUNT(*) FROM ingest_jobs WHERE state IN ('queued', 'running')")
            .fetch_one(store.pool())
            .await?
            .try_get(0)?;
    Ok(n > 0)
}

/// Gives jobs back to the queue after a failed batch, noting the error; a job claimed
/// `max_attempts` times is marked failed instead.
async fn release(
    store: &Store,
    worker: &str,
    ids: &[i64],
    error: &str,
    max_attempts: i64,
) -> Result<()> {
    for id in ids {
        sqlx::query(
            "UPDATE ingest_jobs SET state = CASE WHEN attempts >= $4 THEN 'failed' \
             ELSE 'queued' END, claimed_by = NULL, lease_until = NULL, detail = $1 \
             WHERE id = $2 AND claimed_by = $3 AND state = 'running'",
        )
        .bind(format!("after {error}"))
        .bind(*id)
        .bind(worker.to_string())
        .bind(max_attempts)
        .execute(store.pool())
        .await?;
    }
    Ok(())
}

struct GroupDone {
    finished: Vec<JobDone>,
    failed: usize,
    lost: usize,
}

/// Analyses a group of jobs of one campaign and writes them in one transaction.
async fn process_group<A>(
    store: &Store,
    worker: &str,
    writer: &mut SubmissionWriter,
    group: Vec<Job>,
    pool: &rayon::ThreadPool,
    analyse: &A,
) -> Result<GroupDone>
where
    A: Fn(&[u8], &str) -> Analysis + Send + Sync,
{
    // Known bytes are not parsed again; the writer answers them as duplicates.
    let known: &SubmissionWriter = writer;
    let prepared: Vec<(Job, std::result::Result<Option<Analysis>, String>)> = pool.install(|| {
        group
            .into_par_iter()
            .map(|job| {
                if known.duplicate_of(&job.sha256).is_some() {
                    return (job, Ok(None));
                }
                let analysis = match store.originals().read(&job.sha256) {
                    Ok(bytes) => {
                        let display = job.name.rsplit(['/', '\\']).next().unwrap_or(&job.name);
                        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                            analyse(&bytes, display)
                        }))
                        .map(Some)
                        .or_else(|_| {
                            Ok(Some(Analysis {
                                reject_code: Some("internal_error".into()),
                                reject_detail: Some(
                                    "the analysis panicked; the original is kept".into(),
                                ),
                                ..Analysis::default()
                            }))
                        })
                    }
                    Err(e) => Err(format!("storage_error: {e}")),
                };
                (job, analysis)
            })
            .collect()
    });
    let mut done = GroupDone {
        finished: Vec::new(),
        failed: 0,
        lost: 0,
    };
    let mut batch = Vec::new();
    let mut written: Vec<Job> = Vec::new();
    let mut missing: Vec<(Job, String)> = Vec::new();
    for (job, analysis) in prepared {
        match analysis {
            Ok(analysis) => {
                batch.push(NewSubmission {
                    sha256: job.sha256.clone(),
                    size: job.size,
                    receipt: Receipt {
                        original_name: job.name.clone(),
                        received_by: job.by.clone(),
                        received_via: job.via.clone(),
                    },
                    analysis: analysis.unwrap_or_default(),
                });
                written.push(job);
            }
            Err(reason) => missing.push((job, reason)),
        }
    }
    writer.prepare_refs(&batch).await?;
    let mut tx = store.pool().begin().await?;
    let outcomes = writer.write_in(&mut tx, batch).await?;
    let finished_at = now();
    for (job, outcome) in written.into_iter().zip(outcomes) {
        let (submission, detail) = match &outcome {
            Outcome::New { submission_id }
            | Outcome::Duplicate { submission_id }
            | Outcome::AcceptedWithWarnings { submission_id, .. } => (Some(*submission_id), None),
            Outcome::Rejected {
                submission_id,
                reason,
            }
            | Outcome::NeedsReview {
                submission_id,
                reason,
            } => (Some(*submission_id), Some(reason.clone())),
            Outcome::NotStored { reason } => (None, Some(reason.clone())),
        };
        let updated = sqlx::query(
            "UPDATE ingest_jobs SET state = 'done', finished_at = $1, submission_id = $2, \
             outcome = $3, detail = $4, lease_until = NULL \
             WHERE id = $5 AND claimed_by = $6 AND state = 'running'",
        )
        .bind(finished_at.clone())
        .bind(submission)
        .bind(outcome_code(&outcome).to_string())
        .bind(detail)
        .bind(job.id)
        .bind(worker.to_string())
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() != 1 {
            // Another worker holds this job now (our lease ran out): write nothing of this
            // batch; the jobs still ours go back to the queue.
            done.lost += 1;
        }
        done.finished.push(JobDone {
            job_id: job.id,
            name: job.name,
            outcome,
        });
    }
    if done.lost > 0 {
        tx.rollback().await?;
        let ids: Vec<i64> = done.finished.iter().map(|d| d.job_id).collect();
        release(store, worker, &ids, "lease lost during the batch", i64::MAX).await?;
        done.finished.clear();
    } else {
        for (job, reason) in &missing {
            let updated = sqlx::query(
                "UPDATE ingest_jobs SET state = 'failed', finished_at = $1, outcome = 'not_stored', \
                 detail = $2, lease_until = NULL WHERE id = $3 AND claimed_by = $4 AND state = 'running'",
            )
            .bind(finished_at.clone())
            .bind(reason.clone())
            .bind(job.id)
            .bind(worker.to_string())
            .execute(&mut *tx)
            .await?;
            done.failed += updated.rows_affected() as usize;
        }
        tx.commit().await?;
    }
    Ok(done)
}

/// Short code of an outcome (`new`, `duplicate`, …).
pub fn outcome_code(outcome: &Outcome) -> &'static str {
    match outcome {
        Outcome::New { .. } => "new",
        Outcome::AcceptedWithWarnings { .. } => "accepted_with_warnings",
        Outcome::NeedsReview { .. } => "needs_review",
        Outcome::Rejected { .. } => "rejected",
        Outcome::Duplicate { .. } => "duplicate",
        Outcome::NotStored { .. } => "not_stored",
    }
}

/// The queue's counts by state and worker, and its failed jobs.
pub async fn queue_status(store: &Store) -> Result<QueueStatus> {
    let mut status = QueueStatus::default();
    for r in sqlx::query("SELECT state, COUNT(*) FROM ingest_jobs GROUP BY state")
        .fetch_all(store.pool())
        .await?
    {
        status.by_state.insert(r.try_get(0)?, r.try_get(1)?);
    }
    for r in sqlx::query(
        "SELECT claimed_by, COUNT(*) FROM ingest_jobs WHERE state = 'done' \
         AND claimed_by IS NOT NULL GROUP BY claimed_by",
    )
    .fetch_all(store.pool())
    .await?
    {
        status.by_worker.insert(r.try_get(0)?, r.try_get(1)?);
    }
    for r in sqlx::query(
        "SELECT id, original_name, COALESCE(detail, '') FROM ingest_jobs WHERE state = 'failed' \
         ORDER BY id",
    )
    .fetch_all(store.pool())
    .await?
    {
        status
            .failed
            .push((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?));
    }
    Ok(status)
}

/// Puts failed jobs (all, or those listed) back in the queue with a fresh attempt count.
pub async fn retry_failed(store: &Store, ids: &[i64]) -> Result<usize> {
    if ids.is_empty() {
        let r = sqlx::query(
            "UPDATE ingest_jobs SET state = 'queued', attempts = 0, claimed_by = NULL, \
             finished_at = NULL WHERE state = 'failed'",
        )
        .execute(store.pool())
        .await?;
        return Ok(r.rows_affected() as usize);
    }
    let mut n = 0;
    for id in ids {
        let r = sqlx::query(
            "UPDATE ingest_jobs SET state = 'queued', attempts = 0, claimed_by = NULL, \
             finished_at = NULL WHERE state = 'failed' AND id = $1",
        )
        .bind(*id)
        .execute(store.pool())
        .await?;
        n += r.rows_affected() as usize;
    }
    Ok(n)
}
