//! Company information from the Declaration sheet.

use crate::dates::{self, DateReading};
use crate::sheet::{Sheet, Value};
use crate::values;
use indexmap::IndexMap;
use oretrail_template::{CellRef, Declaration, ScopeCode, TemplateDef};

/// Reads the declaration fields and the cell each came from.
pub fn read(
    sheet: &Sheet,
    def: &TemplateDef,
    date1904: bool,
) -> (Declaration, IndexMap<String, String>) {
    let mut d = Declaration::default();
    let mut cells = IndexMap::new();
    for (key, addr) in &def.declaration {
        cells.insert(key.clone(), format!("Declaration!{addr}"));
        let Some(cell) = CellRef::parse(addr) else {
            continue;
        };
        let value = sheet.get(cell.row, cell.col);
        if key == "effective_date" {
            read_effective_date(&mut d, value, date1904);
            continue;
        }
        let text = values::text(value);
        let slot = match key.as_str() {
            "company_name" => &mut d.company_name,
            "scope" => &mut d.scope,
            "scope_description" => &mut d.scope_description,
            "company_unique_id" => &mut d.company_unique_id,
            "company_unique_id_authority" => &mut d.company_unique_id_authority,
            "address" => &mut d.address,
            "contact_name" => &mut d.contact_name,
            "contact_email" => &mut d.contact_email,
            "contact_phone" => &mut d.contact_phone,
            "authorizer_name" => &mut d.authorizer_name,
            "authorizer_title" => &mut d.authorizer_title,
            "authorizer_email" => &mut d.authorizer_email,
            "authorizer_phone" => &mut d.authorizer_phone,
            _ => continue,
        };
        *slot = text;
    }
    d.scope_code = d.scope.as_deref().and_then(scope_code);
    (d, cells)
}

/// The scope code of a scope text: its first letter A, B or C.
pub fn scope_code(scope: &str) -> Option<ScopeCode> {
    let first = scope.trim().chars().next()?.to_ascii_uppercase();
    let rest = scope.trim()[1..].trim_start();
    if !rest.starts_with('.') && !rest.is_empty() {
        return None;
    }
    match first {
        'A' => Some(ScopeCode::Company),
        'B' => Some(ScopeCode::Product),
        'C' => Some(ScopeCode::UserDefined),
        _ => None,
    }
}

fn read_effective_date(d: &mut Declaration, value: Option<&Value>, date1904: bool) {
    match value {
        Some(Value::Number(serial)) => {
            d.effective_date = dates::from_serial(*serial, date1904).map(|x| x.to_string());
        }
        Some(Value::IsoDate(iso)) => {
            if let DateReading::Date(x) = dates::parse_text(iso) {
                d.effective_date = Some(x.to_string());
            }
        }
        Some(Value::Text(t)) if !t.trim().is_empty() => {
            d.effective_date_is_text = true;
            d.effective_date_raw = Some(t.trim().to_string());
            if let DateReading::Date(x) = dates::parse_text(t) {
                d.effective_date = Some(x.to_string());
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::scope_code;
    use oretrail_template::ScopeCode;

    #[test]
    fn scope_codes_come_from_the_first_letter() {
        assert_eq!(scope_code("A. Company"), Some(ScopeCode::Company));
        assert_eq!(
            scope_code("B. Product (or List of Products)"),
            Some(ScopeCode::Product)
        );
        assert_eq!(
            scope_code("C. User defined [Specify in 'Description of scope']"),
            Some(ScopeCode::UserDefined)
        );
        assert_eq!(scope_code("Company"), None);
    }
}
