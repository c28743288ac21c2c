//! Exports: a campaign's tables as CSV or XLSX (the functions behind `oretrail export`, formula
//! text neutralised), the regulatory drafts (from the newest report snapshot), and the
//! company's own EMRT/CMRT/CRT written into RMI's blank template (`oretrail export-template`).

use super::reports::{Kind, attachment, parse_date, profile, profile_path, snapshot_lines};
use super::{Layout, pick_campaign, render};
use crate::auth::{Role, Viewer};
use crate::db::audit;
use crate::error::{Result, WebError};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query as Q, State};
use axum::response::{IntoResponse, Redirect, Response};
use oretrail_report::declaration::{DeriveOptions, ExportScope};
use oretrail_report::exports::{TABLES, table, write_csv, write_xlsx};
use oretrail_report::gather::{campaign_data, period_window, risk_data};
use oretrail_report::profile::Overrides;
use oretrail_report::snapshot::RiskData;
use oretrail_template::{Family, Registry};
use serde::Deserialize;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const CSV: &str = "text/csv; charset=utf-8";

/// The template families the company declares in.
pub const FAMILIES: [Family; 3] = [Family::Emrt, Family::Cmrt, Family::Crt];

/// A draft made from a stored snapshot.
pub struct DraftLink {
    /// Snapshot ID.
    id: String,
    /// Kind code.
    kind: &'static str,
    /// Name.
    label: &'static str,
}

