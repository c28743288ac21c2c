//! Reports: the annual due-diligence report (OECD step 5) and the Form SD / EU battery drafts,
//! each pinned to a snapshot stored where `oretrail report` keeps them
//! (`<data-dir>/reports`), regenerated from a stored snapshot, downloaded as HTML, Markdown or
//! (feature `pdf`) PDF, and two snapshots compared. The documents come from `oretrail-report`;
//! these handlers only pick, load, save and render.

use super::{Layout, pick_campaign, render};
use crate::auth::{Analyst, Role, Viewer};
use crate::db::audit;
use crate::error::{Result, WebError};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Form, Path, Query as Q, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use oretrail_report::ReportError;
use oretrail_report::doc::{Block, Doc};
use oretrail_report::profile::CompanyProfile;
use oretrail_report::snapshot::{Snapshot, SnapshotStore, StoredSnapshot};
use serde::Deserialize;

impl From<ReportError> for WebError {
    fn from(e: ReportError) -> WebError {
        match e {
            ReportError::NotFound(m) => WebError::NotFound(m),
            e @ (ReportError::Invalid(_)
            | ReportError::UnknownTemplate(_)
            | ReportError::BlankNotFound { .. }
            | ReportError::Toml { .. }) => WebError::BadRequest(e.to_string()),
            ReportError::Store(e) => WebError::Store(e),
            ReportError::Database(e) => WebError::Database(e),
            e => WebError::Internal(e.to_string()),
        }
    }
}

/// The snapshots of the application's data directory (the same folder as the CLI's).
pub fn snapshots(state: &AppState) -> SnapshotStore {
    SnapshotStore::new(state.store.data_dir())
}

/// Where the company profile is read from.
pub fn profile_path(state: &AppState) -> std::path::PathBuf {
    state.store.data_dir().join("company.toml")
}

/// The company profile (`<data-dir>/company.toml`), as the CLI reads it.
pub fn profile(state: &AppState) -> Result<CompanyProfile> {
    let path = profile_path(state);
    if !path.is_file() {
        return Err(WebError::BadRequest(format!(
            "no company profile at {} (see docs/reporting.md for company.toml)",
            path.display()
        )));
    }
    Ok(CompanyProfile::load(&path)?)
}

/// Which document is made from a snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The annual due-diligence report.
    Annual,
    /// Form SD / Conflict Minerals Report draft.
    FormSd,
    /// EU Batteries Regulation due-diligence report draft.
    EuBattery,
}

impl Kind {
    /// Every kind.
    pub const ALL: [Kind; 3] = [Kind::Annual, Kind::FormSd, Kind::EuBattery];

    /// Code in URLs and file names.
    pub fn code(self) -> &'static str {
        match self {
            Kind::Annual => "annual",
            Kind::FormSd => "form-sd",
            Kind::EuBattery => "eu-battery",
        }
    }

    /// Name shown.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Annual => "Annual due-diligence report",
            Kind::FormSd => "Form SD / Conflict Minerals Report draft",
            Kind::EuBattery => "EU Battery Regulation due-diligence draft",
        }
    }

    /// Parses a code (blank: annual).
    pub fn parse(code: Option<&str>) -> Result<Kind> {
        match code.map(str::trim).unwrap_or("") {
            "" | "annual" => Ok(Kind::Annual),
            "form-sd" => Ok(Kind::FormSd),
            "eu-battery" => Ok(Kind::EuBattery),
            other => Err(WebError::BadRequest(format!(
                "'{other}' is not annual, form-sd or eu-battery"
            ))),
        }
    }

    /// The document of a snapshot.
    pub fn build(self, s: &Snapshot) -> Result<Doc> {
        Ok(match self {
            Kind::Annual => oretrail_report::annual::annual_report(s)?,
            Kind::FormSd => oretrail_report::drafts::form_sd(s)?,
            Kind::EuBattery => oretrail_report::drafts::eu_battery(s)?,
        })
    }
}

/// Whether this build can make PDFs: the `pdf` feature of this crate, or of `oretrail-report`
/// enabled by another crate of the build (`oretrail-cli --features pdf`).
pub const PDF: bool = oretrail_report::PDF;

