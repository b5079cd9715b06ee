//! Images made by code: each finding with its field or region, clean copies without
//! metadata (read back by exiftool), bad input refused whole.

use claimdesk_privacy::fixtures::{
    PhotoExif, jpeg_bomb, jpeg_with_corrupt_exif, photo_with_exif, qr_png, screenshot_png,
};
use claimdesk_privacy::{Config, Error, Kind, Location, check_image};

use crate::common::{Broken, NoText, exiftool_present, exiftool_tags, metadata_tags, tesseract};

fn field_of(location: &Location) -> (String, String) {
    match location {
        Location::Metadata { block, field, .. } => (block.clone(), field.clone()),
        other => panic!("a metadata field: {other:?}"),
    }
}

#[test]
fn exif_gps_serial_owner_and_time_are_reported_with_their_fields() {
    let exif = PhotoExif::default();
    let jpeg = photo_with_exif(320, 240, 3, &exif);
    let report = check_image("photo.jpg", &jpeg, &Config::default(), &NoText).unwrap();
    let find = |kind: Kind| {
        report
            .findings
            .iter()
            .find(|f| f.kind == kind)
            .unwrap_or_else(|| panic!("{kind:?} in {:#?}", report.findings))
    };
    let gps = find(Kind::GpsPosition);
    assert_eq!(
        field_of(&gps.location),
        ("EXIF".into(), "GPSLatitude, GPSLongitude".into())
    );
    let (lat, lon) = gps.matched.split_once(", ").unwrap();
    assert!(
        (lat.parse::<f64>().unwrap() - exif.latitude).abs() < 1e-5,
        "{}",
        gps.matched
    );
    assert!(
        (lon.parse::<f64>().unwrap() - exif.longitude).abs() < 1e-5,
        "{}",
        gps.matched
    );
    let serial = find(Kind::DeviceSerial);
    assert_eq!(serial.matched, exif.serial);
    assert_eq!(field_of(&serial.location).1, "BodySerialNumber");
    let owner = find(Kind::Owner);
    assert_eq!(owner.matched, exif.artist);
    assert_eq!(field_of(&owner.location).1, "Artist");
    assert_eq!(
        field_of(&find(Kind::Timestamp).location).1,
        "DateTimeOriginal"
    );
    // The XMP packet and the comment are blocks of their own.
    let blocks: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.kind == Kind::MetadataBlock)
        .map(|f| field_of(&f.location).0)
        .collect();
    assert!(
        blocks.contains(&"XMP".to_string()) && blocks.contains(&"JPEG".to_string()),
        "{blocks:?}"
    );
    assert!(report.has_high());
}

#[test]
fn the_clean_copy_has_no_metadata_left_and_the_same_picture() {
    let jpeg = photo_with_exif(320, 240, 4, &PhotoExif::default());
    let report = check_image("photo.jpg", &jpeg, &Config::default(), &NoText).unwrap();
    let clean = &report.clean;
    assert!(clean.lossless);
    assert_eq!(clean.media_type, "image/jpeg");
    // Lossless: the same pixels, decoded.
    let before = image::load_from_memory(&jpeg).unwrap().to_rgb8();
    let after = image::load_from_memory(&clean.bytes).unwrap().to_rgb8();
    assert_eq!(before, after);
    // Checked again, nothing of the metadata is found.
    let again = check_image("clean.jpg", &clean.bytes, &Config::default(), &NoText).unwrap();
    assert!(again.findings.is_empty(), "{:#?}", again.findings);
    if !exiftool_present() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let original = dir.path().join("photo.jpg");
    std::fs::write(&original, &jpeg).unwrap();
    let tags = exiftool_tags(&original);
    // The independent reader sees the metadata in the original...
    for want in [
        "GPS:GPSLatitude",
        "IFD0:Artist",
        "ExifIFD:SerialNumber",
        "XMP-dc:Creator",
    ] {
        assert!(tags.iter().any(|t| t == want), "{want} not in {tags:?}");
    }
    // ...and none in the clean copy.
    let cleaned = dir.path().join("clean.jpg");
    std::fs::write(&cleaned, &clean.bytes).unwrap();
    let left = metadata_tags(&exiftool_tags(&cleaned));
    assert!(left.is_empty(), "metadata left in the clean copy: {left:?}");
}

#[test]
fn a_png_text_chunk_is_checked_and_removed() {
    let png = qr_png("xin chào", 6, 24);
    // Insert a tEXt chunk "Author\0Lan 0912345678" before IEND.
    let mut parts = img_parts::png::Png::from_bytes(img_parts::Bytes::from(png)).expect("a PNG");
    let chunk = img_parts::png::PngChunk::new(
        *b"tEXt",
        img_parts::Bytes::from_static(b"Author\0Lan 0912345678"),
    );
    let at = parts.chunks().len() - 1;
    parts.chunks_mut().insert(at, chunk);
    let png = parts.encoder().bytes().to_vec();
    let report = check_image("qr.png", &png, &Config::default(), &NoText).unwrap();
    let phone = report
        .findings
        .iter()
        .find(|f| f.kind == Kind::Phone)
        .unwrap();
    assert_eq!(
        phone.location,
        Location::Metadata {
            block: "PNG text".into(),
            field: "Author".into(),
            span: Some((4, 14)),
        }
    );
    assert!(report.clean.lossless);
    let again = check_image(
        "clean.png",
        &report.clean.bytes,
        &Config::default(),
        &NoText,
    )
    .unwrap();
    assert!(again.findings.is_empty(), "{:#?}", again.findings);
    if exiftool_present() {
        let dir = tempfile::tempdir().unwrap();
        let cleaned = dir.path().join("clean.png");
        std::fs::write(&cleaned, &report.clean.bytes).unwrap();
        let left = metadata_tags(&exiftool_tags(&cleaned));
        assert!(left.is_empty(), "metadata left in the clean copy: {left:?}");
    }
}

