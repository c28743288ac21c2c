//! Measuring resolution quality against known answers (the fixtures' truth files).
//!
//! Precision = rows resolved to the right facility / rows resolved at all.
//! Recall = rows resolved to the right facility / rows that can be resolved (known answer).

use oretrail_template::{ResolutionMethod, SmelterRow};
use serde::{Deserialize, Serialize};

/// The expected resolution of one row (the truth file's smelter fields).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowTruth {
    /// The facility the row designates, `None` when it cannot be resolved.
    pub canonical_cid: Option<String>,
    /// Its standard RMI name.
    #[serde(default)]
    pub canonical_name: Option<String>,
    /// Whether it is in the template's own look-up.
    #[serde(default)]
    pub in_template_lookup: bool,
}

/// One resolved row with its expected answer.
#[derive(Debug, Clone)]
pub struct EvalCase {
    /// Where the row comes from (file name), for the report.
    pub source: String,
    /// The row, with `resolution` filled by the matcher.
    pub row: SmelterRow,
    /// The expected answer.
    pub truth: RowTruth,
}

/// What went wrong on one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MissKind {
    /// Resolved to another facility than expected.
    WrongFacility,
    /// Resolved although the row designates no known facility.
    SpuriousResolution,
    /// Left unresolved although the facility is known.
    Unresolved,
    /// Right facility, other standard name than expected.
    NameDiffers,
    /// Right facility, other `in_template_lookup` than expected.
    LookupFlagDiffers,
}

/// One row that did not come out as expected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Miss {
    /// Source file.
    pub source: String,
    /// Sheet row.
    pub row: u32,
    /// What went wrong.
    pub kind: MissKind,
    /// Metal of the row.
    pub metal: Option<String>,
    /// Name typed or picked.
    pub name: Option<String>,
    /// Expected CID.
    pub expected_cid: Option<String>,
    /// CID found.
    pub found_cid: Option<String>,
    /// Expected standard name.
    pub expected_name: Option<String>,
    /// Standard name found.
    pub found_name: Option<String>,
    /// How the row was resolved.
    pub method: Option<ResolutionMethod>,
}

/// Precision, recall and every miss.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatchingReport {
    /// Rows evaluated.
    pub rows: usize,
    /// Rows resolved to some facility.
    pub resolved: usize,
    /// Rows with a known answer.
    pub resolvable: usize,
    /// Rows resolved to the expected facility.
    pub correct: usize,
    /// correct / resolved (1 when nothing was resolved).
    pub precision: f64,
    /// correct / resolvable (1 when nothing was resolvable).
    pub recall: f64,
    /// Correct rows whose standard name differs from the expected one.
    pub name_differences: usize,
    /// Correct rows whose `in_template_lookup` differs from the expected one.
    pub lookup_flag_differences: usize,
    /// Every row that did not come out as expected.
    pub misses: Vec<Miss>,
}

/// Compares resolutions with the expected answers.
pub fn evaluate(cases: &[EvalCase]) -> MatchingReport {
    let mut report = MatchingReport {
        rows: cases.len(),
        resolved: 0,
        resolvable: 0,
        correct: 0,
        precision: 1.0,
        recall: 1.0,
        name_differences: 0,
        lookup_flag_differences: 0,
        misses: Vec::new(),
    };
    for case in cases {
        let resolution = case.row.resolution.as_ref();
        let found = resolution.and_then(|r| r.canonical_cid.clone());
        let expected = case.truth.canonical_cid.clone();
        if found.is_some() {
            report.resolved += 1;
        }
        if expected.is_some() {
            report.resolvable += 1;
        }
        let miss = |kind| Miss {
            source: case.source.clone(),
            row: case.row.row,
            kind,
            metal: case.row.metal.clone(),
            name: case
                .row
                .name
                .clone()
                .or_else(|| case.row.lookup_value.clone()),
            expected_cid: expected.clone(),
            found_cid: found.clone(),
            expected_name: case.truth.canonical_name.clone(),
            found_name: resolution.and_then(|r| r.canonical_name.clone()),
            method: resolution.map(|r| r.method),
        };
        match (&found, &expected) {
            (Some(f), Some(e)) if f == e => {
                report.correct += 1;
                let r = resolution.map(|r| (r.canonical_name.clone(), r.in_template_lookup));
                if let Some((name, flag)) = r {
                    if name != case.truth.canonical_name {
                        report.name_differences += 1;
                        report.misses.push(miss(MissKind::NameDiffers));
                    }
                    if flag != case.truth.in_template_lookup {
                        report.lookup_flag_differences += 1;
                        report.misses.push(miss(MissKind::LookupFlagDiffers));
                    }
                }
            }
            (Some(_), Some(_)) => report.misses.push(miss(MissKind::WrongFacility)),
            (Some(_), None) => report.misses.push(miss(MissKind::SpuriousResolution)),
            (None, Some(_)) => report.misses.push(miss(MissKind::Unresolved)),
            (None, None) => {}
        }
    }
    if report.resolved > 0 {
        report.precision = report.correct as f64 / report.resolved as f64;
    }
    if report.resolvable > 0 {
        report.recall = report.correct as f64 / report.resolvable as f64;
    }
    report
}

impl MatchingReport {
    /// Misses that count against precision or recall (not name or flag differences).
    pub fn resolution_misses(&self) -> impl Iterator<Item = &Miss> {
        self.misses.iter().filter(|m| {
            matches!(
                m.kind,
                MissKind::WrongFacility | MissKind::SpuriousResolution | MissKind::Unresolved
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oretrail_template::{EntryKind, Resolution};

    fn case(expected: Option<&str>, found: Option<&str>) -> EvalCase {
        EvalCase {
            source: "t".into(),
            row: SmelterRow {
                row: 5,
                entry: EntryKind::NotListed,
                metal: Some("Gold".into()),
                lookup_value: None,
                name: Some("x".into()),
                country: None,
                cid: None,
                smelter_id_input: None,
                formula_fields: Vec::new(),
                details: Default::default(),
                resolution: Some(Resolution {
                    canonical_cid: found.map(str::to_string),
                    canonical_name: None,
                    in_template_lookup: false,
                    method: ResolutionMethod::Fuzzy,
                    confidence: 0.9,
                    candidates: Vec::new(),
                    conflicting_cid: None,
                }),
            },
            truth: RowTruth {
                canonical_cid: expected.map(str::to_string),
                canonical_name: None,
                in_template_lookup: false,
            },
        }
    }

    #[test]
    fn precision_counts_resolved_rows_and_recall_resolvable_rows() {
        let cases = [
            case(Some("CID1"), Some("CID1")),
            case(Some("CID2"), None),
            case(None, Some("CID3")),
            case(None, None),
        ];
        let r = evaluate(&cases);
        assert_eq!((r.resolved, r.resolvable, r.correct), (2, 2, 1));
        assert_eq!(r.precision, 0.5);
        assert_eq!(r.recall, 0.5);
        assert_eq!(r.resolution_misses().count(), 2);
    }
}
