//! Shared helpers of the report tests.
#![allow(dead_code)]

use oretrail_report::blank::{Blank, BlankTemplates};
use oretrail_report::profile::CompanyProfile;
use oretrail_template::{Family, Registry, TemplateDef};
use std::path::{Path, PathBuf};

/// The repository's blank templates.
pub fn templates_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../templates/rmi")
}

/// A blank template opened for filling.
pub fn blank(family: Family, version: &str) -> Blank {
    let def: &'static TemplateDef = Registry::global()
        .get(family, version)
        .expect("registry version");
    let bytes = BlankTemplates::in_dirs(vec![templates_dir()])
        .bytes(def)
        .expect("blank template");
    Blank::open(bytes, def).expect("open blank")
}

/// A complete company profile.
pub fn profile() -> CompanyProfile {
    CompanyProfile::from_toml(
        r#"
[company]
name = "Example Devices Ltd"
unique_id = "123456789"
unique_id_authority = "DUNS"
address = "1 Harbour Road, Cork, Ireland"

[contact]
name = "Ana Analyst"
email = "ana@example.com"
phone = "+353 21 000 0000"

[authorizer]
name = "Carl Chief"
title = "VP Procurement"
email = "carl@example.com"
phone = "+353 21 000 0001"

[policy]
established = true
url = "https://example.com/responsible-minerals"
version = "2026.1"
covers_annex_ii = true
summary = "We source responsibly, following the OECD Due Diligence Guidance."

[management]
accountable = "VP Procurement"
system = "A cross-functional team runs the yearly campaign in Oretrail."

[[products]]
number = "P-100"
name = "Power module"
requester_number = "C-9"
requester_name = "Customer part"

[[products]]
number = "P-200"
name = "Relay board"

[answers."*"]
require_validated = "Yes"
corrective_action = "Yes"
require_supplier_due_diligence = "Yes"
require_supplier_annex_ii = "Yes"

[answers.CMRT]
disclosure = "No"
"#,
        "test profile",
    )
    .expect("profile")
}
