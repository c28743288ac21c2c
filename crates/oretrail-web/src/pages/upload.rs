//! The upload page: drag and drop many files or zip archives; each file's progress and result.

use super::{Layout, render};
use crate::auth::Analyst;
use crate::error::{Result, WebError};
use crate::state::AppState;
use crate::upload::{self, FileResult, Incoming};
use askama::Template;
use axum::Json;
use axum::extract::{Multipart, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};

#[derive(Template)]
#[template(path = "upload.html")]
struct UploadPage {
    layout: Layout,
    campaigns: Vec<(i64, String, bool)>,
    results: Vec<FileResult>,
}

/// The upload form.
pub async fn form(State(state): State<AppState>, Analyst(s): Analyst) -> Result<Response> {
    let (all, chosen) = super::pick_campaign(&state, None).await?;
    let page = UploadPage {
        layout: Layout::new(&state, &s, "Upload supplier files", "/upload").await?,
        campaigns: super::campaign_options(&all, chosen.as_ref()),
        results: Vec::new(),
    };
    render(&page)
}

/// Reads a multipart upload: the campaign field and every file part.
pub async fn read_multipart(
    mut mp: Multipart,
) -> Result<(Option<i64>, Vec<Incoming>, Vec<(String, String)>)> {
    let mut campaign = None;
    let mut files = Vec::new();
    let mut fields = Vec::new();
    while let Some(field) = mp
        .next_field()
        .await
        .map_err(|e| crate::limits::body_error(&e, "upload"))?
    {
        let name = field.name().unwrap_or("").to_string();
        match field.file_name().map(str::to_string) {
            Some(file_name) => {
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|e| crate::limits::body_error(&e, "upload"))?;
                if !bytes.is_empty() || !file_name.is_empty() {
                    files.push(Incoming {
                        name: file_name,
                        bytes: bytes.to_vec(),
                    });
                }
            }
            None => {
                let text = field
                    .text()
                    .await
                    .map_err(|e| crate::limits::body_error(&e, "upload"))?;
                if name == "campaign" {
                    campaign = text.trim().parse().ok();
                }
                fields.push((name, text));
            }
        }
    }
    Ok((campaign, files, fields))
}

/// Receives files: JSON results for the page's script, else the page with results.
pub async fn receive(
    State(state): State<AppState>,
    Analyst(s): Analyst,
    headers: HeaderMap,
    mp: Multipart,
) -> Result<Response> {
    let (campaign_id, files, _) = read_multipart(mp).await?;
    if files.is_empty() {
        return Err(WebError::BadRequest("no file in the upload".into()));
    }
    let all = oretrail_store::campaigns::list_campaigns(&state.store).await?;
    // An empty campaign field means "no campaign".
    let campaign = campaign_id.and_then(|id| all.iter().find(|c| c.id == id).cloned());
    let results = upload::receive(&state, campaign.clone(), files, s.actor(), "web upload").await?;
    let wants_json = headers
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"));
    if wants_json {
        return Ok(Json(results).into_response());
    }
    let page = UploadPage {
        layout: Layout::new(&state, &s, "Upload supplier files", "/upload").await?,
        campaigns: all
            .iter()
            .map(|c| {
                (
                    c.id,
                    c.spec.name.clone(),
                    campaign.as_ref().is_some_and(|x| x.id == c.id),
                )
            })
            .collect(),
        results,
    };
    render(&page)
}
