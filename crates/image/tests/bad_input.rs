//! Issue 20's bad input, each refused with a diagnostic that names what was wrong, none
//! decoded past the limits, nothing panics.

use claimdesk_image::{Format, ImageError, Limits, decode};
use image::ImageFormat;

use crate::common::{detailed, encode};

fn refused(bytes: &[u8], declared: Option<&str>) -> ImageError {
    match decode(bytes, declared, &Limits::default()) {
        Ok(d) => panic!("decoded a {:?} of {}×{}", d.format, d.width, d.height),
        Err(e) => e,
    }
}

#[test]
fn good_images_of_every_format_decode() {
    let picture = detailed(120, 80, 1);
    for (format, expected) in [
        (ImageFormat::Png, Format::Png),
        (ImageFormat::Jpeg, Format::Jpeg),
        (ImageFormat::Gif, Format::Gif),
        (ImageFormat::WebP, Format::Webp),
    ] {
        let d = decode(&encode(&picture, format), None, &Limits::default()).unwrap();
        assert_eq!((d.format, d.width, d.height), (expected, 120, 80));
        assert_eq!(d.note, None);
    }
}

#[test]
fn truncated_files_are_refused() {
    let picture = detailed(200, 150, 2);
    for (format, label) in [
        (ImageFormat::Png, "PNG"),
        (ImageFormat::Jpeg, "JPEG"),
        (ImageFormat::WebP, "WebP"),
        (ImageFormat::Gif, "GIF"),
    ] {
        let bytes = encode(&picture, format);
        for keep in [bytes.len() / 2, bytes.len() * 9 / 10, 40] {
            let e = refused(&bytes[..keep], Some("photo"));
            match &e {
                ImageError::Malformed { format, .. } => assert_eq!(*format, label),
                other => panic!("{label} cut at {keep}: {other:?}"),
            }
            let message = e.to_string();
            assert!(message.contains("truncated or corrupt"), "{message}");
        }
    }
}

#[test]
fn a_png_bomb_is_refused_from_its_header() {
    // 30,000 × 30,000 one-bit pixels: 112 MB of zeros that deflate to about 110 kB, and
    // 900 megapixels (3.6 GB as RGBA) if decoded.
    let mut bytes = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut bytes, 30_000, 30_000);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::One);
        encoder.set_compression(png::Compression::Fast);
        let mut writer = encoder.write_header().unwrap();
        let mut stream = writer.stream_writer().unwrap();
        let row = vec![0u8; 30_000 / 8];
        for _ in 0..30_000 {
            std::io::Write::write_all(&mut stream, &row).unwrap();
        }
        stream.finish().unwrap();
    }
    assert!(bytes.len() < 2_000_000, "{} bytes", bytes.len());
    let started = std::time::Instant::now();
    let e = refused(&bytes, Some("bomb.png"));
    assert!(
        started.elapsed().as_millis() < 500,
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(
        e,
        ImageError::TooBig {
            format: "PNG",
            width: 30_000,
            height: 30_000,
            max_side: 16_384,
            max_pixels: 50_000_000,
        }
    );
    assert_eq!(
        e.to_string(),
        "the PNG image is 30000 × 30000 pixels, more than the 16384 pixels a side or \
         50000000 pixels in all accepted"
    );
    // Within the side but over the pixel count: 10,000 × 10,000.
    let mut bytes = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut bytes, 10_000, 10_000);
        encoder.set_depth(png::BitDepth::One);
        let mut writer = encoder.write_header().unwrap();
        writer.write_image_data(&vec![0u8; 10_000 * 1250]).unwrap();
    }
    assert!(matches!(
        refused(&bytes, None),
        ImageError::TooBig { width: 10_000, .. }
    ));
}

/// A GIF of `frames` 1 × 1 frames, written block by block.
fn gif_with_frames(frames: usize) -> Vec<u8> {
    let mut g = b"GIF89a".to_vec();
    g.extend_from_slice(&[1, 0, 1, 0, 0x80, 0, 0]); // 1 × 1, a 2-colour global table
    g.extend_from_slice(&[0, 0, 0, 255, 255, 255]);
    for _ in 0..frames {
        g.extend_from_slice(&[0x21, 0xF9, 4, 0, 1, 0, 0, 0]); // graphic control
        g.extend_from_slice(&[0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0]); // image descriptor
        g.extend_from_slice(&[2, 2, 0x4C, 0x01, 0]); // LZW: one pixel of colour 0
    }
    g.push(0x3B);
    g
}

#[test]
fn a_gif_of_ten_thousand_frames_is_refused() {
    let ok = decode(&gif_with_frames(3), Some("anim.gif"), &Limits::default()).unwrap();
    assert_eq!((ok.format, ok.width, ok.height), (Format::Gif, 1, 1));
    let e = refused(&gif_with_frames(10_000), Some("anim.gif"));
    assert_eq!(
        e,
        ImageError::TooManyFrames {
            frames: 1_001,
            max: 1_000
        }
    );
    assert_eq!(
        e.to_string(),
        "the GIF has 1001 or more frames, more than the 1000 accepted"
    );
}

