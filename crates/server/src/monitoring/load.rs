//! Reading narratives and alerts, for the API and the pages alike.

use claimdesk_core::NarrativeId;
use claimdesk_store::prelude::*;

use crate::error::{ApiError, ErrorCode};
use crate::monitoring::views::{
    AlertList, AlertView, AlertsQuery, NarrativeDetailView, NarrativeList, NarrativeView,
    NarrativesQuery,
};
use crate::state::AppState;

/// Items shown on a narrative's page.
const ITEMS_SHOWN: u32 = 200;

/// The narratives `q` asks for.
pub(crate) async fn load_narratives(
    state: &AppState,
    q: &NarrativesQuery,
) -> Result<NarrativeList, ApiError> {
    let filter = q.filter(&state.config().time_zone)?;
    let list = state.store().narratives(&filter).await?;
    Ok(NarrativeList {
        narratives: list.into_iter().map(NarrativeView::from).collect(),
    })
}

/// A narrative with its items, or `not_found`.
pub(crate) async fn load_narrative(
    state: &AppState,
    id: i64,
) -> Result<NarrativeDetailView, ApiError> {
    let detail = state
        .store()
        .narrative(NarrativeId(id), ITEMS_SHOWN)
        .await?
        .ok_or_else(|| ApiError::with_detail(ErrorCode::NotFound, format!("narrative {id}")))?;
    Ok(detail.into())
}

/// The alerts `q` asks for.
pub(crate) async fn load_alerts(state: &AppState, q: &AlertsQuery) -> Result<AlertList, ApiError> {
    let alerts = state.store().alerts(&q.filter()?).await?;
    let ids: Vec<_> = alerts.iter().map(|a| a.id).collect();
    let mut states: std::collections::HashMap<i64, claimdesk_store::AlertState> = state
        .store()
        .alert_states(&ids)
        .await?
        .into_iter()
        .map(|s| (s.alert.0, s))
        .collect();
    Ok(AlertList {
        alerts: alerts
            .into_iter()
            .map(|a| {
                let decided = states.remove(&a.id.0);
                let view = AlertView::from(a);
                match decided {
                    Some(s) => view.decided(s),
                    None => view,
                }
            })
            .collect(),
    })
}
