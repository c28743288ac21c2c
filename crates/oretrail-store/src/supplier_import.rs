//! Reading an ERP supplier export (CSV or XLSX) through a column mapping into supplier lines,
//! with every rejected line and its reason. Pure: no database here.

use crate::error::{Result, StoreError};
use calamine::{Data, Reader, open_workbook_auto};
use std::collections::BTreeMap;
use std::path::Path;

/// A field of a supplier line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    /// ERP / vendor ID (required, the key of re-runnable imports).
    ErpId,
    /// Supplier name (required).
    Name,
    /// Company unique ID (DUNS, VAT ...), as suppliers declare it in templates.
    UniqueId,
    /// Country.
    Country,
    /// Tier (1, 2, 3).
    Tier,
    /// Commodities / minerals (separated by `,` `;` `/` or `|`).
    Commodities,
    /// Contact name.
    ContactName,
    /// Contact e-mail.
    ContactEmail,
    /// Contact phone.
    ContactPhone,
    /// ERP ID of the parent supplier (for Tier 2/3).
    Parent,
    /// Spend amount.
    Spend,
    /// Spend period ("2025").
    Period,
    /// Spend currency.
    Currency,
    /// Commodity the spend is for (empty: all of the supplier's spend).
    SpendCommodity,
}

impl Field {
    /// Every field.
    pub const ALL: [Field; 14] = [
        Field::ErpId,
        Field::Name,
        Field::UniqueId,
        Field::Country,
        Field::Tier,
        Field::Commodities,
        Field::ContactName,
        Field::ContactEmail,
        Field::ContactPhone,
        Field::Parent,
        Field::Spend,
        Field::Period,
        Field::Currency,
        Field::SpendCommodity,
    ];

    /// Name used in `--map FIELD=HEADER`.
    pub fn key(self) -> &'static str {
        match self {
            Field::ErpId => "erp_id",
            Field::Name => "name",
            Field::UniqueId => "unique_id",
            Field::Country => "country",
            Field::Tier => "tier",
            Field::Commodities => "commodities",
            Field::ContactName => "contact_name",
            Field::ContactEmail => "contact_email",
            Field::ContactPhone => "contact_phone",
            Field::Parent => "parent",
            Field::Spend => "spend",
            Field::Period => "period",
            Field::Currency => "currency",
            Field::SpendCommodity => "spend_commodity",
        }
    }

    /// Parses a `--map` field name.
    pub fn from_key(key: &str) -> Option<Field> {
        Field::ALL
            .into_iter()
            .find(|f| f.key() == squash(key) || squash(f.key()) == squash(key))
    }

    /// Header texts recognised without a mapping (compared without case or punctuation).
    fn headers(self) -> &'static [&'static str] {
        match self {
            Field::ErpId => &[
                "erpid",
                "vendorid",
                "vendor",
                "vendornumber",
                "vendorno",
                "supplierid",
                "suppliernumber",
                "supplierno",
                "suppliercode",
                "vendorcode",
                "lifnr",
                "erp",
            ],
            Field::Name => &[
                "name",
                "suppliername",
                "vendorname",
                "company",
                "companyname",
                "name1",
            ],
            Field::UniqueId => &[
                "uniqueid",
                "companyuniqueid",
                "duns",
                "dunsnumber",
                "vat",
                "vatid",
                "taxid",
            ],
            Field::Country => &["country", "countrycode", "land1"],
            Field::Tier => &["tier", "suppliertier"],
            Field::Commodities => &[
                "commodities",
                "commodity",
                "minerals",
                "metals",
                "materials",
            ],
            Field::ContactName => &["contact", "contactname", "contactperson"],
            Field::ContactEmail => &["email", "contactemail", "emailaddress", "mail"],
            Field::ContactPhone => &["phone", "contactphone", "telephone", "tel"],
            Field::Parent => &[
                "parent",
                "parenterpid",
                "parentid",
                "parentvendor",
                "parentsupplier",
                "tier1supplier",
            ],
            Field::Spend => &[
                "spend",
                "amount",
                "annualspend",
                "purchasevolume",
                "spendamount",
            ],
            Field::Period => &["period", "year", "fiscalyear", "spendperiod"],
            Field::Currency => &["currency", "curr", "waers"],
            Field::SpendCommodity => &["spendcommodity", "spendmineral", "spendcategory"],
        }
    }
}

