//! Paginated, sorted reads of the store's tables for the pages and the API. Sort keys are
//! chosen from fixed lists (never from user text); every list is LIMIT/OFFSET over indexed
//! columns and returns its total.

use crate::Result;
use crate::db::{Reader, narrow_submissions};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

/// One page's bounds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Window {
    /// Rows per page.
    pub limit: i64,
    /// Rows skipped.
    pub offset: i64,
}

/// A supplier line of the suppliers list.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SupplierLine {
    /// Store ID.
    pub id: i64,
    /// ERP ID.
    pub erp_id: String,
    /// Name.
    pub name: String,
    /// Country.
    pub country: Option<String>,
    /// Tier.
    pub tier: i64,
    /// Spend in the campaign's period.
    pub spend: f64,
    /// Request status in the campaign ("to_send" ...), none when out of scope.
    pub request_status: Option<String>,
    /// Current submission in the campaign.
    pub submission_id: Option<i64>,
    /// Its status.
    pub submission_status: Option<String>,
    /// Its errors.
    pub errors: i64,
    /// Its warnings.
    pub warnings: i64,
}

/// Filters of the suppliers list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SupplierFilter {
    /// Campaign whose requests and submissions are shown (0: none).
    pub campaign_id: i64,
    /// Spend period.
    pub period: String,
    /// Name or ERP ID contains.
    pub q: String,
    /// Request status, "out_of_scope", or "" for any.
    pub status: String,
    /// Lowest spend.
    pub min_spend: f64,
    /// "errors", "warnings", "clean", "none" (no submission) or "".
    pub problems: String,
}

/// Sort keys of the suppliers list.
pub const SUPPLIER_SORTS: &[&str] = &["spend", "name", "erp", "status", "errors", "country"];

/// Looks a sort key up in a fixed list: (key, SQL expression).
pub fn sort_sql(
    sorts: &'static [(&'static str, &'static str)],
    key: &str,
) -> (&'static str, &'static str) {
    sorts
        .iter()
        .find(|(k, _)| *k == key)
        .copied()
        .unwrap_or(sorts[0])
}

