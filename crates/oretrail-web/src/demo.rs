//! The demo programme `oretrail serve --demo` starts with: a company, about fifty suppliers with
//! spend, a campaign scoped to 95 % of spend, submissions from the bundled sample templates
//! (with their problems, unresolved smelter rows and an unsure supplier match) and from files
//! generated from them, two synthetic RMAP status lists, and three users. For load tests,
//! [`synthetic_submissions`] adds thousands of submissions without parsing files.

use crate::auth::{self, Role};
use crate::db::users;
use crate::error::{Result, WebError};
use crate::state::AppState;
use crate::upload::{self, Incoming};
use chrono::{Duration, NaiveDate};
use oretrail_facilities::{RmapStatus, StatusEntry, StatusSnapshot};
use oretrail_store::campaigns::{self, Campaign, CampaignSpec, RequestStatus, ScopeRule};
use oretrail_store::submissions::{Analysis, NewSubmission, Receipt, SubmissionWriter};
use oretrail_store::supplier_import::{ImportOptions, parse_rows, read_csv};
use oretrail_store::suppliers::import_suppliers;
use oretrail_template::Family;
use std::collections::BTreeMap;

macro_rules! demo_files {
    ($($name:literal),* $(,)?) => {
        /// The bundled sample supplier files (`demo/templates`), embedded.
        pub const DEMO_FILES: &[(&str, &[u8])] = &[
            $(($name, include_bytes!(concat!("../../../demo/templates/", $name)))),*
        ];
    };
}

demo_files!(
    "Acme Power Cells EMRT 2.1 2026.xlsx",
    "CMRT_6.5_Dunmore Capacitor Works_2025.xlsx",
    "Cobaltia Cell Technologies - EMRT 2.1.xlsx",
    "Marlowe-Finch EMRT 1.3 2024.xlsx",
    "Minato Precision_EMRT_2.1_cobalt-nickel.xlsx",
    "Northwind Circuit Systems_EMRT_2.1.xlsx",
    "Orbis Relay CMRT 6.22.xls",
    "Silverbirch Electronics CMRT 6.5.xlsx",
    "凯源精密 CMRT 6.5.xlsx",
    "嘉欣锂电 CRT 2.21.xlsx",
    "宏芯半导体 CMRT 6.22 (2022).xlsx",
    "恒曜电子 EMRT 2.1 2025.xlsx",
    "联创新能源_EMRT2.0_2025年.xlsx",
);

/// A demo user: (user name, password, role).
pub const DEMO_USERS: &[(&str, &str, Role)] = &[
    ("admin", "oretrail-admin", Role::Admin),
    ("analyst", "oretrail-demo", Role::Analyst),
    ("auditor", "oretrail-audit", Role::Viewer),
];

/// Name of the demo campaign.
pub const DEMO_CAMPAIGN: &str = "2025 Responsible Minerals (3TG, cobalt, mica)";

/// What the demo loaded.
#[derive(Debug, Clone)]
pub struct DemoSummary {
    /// Suppliers created.
    pub suppliers: usize,
    /// Files received.
    pub files: usize,
    /// The campaign.
    pub campaign_id: i64,
    /// A supplier's upload link path (`/s/...`).
    pub supplier_link: Option<String>,
}

/// Creates the demo users (when no user exists yet).
pub async fn users(state: &AppState) -> Result<()> {
    if users::count(&state.store).await? > 0 {
        return Ok(());
    }
    for (name, password, role) in DEMO_USERS {
        let hash = auth::hash_password(password)?;
        let display = match role {
            Role::Admin => "Ada Admin",
            Role::Analyst => "Ana Analyst",
            Role::Viewer => "Otto Auditor",
        };
        users::create(&state.store, name, display, *role, &hash).await?;
    }
    Ok(())
}

