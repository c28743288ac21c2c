//! Submissions: the list, one submission (declaration, answers, smelter rows with resolution,
//! problems with cells), and downloads of the original and of the feedback workbook.

use super::{Head, Layout, Pager, Query, heads, is_desc, render, window};
use crate::auth::Viewer;
use crate::db::audit;
use crate::db::lists::{
    self, ProblemLine, SmelterLine, SubmissionFilter, SubmissionLine, SubmissionRecord,
};
use crate::error::{Result, WebError};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query as Q, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use oretrail_template::{CompanyAnswer, SupplierReport};
use oretrail_validate::Severity;
use oretrail_writer::{ProblemMark, feedback_workbook};
use serde::Deserialize;

/// List parameters.
#[derive(Debug, Deserialize)]
pub struct ListParams {
    campaign: Option<i64>,
    status: Option<String>,
    q: Option<String>,
    current: Option<String>,
    sort: Option<String>,
    dir: Option<String>,
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "submissions.html")]
struct SubmissionsPage {
    layout: Layout,
    campaigns: Vec<(i64, String, bool)>,
    lines: Vec<SubmissionLine>,
    heads: Vec<Head>,
    pager: Pager,
    status: String,
    q: String,
    current: bool,
}

/// Every submission, newest first, with filters.
pub async fn list(
    State(state): State<AppState>,
    Viewer(s): Viewer,
    Q(p): Q<ListParams>,
) -> Result<Response> {
    let all = oretrail_store::campaigns::list_campaigns(&state.store).await?;
    let sort = p.sort.unwrap_or_else(|| "received".into());
    let desc = is_desc(p.dir.as_deref(), true);
    let (page, w) = window(p.page, super::PER_PAGE);
    let f = SubmissionFilter {
        campaign_id: p.campaign.unwrap_or(0),
        supplier_id: 0,
        status: p.status.unwrap_or_default(),
        q: p.q.unwrap_or_default().trim().to_string(),
        current_only: p.current.as_deref() == Some("1"),
        after: None,
    };
    let (lines, total) = lists::submissions(&state, &f, &sort, desc, w).await?;
    let q = Query::new(
        "/submissions",
        &[
            (
                "campaign",
                p.campaign.map(|c| c.to_string()).unwrap_or_default(),
            ),
            ("status", f.status.clone()),
            ("q", f.q.clone()),
            (
                "current",
                if f.current_only {
                    "1".into()
                } else {
                    String::new()
                },
            ),
            ("sort", sort.clone()),
            ("dir", if desc { "desc".into() } else { "asc".into() }),
        ],
    );
    let page_view = SubmissionsPage {
        layout: Layout::new(&state, &s, "Submissions", "/submissions").await?,
        campaigns: all
            .iter()
            .map(|c| (c.id, c.spec.name.clone(), c.id == f.campaign_id))
            .collect(),
        heads: heads(
            &q,
            &[
                ("#", "received", false),
                ("File", "file", false),
                ("Declared company", "company", false),
                ("Supplier", "", false),
                ("Template", "", false),
                ("Status", "status", false),
                ("Errors", "errors", true),
                ("Warnings", "", true),
            ],
            &sort,
            desc,
        ),
        pager: Pager::new(&q, page, w.limit, total, lines.len()),
        lines,
        status: f.status,
        q: f.q,
        current: f.current_only,
    };
    render(&page_view)
}

/// A declaration field for display.
pub struct Field {
    label: String,
    value: String,
    cell: String,
}

/// An answer row: question, per-mineral answers or one answer, comment.
pub struct AnswerRow {
    question: String,
    answers: Vec<(String, String)>,
    comment: String,
}

#[derive(Template)]
#[template(path = "submission.html")]
struct SubmissionPage {
    layout: Layout,
    sub: SubmissionRecord,
    fields: Vec<Field>,
    minerals: String,
    active: String,
    answers: Vec<AnswerRow>,
    company_answers: Vec<AnswerRow>,
    smelters: Vec<(SmelterLine, String)>,
    problems: Vec<ProblemLine>,
    counts: (usize, usize, usize),
    unreadable: bool,
}

/// One submission.
pub async fn show(
    State(state): State<AppState>,
    Viewer(s): Viewer,
    Path(id): Path<i64>,
) -> Result<Response> {
    let sub = lists::submission(&state, id)
        .await?
        .ok_or_else(|| WebError::NotFound(format!("submission {id}")))?;
    let report: Option<SupplierReport> = match &sub.report_json {
        Some(j) => serde_json::from_str(j).ok(),
        None => None,
    };
    let problems = lists::problems(&state, id, "en").await?;
    let smelters = lists::smelters(&state, id).await?;
    let count = |sev: &str| problems.iter().filter(|p| p.severity == sev).count();
    let counts = (count("error"), count("warning"), count("info"));
    let (fields, minerals, active, answers, company_answers) = match &report {
        Some(r) => describe(r),
        None => Default::default(),
    };
    let page = SubmissionPage {
        layout: Layout::new(&state, &s, format!("Submission #{id}"), "/submissions").await?,
        unreadable: report.is_none(),
        fields,
        minerals,
        active,
        answers,
        company_answers,
        smelters: smelters
            .into_iter()
            .map(|l| {
                let c = format!("{:.0}%", l.confidence * 100.0);
                (l, c)
            })
            .collect(),
        problems,
        counts,
        sub,
    };
    render(&page)
}