#[test]
fn svg_with_a_script_is_refused() {
    let svg = br#"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">
  <script>fetch('/api/tokens', {method: 'POST'})</script>
  <rect width="100" height="100" fill="red"/>
</svg>"#;
    for declared in [None, Some("image/svg+xml"), Some("cute-cat.png")] {
        let e = refused(svg, declared);
        assert_eq!(e, ImageError::Svg, "{declared:?}");
        assert!(e.to_string().starts_with("SVG is not accepted as an image"));
    }
}

#[test]
fn a_lying_extension_is_caught() {
    // A page dressed as a picture: refused, naming both.
    let e = refused(
        b"<!DOCTYPE html><script>alert(1)</script>",
        Some("photo.jpg"),
    );
    assert_eq!(
        e.to_string(),
        "photo.jpg is not a JPEG image: its bytes are an HTML page"
    );
    assert_eq!(e.code(), "image_disguised");
    // A real JPEG named .png: the bytes decide, and the desk is told.
    let jpeg = encode(&detailed(64, 48, 3), ImageFormat::Jpeg);
    let d = decode(&jpeg, Some("screenshot.png"), &Limits::default()).unwrap();
    assert_eq!(d.format, Format::Jpeg);
    assert_eq!(
        d.note.as_deref(),
        Some("screenshot.png is named as PNG but its bytes are JPEG; read as JPEG")
    );
    // No claim and no image.
    assert_eq!(
        refused(b"%PDF-1.7\n...", None).to_string(),
        "a PDF document, not an image claimdesk reads (PNG, JPEG, GIF or WebP)"
    );
    assert_eq!(refused(b"", None), ImageError::Empty);
}

#[test]
fn the_size_cap_comes_before_decoding() {
    let png = encode(&detailed(64, 48, 4), ImageFormat::Png);
    let limits = Limits {
        max_bytes: 100,
        ..Limits::default()
    };
    assert_eq!(
        decode(&png, None, &limits).unwrap_err(),
        ImageError::TooLarge {
            bytes: png.len(),
            max: 100
        }
    );
}

/// `jpeg` with an EXIF APP1 segment right after SOI carrying one tag: Orientation.
fn with_orientation(jpeg: &[u8], orientation: u16) -> Vec<u8> {
    let mut tiff = b"MM\0\x2A\0\0\0\x08".to_vec(); // big-endian, IFD at 8
    tiff.extend_from_slice(&1u16.to_be_bytes()); // one entry
    tiff.extend_from_slice(&0x0112u16.to_be_bytes()); // Orientation
    tiff.extend_from_slice(&3u16.to_be_bytes()); // SHORT
    tiff.extend_from_slice(&1u32.to_be_bytes()); // one value
    tiff.extend_from_slice(&orientation.to_be_bytes());
    tiff.extend_from_slice(&[0, 0]);
    tiff.extend_from_slice(&0u32.to_be_bytes()); // no next IFD
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&tiff);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&jpeg[2..]);
    out
}

#[test]
fn exif_orientation_is_honoured() {
    // A landscape photo whose camera was held upright: EXIF 6 says "rotate 90° clockwise".
    let jpeg = encode(&detailed(160, 90, 5), ImageFormat::Jpeg);
    let plain = decode(&jpeg, None, &Limits::default()).unwrap();
    assert_eq!((plain.width, plain.height), (160, 90));
    let rotated = decode(&with_orientation(&jpeg, 6), None, &Limits::default()).unwrap();
    assert_eq!((rotated.width, rotated.height), (90, 160));
    // Its top-left pixel is the original's bottom-left one.
    let a = plain.image.to_rgb8();
    let b = rotated.image.to_rgb8();
    assert_eq!(b.get_pixel(0, 0), a.get_pixel(0, 89));
}

#[test]
fn random_bytes_never_panic() {
    // A cheap fuzz: every prefix of a good file and a few thousand corrupted copies.
    let png = encode(&detailed(40, 30, 6), ImageFormat::Png);
    let jpeg = encode(&detailed(40, 30, 6), ImageFormat::Jpeg);
    let gif = encode(&detailed(40, 30, 6), ImageFormat::Gif);
    let webp = encode(&detailed(40, 30, 6), ImageFormat::WebP);
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for good in [&png, &jpeg, &gif, &webp] {
        for cut in (0..good.len()).step_by(7) {
            let _ = decode(&good[..cut], None, &Limits::default());
        }
        for _ in 0..300 {
            let mut bad = good.to_vec();
            for _ in 0..1 + next() % 8 {
                let at = (next() % bad.len() as u64) as usize;
                bad[at] = next() as u8;
            }
            let _ = decode(&bad, None, &Limits::default());
        }
    }
}
