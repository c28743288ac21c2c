//! RMAP facility status lists, imported as dated snapshots.
//!
//! Users download RMI's facility lists (xlsx, xls or csv) and import each one with the date it
//! describes (`as_of`). Every import is a [`StatusSnapshot`]; nothing is overwritten: the
//! [`StatusHistory`] keeps all snapshots and [`StatusHistory::status_as_of`] answers with the
//! latest snapshot at or before a date.
//!
//! Columns are found by their header text, whatever the case, spacing or punctuation, and in
//! any order; common variants are accepted ("Smelter ID" / "Facility ID" / "CID", "Assessment
//! Status" / "RMAP Status" / "Status" ...). Title rows above the header are skipped. A file
//! without a Smelter ID or status column is refused with an error naming the file and the
//! missing column.

use calamine::{Data, Reader, open_workbook_auto};
use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use std::io::Read;
use std::path::{Path, PathBuf};
use thiserror::Error;

use crate::registry::{clean_cid, metal_key};

/// Rows searched for the header row.
const HEADER_SEARCH_ROWS: usize = 30;

/// A status list could not be imported.
#[derive(Debug, Error)]
pub enum StatusImportError {
    /// The file cannot be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// File involved.
        path: PathBuf,
        /// Underlying error.
        source: std::io::Error,
    },
    /// The spreadsheet cannot be opened.
    #[error("cannot open {path} as a spreadsheet: {message}")]
    Workbook {
        /// File involved.
        path: PathBuf,
        /// The reader's message.
        message: String,
    },
    /// The CSV text is malformed.
    #[error("{file}: {source}")]
    Csv {
        /// File involved.
        file: String,
        /// Underlying error.
        source: csv::Error,
    },
    /// The extension is not one of xlsx, xlsm, xls, ods or csv/txt.
    #[error("{path}: unsupported file type (expected .xlsx, .xls, .ods or .csv)")]
    UnsupportedFileType {
        /// File involved.
        path: PathBuf,
    },
    /// No row looks like the header of a facility list.
    #[error(
        "{file}: no header row found in the first {HEADER_SEARCH_ROWS} rows of any sheet (looked for the columns {})",
        required_columns()
    )]
    HeaderNotFound {
        /// File involved.
        file: String,
    },
    /// The header row lacks a required column.
    #[error(
        "{file}: the header row (row {row}) has no '{column}' column (accepted headers: {accepted})"
    )]
    MissingColumn {
        /// File involved.
        file: String,
        /// 1-based row of the header found.
        row: usize,
        /// The missing column.
        column: &'static str,
        /// Header texts accepted for it.
        accepted: String,
    },
}

/// RMAP assessment status of a facility.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RmapStatus {
    /// Conformant with the RMAP standard (or a cross-recognised one).
    Conformant,
    /// Committed to an assessment, not yet conformant.
    Active,
    /// Assessed and found not conformant.
    NonConformant,
    /// RMI outreach is required.
    OutreachRequired,
    /// In communication with RMI.
    InCommunication,
    /// Communication suspended.
    CommunicationSuspended,
    /// Any other status text (kept in [`StatusEntry::status_text`]).
    Other,
}

impl RmapStatus {
    /// Reads a status as lists write it ("Conformant", "Non Conformant", "Outreach Required" ...).
    pub fn parse(text: &str) -> RmapStatus {
        let s = squash(text);
        let table: [(&str, RmapStatus); 9] = [
            ("nonconformant", RmapStatus::NonConformant),
            ("noncompliant", RmapStatus::NonConformant),
            ("conformant", RmapStatus::Conformant),
            ("compliant", RmapStatus::Conformant),
            ("active", RmapStatus::Active),
            ("outreachrequired", RmapStatus::OutreachRequired),
            ("incommunication", RmapStatus::InCommunication),
            ("communicationsuspended", RmapStatus::CommunicationSuspended),
            ("suspended", RmapStatus::CommunicationSuspended),
        ];
        table
            .iter()
            .find(|(k, _)| s.starts_with(k))
            .map(|(_, v)| *v)
            .unwrap_or(RmapStatus::Other)
    }
}

