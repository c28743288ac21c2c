//! CSV and XLSX exports of a campaign's tables: suppliers, requests, submissions, problems,
//! the facility roll-up and the risk register. Every text cell that a spreadsheet could take
//! for a formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage return) is neutralised
//! with a leading apostrophe, because supplier-typed text ends up in these files.

use crate::error::{ReportError, Result};
use crate::gather::current_submissions;
use crate::snapshot::RiskData;
use chrono::NaiveDate;
use oretrail_store::Store;
use oretrail_store::campaigns::{Campaign, requests};
use oretrail_store::rollup::rollup;
use oretrail_store::submissions::{campaign_problems, list_submissions};
use oretrail_store::suppliers::list_suppliers;
use rust_xlsxwriter::{Format, Workbook};
use std::collections::HashMap;

/// A cell of an exported table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text (neutralised on output).
    Text(String),
    /// A number.
    Number(f64),
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }
}

impl From<Option<String>> for Cell {
    fn from(s: Option<String>) -> Cell {
        Cell::Text(s.unwrap_or_default())
    }
}

impl From<f64> for Cell {
    fn from(v: f64) -> Cell {
        Cell::Number(v)
    }
}

impl From<i64> for Cell {
    fn from(v: i64) -> Cell {
        Cell::Number(v as f64)
    }
}

impl From<usize> for Cell {
    fn from(v: usize) -> Cell {
        Cell::Number(v as f64)
    }
}

/// An exported table.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Name (sheet name, file stem).
    pub name: String,
    /// Column heads.
    pub head: Vec<String>,
    /// Rows.
    pub rows: Vec<Vec<Cell>>,
}

/// The tables that can be exported.
pub const TABLES: [&str; 6] = [
    "suppliers",
    "requests",
    "submissions",
    "problems",
    "rollup",
    "risk-register",
];

/// Text made safe for spreadsheets: a leading `=`, `+`, `-`, `@`, tab or carriage return gets
/// an apostrophe in front, so the text is never evaluated as a formula.
pub fn neutralise(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_string(),
    }
}

fn number_text(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// Writes a table as CSV (UTF-8, header row, every text cell neutralised).
pub fn write_csv(table: &Table, out: impl std::io::Write) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(table.head.iter().map(|h| neutralise(h)))?;
    for row in &table.rows {
        w.write_record(row.iter().map(|c| match c {
            Cell::Text(t) => neutralise(t),
            Cell::Number(n) => number_text(*n),
        }))?;
    }
    w.flush().map_err(|e| ReportError::io("CSV output", e))?;
    Ok(())
}

/// Writes tables as one XLSX workbook, a sheet per table (bold frozen header, filter).
pub fn write_xlsx(tables: &[Table]) -> Result<Vec<u8>> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    for t in tables {
        let ws = wb.add_worksheet();
        let name: String = t
            .name
            .chars()
            .filter(|c| !"[]:*?/\\".contains(*c))
            .take(31)
            .collect();
        ws.set_name(&name)?;
        for (c, h) in t.head.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, neutralise(h), &bold)?;
        }
        for (r, row) in t.rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (c, cell) in row.iter().enumerate() {
                match cell {
                    Cell::Text(s) => ws.write_string(r, c as u16, neutralise(s))?,
                    Cell::Number(n) => ws.write_number(r, c as u16, *n)?,
                };
            }
        }
        if !t.head.is_empty() {
            ws.set_freeze_panes(1, 0)?;
            ws.autofilter(0, 0, t.rows.len() as u32, t.head.len() as u16 - 1)?;
            ws.autofit();
        }
    }
    Ok(wb.save_to_buffer()?)
}

fn head(cols: &[&str]) -> Vec<String> {
    cols.iter().map(|c| c.to_string()).collect()
}

