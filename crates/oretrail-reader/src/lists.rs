//! Product List and Mine List rows.

use crate::sheet::Sheet;
use crate::values;
use oretrail_template::registry::ListDef;
use oretrail_template::{Mine, Product};

/// Reads Product List rows that hold anything.
pub fn products(sheet: &Sheet, list: &ListDef, max_row: u32) -> Vec<Product> {
    let get = |row: u32, key: &str| {
        list.col(key)
            .and_then(|c| values::cell_text(sheet, row, c))
            .filter(|t| !values::is_template_footer(t))
    };
    let has_requester = list.col("requester_number").is_some();
    let mut out = Vec::new();
    for row in sheet.value_rows() {
        if row < list.first_data_row || row > max_row {
            continue;
        }
        let p = Product {
            row,
            number: get(row, "number"),
            name: get(row, "name"),
            requester_number: has_requester.then(|| get(row, "requester_number")),
            requester_name: has_requester.then(|| get(row, "requester_name")),
            comment: get(row, "comment"),
        };
        let empty = p.number.is_none()
            && p.name.is_none()
            && p.comment.is_none()
            && p.requester_number.clone().flatten().is_none()
            && p.requester_name.clone().flatten().is_none();
        if !empty {
            out.push(p);
        }
    }
    out
}

/// Reads Mine List rows that hold anything typed.
pub fn mines(sheet: &Sheet, list: &ListDef, max_row: u32) -> Vec<Mine> {
    let get = |row: u32, key: &str| {
        list.col(key)
            .filter(|&c| !sheet.is_formula(row, c))
            .and_then(|c| values::cell_text(sheet, row, c))
            .filter(|t| !values::is_template_footer(t))
    };
    let mut out = Vec::new();
    for row in sheet.value_rows() {
        if row < list.first_data_row || row > max_row {
            continue;
        }
        let m = Mine {
            row,
            metal: get(row, "metal"),
            smelter_names: get(row, "smelter_names"),
            mine_name: get(row, "mine_name"),
            mine_id: get(row, "mine_id"),
            mine_id_source: get(row, "mine_id_source"),
            country: get(row, "mine_country"),
            street: get(row, "mine_street"),
            city: get(row, "mine_city"),
            state_province: get(row, "mine_state_province"),
            contact_name: get(row, "mine_contact_name"),
            contact_email: get(row, "mine_contact_email"),
            proposed_next_steps: get(row, "proposed_next_steps"),
            comments: get(row, "comments"),
        };
        if m != (Mine {
            row,
            ..Mine::default()
        }) {
            out.push(m);
        }
    }
    out
}
