//! Items posted with images (issue 20): `multipart/form-data` intake, the text read joins
//! the item, a refused image is reported and the item kept, the image served back from the
//! same origin with its type and `nosniff`, the item page showing image, text and image match.

use crate::util::multipart;
use std::io::Cursor;

use axum::body::Body;
use axum::http::Request;
use claimdesk_engine::ImageUpload;
use claimdesk_engine::image::render::screenshot;
use claimdesk_store::prelude::*;

use crate::util::desk;

/// The post drawn in the screenshots of these tests and of `image_urls`.
pub(crate) const POST: [&str; 2] = [
    "My aunt says hot lemon water",
    "cures cancer, share with everyone!",
];

/// A screenshot of [`POST`] encoded as `format`.
pub(crate) fn encoded(format: image::ImageFormat) -> Vec<u8> {
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(screenshot(&POST, 20.0, false).to_rgb8())
        .write_to(&mut Cursor::new(&mut out), format)
        .unwrap();
    out
}

#[tokio::test]
async fn an_item_posted_with_a_screenshot_is_read_matched_and_shown() {
    let d = desk().await;
    let lemon = d
        .store
        .fact_checks()
        .await
        .unwrap()
        .into_iter()
        .find(|f| f.fact_check.claim == "Hot lemon water cures cancer")
        .unwrap()
        .id;
    d.engine
        .add_fact_check_image(
            lemon,
            ImageUpload {
                name: Some("reviewed.png".into()),
                bytes: encoded(image::ImageFormat::Png),
            },
        )
        .await
        .unwrap();
    let jpeg = encoded(image::ImageFormat::Jpeg);
    let svg = b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>";
    let (content_type, body) = multipart(
        &[("id", "tip-img-1"), ("source", "zalo")],
        &[
            ("image", "share.jpg", "image/jpeg", &jpeg),
            ("image", "cute.svg", "image/svg+xml", svg),
        ],
    );
    let a = d
        .send(
            Request::post("/api/items/upload")
                .header("content-type", content_type)
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let r = a.json();
    assert_eq!(r["added"], 1);
    assert_eq!(r["matched"], 1);
    let images = r["images"].as_array().unwrap();
    assert_eq!(images[0]["text"], POST.join("\n"));
    let sha = images[0]["sha256"].as_str().unwrap().to_string();
    assert_eq!(images[0]["pdq"].as_str().unwrap().len(), 64);
    assert!(images[1]["sha256"].is_null());
    assert!(
        images[1]["refused"]
            .as_str()
            .unwrap()
            .starts_with("SVG is not accepted as an image"),
        "{}",
        images[1]
    );
    let id = r["items"][0].as_i64().unwrap();

    // The image, from the same origin, with its type and nothing that could run.
    let img = d.get(&format!("/images/{sha}")).await;
    assert_eq!(img.status, 200);
    assert_eq!(img.header("content-type"), "image/jpeg");
    assert_eq!(img.header("x-content-type-options"), "nosniff");
    assert_eq!(
        img.header("content-security-policy"),
        "default-src 'none'; sandbox"
    );
    for missing in [
        "/images/..%2F..%2Fclaimdesk.db".to_string(),
        format!("/images/{}", "0".repeat(64)),
        format!("/images/{}", sha.to_uppercase()),
    ] {
        assert_eq!(d.get(&missing).await.status, 404, "{missing}");
    }

    // The item page: the image, its text, the refusal and the image match.
    let page = d.get(&format!("/items/{id}")).await;
    assert_eq!(page.status, 200);
    let html = &page.body;
    assert!(
        html.contains(&format!("<img src=\"/images/{sha}\"")),
        "{html}"
    );
    assert!(html.contains("Text read from the image"), "{html}");
    // It has no text of its own: the page says its text was read from its image, and shows
    // that text only under the image.
    assert!(
        html.contains("This post has no text of its own: its text was read from its images"),
        "{html}"
    );
    assert!(!html.contains("class=\"item-text\""), "{html}");
    assert!(
        html.contains("cures cancer, share with everyone!"),
        "{html}"
    );
    assert!(html.contains("Image refused:"), "{html}");
    assert!(
        html.contains(&format!(
            "image near-duplicate of fact-check {lemon}&#39;s image, distance"
        )) || html.contains(&format!(
            "image near-duplicate of fact-check {lemon}&#x27;s image, distance"
        )),
        "{html}"
    );
}

#[tokio::test]
async fn a_multipart_item_without_text_or_readable_image_is_refused_with_why() {
    let d = desk().await;
    let (content_type, body) = multipart(
        &[("source", "zalo")],
        &[("image", "photo.jpg", "image/jpeg", b"<!DOCTYPE html><p>hi")],
    );
    let a = d
        .send(
            Request::post("/api/items/upload")
                .header("content-type", content_type)
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    a.assert_error(422, "invalid_request");
    assert!(
        a.json()["message"]
            .as_str()
            .unwrap()
            .contains("photo.jpg is not a JPEG image: its bytes are an HTML page"),
        "{}",
        a.body
    );
    let (content_type, body) = multipart(&[("text", "hello"), ("colour", "red")], &[]);
    let a = d
        .send(
            Request::post("/api/items/upload")
                .header("content-type", content_type)
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    a.assert_error(422, "invalid_request");
    // An `image` that is a bare value, not a file part, and a field sent twice.
    let boundary = "claimdesk-test-boundary-7b1f";
    let bare = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\nhello\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"image\"\r\n\r\n{{}}\r\n\
         --{boundary}--\r\n"
    );
    let (twice_type, twice) = multipart(&[("text", "hello"), ("text", "again")], &[]);
    for (content_type, body, why) in [
        (
            format!("multipart/form-data; boundary={boundary}"),
            bare.into_bytes(),
            "is not a file",
        ),
        (twice_type, twice, "is sent twice"),
    ] {
        let a = d
            .send(
                Request::post("/api/items/upload")
                    .header("content-type", content_type)
                    .body(Body::from(body))
                    .unwrap(),
            )
            .await;
        a.assert_error(422, "invalid_request");
        assert!(a.body.contains(why), "{}", a.body);
    }
    // Text with a NUL byte is refused as in a JSON item.
    let (content_type, body) = multipart(&[("text", "bad\u{0}text")], &[]);
    let a = d
        .send(
            Request::post("/api/items/upload")
                .header("content-type", content_type)
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    a.assert_error(422, "invalid_request");
    assert!(a.body.contains("NUL byte"), "{}", a.body);
}

/// Regression (schemathesis and openapi-python-client, issue 20): a form sent to the JSON
/// route is pointed to the upload route, the upload route takes only forms, and the
/// document declares each with one content type and the form closed to other fields.
#[tokio::test]
async fn the_upload_route_takes_forms_and_the_json_route_points_to_it() {
    let d = desk().await;
    let (content_type, body) = multipart(&[("text", "hello")], &[]);
    let a = d
        .send(
            Request::post("/api/items")
                .header("content-type", content_type)
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    a.assert_error(415, "unsupported_media_type");
    assert!(a.body.contains("POST /api/items/upload"), "{}", a.body);
    let a = d
        .send(
            Request::post("/api/items/upload")
                .header("content-type", "application/json")
                .body(Body::from(r#"{"text": "hello"}"#))
                .unwrap(),
        )
        .await;
    a.assert_error(415, "unsupported_media_type");
    let doc = d.get("/api/openapi.json").await.json();
    let items = &doc["paths"]["/api/items"]["post"]["requestBody"]["content"];
    assert!(items.get("multipart/form-data").is_none(), "{items}");
    let upload = &doc["paths"]["/api/items/upload"]["post"]["requestBody"]["content"];
    assert_eq!(upload.as_object().unwrap().len(), 1, "{upload}");
    assert_eq!(
        upload["multipart/form-data"]["schema"]["$ref"],
        "#/components/schemas/ItemForm"
    );
    let form = &doc["components"]["schemas"]["ItemForm"];
    assert_eq!(form["additionalProperties"], false, "{form}");
    assert_eq!(form["properties"]["image"]["items"]["format"], "binary");
}

#[tokio::test]
async fn the_queue_marks_items_that_carry_images() {
    let d = desk().await;
    let png = encoded(image::ImageFormat::Png);
    let out = d
        .engine
        .add_item_with_images(
            claimdesk_core::Item {
                text: "Look at this screenshot from the family group".into(),
                external_id: Some("with-image".into()),
                source: Some("zalo".into()),
                ..claimdesk_core::Item::default()
            },
            vec![ImageUpload {
                name: Some("shot.png".into()),
                bytes: png,
            }],
            claimdesk_core::Actor::Cli,
        )
        .await
        .unwrap();
    let with_image = out.changed[0].0;
    let html = d.get("/?per_page=100").await.body;
    let entries: Vec<&str> = html.split("<li class=\"entry\">").skip(1).collect();
    let row = |id: i64| {
        entries
            .iter()
            .find(|e| e.contains(&format!("href=\"/items/{id}\"")))
            .unwrap_or_else(|| panic!("item {id} in the queue: {html}"))
    };
    assert!(
        row(with_image).contains("<span class=\"has-images\">Images: 1</span>"),
        "{}",
        row(with_image)
    );
    // A text post carries no mark.
    let text_only = entries
        .iter()
        .find(|e| !e.contains(&format!("href=\"/items/{with_image}\"")))
        .expect("a text post in the queue");
    assert!(!text_only.contains("has-images"), "{text_only}");
}

#[tokio::test]
async fn a_published_verdict_shows_the_image_it_reviewed_to_the_public() {
    let (d, id, draft) = crate::public::public_desk().await;
    let reviewed = d
        .engine
        .add_fact_check_image(
            id,
            ImageUpload {
                name: Some("reviewed.png".into()),
                bytes: encoded(image::ImageFormat::Png),
            },
        )
        .await
        .unwrap()
        .image
        .unwrap()
        .sha256;
    let page = d.get_anon(&format!("/verdicts/{}", id.0)).await;
    assert_eq!(page.status, 200);
    let src = format!("/verdicts/{}/images/{reviewed}", id.0);
    assert!(
        page.body.contains(&format!("<img src=\"{src}\"")),
        "{}",
        page.body
    );
    assert!(page.body.contains("The image this fact-check reviewed"));
    // Anyone may load it, with its type, nosniff and nothing that runs.
    let img = d.get_anon(&src).await;
    assert_eq!(img.status, 200);
    assert_eq!(img.header("content-type"), "image/png");
    assert_eq!(img.header("x-content-type-options"), "nosniff");
    assert_eq!(
        img.header("content-security-policy"),
        "default-src 'none'; sandbox"
    );
    // But only the images a published verdict carries: not an item's image by its hash,
    // not through a draft, not the staff's route.
    let item_image = d
        .engine
        .add_item_with_images(
            claimdesk_core::Item {
                text: "a private tip".into(),
                ..claimdesk_core::Item::default()
            },
            vec![ImageUpload {
                name: Some("tip.jpg".into()),
                bytes: encoded(image::ImageFormat::Jpeg),
            }],
            claimdesk_core::Actor::Cli,
        )
        .await
        .unwrap()
        .images[0]
        .image
        .clone()
        .unwrap()
        .sha256;
    d.engine
        .add_fact_check_image(
            draft,
            ImageUpload {
                name: Some("tip.jpg".into()),
                bytes: encoded(image::ImageFormat::Jpeg),
            },
        )
        .await
        .unwrap();
    for uri in [
        format!("/verdicts/{}/images/{item_image}", id.0),
        format!("/verdicts/{}/images/{item_image}", draft.0),
        format!("/verdicts/{}/images/..%2Fclaimdesk.db", id.0),
        format!("/verdicts/x/images/{reviewed}"),
    ] {
        assert_eq!(d.get_anon(&uri).await.status, 404, "{uri}");
    }
    assert_ne!(d.get_anon(&format!("/images/{reviewed}")).await.status, 200);
    // Withdrawn, the verdict's page stays but the image leaves it.
    d.post_json_as(
        &format!("/api/factchecks/{}/withdraw", id.0),
        &d.admin_token,
        serde_json::json!({"reason": "Published in error."}),
    )
    .await;
    let page = d.get_anon(&format!("/verdicts/{}", id.0)).await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains(&src), "{}", page.body);
    assert_eq!(d.get_anon(&src).await.status, 404);
}

#[tokio::test]
async fn a_picture_reshared_with_other_words_is_shown_in_its_narrative_as_joined_by_image() {
    let d = desk().await;
    let picture = claimdesk_engine::image::render::photo(640, 480, 7);
    let png = |picture: &image::DynamicImage| {
        let mut out = Vec::new();
        picture
            .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
            .unwrap();
        out
    };
    // Re-shared with a tenth cropped off its left and top, and other words.
    let crop = picture.crop_imm(64, 48, 576, 432);
    let mut ids = Vec::new();
    for (id, text, bytes) in [
        (
            "pic-1",
            "Flooding in the city centre this morning",
            png(&picture),
        ),
        (
            "pic-2",
            "Unbelievable, share before they delete it",
            png(&crop),
        ),
    ] {
        let (content_type, body) = multipart(
            &[("id", id), ("source", "zalo"), ("text", text)],
            &[("image", "photo.png", "image/png", &bytes)],
        );
        let a = d
            .send(
                Request::post("/api/items/upload")
                    .header("content-type", content_type)
                    .body(Body::from(body))
                    .unwrap(),
            )
            .await;
        assert_eq!(a.status, 200, "{}", a.body);
        ids.push(a.json()["items"][0].as_i64().unwrap());
    }
    let narratives = d.get("/api/narratives").await.json();
    let id = narratives["narratives"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["representative_item"] == ids[0])
        .map(|n| n["id"].as_i64().unwrap())
        .unwrap_or_else(|| panic!("no narrative of two starts with the picture: {narratives}"));
    let detail = d.get(&format!("/api/narratives/{id}")).await.json();
    let items = detail["items"].as_array().unwrap();
    assert_eq!(items[1]["item"], ids[1]);
    assert_eq!(items[1]["joined_by"], "image", "{detail}");
    assert_eq!(items[1]["image"]["item"], ids[0], "{detail}");
    assert!(
        items[1]["image"]["distance"].as_u64().unwrap() <= 39,
        "{detail}"
    );
    assert!(items[0]["image"].is_null());
    // The page says why, and links the item whose picture it is.
    let page = d.get(&format!("/narratives/{id}")).await;
    assert_eq!(page.status, 200);
    let distance = items[1]["image"]["distance"].as_u64().unwrap();
    assert!(
        page.body.contains(&format!(
            "near-duplicate image (distance {distance} of 256) of item <a href=\"/items/{}\">#{}</a>",
            ids[0], ids[0]
        )),
        "{}",
        page.body
    );
}
