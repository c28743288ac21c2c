//! The annual report: made from a pinned snapshot, regenerated from the stored snapshot to the
//! same bytes, and compared with an earlier snapshot (what changed and why).

mod common;

use chrono::NaiveDate;
use oretrail_facilities::import_status_csv;
use oretrail_report::annual::annual_report;
use oretrail_report::compare::compare;
use oretrail_report::gather::{SnapshotInputs, snapshot};
use oretrail_report::snapshot::{RiskData, SnapshotStore};
use oretrail_store::campaigns;
use oretrail_store::facilities::add_status_snapshot;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

#[test]
fn annual_report_is_pinned_to_its_snapshot_and_compares_with_an_earlier_one() {
    let rt = common::runtime();
    rt.block_on(async {
        let (store, dir, _) = common::demo_store("annual").await;
        let campaign = campaigns::campaign_by_name(&store, "2025 minerals")
            .await
            .expect("campaign");
        let profile = common::profile();
        // Two status lists: one facility moves from Active to Conformant between them.
        let data = oretrail_report::gather::campaign_data(&store, &campaign, date(2026, 3, 31))
            .await
            .expect("data");
        let cids: Vec<(String, String)> = data
            .rollup
            .lines
            .iter()
            .filter_map(|l| l.cid.clone().map(|c| (l.metal.clone(), c)))
            .take(3)
            .collect();
        assert_eq!(cids.len(), 3);
        let list = |status: &str| {
            let mut csv =
                String::from("Metal,Smelter ID,Assessment Status,Last Audit Date,Audit Cycle\n");
            for (i, (m, c)) in cids.iter().enumerate() {
                let s = if i == 0 { status } else { "Conformant" };
                csv.push_str(&format!("{m},{c},{s},2025-02-01,1 Year\n"));
            }
            csv
        };
        let q4 = import_status_csv(
            list("Active").as_bytes(),
            "rmap-2025-12.csv",
            date(2025, 12, 31),
        )
        .expect("list");
        let q1 = import_status_csv(
            list("Conformant").as_bytes(),
            "rmap-2026-03.csv",
            date(2026, 3, 31),
        )
        .expect("list");
        add_status_snapshot(&store, &q4).await.expect("add");
        add_status_snapshot(&store, &q1).await.expect("add");

        let inputs = |previous| SnapshotInputs {
            profile: &profile,
            risk: RiskData {
                source: "test".into(),
                ..RiskData::default()
            },
            risk_policy: None,
            previous,
        };
        let earlier = snapshot(&store, &campaign, date(2026, 1, 15), inputs(None))
            .await
            .expect("earlier");
        let later = snapshot(&store, &campaign, date(2026, 3, 31), inputs(Some(&earlier)))
            .await
            .expect("later");
        assert_eq!(later.pins.status_lists.len(), 2);
        assert_eq!(earlier.pins.status_lists.len(), 1);
        assert!(!later.pins.inputs.is_empty());

        // Regenerating from the stored snapshot gives the same document, byte for byte.
        let snapshots = SnapshotStore::new(&dir);
        let id = snapshots.save(&later).expect("save");
        assert_eq!(id, later.id().expect("id"));
        let html = annual_report(&later).expect("report").to_html();
        let again = snapshots.load(&id[..10]).expect("load by prefix");
        assert_eq!(again, later);
        assert_eq!(annual_report(&again).expect("report").to_html(), html);
        for section in [
            "Policy and management system",
            "Scope and coverage",
            "Smelters and refiners",
            "Countries of origin",
            "Risks identified and mitigation",
            "Audits, training and grievances",
            "Changes against the previous year",
        ] {
            assert!(html.contains(section), "missing section {section}");
        }
        assert!(html.matches("<svg").count() >= 4, "charts");
        assert!(html.contains(&id));

        // What changed, and why.
        let c = compare(&earlier, &later);
        assert_eq!(c.status_changes.len(), 1, "{:#?}", c.status_changes);
        let change = &c.status_changes[0];
        assert_eq!(
            (change.from.as_str(), change.to.as_str()),
            ("active", "conformant")
        );
        assert!(change.why.contains("2026-03-31"), "{}", change.why);
        assert!(c.inputs.iter().any(|i| i.what == "newest status list"));
        assert_eq!(later.changes.as_ref(), Some(&c));
        assert!(html.contains("Status changes"));

        store.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    });
}
