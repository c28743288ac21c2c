//! The supplier's page behind an upload link: the request, an upload form, and the problems of
//! each upload in the supplier's language. The link's token is the only credential and opens
//! only this page, its upload and the feedback workbooks of its own uploads.

use crate::db::links::{self, UploadLink};
use crate::error::{Result, WebError};
use crate::pages::submissions::{download, feedback_name};
use crate::state::AppState;
use crate::upload::{self, problem_view};
use askama::Template;
use axum::Router;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use oretrail_store::campaigns::Campaign;
use oretrail_validate::Problem;
use oretrail_writer::{ProblemMark, feedback_workbook};
use serde::Deserialize;

/// The supplier routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/s/{token}", get(page))
        .route("/s/{token}/upload", post(upload_files))
        .route("/s/{token}/feedback/{upload}", get(feedback))
}

/// Texts of the page in the supplier's language.
pub struct Texts {
    title: &'static str,
    intro: &'static str,
    deadline: &'static str,
    templates: &'static str,
    status: &'static str,
    upload: &'static str,
    choose: &'static str,
    button: &'static str,
    history: &'static str,
    no_problems: &'static str,
    feedback: &'static str,
    problems: &'static str,
}

/// The texts of a language ("en", "zh").
pub fn texts(lang: &str) -> Texts {
    if lang == "zh" {
        Texts {
            title: "责任矿产申报",
            intro: "请上传贵公司填写的 RMI 模板。系统会立即检查文件并列出每个问题及其单元格；修改后可重新上传。",
            deadline: "截止日期",
            templates: "接受的模板",
            status: "当前状态",
            upload: "上传模板",
            choose: "选择文件（.xlsx / .xls，可多选）",
            button: "上传并检查",
            history: "您的上传记录",
            no_problems: "未发现问题。谢谢！",
            feedback: "下载标注问题的工作簿",
            problems: "发现的问题",
        }
    } else {
        Texts {
            title: "Responsible-minerals declaration",
            intro: "Upload your filled RMI template. It is checked at once and every problem is listed with its cell; correct the file and upload it again as often as needed.",
            deadline: "Deadline",
            templates: "Templates accepted",
            status: "Current status",
            upload: "Upload your template",
            choose: "Choose files (.xlsx / .xls, several allowed)",
            button: "Upload and check",
            history: "Your uploads",
            no_problems: "No problems found. Thank you!",
            feedback: "Download your workbook with the problems marked",
            problems: "Problems found",
        }
    }
}

/// One upload as the supplier sees it.
pub struct UploadView {
    id: i64,
    file_name: String,
    at: String,
    outcome: String,
    problems: Vec<(String, String, String)>,
    has_file: bool,
}

#[derive(Template)]
#[template(path = "portal.html")]
struct PortalPage {
    t: Texts,
    lang: String,
    company: String,
    link: UploadLink,
    templates: String,
    uploads: Vec<UploadView>,
    latest: Option<i64>,
}

/// Page parameters.
#[derive(Debug, Deserialize)]
pub struct PageParams {
    lang: Option<String>,
    upload: Option<i64>,
}

async fn live_link(state: &AppState, token: &str) -> Result<UploadLink> {
    // Tokens are 64 hex digits; anything else is not looked up.
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(WebError::NotFound("this link".into()));
    }
    match links::by_token(&state, token).await? {
        Some(l) if l.is_live() => Ok(l),
        Some(_) => Err(WebError::Gone),
        None => Err(WebError::NotFound("this link".into())),
    }
}

fn lang_of(p: Option<&str>, link: &UploadLink) -> String {
    oretrail_validate::messages::normalise_lang(p.unwrap_or(&link.language)).to_string()
}

/// The supplier's page.
pub async fn page(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(p): Query<PageParams>,
) -> Result<Response> {
    let link = live_link(&state, &token).await?;
    let lang = lang_of(p.lang.as_deref(), &link);
    let uploads = links::uploads(&state, link.id)
        .await?
        .into_iter()
        .map(|u| {
            let problems: Vec<Problem> = serde_json::from_str(&u.problems_json).unwrap_or_default();
            UploadView {
                id: u.id,
                has_file: u.submission_id.is_some(),
                file_name: u.file_name,
                at: u.at,
                outcome: u.outcome,
                problems: problems.iter().map(|p| problem_view(p, &lang)).collect(),
            }
        })
        .collect();
    let families: std::collections::BTreeMap<String, Option<String>> =
        serde_json::from_str(&link.families).unwrap_or_default();
    let templates = if families.is_empty() {
        "CMRT, EMRT, CRT, AMRT".to_string()
    } else {
        families.keys().cloned().collect::<Vec<_>>().join(", ")
    };
    let page = PortalPage {
        t: texts(&lang),
        lang,
        company: state.config.company_name.clone(),
        templates,
        uploads,
        latest: p.upload,
        link,
    };
    Ok(Html(page.render()?).into_response())
}

