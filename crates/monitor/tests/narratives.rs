//! Narratives: near-identical items from different sources join one, unrelated ones do not,
//! observing twice counts once, a rebuild gives the same narratives; the copy-paste burst
//! around its N/M/T thresholds, and a planted flood among 50,000 ordinary posts.

use claimdesk_core::AlertRule;
use claimdesk_monitor::cluster::REPRESENTATIVES;
use claimdesk_monitor::{ClusterSettings, Monitor, MonitorSettings};
use claimdesk_publish::RatingScale;
use claimdesk_store::prelude::*;
use claimdesk_store::{AlertFilter, NarrativeFilter};

use crate::util::{Rng, item, monitor, rfc3339, save, store};

const CLAIM: &str = "Uống nước chanh nóng mỗi sáng sẽ tiêu diệt tế bào ung thư trong ba tuần, \
                     các bác sĩ bệnh viện không muốn bạn biết điều này";
const OTHER: &str = "Hội đồng thành phố đã thông qua ngân sách mới cho giao thông công cộng \
                     vào tối thứ ba sau nhiều tháng tranh luận";

#[tokio::test]
async fn near_identical_items_from_different_sources_join_one_narrative() {
    let (_d, s) = store().await;
    let items = save(
        &s,
        &[
            item("1", CLAIM, "facebook", Some("2026-11-20T10:00:00Z")),
            item(
                "2",
                &format!("CHIA SẺ GẤP!! {CLAIM}"),
                "zalo",
                Some("2026-11-20T10:05:00Z"),
            ),
            item(
                "3",
                &CLAIM.to_lowercase().replace('ư', "u"),
                "tiktok",
                Some("2026-11-20T11:00:00Z"),
            ),
            item("4", OTHER, "vnexpress", Some("2026-11-20T10:30:00Z")),
        ],
    )
    .await;
    let mut m = monitor(&s, MonitorSettings::default()).await;
    let seen = m.observe(&s, &items).await.unwrap();
    assert!(seen.iter().all(|o| o.added));
    assert_eq!(seen[0].narrative, seen[1].narrative);
    assert_eq!(seen[0].narrative, seen[2].narrative);
    assert_ne!(seen[0].narrative, seen[3].narrative);

    let detail = s.narrative(seen[0].narrative, 10).await.unwrap().unwrap();
    assert_eq!(detail.summary.items, 3);
    assert_eq!(detail.summary.sources, 3);
    assert_eq!(detail.summary.representative_item, items[0].id);
    assert_eq!(detail.summary.first_seen, 1_795_168_800); // 2026-11-20T10:00:00Z
    assert_eq!(detail.summary.last_seen, 1_795_168_800 + 3600);
    // Two items in the 10:00 hour, one in the 11:00 hour.
    let volume: Vec<_> = detail.volume.iter().map(|v| (v.hour, v.items)).collect();
    assert_eq!(volume, [(1_795_168_800, 2), (1_795_172_400, 1)]);
    assert_eq!(detail.languages[0].value, "vi");
    let mut sources: Vec<_> = detail.sources.iter().map(|t| t.value.as_str()).collect();
    sources.sort();
    assert_eq!(sources, ["facebook", "tiktok", "zalo"]);
}

#[tokio::test]
async fn observing_an_item_again_counts_it_once() {
    let (_d, s) = store().await;
    let items = save(
        &s,
        &[
            item("1", CLAIM, "a", Some("2026-11-20T10:00:00Z")),
            item("2", CLAIM, "b", Some("2026-11-20T10:01:00Z")),
        ],
    )
    .await;
    let mut m = monitor(&s, MonitorSettings::default()).await;
    let first = m.observe(&s, &items).await.unwrap();
    let again = m.observe(&s, &items).await.unwrap();
    assert!(again.iter().all(|o| !o.added));
    assert_eq!(first[1].narrative, again[1].narrative);
    // A fresh monitor (a restart) resumes from the store: still one narrative of two.
    let mut restarted = monitor(&s, MonitorSettings::default()).await;
    restarted.observe(&s, &items).await.unwrap();
    let all = s.narratives(&NarrativeFilter::default()).await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].items, 2);
    // A third copy after the restart joins the same narrative.
    let third = save(&s, &[item("3", CLAIM, "c", None)]).await;
    let o = restarted.observe(&s, &third).await.unwrap();
    assert_eq!(o[0].narrative, first[0].narrative);
}

