//! What a client may send, and how fast: request body sizes (uploads vs everything else), pauses
//! in a body and request deadlines (slow clients), and rate limits on sign-in and on supplier
//! upload links. [`guard`] applies them to every request before routing; the server loop
//! ([`crate::serve`]) adds the time limit on request headers and records the client's address.

use crate::error::WebError;
use crate::state::{AppState, WebConfig};
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Token buckets by key (`login:IP`, `link-ip:IP`, `link:TOKEN`): each holds up to `per_window`
/// requests and refills evenly over the window.
#[derive(Debug, Default)]
pub struct RateLimiter {
    buckets: Mutex<HashMap<String, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Buckets kept before idle (full) ones are dropped.
const MAX_BUCKETS: usize = 50_000;

impl RateLimiter {
    /// Takes one request from `key`'s bucket; `Err(wait)` when it is empty.
    pub fn take(&self, key: &str, per_window: u32, window: Duration) -> Result<(), Duration> {
        if per_window == 0 {
            return Ok(());
        }
        let Ok(mut buckets) = self.buckets.lock() else {
            return Ok(());
        };
        let now = Instant::now();
        let capacity = f64::from(per_window);
        let rate = capacity / window.as_secs_f64().max(0.001);
        if buckets.len() >= MAX_BUCKETS {
            buckets
                .retain(|_, b| b.tokens + now.duration_since(b.at).as_secs_f64() * rate < capacity);
        }
        let b = buckets.entry(key.to_string()).or_insert(Bucket {
            tokens: capacity,
            at: now,
        });
        b.tokens = (b.tokens + now.duration_since(b.at).as_secs_f64() * rate).min(capacity);
        b.at = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - b.tokens) / rate))
        }
    }
}

/// The client's address: the connection's peer, or with `trust_forwarded_for` the last hop of
/// `X-Forwarded-For` (the address the reverse proxy saw).
pub fn client_ip(request: &Request, config: &WebConfig) -> Option<IpAddr> {
    if config.trust_forwarded_for
        && let Some(ip) = request
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .next_back()
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse::<IpAddr>().ok())
    {
        return Some(ip);
    }
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
}

/// Whether a request carries an upload (multipart form): such bodies may be large and slow.
pub fn is_upload(request: &Request) -> bool {
    request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/")
        })
}

/// The token of a supplier-link path (`/s/{token}...`).
fn link_token(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("/s/")?;
    Some(rest.split('/').next().unwrap_or(rest)).filter(|t| !t.is_empty())
}

fn refuse(path: &str, status: StatusCode, message: &str, retry: Option<Duration>) -> Response {
    let mut resp = if path.starts_with("/api/") {
        (
            status,
            axum::Json(crate::api::ErrorBody {
                error: message.to_string(),
            }),
        )
            .into_response()
    } else {
        (status, crate::pages::error_page(status, message)).into_response()
    };
    if let Some(wait) = retry
        && let Ok(v) = HeaderValue::from_str(&wait.as_secs().max(1).to_string())
    {
        resp.headers_mut().insert(header::RETRY_AFTER, v);
    }
    resp
}

/// Rate limits, body limits and deadlines, before routing.
pub async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let config = &state.config;
    let path = request.uri().path().to_string();
    let ip = client_ip(&request, config)
        .map(|ip| ip.to_string())
        .unwrap_or_else(|| "unknown".into());
    let minute = Duration::from_secs(60);
    // Sign-in attempts per address (not per user name, which would let anyone lock a user out).
    if request.method() == Method::POST
        && path == "/login"
        && let Err(wait) =
            state
                .limiter
                .take(&format!("login:{ip}"), config.login_per_minute, minute)
    {
        return refuse(
            &path,
            StatusCode::TOO_MANY_REQUESTS,
            "too many sign-in attempts from your address; wait a minute and try again",
            Some(wait),
        );
    }
    // Supplier links: per address and per link.
    if let Some(token) = link_token(&path) {
        for key in [format!("link-ip:{ip}"), format!("link:{token}")] {
            if let Err(wait) = state.limiter.take(&key, config.link_per_minute, minute) {
                return refuse(
                    &path,
                    StatusCode::TOO_MANY_REQUESTS,
                    "too many requests to this link; wait a minute and try again / 请求过于频繁，请稍后再试",
                    Some(wait),
                );
            }
        }
    }
    let upload = is_upload(&request);
    let (limit, deadline) = if upload {
        (config.max_upload_bytes, config.upload_timeout)
    } else {
        (config.max_body_bytes, config.request_timeout)
    };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return refuse(
            &path,
            StatusCode::PAYLOAD_TOO_LARGE,
            &too_large(limit, upload),
            None,
        );
    }
    let (parts, body) = request.into_parts();
    let body = Body::new(tower_http::timeout::TimeoutBody::new(
        config.body_idle_timeout,
        http_body_util::Limited::new(body, limit),
    ));
    match tokio::time::timeout(deadline, next.run(Request::from_parts(parts, body))).await {
        Ok(resp) => resp,
        Err(_) => refuse(
            &path,
            StatusCode::REQUEST_TIMEOUT,
            "the request took too long",
            None,
        ),
    }
}

fn too_large(limit: usize, upload: bool) -> String {
    if upload {
        format!("the upload is larger than the limit of {limit} bytes")
    } else {
        format!("the request body is larger than the limit of {limit} bytes")
    }
}

/// What a failed body read means for the client: too large (413), too slow (408) or malformed
/// (400).
pub fn body_error(e: &(dyn std::error::Error + 'static), what: &str) -> WebError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if err.is::<http_body_util::LengthLimitError>() {
            return WebError::TooLarge(format!("{what}: over the size limit"));
        }
        if err.is::<tower_http::timeout::TimeoutError>() {
            return WebError::Timeout(format!("{what}: the client paused too long"));
        }
        source = err.source();
    }
    let text = e.to_string();
    if text.contains("length limit") {
        return WebError::TooLarge(format!("{what}: over the size limit"));
    }
    WebError::BadRequest(format!("{what}: {text}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_refill_over_their_window() {
        let r = RateLimiter::default();
        let w = Duration::from_millis(200);
        assert!(r.take("a", 2, w).is_ok());
        assert!(r.take("a", 2, w).is_ok());
        assert!(r.take("a", 2, w).is_err(), "third within the window");
        assert!(r.take("b", 2, w).is_ok(), "keys are separate");
        std::thread::sleep(Duration::from_millis(120));
        assert!(r.take("a", 2, w).is_ok(), "refilled");
        assert!(r.take("x", 0, w).is_ok(), "0 means no limit");
    }

    #[test]
    fn link_tokens_and_uploads_are_recognised() {
        assert_eq!(link_token("/s/abc/upload"), Some("abc"));
        assert_eq!(link_token("/s/abc"), Some("abc"));
        assert_eq!(link_token("/suppliers"), None);
        let r = Request::post("/upload")
            .header(header::CONTENT_TYPE, "multipart/form-data; boundary=x")
            .body(Body::empty())
            .expect("request");
        assert!(is_upload(&r));
    }
}
