//! Limits on what clients send: upload and request body sizes, zip bombs and nesting in
//! uploaded archives, slow clients (header, body-pause and request deadlines over a real
//! connection), and rate limits on sign-in and on supplier links.

mod common;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use common::*;
use oretrail_web::WebConfig;
use oretrail_web::auth::Role;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

fn small() -> WebConfig {
    let mut c = WebConfig {
        max_upload_bytes: 256 * 1024,
        max_body_bytes: 2 * 1024,
        ..WebConfig::default()
    };
    c.archive_limits.max_archive_entries = 20;
    c
}

fn from(ip: &str, mut req: Request<Body>) -> Request<Body> {
    let addr: SocketAddr = format!("{ip}:40000").parse().expect("address");
    req.extensions_mut().insert(ConnectInfo(addr));
    req
}

async fn upload_page(w: &World, body: Vec<u8>, declare_length: bool) -> (StatusCode, String) {
    let (cookie, csrf) = session(w, Role::Analyst).await;
    let mut b = with_cookie(&format!("/upload?_csrf={csrf}"), "POST", &cookie)
        .header(header::CONTENT_TYPE, "multipart/form-data; boundary=XX")
        .header(header::ACCEPT, "application/json");
    if declare_length {
        b = b.header(header::CONTENT_LENGTH, body.len());
    }
    let (status, _, text) = send(&w.app, b.body(Body::from(body)).expect("request")).await;
    (status, text)
}

#[tokio::test]
async fn uploads_and_bodies_over_their_limits_are_refused() {
    let w = world_with(small(), SUPPLIERS_CSV).await;
    let big = vec![b'x'; 300 * 1024];
    let body = multipart(&[], &[("big.xlsx", &big)]);
    // Declared too large: refused before reading; undeclared: refused while reading.
    for declare in [true, false] {
        let (status, text) = upload_page(&w, body.clone(), declare).await;
        assert_eq!(
            status,
            StatusCode::PAYLOAD_TOO_LARGE,
            "declared {declare}: {text}"
        );
    }
    // The same through the API and a supplier link.
    let (_, token) = api_token(&w, Role::Analyst).await;
    let req = Request::post("/api/v1/submissions")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "multipart/form-data; boundary=XX")
        .body(Body::from(body.clone()))
        .expect("request");
    let (status, _, text) = send(&w.app, req).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{text}");
    assert!(text.contains("\"error\""), "JSON error: {text}");
    let link_body = multipart(&[("_csrf", &w.link_b.csrf)], &[("big.xlsx", &big)]);
    let req = Request::post(format!("/s/{}/upload", w.link_b.token))
        .header(header::CONTENT_TYPE, "multipart/form-data; boundary=XX")
        .body(Body::from(link_body))
        .expect("request");
    assert_eq!(send(&w.app, req).await.0, StatusCode::PAYLOAD_TOO_LARGE);
    // A form (not an upload) has the smaller limit.
    let (cookie, csrf) = session(&w, Role::Analyst).await;
    let form = format!(
        "_csrf={csrf}&name={}&period=2025&spend_share=95",
        "a".repeat(4096)
    );
    for declare in [true, false] {
        let mut b = with_cookie("/campaigns", "POST", &cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if declare {
            b = b.header(header::CONTENT_LENGTH, form.len());
        }
        let (status, _, _) = send(&w.app, b.body(Body::from(form.clone())).expect("req")).await;
        assert_eq!(
            status,
            StatusCode::PAYLOAD_TOO_LARGE,
            "form, declared {declare}"
        );
    }
    // A JSON body to the API.
    let req = Request::post("/api/v1/submissions")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(vec![b' '; 4096]))
        .expect("request");
    let status = send(&w.app, req).await.0;
    assert!(
        status == StatusCode::PAYLOAD_TOO_LARGE || status == StatusCode::BAD_REQUEST,
        "{status}"
    );
    // Within the limits, an upload goes through.
    let (status, text) = upload_page(
        &w,
        multipart(&[], &[("small.xlsx", b"not a workbook")]),
        true,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert!(text.contains("rejected"), "{text}");
}

