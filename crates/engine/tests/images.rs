//! Items sent with images (issue 20): the text read joins the item and matches the right
//! fact-check, a near-duplicate of a fact-check's image is an image match with its distance,
//! a refused image keeps the item's text, an item of nothing readable is refused with why.

use std::io::Cursor;

use claimdesk_engine::core::{Actor, Item, ItemId};
use claimdesk_engine::image::render::{photo, screenshot};
use claimdesk_engine::ingest::FactCheckFormat;
use claimdesk_engine::store::prelude::*;
use claimdesk_engine::{Engine, EngineOptions, Error, ImageUpload};

const POST: [&str; 3] = [
    "Bộ Y tế khuyến cáo uống nước chanh nóng",
    "mỗi sáng để chữa khỏi ung thư gan.",
    "Chia sẻ ngay cho người thân!",
];

fn encoded(image: &image::DynamicImage, format: image::ImageFormat) -> Vec<u8> {
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(image.to_rgb8())
        .write_to(&mut Cursor::new(&mut out), format)
        .unwrap();
    out
}

async fn desk() -> (tempfile::TempDir, Engine) {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(dir.path(), EngineOptions::lexical())
        .await
        .unwrap();
    let reviews = serde_json::json!([
        {
            "@context": "https://schema.org", "@type": "ClaimReview",
            "url": "https://fc.example/chanh-nong",
            "claimReviewed": "Uống nước chanh nóng mỗi sáng chữa khỏi ung thư gan",
            "inLanguage": "vi",
            "reviewRating": {"@type": "Rating", "ratingValue": 1, "bestRating": 5, "worstRating": 1}
        },
        {
            "@context": "https://schema.org", "@type": "ClaimReview",
            "url": "https://fc.example/other",
            "claimReviewed": "Tỏi sống diệt được virus corona",
            "inLanguage": "vi",
            "reviewRating": {"@type": "Rating", "ratingValue": 1, "bestRating": 5, "worstRating": 1}
        }
    ])
    .to_string();
    engine
        .import_fact_checks("fc", reviews.as_bytes(), FactCheckFormat::Auto, Actor::Cli)
        .await
        .unwrap();
    (dir, engine)
}

#[tokio::test]
async fn a_vietnamese_screenshot_is_read_matched_and_its_near_duplicate_found() {
    let (dir, engine) = desk().await;
    let fact_checks = engine.store().fact_checks().await.unwrap();
    let lemon = fact_checks
        .iter()
        .find(|f| f.fact_check.claim.contains("chanh"))
        .unwrap()
        .id;
    // The fact-check carries the screenshot it reviewed (as a PNG).
    let shot = screenshot(&POST, 22.0, false);
    engine
        .add_fact_check_image(
            lemon,
            ImageUpload {
                name: Some("reviewed.png".into()),
                bytes: encoded(&shot, image::ImageFormat::Png),
            },
        )
        .await
        .unwrap();
    // The item: the same screenshot re-shared as a JPEG, no text of its own, and an SVG.
    let svg = b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>";
    let out = engine
        .add_item_with_images(
            Item {
                source: Some("zalo".into()),
                external_id: Some("z1".into()),
                ..Item::default()
            },
            vec![
                ImageUpload {
                    name: Some("share.jpg".into()),
                    bytes: encoded(&shot, image::ImageFormat::Jpeg),
                },
                ImageUpload {
                    name: Some("cute.svg".into()),
                    bytes: svg.to_vec(),
                },
            ],
            Actor::Cli,
        )
        .await
        .unwrap();
    assert_eq!(out.counts.added, 1);
    let id = out.changed[0];
    let item = engine.store().item(id).await.unwrap().unwrap().item;
    assert_eq!(item.text, POST.join("\n"));
    assert_eq!(item.language.as_deref(), Some("vi"));
    // Matched by the text read, to the right fact-check.
    assert_eq!(out.report.matched, 1);
    let matches = engine.store().matches(id).await.unwrap();
    assert_eq!(matches[0].fact_check, lemon);
    // The images as recorded: the JPEG kept and read, the SVG refused with why.
    let images = engine.store().item_images(id).await.unwrap();
    assert_eq!(images.len(), 2);
    let kept = images[0].image.as_ref().unwrap();
    assert_eq!(kept.format, "jpeg");
    assert_eq!(kept.ocr_text.as_deref(), Some(POST.join("\n").as_str()));
    assert!(
        dir.path()
            .join("images")
            .join(&kept.sha256[..2])
            .join(&kept.sha256[2..])
            .is_file()
    );
    assert_eq!(images[1].image, None);
    assert!(
        images[1]
            .refused
            .as_deref()
            .unwrap()
            .starts_with("SVG is not accepted as an image"),
        "{:?}",
        images[1].refused
    );
    // The image match: the re-shared JPEG is a near-duplicate of the fact-check's PNG.
    let image_matches = engine
        .images()
        .item_matches(engine.store(), id)
        .await
        .unwrap();
    assert_eq!(image_matches.len(), 1, "{image_matches:?}");
    assert_eq!(image_matches[0].fact_check, lemon);
    assert!(image_matches[0].distance <= 16, "{image_matches:?}");
    assert_eq!(
        image_matches[0].explanation(),
        format!(
            "image near-duplicate of fact-check {lemon}'s image, distance {} of 256",
            image_matches[0].distance
        )
    );
}