#[tokio::test]
async fn a_rebuild_recomputes_the_same_narratives() {
    let (_d, s) = store().await;
    let mut new = Vec::new();
    for i in 0..6 {
        new.push(item(&format!("c{i}"), CLAIM, &format!("s{i}"), None));
        new.push(item(
            &format!("o{i}"),
            &format!("{OTHER} lần {i} với các chi tiết khác nhau số {}", i * 7919),
            "news",
            None,
        ));
    }
    let items = save(&s, &new).await;
    let mut m = monitor(&s, MonitorSettings::default()).await;
    m.observe(&s, &items).await.unwrap();
    let before = s.narratives(&NarrativeFilter::default()).await.unwrap();
    let (_, n) = Monitor::rebuild(
        &s,
        MonitorSettings::default(),
        RatingScale::default(),
        None,
        &mut |_| {},
    )
    .await
    .unwrap();
    assert_eq!(n, 12);
    let after = s.narratives(&NarrativeFilter::default()).await.unwrap();
    assert_eq!(before, after);
}

fn settings(n: u32, m: u32, t: u32) -> MonitorSettings {
    MonitorSettings {
        narratives: ClusterSettings {
            burst_items: n,
            burst_sources: m,
            burst_minutes: t,
            ..ClusterSettings::default()
        },
        ..MonitorSettings::default()
    }
}