/// Every supplier with its state in a campaign (0: none), by ID: spend of the campaign's period
/// (summed once per supplier), request status, and the current linked submission with its
/// problem counts. One pass over indexes; the caller caches it ([`crate::AppState::supplier_lines`]).
pub async fn supplier_lines(
    db: &impl Reader,
    campaign_id: i64,
    period: &str,
) -> Result<Vec<SupplierLine>> {
    // Spend summed per supplier from the covering index, merged below (a join against the
    // aggregate lets SQLite's planner scan it once per supplier).
    let spend: std::collections::HashMap<i64, f64> = sqlx::query(
        "SELECT supplier_id, sum(amount) FROM supplier_spend WHERE period = $1 \
         GROUP BY supplier_id",
    )
    .bind(period.to_string())
    .fetch_all(db.reader())
    .await?
    .iter()
    .map(|r| {
        Ok((
            r.try_get(0)?,
            r.try_get::<Option<f64>, _>(1)?.unwrap_or(0.0),
        ))
    })
    .collect::<Result<_>>()?;
    let rows = sqlx::query(
        "SELECT s.id, s.erp_id, s.name, s.country, s.tier, \
         r.status, b.id, b.status, COALESCE(b.error_count, 0), COALESCE(b.warning_count, 0) \
         FROM suppliers s \
         LEFT JOIN requests r ON r.supplier_id = s.id AND r.campaign_id = $1 \
         LEFT JOIN submissions b ON b.campaign_key = $1 AND b.supplier_id = s.id \
           AND b.superseded_by IS NULL AND b.link_state = 'linked' \
         ORDER BY s.id, b.id DESC",
    )
    .bind(campaign_id)
    .fetch_all(db.reader())
    .await?;
    let mut lines = rows
        .iter()
        .map(|r| {
            let id: i64 = r.try_get(0)?;
            Ok(SupplierLine {
                id,
                erp_id: r.try_get(1)?,
                name: r.try_get(2)?,
                country: r.try_get(3)?,
                tier: r.try_get(4)?,
                spend: spend.get(&id).copied().unwrap_or(0.0),
                request_status: r.try_get(5)?,
                submission_id: r.try_get(6)?,
                submission_status: r.try_get(7)?,
                errors: r.try_get(8)?,
                warnings: r.try_get(9)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    // Should two current submissions be linked to one supplier, the newest counts.
    lines.dedup_by_key(|l| l.id);
    Ok(lines)
}

/// The lines passing the filters, sorted by `sort` (then ID), and their number.
pub fn filter_suppliers<'a>(
    lines: &'a [SupplierLine],
    f: &SupplierFilter,
    sort: &str,
    desc: bool,
) -> Vec<&'a SupplierLine> {
    let q = f.q.trim().to_lowercase();
    let mut out: Vec<&SupplierLine> = lines
        .iter()
        .filter(|l| {
            q.is_empty()
                || l.name.to_lowercase().contains(&q)
                || l.erp_id.to_lowercase().contains(&q)
        })
        .filter(|l| match f.status.as_str() {
            "" => true,
            "out_of_scope" => l.request_status.is_none(),
            s => l.request_status.as_deref() == Some(s),
        })
        .filter(|l| l.spend >= f.min_spend)
        .filter(|l| match f.problems.as_str() {
            "errors" => l.errors > 0,
            "warnings" => l.warnings > 0,
            "clean" => l.submission_id.is_some() && l.errors == 0 && l.warnings == 0,
            "none" => l.submission_id.is_none(),
            _ => true,
        })
        .collect();
    let sort = if SUPPLIER_SORTS.contains(&sort) {
        sort
    } else {
        SUPPLIER_SORTS[0]
    };
    out.sort_by(|a, b| {
        let o = match sort {
            "name" => a.name.cmp(&b.name),
            "erp" => a.erp_id.cmp(&b.erp_id),
            "status" => a.request_status.cmp(&b.request_status),
            "errors" => a.errors.cmp(&b.errors),
            "country" => a.country.cmp(&b.country),
            _ => a.spend.total_cmp(&b.spend),
        };
        (if desc { o.reverse() } else { o }).then(a.id.cmp(&b.id))
    });
    out
}

/// A page of suppliers with their state in a campaign, and how many pass the filters.
pub fn page_of_suppliers(
    lines: &[SupplierLine],
    f: &SupplierFilter,
    sort: &str,
    desc: bool,
    w: Window,
) -> (Vec<SupplierLine>, i64) {
    let all = filter_suppliers(lines, f, sort, desc);
    let total = all.len() as i64;
    let page = all
        .into_iter()
        .skip(w.offset.max(0) as usize)
        .take(w.limit.max(0) as usize)
        .cloned()
        .collect();
    (page, total)
}

/// A supplier with contacts and spend.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SupplierInfo {
    /// Store ID.
    pub id: i64,
    /// ERP ID.
    pub erp_id: String,
    /// Name.
    pub name: String,
    /// Company unique ID.
    pub unique_id: Option<String>,
    /// Country.
    pub country: Option<String>,
    /// Tier.
    pub tier: i64,
    /// Commodities.
    pub commodities: String,
    /// Contacts: (e-mail, name).
    pub contacts: Vec<(String, Option<String>)>,
    /// Spend rows: (period, commodity, amount, currency).
    pub spend: Vec<(String, String, f64, String)>,
}

/// The supplier with this ID.
pub async fn supplier(db: &impl Reader, id: i64) -> Result<Option<SupplierInfo>> {
    let Some(r) = sqlx::query(
        "SELECT id, erp_id, name, unique_id, country, tier, commodities FROM suppliers WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db.reader())
    .await?
    else {
        return Ok(None);
    };
    let contacts = sqlx::query(
        "SELECT email, name FROM supplier_contacts WHERE supplier_id = $1 ORDER BY email",
    )
    .bind(id)
    .fetch_all(db.reader())
    .await?
    .iter()
    .map(|c| Ok((c.try_get(0)?, c.try_get(1)?)))
    .collect::<Result<Vec<_>>>()?;
    let spend = sqlx::query(
        "SELECT period, commodity, amount, currency FROM supplier_spend WHERE supplier_id = $1 \
         ORDER BY period DESC, commodity",
    )
    .bind(id)
    .fetch_all(db.reader())
    .await?
    .iter()
    .map(|c| Ok((c.try_get(0)?, c.try_get(1)?, c.try_get(2)?, c.try_get(3)?)))
    .collect::<Result<Vec<_>>>()?;
    Ok(Some(SupplierInfo {
        id: r.try_get(0)?,
        erp_id: r.try_get(1)?,
        name: r.try_get(2)?,
        unique_id: r.try_get(3)?,
        country: r.try_get(4)?,
        tier: r.try_get(5)?,
        commodities: r.try_get(6)?,
        contacts,
        spend,
    }))
}

/// A submission line of a list.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SubmissionLine {
    /// ID.
    pub id: i64,
    /// Campaign ID.
    pub campaign_id: Option<i64>,
    /// Campaign name.
    pub campaign: Option<String>,
    /// File name as received.
    pub original_name: String,
    /// When received.
    pub received_at: String,
    /// Who or what received it.
    pub received_by: String,
    /// Family and version ("CMRT 6.5").
    pub template: Option<String>,
    /// Declared company.
    pub company_name: Option<String>,
    /// Linked supplier ID.
    pub supplier_id: Option<i64>,
    /// Linked supplier name.
    pub supplier_name: Option<String>,
    /// "linked", "needs_confirmation", "unlinked".
    pub link_state: String,
    /// "accepted", "rejected", "needs_review".
    pub status: String,
    /// Why.
    pub status_reason: Option<String>,
    /// Errors.
    pub errors: i64,
    /// Warnings.
    pub warnings: i64,
    /// Superseded by a later submission.
    pub superseded_by: Option<i64>,
}

const SUBMISSION_SELECT: &str = "SELECT b.id, b.campaign_id, c.name, b.original_name, b.received_at, \
     b.received_by, b.family, b.version, b.company_name, b.supplier_id, s.name, b.link_state, \
     b.status, b.status_reason, b.error_count, b.warning_count, b.superseded_by \
     FROM submissions b LEFT JOIN suppliers s ON s.id = b.supplier_id \
     LEFT JOIN campaigns c ON c.id = b.campaign_id";

fn submission_line(r: &AnyRow) -> Result<SubmissionLine> {
    let family: Option<String> = r.try_get(6)?;
    let version: Option<String> = r.try_get(7)?;
    Ok(SubmissionLine {
        id: r.try_get(0)?,
        campaign_id: r.try_get(1)?,
        campaign: r.try_get(2)?,
        original_name: r.try_get(3)?,
        received_at: r.try_get(4)?,
        received_by: r.try_get(5)?,
        template: family.map(|f| format!("{f} {}", version.unwrap_or_default())),
        company_name: r.try_get(8)?,
        supplier_id: r.try_get(9)?,
        supplier_name: r.try_get(10)?,
        link_state: r.try_get(11)?,
        status: r.try_get(12)?,
        status_reason: r.try_get(13)?,
        errors: r.try_get(14)?,
        warnings: r.try_get(15)?,
        superseded_by: r.try_get(16)?,
    })
}

/// Filters of the submissions list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SubmissionFilter {
    /// Campaign (0: any).
    pub campaign_id: i64,
    /// Supplier (0: any).
    pub supplier_id: i64,
    /// Status ("" any).
    pub status: String,
    /// File or company name contains.
    pub q: String,
    /// Only current (not superseded) submissions.
    pub current_only: bool,
    /// Keyset paging: only submissions after this ID in the list's order (sort "received"
    /// only; the window's offset is then ignored).
    pub after: Option<i64>,
}