#[tokio::test]
async fn a_refused_image_keeps_the_items_text_and_nothing_readable_is_refused() {
    let (_dir, engine) = desk().await;
    let png = encoded(&screenshot(&["x"], 20.0, false), image::ImageFormat::Png);
    let out = engine
        .add_item_with_images(
            Item {
                text: "Tỏi sống diệt được virus corona, ai cũng nên biết".into(),
                ..Item::default()
            },
            vec![ImageUpload {
                name: Some("cut.png".into()),
                bytes: png[..png.len() / 2].to_vec(),
            }],
            Actor::Cli,
        )
        .await
        .unwrap();
    let id = out.changed[0];
    let item = engine.store().item(id).await.unwrap().unwrap().item;
    assert_eq!(
        item.text,
        "Tỏi sống diệt được virus corona, ai cũng nên biết"
    );
    let images = engine.store().item_images(id).await.unwrap();
    assert_eq!(
        images[0].refused.as_deref(),
        Some("the PNG image is truncated or corrupt: it ends before the picture does")
    );
    assert_eq!(out.report.matched, 1);
    // No text and only a refused image: refused, saying why.
    let e = engine
        .add_item_with_images(
            Item::default(),
            vec![ImageUpload {
                name: Some("photo.jpg".into()),
                bytes: b"<!DOCTYPE html><script>alert(1)</script>".to_vec(),
            }],
            Actor::Cli,
        )
        .await
        .unwrap_err();
    match e {
        Error::Usage(m) => assert_eq!(
            m,
            "the item has no text and none was read from its images: photo.jpg is not a JPEG \
             image: its bytes are an HTML page"
        ),
        other => panic!("{other:?}"),
    }
}