/// `count` copies of the claim from `sources` distinct sources, `gap` seconds apart.
async fn copies(count: usize, sources: usize, gap: i64, n: u32, m: u32, t: u32) -> bool {
    let (_d, s) = store().await;
    let start = 1_795_168_800;
    let new: Vec<_> = (0..count)
        .map(|i| {
            item(
                &i.to_string(),
                CLAIM,
                &format!("page-{}", i % sources),
                Some(&rfc3339(start + i as i64 * gap)),
            )
        })
        .collect();
    let items = save(&s, &new).await;
    let mut mon = monitor(&s, settings(n, m, t)).await;
    let seen = mon.observe(&s, &items).await.unwrap();
    let raised = seen
        .iter()
        .flat_map(|o| &o.alerts)
        .any(|a| a.rule == AlertRule::Burst);
    let flagged = s
        .narratives(&NarrativeFilter {
            bursts_only: true,
            ..NarrativeFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(raised, !flagged.is_empty());
    if let Some(b) = flagged.first().and_then(|f| f.burst.as_ref()) {
        assert!(b.items >= n && b.sources >= m);
        assert!(b.window_end - b.window_start <= i64::from(t) * 60);
        assert_eq!(b.evidence.len(), b.items as usize);
        assert!(b.evidence.iter().all(|e| e.source.is_some()));
    }
    raised
}

#[tokio::test]
async fn bursts_around_the_thresholds() {
    // N = 10 items from M = 4 sources within T = 5 minutes.
    assert!(
        copies(10, 4, 30, 10, 4, 5).await,
        "10 items, 4 sources, 4.5 min"
    );
    assert!(!copies(9, 4, 30, 10, 4, 5).await, "9 items");
    assert!(!copies(10, 3, 30, 10, 4, 5).await, "3 sources");
    // 10 items 34 s apart span 306 s > 300 s.
    assert!(!copies(10, 4, 34, 10, 4, 5).await, "spread over 5.1 min");
    assert!(copies(10, 4, 33, 10, 4, 5).await, "spread over 4.95 min");
}

#[tokio::test]
async fn a_backfill_is_judged_by_when_items_were_published() {
    // Ingested now, published a year apart: no burst however fast they were read.
    let (_d, s) = store().await;
    let new: Vec<_> = (0..30)
        .map(|i| {
            item(
                &i.to_string(),
                CLAIM,
                &format!("p{i}"),
                Some(&rfc3339(1_700_000_000 + i * 86_400 * 12)),
            )
        })
        .collect();
    let items = save(&s, &new).await;
    let mut m = monitor(&s, MonitorSettings::default()).await;
    let seen = m.observe(&s, &items).await.unwrap();
    assert!(seen.iter().all(|o| o.alerts.is_empty()));
    assert_eq!(seen[0].narrative, seen[29].narrative);
}

/// Words for ordinary posts.
fn word(rng: &mut Rng) -> String {
    const SYL: [&str; 24] = [
        "an", "bình", "cao", "dân", "em", "gia", "hà", "kinh", "lan", "minh", "nam", "ông", "phố",
        "quê", "rừng", "sông", "tân", "uy", "văn", "xuân", "yên", "đông", "bắc", "trung",
    ];
    format!(
        "{}{}",
        SYL[rng.below(24) as usize],
        SYL[rng.below(24) as usize]
    )
}

#[tokio::test]
async fn a_planted_flood_among_50000_posts_is_the_only_burst() {
    let (_d, s) = store().await;
    let mut rng = Rng(0x5eed);
    let month = 30 * 86_400;
    let start = 1_795_168_800 - month;
    let mut new = Vec::with_capacity(50_300);
    for i in 0..50_000 {
        let words: Vec<String> = (0..12 + rng.below(20)).map(|_| word(&mut rng)).collect();
        let at = start + rng.below(month as u64) as i64;
        new.push(item(
            &format!("o{i}"),
            &words.join(" "),
            &format!("src{}", rng.below(5000)),
            Some(&rfc3339(at)),
        ));
        // Ordinary sharing: now and then a post is copied by a few pages over days.
        if i % 500 == 0 {
            for k in 1..=4 {
                new.push(item(
                    &format!("o{i}r{k}"),
                    &words.join(" "),
                    &format!("fan{k}"),
                    Some(&rfc3339(at + k * 86_400)),
                ));
            }
        }
    }
    // The flood: 300 lightly varied copies from 120 sources in 10 minutes.
    let flood_start = start + month / 2;
    const PREFIX: [&str; 5] = [
        "",
        "CHIA SẺ NGAY:",
        "Đọc đi mọi người",
        "#sức_khoẻ",
        "Tin nóng!!",
    ];
    const SUFFIX: [&str; 5] = [
        "",
        "Hãy chia sẻ cho người thân.",
        "#share",
        "(nguồn: bạn tôi)",
        "!!!",
    ];
    for i in 0..300u64 {
        let text = format!(
            "{} {} {}",
            PREFIX[rng.below(5) as usize],
            if i % 3 == 0 {
                CLAIM.to_lowercase()
            } else {
                CLAIM.to_string()
            },
            SUFFIX[rng.below(5) as usize]
        );
        let at = flood_start + rng.below(600) as i64;
        new.push(item(
            &format!("f{i}"),
            &text,
            &format!("acct{}", i % 120),
            Some(&rfc3339(at)),
        ));
    }
    let items = save(&s, &new).await;
    assert_eq!(items.len(), 50_300 + 400);
    let mut m = monitor(&s, MonitorSettings::default()).await;
    let mut flood_narratives = std::collections::BTreeSet::new();
    for chunk in items.chunks(1000) {
        for o in m.observe(&s, chunk).await.unwrap() {
            let text = &chunk.iter().find(|i| i.id == o.item).unwrap().item;
            if text
                .external_id
                .as_deref()
                .is_some_and(|e| e.starts_with('f'))
            {
                flood_narratives.insert(o.narrative);
            }
        }
    }
    assert_eq!(
        flood_narratives.len(),
        1,
        "every flood copy joins one narrative"
    );
    let flagged = s
        .narratives(&NarrativeFilter {
            bursts_only: true,
            ..NarrativeFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(flagged.len(), 1, "only the flood is a burst");
    assert_eq!(Some(&flagged[0].id), flood_narratives.first());
    assert_eq!(flagged[0].items, 300);
    let b = flagged[0].burst.as_ref().unwrap();
    assert!(b.items >= 20 && b.sources >= 10);
    // The flood is kept in memory by a few representatives, not its 300 members.
    assert!(m.clusterer().representatives(flagged[0].id) <= REPRESENTATIVES);
    assert!(m.clusterer().len() < items.len());
    let alerts = s
        .alerts(&AlertFilter {
            rule: Some(AlertRule::Burst),
            ..AlertFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].narrative, Some(flagged[0].id));
    // The ordinary copies form narratives of five, none flagged.
    let shared = s
        .narratives(&NarrativeFilter {
            min_items: 5,
            limit: 1000,
            ..NarrativeFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(shared.len(), 101);
}

#[tokio::test]
async fn a_flood_of_edited_copies_is_one_narrative_held_by_a_few_representatives() {
    let (_d, s) = store().await;
    let mut rng = Rng(0xf100d);
    const EXTRA: [&str; 8] = [
        "",
        "🍋",
        "😱😱",
        "#share",
        "#suckhoe #chiase",
        "https://sh.example/x9k2",
        "!!!",
        "RT",
    ];
    let words: Vec<&str> = CLAIM.split(' ').collect();
    let start = 1_795_168_800;
    let new: Vec<_> = (0..3000)
        .map(|i| {
            // Light copy-paste edits: now and then two adjacent words swapped, something
            // before, something after.
            let mut w = words.clone();
            if rng.below(3) == 0 {
                let k = rng.below(w.len() as u64 - 1) as usize;
                w.swap(k, k + 1);
            }
            let before = if rng.below(5) == 0 {
                EXTRA[rng.below(8) as usize]
            } else {
                ""
            };
            let text = format!("{before} {} {}", w.join(" "), EXTRA[rng.below(8) as usize]);
            item(
                &format!("f{i}"),
                &text,
                &format!("acct{}", rng.below(400)),
                Some(&rfc3339(start + i)),
            )
        })
        .collect();
    let items = save(&s, &new).await;
    let mut m = monitor(&s, MonitorSettings::default()).await;
    let mut narratives = std::collections::BTreeSet::new();
    let mut alerts = Vec::new();
    for chunk in items.chunks(256) {
        for o in m.observe(&s, chunk).await.unwrap() {
            narratives.insert(o.narrative);
            alerts.extend(o.alerts.into_iter().map(|a| (a.rule, a.subject)));
        }
    }
    assert_eq!(narratives.len(), 1, "every edited copy joins one narrative");
    let n = *narratives.first().unwrap();
    let kept = m.clusterer().representatives(n);
    assert!(
        (2..=REPRESENTATIVES).contains(&kept),
        "{kept} representatives"
    );
    // What a restart reads back is those representatives, not the 3,000 members.
    let index = s.narrative_index().await.unwrap();
    assert_eq!(index.members.len() as u32, kept);
    // One burst (at 20 copies), one growth alert (at 150 in 3 hours), and the escalations
    // at 10x and 100x the 20 items of the first alert: not one alert per copy.
    let rules: Vec<AlertRule> = alerts.iter().map(|a| a.0).collect();
    assert_eq!(
        rules,
        [
            AlertRule::Burst,
            AlertRule::Growth,
            AlertRule::Escalation,
            AlertRule::Escalation
        ],
        "{alerts:?}"
    );
    assert_eq!(alerts[3].1, format!("narrative:{}:x100", n.0));
    let summary = &s.narratives(&NarrativeFilter::default()).await.unwrap()[0];
    assert_eq!(summary.items, 3000);
}

/// A flood of the claim, then `distinct` unrelated stories a day later, then the claim back
/// a week later (copies and an edited copy): (items, index of the claim's return).
/// The monitor's settings, holding at most `cap` narratives in memory.
fn holding(cap: u32) -> MonitorSettings {
    MonitorSettings {
        narratives: ClusterSettings {
            resident_narratives: cap,
            ..ClusterSettings::default()
        },
        ..MonitorSettings::default()
    }
}

fn a_story_that_comes_back(distinct: usize) -> (Vec<claimdesk_store::NewItem>, usize) {
    let mut rng = Rng(0xbac4);
    let start = 1_795_168_800;
    let mut new = Vec::new();
    for i in 0..200 {
        new.push(item(
            &format!("f{i}"),
            CLAIM,
            &format!("acct{}", i % 40),
            Some(&rfc3339(start + i)),
        ));
    }
    for i in 0..distinct {
        let words: Vec<String> = (0..12 + rng.below(20)).map(|_| word(&mut rng)).collect();
        new.push(item(
            &format!("o{i}"),
            &words.join(" "),
            &format!("src{}", rng.below(500)),
            Some(&rfc3339(start + 86_400 + i as i64 * 60)),
        ));
    }
    let back = new.len();
    for i in 0..20 {
        new.push(item(
            &format!("b{i}"),
            CLAIM,
            &format!("late{i}"),
            Some(&rfc3339(start + 7 * 86_400 + i)),
        ));
    }
    new.push(item(
        "edited",
        &format!("CHIA SẺ GẤP!! {CLAIM} #share"),
        "late-edit",
        Some(&rfc3339(start + 7 * 86_400 + 30)),
    ));
    (new, back)
}

/// Every item's narrative and every alert's (rule, subject), observing in chunks of 100;
/// `each` is called with the monitor after each chunk.
async fn observe_all(
    s: &claimdesk_store::SqliteStore,
    m: &mut Monitor,
    items: &[claimdesk_core::StoredItem],
    each: &mut dyn FnMut(&Monitor, usize),
) -> (Vec<claimdesk_core::NarrativeId>, Vec<(AlertRule, String)>) {
    let (mut narratives, mut alerts) = (Vec::new(), Vec::new());
    let mut done = 0;
    for chunk in items.chunks(100) {
        for o in m.observe(s, chunk).await.unwrap() {
            narratives.push(o.narrative);
            alerts.extend(o.alerts.into_iter().map(|a| (a.rule, a.subject)));
        }
        done += chunk.len();
        each(m, done);
    }
    (narratives, alerts)
}

#[tokio::test]
async fn memory_holds_at_most_its_cap_of_narratives_and_a_story_that_left_it_comes_back_to_its_narrative()
 {
    const CAP: u32 = 50;
    let bounded = holding(CAP);
    let (new, back) = a_story_that_comes_back(1000);

    // The same items through a monitor that holds every narrative.
    let (_d0, whole) = store().await;
    let items = save(&whole, &new).await;
    let mut m = monitor(&whole, MonitorSettings::default()).await;
    let expected = observe_all(&whole, &mut m, &items, &mut |_, _| {}).await;
    assert_eq!(m.narratives_held(), 1001, "a flood and 1,000 stories");

    let (_d, s) = store().await;
    let items = save(&s, &new).await;
    let mut m = monitor(&s, bounded.clone()).await;
    // Both stores number narratives in the order they start.
    let claim = expected.0[0];
    let mut most = 0;
    let mut left = false;
    let (narratives, alerts) = observe_all(&s, &mut m, &items, &mut |m, done| {
        most = most.max(m.narratives_held());
        if done == back {
            left = !m.clusterer().holds(claim);
        }
    })
    .await;
    assert!(most <= CAP as usize, "{most} narratives held, cap {CAP}");
    assert!(
        left,
        "the flood's narrative left memory during the 1,000 stories"
    );
    assert!(m.clusterer().holds(claim), "and came back with its copies");
    // The same narratives and alerts as with every narrative in memory: the copies a week
    // later (and the edited one) join the flood's narrative, which raises no second burst
    // or growth alert.
    assert_eq!(narratives, expected.0);
    assert_eq!(alerts, expected.1);
    let rules: Vec<AlertRule> = alerts.iter().map(|a| a.0).collect();
    assert_eq!(
        rules,
        [AlertRule::Burst, AlertRule::Growth, AlertRule::Escalation]
    );
    assert!(narratives[back..].iter().all(|n| *n == claim));
    let detail = s.narrative(claim, 0).await.unwrap().unwrap();
    assert_eq!(detail.summary.items, 221);
    let bursts = s
        .alerts(&AlertFilter {
            rule: Some(AlertRule::Burst),
            ..AlertFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(bursts.len(), 1);

    // A restart holds the most recently seen narratives only, and an old story posted
    // again finds its narrative in the store.
    let mut restarted = monitor(&s, bounded).await;
    assert!(restarted.narratives_held() <= CAP as usize);
    let oldest = narratives[200];
    assert!(!restarted.clusterer().holds(oldest));
    let again = save(
        &s,
        &[item(
            "o0-again",
            &new[200].item.text,
            "someone-else",
            Some(&rfc3339(1_795_168_800 + 30 * 86_400)),
        )],
    )
    .await;
    let o = restarted.observe(&s, &again).await.unwrap();
    assert_eq!(o[0].narrative, oldest);
    assert!(o[0].added);
}

#[tokio::test]
async fn an_item_whose_image_is_a_near_duplicate_joins_that_items_narrative_even_after_it_left_memory()
 {
    use claimdesk_core::{ImageJoin, JoinedBy};
    const CAP: u32 = 4;
    let bounded = holding(CAP);
    let mut rng = Rng(0x1a6e);
    let mut story = |id: &str, at: i64| {
        let words: Vec<String> = (0..14).map(|_| word(&mut rng)).collect();
        item(id, &words.join(" "), "src", Some(&rfc3339(at)))
    };
    let start = 1_795_168_800;
    let (_d, s) = store().await;
    // The picture's first post, then twenty other stories: it leaves memory.
    let mut first = vec![story("pic", start)];
    first.extend((0..20).map(|i| story(&format!("o{i}"), start + 60 * (i + 1))));
    let first = save(&s, &first).await;
    let mut m = monitor(&s, bounded).await;
    let placed = m.observe(&s, &first).await.unwrap();
    let (picture, picture_narrative) = (first[0].id, placed[0].narrative);
    assert!(!m.clusterer().holds(picture_narrative));
    let other_narrative = placed[5].narrative;

    // Re-shared with new words (and, in the same batch, shared on from that post), and
    // once with an earlier story's words copied.
    let words_of_other = first[5].item.text.clone();
    let later = save(
        &s,
        &[
            story("reshare", start + 86_400),
            story("reshare-of-reshare", start + 86_460),
            item(
                "copy",
                &words_of_other,
                "elsewhere",
                Some(&rfc3339(start + 86_520)),
            ),
            story("unrelated", start + 86_580),
        ],
    )
    .await;
    let near = |item, distance| ImageJoin { item, distance };
    s.save_image_neighbours(&[
        (later[0].id, near(picture, 18)),
        (later[1].id, near(later[0].id, 7)),
        (later[2].id, near(picture, 20)),
    ])
    .await
    .unwrap();
    let o = m.observe(&s, &later).await.unwrap();
    assert_eq!(
        o[0].narrative, picture_narrative,
        "brought back and joined by image"
    );
    assert_eq!(
        o[1].narrative, picture_narrative,
        "joined through the batch's own item"
    );
    assert_eq!(o[2].narrative, other_narrative, "copied words decide first");
    assert_ne!(o[3].narrative, picture_narrative);

    let detail = s.narrative(picture_narrative, 10).await.unwrap().unwrap();
    let joined: Vec<(JoinedBy, Option<ImageJoin>)> = detail
        .items
        .iter()
        .map(|i| (i.joined_by, i.image))
        .collect();
    assert_eq!(
        joined,
        [
            (JoinedBy::Seed, None),
            (JoinedBy::Image, Some(near(picture, 18))),
            (JoinedBy::Image, Some(near(later[0].id, 7))),
        ]
    );

    // The neighbours are the images' facts, not the narratives': a rebuild joins them again.
    let rebuilt_narratives = {
        Monitor::rebuild(
            &s,
            MonitorSettings::default(),
            RatingScale::default(),
            None,
            &mut |_| {},
        )
        .await
        .unwrap();
        s.narratives_of(&[picture, later[0].id, later[1].id, later[2].id])
            .await
            .unwrap()
    };
    let n: Vec<_> = rebuilt_narratives.iter().map(|(_, n)| *n).collect();
    assert_eq!(n[0], n[1]);
    assert_eq!(n[0], n[2]);
    assert_ne!(n[0], n[3]);
}