/// Sort keys of the submissions list.
pub const SUBMISSION_SORTS: &[(&str, &str)] = &[
    ("received", "b.id"),
    ("company", "b.company_name"),
    ("status", "b.status"),
    ("errors", "b.error_count"),
    ("file", "b.original_name"),
];

/// A value bound to a numbered placeholder.
enum Bind {
    Int(i64),
    Text(String),
}

/// The WHERE clause of a submission filter (only the filters in use, so that the planner sees
/// plain terms it can match to indexes) and its values, numbered from `$1`.
fn submission_where(f: &SubmissionFilter, desc: bool, keyset: bool) -> (String, Vec<Bind>) {
    let mut terms: Vec<String> = Vec::new();
    let mut binds = Vec::new();
    let mut push = |term: &str, v: Bind, binds: &mut Vec<Bind>| {
        binds.push(v);
        terms.push(term.replace('?', &format!("${}", binds.len())));
    };
    if f.campaign_id != 0 {
        push("b.campaign_key = ?", Bind::Int(f.campaign_id), &mut binds);
    }
    if f.supplier_id != 0 {
        push("b.supplier_id = ?", Bind::Int(f.supplier_id), &mut binds);
    }
    if !f.status.is_empty() {
        push("b.status = ?", Bind::Text(f.status.clone()), &mut binds);
    }
    if !f.q.is_empty() {
        let like = format!("%{}%", f.q.to_lowercase());
        push(
            "(lower(b.original_name) LIKE ? OR lower(b.company_name) LIKE ?)",
            Bind::Text(like),
            &mut binds,
        );
    }
    if keyset && let Some(after) = f.after {
        push(
            if desc { "b.id < ?" } else { "b.id > ?" },
            Bind::Int(after),
            &mut binds,
        );
    }
    if f.current_only {
        terms.push("b.superseded_by IS NULL".into());
    }
    let clause = if terms.is_empty() {
        "1 = 1".to_string()
    } else {
        terms.join(" AND ")
    };
    (clause, binds)
}

