//! What every request shares: the store, the pipeline (with the facility registry), settings,
//! and short-lived caches of the expensive campaign figures.

use crate::error::{Result, WebError};
use oretrail_pipeline::Pipeline;
use oretrail_store::Store;
use std::collections::HashMap;
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
    /// Largest upload accepted, in bytes.
    pub max_upload_bytes: usize,
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
            company_name: "Oretrail".into(),
            mail_from: "responsible-minerals@example.com".into(),
        }
    }
}

/// A cached value with the data generation it was computed at.
struct Cached<T> {
    generation: u64,
    at: Instant,
    value: Arc<T>,
}

/// How long cached figures may be served when nothing changed through the web application
/// (changes made elsewhere, e.g. by `oretrail ingest`, show after this).
const CACHE_TTL: Duration = Duration::from_secs(30);

/// Shared state of the application.
#[derive(Clone)]
pub struct AppState {
    /// The store.
    pub store: Store,
    /// The pipeline every upload goes through.
    pub pipeline: Arc<RwLock<Pipeline>>,
    /// Settings.
    pub config: Arc<WebConfig>,
    generation: Arc<AtomicU64>,
    dashboards: Arc<Mutex<HashMap<i64, Cached<crate::dashboard::Dashboard>>>>,
    rollups: Arc<Mutex<HashMap<i64, Cached<oretrail_store::rollup::Rollup>>>>,
    token_uses: Arc<Mutex<HashMap<i64, Instant>>>,
    /// Serialises writes of submissions (one writer at a time, as the store expects).
    pub write_lock: Arc<tokio::sync::Mutex<()>>,
}

impl AppState {
    /// State over an open store (web migrations applied) and a pipeline.
    pub async fn new(store: Store, pipeline: Pipeline, config: WebConfig) -> Result<AppState> {
        crate::db::migrate(&store).await?;
        Ok(AppState {
            store,
            pipeline: Arc::new(RwLock::new(pipeline)),
            config: Arc::new(config),
            generation: Arc::new(AtomicU64::new(1)),
            dashboards: Arc::default(),
            rollups: Arc::default(),
            token_uses: Arc::default(),
            write_lock: Arc::default(),
        })
    }

    /// Marks that data changed: cached figures are recomputed on next use.
    pub fn changed(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
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

    /// The dashboard of a campaign, from the cache when still current.
    pub async fn dashboard(&self, campaign_id: i64) -> Result<Arc<crate::dashboard::Dashboard>> {
        let generation = self.generation();
        if let Some(v) = fresh(&self.dashboards, campaign_id, generation) {
            return Ok(v);
        }
        let value = Arc::new(crate::dashboard::compute(self, campaign_id).await?);
        store_cached(&self.dashboards, campaign_id, generation, &value);
        Ok(value)
    }

    /// The roll-up of a campaign as of today, from the cache when still current.
    pub async fn rollup(&self, campaign_id: i64) -> Result<Arc<oretrail_store::rollup::Rollup>> {
        let generation = self.generation();
        if let Some(v) = fresh(&self.rollups, campaign_id, generation) {
            return Ok(v);
        }
        let campaign = oretrail_store::campaigns::list_campaigns(&self.store)
            .await?
            .into_iter()
            .find(|c| c.id == campaign_id)
            .ok_or_else(|| WebError::NotFound(format!("campaign {campaign_id}")))?;
        let value = Arc::new(
            oretrail_store::rollup::rollup(
                &self.store,
                campaign_id,
                &campaign.spec.name,
                crate::db::today(),
            )
            .await?,
        );
        store_cached(&self.rollups, campaign_id, generation, &value);
        Ok(value)
    }
}

fn fresh<T>(cache: &Mutex<HashMap<i64, Cached<T>>>, key: i64, generation: u64) -> Option<Arc<T>> {
    let cache = cache.lock().ok()?;
    let c = cache.get(&key)?;
    (c.generation == generation && c.at.elapsed() < CACHE_TTL).then(|| Arc::clone(&c.value))
}

fn store_cached<T>(
    cache: &Mutex<HashMap<i64, Cached<T>>>,
    key: i64,
    generation: u64,
    value: &Arc<T>,
) {
    if let Ok(mut cache) = cache.lock() {
        cache.insert(
            key,
            Cached {
                generation,
                at: Instant::now(),
                value: Arc::clone(value),
            },
        );
    }
}