/// The names of the files in `dir`, sorted.
fn names(dir: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .filter(|e| e.path().is_file())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

#[tokio::test]
async fn a_drop_folder_takes_images_with_their_sidecars_and_refuses_bad_ones_by_name() {
    let (_dir, engine) = desk().await;
    let lemon = engine
        .store()
        .fact_checks()
        .await
        .unwrap()
        .into_iter()
        .find(|f| f.fact_check.claim.contains("chanh"))
        .unwrap()
        .id;
    let folder = tempfile::tempdir().unwrap();
    let drop = folder.path();
    let shot = screenshot(&POST, 22.0, false);
    // A screenshot alone: its item is what was read from it.
    std::fs::write(
        drop.join("zalo-share.png"),
        encoded(&shot, image::ImageFormat::Png),
    )
    .unwrap();
    // A photo with its sidecar: the item's fields, and text of its own.
    std::fs::write(
        drop.join("tip-7.jpg"),
        encoded(&screenshot(&POST, 22.0, true), image::ImageFormat::Jpeg),
    )
    .unwrap();
    std::fs::write(
        drop.join("tip-7.json"),
        r#"{"id": "tip-7", "source": "hotline", "url": "https://social.example/p/7", "text": "Một bạn đọc gửi ảnh này"}"#,
    )
    .unwrap();
    // A truncated PNG, no sidecar: refused by name, the rest of the folder read.
    let png = encoded(&screenshot(&["x"], 20.0, false), image::ImageFormat::Png);
    std::fs::write(drop.join("cut.png"), &png[..png.len() / 2]).unwrap();
    // Not a WebP at all, but a sidecar with text: the item is kept, the image refused.
    std::fs::write(drop.join("fake.webp"), b"<!DOCTYPE html><p>hi").unwrap();
    std::fs::write(
        drop.join("fake.json"),
        r#"{"id": "fake", "source": "hotline", "text": "Tỏi sống diệt được virus corona, ai cũng nên biết"}"#,
    )
    .unwrap();
    // A broken sidecar: the pair is refused, naming the sidecar.
    std::fs::write(
        drop.join("odd.png"),
        encoded(&shot, image::ImageFormat::Png),
    )
    .unwrap();
    std::fs::write(drop.join("odd.json"), "{\"id\": ").unwrap();
    // And posts as before.
    std::fs::write(
        drop.join("posts.jsonl"),
        "{\"id\": \"p1\", \"source\": \"partner\", \"text\": \"Tỏi sống diệt được virus corona\"}\n",
    )
    .unwrap();

    let source = engine
        .store()
        .add_source(
            &claimdesk_engine::store::NewSource {
                kind: claimdesk_engine::store::SourceKind::Folder,
                location: drop.display().to_string(),
                interval_secs: 3600,
                first_poll_at: claimdesk_engine::ingest::poll::timestamp_text(
                    jiff::Timestamp::now(),
                ),
            },
            Actor::Cli,
        )
        .await
        .unwrap();
    let poller = claimdesk_engine::jobs::poller(&engine).unwrap();
    let later = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(60);
    let report = poller.poll(&source, later).await.unwrap();
    assert_eq!(report.error, None);
    // Items: the screenshot, the photo, the fake (kept for its text), the post; refused:
    // the fake's image, the cut PNG, the odd pair.
    assert_eq!((report.items, report.rejected), (4, 3), "{report:?}");
    assert_eq!(report.changed.len(), 4);
    let processed = engine.process(&report.changed, false).await.unwrap();
    assert!(processed.matched >= 3, "{processed:?}");

    assert_eq!(
        names(&drop.join("done")),
        [
            "fake.json",
            "fake.webp",
            "fake.webp.errors.txt",
            "posts.jsonl",
            "tip-7.jpg",
            "tip-7.json",
            "zalo-share.png"
        ]
    );
    assert_eq!(
        names(&drop.join("rejected")),
        [
            "cut.png",
            "cut.png.errors.txt",
            "odd.json",
            "odd.png",
            "odd.png.errors.txt"
        ]
    );
    let why = |path: &str| std::fs::read_to_string(drop.join(path)).unwrap();
    let cut = why("rejected/cut.png.errors.txt");
    assert!(
        cut.contains("cut.png") && cut.contains("truncated"),
        "{cut}"
    );
    let odd = why("rejected/odd.png.errors.txt");
    assert!(
        odd.contains("odd.json") && odd.contains("invalid JSON"),
        "{odd}"
    );
    let fake = why("done/fake.webp.errors.txt");
    assert!(
        fake.contains("fake.webp") && fake.contains("kept for its text"),
        "{fake}"
    );
    assert!(names(drop).is_empty(), "{:?}", names(drop));

    // The items as stored.
    let items = engine.store().items(ItemId(0), 100).await.unwrap();
    let by_id = |id: &str| {
        items
            .iter()
            .find(|i| i.item.external_id.as_deref() == Some(id))
            .unwrap_or_else(|| panic!("{id}: {items:?}"))
    };
    let shot_sha = claimdesk_engine::image::Sha256Hex::of(&encoded(&shot, image::ImageFormat::Png));
    let alone = by_id(&format!("sha256:{}", shot_sha.as_str()));
    assert_eq!(alone.item.text, POST.join("\n"));
    assert_eq!(
        engine.store().matches(alone.id).await.unwrap()[0].fact_check,
        lemon
    );
    let tip = by_id("tip-7");
    assert_eq!(tip.item.source.as_deref(), Some("hotline"));
    assert_eq!(tip.item.url.as_deref(), Some("https://social.example/p/7"));
    assert!(
        tip.item.text.starts_with("Một bạn đọc gửi ảnh này\n\n"),
        "{}",
        tip.item.text
    );
    let images = engine.store().item_images(tip.id).await.unwrap();
    assert_eq!(images[0].name.as_deref(), Some("tip-7.jpg"));
    assert!(images[0].image.as_ref().unwrap().ocr_text.is_some());
    let fake = by_id("fake");
    assert_eq!(
        fake.item.text,
        "Tỏi sống diệt được virus corona, ai cũng nên biết"
    );
    assert!(
        engine.store().item_images(fake.id).await.unwrap()[0]
            .refused
            .is_some()
    );

    // The same screenshot dropped again: the same item, unchanged.
    std::fs::write(
        drop.join("again.png"),
        encoded(&shot, image::ImageFormat::Png),
    )
    .unwrap();
    let report = poller
        .poll(&report.source, later + jiff::SignedDuration::from_secs(60))
        .await
        .unwrap();
    assert_eq!((report.items, report.rejected), (1, 0), "{report:?}");
    assert!(report.changed.is_empty(), "{report:?}");
}

/// An article page whose main image (`og:image`, relative) is the screenshot at `/shot.png`;
/// its `twitter:image`, the HTML page at `/page.png`, comes second and is not taken.
const ARTICLE: &str = r#"<!doctype html><html lang="vi"><head><title>Tin đồn nước chanh</title>
<meta property="og:image" content="/shot.png">
<meta name="twitter:image" content="/page.png">
<link rel="canonical" href="https://bao.example/tin-don-nuoc-chanh"></head><body>
<article><h1>Tin đồn nước chanh nóng chữa ung thư</h1>
<p>Một ảnh chụp màn hình lan truyền trên mạng xã hội khẳng định nước chanh nóng chữa khỏi ung thư.</p>
</article></body></html>"#;

/// Serves `png` at `/shot.png`, an HTML page at `/page.png`, [`ARTICLE`] at `/article` and
/// 404 elsewhere, on loopback, one plain HTTP/1.1 answer per connection; its address.
async fn image_server(png: Vec<u8>) -> std::net::SocketAddr {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut conn, _)) = listener.accept().await else {
                return;
            };
            let png = png.clone();
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buf = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match conn.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let line = String::from_utf8_lossy(&request);
                let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
                let (status, kind, body) = match path.as_str() {
                    "/shot.png" => ("200 OK", "image/png", png),
                    "/page.png" => ("200 OK", "text/html", b"<!DOCTYPE html><p>hi".to_vec()),
                    "/article" => (
                        "200 OK",
                        "text/html; charset=utf-8",
                        ARTICLE.as_bytes().to_vec(),
                    ),
                    _ => ("404 Not Found", "text/plain", b"missing".to_vec()),
                };
                let head = format!(
                    "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = conn.write_all(head.as_bytes()).await;
                let _ = conn.write_all(&body).await;
            });
        }
    });
    addr
}