fn outcome_of(results: &serde_json::Value, name_part: &str) -> (String, String) {
    let r = results
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["name"].as_str().unwrap_or("").contains(name_part))
        .unwrap_or_else(|| panic!("{name_part} in {results}"));
    (
        r["outcome"].as_str().unwrap_or("").to_string(),
        r["reason"].as_str().unwrap_or("").to_string(),
    )
}

#[tokio::test]
async fn hostile_archives_are_refused_member_by_member() {
    let w = world_with(
        WebConfig {
            max_upload_bytes: 8 * 1024 * 1024,
            ..small()
        },
        SUPPLIERS_CSV,
    )
    .await;
    let zeros = vec![0u8; 24 * 1024 * 1024];
    let bomb = zip_of(&[("bomb.xlsx", &zeros)]);
    assert!(bomb.len() < 200 * 1024, "compressed to {}", bomb.len());
    let deep = zip_of(&[(
        "level1.zip",
        &zip_of(&[("level2.zip", &zip_of(&[("deep.xlsx", b"x")]))]),
    )]);
    let many: Vec<(String, Vec<u8>)> = (0..30)
        .map(|i| (format!("f{i}.xlsx"), b"x".to_vec()))
        .collect();
    let many_refs: Vec<(&str, &[u8])> = many
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let crowded = zip_of(&many_refs);
    let escaping = zip_of(&[("../../escape.xlsx", b"x"), ("ok.xlsx", b"y")]);
    // A workbook whose sheet part inflates a thousandfold (the reader's own limit).
    let sheet_bomb = zip_of(&[
        ("[Content_Types].xml", b"<Types/>"),
        ("xl/workbook.xml", b"<workbook/>"),
        ("xl/worksheets/sheet1.xml", &zeros),
    ]);
    let body = multipart(
        &[],
        &[
            ("bomb.zip", &bomb),
            ("deep.zip", &deep),
            ("crowded.zip", &crowded),
            ("escaping.zip", &escaping),
            ("sheet-bomb.xlsx", &sheet_bomb),
        ],
    );
    let (status, text) = upload_page(&w, body, true).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let results: serde_json::Value = serde_json::from_str(&text).expect("json");
    let (outcome, reason) = outcome_of(&results, "bomb.zip/bomb.xlsx");
    assert_eq!(outcome, "not_stored");
    assert!(reason.starts_with("zip_bomb"), "{reason}");
    let (outcome, reason) = outcome_of(&results, "level2.zip");
    assert_eq!(outcome, "not_stored");
    assert!(reason.starts_with("nested_too_deep"), "{reason}");
    let (outcome, reason) = outcome_of(&results, "crowded.zip");
    assert_eq!(outcome, "not_stored");
    assert!(reason.starts_with("too_many_entries"), "{reason}");
    let (outcome, reason) = outcome_of(&results, "escape.xlsx");
    assert_eq!(outcome, "not_stored");
    assert!(reason.starts_with("unsafe_entry_name"), "{reason}");
    let (outcome, _) = outcome_of(&results, "escaping.zip/ok.xlsx");
    assert_eq!(
        outcome, "rejected",
        "the safe member is read (and is no workbook)"
    );
    let (outcome, reason) = outcome_of(&results, "sheet-bomb.xlsx");
    assert_eq!(outcome, "rejected", "{reason}");
    // Nothing escaped the data directory.
    assert!(!w._dir.0.join("escape.xlsx").exists());
    assert!(!w._dir.0.parent().expect("tmp").join("escape.xlsx").exists());
}