/// One facility's line in a status list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusEntry {
    /// Metal, when the list has a metal column.
    pub metal: Option<String>,
    /// RMI facility ID.
    pub cid: String,
    /// Standard facility name.
    pub standard_name: Option<String>,
    /// Country as written.
    pub country: Option<String>,
    /// State or province as written.
    pub state_province: Option<String>,
    /// Assessment status.
    pub status: RmapStatus,
    /// Status as written.
    pub status_text: String,
    /// Date of the last audit, when readable.
    pub last_audit: Option<NaiveDate>,
    /// Last-audit cell as written, when it could not be read as a date.
    pub last_audit_text: Option<String>,
    /// Audit cycle in years ("1 Year" → 1, "3 Years" → 3).
    pub audit_cycle_years: Option<u32>,
    /// Re-audit due date: last audit + audit cycle.
    pub reaudit_due: Option<NaiveDate>,
    /// Whether a re-audit is in progress.
    pub reaudit_in_progress: Option<bool>,
    /// Cross-recognised programme(s), e.g. "LBMA", "RJC".
    pub cross_recognition: Option<String>,
}

/// One imported status list: what RMI said on a date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusSnapshot {
    /// Date the list describes.
    pub as_of: NaiveDate,
    /// File it came from.
    pub source: String,
    /// One entry per facility line.
    pub entries: Vec<StatusEntry>,
    /// Data rows skipped, with the reason (e.g. no valid Smelter ID).
    pub skipped: Vec<String>,
}

/// Every imported snapshot, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StatusHistory {
    snapshots: Vec<StatusSnapshot>,
}

/// A facility's status as of a date, with the snapshot it comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StatusAt<'a> {
    /// Date of the snapshot used.
    pub as_of: NaiveDate,
    /// File of the snapshot used.
    pub source: &'a str,
    /// The facility's entry.
    pub entry: &'a StatusEntry,
}

impl StatusHistory {
    /// An empty history.
    pub fn new() -> StatusHistory {
        StatusHistory::default()
    }

    /// A history from stored snapshots (any order).
    pub fn from_snapshots(snapshots: Vec<StatusSnapshot>) -> StatusHistory {
        let mut history = StatusHistory::new();
        for s in snapshots {
            history.add(s);
        }
        history
    }

    /// Adds a snapshot; snapshots stay ordered by date, a later import of the same date
    /// coming after the earlier one.
    pub fn add(&mut self, snapshot: StatusSnapshot) {
        let at = self
            .snapshots
            .partition_point(|s| s.as_of <= snapshot.as_of);
        self.snapshots.insert(at, snapshot);
    }

    /// All snapshots, oldest first.
    pub fn snapshots(&self) -> &[StatusSnapshot] {
        &self.snapshots
    }

    /// The facility's entry in the latest snapshot dated at or before `date` that lists it.
    pub fn status_as_of(&self, cid: &str, date: NaiveDate) -> Option<StatusAt<'_>> {
        self.find(None, cid, date)
    }

    /// Same as [`StatusHistory::status_as_of`] for one metal (CIDs are per metal).
    pub fn status_as_of_for_metal(
        &self,
        metal: &str,
        cid: &str,
        date: NaiveDate,
    ) -> Option<StatusAt<'_>> {
        self.find(Some(metal), cid, date)
    }

    fn find(&self, metal: Option<&str>, cid: &str, date: NaiveDate) -> Option<StatusAt<'_>> {
        let cid = clean_cid(cid)?;
        let metal = metal.map(metal_key);
        self.snapshots
            .iter()
            .rev()
            .filter(|s| s.as_of <= date)
            .find_map(|s| {
                let entry = s.entries.iter().rev().find(|e| {
                    e.cid == cid
                        && match (&metal, &e.metal) {
                            (Some(m), Some(em)) => metal_key(em) == *m,
                            _ => true,
                        }
                })?;
                Some(StatusAt {
                    as_of: s.as_of,
                    source: &s.source,
                    entry,
                })
            })
    }
}

/// One cell of a status list, whatever the file type.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Nothing.
    Empty,
    /// Text.
    Text(String),
    /// A number.
    Number(f64),
    /// A date (spreadsheet date cell).
    Date(NaiveDate),
}

