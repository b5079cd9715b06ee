//! Reading fact-checks, for the API and the pages alike.

use claimdesk_core::{FactCheckId, StoredFactCheck};
use claimdesk_store::prelude::*;

use crate::error::{ApiError, ErrorCode};
use crate::params::SearchQuery;
use crate::public::published::with_public_url;
use crate::state::AppState;
use crate::views::{FactCheckDetail, FactCheckList, FactCheckView, PageInfo};

/// The fact-check page `q` asks for.
pub(crate) async fn load_fact_checks(
    state: &AppState,
    q: &SearchQuery,
) -> Result<FactCheckList, ApiError> {
    let (text, paging) = q.parse()?;
    let page = state
        .store()
        .search_fact_checks(text.as_deref(), paging.request())
        .await?;
    let shown = page.entries.len();
    Ok(FactCheckList {
        fact_checks: page
            .entries
            .into_iter()
            .map(|f| FactCheckView::from(public_url(state, f)))
            .collect(),
        paging: PageInfo::new(
            page.total,
            page.total_exact,
            paging.number,
            paging.per_page,
            shown,
        ),
    })
}

/// A fact-check with its aliases.
pub(crate) async fn load_fact_check(
    state: &AppState,
    id: i64,
) -> Result<FactCheckDetail, ApiError> {
    let fc = state
        .store()
        .fact_checks_by_id(&[FactCheckId(id)])
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::with_detail(ErrorCode::NotFound, format!("fact-check {id}")))?;
    let aliases = state.store().aliases(FactCheckId(id)).await?;
    Ok(FactCheckDetail {
        fact_check: public_url(state, fc).into(),
        aliases: aliases
            .into_iter()
            .map(|f| FactCheckView::from(public_url(state, f)))
            .collect(),
    })
}

/// The stored fact-check with the URL it is read at ([`with_public_url`]).
pub(crate) fn public_url(state: &AppState, mut f: StoredFactCheck) -> StoredFactCheck {
    f.fact_check = with_public_url(state, f.id, f.fact_check);
    f
}
