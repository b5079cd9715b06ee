//! Images on items and fact-checks (issue 20): recorded once by SHA-256, linked in order,
//! refused ones kept with their reason, fact-check hashes listed for the index.

use claimdesk_core::{FactCheckId, Item, ItemId};
use claimdesk_store::prelude::*;
use claimdesk_store::{AnyStore, NewItem, NewItemImage, StoredImage};

use crate::{fc, source};

fn image(sha: char, pdq: Option<char>, text: Option<&str>) -> StoredImage {
    StoredImage {
        sha256: sha.to_string().repeat(64),
        format: "png".into(),
        width: 640,
        height: 480,
        bytes: 12_345,
        pdq: pdq.map(|c| c.to_string().repeat(64)),
        pdq_quality: pdq.map(|_| 88),
        ocr_text: text.map(str::to_string),
        ocr_note: text.is_none().then(|| "not read".to_string()),
    }
}

async fn images_are_recorded_once_and_linked_to_items_in_order(s: AnyStore) {
    let item = NewItem {
        item: Item {
            text: "Xem ảnh này".into(),
            source: Some("zalo".into()),
            ..Item::default()
        },
        key: "k1".into(),
    };
    let (_, ids) = s.save_items(&[item], source()).await.unwrap();
    let id = ids[0];
    let a = image('a', Some('f'), None);
    s.save_image(&a).await.unwrap();
    // A second save keeps the first row but fills in text read since.
    let mut again = image('a', Some('0'), Some("Bộ Y tế khuyến cáo"));
    again.width = 1;
    s.save_image(&again).await.unwrap();
    let got = s.image(&a.sha256).await.unwrap().unwrap();
    assert_eq!(got.width, 640);
    assert_eq!(got.pdq, a.pdq);
    assert_eq!(got.ocr_text.as_deref(), Some("Bộ Y tế khuyến cáo"));
    // ...and text never goes back to unread.
    s.save_image(&a).await.unwrap();
    let got = s.image(&a.sha256).await.unwrap().unwrap();
    assert_eq!(got.ocr_text.as_deref(), Some("Bộ Y tế khuyến cáo"));
    assert_eq!(s.image(&"9".repeat(64)).await.unwrap(), None);

    let links = [
        NewItemImage {
            position: 0,
            name: Some("shot.png".into()),
            sha256: Some(a.sha256.clone()),
            note: None,
            refused: None,
        },
        NewItemImage {
            position: 1,
            name: Some("evil.svg".into()),
            sha256: None,
            note: None,
            refused: Some("SVG is not accepted as an image".into()),
        },
        NewItemImage {
            position: 2,
            name: None,
            sha256: Some(a.sha256.clone()),
            note: Some("named as PNG but JPEG".into()),
            refused: None,
        },
    ];
    s.set_item_images(id, &links).await.unwrap();
    let got = s.item_images(id).await.unwrap();
    assert_eq!(got.len(), 3);
    assert_eq!(got[0].name.as_deref(), Some("shot.png"));
    assert_eq!(
        got[0].image.as_ref().unwrap().ocr_text.as_deref(),
        Some("Bộ Y tế khuyến cáo")
    );
    assert_eq!(got[1].image, None);
    assert_eq!(
        got[1].refused.as_deref(),
        Some("SVG is not accepted as an image")
    );
    assert_eq!(got[2].position, 2);
    assert_eq!(got[2].note.as_deref(), Some("named as PNG but JPEG"));
    // The queue's count: kept images only, items without any left out.
    let other = ItemId(id.0 + 1_000);
    assert_eq!(s.item_image_counts(&[other, id]).await.unwrap(), [(id, 2)]);
    assert_eq!(s.item_image_counts(&[]).await.unwrap(), []);
    // Setting again replaces.
    s.set_item_images(id, &links[..1]).await.unwrap();
    assert_eq!(s.item_images(id).await.unwrap().len(), 1);
}

