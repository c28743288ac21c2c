//! The Product List: required for product-scope declarations; numbers present and unique.

use crate::problem::{Code, Problem, Severity};
use crate::text::{blank, clean};
use oretrail_template::{ScopeCode, SupplierReport, TemplateDef};
use std::collections::HashMap;

/// Checker rule 4 (scope B needs the first product number) and the list's own consistency.
pub(crate) fn check(report: &SupplierReport, def: &TemplateDef) -> Vec<Problem> {
    let list = &def.product_list;
    let number_col = list.columns.get("number").map_or("B", String::as_str);
    let mut out = Vec::new();
    if report.declaration.scope_code == Some(ScopeCode::Product) {
        // The Checker looks at the first data row's product number only.
        let first_filled = report
            .products
            .iter()
            .any(|p| p.row == list.first_data_row && !blank(p.number.as_deref()));
        if !first_filled {
            out.push(
                Problem::new(Code::MissingRequired, Severity::Error)
                    .at(
                        &list.sheet,
                        Some(format!("{number_col}{}", list.first_data_row)),
                    )
                    .with("field", "product_list"),
            );
        }
    }
    let mut seen: HashMap<String, u32> = HashMap::new();
    for p in &report.products {
        let cell = Some(format!("{number_col}{}", p.row));
        match clean(p.number.as_deref()) {
            None => {
                let has_other = !blank(p.name.as_deref())
                    || !blank(p.comment.as_deref())
                    || p.requester_number
                        .as_ref()
                        .is_some_and(|v| !blank(v.as_deref()))
                    || p.requester_name
                        .as_ref()
                        .is_some_and(|v| !blank(v.as_deref()));
                if has_other {
                    out.push(
                        Problem::new(Code::ProductNumberMissing, Severity::Warning)
                            .at(&list.sheet, cell)
                            .row(p.row)
                            .with("field", "product_number"),
                    );
                }
            }
            Some(number) => {
                let key = number.to_lowercase();
                if let Some(first) = seen.get(&key) {
                    out.push(
                        Problem::new(Code::DuplicateProduct, Severity::Warning)
                            .at(&list.sheet, cell)
                            .row(p.row)
                            .with("first_row", *first)
                            .value(number),
                    );
                } else {
                    seen.insert(key, p.row);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{cmrt, emrt2, product, run};

    #[test]
    fn product_scope_needs_a_product() {
        let (mut report, def) = emrt2(&["Cobalt"]);
        report.declaration.scope = Some("B. Product (or List of Products)".into());
        report.declaration.scope_code = Some(ScopeCode::Product);
        let problems = run(&report, def);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].sheet.as_deref(), Some("Product List"));
        assert_eq!(problems[0].cell.as_deref(), Some("B6"));
        assert_eq!(problems[0].context_str("field"), Some("product_list"));
        report.products.push(product(6, Some("P-100")));
        assert!(run(&report, def).is_empty());
    }

    #[test]
    fn duplicate_and_unnumbered_products() {
        let (mut report, def) = cmrt();
        report.products.push(product(6, Some("114692")));
        report.products.push(product(7, None));
        report.products.push(product(8, Some("114692")));
        let problems = run(&report, def);
        let codes: Vec<_> = problems.iter().map(|p| (p.code, p.row)).collect();
        assert_eq!(
            codes,
            [
                (Code::ProductNumberMissing, Some(7)),
                (Code::DuplicateProduct, Some(8))
            ]
        );
    }
}