#[derive(Template)]
#[template(path = "exports.html")]
struct ExportsPage {
    layout: Layout,
    campaigns: Vec<(i64, String, bool)>,
    campaign_id: i64,
    campaign_name: String,
    as_of: String,
    tables: Vec<&'static str>,
    drafts: Vec<DraftLink>,
    draft_snapshot: String,
    can_edit: bool,
    has_profile: bool,
    profile_path: String,
    families: Vec<(&'static str, String)>,
}

/// Page parameters.
#[derive(Debug, Deserialize)]
pub struct ExportsParams {
    campaign: Option<i64>,
    as_of: Option<String>,
}

/// The exports page.
pub async fn page(
    State(state): State<AppState>,
    Viewer(s): Viewer,
    Q(p): Q<ExportsParams>,
) -> Result<Response> {
    let (all, chosen) = pick_campaign(&state, p.campaign).await?;
    let as_of = parse_date(p.as_of.as_deref())?.unwrap_or_else(crate::db::today);
    let newest = match &chosen {
        Some(c) => snapshot_lines(&state)
            .await?
            .into_iter()
            .find(|l| l.campaign == c.spec.name),
        None => None,
    };
    let registry = Registry::global();
    let page = ExportsPage {
        layout: Layout::new(&state, &s, "Exports", "/exports").await?,
        campaigns: super::campaign_options(&all, chosen.as_ref()),
        campaign_id: chosen.as_ref().map(|c| c.id).unwrap_or(0),
        campaign_name: chosen
            .as_ref()
            .map(|c| c.spec.name.clone())
            .unwrap_or_default(),
        as_of: as_of.to_string(),
        tables: TABLES.to_vec(),
        drafts: newest
            .as_ref()
            .map(|n| {
                [Kind::FormSd, Kind::EuBattery]
                    .into_iter()
                    .map(|k| DraftLink {
                        id: n.id.clone(),
                        kind: k.code(),
                        label: k.label(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        draft_snapshot: newest
            .map(|n| format!("{} as of {} ({})", n.short, n.as_of, n.created))
            .unwrap_or_default(),
        can_edit: s.user.role.allows(Role::Analyst),
        has_profile: profile_path(&state).is_file(),
        profile_path: profile_path(&state).display().to_string(),
        families: FAMILIES
            .iter()
            .map(|f| {
                let mut versions: Vec<String> =
                    registry.family(*f).map(|d| d.version.clone()).collect();
                versions.sort_by(|a, b| oretrail_template::registry::version_cmp(b, a));
                (f.code(), versions.join(", "))
            })
            .collect(),
    };
    render(&page)
}

/// Download parameters.
#[derive(Debug, Deserialize)]
pub struct DownloadParams {
    campaign: Option<i64>,
    as_of: Option<String>,
}

/// One table (`suppliers.csv`, `rollup.xlsx`, …) or every table (`all.xlsx`) of a campaign.
pub async fn download(
    State(state): State<AppState>,
    Viewer(s): Viewer,
    Path(file): Path<String>,
    Q(p): Q<DownloadParams>,
) -> Result<Response> {
    let (name, format): (&'static str, &'static str) = file
        .rsplit_once('.')
        .and_then(|(n, f)| {
            let name = std::iter::once("all").chain(TABLES).find(|t| *t == n)?;
            let format = ["csv", "xlsx"].into_iter().find(|x| *x == f)?;
            Some((name, format))
        })
        .ok_or_else(|| WebError::NotFound(format!("export {file}")))?;
    if name == "all" && format == "csv" {
        return Err(WebError::NotFound(
            "CSV holds one table; all tables come as XLSX".into(),
        ));
    }
    let (_, campaign) = pick_campaign(&state, p.campaign).await?;
    let campaign = campaign.ok_or_else(|| WebError::NotFound("no campaign".into()))?;
    let as_of = parse_date(p.as_of.as_deref())?.unwrap_or_else(crate::db::today);
    let names: Vec<&str> = if name == "all" {
        TABLES.to_vec()
    } else {
        vec![name]
    };
    let risk = if names.contains(&"risk-register") {
        risk_data(&state.store, period_window(&campaign.spec.period, as_of))
            .await
            .map(|(r, _)| r)
            .unwrap_or_default()
    } else {
        RiskData::default()
    };
    let mut tables = Vec::new();
    for n in &names {
        tables.push(table(&state.store, &campaign, n, as_of, &risk).await?);
    }
    let bytes = tokio::task::spawn_blocking(move || -> oretrail_report::Result<Vec<u8>> {
        if format == "xlsx" {
            write_xlsx(&tables)
        } else {
            let mut out = Vec::new();
            write_csv(&tables[0], &mut out)?;
            Ok(out)
        }
    })
    .await
    .map_err(|e| WebError::Internal(e.to_string()))??;
    audit::record(
        &state.store,
        s.actor(),
        "export.download",
        Some(&format!("campaign {}", campaign.id)),
        Some(&format!("{file} as of {as_of}")),
    )
    .await?;
    let ctype = if format == "xlsx" { XLSX } else { CSV };
    Ok(attachment(
        &format!("{}-{name}-{as_of}.{format}", campaign.spec.name),
        ctype,
        bytes,
    ))
}

/// Company template parameters.
#[derive(Debug, Deserialize)]
pub struct TemplateParams {
    campaign: Option<i64>,
    family: Option<String>,
    version: Option<String>,
    scope: Option<String>,
    as_of: Option<String>,
}

/// The company's own declaration written into RMI's blank template, as `oretrail
/// export-template` writes it (company profile and overrides of the data directory).
pub async fn company_template(
    State(state): State<AppState>,
    Viewer(s): Viewer,
    Q(p): Q<TemplateParams>,
) -> Result<Response> {
    let Some(code) = p.family.as_deref().filter(|f| !f.trim().is_empty()) else {
        return Ok(Redirect::to("/exports").into_response());
    };
    let family = Family::from_code(code)
        .filter(|f| FAMILIES.contains(f))
        .ok_or_else(|| WebError::BadRequest(format!("'{code}' is not EMRT, CMRT or CRT")))?;
    let registry = Registry::global();
    let version = p.version.as_deref().map(str::trim).unwrap_or("");
    let def = if version.is_empty() {
        registry.latest(family)
    } else {
        registry.get(family, version)
    }
    .ok_or_else(|| WebError::BadRequest(format!("no {family} {version} is known")))?;
    let scope_text = p.scope.as_deref().unwrap_or("company");
    let scope = ExportScope::parse(scope_text).ok_or_else(|| {
        WebError::BadRequest(format!(
            "scope '{scope_text}' is neither company nor product"
        ))
    })?;
    let (_, campaign) = pick_campaign(&state, p.campaign).await?;
    let campaign = campaign.ok_or_else(|| WebError::NotFound("no campaign".into()))?;
    let as_of = parse_date(p.as_of.as_deref())?.unwrap_or_else(crate::db::today);
    let profile = profile(&state)?;
    let overrides_path = state.store.data_dir().join("overrides.toml");
    let overrides = if overrides_path.is_file() {
        Overrides::load(&overrides_path)?
    } else {
        Overrides::default()
    };
    let data = campaign_data(&state.store, &campaign, as_of).await?;
    let filled = tokio::task::spawn_blocking(move || -> oretrail_report::Result<_> {
        oretrail_report::fill::company_template(
            def,
            &data.results(),
            &DeriveOptions {
                scope,
                effective_date: as_of,
                profile: &profile,
                overrides: &overrides,
            },
            None,
        )
    })
    .await
    .map_err(|e| WebError::Internal(e.to_string()))??;
    let log = &filled.log;
    audit::record(
        &state.store,
        s.actor(),
        "export.template",
        Some(&format!("campaign {}", campaign.id)),
        Some(&format!(
            "{} ({} scope, effective {}), SHA-256 {}, {} problem(s)",
            log.template,
            log.scope,
            log.effective_date,
            log.output_sha256,
            log.problems.len()
        )),
    )
    .await?;
    Ok(attachment(
        &format!(
            "{}-{}-{}-{}.xlsx",
            def.family.code(),
            def.version,
            scope_text,
            as_of
        ),
        XLSX,
        filled.bytes,
    ))
}
