//! The one definition of a link in a post: a word that starts with `http://`, `https://`,
//! `www.` or `pic.twitter.com/`, in any case. Links carry no claim: tokenizing keeps only
//! their domain, the models read posts without them, and the sentence splitter does not
//! break inside them.

/// What a link starts with (compared without regard to ASCII case).
pub const LINK_PREFIXES: [&str; 4] = ["http://", "https://", "www.", "pic.twitter.com/"];

/// Byte offset of the first link start in `s`, anywhere in it (a hashtag glued to a URL,
/// `#Taghttps://t.co/x`, has one at 4).
pub fn find_link(s: &str) -> Option<usize> {
    // Every prefix holds a '.' or a ':'; most words hold neither.
    if !s.bytes().any(|b| b == b'.' || b == b':') {
        return None;
    }
    LINK_PREFIXES
        .iter()
        .filter_map(|p| {
            s.as_bytes()
                .windows(p.len())
                .position(|w| w.eq_ignore_ascii_case(p.as_bytes()))
        })
        .filter(|&i| s.is_char_boundary(i))
        .min()
}

/// Whether `word` (one whitespace-separated word) is a link, after any opening punctuation
/// (`(https://…`, `"www.…`).
pub fn is_link(word: &str) -> bool {
    let w = word.trim_start_matches(|c: char| !c.is_alphanumeric());
    LINK_PREFIXES.iter().any(|p| {
        w.get(..p.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(p))
    })
}

/// `text` without its link words, words joined by single spaces.
pub fn without_links(text: &str) -> String {
    text.split_whitespace()
        .filter(|w| !is_link(w))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_found_in_any_case_and_after_opening_punctuation() {
        for w in [
            "https://t.co/x",
            "HTTP://X.VN/a",
            "(https://who.int)",
            "\"www.bbc.com",
            "pic.twitter.com/abc",
            "Www.Example.com",
        ] {
            assert!(is_link(w), "{w}");
        }
        for w in [
            "http",
            "5.000",
            "U.S.",
            "#tag",
            "httpx://a",
            "wwwx.com",
            "ph.ai",
            "",
        ] {
            assert!(!is_link(w), "{w}");
        }
    }

    #[test]
    fn find_link_reports_where_a_glued_link_starts() {
        assert_eq!(find_link("#Taghttps://t.co/x"), Some(4));
        assert_eq!(find_link("xem:WWW.vn"), Some(4));
        assert_eq!(find_link("plain"), None);
        assert_eq!(find_link("3.5"), None);
        assert_eq!(find_link("Đà_Nẵng.https://x"), Some("Đà_Nẵng.".len()));
    }

    #[test]
    fn without_links_keeps_the_words() {
        assert_eq!(
            without_links("5G  spreads it https://t.co/x pic.twitter.com/abc !"),
            "5G spreads it !"
        );
    }
}
