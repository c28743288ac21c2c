//! Suppliers, contacts, tier links and spend: upserts from imports, and reads.

use crate::Store;
use crate::bulk::{Arg, insert_rows};
use crate::db::now;
use crate::error::Result;
use crate::supplier_import::{ParsedImport, RejectedLine, SupplierLine};
use oretrail_facilities::normalize_name;
use serde::Serialize;
use sqlx::Row;
use std::collections::{BTreeMap, HashMap, HashSet};

/// A supplier as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Supplier {
    /// Store ID.
    pub id: i64,
    /// ERP / vendor ID.
    pub erp_id: String,
    /// Name.
    pub name: String,
    /// Company unique ID (DUNS, VAT ...).
    pub unique_id: Option<String>,
    /// Country.
    pub country: Option<String>,
    /// Tier.
    pub tier: i64,
    /// Commodities, lower case.
    pub commodities: Vec<String>,
}

/// Outcome of [`import_suppliers`].
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    /// Suppliers created.
    pub created: usize,
    /// Existing suppliers updated.
    pub updated: usize,
    /// Spend figures written (created or replaced).
    pub spend_rows: usize,
    /// Parent links recorded.
    pub links: usize,
    /// Lines not imported, with reasons (file lines and database checks).
    pub rejected: Vec<RejectedLine>,
    /// Lines imported with a part left out (e.g. an unknown parent).
    pub warnings: Vec<RejectedLine>,
}

/// The key suppliers' names are matched on.
pub fn name_key(name: &str) -> String {
    let n = normalize_name(name);
    if n.is_empty() {
        name.trim().to_lowercase()
    } else {
        n
    }
}

/// Upserts an import's lines: suppliers by ERP ID, contacts by e-mail, links, spend by
/// (period, commodity). Running the same file again changes nothing.
pub async fn import_suppliers(store: &Store, parsed: &ParsedImport) -> Result<ImportReport> {
    let mut report = ImportReport {
        rejected: parsed.rejected.clone(),
        ..ImportReport::default()
    };
    // Later lines of the same supplier complete or override earlier ones.
    let mut merged: BTreeMap<String, SupplierLine> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    for line in &parsed.lines {
        match merged.get_mut(&line.erp_id) {
            Some(m) => merge_line(m, line),
            None => {
                order.push(line.erp_id.clone());
                merged.insert(line.erp_id.clone(), line.clone());
            }
        }
    }
    let existing: HashSet<String> = sqlx::query("SELECT erp_id FROM suppliers")
        .fetch_all(store.pool())
        .await?
        .iter()
        .map(|r| r.try_get::<String, _>(0))
        .collect::<Result<_, _>>()?;
    let now = now();
    let mut tx = store.pool().begin().await?;
    let mut rows = Vec::new();
    for erp in &order {
        let l = &merged[erp];
        if existing.contains(erp) {
            report.updated += 1;
        } else {
            report.created += 1;
        }
        rows.push(vec![
            Arg::from(l.erp_id.as_str()),
            l.name.as_str().into(),
            name_key(&l.name).into(),
            l.unique_id.clone().into(),
            l.country.clone().into(),
            l.tier.unwrap_or(1).into(),
            l.commodities.join(",").into(),
            now.as_str().into(),
            now.as_str().into(),
        ]);
    }
    insert_rows(
        &mut tx,
        store.backend(),
        "suppliers",
        &[
            "erp_id",
            "name",
            "name_key",
            "unique_id",
            "country",
            "tier",
            "commodities",
            "created_at",
            "updated_at",
        ],
        rows,
        "ON CONFLICT (erp_id) DO UPDATE SET name = excluded.name, name_key = excluded.name_key, \
         unique_id = COALESCE(excluded.unique_id, suppliers.unique_id), \
         country = COALESCE(excluded.country, suppliers.country), tier = excluded.tier, \
         commodities = CASE WHEN excluded.commodities = '' THEN suppliers.commodities \
         ELSE excluded.commodities END, updated_at = excluded.updated_at",
    )
    .await?;
    let ids: HashMap<String, i64> = sqlx::query("SELECT erp_id, id FROM suppliers")
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| Ok((r.try_get::<String, _>(0)?, r.try_get::<i64, _>(1)?)))
        .collect::<Result<_>>()?;
    let mut contacts = BTreeMap::new();
    let mut links = BTreeMap::new();
    let mut spend = BTreeMap::new();
    for line in &parsed.lines {
        let Some(&id) = ids.get(&line.erp_id) else {
            continue;
        };
        if let Some(email) = &line.contact_email {
            contacts.insert(
                (id, email.to_lowercase()),
                (line.contact_name.clone(), line.contact_phone.clone()),
            );
        }
        if let Some(parent) = &line.parent {
            match ids.get(parent) {
                Some(&p) => {
                    links.insert((p, id), ());
                }
                None => report.warnings.push(RejectedLine {
                    line: line.line,
                    reason: format!("parent '{parent}' is not a known supplier; link left out"),
                }),
            }
        }
        if let Some(s) = &line.spend {
            spend.insert(
                (id, s.period.clone(), s.commodity.clone()),
                (s.amount, s.currency.clone()),
            );
        }
    }
    report.links = links.len();
    report.spend_rows = spend.len();
    let contacts = contacts
        .into_iter()
        .map(|((id, email), (name, phone))| {
            vec![Arg::from(id), email.into(), name.into(), phone.into()]
        })
        .collect();
    insert_rows(
        &mut tx,
        store.backend(),
        "supplier_contacts",
        &["supplier_id", "email", "name", "phone"],
        contacts,
        "ON CONFLICT (supplier_id, email) DO UPDATE SET \
         name = COALESCE(excluded.name, supplier_contacts.name), \
         phone = COALESCE(excluded.phone, supplier_contacts.phone)",
    )
    .await?;
    let links = links
        .into_keys()
        .map(|(p, c)| vec![Arg::from(p), c.into()])
        .collect();
    insert_rows(
        &mut tx,
        store.backend(),
        "supplier_links",
        &["parent_id", "child_id"],
        links,
        "ON CONFLICT DO NOTHING",
    )
    .await?;
    let spend = spend
        .into_iter()
        .map(|((id, period, commodity), (amount, currency))| {
            vec![
                Arg::from(id),
                period.into(),
                commodity.into(),
                amount.into(),
                currency.into(),
            ]
        })
        .collect();
    insert_rows(
        &mut tx,
        store.backend(),
        "supplier_spend",
        &["supplier_id", "period", "commodity", "amount", "currency"],
        spend,
        "ON CONFLICT (supplier_id, period, commodity) DO UPDATE SET \
         amount = excluded.amount, currency = excluded.currency",
    )
    .await?;
    tx.commit().await?;
    report.rejected.sort_by_key(|r| r.line);
    report.warnings.sort_by_key(|r| r.line);
    Ok(report)
}