fn bind_all<'q>(
    mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    binds: &[Bind],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    for b in binds {
        q = match b {
            Bind::Int(v) => q.bind(*v),
            Bind::Text(v) => q.bind(v.clone()),
        };
    }
    q
}

/// A page of submissions and how many pass the filters. The page's IDs come from the narrow
/// index (filters, order, offset or keyset), then only those rows are read.
pub async fn submissions(
    db: &impl Reader,
    f: &SubmissionFilter,
    sort: &str,
    desc: bool,
    w: Window,
) -> Result<(Vec<SubmissionLine>, i64)> {
    let (key, col) = sort_sql(SUBMISSION_SORTS, sort);
    if f.after.is_some() && key != "received" {
        return Err(crate::WebError::BadRequest(
            "'after' pages only the list sorted by 'received'".into(),
        ));
    }
    let dir = if desc { "DESC" } else { "ASC" };
    let (count_where, count_binds) = submission_where(f, desc, false);
    let total: i64 = bind_all(
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT count(*) FROM submissions b WHERE {count_where}"
        ))),
        &count_binds,
    )
    .fetch_one(db.reader())
    .await?
    .try_get(0)?;
    let (page_where, page_binds) = submission_where(f, desc, true);
    let n = page_binds.len();
    let offset = if f.after.is_some() {
        0
    } else {
        w.offset.max(0)
    };
    let order = if key == "received" {
        format!("b.id {dir}")
    } else {
        format!("{col} {dir}, b.id DESC")
    };
    let rows = bind_all(
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SUBMISSION_SELECT} WHERE b.id IN (SELECT b.id FROM submissions b \
             WHERE {page_where} ORDER BY {order} LIMIT ${} OFFSET ${}) ORDER BY {order}",
            n + 1,
            n + 2
        ))),
        &page_binds,
    )
    .bind(w.limit)
    .bind(offset)
    .fetch_all(db.reader())
    .await?;
    let lines = rows
        .iter()
        .map(submission_line)
        .collect::<Result<Vec<_>>>()?;
    Ok((lines, total))
}

