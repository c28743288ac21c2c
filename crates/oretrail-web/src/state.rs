//! What every request shares: the store, a pool of read connections, the pipeline (with the
//! facility registry), settings, rate limiters, and short-lived caches of the expensive figures
//! (dashboard, roll-up, supplier list, review queue, navigation badge).

use crate::error::{Result, WebError};
use crate::limits::RateLimiter;
use oretrail_pipeline::Pipeline;
use oretrail_store::Store;
use oretrail_store::sources::SourceLimits;
use sqlx::AnyPool;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

/// Settings of the web application.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Base URL people reach the server at (for links in e-mails), without trailing slash.
    pub public_url: String,
    /// Mark cookies `Secure` (the server is behind TLS).
    pub secure_cookies: bool,
    /// Days an upload link stays valid.
    pub link_days: i64,
    /// Largest upload accepted (request body of the upload routes), in bytes.
    pub max_upload_bytes: usize,
    /// Largest request body of every other route (forms, API calls), in bytes.
    pub max_body_bytes: usize,
    /// What a zip archive uploaded in bulk may hold (entries, bytes, ratio, nesting).
    pub archive_limits: SourceLimits,
    /// Time a client has to send a request's headers.
    pub header_timeout: Duration,
    /// Longest pause between two pieces of a request body.
    pub body_idle_timeout: Duration,
    /// Longest time a request may take (uploads: [`WebConfig::upload_timeout`]).
    pub request_timeout: Duration,
    /// Longest time an upload may take, receiving and checking included.
    pub upload_timeout: Duration,
    /// Sign-in attempts per client address per minute (and per user name per 15 minutes).
    pub login_per_minute: u32,
    /// Requests to supplier upload links per client address per minute and per link.
    pub link_per_minute: u32,
    /// Take the client address from the last `X-Forwarded-For` hop (behind a reverse proxy).
    pub trust_forwarded_for: bool,
    /// Name of the company running the programme (e-mails, header).
    pub company_name: String,
    /// Sender address of request e-mails.
    pub mail_from: String,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            public_url: "http://127.0.0.1:8080".into(),
            secure_cookies: false,
            link_days: 60,
            max_upload_bytes: 200 * 1024 * 1024,
            max_body_bytes: 1024 * 1024,
            archive_limits: SourceLimits {
                max_file_bytes: 100 * 1024 * 1024,
                max_archive_entries: 5_000,
                max_archive_total_bytes: 2 * 1024 * 1024 * 1024,
                max_compression_ratio: 200,
                max_depth: 2,
            },
            header_timeout: Duration::from_secs(15),
            body_idle_timeout: Duration::from_secs(30),
            request_timeout: Duration::from_secs(60),
            upload_timeout: Duration::from_secs(30 * 60),
            login_per_minute: 10,
            link_per_minute: 60,
            trust_forwarded_for: false,
            company_name: "Oretrail".into(),
            mail_from: "responsible-minerals@example.com".into(),
        }
    }
}

/// How long cached figures may be served when nothing changed through the web application
/// (changes made elsewhere, e.g. by `oretrail ingest`, show after this).
pub const CACHE_TTL: Duration = Duration::from_secs(30);

/// A cached value with the data generation it was computed at.
struct Cached<T> {
    generation: u64,
    at: Instant,
    value: Arc<T>,
}

/// Values computed from the store, kept until the data changes (or [`CACHE_TTL`] passes).
/// After a change, one request computes the value and the others arriving meanwhile wait for
/// it; a value only older than the TTL is served while one background task recomputes it, so
/// that a busy page never waits for the periodic refresh.
struct Cache<K, V> {
    values: Mutex<HashMap<K, Cached<V>>>,
    computing: Arc<tokio::sync::Mutex<()>>,
}

impl<K, V> Default for Cache<K, V> {
    fn default() -> Self {
        Cache {
            values: Mutex::new(HashMap::new()),
            computing: Arc::default(),
        }
    }
}

impl<K: Eq + Hash, V> Cache<K, V> {
    /// The value with its generation and age.
    fn lookup(&self, key: &K) -> Option<(Arc<V>, u64, Duration)> {
        let values = self.values.lock().ok()?;
        let c = values.get(key)?;
        Some((Arc::clone(&c.value), c.generation, c.at.elapsed()))
    }

    fn insert(&self, key: K, generation: u64, value: Arc<V>) {
        if let Ok(mut values) = self.values.lock() {
            values.insert(
                key,
                Cached {
                    generation,
                    at: Instant::now(),
                    value,
                },
            );
        }
    }
}

#[derive(Default)]
struct Caches {
    dashboards: Cache<i64, crate::dashboard::Dashboard>,
    rollups: Cache<i64, oretrail_store::rollup::Rollup>,
    suppliers: Cache<i64, Vec<crate::db::lists::SupplierLine>>,
    review: Cache<(), Vec<crate::db::review::ReviewItem>>,
    badge: Cache<(), i64>,
}

/// Shared state of the application.
#[derive(Clone)]
pub struct AppState {
    /// The store (its pool takes every write).
    pub store: Store,
    /// Read-only connections for the pages' and the API's reads (SQLite: a pool of its own over
    /// the same file, so that readers never wait behind the store's few connections; PostgreSQL:
    /// the store's pool).
    reader: AnyPool,
    /// The pipeline every upload goes through.
    pub pipeline: Arc<RwLock<Pipeline>>,
    /// Settings.
    pub config: Arc<WebConfig>,
    /// Rate limits (sign-in, supplier links).
    pub limiter: Arc<RateLimiter>,
    generation: Arc<AtomicU64>,
    caches: Arc<Caches>,
    token_uses: Arc<Mutex<HashMap<i64, Instant>>>,
    /// Serialises writes of submissions (one writer at a time, as the store expects).
    pub write_lock: Arc<tokio::sync::Mutex<()>>,
}

