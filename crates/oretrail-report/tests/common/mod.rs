//! Shared helpers of the report tests.
#![allow(dead_code)]

use chrono::NaiveDate;
use oretrail_pipeline::Pipeline;
use oretrail_report::blank::{Blank, BlankTemplates};
use oretrail_report::declaration::{CampaignResults, FacilityEntry, ResponseCount};
use oretrail_report::profile::CompanyProfile;
use oretrail_store::campaigns::{self, CampaignSpec, ScopeRule};
use oretrail_store::ingest::{IngestOptions, ingest};
use oretrail_store::submissions::analyse_with;
use oretrail_store::supplier_import::{ImportOptions, parse_rows, read_csv};
use oretrail_store::suppliers::import_suppliers;
use oretrail_store::{Store, StoreConfig};
use oretrail_template::Family as Fam;
use oretrail_template::{Family, Registry, TemplateDef};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The repository's blank templates.
pub fn templates_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../templates/rmi")
}

/// A blank template opened for filling.
pub fn blank(family: Family, version: &str) -> Blank {
    let def: &'static TemplateDef = Registry::global()
        .get(family, version)
        .expect("registry version");
    let bytes = BlankTemplates::in_dirs(vec![templates_dir()])
        .bytes(def)
        .expect("blank template");
    Blank::open(bytes, def).expect("open blank")
}

/// A complete company profile.
pub fn profile() -> CompanyProfile {
    CompanyProfile::from_toml(
        r#"
[company]
name = "Example Devices Ltd"
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
requester_number = "C-9"
requester_name = "Customer part"

[[products]]
number = "P-200"
name = "Relay board"

[answers."*"]
require_validated = "Yes"
corrective_action = "Yes"
require_supplier_due_diligence = "Yes"
require_supplier_annex_ii = "Yes"

[answers.CMRT]
disclosure = "No"
"#,
        "test profile",
    )
    .expect("profile")
}

/// Facilities of the blank's own look-up (every `step`-th facility of each metal), plus one
/// name no look-up knows.
pub fn results_from(blank: &Blank, metals: &[&str], step: usize) -> CampaignResults {
    let mut facilities = Vec::new();
    let mut seen = BTreeSet::new();
    for metal in metals {
        let mut n = 0;
        for e in blank
            .lookup
            .iter()
            .filter(|e| e.metal.eq_ignore_ascii_case(metal))
        {
            let Some(cid) = &e.cid else { continue };
            if !seen.insert(cid.clone()) {
                continue;
            }
            n += 1;
            if n % step != 1 {
                continue;
            }
            facilities.push(FacilityEntry {
                metal: e.metal.clone(),
                cid: Some(cid.clone()),
                name: e.standard_name.clone().unwrap_or_default(),
                country: e.country.clone(),
                risk_lists: vec![],
                suppliers: vec!["V100".into()],
            });
        }
    }
    facilities.push(FacilityEntry {
        metal: metals[0].to_string(),
        cid: None,
        name: "Harbour Metals Recovery Works".into(),
        country: Some("IRELAND".into()),
        risk_lists: vec![],
        suppliers: vec!["V200".into()],
    });
    CampaignResults {
        campaign: "2025 minerals".into(),
        commodities: metals.iter().map(|m| m.to_lowercase()).collect(),
        responses: vec![],
        response_by_mineral: Default::default(),
        overall: ResponseCount {
            relevant: 10,
            responded: 10,
        },
        facilities,
    }
}

const SUPPLIERS: &str = "\
Vendor No,Vendor Name,DUNS,Country,Tier,Commodities,Contact E-mail,Parent,Spend,Fiscal Year
V100,Acme Power Cells Co. Ltd,,US,1,cobalt;lithium,ops@acme.example,,500000,2025
V200,Dunmore Capacitor Works Ltd.,,IE,1,tin;tantalum;tungsten;gold,,,300000,2025
V300,Cobaltia Cell Technologies,,PL,1,cobalt,,,100000,2025
V400,Marlowe & Finch Components LLC,,US,1,cobalt,,,50000,2025
V500,Northwind Circuit Systems,,US,1,cobalt,,,40000,2025
V600,Orbis Relay,,DE,1,tin,,,30000,2025
";

/// A store in a temp folder with the demo campaign ingested.
pub async fn demo_store(tag: &str) -> (Store, std::path::PathBuf, Arc<Pipeline>) {
    let dir = std::env::temp_dir().join(format!("oretrail-report-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = Store::open(&StoreConfig::sqlite(&dir))
        .await
        .expect("store");
    let rows = read_csv(SUPPLIERS.as_bytes()).expect("csv");
    let parsed = parse_rows(&rows, &ImportOptions::default()).expect("parse");
    import_suppliers(&store, &parsed).await.expect("import");
    let spec = CampaignSpec {
        name: "2025 minerals".into(),
        period: "2025".into(),
        deadline: NaiveDate::from_ymd_opt(2026, 3, 31),
        families: [(Fam::Cmrt, None), (Fam::Emrt, None), (Fam::Crt, None)]
            .into_iter()
            .collect(),
        scope: ScopeRule {
            spend_share: 1.0,
            ..ScopeRule::default()
        },
    };
    campaigns::create_campaign(&store, &spec)
        .await
        .expect("campaign");
    let mut p = Pipeline::new(oretrail_facilities::FacilityRegistry::new());
    p.learn_folder(&templates_dir());
    let pipeline = Arc::new(p);
    let analyse = {
        let p = pipeline.clone();
        move |bytes: &[u8], name: &str| analyse_with(&p, bytes, name)
    };
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../demo/templates");
    let options = IngestOptions {
        campaign: Some("2025 minerals".into()),
        threads: 2,
        ..IngestOptions::default()
    };
    ingest(&store, &[demo], &options, analyse, &mut |_| {})
        .await
        .expect("ingest");
    (store, dir, pipeline)
}

/// A multi-threaded runtime for one test.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}