/// One submission with its stored report (JSON) and hash.
#[derive(Debug, Clone, PartialEq)]
pub struct SubmissionRecord {
    /// The list line.
    pub line: SubmissionLine,
    /// SHA-256 of the original.
    pub sha256: String,
    /// How it came ("web upload", "supplier link", "file" ...).
    pub received_via: String,
    /// Link method and score.
    pub link_method: String,
    /// Fuzzy score.
    pub link_score: Option<f64>,
    /// Effective date as declared.
    pub effective_date: Option<String>,
    /// The report JSON (`SupplierReport`), when the file was read.
    pub report_json: Option<String>,
}

/// The submission with this ID.
pub async fn submission(db: &impl Reader, id: i64) -> Result<Option<SubmissionRecord>> {
    let sql = SUBMISSION_SELECT.replace(
        "b.superseded_by \
     FROM",
        "b.superseded_by, b.file_sha256, b.received_via, b.link_method, b.link_score, \
         b.effective_date, b.report_json FROM",
    );
    let Some(r) = sqlx::query(sqlx::AssertSqlSafe(format!("{sql} WHERE b.id = $1")))
        .bind(id)
        .fetch_optional(db.reader())
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(SubmissionRecord {
        line: submission_line(&r)?,
        sha256: r.try_get(17)?,
        received_via: r.try_get(18)?,
        link_method: r.try_get(19)?,
        link_score: r.try_get(20)?,
        effective_date: r.try_get(21)?,
        report_json: r.try_get(22)?,
    }))
}

/// A stored problem.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ProblemLine {
    /// Position in the file's list.
    pub position: i64,
    /// Code.
    pub code: String,
    /// "error", "warning", "info".
    pub severity: String,
    /// Sheet.
    pub sheet: Option<String>,
    /// Cell.
    pub cell: Option<String>,
    /// Message, in the language asked for (English when it cannot be given in that one).
    pub message: String,
}

/// The problems of a submission, in file order, with messages in `lang` ("en", "zh").
pub async fn problems(
    db: &impl Reader,
    submission_id: i64,
    lang: &str,
) -> Result<Vec<ProblemLine>> {
    let lang = oretrail_validate::messages::normalise_lang(lang);
    sqlx::query(
        "SELECT position, code, severity, sheet, cell, message, detail_json \
         FROM submission_problems WHERE submission_id = $1 ORDER BY position",
    )
    .bind(submission_id)
    .fetch_all(db.reader())
    .await?
    .iter()
    .map(|r| {
        let english: String = r.try_get(5)?;
        let detail: Option<String> = r.try_get(6)?;
        // Stored before problem details were kept: the English message is all there is.
        let message = match detail
            .filter(|_| lang != "en")
            .and_then(|d| serde_json::from_str::<oretrail_validate::Problem>(&d).ok())
        {
            Some(p) => oretrail_validate::messages::render(&p, lang),
            None => english,
        };
        Ok(ProblemLine {
            position: r.try_get(0)?,
            code: r.try_get(1)?,
            severity: r.try_get(2)?,
            sheet: r.try_get(3)?,
            cell: r.try_get(4)?,
            message,
        })
    })
    .collect()
}

/// A stored Smelter List row with its resolution.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SmelterLine {
    /// Sheet row.
    pub row: i64,
    /// Metal.
    pub metal: Option<String>,
    /// "lookup", "smelter_id", "not_listed", "not_yet_identified".
    pub entry_kind: String,
    /// Name as typed or picked.
    pub name: Option<String>,
    /// Country as declared.
    pub country: Option<String>,
    /// CID typed.
    pub declared_cid: Option<String>,
    /// CID resolved.
    pub cid: Option<String>,
    /// Standard name of the resolved facility.
    pub canonical_name: Option<String>,
    /// Resolution method.
    pub method: String,
    /// Confidence.
    pub confidence: f64,
}

