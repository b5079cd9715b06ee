//! Reading fact-checks, for the API and the pages alike.

use claimdesk_core::FactCheckId;
use claimdesk_store::prelude::*;

use crate::error::{ApiError, ErrorCode};
use crate::params::SearchQuery;
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
    Ok(FactCheckList {
        fact_checks: page.entries.into_iter().map(FactCheckView::from).collect(),
        paging: PageInfo {
            total: page.total,
            page: paging.number,
            per_page: paging.per_page,
            pages: paging.pages(page.total),
        },
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
        fact_check: fc.into(),
        aliases: aliases.into_iter().map(FactCheckView::from).collect(),
    })
}