/// Builds one table of a campaign (`risk` feeds the risk register).
pub async fn table(
    store: &Store,
    campaign: &Campaign,
    name: &str,
    as_of: NaiveDate,
    risk: &RiskData,
) -> Result<Table> {
    let rows: Vec<Vec<Cell>>;
    let cols: Vec<String>;
    match name {
        "suppliers" => {
            let reqs: HashMap<i64, (String, f64)> = requests(store, campaign.id)
                .await?
                .into_iter()
                .map(|r| (r.supplier_id, (r.status.code().to_string(), r.spend)))
                .collect();
            cols = head(&[
                "erp_id",
                "name",
                "unique_id",
                "country",
                "tier",
                "commodities",
                "in_scope",
                "request_status",
                "spend",
            ]);
            rows = list_suppliers(store)
                .await?
                .into_iter()
                .map(|s| {
                    let req = reqs.get(&s.id);
                    vec![
                        s.erp_id.into(),
                        s.name.into(),
                        s.unique_id.into(),
                        s.country.into(),
                        s.tier.into(),
                        s.commodities.join(";").into(),
                        if req.is_some() { "yes" } else { "no" }.into(),
                        req.map(|r| r.0.clone()).into(),
                        req.map(|r| r.1).unwrap_or(0.0).into(),
                    ]
                })
                .collect();
        }
        "requests" => {
            cols = head(&[
                "erp_id",
                "supplier",
                "status",
                "reason",
                "scope_reason",
                "spend",
            ]);
            rows = requests(store, campaign.id)
                .await?
                .into_iter()
                .map(|r| {
                    vec![
                        r.erp_id.into(),
                        r.supplier_name.into(),
                        r.status.code().into(),
                        r.reason.into(),
                        r.scope_reason.into(),
                        r.spend.into(),
                    ]
                })
                .collect();
        }
        "submissions" => {
            cols = head(&[
                "id",
                "received_at",
                "file",
                "sha256",
                "template",
                "company_name",
                "supplier",
                "link_state",
                "status",
                "status_reason",
                "superseded_by",
            ]);
            rows = list_submissions(store, Some(campaign.id), false)
                .await?
                .into_iter()
                .map(|s| {
                    vec![
                        s.id.into(),
                        s.received_at.into(),
                        s.original_name.into(),
                        s.sha256.into(),
                        s.template.into(),
                        s.company_name.into(),
                        s.supplier.into(),
                        s.link_state.into(),
                        s.status.into(),
                        s.status_reason.into(),
                        s.superseded_by.map(|i| i.to_string()).into(),
                    ]
                })
                .collect();
        }
        "problems" => {
            let by_id: HashMap<i64, (String, String)> = current_submissions(store, campaign.id)
                .await?
                .into_iter()
                .map(|s| (s.id, (s.erp_id, s.original_name)))
                .collect();
            cols = head(&[
                "submission",
                "supplier",
                "file",
                "code",
                "severity",
                "sheet",
                "cell",
                "message",
            ]);
            let found = campaign_problems(store, campaign.id).await?;
            let mut out = Vec::with_capacity(found.len());
            for p in found {
                let who = by_id.get(&p.submission_id);
                out.push(vec![
                    p.submission_id.into(),
                    who.map(|w| w.0.clone()).into(),
                    who.map(|w| w.1.clone()).into(),
                    p.code.into(),
                    p.severity.into(),
                    p.sheet.into(),
                    p.cell.into(),
                    p.message.into(),
                ]);
            }
            rows = out;
        }
        "rollup" => {
            cols = head(&[
                "metal",
                "smelter_id",
                "name",
                "country",
                "country_iso",
                "status",
                "status_as_of",
                "last_audit",
                "risk_lists",
                "supplier_count",
                "suppliers",
                "rows",
                "resolved",
            ]);
            rows = rollup(store, campaign.id, &campaign.spec.name, as_of)
                .await?
                .lines
                .into_iter()
                .map(|l| {
                    vec![
                        l.metal.into(),
                        l.cid.into(),
                        l.name.into(),
                        l.country.into(),
                        l.country_iso.into(),
                        l.status.into(),
                        l.status_as_of.map(|d| d.to_string()).into(),
                        l.last_audit.map(|d| d.to_string()).into(),
                        l.risk_lists.join(";").into(),
                        l.supplier_count.into(),
                        l.suppliers.join(";").into(),
                        l.rows.into(),
                        l.resolved.to_string().into(),
                    ]
                })
                .collect();
        }
        "risk-register" => {
            cols = head(&[
                "case",
                "subject_kind",
                "subject",
                "risk",
                "level",
                "status",
                "stage",
                "opened_on",
                "closed_on",
                "outcome",
            ]);
            rows = risk
                .cases
                .iter()
                .map(|c| {
                    vec![
                        c.id.into(),
                        c.subject_kind.clone().into(),
                        c.subject.clone().into(),
                        c.title.clone().into(),
                        c.level.clone().into(),
                        c.status.clone().into(),
                        c.stage.clone().into(),
                        c.opened_on.to_string().into(),
                        c.closed_on.map(|d| d.to_string()).into(),
                        c.close_reason.clone().into(),
                    ]
                })
                .collect();
        }
        other => {
            return Err(ReportError::Invalid(format!(
                "no table '{other}' (tables: {})",
                TABLES.join(", ")
            )));
        }
    }
    Ok(Table {
        name: name.to_string(),
        head: cols,
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_like_text_is_neutralised_in_csv_and_xlsx() {
        for bad in [
            "=HYPERLINK(\"http://x\")",
            "+1+1",
            "-2+3",
            "@SUM(A1)",
            "\tx",
            "\rx",
        ] {
            assert!(neutralise(bad).starts_with('\''), "{bad:?}");
        }
        assert_eq!(neutralise("Umicore"), "Umicore");
        let t = Table {
            name: "suppliers".into(),
            head: vec!["name".into(), "spend".into()],
            rows: vec![vec!["=cmd|' /C calc'!A0".into(), Cell::Number(-5.0)]],
        };
        let mut csv = Vec::new();
        write_csv(&t, &mut csv).expect("csv");
        let text = String::from_utf8(csv).expect("utf8");
        assert!(text.contains("'=cmd"), "{text}");
        assert!(text.contains(",-5"), "numbers stay numbers: {text}");
        let xlsx = write_xlsx(&[t]).expect("xlsx");
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).expect("zip");
        let mut xml = String::new();
        for name in ["xl/sharedStrings.xml", "xl/worksheets/sheet1.xml"] {
            if let Ok(mut f) = zip.by_name(name) {
                std::io::Read::read_to_string(&mut f, &mut xml).expect("read");
            }
        }
        assert!(xml.contains("&apos;=cmd") || xml.contains("'=cmd"), "{xml}");
        assert!(!xml.contains("<f>"), "no formula written");
    }
}