/// The Smelter List rows of a submission.
pub async fn smelters(db: &impl Reader, submission_id: i64) -> Result<Vec<SmelterLine>> {
    sqlx::query(
        "SELECT sheet_row, metal, entry_kind, name, country, declared_cid, cid, canonical_name, \
         method, confidence FROM submission_smelters WHERE submission_id = $1 ORDER BY sheet_row",
    )
    .bind(submission_id)
    .fetch_all(db.reader())
    .await?
    .iter()
    .map(|r| {
        Ok(SmelterLine {
            row: r.try_get(0)?,
            metal: r.try_get(1)?,
            entry_kind: r.try_get(2)?,
            name: r.try_get(3)?,
            country: r.try_get(4)?,
            declared_cid: r.try_get(5)?,
            cid: r.try_get(6)?,
            canonical_name: r.try_get(7)?,
            method: r.try_get(8)?,
            confidence: r.try_get(9)?,
        })
    })
    .collect()
}

/// A request line of a campaign.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RequestLine {
    /// Request ID.
    pub id: i64,
    /// Supplier ID.
    pub supplier_id: i64,
    /// ERP ID.
    pub erp_id: String,
    /// Supplier name.
    pub supplier_name: String,
    /// Status.
    pub status: String,
    /// Reason.
    pub reason: Option<String>,
    /// Spend counted.
    pub spend: f64,
    /// Last change.
    pub updated_at: String,
    /// First contact e-mail.
    pub email: Option<String>,
    /// Newest live upload link's ID.
    pub link_id: Option<i64>,
    /// Its expiry.
    pub link_expires_at: Option<String>,
}

/// Sort keys of the request list.
pub const REQUEST_SORTS: &[(&str, &str)] = &[
    ("spend", "r.spend"),
    ("supplier", "s.name"),
    ("status", "r.status"),
    ("updated", "r.updated_at"),
];

/// A page of a campaign's requests.
pub async fn requests(
    db: &impl Reader,
    campaign_id: i64,
    status: &str,
    sort: &str,
    desc: bool,
    w: Window,
) -> Result<(Vec<RequestLine>, i64)> {
    let filter = "r.campaign_id = $1 AND ($2 = '' OR r.status = $2)";
    let total: i64 = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT count(*) FROM requests r WHERE {filter}"
    )))
    .bind(campaign_id)
    .bind(status.to_string())
    .fetch_one(db.reader())
    .await?
    .try_get(0)?;
    let (_, col) = sort_sql(REQUEST_SORTS, sort);
    let dir = if desc { "DESC" } else { "ASC" };
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT r.id, r.supplier_id, s.erp_id, s.name, r.status, r.reason, r.spend, r.updated_at, \
         (SELECT min(email) FROM supplier_contacts ct WHERE ct.supplier_id = s.id), \
         (SELECT max(l.id) FROM web_upload_links l WHERE l.request_id = r.id \
            AND l.revoked_at IS NULL AND l.expires_at > $3) \
         FROM requests r JOIN suppliers s ON s.id = r.supplier_id WHERE {filter} \
         ORDER BY {col} {dir}, r.id LIMIT $4 OFFSET $5"
    )))
    .bind(campaign_id)
    .bind(status.to_string())
    .bind(crate::db::now())
    .bind(w.limit)
    .bind(w.offset)
    .fetch_all(db.reader())
    .await?;
    let mut lines = Vec::with_capacity(rows.len());
    for r in &rows {
        lines.push(RequestLine {
            id: r.try_get(0)?,
            supplier_id: r.try_get(1)?,
            erp_id: r.try_get(2)?,
            supplier_name: r.try_get(3)?,
            status: r.try_get(4)?,
            reason: r.try_get(5)?,
            spend: r.try_get(6)?,
            updated_at: r.try_get(7)?,
            email: r.try_get(8)?,
            link_id: r.try_get(9)?,
            link_expires_at: None,
        });
    }
    Ok((lines, total))
}

