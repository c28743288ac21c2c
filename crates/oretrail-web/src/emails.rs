//! Request and reminder e-mails as `.eml` files (RFC 5322, UTF-8, English and Chinese), each
//! with the supplier's own upload link.

use chrono::NaiveDate;

/// Which e-mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// First request.
    Request,
    /// Reminder.
    Reminder,
}

impl Kind {
    /// Parses "request" / "reminder".
    pub fn from_code(code: &str) -> Option<Kind> {
        match code {
            "request" => Some(Kind::Request),
            "reminder" => Some(Kind::Reminder),
            _ => None,
        }
    }

    /// Code.
    pub fn code(self) -> &'static str {
        match self {
            Kind::Request => "request",
            Kind::Reminder => "reminder",
        }
    }
}

/// What one e-mail says.
#[derive(Debug, Clone, PartialEq)]
pub struct Letter<'a> {
    /// Request or reminder.
    pub kind: Kind,
    /// The asking company.
    pub company: &'a str,
    /// Sender address.
    pub from: &'a str,
    /// Supplier contact e-mail, if known.
    pub to: Option<&'a str>,
    /// Supplier name.
    pub supplier: &'a str,
    /// Campaign name.
    pub campaign: &'a str,
    /// Templates accepted, e.g. "CMRT 6.31 or later, EMRT".
    pub templates: &'a str,
    /// Deadline.
    pub deadline: Option<NaiveDate>,
    /// The upload link.
    pub link: &'a str,
    /// Link expiry (date).
    pub link_expires: &'a str,
    /// Request ID (header).
    pub request_id: i64,
    /// Date header value (RFC 2822).
    pub date: &'a str,
}

/// RFC 2047 encoding of a header value when it is not plain ASCII.
pub fn header_text(text: &str) -> String {
    if text.is_ascii() {
        text.replace(['\r', '\n'], " ")
    } else {
        format!("=?UTF-8?B?{}?=", base64(text.as_bytes()))
    }
}

/// The display name of an address header: a quoted string when ASCII (so that `<`, `,` or `"`
/// in a supplier's name cannot add recipients), an encoded word otherwise.
pub fn display_name(text: &str) -> String {
    if text.is_ascii() {
        let clean = text.replace(['\r', '\n'], " ");
        format!("\"{}\"", clean.replace('\\', "\\\\").replace('"', "\\\""))
    } else {
        header_text(text)
    }
}

/// Standard base64 with padding.
pub fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(A[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The plain-text body.
pub fn body(l: &Letter<'_>) -> String {
    let deadline = l
        .deadline
        .map(|d| d.to_string())
        .unwrap_or_else(|| "as soon as possible".into());
    let (opening, opening_zh) = match l.kind {
        Kind::Request => (
            format!(
                "{} asks its suppliers for their responsible-minerals declarations for the campaign \"{}\".",
                l.company, l.campaign
            ),
            format!(
                "{} 正在开展\u{201c}{}\u{201d}责任矿产调查，请贵公司提交申报模板。",
                l.company, l.campaign
            ),
        ),
        Kind::Reminder => (
            format!(
                "This is a reminder: we have not yet received an acceptable declaration from you for the campaign \"{}\".",
                l.campaign
            ),
            format!(
                "温馨提示：我们尚未收到贵公司针对\u{201c}{}\u{201d}的有效申报。",
                l.campaign
            ),
        ),
    };
    format!(
        "Dear {supplier},\r\n\r\n{opening}\r\n\r\nPlease fill in the RMI template(s) we accept ({templates}) and upload them by {deadline} at your own link:\r\n\r\n    {link}\r\n\r\nThe page checks your file at once and shows every problem with its cell, in English or Chinese, so you can correct it and upload again. The link is personal to {supplier} and valid until {expires}.\r\n\r\nThank you,\r\n{company} — Responsible Minerals Program\r\n\r\n----\r\n\r\n{supplier}：\r\n\r\n{opening_zh}\r\n请填写我们接受的 RMI 模板（{templates}），并于 {deadline} 前通过以下专属链接上传：\r\n\r\n    {link}\r\n\r\n系统会立即检查文件，并以中文或英文列出每个问题及其所在单元格，您可修改后重新上传。该链接仅供 {supplier} 使用，有效期至 {expires}。\r\n\r\n谢谢！\r\n{company} 责任矿产项目组\r\n",
        supplier = l.supplier,
        templates = l.templates,
        link = l.link,
        expires = l.link_expires,
        company = l.company,
    )
}

/// The whole `.eml` message.
pub fn eml(l: &Letter<'_>) -> String {
    let subject = match l.kind {
        Kind::Request => format!(
            "{}: responsible-minerals declaration request ({})",
            l.company, l.campaign
        ),
        Kind::Reminder => format!(
            "Reminder - {}: responsible-minerals declaration ({})",
            l.company, l.campaign
        ),
    };
    let mut m = String::new();
    m.push_str(&format!(
        "From: {} <{}>\r\n",
        display_name(&format!("{} Responsible Minerals", l.company)),
        l.from
    ));
    if let Some(to) = l.to {
        m.push_str(&format!(
            "To: {} <{}>\r\n",
            display_name(l.supplier),
            to.replace(['\r', '\n', '<', '>'], "")
        ));
    } else {
        m.push_str(&format!("To: {} <>\r\n", display_name(l.supplier)));
    }
    m.push_str(&format!("Subject: {}\r\n", header_text(&subject)));
    m.push_str(&format!("Date: {}\r\n", l.date));
    m.push_str(&format!("X-Oretrail-Request: {}\r\n", l.request_id));
    m.push_str("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n");
    m.push_str(&body(l));
    m
}

/// A file name for a supplier's e-mail.
pub fn file_name(kind: Kind, erp_id: &str) -> String {
    let safe: String = erp_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{}-{safe}.eml", kind.code())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_and_headers() {
        assert_eq!(base64(b"Man"), "TWFu");
        assert_eq!(base64(b"Ma"), "TWE=");
        assert_eq!(base64(b"M"), "TQ==");
        assert_eq!(header_text("Acme"), "Acme");
        assert!(header_text("凯源精密").starts_with("=?UTF-8?B?"));
    }

    #[test]
    fn the_message_carries_the_link_in_both_languages() {
        let l = Letter {
            kind: Kind::Reminder,
            company: "Example Devices",
            from: "minerals@example.com",
            to: Some("ops@acme.example"),
            supplier: "Acme",
            campaign: "2025",
            templates: "CMRT, EMRT",
            deadline: NaiveDate::from_ymd_opt(2026, 1, 31),
            link: "https://x.example/s/abc",
            link_expires: "2026-03-01",
            request_id: 7,
            date: "Tue, 25 Nov 2026 10:00:00 +0000",
        };
        let m = eml(&l);
        assert!(m.contains("Subject: Reminder"));
        assert_eq!(m.matches("https://x.example/s/abc").count(), 2);
        assert!(m.contains("To: \"Acme\" <ops@acme.example>"));
        assert_eq!(display_name("A \"B\" <c>"), "\"A \\\"B\\\" <c>\"");
        assert_eq!(file_name(Kind::Request, "V/1 0"), "request-V_1_0.eml");
    }
}