impl AppState {
    /// State over an open store (web migrations applied) and a pipeline.
    pub async fn new(store: Store, pipeline: Pipeline, config: WebConfig) -> Result<AppState> {
        crate::db::migrate(&store).await?;
        let reader = crate::db::read_pool(&store).await?;
        Ok(AppState {
            store,
            reader,
            pipeline: Arc::new(RwLock::new(pipeline)),
            limiter: Arc::new(RateLimiter::default()),
            config: Arc::new(config),
            generation: Arc::new(AtomicU64::new(1)),
            caches: Arc::default(),
            token_uses: Arc::default(),
            write_lock: Arc::default(),
        })
    }

    /// Marks that data changed: cached figures are recomputed on next use.
    pub fn changed(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// Whether a token's last use should be written now (at most once a minute per token).
    pub fn note_token_use(&self, id: i64) -> bool {
        let Ok(mut uses) = self.token_uses.lock() else {
            return false;
        };
        let now = Instant::now();
        match uses.get(&id) {
            Some(t) if now.duration_since(*t) < Duration::from_secs(60) => false,
            _ => {
                uses.insert(id, now);
                true
            }
        }
    }

    /// A cached value: computed after a change (one computation at a time), refreshed in the
    /// background once older than [`CACHE_TTL`].
    async fn cached<K, V, F, Fut>(
        &self,
        pick: fn(&Caches) -> &Cache<K, V>,
        key: K,
        compute: F,
    ) -> Result<Arc<V>>
    where
        K: Eq + Hash + Clone + Send + Sync + 'static,
        V: Send + Sync + 'static,
        F: FnOnce() -> Fut + Send + 'static,
        Fut: std::future::Future<Output = Result<V>> + Send + 'static,
    {
        let cache = pick(&self.caches);
        let current = self.generation.load(Ordering::SeqCst);
        if let Some((value, generation, age)) = cache.lookup(&key)
            && generation == current
        {
            if age >= CACHE_TTL
                && let Ok(guard) = Arc::clone(&cache.computing).try_lock_owned()
            {
                let caches = Arc::clone(&self.caches);
                let generations = Arc::clone(&self.generation);
                tokio::spawn(async move {
                    let _one = guard;
                    let generation = generations.load(Ordering::SeqCst);
                    match compute().await {
                        Ok(v) => pick(&caches).insert(key, generation, Arc::new(v)),
                        Err(e) => eprintln!("oretrail-web: refreshing cached figures: {e}"),
                    }
                });
            }
            return Ok(value);
        }
        let _one = cache.computing.lock().await;
        // The generation read now: a change during the computation makes the next reader
        // compute again.
        let current = self.generation.load(Ordering::SeqCst);
        if let Some((value, generation, age)) = cache.lookup(&key)
            && generation == current
            && age < CACHE_TTL
        {
            return Ok(value);
        }
        let value = Arc::new(compute().await?);
        cache.insert(key, current, Arc::clone(&value));
        Ok(value)
    }

    /// The dashboard of a campaign, from the cache when still current.
    pub async fn dashboard(&self, campaign_id: i64) -> Result<Arc<crate::dashboard::Dashboard>> {
        let state = self.clone();
        self.cached(
            |c| &c.dashboards,
            campaign_id,
            move || async move { crate::dashboard::compute(&state, campaign_id).await },
        )
        .await
    }

    /// The roll-up of a campaign as of today, from the cache when still current.
    pub async fn rollup(&self, campaign_id: i64) -> Result<Arc<oretrail_store::rollup::Rollup>> {
        let state = self.clone();
        self.cached(
            |c| &c.rollups,
            campaign_id,
            move || async move {
                let campaign = oretrail_store::campaigns::list_campaigns(&state.store)
                    .await?
                    .into_iter()
                    .find(|c| c.id == campaign_id)
                    .ok_or_else(|| WebError::NotFound(format!("campaign {campaign_id}")))?;
                Ok(oretrail_store::rollup::rollup(
                    &state.store,
                    campaign_id,
                    &campaign.spec.name,
                    crate::db::today(),
                )
                .await?)
            },
        )
        .await
    }

    /// Every supplier with its state in a campaign (0: none), by ID; the pages and the API
    /// filter, sort and page this list.
    pub async fn supplier_lines(
        &self,
        campaign_id: i64,
        period: &str,
    ) -> Result<Arc<Vec<crate::db::lists::SupplierLine>>> {
        let state = self.clone();
        let period = period.to_string();
        self.cached(
            |c| &c.suppliers,
            campaign_id,
            move || async move {
                crate::db::lists::supplier_lines(&state, campaign_id, &period).await
            },
        )
        .await
    }

    /// The smelter review queue (every name waiting for a decision, most frequent first).
    pub async fn review_queue(&self) -> Result<Arc<Vec<crate::db::review::ReviewItem>>> {
        let state = self.clone();
        self.cached(
            |c| &c.review,
            (),
            move || async move { crate::db::review::smelter_queue(&state).await },
        )
        .await
    }

    /// The navigation badge of the review queue: names to decide plus submissions whose
    /// supplier must be confirmed.
    pub async fn review_badge(&self) -> Result<i64> {
        let state = self.clone();
        let v = self
            .cached(
                |c| &c.badge,
                (),
                move || async move {
                    let names = state.review_queue().await?.len() as i64;
                    Ok(names + crate::db::lists::needs_review(&state).await?)
                },
            )
            .await?;
        Ok(*v)
    }
}

impl crate::db::Reader for AppState {
    fn reader(&self) -> &AnyPool {
        &self.reader
    }
    fn backend(&self) -> oretrail_store::Backend {
        self.store.backend()
    }
}
