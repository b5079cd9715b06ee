//! `claimdesk_image::neardup::Index`: a probe's near-duplicates among many references, as
//! comparing it with each would find them, kept in step as references come and go.

use claimdesk_image::neardup::{Index, IndexSettings, MAX_DISTANCE, Probe, Reference};
use image::{DynamicImage, ImageFormat, Rgb};

use crate::common::{detailed, encode};

/// `image` with its left and top `share` cropped away (a crop of `share` each way), a dark
/// caption band with "text" over its bottom 18%, and JPEG.
fn reshared(image: &DynamicImage, share: f32) -> DynamicImage {
    let (w, h) = (image.width() as f32, image.height() as f32);
    let crop = image.crop_imm(
        (w * share * 0.5) as u32,
        (h * share * 0.3) as u32,
        (w * (1.0 - share)) as u32,
        (h * (1.0 - share)) as u32,
    );
    let mut rgb = crop.to_rgb8();
    let (cw, ch) = rgb.dimensions();
    let band = ch * 18 / 100;
    for y in ch - band..ch {
        for x in 0..cw {
            let letter = (x / 7 + y / 11) % 4 == 0 && y > ch - band * 3 / 4 && y < ch - band / 4;
            rgb.put_pixel(x, y, Rgb(if letter { [250; 3] } else { [25; 3] }));
        }
    }
    image::load_from_memory(&encode(&DynamicImage::ImageRgb8(rgb), ImageFormat::Jpeg)).unwrap()
}

/// The seeded picture under `seed`, of a size that depends on it.
fn picture(seed: u32) -> DynamicImage {
    detailed(360 + seed % 5 * 40, 300 + seed % 7 * 30, seed)
}

/// 60 references: [`picture`] 1 to 60; the one under 7 is the original.
fn references() -> Vec<(u32, Reference)> {
    (1..=60)
        .map(|seed| (seed, Reference::new(&picture(seed)).unwrap()))
        .collect()
}

#[test]
fn the_index_finds_what_comparing_with_each_finds() {
    let refs = references();
    let mut index: Index<u32> = Index::default();
    for (key, reference) in &refs {
        index.insert(*key, reference);
    }
    assert_eq!(index.len(), refs.len());
    let original = picture(7);
    for (name, copy) in [
        (
            "jpeg",
            image::load_from_memory(&encode(&original, ImageFormat::Jpeg)).unwrap(),
        ),
        ("mirror", original.fliph()),
        ("crop 10% and caption", reshared(&original, 0.10)),
        ("unrelated", detailed(400, 320, 97)),
    ] {
        let probe = Probe::new(&copy).unwrap();
        let mut exhaustive: Vec<(u32, u32)> = refs
            .iter()
            .map(|(k, r)| (*k, probe.distance(r)))
            .filter(|(_, d)| *d <= MAX_DISTANCE)
            .collect();
        exhaustive.sort_by_key(|(k, d)| (*d, *k));
        let lookup = |k: &u32| refs.iter().find(|(key, _)| key == k).map(|(_, r)| r);
        let mut found = index.search(&probe, lookup);
        found.sort_by_key(|(k, d)| (*d, *k));
        assert_eq!(found, exhaustive, "{name}");
        if name == "unrelated" {
            assert!(found.is_empty());
        } else {
            assert_eq!(found.first().map(|f| f.0), Some(7), "{name}: {found:?}");
        }
        // Far fewer references are measured than held.
        let candidates = index.candidates(&probe);
        assert!(
            candidates.len() <= IndexSettings::SHORTLIST + 2,
            "{name}: {} candidates",
            candidates.len()
        );
    }
}

#[test]
fn a_removed_reference_is_not_found_and_a_replaced_one_is() {
    let refs = references();
    let mut index: Index<u32> = Index::default();
    for (key, reference) in &refs {
        index.insert(*key, reference);
    }
    let original = picture(7);
    let probe = Probe::new(&original.fliph()).unwrap();
    let lookup = |k: &u32| refs.iter().find(|(key, _)| key == k).map(|(_, r)| r);
    assert_eq!(index.search(&probe, lookup).first().map(|f| f.0), Some(7));
    assert!(index.remove(&7));
    assert!(!index.remove(&7));
    assert!(!index.contains(&7));
    assert!(index.search(&probe, lookup).iter().all(|(k, _)| *k != 7));
    // The same picture under another key, then a different picture under the old key.
    index.insert(1000, &refs[6].1);
    assert_eq!(
        index.search(&probe, lookup).first().map(|f| f.0),
        Some(1000)
    );
    index.insert(1000, &refs[20].1);
    assert!(index.search(&probe, lookup).is_empty());
    assert_eq!(index.len(), refs.len());
    // Without the references (files gone), matches by hash are still found.
    index.insert(7, &refs[6].1);
    let found = index.search(&probe, |_: &u32| None::<&Reference>);
    assert_eq!(found.first().map(|f| f.0), Some(7));
}