/// Imports a status list file (`.xlsx`, `.xlsm`, `.xls`, `.ods`, `.csv`, `.txt`) as of a date.
pub fn import_status_file(
    path: &Path,
    as_of: NaiveDate,
) -> Result<StatusSnapshot, StatusImportError> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let label = path.display().to_string();
    match ext.as_str() {
        "csv" | "txt" => {
            let file = std::fs::File::open(path).map_err(|source| StatusImportError::Io {
                path: path.to_path_buf(),
                source,
            })?;
            import_status_csv(file, &label, as_of)
        }
        "xlsx" | "xlsm" | "xls" | "xlsb" | "ods" => {
            let mut wb = open_workbook_auto(path).map_err(|e| StatusImportError::Workbook {
                path: path.to_path_buf(),
                message: e.to_string(),
            })?;
            let mut first_error = None;
            for name in wb.sheet_names() {
                let Ok(range) = wb.worksheet_range(&name) else {
                    continue;
                };
                let rows: Vec<Vec<Cell>> = range
                    .rows()
                    .map(|r| r.iter().map(cell_of).collect())
                    .collect();
                match import_status_table(&rows, &label, as_of) {
                    Ok(snapshot) => return Ok(snapshot),
                    Err(e @ StatusImportError::MissingColumn { .. }) if first_error.is_none() => {
                        first_error = Some(e)
                    }
                    Err(_) => {}
                }
            }
            Err(first_error.unwrap_or(StatusImportError::HeaderNotFound { file: label }))
        }
        _ => Err(StatusImportError::UnsupportedFileType {
            path: path.to_path_buf(),
        }),
    }
}

/// Imports a CSV status list (comma, semicolon or tab separated; UTF-8, BOM allowed).
pub fn import_status_csv(
    mut reader: impl Read,
    source: &str,
    as_of: NaiveDate,
) -> Result<StatusSnapshot, StatusImportError> {
    let mut bytes = Vec::new();
    reader
        .read_to_end(&mut bytes)
        .map_err(|e| StatusImportError::Io {
            path: PathBuf::from(source),
            source: e,
        })?;
    let text = String::from_utf8_lossy(&bytes);
    let text = text.trim_start_matches('\u{feff}');
    let delimiter = sniff_delimiter(text);
    let mut csv_reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in csv_reader.records() {
        let record = record.map_err(|e| StatusImportError::Csv {
            file: source.to_string(),
            source: e,
        })?;
        rows.push(
            record
                .iter()
                .map(|v| match v.trim() {
                    "" => Cell::Empty,
                    t => Cell::Text(t.to_string()),
                })
                .collect(),
        );
    }
    import_status_table(&rows, source, as_of)
}

/// Imports a status list already read into rows of cells.
pub fn import_status_table(
    rows: &[Vec<Cell>],
    source: &str,
    as_of: NaiveDate,
) -> Result<StatusSnapshot, StatusImportError> {
    let (header_row, columns) = find_header(rows, source)?;
    let mut snapshot = StatusSnapshot {
        as_of,
        source: source.to_string(),
        entries: Vec::new(),
        skipped: Vec::new(),
    };
    for (i, row) in rows.iter().enumerate().skip(header_row + 1) {
        let get = |col: Option<usize>| col.and_then(|c| row.get(c)).unwrap_or(&Cell::Empty);
        let text = |col: Option<usize>| cell_text(get(col));
        if row.iter().all(|c| cell_text(c).is_none()) {
            continue;
        }
        let Some(cid_text) = text(columns.cid) else {
            snapshot
                .skipped
                .push(format!("row {}: no Smelter ID", i + 1));
            continue;
        };
        let Some(cid) = clean_cid(&cid_text) else {
            snapshot
                .skipped
                .push(format!("row {}: '{cid_text}' is not a Smelter ID", i + 1));
            continue;
        };
        let status_text = text(columns.status).unwrap_or_default();
        let (last_audit, last_audit_text) = match get(columns.last_audit) {
            Cell::Empty => (None, None),
            c => match cell_date(c) {
                Some(d) => (Some(d), None),
                None => (None, cell_text(c)),
            },
        };
        let audit_cycle_years = cell_years(get(columns.audit_cycle));
        let reaudit_due = match (last_audit, audit_cycle_years) {
            (Some(d), Some(y)) => d.checked_add_months(Months::new(12 * y)),
            _ => None,
        };
        snapshot.entries.push(StatusEntry {
            metal: text(columns.metal),
            cid,
            standard_name: text(columns.name),
            country: text(columns.country),
            state_province: text(columns.state_province),
            status: RmapStatus::parse(&status_text),
            status_text,
            last_audit,
            last_audit_text,
            audit_cycle_years,
            reaudit_due,
            reaudit_in_progress: text(columns.reaudit_in_progress).and_then(|t| yes_no(&t)),
            cross_recognition: text(columns.cross_recognition),
        });
    }
    Ok(snapshot)
}