/// The request (campaign, supplier) of a request ID.
pub async fn request(db: &impl Reader, request_id: i64) -> Result<Option<RequestLine>> {
    let Some(r) = sqlx::query(
        "SELECT r.id, r.supplier_id, s.erp_id, s.name, r.status, r.reason, r.spend, r.updated_at, \
         (SELECT min(email) FROM supplier_contacts ct WHERE ct.supplier_id = s.id), r.campaign_id \
         FROM requests r JOIN suppliers s ON s.id = r.supplier_id WHERE r.id = $1",
    )
    .bind(request_id)
    .fetch_optional(db.reader())
    .await?
    else {
        return Ok(None);
    };
    Ok(Some(RequestLine {
        id: r.try_get(0)?,
        supplier_id: r.try_get(1)?,
        erp_id: r.try_get(2)?,
        supplier_name: r.try_get(3)?,
        status: r.try_get(4)?,
        reason: r.try_get(5)?,
        spend: r.try_get(6)?,
        updated_at: r.try_get(7)?,
        email: r.try_get(8)?,
        link_id: None,
        link_expires_at: None,
    }))
}

/// The campaign a request belongs to.
pub async fn campaign_of_request(db: &impl Reader, request_id: i64) -> Result<Option<i64>> {
    Ok(
        sqlx::query("SELECT campaign_id FROM requests WHERE id = $1")
            .bind(request_id)
            .fetch_optional(db.reader())
            .await?
            .map(|r| r.try_get(0))
            .transpose()?,
    )
}

/// Requests of a campaign still unanswered (to send, sent, reminded).
pub async fn unanswered(db: &impl Reader, campaign_id: i64) -> Result<i64> {
    Ok(sqlx::query(
        "SELECT count(*) FROM requests WHERE campaign_id = $1 \
         AND status IN ('to_send', 'sent', 'reminded')",
    )
    .bind(campaign_id)
    .fetch_one(db.reader())
    .await?
    .try_get(0)?)
}

/// A facility of the registry.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct FacilityInfo {
    /// Metal.
    pub metal: String,
    /// CID.
    pub cid: String,
    /// Standard name.
    pub standard_name: String,
    /// Country.
    pub country: Option<String>,
    /// City.
    pub city: Option<String>,
    /// State or province.
    pub state_province: Option<String>,
    /// Aliases (look-up names).
    pub aliases: Vec<String>,
}

/// The registry's facilities carrying a CID (one per metal).
pub async fn facilities_with_cid(db: &impl Reader, cid: &str) -> Result<Vec<FacilityInfo>> {
    let rows = sqlx::query(
        "SELECT id, metal, cid, standard_name, country, city, state_province FROM facilities \
         WHERE cid = $1 ORDER BY metal",
    )
    .bind(cid.to_string())
    .fetch_all(db.reader())
    .await?;
    let mut out = Vec::new();
    for r in &rows {
        let id: i64 = r.try_get(0)?;
        let aliases = sqlx::query(
            "SELECT name FROM facility_aliases WHERE facility_id = $1 ORDER BY position",
        )
        .bind(id)
        .fetch_all(db.reader())
        .await?
        .iter()
        .map(|a| a.try_get::<String, _>(0))
        .collect::<Result<Vec<_>, _>>()?;
        out.push(FacilityInfo {
            metal: r.try_get(1)?,
            cid: r.try_get(2)?,
            standard_name: r.try_get(3)?,
            country: r.try_get(4)?,
            city: r.try_get(5)?,
            state_province: r.try_get(6)?,
            aliases,
        });
    }
    Ok(out)
}

/// One status of a facility in one snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct StatusPoint {
    /// Date of the list.
    pub as_of: String,
    /// File of the list.
    pub source: String,
    /// Metal.
    pub metal: Option<String>,
    /// Status code.
    pub status: String,
    /// Status as written.
    pub status_text: String,
    /// Last audit.
    pub last_audit: Option<String>,
    /// Re-audit due.
    pub reaudit_due: Option<String>,
}

