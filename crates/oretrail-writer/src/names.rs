//! Invented supplier identities for generated templates: companies, contacts, e-mail addresses
//! (on the reserved `.example` domain) and company IDs.

use crate::rng::Rng;

const STEMS: &[&str] = &[
    "Aldermoor",
    "Ashgrove",
    "Bellwether",
    "Birchfield",
    "Blackwater",
    "Brightstone",
    "Calder",
    "Cedarline",
    "Clearbrook",
    "Cobalt Ridge",
    "Copperfield",
    "Corvane",
    "Dunmore",
    "Eastmere",
    "Elmstead",
    "Fairhaven",
    "Falconer",
    "Fernhill",
    "Foxley",
    "Glenrock",
    "Granite Bay",
    "Greyhaven",
    "Halcyon",
    "Harrowgate",
    "Hawthorne",
    "Highmoor",
    "Ironbridge",
    "Juniper",
    "Kestrel",
    "Kingsbury",
    "Lakeshore",
    "Larkspur",
    "Linden",
    "Marlowe",
    "Meridian",
    "Millbrook",
    "Northwind",
    "Oakridge",
    "Orchard Point",
    "Pinecrest",
    "Quillon",
    "Ravenscar",
    "Redlake",
    "Riverside",
    "Rosedale",
    "Saltmarsh",
    "Silverbirch",
    "Southport",
    "Stonebridge",
    "Summit",
    "Thornbury",
    "Tidewater",
    "Valemont",
    "Westbrook",
    "Whitcombe",
    "Willowmere",
    "Yarrow",
    "Zephyr",
    "Hanul",
    "Minato",
    "Tokiwa",
    "Sakuragawa",
    "Yamabuki",
    "Kaiyuan",
    "Hongxin",
    "Jiaxin",
    "Shengda",
    "Lianchuang",
    "Hengyao",
    "Daewon",
    "Seorin",
    "Altamira",
    "Ferrowell",
    "Norrland",
    "Vireo",
    "Bluefin",
    "Solvane",
    "Acme",
];

const TRADES: &[&str] = &[
    "Electronics",
    "Precision",
    "Power Cells",
    "Circuit Systems",
    "Connectors",
    "Magnetics",
    "Semiconductor",
    "Battery Materials",
    "Capacitor Works",
    "Metal Stamping",
    "Wire & Cable",
    "Sensor Labs",
    "Interconnect",
    "Motors",
    "Alloys",
    "PCB Assembly",
    "Energy Storage",
    "Components",
    "Relays",
    "Optics",
    "Plating",
    "Fasteners",
    "Die Casting",
    "Microsystems",
];

const FORMS: &[&str] = &[
    "Ltd.",
    "GmbH",
    "Co., Ltd.",
    "Inc.",
    "S.A.",
    "AB",
    "K.K.",
    "S.p.A.",
    "B.V.",
    "LLC",
    "plc",
    "Pte. Ltd.",
    "Sdn. Bhd.",
    "S.A. de C.V.",
    "Oy",
    "A/S",
    "Corp.",
    "Limited",
];

const FIRST: &[&str] = &[
    "Anna", "Ben", "Carla", "David", "Elena", "Felix", "Grace", "Hiro", "Ines", "Jonas", "Keiko",
    "Liam", "Maya", "Noah", "Olga", "Pavel", "Quinn", "Rosa", "Sven", "Tomoko", "Uma", "Victor",
    "Wei", "Xin", "Yuki", "Zara", "Min-jun", "Priya", "Mateo", "Sofia", "Lukas", "Amara",
];

const LAST: &[&str] = &[
    "Andersson",
    "Becker",
    "Chen",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Hoffmann",
    "Ito",
    "Jensen",
    "Kim",
    "Lopez",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Quintero",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Ueda",
    "Varga",
    "Wang",
    "Xu",
    "Yamamoto",
    "Zhang",
    "Park",
    "Singh",
    "Silva",
    "Novak",
    "Li",
    "Murphy",
];

const AUTHORITIES: &[&str] = &["DUNS", "VAT", "LEI", "Company Register"];

/// An invented supplier: company and one contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Supplier {
    /// Company name.
    pub company: String,
    /// Company unique ID.
    pub company_id: String,
    /// The ID's authority (DUNS, VAT, ...).
    pub authority: String,
    /// Contact person.
    pub contact: String,
    /// Contact e-mail on the `.example` domain.
    pub email: String,
}

fn pick<'a>(rng: &mut Rng, list: &'a [&'a str]) -> &'a str {
    rng.pick(list).copied().unwrap_or("")
}

/// A lower-case ASCII slug of a name (`Wire & Cable` → `wire-cable`).
fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// An invented supplier; `serial` distinguishes companies that would otherwise share a name.
pub fn supplier(rng: &mut Rng, serial: Option<u32>) -> Supplier {
    let stem = pick(rng, STEMS);
    let trade = pick(rng, TRADES);
    let form = pick(rng, FORMS);
    let company = match serial {
        Some(n) => format!("{stem} {trade} {n} {form}"),
        None => format!("{stem} {trade} {form}"),
    };
    let first = pick(rng, FIRST);
    let last = pick(rng, LAST);
    let domain = match serial {
        Some(n) => format!("{}-{n}", slug(stem)),
        None => slug(&format!("{stem} {trade}")),
    };
    let authority = pick(rng, AUTHORITIES).to_string();
    let company_id = match authority.as_str() {
        "DUNS" => format!("{:09}", rng.next_u64() % 1_000_000_000),
        "VAT" => format!("EU{:09}", rng.next_u64() % 1_000_000_000),
        "LEI" => format!("5493{:016}", rng.next_u64() % 10_000_000_000_000_000),
        _ => format!("HRB {}", 10_000 + rng.next_u64() % 90_000),
    };
    Supplier {
        email: format!("{}.{}@{domain}.example", slug(first), slug(last)),
        contact: format!("{first} {last}"),
        company,
        company_id,
        authority,
    }
}

/// A file name without characters file systems reject.
pub fn file_safe(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '-',
            c if c.is_control() => '-',
            c => c,
        })
        .collect::<String>()
        .trim_end_matches(['.', ' '])
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suppliers_are_plausible_and_deterministic() {
        let a = supplier(&mut Rng::new(5), None);
        let b = supplier(&mut Rng::new(5), None);
        assert_eq!(a, b);
        assert!(a.email.ends_with(".example") && a.email.contains('@'));
        let c = supplier(&mut Rng::new(5), Some(12));
        assert!(c.company.contains(" 12 "));
        assert_eq!(slug("Wire & Cable"), "wire-cable");
        assert_eq!(file_safe("A/B: C?."), "A-B- C-");
    }
}