#[tokio::test]
async fn claim_review_import_keeps_the_reviewed_image_and_names_the_ones_it_cannot() {
    let dir = tempfile::tempdir().unwrap();
    // The image server is on loopback: opened for this desk only.
    std::fs::write(
        dir.path().join(claimdesk_engine::CONFIG_FILE),
        "[fetch]\nallow = [\"127.0.0.1/32:*\"]\n",
    )
    .unwrap();
    let engine = Engine::open(dir.path(), EngineOptions::lexical())
        .await
        .unwrap();
    let shot = screenshot(&POST, 22.0, false);
    let addr = image_server(encoded(&shot, image::ImageFormat::Png)).await;
    let base = format!("http://{addr}");
    let reviews = serde_json::json!([{
        "@context": "https://schema.org", "@type": "ClaimReview",
        "url": "https://fc.example/chanh-nong",
        "claimReviewed": "Uống nước chanh nóng mỗi sáng chữa khỏi ung thư gan",
        "inLanguage": "vi",
        "reviewRating": {"@type": "Rating", "ratingValue": 1, "bestRating": 5, "worstRating": 1},
        "itemReviewed": {"@type": "Claim",
            "appearance": [
                {"@type": "ImageObject", "contentUrl": format!("{base}/shot.png")},
                {"@type": "CreativeWork", "url": "https://social.example/p/1",
                 "image": format!("{base}/page.png")},
                {"@type": "ImageObject", "url": format!("{base}/gone.png")}
            ]}
    }])
    .to_string();
    let imported = engine
        .import_fact_checks(
            "reviews.json",
            reviews.as_bytes(),
            FactCheckFormat::Auto,
            Actor::Cli,
        )
        .await
        .unwrap();
    assert_eq!(imported.counts.added, 1);
    let lemon = engine.store().fact_checks().await.unwrap()[0].id;
    // The screenshot is kept on the fact-check, read and hashed.
    let images = engine.store().fact_check_images(lemon).await.unwrap();
    assert_eq!(images.len(), 1, "{images:?}");
    assert_eq!(images[0].format, "png");
    assert_eq!(
        images[0].ocr_text.as_deref(),
        Some(POST.join("\n").as_str())
    );
    // The page and the missing file are named, the fact-check kept.
    let why: Vec<String> = imported
        .diagnostics
        .iter()
        .map(|d| d.message.clone())
        .collect();
    assert_eq!(why.len(), 2, "{why:?}");
    assert!(
        why[0].starts_with(&format!("{base}/page.png: ")) && why[0].contains("HTML"),
        "{why:?}"
    );
    assert!(
        why[1].starts_with(&format!("{base}/gone.png: not fetched")),
        "{why:?}"
    );
    // A re-shared JPEG of the screenshot is an image match of the fact-check.
    let out = engine
        .add_item_with_images(
            Item {
                source: Some("zalo".into()),
                ..Item::default()
            },
            vec![ImageUpload {
                name: Some("share.jpg".into()),
                bytes: encoded(&shot, image::ImageFormat::Jpeg),
            }],
            Actor::Cli,
        )
        .await
        .unwrap();
    let matches = engine
        .images()
        .item_matches(engine.store(), out.changed[0])
        .await
        .unwrap();
    assert_eq!(matches.len(), 1, "{matches:?}");
    assert_eq!(matches[0].fact_check, lemon);
}

