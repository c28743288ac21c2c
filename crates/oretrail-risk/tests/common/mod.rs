//! Test harness: the store's own harness (a fresh store on SQLite, or PostgreSQL when
//! `ORETRAIL_TEST_POSTGRES_URL` names a server; the shared pipeline), plus an SMTP sink.

#![allow(dead_code)]

#[path = "../../../oretrail-store/tests/common/mod.rs"]
mod store_harness;

pub use store_harness::*;

/// A one-message SMTP sink on 127.0.0.1: its port, and the message it captured (envelope
/// recipients and data) once a client has sent one.
pub async fn smtp_sink() -> (u16, tokio::task::JoinHandle<(Vec<String>, String)>) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind SMTP sink");
    let port = listener.local_addr().expect("address").port();
    let task = tokio::spawn(async move {
        let (socket, _) = listener.accept().await.expect("accept");
        let (read, mut write) = socket.into_split();
        let mut lines = BufReader::new(read);
        write
            .write_all(b"220 sink.test ESMTP ready\r\n")
            .await
            .expect("greet");
        let mut rcpt = Vec::new();
        let mut data = String::new();
        let mut in_data = false;
        let mut line = String::new();
        loop {
            line.clear();
            if lines.read_line(&mut line).await.expect("read") == 0 {
                break;
            }
            if in_data {
                if line == ".\r\n" {
                    in_data = false;
                    write.write_all(b"250 2.0.0 queued\r\n").await.expect("w");
                } else {
                    data.push_str(line.strip_prefix('.').unwrap_or(&line));
                }
                continue;
            }
            let upper = line.to_ascii_uppercase();
            let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                b"250 sink.test\r\n"
            } else if upper.starts_with("MAIL FROM") {
                b"250 2.1.0 ok\r\n"
            } else if upper.starts_with("RCPT TO") {
                rcpt.push(line.trim_end().to_string());
                b"250 2.1.5 ok\r\n"
            } else if upper.starts_with("DATA") {
                in_data = true;
                b"354 end with .\r\n"
            } else if upper.starts_with("QUIT") {
                write.write_all(b"221 2.0.0 bye\r\n").await.expect("w");
                break;
            } else {
                b"250 ok\r\n"
            };
            write.write_all(reply).await.expect("reply");
        }
        (rcpt, data)
    });
    (port, task)
}
