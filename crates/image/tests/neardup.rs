//! Near-duplicates that move plain PDQ far: bordered, framed, captioned and cropped copies
//! found by `claimdesk_image::neardup`, unrelated pictures kept apart.

use claimdesk_image::neardup::{self, MAX_DISTANCE, Probe, Reference};
use claimdesk_image::pdq::{self, LumaPlane};
use image::{DynamicImage, ImageFormat, Rgb, RgbImage, imageops};

use crate::common::{detailed, encode, screenshot};

/// `image` inside a border `side` pixels wide of `colour`.
fn bordered(image: &DynamicImage, side: u32, colour: [u8; 3]) -> DynamicImage {
    let rgb = image.to_rgb8();
    let mut out =
        RgbImage::from_pixel(rgb.width() + 2 * side, rgb.height() + 2 * side, Rgb(colour));
    imageops::overlay(&mut out, &rgb, i64::from(side), i64::from(side));
    DynamicImage::ImageRgb8(out)
}

/// `image` cropped to `keep` of each side, starting at `left` and `top` (shares of the
/// side).
fn cropped(image: &DynamicImage, keep: f32, left: f32, top: f32) -> DynamicImage {
    let (w, h) = (image.width() as f32, image.height() as f32);
    image.crop_imm(
        (w * left) as u32,
        (h * top) as u32,
        (w * keep) as u32,
        (h * keep) as u32,
    )
}

fn plain(a: &DynamicImage, b: &DynamicImage) -> u32 {
    pdq::hash(a)
        .unwrap()
        .hash
        .distance(&pdq::hash(b).unwrap().hash)
}

#[test]
fn a_bordered_copy_trims_back_to_the_original() {
    let original = detailed(400, 300, 7);
    let plane = LumaPlane::at_most(&original, neardup::WORK_SIDE).unwrap();
    // A picture with no uniform edge is its own content.
    assert_eq!(neardup::content_box(&plane), plane.full());
    for (name, copy) in [
        ("white border", bordered(&original, 24, [255; 3])),
        ("black border", bordered(&original, 24, [0; 3])),
        ("green frame", bordered(&original, 40, [30, 160, 90])),
    ] {
        let copy = image::load_from_memory(&encode(&copy, ImageFormat::Jpeg)).unwrap();
        let framed = LumaPlane::at_most(&copy, neardup::WORK_SIDE).unwrap();
        let content = neardup::content_box(&framed);
        // The border is gone on every side, and what is left has the original's shape.
        assert!(content.x > 0 && content.y > 0, "{name}: {content:?}");
        assert!(
            content.x + content.width < framed.width()
                && content.y + content.height < framed.height(),
            "{name}: {content:?} of {}×{}",
            framed.width(),
            framed.height()
        );
        let aspect = content.width as f32 / content.height as f32;
        assert!((aspect - 4.0 / 3.0).abs() < 0.03, "{name}: {content:?}");
        let trimmed = framed.hash(content).unwrap().hash;
        let whole = plane.hash(plane.full()).unwrap().hash;
        let d = trimmed.distance(&whole);
        assert!(d <= 24, "{name}: trimmed hash {d} bits from the original's");
        // Plain PDQ does not see it; the near-duplicate distance does.
        assert!(
            plain(&copy, &original) > 64,
            "{name}: plain {}",
            plain(&copy, &original)
        );
        let nd = Probe::new(&copy)
            .unwrap()
            .distance(&Reference::new(&original).unwrap());
        assert!(nd <= 24, "{name}: near-duplicate distance {nd}");
    }
}

#[test]
fn a_screenshot_in_a_frame_trims_to_the_screenshots_content() {
    let shot = screenshot(
        &[
            "Bộ Y tế khuyến cáo uống nước chanh nóng",
            "mỗi sáng để chữa khỏi ung thư gan.",
            "Bác sĩ Nguyễn Văn A cho biết đã có",
            "hàng nghìn người khỏi bệnh nhờ cách này.",
            "Chia sẻ ngay cho người thân!",
            "#suckhoe #ungthu",
        ],
        30.0,
        false,
    );
    // A black border around the screenshot's own white margin: both go.
    let framed = bordered(&shot, 30, [0; 3]);
    let (a, b) = (
        LumaPlane::at_most(&shot, neardup::WORK_SIDE).unwrap(),
        LumaPlane::at_most(&framed, neardup::WORK_SIDE).unwrap(),
    );
    let (ca, cb) = (neardup::content_box(&a), neardup::content_box(&b));
    assert!(ca.width < a.width() && ca.height < a.height(), "{ca:?}");
    // The same content either way: its shape within 3% (a few samples at this size).
    assert!(cb.x > 30 * b.width() / framed.width() as usize, "{cb:?}");
    let aspect = |r: pdq::Rect| r.width as f32 / r.height as f32;
    assert!(
        (aspect(ca) / aspect(cb) - 1.0).abs() < 0.03,
        "{ca:?} {cb:?}"
    );
    let nd = Probe::new(&framed)
        .unwrap()
        .distance(&Reference::new(&shot).unwrap());
    assert!(nd <= 24, "near-duplicate distance {nd}");
}