#[tokio::test]
async fn a_polled_article_page_brings_its_main_image_through_the_guard() {
    let dir = tempfile::tempdir().unwrap();
    // The page's server is on loopback: opened for this desk only.
    std::fs::write(
        dir.path().join(claimdesk_engine::CONFIG_FILE),
        "[fetch]\nallow = [\"127.0.0.1/32:*\"]\n",
    )
    .unwrap();
    let engine = Engine::open(dir.path(), EngineOptions::lexical())
        .await
        .unwrap();
    let shot = screenshot(&POST, 22.0, false);
    let addr = image_server(encoded(&shot, image::ImageFormat::Png)).await;
    let source = engine
        .store()
        .add_source(
            &claimdesk_engine::store::NewSource {
                kind: claimdesk_engine::store::SourceKind::Feed,
                location: format!("http://{addr}/article"),
                interval_secs: 3600,
                first_poll_at: claimdesk_engine::ingest::poll::timestamp_text(
                    jiff::Timestamp::now(),
                ),
            },
            Actor::Cli,
        )
        .await
        .unwrap();
    let poller = claimdesk_engine::jobs::poller(&engine).unwrap();
    let later = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(60);
    let report = poller.poll(&source, later).await.unwrap();
    assert_eq!(report.error, None);
    assert_eq!((report.items, report.changed.len()), (1, 1), "{report:?}");
    let id = report.changed[0];
    // The og:image, resolved against the page's URL, fetched, kept and read.
    let images = engine.store().item_images(id).await.unwrap();
    assert_eq!(images.len(), 1, "{images:?}");
    assert_eq!(
        images[0].name.as_deref(),
        Some(format!("http://{addr}/shot.png").as_str())
    );
    let image = images[0].image.as_ref().expect("kept");
    assert_eq!(image.format, "png");
    assert_eq!(image.ocr_text.as_deref(), Some(POST.join("\n").as_str()));
    // The item: the article, keyed by its canonical URL, its text joined by the image's.
    let item = engine.store().item(id).await.unwrap().unwrap().item;
    assert_eq!(
        item.url.as_deref(),
        Some("https://bao.example/tin-don-nuoc-chanh")
    );
    assert!(
        item.text
            .starts_with("Tin đồn nước chanh nóng chữa ung thư")
            && item.text.ends_with(&POST.join("\n")),
        "{}",
        item.text
    );
}