/// A file name made of ASCII letters, digits, `-` and `.` only.
pub fn safe_name(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == '.' {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_matches(['-', '.']).to_string();
    if out.is_empty() { "file".into() } else { out }
}

/// A download: the content type and an attachment with a safe file name.
pub fn attachment(file: &str, content_type: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", safe_name(file)),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
}

/// A form or query date, blank as `None`.
pub fn parse_date(text: Option<&str>) -> Result<Option<NaiveDate>> {
    super::risk::form_date(text)
}

/// One block of a document, flattened for the page template.
pub struct BlockView {
    /// "para", "heading", "placeholder", "facts", "list", "table", "chart".
    pub kind: &'static str,
    /// Text (chart: caption).
    pub text: String,
    /// Facts.
    pub pairs: Vec<(String, String)>,
    /// List items, table heads.
    pub items: Vec<String>,
    /// Table rows.
    pub rows: Vec<Vec<String>>,
    /// Chart SVG: drawn by `oretrail_report::charts`, which escapes every label.
    pub svg: String,
}

/// A section of a document for the page template.
pub struct SectionView {
    /// Heading.
    pub title: String,
    /// Blocks.
    pub blocks: Vec<BlockView>,
}

/// A document's sections for the page template (escaped by askama; charts are the library's
/// SVG).
pub fn sections(doc: &Doc) -> Vec<SectionView> {
    doc.sections
        .iter()
        .map(|s| SectionView {
            title: s.title.clone(),
            blocks: s.blocks.iter().map(block).collect(),
        })
        .collect()
}

fn block(b: &Block) -> BlockView {
    let mut v = BlockView {
        kind: "para",
        text: String::new(),
        pairs: Vec::new(),
        items: Vec::new(),
        rows: Vec::new(),
        svg: String::new(),
    };
    match b {
        Block::Para { text } => v.text = text.clone(),
        Block::Heading { text } => {
            v.kind = "heading";
            v.text = text.clone();
        }
        Block::Placeholder { text } => {
            v.kind = "placeholder";
            v.text = text.clone();
        }
        Block::Facts { items } => {
            v.kind = "facts";
            v.pairs = items.clone();
        }
        Block::List { items } => {
            v.kind = "list";
            v.items = items.clone();
        }
        Block::Table { head, rows } => {
            v.kind = "table";
            v.items = head.clone();
            v.rows = rows.clone();
        }
        Block::Chart { title, svg } => {
            v.kind = "chart";
            v.text = title.clone();
            v.svg = svg.clone();
        }
    }
    v
}

/// A stored snapshot's line.
pub struct SnapshotLine {
    /// Full ID.
    pub id: String,
    /// First 12 hex digits.
    pub short: String,
    /// Campaign.
    pub campaign: String,
    /// Period.
    pub period: String,
    /// As of.
    pub as_of: String,
    /// Created.
    pub created: String,
    /// By.
    pub by: String,
    /// Supplier files pinned.
    pub inputs: usize,
}

impl From<StoredSnapshot> for SnapshotLine {
    fn from(s: StoredSnapshot) -> SnapshotLine {
        SnapshotLine {
            short: s.id.chars().take(12).collect(),
            id: s.id,
            campaign: s.campaign,
            period: s.period,
            as_of: s.as_of.to_string(),
            created: s.created.unwrap_or_default(),
            by: s.by.unwrap_or_else(|| "command line".into()),
            inputs: s.inputs,
        }
    }
}

/// Every stored snapshot (newest as-of first).
pub async fn snapshot_lines(state: &AppState) -> Result<Vec<SnapshotLine>> {
    let store = snapshots(state);
    let list = tokio::task::spawn_blocking(move || store.list())
        .await
        .map_err(|e| WebError::Internal(e.to_string()))??;
    Ok(list.into_iter().map(SnapshotLine::from).collect())
}

#[derive(Template)]
#[template(path = "reports.html")]
struct ReportsPage {
    layout: Layout,
    campaigns: Vec<(i64, String, bool)>,
    as_of: String,
    can_edit: bool,
    has_profile: bool,
    profile_path: String,
    snapshots: Vec<SnapshotLine>,
}

/// Page parameters.
#[derive(Debug, Deserialize)]
pub struct ReportsParams {
    campaign: Option<i64>,
    as_of: Option<String>,
}

/// The reports page: generate (analysts), stored snapshots, compare.
pub async fn page(
    State(state): State<AppState>,
    Viewer(s): Viewer,
    Q(p): Q<ReportsParams>,
) -> Result<Response> {
    let (all, chosen) = pick_campaign(&state, p.campaign).await?;
    let as_of = parse_date(p.as_of.as_deref())?.unwrap_or_else(crate::db::today);
    let page = ReportsPage {
        layout: Layout::new(&state, &s, "Reports", "/reports").await?,
        campaigns: super::campaign_options(&all, chosen.as_ref()),
        as_of: as_of.to_string(),
        can_edit: s.user.role.allows(Role::Analyst),
        has_profile: profile_path(&state).is_file(),
        profile_path: profile_path(&state).display().to_string(),
        snapshots: snapshot_lines(&state).await?,
    };
    render(&page)
}

/// The generate form.
#[derive(Debug, Deserialize)]
pub struct GenerateForm {
    campaign: i64,
    as_of: Option<String>,
    kind: Option<String>,
}

/// Pins a snapshot of a campaign as of a date (as `oretrail report annual` does), saves it
/// with the user's name, and shows the document made from it.
pub async fn generate(
    State(state): State<AppState>,
    Analyst(s): Analyst,
    Form(f): Form<GenerateForm>,
) -> Result<Response> {
    let kind = Kind::parse(f.kind.as_deref())?;
    let as_of = parse_date(f.as_of.as_deref())?.unwrap_or_else(crate::db::today);
    let (_, campaign) = pick_campaign(&state, Some(f.campaign)).await?;
    let campaign =
        campaign.ok_or_else(|| WebError::NotFound(format!("campaign {}", f.campaign)))?;
    let profile = profile(&state)?;
    let store = snapshots(&state);
    let (snap, warnings) =
        oretrail_report::gather::report_snapshot(&state.store, &store, &campaign, as_of, &profile)
            .await?;
    // The document must build before the snapshot is kept.
    kind.build(&snap)?;
    let actor = s.actor().to_string();
    let id = tokio::task::spawn_blocking(move || store.save_by(&snap, &actor))
        .await
        .map_err(|e| WebError::Internal(e.to_string()))??;
    for w in &warnings {
        eprintln!("oretrail-web: report {}: {w}", &id[..12]);
    }
    audit::record(
        &state.store,
        s.actor(),
        "report.generate",
        Some(&format!("snapshot {id}")),
        Some(&format!(
            "{} of '{}' as of {as_of}",
            kind.code(),
            campaign.spec.name
        )),
    )
    .await?;
    Ok(Redirect::to(&format!("/reports/{id}?kind={}", kind.code())).into_response())
}

async fn load(state: &AppState, id: &str) -> Result<(String, Snapshot)> {
    let store = snapshots(state);
    let id = id.to_string();
    Ok(tokio::task::spawn_blocking(move || store.load_id(&id))
        .await
        .map_err(|e| WebError::Internal(e.to_string()))??)
}

/// A document's choice.
#[derive(Debug, Deserialize)]
pub struct KindParams {
    kind: Option<String>,
    format: Option<String>,
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage {
    layout: Layout,
    id: String,
    short: String,
    kind: &'static str,
    kinds: Vec<(&'static str, &'static str, bool)>,
    pdf: bool,
    facts: Vec<(String, String)>,
    doc_title: String,
    doc_subtitle: String,
    doc_footer: String,
    sections: Vec<SectionView>,
}

/// A document regenerated from a stored snapshot, in the page.
pub async fn show(
    State(state): State<AppState>,
    Viewer(s): Viewer,
    Path(id): Path<String>,
    Q(p): Q<KindParams>,
) -> Result<Response> {
    let kind = Kind::parse(p.kind.as_deref())?;
    let (id, snap) = load(&state, &id).await?;
    let doc = kind.build(&snap)?;
    let store = snapshots(&state);
    let made = tokio::task::spawn_blocking(move || store.made())
        .await
        .map_err(|e| WebError::Internal(e.to_string()))??
        .remove(&id);
    let mut facts = vec![
        ("Snapshot".to_string(), id.clone()),
        ("Campaign".to_string(), snap.campaign.name.clone()),
        ("Period".to_string(), snap.campaign.period.clone()),
        ("As of".to_string(), snap.as_of.to_string()),
        (
            "Supplier files pinned".to_string(),
            snap.pins.inputs.len().to_string(),
        ),
        (
            "Status lists pinned".to_string(),
            snap.pins.status_lists.len().to_string(),
        ),
    ];
    facts.push((
        "Created".into(),
        match made {
            Some(m) => format!("{} by {}", m.at, m.by),
            None => "on the command line".into(),
        },
    ));
    let page = ReportPage {
        layout: Layout::new(&state, &s, kind.label(), "/reports").await?,
        short: id.chars().take(12).collect(),
        kind: kind.code(),
        kinds: Kind::ALL
            .iter()
            .map(|k| (k.code(), k.label(), *k == kind))
            .collect(),
        pdf: PDF,
        facts,
        doc_title: doc.title.clone(),
        doc_subtitle: doc.subtitle.clone(),
        doc_footer: doc.footer.clone(),
        sections: sections(&doc),
        id,
    };
    render(&page)
}

/// A document regenerated from a stored snapshot, as a file: HTML (self-contained), Markdown,
/// or PDF (feature `pdf`).
pub async fn download(
    State(state): State<AppState>,
    Viewer(s): Viewer,
    Path(id): Path<String>,
    Q(p): Q<KindParams>,
) -> Result<Response> {
    let kind = Kind::parse(p.kind.as_deref())?;
    let format = p.format.as_deref().unwrap_or("html");
    let (id, snap) = load(&state, &id).await?;
    let doc = kind.build(&snap)?;
    let stem = format!(
        "{}-{}-{}-{}",
        kind.code(),
        snap.campaign.name,
        snap.as_of,
        &id[..12]
    );
    let (file, ctype, bytes) = match format {
        "html" => (
            format!("{stem}.html"),
            "text/html; charset=utf-8",
            doc.to_html().into_bytes(),
        ),
        "md" => (
            format!("{stem}.md"),
            "text/markdown; charset=utf-8",
            doc.to_markdown().into_bytes(),
        ),
        "pdf" => (
            format!("{stem}.pdf"),
            "application/pdf",
            pdf(doc, &id).await?,
        ),
        other => {
            return Err(WebError::BadRequest(format!(
                "format '{other}' is not html, md or pdf"
            )));
        }
    };
    audit::record(
        &state.store,
        s.actor(),
        "report.download",
        Some(&format!("snapshot {id}")),
        Some(&format!("{} as {format}", kind.code())),
    )
    .await?;
    Ok(attachment(&file, ctype, bytes))
}

async fn pdf(doc: Doc, id: &str) -> Result<Vec<u8>> {
    if !PDF {
        return Err(WebError::NotFound(
            "PDF: this server was built without the pdf feature; download HTML and print it".into(),
        ));
    }
    let id = id.to_string();
    let (bytes, warnings) =
        tokio::task::spawn_blocking(move || oretrail_report::pdf_bytes(&doc, &id))
            .await
            .map_err(|e| WebError::Internal(e.to_string()))??;
    for w in &warnings {
        eprintln!("oretrail-web: PDF: {w}");
    }
    Ok(bytes)
}

/// Compare parameters.
#[derive(Debug, Deserialize)]
pub struct CompareParams {
    from: Option<String>,
    to: Option<String>,
}

#[derive(Template)]
#[template(path = "report_compare.html")]
struct ComparePage {
    layout: Layout,
    snapshots: Vec<SnapshotLine>,
    from: String,
    to: String,
    compared: bool,
    unchanged: bool,
    doc_title: String,
    sections: Vec<SectionView>,
}

/// What changed between two stored snapshots, and why.
pub async fn compare(
    State(state): State<AppState>,
    Viewer(s): Viewer,
    Q(p): Q<CompareParams>,
) -> Result<Response> {
    let from = p.from.unwrap_or_default();
    let to = p.to.unwrap_or_default();
    let mut page = ComparePage {
        layout: Layout::new(&state, &s, "Compare report snapshots", "/reports").await?,
        snapshots: snapshot_lines(&state).await?,
        compared: false,
        unchanged: false,
        doc_title: String::new(),
        sections: Vec::new(),
        from: from.clone(),
        to: to.clone(),
    };
    if !from.trim().is_empty() && !to.trim().is_empty() {
        let (_, a) = load(&state, &from).await?;
        let (_, b) = load(&state, &to).await?;
        let c = oretrail_report::compare::compare(&a, &b);
        let doc = oretrail_report::annual::comparison_doc(&c);
        page.compared = true;
        page.unchanged = c.is_empty();
        page.doc_title = doc.title.clone();
        page.sections = sections(&doc);
    }
    render(&page)
}
