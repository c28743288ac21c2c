//! Review decisions: accepting a facility for a typed smelter name (remembered in the facility
//! registry as a manual alias, so every later file resolves it) and confirming the supplier of
//! a submission.

use crate::db::{audit, review};
use crate::error::{Result, WebError};
use crate::state::AppState;
use oretrail_pipeline::Pipeline;
use oretrail_template::Candidate;

/// The part of a stored report the review queue needs: each smelter row's candidates.
#[derive(serde::Deserialize)]
struct SmeltersOnly {
    #[serde(default)]
    smelters: Vec<RowCandidates>,
}

#[derive(serde::Deserialize)]
struct RowCandidates {
    row: u32,
    #[serde(default)]
    candidates: Vec<Candidate>,
}

/// Candidates the matcher proposed for a row of a stored submission (read from the stored
/// report without building the whole model).
pub async fn candidates(state: &AppState, submission_id: i64, row: i64) -> Result<Vec<Candidate>> {
    let Some(json) = review::report_json(state, submission_id).await? else {
        return Ok(Vec::new());
    };
    let report: SmeltersOnly = serde_json::from_str(&json)?;
    Ok(report
        .smelters
        .into_iter()
        .find(|s| i64::from(s.row) == row)
        .map(|s| s.candidates)
        .unwrap_or_default())
}

/// What accepting a facility did.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Accepted {
    /// Facility CID.
    pub cid: String,
    /// Its standard name.
    pub standard_name: String,
    /// Stored rows updated.
    pub rows: u64,
}

/// Decides that `typed_name` (of `metal`) is facility `cid`: remembered in the registry for
/// later files, applied to the stored rows with that name, and written to the audit log.
pub async fn accept_facility(
    state: &AppState,
    metal: &str,
    typed_name: &str,
    cid: &str,
    actor: &str,
) -> Result<Accepted> {
    let cid = oretrail_facilities::registry::clean_cid(cid).ok_or_else(|| {
        WebError::BadRequest(format!("'{cid}' is not a facility ID (CID + 6 digits)"))
    })?;
    let (registry, standard_name) = {
        let mut p = state
            .pipeline
            .write()
            .map_err(|_| WebError::Internal("pipeline lock poisoned".into()))?;
        let mut registry = p.registry().clone();
        registry
            .remember_alias(metal, typed_name, &cid, actor)
            .map_err(|e| WebError::BadRequest(e.to_string()))?;
        let standard_name = registry
            .facility(metal, &cid)
            .map(|f| f.standard_name.clone())
            .unwrap_or_else(|| cid.clone());
        let mut next = Pipeline::new(registry.clone());
        next.read_options = p.read_options;
        next.validation = p.validation.clone();
        *p = next;
        (registry, standard_name)
    };
    oretrail_store::facilities::save_registry(&state.store, &registry).await?;
    let metal_key = oretrail_facilities::registry::metal_key(metal);
    let name_key = oretrail_store::suppliers::name_key(typed_name);
    let rows = review::resolve_rows(
        &state.store,
        metal,
        &metal_key,
        &name_key,
        &cid,
        &standard_name,
    )
    .await?;
    audit::record(
        &state.store,
        actor,
        "review.facility",
        Some(&format!("{metal} '{typed_name}'")),
        Some(&format!(
            "is {cid} {standard_name}; {rows} stored row(s) updated; remembered for later files"
        )),
    )
    .await?;
    state.changed();
    Ok(Accepted {
        cid,
        standard_name,
        rows,
    })
}

/// Confirms the supplier of a submission; returns the submission's new status.
pub async fn confirm_supplier(
    state: &AppState,
    submission_id: i64,
    erp_id: &str,
    actor: &str,
) -> Result<String> {
    let status =
        oretrail_store::submissions::confirm_supplier(&state.store, submission_id, erp_id, actor)
            .await?;
    audit::record(
        &state.store,
        actor,
        "review.supplier",
        Some(&format!("submission {submission_id}")),
        Some(&format!(
            "supplier confirmed as {erp_id}; now {}",
            status.code()
        )),
    )
    .await?;
    state.changed();
    Ok(status.code().to_string())
}