/// Loads the demo programme into an empty store; `generated` extra files are derived from the
/// samples by the writer's generator.
pub async fn load(state: &AppState, generated: usize) -> Result<DemoSummary> {
    users(state).await?;
    learn_lookups(state).await?;
    // Declared companies of the samples, and generated files with invented suppliers.
    let mut declared: Vec<(String, Option<String>)> = Vec::new();
    for (name, bytes) in DEMO_FILES {
        let (analysis, _) = upload::analyse(&state.pipeline, bytes, name);
        let company = analysis
            .report
            .as_ref()
            .and_then(|r| r.declaration.company_name.clone());
        let email = analysis
            .report
            .as_ref()
            .and_then(|r| r.declaration.contact_email.clone());
        if let Some(c) = company.filter(|c| !c.trim().is_empty()) {
            declared.push((c, email));
        }
    }
    let sources: Vec<oretrail_writer::Source> = DEMO_FILES
        .iter()
        .filter(|(n, _)| n.ends_with(".xlsx"))
        .map(|(n, b)| oretrail_writer::Source {
            name: n.to_string(),
            bytes: b.to_vec(),
        })
        .collect();
    let generated_files =
        tokio::task::spawn_blocking(move || -> Vec<(String, Vec<u8>, String, String)> {
            match oretrail_writer::generate(generated, 2025, &sources) {
                Ok(files) => files
                    .filter_map(|f| f.ok())
                    .map(|f| {
                        (
                            f.file_name,
                            f.bytes,
                            f.intended.supplier.company,
                            f.intended.supplier.email,
                        )
                    })
                    .collect(),
                Err(_) => Vec::new(),
            }
        })
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?;
    // Suppliers: sample companies (one typed slightly differently, to be confirmed), generated
    // companies, and companies that never answer.
    let mut lines = vec![
        "Vendor No,Vendor Name,Country,Tier,Commodities,Contact E-mail,Spend,Fiscal Year"
            .to_string(),
    ];
    let mut n = 0usize;
    let mut add = |name: &str, email: Option<&str>, country: &str| {
        n += 1;
        let spend = (4_000_000.0 / (n as f64).powf(1.15)).round();
        let name = name.replace(['"', ','], " ");
        lines.push(format!(
            "V{:04},{name},{country},1,tin;tantalum;tungsten;gold;cobalt;mica,{},{spend},2025",
            1000 + n,
            email.unwrap_or("")
        ));
    };
    for (i, (company, email)) in declared.iter().enumerate() {
        let name = if company.starts_with("Northwind") {
            format!("{company} Holdings")
        } else {
            company.clone()
        };
        add(
            &name,
            email.as_deref(),
            ["US", "CN", "DE", "JP", "TW"][i % 5],
        );
    }
    for (_, _, company, email) in &generated_files {
        add(company, Some(email), "CN");
    }
    const QUIET: &[&str] = &[
        "Brightwater Magnetics",
        "Kestrel Cable & Wire",
        "Halvorsen Connectors AS",
        "Pacific Rim Plating",
        "Sunda Solder Works",
        "Trellis PCB Assembly",
        "Verdant Battery Packs",
        "Ironbark Fasteners",
        "Lumen Optoelectronics",
        "Cascade Thermal Parts",
        "Meridian Switchgear",
        "Quarry Hill Castings",
        "Redwood Passive Components",
        "Saffron Display Modules",
        "Tidewater Enclosures",
        "Upland Sensors",
        "Vireo Power Supplies",
        "Wexford Relays",
        "Yarrow Keypads",
        "Zephyr Fan Assemblies",
    ];
    let before = declared.len() + generated_files.len();
    for q in QUIET.iter().take(50usize.saturating_sub(before)) {
        add(q, None, "MY");
    }
    let rows = read_csv(lines.join("\n").as_bytes())?;
    let parsed = parse_rows(&rows, &ImportOptions::default())?;
    let imported = import_suppliers(&state.store, &parsed).await?;
    // The campaign: largest suppliers up to 95 % of spend; deadline passed.
    let today = crate::db::today();
    let spec = CampaignSpec {
        name: DEMO_CAMPAIGN.into(),
        period: "2025".into(),
        deadline: Some(today - Duration::days(5)),
        families: [Family::Cmrt, Family::Emrt, Family::Crt, Family::Amrt]
            .into_iter()
            .map(|f| (f, None))
            .collect::<BTreeMap<_, _>>(),
        scope: ScopeRule::default(),
    };
    let (campaign, _) = campaigns::create_campaign(&state.store, &spec).await?;
    for (i, r) in campaigns::requests(&state.store, campaign.id)
        .await?
        .iter()
        .enumerate()
    {
        let status = if i % 7 == 3 {
            RequestStatus::Reminded
        } else {
            RequestStatus::Sent
        };
        campaigns::set_request_status(&state.store, campaign.id, &r.erp_id, status, None, "demo")
            .await?;
    }
    status_lists(state, today).await?;
    demo_profile(state)?;
    let mut files: Vec<Incoming> = DEMO_FILES
        .iter()
        .map(|(n, b)| Incoming {
            name: n.to_string(),
            bytes: b.to_vec(),
        })
        .collect();
    files.extend(
        generated_files
            .into_iter()
            .map(|(name, bytes, _, _)| Incoming { name, bytes }),
    );
    let count = files.len();
    upload::receive(state, Some(campaign.clone()), files, "demo", "demo data").await?;
    // One live link for a supplier that has not answered, to try the supplier page.
    let waiting = crate::db::lists::requests(
        &state,
        campaign.id,
        "sent",
        "spend",
        true,
        crate::db::lists::Window {
            limit: 1,
            offset: 0,
        },
    )
    .await?
    .0
    .into_iter()
    .next();
    let supplier_link = match waiting {
        Some(r) => Some(format!(
            "/s/{}",
            crate::pages::campaigns::ensure_link(state, r.id, "demo")
                .await?
                .token
        )),
        None => None,
    };
    state.changed();
    Ok(DemoSummary {
        suppliers: imported.created,
        files: count,
        campaign_id: campaign.id,
        supplier_link,
    })
}