#[test]
fn a_cropped_copy_is_found_by_alignment() {
    let original = detailed(480, 360, 7);
    let reference = Reference::new(&original).unwrap();
    for (keep, left, top) in [(0.9, 0.03, 0.07), (0.9, 0.1, 0.0), (0.85, 0.05, 0.1)] {
        let copy = cropped(&original, keep, left, top);
        let copy = image::load_from_memory(&encode(&copy, ImageFormat::Jpeg)).unwrap();
        let probe = Probe::new(&copy).unwrap();
        // Whole-picture hashes (plain, trimmed, band windows) do not see a crop ...
        assert!(plain(&copy, &original) > 64, "{keep} {left} {top}");
        assert!(
            probe.hash_distance(&reference) > MAX_DISTANCE,
            "{keep} {left} {top}: {}",
            probe.hash_distance(&reference)
        );
        // ... the aligned window does.
        let aligned = probe.aligned_distance(&reference).unwrap();
        assert!(
            aligned <= 24,
            "{keep} {left} {top}: aligned distance {aligned}"
        );
        assert_eq!(probe.distance(&reference), aligned);
    }
}

#[test]
fn a_caption_band_is_seen_past() {
    let original = detailed(400, 400, 11);
    let mut captioned = original.to_rgb8();
    for y in 330..400 {
        for x in 0..400 {
            captioned.put_pixel(
                x,
                y,
                Rgb(if (x / 9 + y / 13) % 3 == 0 {
                    [255; 3]
                } else {
                    [20; 3]
                }),
            );
        }
    }
    let captioned = DynamicImage::ImageRgb8(captioned);
    assert!(plain(&captioned, &original) > MAX_DISTANCE);
    let d = Probe::new(&captioned)
        .unwrap()
        .hash_distance(&Reference::new(&original).unwrap());
    assert!(d <= 8, "band window distance {d}");
}

#[test]
fn a_mirrored_copy_is_found_and_other_pictures_stay_apart() {
    let original = detailed(480, 360, 7);
    let reference = Reference::new(&original).unwrap();
    let mirrored = Probe::new(&original.fliph()).unwrap().distance(&reference);
    assert!(mirrored <= MAX_DISTANCE, "mirror: {mirrored}");
    for seed in [20, 41, 90] {
        for other in [
            detailed(480, 360, seed),
            cropped(&detailed(480, 360, seed), 0.9, 0.05, 0.05),
        ] {
            let d = Probe::new(&other).unwrap().distance(&reference);
            assert!(d > MAX_DISTANCE + 16, "seed {seed}: distance {d}");
        }
    }
}

#[test]
fn a_mirrored_copy_lines_up_with_its_mirror_image() {
    let original = detailed(480, 360, 7);
    let reference = Reference::new(&original).unwrap();
    let copy = image::load_from_memory(&encode(&original.fliph(), ImageFormat::Jpeg)).unwrap();
    let probe = Probe::new(&copy).unwrap();
    let mirrored = probe.mirrored_aligned(&reference).unwrap();
    assert!(mirrored.distance <= MAX_DISTANCE, "{mirrored:?}");
    // The copy's content itself does not line up (or lines up worse).
    let straight = probe.aligned(&reference).map_or(256, |a| a.distance);
    assert!(straight > mirrored.distance, "{straight} {mirrored:?}");
    assert!(probe.distance(&reference) <= MAX_DISTANCE);
}

#[test]
fn a_cropped_copy_in_a_frame_is_trimmed_then_aligned() {
    let original = detailed(640, 480, 7);
    let crop = original.crop_imm(48, 36, 563, 422).to_rgb8();
    let mut framed = RgbImage::from_pixel(563 + 60, 422 + 60, Rgb([255; 3]));
    imageops::overlay(&mut framed, &crop, 30, 30);
    let copy = DynamicImage::ImageRgb8(framed);
    let copy = image::load_from_memory(&encode(&copy, ImageFormat::Jpeg)).unwrap();
    let reference = Reference::new(&original).unwrap();
    let probe = Probe::new(&copy).unwrap();
    assert!(probe.hash_distance(&reference) > MAX_DISTANCE);
    let aligned = probe.aligned(&reference).unwrap();
    // The window found is the crop's: 48 and 36 of 640 × 480, at 256 px a side.
    let (x, y) = (48.0 * 256.0 / 640.0, 36.0 * 256.0 / 640.0);
    assert!(
        (aligned.window.x as f32 - x).abs() <= 2.0 && (aligned.window.y as f32 - y).abs() <= 2.0,
        "{aligned:?}"
    );
    assert!(aligned.distance <= 32, "{aligned:?}");
}
