//! Country names as suppliers type them versus RMI's spelling ("Belgium" vs "BELGIUM",
//! "DRC" vs "CONGO, DEMOCRATIC REPUBLIC OF THE").

/// Common alternative names → RMI's name (both sides already normalised by [`normalise`]).
const ALIASES: &[(&str, &str)] = &[
    ("USA", "UNITED STATES OF AMERICA"),
    ("US", "UNITED STATES OF AMERICA"),
    ("U S A", "UNITED STATES OF AMERICA"),
    ("UNITED STATES", "UNITED STATES OF AMERICA"),
    ("UK", "UNITED KINGDOM OF GREAT BRITAIN AND NORTHERN IRELAND"),
    (
        "UNITED KINGDOM",
        "UNITED KINGDOM OF GREAT BRITAIN AND NORTHERN IRELAND",
    ),
    (
        "GREAT BRITAIN",
        "UNITED KINGDOM OF GREAT BRITAIN AND NORTHERN IRELAND",
    ),
    ("SOUTH KOREA", "KOREA REPUBLIC OF"),
    ("REPUBLIC OF KOREA", "KOREA REPUBLIC OF"),
    ("KOREA", "KOREA REPUBLIC OF"),
    ("NORTH KOREA", "KOREA DEMOCRATIC PEOPLE S REPUBLIC OF"),
    ("DRC", "CONGO DEMOCRATIC REPUBLIC OF THE"),
    ("DR CONGO", "CONGO DEMOCRATIC REPUBLIC OF THE"),
    ("CONGO DRC", "CONGO DEMOCRATIC REPUBLIC OF THE"),
    (
        "DEMOCRATIC REPUBLIC OF THE CONGO",
        "CONGO DEMOCRATIC REPUBLIC OF THE",
    ),
    (
        "DEMOCRATIC REPUBLIC OF CONGO",
        "CONGO DEMOCRATIC REPUBLIC OF THE",
    ),
    ("CONGO KINSHASA", "CONGO DEMOCRATIC REPUBLIC OF THE"),
    ("RUSSIA", "RUSSIAN FEDERATION"),
    ("TAIWAN", "TAIWAN PROVINCE OF CHINA"),
    ("VIETNAM", "VIET NAM"),
    ("TANZANIA", "TANZANIA UNITED REPUBLIC OF"),
    ("BOLIVIA", "BOLIVIA PLURINATIONAL STATE OF"),
    ("IRAN", "IRAN ISLAMIC REPUBLIC OF"),
    ("LAOS", "LAO PEOPLE S DEMOCRATIC REPUBLIC"),
    ("VENEZUELA", "VENEZUELA BOLIVARIAN REPUBLIC OF"),
    ("CZECH REPUBLIC", "CZECHIA"),
    ("TURKIYE", "TURKEY"),
    ("HOLLAND", "NETHERLANDS"),
    ("THE NETHERLANDS", "NETHERLANDS"),
    ("IVORY COAST", "COTE D IVOIRE"),
    ("PRC", "CHINA"),
    ("P R CHINA", "CHINA"),
    ("PEOPLE S REPUBLIC OF CHINA", "CHINA"),
    ("MAINLAND CHINA", "CHINA"),
    ("UAE", "UNITED ARAB EMIRATES"),
    ("SWAZILAND", "ESWATINI"),
    ("BRUNEI", "BRUNEI DARUSSALAM"),
    ("MOLDOVA", "MOLDOVA REPUBLIC OF"),
    ("SYRIA", "SYRIAN ARAB REPUBLIC"),
];

/// Upper case, accents folded, punctuation as spaces, spaces collapsed.
pub(crate) fn normalise(name: &str) -> String {
    let folded: String = name
        .chars()
        .map(|c| match c {
            'À'..='Å' | 'à'..='å' => 'A',
            'Ç' | 'ç' => 'C',
            'È'..='Ë' | 'è'..='ë' => 'E',
            'Ì'..='Ï' | 'ì'..='ï' => 'I',
            'Ñ' | 'ñ' => 'N',
            'Ò'..='Ö' | 'ò'..='ö' => 'O',
            'Ù'..='Ü' | 'ù'..='ü' => 'U',
            c if c.is_alphanumeric() => c,
            _ => ' ',
        })
        .collect();
    folded
        .to_uppercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// RMI's name for a (normalised) country name.
fn canonical(name: &str) -> String {
    let n = normalise(name);
    ALIASES
        .iter()
        .find(|(alias, _)| *alias == n)
        .map_or(n, |(_, rmi)| (*rmi).to_string())
}

/// Whether two country names designate the same country.
pub(crate) fn same_country(a: &str, b: &str) -> bool {
    canonical(a) == canonical(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_the_same_country() {
        assert!(same_country("Belgium", "BELGIUM"));
        assert!(same_country("DRC", "CONGO, DEMOCRATIC REPUBLIC OF THE"));
        assert!(same_country("South Korea", "KOREA, REPUBLIC OF"));
        assert!(same_country("Taiwan", "TAIWAN, PROVINCE OF CHINA"));
        assert!(same_country("Côte d'Ivoire", "COTE D'IVOIRE"));
        assert!(same_country("Vietnam", "VIET NAM"));
        assert!(!same_country("Belgium", "FINLAND"));
        assert!(!same_country("Congo", "CONGO, DEMOCRATIC REPUBLIC OF THE"));
    }
}