/// The demo company's profile (`company.toml` of the data directory, for reports and the
/// company's own template), unless one is there.
pub const DEMO_PROFILE: &str = r#"[company]
name = "Example Devices Inc."
unique_id = "123456789"
unique_id_authority = "DUNS"
address = "1 Harbour Road, Cork, Ireland"

[contact]
name = "Ana Analyst"
email = "ana@example.com"
phone = "+353 21 000 0000"

[authorizer]
name = "Carl Chief"
title = "VP Procurement"
email = "carl@example.com"
phone = "+353 21 000 0001"

[policy]
established = true
url = "https://example.com/responsible-minerals"
version = "2026.1"
covers_annex_ii = true
summary = "We source responsibly, following the OECD Due Diligence Guidance."

[management]
accountable = "VP Procurement"
system = "A cross-functional team runs the yearly campaign in Oretrail."

[[products]]
number = "P-100"
name = "Power module"

[answers."*"]
require_validated = "Yes"
corrective_action = "Yes"
require_supplier_due_diligence = "Yes"
require_supplier_annex_ii = "Yes"
"#;

fn demo_profile(state: &AppState) -> Result<()> {
    let path = state.store.data_dir().join("company.toml");
    if !path.exists() {
        std::fs::write(&path, DEMO_PROFILE)
            .map_err(|e| WebError::Internal(format!("{}: {e}", path.display())))?;
    }
    Ok(())
}

/// Learns the samples' own look-ups when the registry knows none of their versions.
async fn learn_lookups(state: &AppState) -> Result<()> {
    let pipeline = state.pipeline.clone();
    let changed = tokio::task::spawn_blocking(move || {
        let mut learned = false;
        for (name, bytes) in DEMO_FILES {
            let (_, l) = upload::analyse(&pipeline, bytes, name);
            learned |= l;
        }
        learned
    })
    .await
    .map_err(|e| WebError::Internal(e.to_string()))?;
    if changed {
        let registry = state
            .pipeline
            .read()
            .map(|p| p.registry().clone())
            .map_err(|_| WebError::Internal("pipeline lock poisoned".into()))?;
        oretrail_store::facilities::save_registry(&state.store, &registry).await?;
    }
    Ok(())
}

/// Deterministic status of a facility in a synthetic list (by its CID's digits).
fn demo_status(cid: &str, later: bool) -> Option<RmapStatus> {
    let n: u64 = cid
        .bytes()
        .filter(u8::is_ascii_digit)
        .fold(0, |a, b| a * 10 + u64::from(b - b'0'));
    let h = n.wrapping_mul(2_654_435_761) % 100;
    let s = match h {
        0..=61 => RmapStatus::Conformant,
        62..=71 => RmapStatus::Active,
        72..=77 => RmapStatus::NonConformant,
        78..=83 => RmapStatus::OutreachRequired,
        _ => return None,
    };
    // Between the two lists, some active facilities become conformant, and a few lapse.
    Some(match (later, s, h % 3) {
        (true, RmapStatus::Active, 0) => RmapStatus::Conformant,
        (true, RmapStatus::Conformant, _) if h.is_multiple_of(17) => RmapStatus::NonConformant,
        _ => s,
    })
}