/// A facility's status in every snapshot, oldest first.
pub async fn status_history(db: &impl Reader, cid: &str) -> Result<Vec<StatusPoint>> {
    sqlx::query(
        "SELECT s.as_of, s.source, e.metal, e.status, e.status_text, e.last_audit, e.reaudit_due \
         FROM status_entries e JOIN status_snapshots s ON s.id = e.snapshot_id \
         WHERE e.cid = $1 ORDER BY s.as_of, s.id",
    )
    .bind(cid.to_string())
    .fetch_all(db.reader())
    .await?
    .iter()
    .map(|r| {
        Ok(StatusPoint {
            as_of: r.try_get(0)?,
            source: r.try_get(1)?,
            metal: r.try_get(2)?,
            status: r.try_get(3)?,
            status_text: r.try_get(4)?,
            last_audit: r.try_get(5)?,
            reaudit_due: r.try_get(6)?,
        })
    })
    .collect()
}

/// A supplier naming a facility in a current submission.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct NamingSupplier {
    /// Supplier ID (none when the submission is not linked).
    pub supplier_id: Option<i64>,
    /// Supplier name, else the declared company.
    pub name: Option<String>,
    /// Submission.
    pub submission_id: i64,
    /// Campaign.
    pub campaign: Option<String>,
    /// Row.
    pub row: i64,
    /// Name as the supplier typed it.
    pub typed_name: Option<String>,
    /// How it was resolved.
    pub method: String,
}

/// Current submissions naming a CID, by supplier name.
pub async fn naming_suppliers(
    db: &impl Reader,
    cid: &str,
    w: Window,
) -> Result<(Vec<NamingSupplier>, i64)> {
    // Rows by their facility reference (an index holding the submission), submissions by the
    // narrow index: neither reads a wide row until the page's 50 are known.
    let narrow = narrow_submissions(db.backend());
    let from = format!(
        "FROM submission_smelters ss JOIN submissions b {narrow} ON b.id = ss.submission_id \
         WHERE ss.facility_ref IN (SELECT id FROM facility_refs WHERE cid = $1) \
         AND b.superseded_by IS NULL"
    );
    let total: i64 = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT count(*) {from}")))
        .bind(cid.to_string())
        .fetch_one(db.reader())
        .await?
        .try_get(0)?;
    let page_rows = format!(
        "SELECT ss.submission_id, ss.sheet_row FROM submission_smelters ss \
         JOIN submissions b {narrow} ON b.id = ss.submission_id \
         LEFT JOIN suppliers s ON s.id = b.supplier_id \
         WHERE ss.facility_ref IN (SELECT id FROM facility_refs WHERE cid = $1) \
         AND b.superseded_by IS NULL \
         ORDER BY COALESCE(s.name, b.company_name), b.id, ss.sheet_row LIMIT $2 OFFSET $3"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT b.supplier_id, COALESCE(s.name, b.company_name), b.id, c.name, ss.sheet_row, \
         ss.name, ss.method FROM submission_smelters ss JOIN submissions b ON b.id = ss.submission_id \
         LEFT JOIN suppliers s ON s.id = b.supplier_id LEFT JOIN campaigns c ON c.id = b.campaign_id \
         WHERE (ss.submission_id, ss.sheet_row) IN ({page_rows}) \
         ORDER BY COALESCE(s.name, b.company_name), b.id, ss.sheet_row"
    )))
    .bind(cid.to_string())
    .bind(w.limit)
    .bind(w.offset)
    .fetch_all(db.reader())
    .await?
    .iter()
    .map(|r| {
        Ok(NamingSupplier {
            supplier_id: r.try_get(0)?,
            name: r.try_get(1)?,
            submission_id: r.try_get(2)?,
            campaign: r.try_get(3)?,
            row: r.try_get(4)?,
            typed_name: r.try_get(5)?,
            method: r.try_get(6)?,
        })
    })
    .collect::<Result<Vec<_>>>()?;
    Ok((rows, total))
}

/// Current submissions whose supplier must be confirmed (all campaigns).
pub async fn needs_review(db: &impl Reader) -> Result<i64> {
    Ok(sqlx::query(
        "SELECT count(*) FROM submissions WHERE status = 'needs_review' AND superseded_by IS NULL",
    )
    .fetch_one(db.reader())
    .await?
    .try_get(0)?)
}
