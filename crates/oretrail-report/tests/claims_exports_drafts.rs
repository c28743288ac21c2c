//! On the demo campaign: claim checks against the registry as of each template's effective
//! date, facilities whose audits expire with the suppliers and products carrying them and a
//! follow-up campaign for exactly those suppliers; every export table in CSV and XLSX; the
//! Form SD and EU battery drafts.

mod common;

use chrono::NaiveDate;
use oretrail_facilities::import_status_csv;
use oretrail_report::claims::{
    Verdict, check_all, create_follow_up_campaign, expiring, follow_up_requests,
};
use oretrail_report::drafts::{eu_battery, form_sd};
use oretrail_report::exports::{Cell, TABLES, table, write_csv, write_xlsx};
use oretrail_report::gather::{SnapshotInputs, campaign_data, current_submissions, snapshot};
use oretrail_report::snapshot::RiskData;
use oretrail_store::campaigns;
use oretrail_store::facilities::{add_status_snapshot, load_status_history};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

#[test]
fn claims_expiring_audits_exports_and_drafts_on_the_demo_campaign() {
    let rt = common::runtime();
    rt.block_on(async {
        let (store, dir, _) = common::demo_store("claims").await;
        let campaign = campaigns::campaign_by_name(&store, "2025 minerals")
            .await
            .expect("campaign");
        let as_of = date(2026, 3, 31);
        let data = campaign_data(&store, &campaign, as_of).await.expect("data");
        // A status list: every cobalt facility conformant, audited 2025-06-01 on a one-year
        // cycle (re-audit due 2026-06-01); the first one only active.
        let mut csv =
            String::from("Metal,Smelter ID,Assessment Status,Last Audit Date,Audit Cycle\n");
        let cobalt: Vec<String> = data
            .rollup
            .lines
            .iter()
            .filter(|l| l.metal == "Cobalt")
            .filter_map(|l| l.cid.clone())
            .collect();
        assert!(cobalt.len() > 3);
        for (i, cid) in cobalt.iter().enumerate() {
            let status = if i == 0 { "Active" } else { "Conformant" };
            csv.push_str(&format!("Cobalt,{cid},{status},2025-06-01,1 Year\n"));
        }
        let list = import_status_csv(csv.as_bytes(), "rmap.csv", date(2026, 1, 31)).expect("list");
        add_status_snapshot(&store, &list).await.expect("add");
        let history = load_status_history(&store).await.expect("history");
        let subs = current_submissions(&store, campaign.id)
            .await
            .expect("subs");

        let checks = check_all(&subs, &history, as_of);
        assert!(!checks.is_empty());
        let all: Vec<_> = checks.iter().flat_map(|c| c.claims.iter()).collect();
        assert!(!all.is_empty(), "the demo templates claim something");
        for c in &all {
            assert!(!c.evidence.is_empty());
            if c.verdict == Verdict::Contradicted {
                assert!(c.cell.is_some());
            }
        }

        let soon = expiring(&subs, &history, as_of, 6);
        assert_eq!(soon.len(), cobalt.len(), "{soon:#?}");
        assert!(soon.iter().all(|e| e.reaudit_due == date(2026, 6, 1)));
        assert!(
            soon.iter()
                .all(|e| e.suppliers.iter().any(|(erp, _)| erp == "V100"))
        );
        assert!(
            expiring(&subs, &history, as_of, 1).is_empty(),
            "nothing due within a month"
        );
        let requests = follow_up_requests(&soon);
        assert!(requests.iter().any(|r| r.erp_id == "V100"));
        assert!(requests[0].scope_description.starts_with("C. User defined"));
        let (follow, n) =
            create_follow_up_campaign(&store, &campaign, "Re-audits 2026-06", None, &requests)
                .await
                .expect("follow-up");
        assert_eq!(
            n,
            requests.len(),
            "exactly the suppliers carrying expiring facilities"
        );
        let mut asked: Vec<String> = campaigns::requests(&store, follow.id)
            .await
            .expect("requests")
            .into_iter()
            .map(|r| r.erp_id)
            .collect();
        asked.sort();
        let want: Vec<String> = requests.iter().map(|r| r.erp_id.clone()).collect();
        assert_eq!(asked, want);

        let risk = RiskData::default();
        let mut tables = Vec::new();
        for name in TABLES {
            let t = table(&store, &campaign, name, as_of, &risk)
                .await
                .expect(name);
            let mut out = Vec::new();
            write_csv(&t, &mut out).expect("csv");
            assert!(
                String::from_utf8(out)
                    .expect("utf8")
                    .starts_with(&t.head[0])
            );
            for row in &t.rows {
                assert_eq!(row.len(), t.head.len(), "{name}");
                for c in row {
                    if let Cell::Text(s) = c {
                        assert!(!s.contains('\0'));
                    }
                }
            }
            tables.push(t);
        }
        assert!(
            tables
                .iter()
                .find(|t| t.name == "rollup")
                .is_some_and(|t| !t.rows.is_empty())
        );
        let xlsx = write_xlsx(&tables).expect("xlsx");
        assert!(xlsx.starts_with(b"PK"));

        let profile = common::profile();
        let snap = snapshot(
            &store,
            &campaign,
            as_of,
            SnapshotInputs {
                profile: &profile,
                risk,
                risk_policy: None,
                previous: None,
            },
        )
        .await
        .expect("snapshot");
        let sd = form_sd(&snap).expect("form sd").to_markdown();
        assert!(sd.contains("Conflict Minerals Report"));
        assert!(sd.contains("[To be written by the company]"));
        assert!(
            sd.contains("Mitsubishi Materials Corporation"),
            "3TG facilities listed"
        );
        assert!(!sd.contains("Umicore"), "no cobalt in the 3TG draft");
        let eu = eu_battery(&snap).expect("eu").to_html();
        assert!(eu.contains("2023/1542"));
        assert!(eu.contains("Umicore"));
        assert!(!eu.contains("Mitsubishi Materials"));

        store.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    });
}