/// Two synthetic RMAP status lists (a year apart) over the registry's facilities.
async fn status_lists(state: &AppState, today: NaiveDate) -> Result<()> {
    let facilities: Vec<(String, String, String, Option<String>)> = state
        .pipeline
        .read()
        .map(|p| {
            p.registry()
                .facilities()
                .iter()
                .map(|f| {
                    (
                        f.metal.clone(),
                        f.cid.clone(),
                        f.standard_name.clone(),
                        f.country.clone(),
                    )
                })
                .collect()
        })
        .map_err(|_| WebError::Internal("pipeline lock poisoned".into()))?;
    for (later, as_of) in [
        (false, today - Duration::days(365)),
        (true, today - Duration::days(30)),
    ] {
        let entries = facilities
            .iter()
            .filter_map(|(metal, cid, name, country)| {
                let status = demo_status(cid, later)?;
                let audit = as_of - Duration::days(40 + (cid.len() as i64 * 7) % 200);
                Some(StatusEntry {
                    metal: Some(metal.clone()),
                    cid: cid.clone(),
                    standard_name: Some(name.clone()),
                    country: country.clone(),
                    state_province: None,
                    status,
                    status_text: oretrail_store::facilities::status_code(status)
                        .unwrap_or_default()
                        .replace('_', " "),
                    last_audit: (status == RmapStatus::Conformant).then_some(audit),
                    last_audit_text: None,
                    audit_cycle_years: (status == RmapStatus::Conformant).then_some(1),
                    reaudit_due: (status == RmapStatus::Conformant)
                        .then(|| audit + Duration::days(365)),
                    reaudit_in_progress: None,
                    cross_recognition: None,
                })
            })
            .collect();
        let snapshot = StatusSnapshot {
            as_of,
            source: format!("demo RMAP status list {as_of} (synthetic)"),
            entries,
            skipped: Vec::new(),
        };
        oretrail_store::facilities::add_status_snapshot(&state.store, &snapshot).await?;
    }
    Ok(())
}

/// Adds `count` submissions for load tests without parsing files: each reuses the analysis of a
/// sample file with a new company (one of `suppliers` synthetic suppliers) and a small stored
/// original of its own.
pub async fn synthetic_submissions(
    state: &AppState,
    campaign: &Campaign,
    count: usize,
    suppliers: usize,
) -> Result<()> {
    let (template, _) = upload::analyse(&state.pipeline, DEMO_FILES[1].1, DEMO_FILES[1].0);
    let mut lines = vec!["Vendor No,Vendor Name,Country,Tier,Spend,Fiscal Year".to_string()];
    for i in 0..suppliers {
        lines.push(format!(
            "L{i:05},Loadtest Supplier {i:05},VN,2,{},2025",
            1000 + i
        ));
    }
    let parsed = parse_rows(
        &read_csv(lines.join("\n").as_bytes())?,
        &ImportOptions::default(),
    )?;
    import_suppliers(&state.store, &parsed).await?;
    let _guard = state.write_lock.lock().await;
    let mut writer =
        SubmissionWriter::new(&state.store, Some(campaign.clone()), "loadtest").await?;
    let mut batch = Vec::new();
    for i in 0..count {
        let bytes = format!("synthetic load-test submission {i}").into_bytes();
        let sha = state.store.originals().put(&bytes)?;
        let mut analysis: Analysis = template.clone();
        if let Some(r) = analysis.report.as_mut() {
            r.declaration.company_name =
                Some(format!("Loadtest Supplier {:05}", i % suppliers.max(1)));
            r.declaration.company_unique_id = None;
        }
        batch.push(NewSubmission {
            sha256: sha,
            size: bytes.len() as u64,
            receipt: Receipt {
                original_name: format!("loadtest-{i:05}.xlsx"),
                received_by: "loadtest".into(),
                received_via: "synthetic load data".into(),
            },
            analysis,
        });
        if batch.len() == 200 {
            writer.write(std::mem::take(&mut batch)).await?;
        }
    }
    if !batch.is_empty() {
        writer.write(batch).await?;
    }
    drop(_guard);
    state.changed();
    Ok(())
}