#[tokio::test]
async fn ingesting_an_article_url_brings_its_main_image() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(claimdesk_engine::CONFIG_FILE),
        "[fetch]\nallow = [\"127.0.0.1/32:*\"]\n",
    )
    .unwrap();
    let engine = Engine::open(dir.path(), EngineOptions::lexical())
        .await
        .unwrap();
    let shot = screenshot(&POST, 22.0, false);
    let addr = image_server(encoded(&shot, image::ImageFormat::Png)).await;
    let ingested = engine
        .ingest_url(&format!("http://{addr}/article"), Actor::Cli)
        .await
        .unwrap();
    assert_eq!(ingested.format, "html");
    assert_eq!(ingested.counts.added, 1, "{:?}", ingested.diagnostics);
    let images = engine
        .store()
        .item_images(ingested.changed[0])
        .await
        .unwrap();
    assert_eq!(images.len(), 1, "{images:?}");
    assert_eq!(
        images[0].image.as_ref().map(|i| i.format.as_str()),
        Some("png")
    );
}

#[tokio::test]
async fn a_cropped_and_framed_copy_of_a_fact_checks_image_is_an_image_match() {
    let (_dir, engine) = desk().await;
    let fact_checks = engine.store().fact_checks().await.unwrap();
    let id = |word: &str| {
        fact_checks
            .iter()
            .find(|f| f.fact_check.claim.contains(word))
            .unwrap()
            .id
    };
    let (lemon, garlic) = (id("chanh"), id("Tỏi"));
    let reviewed = photo(640, 480, 7);
    for (fact_check, picture) in [(lemon, &reviewed), (garlic, &photo(640, 480, 41))] {
        engine
            .add_fact_check_image(
                fact_check,
                ImageUpload {
                    name: Some("reviewed.png".into()),
                    bytes: encoded(picture, image::ImageFormat::Png),
                },
            )
            .await
            .unwrap();
    }
    // Re-shared: 12% cropped off the left and top, in a white frame, as a JPEG.
    let crop = reviewed.crop_imm(48, 36, 563, 422).to_rgb8();
    let mut framed = image::RgbImage::from_pixel(563 + 60, 422 + 60, image::Rgb([255; 3]));
    image::imageops::overlay(&mut framed, &crop, 30, 30);
    let out = engine
        .add_item_with_images(
            Item {
                text: "Ảnh này đang lan truyền trên mạng, có thật không?".into(),
                ..Item::default()
            },
            vec![ImageUpload {
                name: Some("share.jpg".into()),
                bytes: encoded(
                    &image::DynamicImage::ImageRgb8(framed),
                    image::ImageFormat::Jpeg,
                ),
            }],
            Actor::Cli,
        )
        .await
        .unwrap();
    let item = out.changed[0];
    // The stored PDQ hashes alone are far apart: plain PDQ would not call it a copy.
    let images = engine.store().item_images(item).await.unwrap();
    let item_pdq = images[0].image.as_ref().unwrap().pdq.clone().unwrap();
    let fact_check_pdq = engine
        .store()
        .fact_check_image_hashes()
        .await
        .unwrap()
        .into_iter()
        .find(|(f, _, _)| *f == lemon)
        .unwrap()
        .2;
    let plain = claimdesk_engine::image::PdqHash::from_hex(&item_pdq)
        .unwrap()
        .distance(&claimdesk_engine::image::PdqHash::from_hex(&fact_check_pdq).unwrap());
    assert!(plain > 64, "plain PDQ distance {plain}");
    // The near-duplicate distance finds it, and only it.
    let matches = engine
        .images()
        .item_matches(engine.store(), item)
        .await
        .unwrap();
    assert_eq!(matches.len(), 1, "{matches:?}");
    assert_eq!(matches[0].fact_check, lemon);
    assert!(
        matches[0].distance <= claimdesk_engine::image::neardup::MAX_DISTANCE,
        "{matches:?}"
    );
    assert_eq!(
        matches[0].explanation(),
        format!(
            "image near-duplicate of fact-check {lemon}'s image, distance {} of 256",
            matches[0].distance
        )
    );
}