type Described = (Vec<Field>, String, String, Vec<AnswerRow>, Vec<AnswerRow>);

fn describe(r: &SupplierReport) -> Described {
    let d = &r.declaration;
    let items: [(&str, &str, &Option<String>); 12] = [
        ("Company name", "company_name", &d.company_name),
        ("Declaration scope", "scope", &d.scope),
        (
            "Scope description",
            "scope_description",
            &d.scope_description,
        ),
        (
            "Company unique ID",
            "company_unique_id",
            &d.company_unique_id,
        ),
        ("Address", "address", &d.address),
        ("Contact name", "contact_name", &d.contact_name),
        ("Contact e-mail", "contact_email", &d.contact_email),
        ("Contact phone", "contact_phone", &d.contact_phone),
        ("Authorizer", "authorizer_name", &d.authorizer_name),
        ("Authorizer title", "authorizer_title", &d.authorizer_title),
        ("Authorizer e-mail", "authorizer_email", &d.authorizer_email),
        ("Effective date", "effective_date", &d.effective_date),
    ];
    let fields = items
        .iter()
        .map(|(label, key, value)| Field {
            label: label.to_string(),
            value: value.as_deref().unwrap_or_default().to_string(),
            cell: r.declaration_cells.get(*key).cloned().unwrap_or_default(),
        })
        .collect();
    let mut questions: Vec<String> = Vec::new();
    for per in r.mineral_answers.values() {
        for q in per.keys() {
            if !questions.contains(q) {
                questions.push(q.clone());
            }
        }
    }
    let answers = questions
        .iter()
        .map(|q| AnswerRow {
            question: q.clone(),
            answers: r
                .mineral_answers
                .iter()
                .map(|(m, per)| {
                    (
                        m.clone(),
                        per.get(q)
                            .and_then(|a| a.answer.clone())
                            .unwrap_or_default(),
                    )
                })
                .collect(),
            comment: r
                .mineral_answers
                .values()
                .filter_map(|per| per.get(q).and_then(|a| a.comment.clone()))
                .collect::<Vec<_>>()
                .join(" · "),
        })
        .collect();
    let company_answers = r
        .company_answers
        .iter()
        .map(|(q, a)| match a {
            CompanyAnswer::Single(a) => AnswerRow {
                question: q.clone(),
                answers: vec![(String::new(), a.answer.clone().unwrap_or_default())],
                comment: a.comment.clone().unwrap_or_default(),
            },
            CompanyAnswer::PerMineral(per) => AnswerRow {
                question: q.clone(),
                answers: per
                    .iter()
                    .map(|(m, a)| (m.clone(), a.answer.clone().unwrap_or_default()))
                    .collect(),
                comment: per
                    .values()
                    .filter_map(|a| a.comment.clone())
                    .collect::<Vec<_>>()
                    .join(" · "),
            },
        })
        .collect();
    (
        fields,
        r.minerals_in_scope.join(", "),
        r.active_minerals.join(", "),
        answers,
        company_answers,
    )
}

/// The original file, byte for byte.
pub async fn original(
    State(state): State<AppState>,
    Viewer(s): Viewer,
    Path(id): Path<i64>,
) -> Result<Response> {
    let (name, bytes) = oretrail_store::submissions::original_of(&state.store, id).await?;
    audit::record(
        &state.store,
        s.actor(),
        "download.original",
        Some(&format!("submission {id}")),
        None,
    )
    .await?;
    Ok(download(&name, bytes))
}

/// The supplier's workbook with problem cells highlighted and commented.
pub async fn feedback(
    State(state): State<AppState>,
    Viewer(s): Viewer,
    Path(id): Path<i64>,
) -> Result<Response> {
    let (name, bytes) = oretrail_store::submissions::original_of(&state.store, id).await?;
    let marks: Vec<ProblemMark> = lists::problems(&state, id, "en")
        .await?
        .into_iter()
        .map(|p| ProblemMark {
            sheet: p.sheet,
            cell: p.cell,
            row: None,
            severity: match p.severity.as_str() {
                "error" => Severity::Error,
                "warning" => Severity::Warning,
                _ => Severity::Info,
            },
            code: p.code,
            message: p.message,
        })
        .collect();
    let out = tokio::task::spawn_blocking(move || feedback_workbook(&bytes, &marks))
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?
        .map_err(|e| WebError::BadRequest(format!("no feedback workbook for this file: {e}")))?;
    audit::record(
        &state.store,
        s.actor(),
        "download.feedback",
        Some(&format!("submission {id}")),
        None,
    )
    .await?;
    Ok(download(&feedback_name(&name), out))
}

/// "file.xlsx" → "file (feedback).xlsx".
pub fn feedback_name(original: &str) -> String {
    let base = original.rsplit(['/', '\\']).next().unwrap_or(original);
    match base.rsplit_once('.') {
        Some((stem, ext)) => format!("{stem} (feedback).{ext}"),
        None => format!("{base} (feedback).xlsx"),
    }
}

/// An attachment response (file name encoded per RFC 6266).
pub fn download(name: &str, bytes: Vec<u8>) -> Response {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let ascii: String = base
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = base
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let ctype = if base.to_lowercase().ends_with(".xls") {
        "application/vnd.ms-excel"
    } else {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    };
    (
        [
            (header::CONTENT_TYPE, ctype.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"),
            ),
        ],
        bytes,
    )
        .into_response()
}
