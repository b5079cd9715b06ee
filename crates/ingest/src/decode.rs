//! Bytes of a feed or a web page into text, in whatever encoding they came.
//!
//! The order, as browsers and XML parsers do it: a byte-order mark; the `charset` of the
//! HTTP `Content-Type`; the document's own declaration (`<?xml encoding="...">`, or an HTML
//! `<meta charset>`); UTF-8 when the bytes are valid UTF-8; else a guess by chardetng (for
//! Vietnamese pages: windows-1258 or a Latin encoding, from the bytes' statistics).

use encoding_rs::Encoding;

/// Text and the encoding it was decoded from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The text, UTF-8.
    pub text: String,
    /// The encoding's WHATWG name (`UTF-8`, `windows-1258`, `Shift_JIS`).
    pub encoding: &'static str,
    /// How it was chosen: `bom`, `http`, `declared`, `utf-8` or `guessed`.
    pub chosen_by: &'static str,
}

/// The `charset` parameter of a `Content-Type` value.
pub fn charset_of_content_type(content_type: &str) -> Option<&str> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| v.trim().trim_matches('"').trim_matches('\''))
    })
}

/// The encoding an XML declaration or an HTML `<meta>` names in the first 1024 bytes.
fn declared(head: &[u8]) -> Option<&'static Encoding> {
    let head = &head[..head.len().min(1024)];
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    for key in [&b"encoding"[..], b"charset"] {
        let mut from = 0;
        while let Some(i) = find(&lower[from..], key) {
            let mut j = from + i + key.len();
            while j < lower.len() && lower[j].is_ascii_whitespace() {
                j += 1;
            }
            if lower.get(j) == Some(&b'=') {
                j += 1;
                while j < lower.len()
                    && (lower[j].is_ascii_whitespace() || lower[j] == b'"' || lower[j] == b'\'')
                {
                    j += 1;
                }
                let end = lower[j..]
                    .iter()
                    .position(|b| {
                        !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
                    })
                    .map_or(lower.len(), |p| j + p);
                if let Some(enc) = Encoding::for_label(&lower[j..end]) {
                    return Some(enc);
                }
            }
            from += i + key.len();
        }
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Decodes `bytes` (see the module's order). `content_type` is the HTTP header, if any.
pub fn decode(bytes: &[u8], content_type: Option<&str>) -> Decoded {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        return Decoded {
            text: composed(enc, text.into_owned()),
            encoding: enc.name(),
            chosen_by: "bom",
        };
    }
    let from_http = content_type
        .and_then(charset_of_content_type)
        .and_then(|c| Encoding::for_label(c.as_bytes()));
    let (enc, chosen_by) = if let Some(enc) = from_http {
        (enc, "http")
    } else if let Some(enc) = declared(bytes) {
        (enc, "declared")
    } else if std::str::from_utf8(bytes).is_ok() {
        (encoding_rs::UTF_8, "utf-8")
    } else {
        let mut detector = chardetng::EncodingDetector::new();
        detector.feed(bytes, true);
        (detector.guess(None, true), "guessed")
    };
    // A UTF-16 label on bytes without a BOM is almost always a mislabel (WHATWG decodes it
    // as UTF-8 there too).
    let enc = enc.output_encoding();
    let (text, _) = enc.decode_without_bom_handling(bytes);
    Decoded {
        text: composed(enc, text.into_owned()),
        encoding: enc.name(),
        chosen_by,
    }
}

/// windows-1258 writes Vietnamese tones as combining marks after the letter; composed (NFC)
/// they compare equal to the same words from a UTF-8 source.
fn composed(enc: &'static Encoding, text: String) -> String {
    use unicode_normalization::UnicodeNormalization;
    if enc == encoding_rs::WINDOWS_1258 {
        text.nfc().collect()
    } else {
        text
    }
}

/// Encodes Vietnamese text as windows-1258 does: precomposed letters with horn, breve and
/// circumflex (and đ), tones as combining marks. Only for tests of [`decode`].
#[doc(hidden)]
pub fn encode_windows_1258(text: &str) -> Vec<u8> {
    use unicode_normalization::UnicodeNormalization;
    use unicode_normalization::char::compose;
    let mut out = String::new();
    let mut chars = text.nfd().peekable();
    while let Some(base) = chars.next() {
        let mut c = base;
        let mut marks = Vec::new();
        while let Some(&m) = chars.peek() {
            if unicode_normalization::char::is_combining_mark(m) {
                marks.push(m);
                chars.next();
            } else {
                break;
            }
        }
        marks.retain(|&m| {
            if matches!(m, '\u{302}' | '\u{306}' | '\u{31b}')
                && let Some(p) = compose(c, m)
            {
                c = p;
                return false;
            }
            true
        });
        out.push(c);
        out.extend(marks);
    }
    encoding_rs::WINDOWS_1258.encode(&out).0.into_owned()
}

/// Rewrites an XML declaration's `encoding` to UTF-8, for text already decoded, so an XML
/// parser does not decode it a second time.
pub fn declare_utf8(xml: &str) -> std::borrow::Cow<'_, str> {
    let trimmed = xml.trim_start();
    if !trimmed.starts_with("<?xml") {
        return xml.into();
    }
    match trimmed.find("?>") {
        Some(end) => format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>{}",
            &trimmed[end + 2..]
        )
        .into(),
        None => xml.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_xml_encoding_is_honoured() {
        let bytes = encode_windows_1258(
            "<?xml version=\"1.0\" encoding=\"windows-1258\"?><rss><title>Tin tức Việt Nam</title></rss>",
        );
        assert!(
            !bytes.contains(&b'&'),
            "every letter has a windows-1258 form"
        );
        let d = decode(&bytes, None);
        assert_eq!(d.encoding, "windows-1258");
        assert_eq!(d.chosen_by, "declared");
        assert!(d.text.contains("Tin tức Việt Nam"), "{}", d.text);
    }

    #[test]
    fn http_charset_wins_over_the_declaration() {
        let (bytes, _, _) = encoding_rs::SHIFT_JIS
            .encode("<?xml version=\"1.0\" encoding=\"utf-8\"?><a>日本語のニュース</a>");
        let d = decode(&bytes, Some("application/rss+xml; charset=Shift_JIS"));
        assert_eq!((d.encoding, d.chosen_by), ("Shift_JIS", "http"));
        assert!(d.text.contains("日本語のニュース"));
    }

    #[test]
    fn bom_and_plain_utf8() {
        let d = decode(
            "\u{feff}<a>é</a>".as_bytes(),
            Some("text/xml; charset=latin1"),
        );
        assert_eq!(
            (d.encoding, d.chosen_by, d.text.as_str()),
            ("UTF-8", "bom", "<a>é</a>")
        );
        let d = decode("<a>é</a>".as_bytes(), None);
        assert_eq!((d.encoding, d.chosen_by), ("UTF-8", "utf-8"));
    }

    #[test]
    fn undeclared_latin1_is_guessed() {
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(
            "<p>Le gouvernement a annoncé une réforme de la sécurité sociale très débattue.</p>",
        );
        let d = decode(&bytes, None);
        assert_eq!(d.chosen_by, "guessed");
        assert!(
            d.text.contains("annoncé une réforme"),
            "{} {}",
            d.encoding,
            d.text
        );
    }

    #[test]
    fn declaration_is_rewritten_to_utf8() {
        assert_eq!(
            declare_utf8("<?xml version='1.0' encoding='ISO-8859-1'?><rss/>"),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss/>"
        );
        assert_eq!(declare_utf8("<rss/>"), "<rss/>");
    }
}