/// Column positions found in the header row.
#[derive(Debug, Default, Clone, Copy)]
struct Columns {
    metal: Option<usize>,
    cid: Option<usize>,
    name: Option<usize>,
    country: Option<usize>,
    state_province: Option<usize>,
    status: Option<usize>,
    last_audit: Option<usize>,
    audit_cycle: Option<usize>,
    reaudit_in_progress: Option<usize>,
    cross_recognition: Option<usize>,
}

/// Header texts accepted per column, compared without case, spaces or punctuation.
const HEADERS: &[(&str, &[&str])] = &[
    ("Metal", &["metal", "mineral", "metaltype", "commodity"]),
    (
        "Smelter ID",
        &[
            "smelterid",
            "facilityid",
            "cid",
            "smelteridentificationnumber",
            "smelteridentification",
            "smelterreference",
            "smelterreferenceid",
            "rmiid",
            "facilityidentificationnumber",
        ],
    ),
    (
        "Standard Smelter Name",
        &[
            "standardsmeltername",
            "standardfacilityname",
            "smeltername",
            "facilityname",
            "standardname",
            "refinername",
            "name",
        ],
    ),
    (
        "Country",
        &[
            "country",
            "countrylocation",
            "smelterfacilitylocationcountry",
            "facilitylocationcountry",
            "countryregion",
            "location",
        ],
    ),
    (
        "State / Province",
        &[
            "stateprovince",
            "stateprovinceregion",
            "province",
            "state",
            "stateregion",
            "smelterfacilitylocationstateprovince",
        ],
    ),
    (
        "RMAP Status",
        &[
            "assessmentstatus",
            "rmapstatus",
            "status",
            "rmapassessmentstatus",
            "conformancestatus",
            "auditstatus",
            "facilitystatus",
        ],
    ),
    (
        "Last Audit Date",
        &[
            "lastauditdate",
            "lastassessmentdate",
            "dateoflastaudit",
            "auditdate",
            "lastaudit",
            "mostrecentauditdate",
        ],
    ),
    (
        "Audit Cycle",
        &[
            "auditcycle",
            "assessmentcycle",
            "auditfrequency",
            "reauditcycle",
            "cycle",
        ],
    ),
    (
        "Re-audit in Progress",
        &[
            "reauditinprogress",
            "reassessmentinprogress",
            "auditinprogress",
            "reauditunderway",
        ],
    ),
    (
        "Cross Recognition",
        &[
            "crossrecognition",
            "crossrecognized",
            "crossrecognised",
            "recognizedby",
            "crossrecognitionprogram",
            "otherprogram",
        ],
    ),
];

fn required_columns() -> String {
    "'Smelter ID' and 'RMAP Status'".to_string()
}

/// Which column (index into `HEADERS`) a header text designates.
fn column_kind(text: &str) -> Option<usize> {
    let s = squash(text);
    if s.is_empty() {
        return None;
    }
    HEADERS
        .iter()
        .position(|(_, names)| names.contains(&s.as_str()))
        .or_else(|| {
            // "Assessment Status (as of 2025-06-30)", "Smelter ID (CID)": a long known prefix.
            HEADERS
                .iter()
                .position(|(_, names)| names.iter().any(|n| n.len() >= 6 && s.starts_with(n)))
        })
}