/// One accepted line of the import.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SupplierLine {
    /// 1-based line (row) number in the file.
    pub line: usize,
    /// ERP / vendor ID.
    pub erp_id: String,
    /// Name.
    pub name: String,
    /// Company unique ID.
    pub unique_id: Option<String>,
    /// Country.
    pub country: Option<String>,
    /// Tier, when given.
    pub tier: Option<i64>,
    /// Commodities, lower case.
    pub commodities: Vec<String>,
    /// Contact name.
    pub contact_name: Option<String>,
    /// Contact e-mail.
    pub contact_email: Option<String>,
    /// Contact phone.
    pub contact_phone: Option<String>,
    /// Parent's ERP ID.
    pub parent: Option<String>,
    /// Spend: period, commodity ("" for all), amount, currency.
    pub spend: Option<SpendLine>,
}

/// Spend of one line.
#[derive(Debug, Clone, PartialEq)]
pub struct SpendLine {
    /// Period ("2025").
    pub period: String,
    /// Commodity, lower case; empty for the supplier's whole spend.
    pub commodity: String,
    /// Amount.
    pub amount: f64,
    /// Currency ("" when not given).
    pub currency: String,
}

/// A line the import did not take, and why.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RejectedLine {
    /// 1-based line (row) number.
    pub line: usize,
    /// Why.
    pub reason: String,
}

/// What a file yields.
#[derive(Debug, Clone, Default)]
pub struct ParsedImport {
    /// Accepted lines, in file order.
    pub lines: Vec<SupplierLine>,
    /// Rejected lines.
    pub rejected: Vec<RejectedLine>,
    /// Which header each field was read from.
    pub columns: BTreeMap<Field, String>,
}

/// Options of an import.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Explicit mapping: field → header text in the file.
    pub mapping: BTreeMap<Field, String>,
    /// Period for spend when the file has no period column.
    pub default_period: Option<String>,
    /// Sheet to read in an XLSX file (first sheet otherwise).
    pub sheet: Option<String>,
}

/// Reads a CSV/XLSX/XLS file into supplier lines.
pub fn parse_supplier_file(path: &Path, options: &ImportOptions) -> Result<ParsedImport> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let rows = match ext.as_str() {
        "xlsx" | "xlsm" | "xls" | "ods" => read_workbook(path, options.sheet.as_deref())?,
        _ => {
            let bytes = std::fs::read(path).map_err(|e| StoreError::io(path, e))?;
            read_csv(&bytes)?
        }
    };
    parse_rows(&rows, options)
}

/// Reads CSV text (comma, semicolon or tab separated; UTF-8 with or without BOM).
pub fn read_csv(bytes: &[u8]) -> Result<Vec<Vec<String>>> {
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim_start_matches('\u{feff}');
    let first = text.lines().next().unwrap_or("");
    let delimiter = [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| first.matches(char::from(*d)).count())
        .unwrap_or(b',');
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| StoreError::Import(format!("CSV: {e}")))?;
        rows.push(record.iter().map(|v| v.trim().to_string()).collect());
    }
    Ok(rows)
}

fn read_workbook(path: &Path, sheet: Option<&str>) -> Result<Vec<Vec<String>>> {
    let mut wb = open_workbook_auto(path)
        .map_err(|e| StoreError::Import(format!("{}: {e}", path.display())))?;
    let name = match sheet {
        Some(s) => s.to_string(),
        None => wb
            .sheet_names()
            .first()
            .cloned()
            .ok_or_else(|| StoreError::Import(format!("{}: no sheet", path.display())))?,
    };
    let range = wb
        .worksheet_range(&name)
        .map_err(|e| StoreError::Import(format!("{}: sheet '{name}': {e}", path.display())))?;
    Ok(range
        .rows()
        .map(|r| r.iter().map(cell_text).collect())
        .collect())
}

fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => dt.as_f64().to_string(),
    }
}

