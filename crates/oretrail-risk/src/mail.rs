//! E-mail through SMTP (lettre): where to send the digest from and to, and sending it.
//!
//! The server is given as a URL: `smtp://host:25` (plain, for a local relay),
//! `smtp://user:password@host:587?tls=required` (STARTTLS) or `smtps://user:password@host:465`.

use crate::error::{Result, RiskError};
use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// Where the digest goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpSettings {
    /// SMTP server URL.
    pub url: String,
    /// Sender address.
    pub from: String,
    /// Recipients.
    pub to: Vec<String>,
}

impl SmtpSettings {
    /// Settings from `ORETRAIL_SMTP_URL`, `ORETRAIL_MAIL_FROM` and `ORETRAIL_DIGEST_TO`
    /// (comma-separated); `None` unless the URL and a recipient are set.
    pub fn from_env() -> Option<SmtpSettings> {
        let url = std::env::var("ORETRAIL_SMTP_URL").ok()?;
        let to = split_addresses(&std::env::var("ORETRAIL_DIGEST_TO").unwrap_or_default());
        if url.trim().is_empty() || to.is_empty() {
            return None;
        }
        Some(SmtpSettings {
            url: url.trim().to_string(),
            from: std::env::var("ORETRAIL_MAIL_FROM")
                .unwrap_or_else(|_| "oretrail@localhost".into()),
            to,
        })
    }

    /// The URL without its password, for messages.
    pub fn redacted_url(&self) -> String {
        oretrail_store::db::redact(&self.url)
    }
}

/// Addresses separated by commas, semicolons or spaces.
pub fn split_addresses(text: &str) -> Vec<String> {
    text.split([',', ';', ' ', '\n'])
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(str::to_string)
        .collect()
}

fn mailbox(address: &str) -> Result<Mailbox> {
    address
        .parse()
        .map_err(|e| RiskError::Mail(format!("'{address}' is not an address: {e}")))
}

/// Sends a plain-text message to every recipient.
pub async fn send(settings: &SmtpSettings, subject: &str, text: &str) -> Result<()> {
    if settings.to.is_empty() {
        return Err(RiskError::Mail("no recipient".into()));
    }
    let mut builder = Message::builder()
        .from(mailbox(&settings.from)?)
        .subject(subject)
        .header(ContentType::TEXT_PLAIN);
    for to in &settings.to {
        builder = builder.to(mailbox(to)?);
    }
    let message = builder
        .body(text.to_string())
        .map_err(|e| RiskError::Mail(e.to_string()))?;
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&settings.url)
        .map_err(|e| RiskError::Mail(format!("{}: {e}", settings.redacted_url())))?
        .timeout(Some(std::time::Duration::from_secs(30)))
        .build();
    transport
        .send(message)
        .await
        .map_err(|e| RiskError::Mail(format!("{}: {e}", settings.redacted_url())))?;
    Ok(())
}