fn find_header(rows: &[Vec<Cell>], source: &str) -> Result<(usize, Columns), StatusImportError> {
    let mut best: Option<(usize, usize, Columns)> = None;
    for (i, row) in rows.iter().take(HEADER_SEARCH_ROWS).enumerate() {
        let mut cols = Columns::default();
        let mut found = 0;
        for (c, cell) in row.iter().enumerate() {
            let Cell::Text(t) = cell else { continue };
            let Some(kind) = column_kind(t) else { continue };
            let slot = match kind {
                0 => &mut cols.metal,
                1 => &mut cols.cid,
                2 => &mut cols.name,
                3 => &mut cols.country,
                4 => &mut cols.state_province,
                5 => &mut cols.status,
                6 => &mut cols.last_audit,
                7 => &mut cols.audit_cycle,
                8 => &mut cols.reaudit_in_progress,
                _ => &mut cols.cross_recognition,
            };
            if slot.is_none() {
                *slot = Some(c);
                found += 1;
            }
        }
        if cols.cid.is_some() && cols.status.is_some() {
            return Ok((i, cols));
        }
        if found >= 3 && best.as_ref().is_none_or(|b| found > b.1) {
            best = Some((i, found, cols));
        }
    }
    let Some((row, _, cols)) = best else {
        return Err(StatusImportError::HeaderNotFound {
            file: source.to_string(),
        });
    };
    let (kind, column) = if cols.cid.is_none() {
        (1, "Smelter ID")
    } else {
        (5, "RMAP Status")
    };
    Err(StatusImportError::MissingColumn {
        file: source.to_string(),
        row: row + 1,
        column,
        accepted: HEADERS[kind].1.join(", "),
    })
}

fn squash(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn cell_of(data: &Data) -> Cell {
    match data {
        Data::Empty | Data::Error(_) => Cell::Empty,
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => match s.trim() {
            "" => Cell::Empty,
            t => Cell::Text(t.to_string()),
        },
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::Bool(b) => Cell::Text(if *b { "Yes".into() } else { "No".into() }),
        Data::DateTime(dt) => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            NaiveDate::from_ymd_opt(i32::from(y), u32::from(m), u32::from(d))
                .map(Cell::Date)
                .unwrap_or(Cell::Number(dt.as_f64()))
        }
    }
}

fn cell_text(cell: &Cell) -> Option<String> {
    match cell {
        Cell::Empty => None,
        Cell::Text(t) => Some(t.clone()),
        Cell::Number(n) if n.fract() == 0.0 => Some(format!("{}", *n as i64)),
        Cell::Number(n) => Some(n.to_string()),
        Cell::Date(d) => Some(d.format("%Y-%m-%d").to_string()),
    }
}

/// A date from a date cell, an Excel serial number, or text in a common format.
fn cell_date(cell: &Cell) -> Option<NaiveDate> {
    match cell {
        Cell::Date(d) => Some(*d),
        Cell::Number(n) => excel_serial_date(*n),
        Cell::Text(t) => parse_date_text(t),
        Cell::Empty => None,
    }
}

/// Date of an Excel serial number (1900 system), for plausible values (1982–2173).
fn excel_serial_date(n: f64) -> Option<NaiveDate> {
    if !(30000.0..100000.0).contains(&n) {
        return None;
    }
    NaiveDate::from_ymd_opt(1899, 12, 30)?.checked_add_days(chrono::Days::new(n.trunc() as u64))
}

/// Reads a date written as text: ISO, `2024/05/17`, `17-May-2024`, `May 17, 2024`, `17.05.2024`,
/// or `5/17/2024` (month first, as RMI's US exports write it, unless the first number is > 12).
pub fn parse_date_text(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    let t = t
        .split(['T', ' '])
        .next()
        .filter(|d| d.len() >= 8 && d.contains(['-', '/', '.']))
        .unwrap_or(t);
    const FORMATS: &[&str] = &[
        "%Y-%m-%d",
        "%Y/%m/%d",
        "%Y.%m.%d",
        "%d-%b-%Y",
        "%d %b %Y",
        "%d-%B-%Y",
        "%d %B %Y",
        "%b %d, %Y",
        "%B %d, %Y",
        "%b %d %Y",
        "%B %d %Y",
        "%d-%b-%y",
        "%d.%m.%Y",
        "%m/%d/%Y",
        "%d/%m/%Y",
        "%Y%m%d",
    ];
    FORMATS
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(t, f).ok())
        .filter(|d| (1980..=2200).contains(&d.year()))
}

