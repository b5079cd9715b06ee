//! The queue's search, the same on every backend: which items a search finds, in which order,
//! and how a page and its count are read so that a common word costs no more than a rare one.
//!
//! A search's words find the items that have them all, the last perhaps only begun (a word
//! still being typed), with or without accents ([`Hits`]). The queue shows first the items
//! with the words whole and as written, then those with the last word begun as written, then
//! those that have them only without accents ([`TIERS`]), each group most recently stored
//! first.
//!
//! Whole words are read off the full-text index in id order and stop at the page's end; a
//! begun word makes the index merge every word it begins before the first hit comes out (on a
//! desk of millions, tens of milliseconds for a common one). So the begun word is read only
//! when the whole words as written do not fill the page; and when the whole words are common
//! ([`COMMON`]), the count reads them first and the begun word only if they fall short of
//! [`COUNT_LIMIT`].

use crate::Result;
use crate::items::{COUNT_LIMIT, Page, PageRequest};

/// How many items whole words must be found in, whatever the queue's other filters, for the
/// count to read them before the begun word: ten times [`COUNT_LIMIT`], so a filter that keeps
/// one item in ten still fills the count from them. Reading that many ids off the full-text
/// index alone takes under a millisecond at 3,000,000 items; the begun word's merge for a
/// word that common, 15 ms (bench/results/2026-12-06-scale.txt).
const COMMON: u64 = 10 * COUNT_LIMIT;

/// The sets of items a search's words find.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hits {
    /// Every word whole, as written (the exact forms).
    AsWritten,
    /// As written, the last word as the start of a word (holds [`Hits::AsWritten`]).
    BegunAsWritten,
    /// Every word whole, without accents (holds [`Hits::AsWritten`]).
    WithoutAccents,
    /// Without accents, the last word as the start of a word: every item the search finds
    /// (holds each of the others).
    Begun,
}

/// One group of the queue's search results: the items of `hits` that `not` did not find.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Tier {
    /// The set the group is read from.
    pub hits: Hits,
    /// The set before it (a part of `hits`), whose items were shown already.
    pub not: Option<Hits>,
}

/// The groups of a search's results, in the queue's order.
pub(crate) const TIERS: [Tier; 3] = [
    Tier {
        hits: Hits::AsWritten,
        not: None,
    },
    Tier {
        hits: Hits::BegunAsWritten,
        not: Some(Hits::AsWritten),
    },
    Tier {
        hits: Hits::Begun,
        not: Some(Hits::BegunAsWritten),
    },
];

/// What a backend reads for a search (its words and the queue's other filters already
/// bound): the ids of one group's window, and how many items a group holds.
pub(crate) trait TierReader {
    /// Ids of `tier`'s items, most recently stored first: `limit` at most after `offset`.
    async fn tier_ids(&self, tier: Tier, limit: u32, offset: u64) -> Result<Vec<i64>>;

    /// How many items `tier` holds, counting `cap` at most.
    async fn tier_count(&self, tier: Tier, cap: u64) -> Result<u64>;

    /// How many items have the words of `hits`, whatever the queue's other filters, counting
    /// `cap` at most: read off the full-text index alone, to choose how to count.
    async fn words_count(&self, hits: Hits, cap: u64) -> Result<u64>;
}