/// Turns rows (the first non-empty one being the header) into supplier lines.
pub fn parse_rows(rows: &[Vec<String>], options: &ImportOptions) -> Result<ParsedImport> {
    let Some(header_at) = rows
        .iter()
        .position(|r| r.iter().any(|c| !c.trim().is_empty()))
    else {
        return Err(StoreError::Import("the file is empty".into()));
    };
    let header = &rows[header_at];
    let mut columns: BTreeMap<Field, usize> = BTreeMap::new();
    for (field, wanted) in &options.mapping {
        let pos = header
            .iter()
            .position(|h| squash(h) == squash(wanted))
            .ok_or_else(|| {
                StoreError::Import(format!(
                    "--map {}={wanted}: no column '{wanted}' in the header ({})",
                    field.key(),
                    header.join(", ")
                ))
            })?;
        columns.insert(*field, pos);
    }
    for field in Field::ALL {
        if columns.contains_key(&field) {
            continue;
        }
        if let Some(pos) = header.iter().enumerate().position(|(i, h)| {
            field.headers().contains(&squash(h).as_str()) && !columns.values().any(|&c| c == i)
        }) {
            columns.insert(field, pos);
        }
    }
    for required in [Field::ErpId, Field::Name] {
        if !columns.contains_key(&required) {
            return Err(StoreError::Import(format!(
                "no '{}' column found in the header ({}); name it with --map {}=HEADER",
                required.key(),
                header.join(", "),
                required.key()
            )));
        }
    }
    let mut out = ParsedImport {
        columns: columns
            .iter()
            .map(|(f, &i)| (*f, header.get(i).cloned().unwrap_or_default()))
            .collect(),
        ..ParsedImport::default()
    };
    for (i, row) in rows.iter().enumerate().skip(header_at + 1) {
        let line = i + 1;
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let get = |f: Field| {
            columns
                .get(&f)
                .and_then(|&c| row.get(c))
                .map(|v| v.trim())
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        match parse_line(line, &get, options) {
            Ok(l) => out.lines.push(l),
            Err(reason) => out.rejected.push(RejectedLine { line, reason }),
        }
    }
    Ok(out)
}

fn parse_line(
    line: usize,
    get: &dyn Fn(Field) -> Option<String>,
    options: &ImportOptions,
) -> std::result::Result<SupplierLine, String> {
    let erp_id = get(Field::ErpId).ok_or("no ERP/vendor ID")?;
    let name = get(Field::Name).ok_or("no supplier name")?;
    let tier = match get(Field::Tier) {
        None => None,
        Some(t) => {
            let digits: String = t.chars().filter(char::is_ascii_digit).collect();
            match digits.parse::<i64>() {
                Ok(n @ 1..=9) => Some(n),
                _ => return Err(format!("tier '{t}' is not a number from 1 to 9")),
            }
        }
    };
    let contact_email = get(Field::ContactEmail);
    if let Some(e) = &contact_email
        && !looks_like_email(e)
    {
        return Err(format!("contact e-mail '{e}' is not an e-mail address"));
    }
    let spend = match get(Field::Spend) {
        None => None,
        Some(text) => {
            let amount = parse_amount(&text).ok_or(format!("spend '{text}' is not a number"))?;
            if amount < 0.0 {
                return Err(format!("spend '{text}' is negative"));
            }
            let period = get(Field::Period)
                .or_else(|| options.default_period.clone())
                .ok_or("spend without a period (add a period column or use --period)")?;
            Some(SpendLine {
                period,
                commodity: get(Field::SpendCommodity)
                    .map(|c| c.to_lowercase())
                    .unwrap_or_default(),
                amount,
                currency: get(Field::Currency).unwrap_or_default(),
            })
        }
    };
    if get(Field::Parent).as_deref() == Some(erp_id.as_str()) {
        return Err("a supplier cannot be its own parent".into());
    }
    Ok(SupplierLine {
        line,
        commodities: get(Field::Commodities)
            .map(|c| split_commodities(&c))
            .unwrap_or_default(),
        unique_id: get(Field::UniqueId),
        country: get(Field::Country),
        contact_name: get(Field::ContactName),
        contact_phone: get(Field::ContactPhone),
        parent: get(Field::Parent),
        erp_id,
        name,
        tier,
        contact_email,
        spend,
    })
}

/// Commodities of a cell: lower case, split on `,` `;` `/` `|`, without duplicates.
pub fn split_commodities(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in text.split([',', ';', '/', '|']) {
        let p = part.trim().to_lowercase();
        if !p.is_empty() && !out.contains(&p) {
            out.push(p);
        }
    }
    out
}

/// An amount as ERP exports write it: `1234.5`, `1,234.50`, `1 234,50`, `$1,234`, `1234,5`.
pub fn parse_amount(text: &str) -> Option<f64> {
    let t: String = text
        .chars()
        .filter(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '-'))
        .collect();
    if !t.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let normalized = match (t.rfind('.'), t.rfind(',')) {
        (Some(d), Some(c)) if c > d => t.replace('.', "").replace(',', "."),
        (Some(_), Some(_)) => t.replace(',', ""),
        (None, Some(c)) if t.matches(',').count() == 1 && t.len() - c - 1 <= 2 => {
            t.replace(',', ".")
        }
        (None, Some(_)) => t.replace(',', ""),
        _ => t,
    };
    normalized.parse::<f64>().ok().filter(|v| v.is_finite())
}