/// Receives the supplier's files, checks them, links them to the request's supplier.
pub async fn upload_files(
    State(state): State<AppState>,
    Path(token): Path<String>,
    request: axum::extract::Request,
) -> Result<Response> {
    // The link first: an unknown or dead link's body is never read.
    let link = live_link(&state, &token).await?;
    let mp = <Multipart as axum::extract::FromRequest<AppState>>::from_request(request, &state)
        .await
        .map_err(|e| WebError::BadRequest(format!("upload: {e}")))?;
    let (_, files, fields) = crate::pages::upload::read_multipart(mp).await?;
    let csrf = fields
        .iter()
        .find(|(k, _)| k == "_csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    if !crate::auth::constant_time_eq(csrf.as_bytes(), link.csrf.as_bytes()) {
        return Err(WebError::Csrf);
    }
    let lang = lang_of(
        fields
            .iter()
            .find(|(k, _)| k == "lang")
            .map(|(_, v)| v.as_str()),
        &link,
    );
    if files.is_empty() {
        return Ok(Redirect::to(&format!("/s/{token}?lang={lang}")).into_response());
    }
    let campaign: Option<Campaign> = oretrail_store::campaigns::list_campaigns(&state.store)
        .await?
        .into_iter()
        .find(|c| c.id == link.campaign_id);
    let actor = format!("supplier-link:{}", link.erp_id);
    let results = upload::receive(&state, campaign, files, &actor, "supplier link").await?;
    let mut last = None;
    for r in results {
        let mut outcome = r.outcome.clone();
        if let (Some(id), "needs_review") = (r.submission_id, r.outcome.as_str()) {
            // The link names the supplier: confirm it unless the file names another supplier.
            let sub = crate::db::lists::submission(&state, id).await?;
            let other = sub
                .as_ref()
                .and_then(|s| s.line.supplier_id)
                .is_some_and(|sid| sid != link.supplier_id);
            if !other {
                outcome = crate::review::confirm_supplier(&state, id, &link.erp_id, &actor).await?;
            }
        }
        let json = serde_json::to_string(&r.problems)?;
        last = Some(
            links::record_upload(
                &state.store,
                link.id,
                r.submission_id,
                &r.name,
                &outcome,
                &json,
            )
            .await?,
        );
    }
    let suffix = last
        .map(|u| format!("&upload={u}#upload-{u}"))
        .unwrap_or_default();
    Ok(Redirect::to(&format!("/s/{token}?lang={lang}{suffix}")).into_response())
}

/// Feedback parameters.
#[derive(Debug, Deserialize)]
pub struct FeedbackParams {
    lang: Option<String>,
}

/// The supplier's own workbook with its problems marked, in its language.
pub async fn feedback(
    State(state): State<AppState>,
    Path((token, upload_id)): Path<(String, i64)>,
    Query(p): Query<FeedbackParams>,
) -> Result<Response> {
    let link = live_link(&state, &token).await?;
    let lang = lang_of(p.lang.as_deref(), &link);
    let upload = links::uploads(&state, link.id)
        .await?
        .into_iter()
        .find(|u| u.id == upload_id)
        .ok_or_else(|| WebError::NotFound("this upload".into()))?;
    let submission = upload
        .submission_id
        .ok_or_else(|| WebError::NotFound("this upload's file".into()))?;
    let (name, bytes) = oretrail_store::submissions::original_of(&state.store, submission).await?;
    let problems: Vec<Problem> = serde_json::from_str(&upload.problems_json).unwrap_or_default();
    let marks: Vec<ProblemMark> = problems
        .iter()
        .map(|p| ProblemMark {
            message: p.message_in(&lang),
            ..ProblemMark::from(p)
        })
        .collect();
    let out = tokio::task::spawn_blocking(move || feedback_workbook(&bytes, &marks))
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?
        .map_err(|e| WebError::BadRequest(format!("no feedback workbook for this file: {e}")))?;
    Ok(download(&feedback_name(&name), out))
}

/// The answer to an expired or revoked link.
pub fn gone() -> Response {
    (
        StatusCode::GONE,
        crate::pages::error_page(
            StatusCode::GONE,
            "This upload link has expired or was revoked. Please ask your customer for a new link. / 此上传链接已过期或已被撤销，请向客户索取新链接。",
        ),
    )
        .into_response()
}