fn merge_line(into: &mut SupplierLine, line: &SupplierLine) {
    into.name = line.name.clone();
    macro_rules! keep {
        ($($f:ident),*) => { $( if line.$f.is_some() { into.$f = line.$f.clone(); } )* };
    }
    keep!(
        unique_id,
        country,
        tier,
        contact_name,
        contact_email,
        contact_phone,
        parent
    );
    for c in &line.commodities {
        if !into.commodities.contains(c) {
            into.commodities.push(c.clone());
        }
    }
}

fn supplier_of(row: &sqlx::any::AnyRow) -> Result<Supplier> {
    let commodities: String = row.try_get(6)?;
    Ok(Supplier {
        id: row.try_get(0)?,
        erp_id: row.try_get(1)?,
        name: row.try_get(2)?,
        unique_id: row.try_get(3)?,
        country: row.try_get(4)?,
        tier: row.try_get(5)?,
        commodities: commodities
            .split(',')
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect(),
    })
}

const SUPPLIER_COLUMNS: &str = "id, erp_id, name, unique_id, country, tier, commodities";

/// Every supplier, by ERP ID.
pub async fn list_suppliers(store: &Store) -> Result<Vec<Supplier>> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {SUPPLIER_COLUMNS} FROM suppliers ORDER BY erp_id"
    )))
    .fetch_all(store.pool())
    .await?
    .iter()
    .map(supplier_of)
    .collect()
}

/// The supplier with an ERP ID.
pub async fn supplier_by_erp_id(store: &Store, erp_id: &str) -> Result<Option<Supplier>> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {SUPPLIER_COLUMNS} FROM suppliers WHERE erp_id = $1"
    )))
    .bind(erp_id.to_string())
    .fetch_optional(store.pool())
    .await?
    .as_ref()
    .map(supplier_of)
    .transpose()
}

/// Spend rows of a period: (supplier id, commodity, amount).
pub async fn spend_of_period(store: &Store, period: &str) -> Result<Vec<(i64, String, f64)>> {
    sqlx::query("SELECT supplier_id, commodity, amount FROM supplier_spend WHERE period = $1")
        .bind(period.to_string())
        .fetch_all(store.pool())
        .await?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect()
}

/// A supplier's spend for a set of minerals (`None`: all its spend) from its spend rows
/// `(commodity, amount)` of one period. Commodity rows count for their own commodity; a
/// supplier-wide row ("") counts for the minerals the supplier is known to supply when it has
/// no row for them.
pub fn spend_for(
    rows: &[(String, f64)],
    commodities: &[String],
    minerals: Option<&[String]>,
) -> f64 {
    let total: Option<f64> = rows
        .iter()
        .filter(|(c, _)| c.is_empty())
        .map(|(_, a)| *a)
        .reduce(|a, b| a + b);
    match minerals {
        None => total.unwrap_or_else(|| rows.iter().map(|(_, a)| a).fold(0.0, |x, y| x + y)),
        Some(minerals) => {
            let specific = rows
                .iter()
                .filter(|(c, _)| minerals.contains(c))
                .fold(0.0, |x, (_, a)| x + a);
            if rows.iter().any(|(c, _)| minerals.contains(c)) {
                specific
            } else if minerals.iter().any(|m| commodities.contains(m)) {
                total.unwrap_or(0.0)
            } else {
                0.0
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spend_per_mineral_uses_specific_rows_else_the_total() {
        let rows = vec![(String::new(), 100.0), ("tin".to_string(), 30.0)];
        let commodities = vec!["tin".to_string(), "gold".to_string()];
        assert_eq!(spend_for(&rows, &commodities, None), 100.0);
        assert_eq!(spend_for(&rows, &commodities, Some(&["tin".into()])), 30.0);
        assert_eq!(
            spend_for(&rows, &commodities, Some(&["gold".into()])),
            100.0
        );
        assert_eq!(
            spend_for(&rows, &commodities, Some(&["cobalt".into()])),
            0.0
        );
    }
}