#[tokio::test]
async fn sign_in_and_supplier_links_are_rate_limited() {
    let w = world_with(
        WebConfig {
            login_per_minute: 3,
            link_per_minute: 4,
            ..WebConfig::default()
        },
        SUPPLIERS_CSV,
    )
    .await;
    let login = || {
        Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, "ot_login=abc")
            .body(Body::from(
                "_csrf=abc&username=nobody&password=wrong-password",
            ))
            .expect("request")
    };
    for i in 0..3 {
        let (status, _, _) = send(&w.app, from("192.0.2.1", login())).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {i} is checked");
    }
    let (status, headers, _) = send(&w.app, from("192.0.2.1", login())).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(headers.get(header::RETRY_AFTER).is_some());
    let (status, _, _) = send(&w.app, from("192.0.2.2", login())).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "another address is not limited"
    );

    // Links: per link (from several addresses) and per address (over several links).
    let page = |token: &str| get(&format!("/s/{token}"));
    for i in 0..4 {
        let (status, _, _) = send(
            &w.app,
            from(&format!("198.51.100.{i}"), page(&w.link_a.token)),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "request {i}");
    }
    let (status, _, _) = send(&w.app, from("198.51.100.9", page(&w.link_a.token))).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "per link");
    let (status, _, _) = send(&w.app, from("203.0.113.1", page(&w.link_b.token))).await;
    assert_eq!(status, StatusCode::OK, "another link");
    for _ in 0..3 {
        let _ = send(&w.app, from("203.0.113.7", page(&"0".repeat(64)))).await;
    }
    let _ = send(&w.app, from("203.0.113.7", page(&"1".repeat(64)))).await;
    let (status, _, _) = send(&w.app, from("203.0.113.7", page(&w.link_b.token))).await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "per address (guessing tokens)"
    );
}

/// A real server on a loopback port with short timeouts.
async fn server(config: WebConfig) -> (World, String) {
    let w = world_with(config, SUPPLIERS_CSV).await;
    let listener = oretrail_web::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    tokio::spawn(oretrail_web::serve(w.state.clone(), listener));
    (w, addr)
}

/// Reads what the server sends until it closes (or `within` passes): (bytes, elapsed).
fn read_until_closed(s: &mut TcpStream, within: Duration) -> (String, Duration) {
    let start = Instant::now();
    s.set_read_timeout(Some(within)).expect("timeout");
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    (String::from_utf8_lossy(&out).into_owned(), start.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_clients_are_cut_off() {
    let (w, addr) = server(WebConfig {
        header_timeout: Duration::from_millis(400),
        body_idle_timeout: Duration::from_millis(400),
        request_timeout: Duration::from_secs(2),
        upload_timeout: Duration::from_millis(1500),
        ..WebConfig::default()
    })
    .await;
    let addr2 = addr.clone();
    let token = w.link_a.token.clone();
    tokio::task::spawn_blocking(move || {
        let addr = addr2;
        // Headers that never end.
        let mut s = TcpStream::connect(&addr).expect("connect");
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").expect("write");
        let (_, took) = read_until_closed(&mut s, Duration::from_secs(5));
        assert!(took < Duration::from_secs(3), "headers: closed after {took:?}");

        // A body that stops coming.
        let mut s = TcpStream::connect(&addr).expect("connect");
        s.write_all(
            b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n_csrf=a",
        )
        .expect("write");
        let (answer, took) = read_until_closed(&mut s, Duration::from_secs(5));
        assert!(took < Duration::from_secs(3), "body pause: answered after {took:?}");
        assert!(
            answer.starts_with("HTTP/1.1 408") || answer.starts_with("HTTP/1.1 400"),
            "{answer}"
        );

        // An upload trickling in, never pausing long, past the upload deadline.
        let mut s = TcpStream::connect(&addr).expect("connect");
        s.write_all(
            format!(
                "POST /s/{token}/upload HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=XX\r\nContent-Length: 100000\r\n\r\n--XX\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.xlsx\"\r\n\r\n"
            )
            .as_bytes(),
        )
        .expect("write");
        let start = Instant::now();
        let mut answer = String::new();
        s.set_read_timeout(Some(Duration::from_millis(200))).expect("timeout");
        while start.elapsed() < Duration::from_secs(5) {
            if s.write_all(b"xxxxxxxxxx").is_err() {
                break;
            }
            let mut buf = [0u8; 512];
            match s.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    answer.push_str(&String::from_utf8_lossy(&buf[..n]));
                    break;
                }
                Err(_) => {}
            }
        }
        assert!(
            start.elapsed() < Duration::from_secs(4),
            "trickle: cut off after {:?}",
            start.elapsed()
        );
        assert!(answer.is_empty() || answer.starts_with("HTTP/1.1 4"), "{answer}");

        // The server still answers.
        let mut s = TcpStream::connect(&addr).expect("connect");
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .expect("write");
        let (answer, _) = read_until_closed(&mut s, Duration::from_secs(5));
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    })
    .await
    .expect("client");
}
