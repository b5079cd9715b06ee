//! Moving a desk from SQLite to PostgreSQL (`PgStore::copy_from`): every record arrives, the
//! audit chain verifies with the move at its end, what PostgreSQL derives agrees, new rows
//! take new ids, and a database that already holds a desk is refused untouched.

use claimdesk_core::{Actor, CaseStatus, FactCheck, Item, ItemId, NarrativeId, Rating, Role, User};
use claimdesk_store::auth::hash_password;
use claimdesk_store::prelude::*;
use claimdesk_store::{
    AuditFilter, CaseFilter, DraftFactCheck, Error, NewCase, NewEvidence, NewItem, NewUser, PgStore,
};

use crate::{fc, pg_schema, source, store};

async fn add(s: &impl Store, name: &str, role: Role) -> User {
    let new = NewUser {
        username: name.into(),
        display_name: Some(format!("{name} of the desk")),
        role,
        password: hash_password("password-of-test").unwrap(),
    };
    s.add_user(&new, Actor::Cli).await.unwrap()
}

fn item(key: &str, text: &str, source: &str) -> NewItem {
    NewItem {
        item: Item {
            text: text.into(),
            source: Some(source.into()),
            published_at: Some("2026-11-30T08:00:00Z".into()),
            ..Item::default()
        },
        key: key.into(),
    }
}

/// A desk with a bit of everything: fact-checks with an alias, items and their matches, a
/// case through to a published verdict with a note and evidence, users, a token.
async fn a_desk(s: &impl Store) -> (Vec<ItemId>, claimdesk_core::CaseId) {
    s.save_fact_checks(
        &[
            fc("https://fc.example/1", "Lemon water cures cancer", "lemon"),
            fc("https://fc.example/2", "Lemon water cures cancer!", "lemon"),
            fc("https://fc.example/3", "Vaccines cause infertility", "vacc"),
        ],
        source(),
    )
    .await
    .unwrap();
    let (_, ids) = s
        .save_items(
            &[
                item("a", "Nước chanh nóng chữa ung thư", "page1"),
                item("b", "lemon water cures cancer, share!", "page2"),
                item("c", "Tap water on Tuesdays makes you taller", "page2"),
            ],
            source(),
        )
        .await
        .unwrap();
    let fcs = s.fact_checks().await.unwrap();
    s.save_matches_of(&[(
        ids[1],
        vec![claimdesk_store::StoredMatch {
            fact_check: fcs[0].id,
            rank: 1,
            score: 0.9,
            explanation: claimdesk_core::Explanation::default(),
        }],
    )])
    .await
    .unwrap();
    s.mark_processed(&ids[..2]).await.unwrap();
    // The first two items carry near-duplicate pictures: the second's neighbour is the first.
    for (k, sha) in [(0, 'a'), (1, 'b')] {
        s.save_image(&claimdesk_store::StoredImage {
            sha256: sha.to_string().repeat(64),
            format: "png".into(),
            width: 640,
            height: 480,
            bytes: 1000,
            pdq: Some("f".repeat(64)),
            pdq_quality: Some(90),
            ocr_text: None,
            ocr_note: None,
        })
        .await
        .unwrap();
        let link = claimdesk_store::NewItemImage {
            position: 0,
            name: Some("photo.png".into()),
            sha256: Some(sha.to_string().repeat(64)),
            note: None,
            refused: None,
        };
        s.set_item_images(ids[k], &[link]).await.unwrap();
    }
    let near = claimdesk_core::ImageJoin {
        item: ids[0],
        distance: 14,
    };
    s.save_image_neighbours(&[(ids[1], near)]).await.unwrap();
    let ed = add(s, "ed", Role::Editor).await;
    let rev = add(s, "rita", Role::Reviewer).await;
    s.create_api_token(ed.id, "ci", Actor::Cli).await.unwrap();
    let case = s
        .create_case(
            &NewCase {
                item: Some(ids[2]),
                ..NewCase::default()
            },
            ed.id,
        )
        .await
        .unwrap();
    s.transition_case(case.id, CaseStatus::Verifying, ed.id)
        .await
        .unwrap();
    s.add_note(case.id, "Asked the water utility.", ed.id)
        .await
        .unwrap();
    s.add_evidence(
        case.id,
        &NewEvidence {
            url: "https://water.example/report".into(),
            title: Some("Report".into()),
            note: None,
        },
        ed.id,
    )
    .await
    .unwrap();
    let draft = DraftFactCheck {
        fact_check: FactCheck {
            source_id: "ignored".into(),
            claim: "Tap water on Tuesdays makes you taller".into(),
            rating: Some(Rating {
                label: Some("False".into()),
                ..Rating::default()
            }),
            language: Some("en".into()),
            review_body: Some("No effect on height.".into()),
            ..FactCheck::default()
        },
        duplicate_key: "tap water".into(),
    };
    s.save_draft_fact_check(case.id, &draft, ed.id)
        .await
        .unwrap();
    for to in [CaseStatus::Drafted, CaseStatus::InReview] {
        s.transition_case(case.id, to, ed.id).await.unwrap();
    }
    s.transition_case(case.id, CaseStatus::Published, rev.id)
        .await
        .unwrap();
    (ids, case.id)
}