/// A window of a search's results: the ids in the queue's order, counted up to
/// [`COUNT_LIMIT`].
pub(crate) async fn read<R: TierReader>(reader: &R, page: PageRequest) -> Result<Page<i64>> {
    let mut ids = Vec::new();
    // How many of the window's first results lie in the groups not read yet.
    let mut skip = page.offset;
    for tier in TIERS {
        let wanted = page.limit.saturating_sub(ids.len() as u32);
        if wanted == 0 {
            break;
        }
        let got = reader.tier_ids(tier, wanted, skip).await?;
        skip = if !got.is_empty() || skip == 0 {
            // The group ends within the window: the next one starts at its top.
            0
        } else {
            // The window starts past this group: how many it holds (at most `skip`, so
            // counting stops by itself).
            skip - reader.tier_count(tier, skip).await?
        };
        ids.extend(got);
    }
    let cap = COUNT_LIMIT + 1;
    let whole = Tier {
        hits: Hits::WithoutAccents,
        not: None,
    };
    let begun = Tier {
        hits: Hits::Begun,
        not: None,
    };
    // Words many items have: counting them whole (with the filters) usually reaches the cap
    // without the begun word's merge. Otherwise one count, of the begun word: the whole ones
    // would often be counted for nothing, as a filter keeps fewer of them than the cap.
    let mut n = 0;
    if reader.words_count(Hits::WithoutAccents, COMMON).await? >= COMMON {
        n = reader.tier_count(whole, cap).await?;
    }
    if n < cap {
        n = reader.tier_count(begun, cap).await?;
    }
    Ok(Page {
        entries: ids,
        total: n.min(COUNT_LIMIT),
        total_exact: n <= COUNT_LIMIT,
    })
}

/// An item's text as the search index holds it: the exact form (as matching normalizes it:
/// NFC, lowercase, canonical tone marks) and the accent-free one.
pub(crate) fn forms(text: &str) -> (String, String) {
    let exact = claimdesk_text::normalize(text);
    let folded = claimdesk_text::fold_normalized(&exact);
    (exact, folded)
}

/// Which of the index's two forms a set of hits is asked of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Form {
    /// The exact forms (`exact`).
    Exact,
    /// The accent-free forms (`folded`).
    Folded,
}

impl Form {
    /// The column of `items_search` that holds the form, on both backends.
    pub(crate) fn column(self) -> &'static str {
        match self {
            Form::Exact => "exact",
            Form::Folded => "folded",
        }
    }
}

/// A search's words in both forms: runs of letters and digits, as the indexes split text,
/// so a backend's query holds words only and no input is read as query syntax.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Terms {
    exact: Vec<String>,
    folded: Vec<String>,
}

