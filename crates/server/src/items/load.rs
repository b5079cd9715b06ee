//! Reading the queue and an item, for the API and the pages alike.

use claimdesk_core::ItemId;
use claimdesk_store::prelude::*;

use crate::error::{ApiError, ErrorCode};
use crate::params::QueueQuery;
use crate::state::AppState;
use crate::views::{
    CheckWorthinessView, ItemDetail, ItemList, ItemView, PageInfo, QueueEntryView, RawMatch,
    resolve, resolve_each,
};

/// The queue page `q` asks for.
pub(crate) async fn load_queue(state: &AppState, q: &QueueQuery) -> Result<ItemList, ApiError> {
    let (filter, paging) = q.parse(&state.config().time_zone)?;
    let page = state.store().queue(&filter, paging.request()).await?;
    let wanted: Vec<RawMatch> = page
        .entries
        .iter()
        .filter_map(|e| e.top.clone().map(RawMatch::from))
        .collect();
    let mut resolved = resolve_each(state.store(), wanted).await?.into_iter();
    let shown = page.entries.len();
    let items = page
        .entries
        .into_iter()
        .map(|entry| QueueEntryView {
            top_match: entry.top.and_then(|_| resolved.next().flatten()),
            case_status: entry.case_status.map(|s| s.as_str().to_string()),
            check_worthiness: entry.check_worthiness,
            below_threshold: entry.below_threshold,
            item: entry.item.into(),
        })
        .collect();
    Ok(ItemList {
        items,
        paging: PageInfo::new(
            page.total,
            page.total_exact,
            paging.number,
            paging.per_page,
            shown,
        ),
    })
}

/// An item with its matches.
pub(crate) async fn load_item(state: &AppState, id: i64) -> Result<ItemDetail, ApiError> {
    let item = state
        .store()
        .item(ItemId(id))
        .await?
        .ok_or_else(|| ApiError::with_detail(ErrorCode::NotFound, format!("item {id}")))?;
    let matches = state.store().matches(ItemId(id)).await?;
    let matches = resolve(
        state.store(),
        matches.into_iter().map(RawMatch::from).collect(),
    )
    .await?;
    let check_worthiness = state
        .store()
        .check_worthiness(ItemId(id))
        .await?
        .map(|cw| CheckWorthinessView::new(cw, &item.item.text));
    Ok(ItemDetail {
        item: ItemView::from(item),
        matches,
        check_worthiness,
    })
}