#[tokio::test]
async fn a_sqlite_desk_moves_to_postgres_whole() {
    let Some((url, schema)) = pg_schema().await else {
        return;
    };
    let (_dir, from) = store().await;
    let (ids, case) = a_desk(&from).await;
    // Lookup keys in SQLite's levels: 25,001 moved down out of the first level, then two
    // waiting there; key 7 has a row in each.
    let mut keys: Vec<(u64, NarrativeId)> = (1..=25_000u64)
        .map(|i| (i.wrapping_mul(0x9e37_79b9_7f4a_7c15), NarrativeId(i as i64)))
        .collect();
    keys.push((7, NarrativeId(30_000)));
    from.file_narrative_keys(&keys, 4).await.unwrap();
    from.file_narrative_keys(&[(7, NarrativeId(30_001)), (8, NarrativeId(30_002))], 4)
        .await
        .unwrap();
    let to = PgStore::open_schema(&url, &schema).await.unwrap();
    let report = to.copy_from(&from).await.unwrap();
    assert_eq!(report.rows("narrative_keys"), 25_003);
    for probe in [
        vec![7, 8],
        vec![9_u64.wrapping_mul(0x9e37_79b9_7f4a_7c15)],
        vec![7],
    ] {
        assert_eq!(
            to.narratives_by_keys(&probe, 1).await.unwrap(),
            from.narratives_by_keys(&probe, 1).await.unwrap(),
            "{probe:?}"
        );
    }
    assert_eq!(
        to.narratives_by_keys(&[7, 8], 4).await.unwrap(),
        [
            NarrativeId(30_000),
            NarrativeId(30_001),
            NarrativeId(30_002)
        ]
    );
    assert_eq!(report.rows("items"), 3);
    assert_eq!(
        report.rows("factchecks"),
        4,
        "three imported and the verdict"
    );
    assert_eq!(report.rows("case_transitions"), 5);
    assert_eq!(report.rows("item_image_neighbours"), 1);
    assert_eq!(
        to.image_neighbours(&ids).await.unwrap(),
        from.image_neighbours(&ids).await.unwrap()
    );
    assert!(report.rows("audit_events") > 10, "{report:?}");

    // The records, read back through the traits, are the same.
    assert_eq!(
        to.fact_checks().await.unwrap(),
        from.fact_checks().await.unwrap()
    );
    assert_eq!(
        to.items(ItemId(0), 10).await.unwrap(),
        from.items(ItemId(0), 10).await.unwrap()
    );
    assert_eq!(
        to.matches_of_items(&ids).await.unwrap(),
        from.matches_of_items(&ids).await.unwrap()
    );
    assert_eq!(to.users().await.unwrap(), from.users().await.unwrap());
    assert_eq!(to.case(case).await.unwrap(), from.case(case).await.unwrap());
    assert_eq!(
        to.cases(&CaseFilter::default()).await.unwrap(),
        from.cases(&CaseFilter::default()).await.unwrap()
    );
    assert_eq!(to.revision().await.unwrap(), from.revision().await.unwrap());
    assert_eq!(to.counts().await.unwrap(), from.counts().await.unwrap());
    assert_eq!(
        to.item_facets().await.unwrap(),
        from.item_facets().await.unwrap()
    );
    assert_eq!(to.pending_items(10).await.unwrap(), [ids[2]]);
    assert_eq!(
        to.stat_rows().await.unwrap(),
        from.stat_rows().await.unwrap()
    );
    // The queue's search was indexed as the items arrived.
    let search = claimdesk_store::ItemFilter {
        text: Some("nuoc chanh".into()),
        ..claimdesk_store::ItemFilter::default()
    };
    let page = claimdesk_store::PageRequest {
        offset: 0,
        limit: 10,
    };
    assert_eq!(to.queue(&search, page).await.unwrap().entries.len(), 1);

    // One chain, the move its last event, intact.
    let (head, _) = to.audit_head().await.unwrap().unwrap();
    let (before, _) = from.audit_head().await.unwrap().unwrap();
    assert_eq!(head, before + 1);
    assert_eq!(report.audit_seq, head);
    assert!(to.verify_audit().await.unwrap().problem.is_none());
    let last = to
        .audit_events(&AuditFilter {
            after: head - 1,
            limit: 1,
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(last[0].action, "store.migrate", "{last:?}");

    // New rows take ids after the copied ones.
    let (_, more) = to
        .save_items(&[item("d", "a fourth post", "page3")], source())
        .await
        .unwrap();
    assert_eq!(more, [ItemId(ids[2].0 + 1)]);

    // A database that holds a desk is refused, and nothing changes.
    let (head, _) = to.audit_head().await.unwrap().unwrap();
    let e = to.copy_from(&from).await.unwrap_err();
    assert!(matches!(e, Error::Invalid(_)), "{e:?}");
    assert!(e.to_string().contains("already holds a desk"), "{e}");
    assert_eq!(to.audit_head().await.unwrap().unwrap().0, head);
    assert_eq!(to.counts().await.unwrap().1, 4);
}
