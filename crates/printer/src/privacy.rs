//! `claimdesk check-post`: a privacy check's findings, as text or JSON.

use std::path::PathBuf;

use claimdesk_engine::PostCheck;
use claimdesk_engine::privacy::{Finding, Location};
use serde_json::{Value, json};

/// Where a finding is, for a person: `bytes 12..24`, `EXIF BodySerialNumber`, `QR code 1 at
/// 40,40 (290×290), bytes 3..15`, `text read from the image, bytes 5..17`.
pub fn location(location: &Location) -> String {
    match location {
        Location::Text { start, end } => format!("bytes {start}..{end}"),
        Location::Metadata {
            block, field, span, ..
        } => match span {
            Some((s, e)) => format!("{block} {field}, bytes {s}..{e} of its value"),
            None => format!("{block} {field}"),
        },
        Location::QrCode {
            code,
            region,
            start,
            end,
        } => format!(
            "QR code {} at {},{} ({}×{}), bytes {start}..{end} of its text",
            code + 1,
            region.x,
            region.y,
            region.width,
            region.height
        ),
        Location::ImageText { start, end, region } => match region {
            Some(r) => format!(
                "text read from the image at {},{} ({}×{}), bytes {start}..{end}",
                r.x, r.y, r.width, r.height
            ),
            None => format!("text read from the image, bytes {start}..{end}"),
        },
    }
}

fn finding_line(f: &Finding) -> String {
    format!(
        "  {:<6}  {:<14}  {}  {:?}\n          {}\n",
        f.severity.as_str(),
        f.kind.as_str(),
        location(&f.location),
        crate::excerpt(&f.matched, 60),
        f.reason.en
    )
}

/// What `check-post` prints: [`json()`] (one line) or [`report()`].
pub fn print(check: &PostCheck, clean: &[Option<PathBuf>], as_json: bool) -> String {
    let clean: Vec<Option<String>> = clean
        .iter()
        .map(|p| p.as_ref().map(|p| p.display().to_string()))
        .collect();
    if as_json {
        format!("{}\n", json(check, &clean))
    } else {
        report(check, &clean)
    }
}

/// The check as text: each part with its findings (or why its check is incomplete), the
/// clean copies written (`clean[i]` for image `i`), and a summary line.
pub fn report(check: &PostCheck, clean: &[Option<String>]) -> String {
    let mut out = String::new();
    for t in &check.texts {
        match &t.result {
            Ok(r) => {
                out += &format!("{}: {} finding(s)\n", t.name, r.findings.len());
                r.findings.iter().for_each(|f| out += &finding_line(f));
            }
            Err(e) => out += &format!("{}: NOT CHECKED: {e}\n", t.name),
        }
    }
    for (i, image) in check.images.iter().enumerate() {
        match &image.result {
            Ok(r) => {
                out += &format!(
                    "{} ({} {}×{}): {} finding(s)\n",
                    image.name,
                    r.format,
                    r.width,
                    r.height,
                    r.findings.len()
                );
                r.findings.iter().for_each(|f| out += &finding_line(f));
                if let Some(Some(path)) = clean.get(i) {
                    let how = if r.clean.lossless {
                        "metadata removed, picture unchanged"
                    } else {
                        "re-encoded without metadata"
                    };
                    out += &format!("  clean copy: {path} ({how})\n");
                }
            }
            Err(e) => out += &format!("{}: CHECK INCOMPLETE: {e}\n", image.name),
        }
    }
    let c = check.counts();
    out += &format!(
        "{} finding(s), {} of high severity, in {} text(s) and {} image(s){}\n",
        c.findings,
        c.high,
        c.texts,
        c.images,
        if c.incomplete > 0 {
            format!("; {} part(s) could NOT be checked completely", c.incomplete)
        } else {
            String::new()
        }
    );
    out
}

/// The check as JSON: `complete`, `texts` and `images` (each with `findings` or `error`,
/// an image with `clean_copy` when one was written) and `counts`.
pub fn json(check: &PostCheck, clean: &[Option<String>]) -> Value {
    let findings = |f: &[Finding]| serde_json::to_value(f).unwrap_or(Value::Null);
    let texts: Vec<Value> = check
        .texts
        .iter()
        .map(|t| match &t.result {
            Ok(r) => json!({"name": t.name, "findings": findings(&r.findings)}),
            Err(e) => {
                json!({"name": t.name, "error": {"code": e.code(), "message": e.to_string()}})
            }
        })
        .collect();
    let images: Vec<Value> = check
        .images
        .iter()
        .enumerate()
        .map(|(i, image)| match &image.result {
            Ok(r) => json!({
                "name": image.name,
                "format": r.format,
                "width": r.width,
                "height": r.height,
                "findings": findings(&r.findings),
                "qr_codes": r.qr_codes,
                "text_read": r.text_read,
                "clean_copy": clean.get(i).cloned().flatten(),
                "clean_lossless": r.clean.lossless,
            }),
            Err(e) => {
                json!({"name": image.name, "error": {"code": e.code(), "message": e.to_string()}})
            }
        })
        .collect();
    let c = check.counts();
    json!({
        "complete": check.complete(),
        "texts": texts,
        "images": images,
        "counts": {"findings": c.findings, "high": c.high, "incomplete": c.incomplete},
    })
}