#[test]
fn a_qr_code_holding_a_phone_number_is_decoded_and_checked() {
    let text = "Liên hệ anh Minh: 0912 345 678";
    let (module, margin) = (6, 40);
    let png = qr_png(text, module, margin);
    let report = check_image("qr.png", &png, &Config::default(), &NoText).unwrap();
    assert_eq!(report.qr_codes.len(), 1, "{report:#?}");
    assert_eq!(report.qr_codes[0].text, text);
    let phone = report
        .findings
        .iter()
        .find(|f| f.kind == Kind::Phone)
        .unwrap();
    let Location::QrCode {
        code,
        region,
        start,
        end,
    } = phone.location
    else {
        panic!("{:?}", phone.location)
    };
    assert_eq!(code, 0);
    assert_eq!(&text[start..end], "0912 345 678");
    // The region is the code on the page: inside the margin, about the code's size.
    let side = report.width - 2 * margin;
    assert!(
        region.x.abs_diff(margin) <= module && region.y.abs_diff(margin) <= module,
        "{region:?}"
    );
    assert!(
        region.width.abs_diff(side) <= 2 * module,
        "{region:?} vs {side}"
    );
}

#[test]
fn a_screenshot_with_a_cccd_number_is_read_and_checked() {
    let Some(ocr) = tesseract() else { return };
    let png = screenshot_png(
        &[
            "Mình nhặt được ví, ai mất liên hệ nhé",
            "Căn cước công dân số 001203004567",
            "Chia sẻ giúp mình!",
        ],
        30.0,
    );
    let report = check_image("screenshot.png", &png, &Config::default(), &ocr).unwrap();
    let id = report
        .findings
        .iter()
        .find(|f| f.kind == Kind::CitizenId)
        .unwrap_or_else(|| panic!("no CCCD in {:?}", report.text_read));
    let Location::ImageText { start, end, region } = id.location else {
        panic!("{:?}", id.location)
    };
    assert_eq!(&report.text_read[start..end], "001203004567");
    // Where the number is drawn: on the second of the three lines, in the picture.
    let region = region.unwrap_or_else(|| panic!("no region for {id:?}"));
    let (w, h) = (report.width, report.height);
    assert!(
        region.x + region.width <= w && region.y + region.height <= h,
        "{region:?} in {w}×{h}"
    );
    assert!(
        region.width > region.height,
        "a number's box is wide: {region:?}"
    );
    let middle = region.y + region.height / 2;
    assert!(
        middle > h / 4 && middle < 3 * h / 4,
        "{region:?} not on the middle line of {h} px"
    );
}

#[test]
fn an_image_bomb_is_refused_as_an_incomplete_check() {
    let err = check_image("bomb.jpg", &jpeg_bomb(), &Config::default(), &NoText).unwrap_err();
    assert!(matches!(err, Error::Image { .. }), "{err}");
    assert!(err.to_string().contains("incomplete"), "{err}");
}

#[test]
fn corrupt_exif_is_an_incomplete_check_not_a_clean_one() {
    let err = check_image(
        "corrupt.jpg",
        &jpeg_with_corrupt_exif(),
        &Config::default(),
        &NoText,
    )
    .unwrap_err();
    assert!(
        matches!(err, Error::Metadata { block: "EXIF", .. }),
        "{err}"
    );
    assert!(err.to_string().contains("incomplete"), "{err}");
}

#[test]
fn unread_text_is_an_incomplete_check() {
    let png = qr_png("0912 345 678", 4, 16);
    let err = check_image("qr.png", &png, &Config::default(), &Broken).unwrap_err();
    assert!(matches!(err, Error::TextUnread { .. }), "{err}");
}

#[test]
fn a_turned_photo_is_cleaned_upright() {
    // EXIF orientation 6 (turn 90°): dropping the tag losslessly would show it sideways.
    let jpeg = claimdesk_privacy::fixtures::encode(
        &claimdesk_privacy::fixtures::picture(160, 90, 5),
        image::ImageFormat::Jpeg,
    );
    let mut parts = img_parts::jpeg::Jpeg::from_bytes(img_parts::Bytes::from(jpeg)).unwrap();
    use img_parts::ImageEXIF;
    parts.set_exif(Some(img_parts::Bytes::from_static(
        b"MM\0\x2A\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01\0\x06\0\0\0\0\0\0",
    )));
    let jpeg = parts.encoder().bytes().to_vec();
    let report = check_image("turned.jpg", &jpeg, &Config::default(), &NoText).unwrap();
    assert!(!report.clean.lossless);
    let clean = image::load_from_memory(&report.clean.bytes).unwrap();
    assert_eq!((clean.width(), clean.height()), (90, 160));
}