/// `picture` re-shared as a meme: 10% cropped off (from the left and top), a dark caption
/// band with white lettering over its bottom 18%, as a JPEG.
pub(crate) fn reshared_meme(picture: &image::DynamicImage) -> Vec<u8> {
    let (w, h) = (picture.width(), picture.height());
    let mut rgb = picture
        .crop_imm(w / 20, h * 3 / 100, w * 9 / 10, h * 9 / 10)
        .to_rgb8();
    let (cw, ch) = rgb.dimensions();
    let band = ch * 18 / 100;
    for y in ch - band..ch {
        for x in 0..cw {
            let letter = (x / 7 + y / 11) % 4 == 0 && y > ch - band * 3 / 4 && y < ch - band / 4;
            rgb.put_pixel(x, y, image::Rgb(if letter { [250; 3] } else { [25; 3] }));
        }
    }
    encoded(
        &image::DynamicImage::ImageRgb8(rgb),
        image::ImageFormat::Jpeg,
    )
}

#[tokio::test]
async fn the_image_index_follows_fact_check_images_added_after_a_search() {
    let (_dir, engine) = desk().await;
    let fact_checks = engine.store().fact_checks().await.unwrap();
    let id = |word: &str| {
        fact_checks
            .iter()
            .find(|f| f.fact_check.claim.contains(word))
            .unwrap()
            .id
    };
    let (lemon, garlic) = (id("chanh"), id("Tỏi"));
    let add = |fact_check, picture: image::DynamicImage| {
        let engine = &engine;
        async move {
            engine
                .add_fact_check_image(
                    fact_check,
                    ImageUpload {
                        name: Some("reviewed.png".into()),
                        bytes: encoded(&picture, image::ImageFormat::Png),
                    },
                )
                .await
                .unwrap();
        }
    };
    add(garlic, photo(640, 480, 41)).await;
    let reviewed = photo(600, 450, 7);
    let out = engine
        .add_item_with_images(
            Item {
                text: "Xem ảnh này".into(),
                ..Item::default()
            },
            vec![ImageUpload {
                name: Some("meme.jpg".into()),
                bytes: reshared_meme(&reviewed),
            }],
            Actor::Cli,
        )
        .await
        .unwrap();
    let item = out.changed[0];
    let matches = || engine.images().item_matches(engine.store(), item);
    // Searched once with only the unrelated image indexed: nothing.
    assert_eq!(matches().await.unwrap(), Vec::new());
    // The reviewed picture added since: the next search finds the cropped, captioned copy.
    add(lemon, reviewed).await;
    let found = matches().await.unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].fact_check, lemon);
    assert!(found[0].distance <= claimdesk_engine::image::neardup::MAX_DISTANCE);
}