/// Audit cycle in years: "1 Year", "3 Years", "12 months", "Annual", or a number of years.
fn cell_years(cell: &Cell) -> Option<u32> {
    match cell {
        Cell::Number(n) if *n >= 1.0 && *n <= 10.0 && n.fract() == 0.0 => Some(*n as u32),
        Cell::Text(t) => {
            let lower = t.to_lowercase();
            if lower.contains("annual") {
                return Some(1);
            }
            let digits: String = lower.chars().take_while(|c| c.is_ascii_digit()).collect();
            let n: u32 = digits.parse().ok()?;
            if lower.contains("month") {
                (n.is_multiple_of(12) && n > 0).then_some(n / 12)
            } else {
                (1..=10).contains(&n).then_some(n)
            }
        }
        _ => None,
    }
}

fn yes_no(text: &str) -> Option<bool> {
    match squash(text).as_str() {
        "yes" | "y" | "true" | "x" | "1" => Some(true),
        "no" | "n" | "false" | "0" => Some(false),
        _ => None,
    }
}

fn sniff_delimiter(text: &str) -> u8 {
    let sample: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(40)
        .collect();
    let count = |d: char| {
        sample
            .iter()
            .map(|l| l.matches(d).count())
            .max()
            .unwrap_or(0)
    };
    [(b',', count(',')), (b';', count(';')), (b'\t', count('\t'))]
        .into_iter()
        .max_by_key(|(_, n)| *n)
        .map(|(d, _)| d)
        .unwrap_or(b',')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    const LIST: &str = "\
RMI Facility List - Gold,,,,,,,,,
Downloaded 2025-06-30,,,,,,,,,
,,,,,,,,,
Metal, Smelter ID ,Standard Smelter Name,Country,State / Province,Assessment Status,Last Audit Date,Audit Cycle,Re-audit in Progress,Cross Recognition
Gold,CID000157,Boliden Ronnskar,SWEDEN,Vasterbotten,Conformant,2024-03-15,1 Year,No,LBMA
Gold,CID001352,MKS PAMP SA,SWITZERLAND,Ticino,Conformant,17-May-2023,3 Years,Yes,\"LBMA, RJC\"
Tin,CID002816,PT Sukses Inti Makmur,INDONESIA,,Active,,,,
Gold,n/a,Unknown refinery,,,Outreach Required,,,,
";

    #[test]
    fn a_csv_list_with_title_rows_imports_as_a_snapshot() {
        let s = import_status_csv(LIST.as_bytes(), "gold.csv", date(2025, 6, 30)).expect("imports");
        assert_eq!(s.entries.len(), 3);
        assert_eq!(s.skipped.len(), 1, "{:?}", s.skipped);
        let boliden = &s.entries[0];
        assert_eq!(boliden.cid, "CID000157");
        assert_eq!(boliden.status, RmapStatus::Conformant);
        assert_eq!(boliden.last_audit, Some(date(2024, 3, 15)));
        assert_eq!(boliden.reaudit_due, Some(date(2025, 3, 15)));
        assert_eq!(boliden.reaudit_in_progress, Some(false));
        let pamp = &s.entries[1];
        assert_eq!(pamp.audit_cycle_years, Some(3));
        assert_eq!(pamp.reaudit_due, Some(date(2026, 5, 17)));
        assert_eq!(pamp.cross_recognition.as_deref(), Some("LBMA, RJC"));
        assert_eq!(s.entries[2].status, RmapStatus::Active);
    }

    #[test]
    fn header_variants_and_semicolons_are_accepted() {
        let text = "FACILITY ID;RMAP status;last audit;audit cycle\nCID000001;Non Conformant;05/17/2024;1 year\n";
        let s = import_status_csv(text.as_bytes(), "x.csv", date(2025, 1, 1)).expect("imports");
        assert_eq!(s.entries[0].status, RmapStatus::NonConformant);
        assert_eq!(s.entries[0].last_audit, Some(date(2024, 5, 17)));
        assert_eq!(s.entries[0].metal, None);
    }

    #[test]
    fn a_missing_status_column_is_named_with_the_file() {
        let text = "Metal,CID,Standard Smelter Name,Country\nGold,CID000157,Boliden,SWEDEN\n";
        let err = import_status_csv(text.as_bytes(), "list.csv", date(2025, 1, 1))
            .expect_err("no status");
        let msg = err.to_string();
        assert!(
            msg.contains("list.csv") && msg.contains("RMAP Status"),
            "{msg}"
        );
        let err = import_status_csv("a,b\n1,2\n".as_bytes(), "junk.csv", date(2025, 1, 1))
            .expect_err("junk");
        assert!(
            matches!(err, StatusImportError::HeaderNotFound { .. }),
            "{err}"
        );
        assert!(err.to_string().contains("junk.csv"));
    }

    #[test]
    fn status_as_of_picks_the_latest_snapshot_at_or_before_the_date() {
        let old = import_status_csv(LIST.as_bytes(), "q1.csv", date(2025, 3, 31)).expect("imports");
        let newer = "Metal,Smelter ID,Status\nGold,CID000157,Non Conformant\n";
        let new =
            import_status_csv(newer.as_bytes(), "q3.csv", date(2025, 9, 30)).expect("imports");
        let mut h = StatusHistory::new();
        h.add(new);
        h.add(old);
        assert_eq!(h.snapshots()[0].source, "q1.csv", "kept in date order");
        let at = |d| {
            h.status_as_of("cid000157", d)
                .map(|s| (s.source, s.entry.status))
        };
        assert_eq!(at(date(2025, 1, 1)), None);
        assert_eq!(
            at(date(2025, 6, 1)),
            Some(("q1.csv", RmapStatus::Conformant))
        );
        assert_eq!(
            at(date(2025, 12, 31)),
            Some(("q3.csv", RmapStatus::NonConformant))
        );
        // A facility absent from the newer list keeps its last known status.
        let pamp = h
            .status_as_of("CID001352", date(2025, 12, 31))
            .expect("known");
        assert_eq!(pamp.source, "q1.csv");
        assert!(
            h.status_as_of_for_metal("Tin", "CID000157", date(2025, 12, 31))
                .is_none()
        );
    }

    #[test]
    fn statuses_and_dates_read_leniently() {
        assert_eq!(
            RmapStatus::parse("Outreach Required"),
            RmapStatus::OutreachRequired
        );
        assert_eq!(
            RmapStatus::parse("communication suspended"),
            RmapStatus::CommunicationSuspended
        );
        assert_eq!(
            RmapStatus::parse("In Communication"),
            RmapStatus::InCommunication
        );
        assert_eq!(RmapStatus::parse("Re-audit"), RmapStatus::Other);
        assert_eq!(parse_date_text("May 17, 2024"), Some(date(2024, 5, 17)));
        assert_eq!(parse_date_text("2024/05/17"), Some(date(2024, 5, 17)));
        assert_eq!(parse_date_text("17.05.2024"), Some(date(2024, 5, 17)));
        assert_eq!(parse_date_text("25/12/2024"), Some(date(2024, 12, 25)));
        assert_eq!(
            parse_date_text("2024-05-17 00:00:00"),
            Some(date(2024, 5, 17))
        );
        assert_eq!(parse_date_text("soon"), None);
        assert_eq!(excel_serial_date(45429.0), Some(date(2024, 5, 17)));
        assert_eq!(cell_years(&Cell::Text("12 months".into())), Some(1));
        assert_eq!(cell_years(&Cell::Number(3.0)), Some(3));
    }

    #[test]
    fn unknown_file_types_are_refused() {
        let err = import_status_file(Path::new("list.pdf"), date(2025, 1, 1)).expect_err("pdf");
        assert!(matches!(err, StatusImportError::UnsupportedFileType { .. }));
    }
}