fn looks_like_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !text.contains(' ')
}

fn squash(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str) -> Vec<Vec<String>> {
        read_csv(text.as_bytes()).expect("csv")
    }

    #[test]
    fn headers_are_recognised_and_bad_lines_rejected_with_reasons() {
        let csv = "Vendor No;Vendor Name;DUNS;Country;Tier;Minerals;E-mail;Spend;Fiscal Year\n\
                   V1;Acme Power Cells;123456789;US;1;cobalt, lithium;ops@acme.example;1.234.567,50;2025\n\
                   V2;;;;1;;;;\n\
                   V3;Bad Tier;;;x;;;;\n\
                   V4;Bad Mail;;;;;not-mail;;\n\
                   V5;Bad Spend;;;;;;lots;2025\n";
        let p = parse_rows(&rows(csv), &ImportOptions::default()).expect("parsed");
        assert_eq!(p.lines.len(), 1);
        let l = &p.lines[0];
        assert_eq!(l.erp_id, "V1");
        assert_eq!(l.commodities, ["cobalt", "lithium"]);
        assert_eq!(l.spend.as_ref().map(|s| s.amount), Some(1_234_567.5));
        let reasons: Vec<(usize, &str)> = p
            .rejected
            .iter()
            .map(|r| (r.line, r.reason.as_str()))
            .collect();
        assert_eq!(reasons.len(), 4, "{reasons:?}");
        assert_eq!(reasons[0], (3, "no supplier name"));
        assert!(reasons[1].1.contains("tier"));
        assert!(reasons[2].1.contains("e-mail"));
        assert!(reasons[3].1.contains("spend"));
    }

    #[test]
    fn an_explicit_mapping_wins_and_a_missing_column_is_named() {
        let csv = "Kreditor,Firma,Umsatz\nK1,Müller GmbH,100\n";
        let mut options = ImportOptions::default();
        options.mapping.insert(Field::ErpId, "Kreditor".into());
        options.mapping.insert(Field::Name, "Firma".into());
        options.mapping.insert(Field::Spend, "Umsatz".into());
        options.default_period = Some("2025".into());
        let p = parse_rows(&rows(csv), &options).expect("parsed");
        assert_eq!(p.lines[0].name, "Müller GmbH");
        assert_eq!(
            p.lines[0].spend.as_ref().map(|s| s.period.as_str()),
            Some("2025")
        );
        let err = parse_rows(&rows("a,b\n1,2\n"), &ImportOptions::default()).expect_err("no id");
        assert!(err.to_string().contains("erp_id"), "{err}");
    }

    #[test]
    fn amounts_parse_in_common_notations() {
        assert_eq!(parse_amount("1,234.50"), Some(1234.5));
        assert_eq!(parse_amount("1 234,50"), Some(1234.5));
        assert_eq!(parse_amount("$1,234"), Some(1234.0));
        assert_eq!(parse_amount("12,5"), Some(12.5));
        assert_eq!(parse_amount("EUR"), None);
    }
}