/// Posts `text` with one image through the engine, as an upload does; the item's id.
async fn post_with_image(engine: &Engine, text: &str, bytes: Vec<u8>) -> ItemId {
    let item = Item {
        text: text.into(),
        ..Item::default()
    };
    let image = ImageUpload {
        name: Some("post.jpg".into()),
        bytes,
    };
    engine
        .add_item_with_images(item, vec![image], Actor::Cli)
        .await
        .unwrap()
        .changed[0]
}

#[tokio::test]
async fn a_picture_reshared_with_a_new_crop_and_new_words_joins_the_narrative_of_its_first_post() {
    use claimdesk_engine::core::JoinedBy;
    let (_dir, engine) = desk().await;
    let picture = photo(640, 480, 7);
    let first = post_with_image(
        &engine,
        "Ảnh chụp cảnh ngập lụt ở trung tâm thành phố sáng nay",
        encoded(&picture, image::ImageFormat::Png),
    )
    .await;
    let other = post_with_image(
        &engine,
        "Hội đồng thành phố họp bàn ngân sách giao thông công cộng",
        encoded(&photo(640, 480, 41), image::ImageFormat::Png),
    )
    .await;
    let reshared = post_with_image(
        &engine,
        "Không thể tin nổi, mọi người chia sẻ ngay!",
        reshared_meme(&picture),
    )
    .await;

    let narratives = engine
        .store()
        .narratives_of(&[first, other, reshared])
        .await
        .unwrap();
    let of = |item| narratives.iter().find(|(i, _)| *i == item).unwrap().1;
    assert_eq!(of(reshared), of(first), "{narratives:?}");
    assert_ne!(of(other), of(first));
    let detail = engine
        .store()
        .narrative(of(first), 10)
        .await
        .unwrap()
        .unwrap();
    let joined = detail.items.iter().find(|i| i.item == reshared).unwrap();
    assert_eq!(joined.joined_by, JoinedBy::Image);
    let join = joined.image.unwrap();
    assert_eq!(join.item, first);
    assert!(
        join.distance <= claimdesk_engine::image::neardup::MAX_DISTANCE,
        "{join:?}"
    );

    // After a restart the window is filled again from the store: a third share joins too.
    let dir = _dir.path().to_path_buf();
    drop(engine);
    let engine = Engine::open(&dir, EngineOptions::lexical()).await.unwrap();
    let again = post_with_image(
        &engine,
        "Xem ảnh này đi, thật hay giả?",
        encoded(&picture.fliph(), image::ImageFormat::Jpeg),
    )
    .await;
    let narratives = engine.store().narratives_of(&[first, again]).await.unwrap();
    assert_eq!(narratives[0].1, narratives[1].1, "{narratives:?}");
}

#[tokio::test]
async fn a_reshare_finds_the_picture_another_process_on_the_same_store_took_in() {
    let (dir, a) = desk().await;
    let b = Engine::open(dir.path(), EngineOptions::lexical())
        .await
        .unwrap();
    let post = post_with_image;
    let picture = photo(640, 480, 11);
    // B has taken in a picture of its own (its window of recent images is open) before A
    // takes in the one that is re-shared later.
    post(
        &b,
        "Hội đồng thành phố họp bàn ngân sách",
        encoded(&photo(640, 480, 41), image::ImageFormat::Png),
    )
    .await;
    let first = post(
        &a,
        "Ảnh chụp cảnh ngập lụt sáng nay",
        encoded(&picture, image::ImageFormat::Png),
    )
    .await;
    let reshared = post(
        &b,
        "Chia sẻ ngay trước khi bị xoá!",
        reshared_meme(&picture),
    )
    .await;
    let near = b.store().image_neighbours(&[reshared]).await.unwrap();
    assert_eq!(near.len(), 1, "{near:?}");
    assert_eq!(near[0].1.item, first);
}