async fn fact_check_images_are_listed_with_their_hashes(s: AnyStore) {
    s.save_fact_checks(
        &[
            fc("fc-1", "Chanh nóng chữa ung thư", "k1"),
            fc("fc-2", "Other", "k2"),
        ],
        source(),
    )
    .await
    .unwrap();
    let ids: Vec<FactCheckId> = s
        .fact_checks()
        .await
        .unwrap()
        .into_iter()
        .map(|f| f.id)
        .collect();
    let (one, two) = (ids[0], ids[1]);
    // Found by the key its import gave it (what the importer attaches reviewed images by).
    assert_eq!(s.fact_check_id("fc-1").await.unwrap(), Some(one));
    assert_eq!(s.fact_check_id("fc-9").await.unwrap(), None);
    s.save_image(&image('b', Some('1'), None)).await.unwrap();
    s.save_image(&image('c', None, None)).await.unwrap();
    s.add_fact_check_image(one, &"b".repeat(64)).await.unwrap();
    s.add_fact_check_image(one, &"b".repeat(64)).await.unwrap();
    s.add_fact_check_image(two, &"c".repeat(64)).await.unwrap();
    let on_one = s.fact_check_images(one).await.unwrap();
    assert_eq!(on_one.len(), 1);
    assert_eq!(on_one[0].sha256, "b".repeat(64));
    // Only hashed images reach the index.
    assert_eq!(
        s.fact_check_image_hashes().await.unwrap(),
        [(one, "b".repeat(64), "1".repeat(64))]
    );
}

async fn items_images_hashes_and_near_duplicate_neighbours_are_listed(s: AnyStore) {
    let items: Vec<NewItem> = (0..3)
        .map(|k| NewItem {
            item: Item {
                text: format!("Bài {k}"),
                ..Item::default()
            },
            key: format!("k{k}"),
        })
        .collect();
    let (_, ids) = s.save_items(&items, source()).await.unwrap();
    s.save_image(&image('d', Some('2'), None)).await.unwrap();
    s.save_image(&image('e', None, None)).await.unwrap();
    s.save_image(&image('f', Some('3'), None)).await.unwrap();
    let link = |position, sha: char| NewItemImage {
        position,
        name: None,
        sha256: Some(sha.to_string().repeat(64)),
        note: None,
        refused: None,
    };
    s.set_item_images(ids[0], &[link(0, 'd'), link(1, 'e')])
        .await
        .unwrap();
    s.set_item_images(ids[2], &[link(0, 'f'), link(1, 'd')])
        .await
        .unwrap();
    // Hashed images only, by item then position; the newest items first for the window.
    let listed = |hashes: Vec<claimdesk_store::ItemImageHash>| -> Vec<(ItemId, char)> {
        hashes
            .into_iter()
            .map(|h| (h.item, h.sha256.chars().next().unwrap()))
            .collect()
    };
    assert_eq!(
        listed(s.item_image_hashes(&ids).await.unwrap()),
        [(ids[0], 'd'), (ids[2], 'f'), (ids[2], 'd')]
    );
    assert_eq!(s.item_image_hashes(&[]).await.unwrap(), []);
    assert_eq!(
        listed(s.recent_item_image_hashes(2).await.unwrap()),
        [(ids[2], 'f'), (ids[2], 'd')]
    );
    let h = &s.item_image_hashes(&[ids[0]]).await.unwrap()[0];
    assert_eq!(
        (h.pdq.as_str(), h.pdq_quality),
        ("2".repeat(64).as_str(), Some(88))
    );

    // A neighbour recorded again is replaced.
    let near = |item, distance| claimdesk_core::ImageJoin { item, distance };
    s.save_image_neighbours(&[(ids[2], near(ids[1], 30))])
        .await
        .unwrap();
    s.save_image_neighbours(&[(ids[2], near(ids[0], 12))])
        .await
        .unwrap();
    assert_eq!(
        s.image_neighbours(&ids).await.unwrap(),
        [(ids[2], near(ids[0], 12))]
    );
    assert_eq!(s.image_neighbours(&[ids[0]]).await.unwrap(), []);
    // Not in a narrative yet.
    assert_eq!(s.narratives_of(&ids).await.unwrap(), []);
}

conformance!(
    images_are_recorded_once_and_linked_to_items_in_order,
    fact_check_images_are_listed_with_their_hashes,
    items_images_hashes_and_near_duplicate_neighbours_are_listed,
);
