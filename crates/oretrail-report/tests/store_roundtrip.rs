//! From a real campaign to the company's own template and back: the demo files are ingested
//! into a fresh store, rolled up, written into the newest EMRT and CMRT, and read back through
//! the same pipeline — the facilities read back are exactly the roll-up's.

mod common;

use chrono::NaiveDate;
use oretrail_facilities::registry::metal_key;
use oretrail_report::declaration::{DeriveOptions, ExportScope, derive, same_mineral};
use oretrail_report::fill::fill;
use oretrail_report::gather::campaign_data;
use oretrail_report::profile::Overrides;
use oretrail_store::campaigns;
use oretrail_template::{Family, Registry};
use std::collections::BTreeSet;

#[test]
fn emrt_2_1_and_cmrt_6_5_read_back_to_exactly_the_rollup() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let (store, dir, pipeline) = common::demo_store("roundtrip").await;
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
