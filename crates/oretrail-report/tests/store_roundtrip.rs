//! From a real campaign to the company's own template and back: the demo files are ingested
//! into a fresh store, rolled up, written into the newest EMRT and CMRT, and read back through
//! the same pipeline — the facilities read back are exactly the roll-up's.

mod common;

use chrono::NaiveDate;
use oretrail_facilities::registry::metal_key;
use oretrail_pipeline::Pipeline;
use oretrail_report::declaration::{DeriveOptions, ExportScope, derive, same_mineral};
use oretrail_report::fill::fill;
use oretrail_report::gather::campaign_data;
use oretrail_report::profile::Overrides;
use oretrail_store::campaigns::{self, CampaignSpec, ScopeRule};
use oretrail_store::ingest::{IngestOptions, ingest};
use oretrail_store::submissions::analyse_with;
use oretrail_store::supplier_import::{ImportOptions, parse_rows, read_csv};
use oretrail_store::suppliers::import_suppliers;
use oretrail_store::{Store, StoreConfig};
use oretrail_template::{Family, Registry};
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

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
        families: [
            (Family::Cmrt, None),
            (Family::Emrt, None),
            (Family::Crt, None),
        ]
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
    p.learn_folder(&common::templates_dir());
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

#[test]
fn emrt_2_1_and_cmrt_6_5_read_back_to_exactly_the_rollup() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let (store, dir, pipeline) = demo_store("roundtrip").await;
        let campaign = campaigns::campaign_by_name(&store, "2025 minerals")
            .await
            .expect("campaign");
        let as_of = NaiveDate::from_ymd_opt(2026, 3, 31).expect("date");
        let data = campaign_data(&store, &campaign, as_of).await.expect("data");
        assert!(
            data.rollup.lines.len() > 20,
            "{} lines",
            data.rollup.lines.len()
        );
        let results = data.results();
        let profile = common::profile();
        for (family, version, scope) in [
            (Family::Emrt, "2.1", ExportScope::Company),
            (Family::Cmrt, "6.5", ExportScope::Product),
        ] {
            let blank = common::blank(family, version);
            let def = Registry::global().get(family, version).expect("def");
            let decl = derive(
                def,
                &results,
                &DeriveOptions {
                    scope,
                    effective_date: as_of,
                    profile: &profile,
                    overrides: &Overrides::default(),
                },
            )
            .expect("derive");
            let filled = fill(&blank, &decl).expect("fill");
            let outcome = pipeline.read(&filled.bytes).expect("readable");
            let record = pipeline.finish("company.xlsx", outcome);
            let report = record.report.expect("readable");
            // The roll-up's facilities of the declared minerals, as (metal, CID or name).
            let in_scope = |metal: &str| decl.minerals.iter().any(|m| same_mineral(m, metal));
            let want: BTreeSet<(String, String)> = data
                .rollup
                .lines
                .iter()
                .filter(|l| in_scope(&l.metal))
                .filter(|l| {
                    !decl
                        .left_out
                        .iter()
                        .any(|o| o.name == l.name && l.cid.is_none())
                })
                .map(|l| {
                    (
                        metal_key(&l.metal),
                        l.cid.clone().unwrap_or_else(|| l.name.to_lowercase()),
                    )
                })
                .collect();
            let got: BTreeSet<(String, String)> = report
                .smelters
                .iter()
                .map(|s| {
                    let cid = s.resolution.as_ref().and_then(|r| r.canonical_cid.clone());
                    (
                        metal_key(s.metal.as_deref().unwrap_or("")),
                        cid.unwrap_or_else(|| s.name.clone().unwrap_or_default().to_lowercase()),
                    )
                })
                .collect();
            assert_eq!(
                report.smelters.len(),
                want.len(),
                "{}: one row per facility",
                def.name()
            );
            assert_eq!(got, want, "{}", def.name());
            assert!(!want.is_empty(), "{} has facilities", def.name());
            eprintln!(
                "{}: {} facilities ({} by look-up name, {} not listed, {} left out)",
                def.name(),
                want.len(),
                filled.log.smelters_by_lookup,
                filled.log.smelters_not_listed,
                filled.log.left_out.len()
            );
        }
        store.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    });
}
