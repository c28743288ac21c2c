//! A minimal WebDriver client (W3C protocol over HTTP/1.1 on loopback) for chromedriver, with
//! headless Chromium started with a fresh profile.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

type Result<T> = std::result::Result<T, String>;

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A browser session and the chromedriver process behind it.
pub struct Browser {
    driver: Child,
    port: u16,
    session: String,
}

fn free_port() -> Result<u16> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(l.local_addr().map_err(|e| e.to_string())?.port())
}

fn http(
    port: u16,
    method: &str,
    path: &str,
    body: Option<&serde_json::Value>,
) -> Result<serde_json::Value> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(Duration::from_secs(120))).ok();
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).map_err(|e| e.to_string())?;
    let mut raw = Vec::new();
    let mut buf = [0u8; 65536];
    let payload = loop {
        let n = s.read(&mut buf).map_err(|e| e.to_string())?;
        if n == 0 {
            let text = String::from_utf8_lossy(&raw).into_owned();
            let (head, body) = text.split_once("\r\n\r\n").ok_or("bad HTTP answer")?;
            break if head
                .to_ascii_lowercase()
                .contains("transfer-encoding: chunked")
            {
                dechunk(body)
            } else {
                body.to_string()
            };
        }
        raw.extend_from_slice(&buf[..n]);
        if let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&raw[..end]).to_ascii_lowercase();
            if let Some(len) = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                && raw.len() >= end + 4 + len
            {
                break String::from_utf8_lossy(&raw[end + 4..end + 4 + len]).into_owned();
            }
        }
    };
    let v: serde_json::Value =
        serde_json::from_str(&payload).map_err(|e| format!("{e}: {payload}"))?;
    if let Some(err) = v["value"].get("error") {
        return Err(format!("{method} {path}: {err} {}", v["value"]["message"]));
    }
    Ok(v["value"].clone())
}

fn dechunk(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some((size, after)) = rest.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || after.len() < n {
            break;
        }
        out.push_str(&after[..n]);
        rest = after[n..].trim_start_matches("\r\n");
    }
    out
}

/// Decodes standard base64.
fn base64_decode(text: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let digits: Vec<u8> = text.bytes().filter_map(val).collect();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |a, (i, d)| a | (u32::from(*d) << (18 - 6 * i)));
        for i in 0..chunk.len().saturating_sub(1) {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    out
}

impl Browser {
    /// Starts chromedriver and a headless Chromium with a fresh profile.
    pub fn start(driver: &str, profile: &Path) -> Result<Browser> {
        let port = free_port()?;
        let child = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("{driver}: {e}"))?;
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if start.elapsed() > Duration::from_secs(20) {
                return Err("chromedriver did not start".into());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let binary = [
            "/usr/bin/chromium",
            "/usr/bin/chromium-browser",
            "/usr/bin/google-chrome",
        ]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .unwrap_or("/usr/bin/chromium");
        let caps = serde_json::json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": binary, "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-dev-shm-usage", "--window-size=1400,1000",
                format!("--user-data-dir={}", profile.display()),
            ]}
        }}});
        let mut b = Browser {
            driver: child,
            port,
            session: String::new(),
        };
        let v = http(port, "POST", "/session", Some(&caps))?;
        b.session = v["sessionId"].as_str().ok_or("no session id")?.to_string();
        Ok(b)
    }

    fn cmd(
        &self,
        method: &str,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> Result<serde_json::Value> {
        http(
            self.port,
            method,
            &format!("/session/{}{path}", self.session),
            body.as_ref(),
        )
    }

    /// Opens a URL.
    pub fn go(&mut self, url: &str) -> Result<()> {
        self.cmd("POST", "/url", Some(serde_json::json!({"url": url})))
            .map(|_| ())
    }

    fn find(&self, css: &str) -> Result<String> {
        let v = self.cmd(
            "POST",
            "/element",
            Some(serde_json::json!({"using": "css selector", "value": css})),
        )?;
        v[ELEMENT]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("no element {css}"))
    }

    /// Whether an element exists.
    pub fn exists(&self, css: &str) -> Result<bool> {
        let v = self.cmd(
            "POST",
            "/elements",
            Some(serde_json::json!({"using": "css selector", "value": css})),
        )?;
        Ok(v.as_array().is_some_and(|a| !a.is_empty()))
    }

    /// Types text into an element (for a file input: a path).
    pub fn type_into(&mut self, css: &str, text: &str) -> Result<()> {
        let e = self.find(css)?;
        self.cmd(
            "POST",
            &format!("/element/{e}/value"),
            Some(serde_json::json!({"text": text})),
        )
        .map(|_| ())
    }

    /// Clicks an element.
    pub fn click(&mut self, css: &str) -> Result<()> {
        let e = self.find(css)?;
        self.cmd(
            "POST",
            &format!("/element/{e}/click"),
            Some(serde_json::json!({})),
        )
        .map(|_| ())
    }

    /// Chooses an option of a select by value.
    pub fn select_by_value(&mut self, select: &str, value: &str) -> Result<()> {
        let script = "document.querySelector(arguments[0]).value = arguments[1];";
        self.cmd(
            "POST",
            "/execute/sync",
            Some(serde_json::json!({"script": script, "args": [select, value]})),
        )
        .map(|_| ())
    }

    /// An element's visible text.
    pub fn text(&self, css: &str) -> Result<String> {
        let e = self.find(css)?;
        Ok(self
            .cmd("GET", &format!("/element/{e}/text"), None)?
            .as_str()
            .unwrap_or("")
            .to_string())
    }

    /// The page's HTML.
    pub fn source(&self) -> Result<String> {
        Ok(self
            .cmd("GET", "/source", None)?
            .as_str()
            .unwrap_or("")
            .to_string())
    }

    /// Waits until an element is displayed.
    pub fn wait_for(&self, css: &str, seconds: u64) -> Result<()> {
        let start = Instant::now();
        loop {
            if let Ok(e) = self.find(css)
                && matches!(self.cmd("GET", &format!("/element/{e}/displayed"), None), Ok(v) if v.as_bool() == Some(true))
            {
                return Ok(());
            }
            if start.elapsed() > Duration::from_secs(seconds) {
                return Err(format!("{css} did not show within {seconds} s"));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Waits until the page's HTML contains a text.
    pub fn wait_text(&self, needle: &str, seconds: u64) -> Result<()> {
        let start = Instant::now();
        loop {
            if self.source().is_ok_and(|s| s.contains(needle)) {
                return Ok(());
            }
            if start.elapsed() > Duration::from_secs(seconds) {
                return Err(format!("'{needle}' did not show within {seconds} s"));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Saves a screenshot of the page (PNG).
    pub fn screenshot(&self, path: &Path) -> Result<()> {
        let v = self.cmd("GET", "/screenshot", None)?;
        std::fs::write(path, base64_decode(v.as_str().unwrap_or(""))).map_err(|e| e.to_string())
    }

    /// Ends the session.
    pub fn quit(&mut self) -> Result<()> {
        self.cmd("DELETE", "", None).map(|_| ())
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