impl Terms {
    /// The words of `text` that `keep` accepts; `None` when there are none.
    pub(crate) fn of(text: &str, keep: impl Fn(&str) -> bool) -> Option<Terms> {
        let split = |text: &str| -> Vec<String> {
            text.split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty() && keep(w))
                .map(str::to_owned)
                .collect()
        };
        let (exact, folded) = forms(text);
        let terms = Terms {
            exact: split(&exact),
            folded: split(&folded),
        };
        (!terms.exact.is_empty() && !terms.folded.is_empty()).then_some(terms)
    }

    /// What `hits` asks of the index: the form, its words (all of them required), and
    /// whether the last is only begun (a prefix).
    pub(crate) fn of_hits(&self, hits: Hits) -> (Form, &[String], bool) {
        match hits {
            Hits::AsWritten => (Form::Exact, &self.exact, false),
            Hits::BegunAsWritten => (Form::Exact, &self.exact, true),
            Hits::WithoutAccents => (Form::Folded, &self.folded, false),
            Hits::Begun => (Form::Folded, &self.folded, true),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    /// Each set of hits as a list of ids (newest first), and a log of what was read.
    struct Lists {
        as_written: Vec<i64>,
        begun_as_written: Vec<i64>,
        without_accents: Vec<i64>,
        begun: Vec<i64>,
        reads: RefCell<Vec<String>>,
    }

    impl Lists {
        fn set(&self, hits: Hits) -> &[i64] {
            match hits {
                Hits::AsWritten => &self.as_written,
                Hits::BegunAsWritten => &self.begun_as_written,
                Hits::WithoutAccents => &self.without_accents,
                Hits::Begun => &self.begun,
            }
        }

        fn group(&self, tier: Tier) -> Vec<i64> {
            let not = tier.not.map(|h| self.set(h)).unwrap_or(&[]);
            self.set(tier.hits)
                .iter()
                .copied()
                .filter(|id| !not.contains(id))
                .collect()
        }
    }

    impl TierReader for Lists {
        async fn tier_ids(&self, tier: Tier, limit: u32, offset: u64) -> Result<Vec<i64>> {
            self.reads.borrow_mut().push(format!("ids {:?}", tier.hits));
            Ok(self
                .group(tier)
                .into_iter()
                .skip(offset as usize)
                .take(limit as usize)
                .collect())
        }

        async fn words_count(&self, hits: Hits, cap: u64) -> Result<u64> {
            self.reads.borrow_mut().push(format!("words {hits:?}"));
            Ok((self.set(hits).len() as u64).min(cap))
        }

        async fn tier_count(&self, tier: Tier, cap: u64) -> Result<u64> {
            self.reads
                .borrow_mut()
                .push(format!("count {:?}", tier.hits));
            Ok((self.group(tier).len() as u64).min(cap))
        }
    }

    /// `whole` items with the words whole as written, `begun` more with the last word begun
    /// as written, `accents` more with the words whole only without accents.
    fn lists(whole: usize, begun: usize, accents: usize) -> Lists {
        // Ids count down within each kind, as the index gives them.
        let ids = |n: usize, top: i64| -> Vec<i64> { (0..n).map(|k| top - k as i64).collect() };
        let (a, b, c) = (
            ids(whole, 100_000),
            ids(begun, 50_000),
            ids(accents, 10_000),
        );
        let union = |parts: &[&Vec<i64>]| {
            let mut v: Vec<i64> = parts.iter().flat_map(|p| p.iter().copied()).collect();
            v.sort_unstable_by(|x, y| y.cmp(x));
            v
        };
        Lists {
            begun_as_written: union(&[&a, &b]),
            without_accents: union(&[&a, &c]),
            begun: union(&[&a, &b, &c]),
            as_written: a,
            reads: RefCell::new(Vec::new()),
        }
    }

    fn block<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime")
            .block_on(f)
    }

    #[test]
    fn every_window_of_the_results_is_the_groups_one_after_another() {
        let l = lists(7, 5, 6);
        let all: Vec<i64> = TIERS.iter().flat_map(|t| l.group(*t)).collect();
        assert_eq!(all.len(), 18);
        for limit in 1..=20u32 {
            for offset in 0..=20u64 {
                let p = block(read(&l, PageRequest { limit, offset })).expect("read");
                let (ids, total, exact) = (p.entries, p.total, p.total_exact);
                let want: Vec<i64> = all
                    .iter()
                    .copied()
                    .skip(offset as usize)
                    .take(limit as usize)
                    .collect();
                assert_eq!(ids, want, "limit {limit} offset {offset}");
                assert_eq!((total, exact), (18, true));
            }
        }
    }

    /// The first 50 results: ids, count, whether the count is whole.
    fn first_page(l: &Lists) -> (Vec<i64>, u64, bool) {
        let p = block(read(
            l,
            PageRequest {
                limit: 50,
                offset: 0,
            },
        ))
        .expect("read");
        (p.entries, p.total, p.total_exact)
    }

    #[test]
    fn a_page_and_count_filled_by_whole_words_never_read_the_begun_word() {
        let l = lists(COMMON as usize + 5, 0, 3);
        let (ids, total, exact) = first_page(&l);
        assert_eq!(ids.len(), 50);
        assert_eq!((total, exact), (COUNT_LIMIT, false));
        assert!(
            !l.reads.borrow().iter().any(|r| r.contains("Begun")),
            "{:?}",
            l.reads.borrow()
        );
    }

    #[test]
    fn words_few_items_have_are_counted_once_with_the_begun_word() {
        let l = lists(30, 10, 5);
        let (ids, total, exact) = first_page(&l);
        assert_eq!(ids.len(), 45);
        assert_eq!((total, exact), (45, true));
        let counts: Vec<String> = l
            .reads
            .borrow()
            .iter()
            .filter(|r| r.starts_with("count"))
            .cloned()
            .collect();
        assert_eq!(counts, ["count Begun"]);
    }

    #[test]
    fn a_word_still_being_typed_is_found_and_counted_as_begun() {
        let l = lists(0, 4, 0);
        let (ids, total, exact) = first_page(&l);
        assert_eq!(ids, vec![50_000, 49_999, 49_998, 49_997]);
        assert_eq!((total, exact), (4, true));
    }
}
