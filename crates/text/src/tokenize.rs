//! Turning text into index terms.
//!
//! One pass over the text yields the words every analyzer shares; each analyzer then maps them
//! to terms. Deliberate choices, each for a reason a fact-checker would recognize:
//! - URLs become their domain (`https://www.who.int/news/...` → `who.int`): the path is noise,
//!   the site is evidence. The domain is one term, so it never matches an ordinary word.
//! - `#hashtags` and `@mentions` keep their words, split at camelCase (`#AustralianFires` →
//!   `australian`, `fires`): the words carry the claim.
//! - Emoji and punctuation are dropped: they carry tone, not checkable content.
//! - English words (ASCII) are stemmed (Porter2) and English stopwords dropped; Vietnamese has
//!   no stopword list (too many folded collisions: `là`, `lá` and `la` all fold to `la`).
//! - Vietnamese words are mostly one or two syllables and no permissive word segmenter exists,
//!   so consecutive syllables also form bigrams (`điện_biên`), in a field of their own.

use std::borrow::Cow;
use std::sync::LazyLock;

use rust_stemmers::{Algorithm, Stemmer};
use unicode_segmentation::UnicodeSegmentation;

use crate::normalize::{clean, fold_normalized, normalize};

/// Which form of the text an analyzer indexes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Form {
    /// Diacritics kept (tones canonical, lowercase): `điện`, `hòa`.
    Exact,
    /// Diacritics dropped: `dien`, `hoa`. Matches text typed without accents.
    Folded,
}

/// What a word of the text was before it became a term.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WordKind {
    /// An ordinary word or number of the running text.
    Word,
    /// A word from a `#hashtag`.
    Hashtag,
    /// A word from an `@mention`.
    Mention,
    /// The domain of a URL.
    Domain,
}

/// A word of the text, normalized (exact form) but neither stemmed nor filtered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The normalized word (see [`crate::normalize`]).
    pub text: String,
    /// Where it came from.
    pub kind: WordKind,
}

static STEMMER: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::English));

/// English stopwords (the list bm25s and scikit-learn use, trimmed to function words).
const STOPWORDS_EN: &[&str] = &[
    "a",
    "about",
    "above",
    "after",
    "again",
    "against",
    "all",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "down",
    "during",
    "each",
    "few",
    "for",
    "from",
    "further",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "me",
    "more",
    "most",
    "my",
    "myself",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "on",
    "once",
    "only",
    "or",
    "other",
    "our",
    "ours",
    "ourselves",
    "out",
    "over",
    "own",
    "same",
    "she",
    "should",
    "so",
    "some",
    "such",
    "than",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "themselves",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "to",
    "too",
    "under",
    "until",
    "up",
    "very",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "would",
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
];

/// True for an English stopword (input already lowercase).
pub fn is_stopword(word: &str) -> bool {
    STOPWORDS_EN.binary_search(&word).is_ok()
}

/// Splits a text into its normalized [`Word`]s, in order.
///
/// ```
/// use claimdesk_text::{words, WordKind};
/// let w = words("Xem ngay https://www.example.com/a?b #TinGia @BoYTe");
/// let texts: Vec<&str> = w.iter().map(|w| w.text.as_str()).collect();
/// assert_eq!(texts, ["xem", "ngay", "example.com", "tin", "gia", "bo", "y", "te"]);
/// assert_eq!(w[2].kind, WordKind::Domain);
/// ```
pub fn words(text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    for_each_word(text, |text, kind| out.push(Word { text, kind }));
    out
}

/// Calls `f` with every normalized word of `text` and its kind, in order.
pub fn for_each_word(text: &str, mut f: impl FnMut(String, WordKind)) {
    let cleaned = clean(text);
    for chunk in cleaned.split_whitespace() {
        let mut rest = chunk;
        // A hashtag glued to a URL ("#Tag https://..." pasted without a space).
        while !rest.is_empty() {
            let url_at = crate::links::find_link(rest);
            let (before, url) = match url_at {
                Some(0) => ("", Some(rest)),
                Some(i) => (&rest[..i], Some(&rest[i..])),
                None => (rest, None),
            };
            if !before.is_empty() {
                chunk_words(before, &mut f);
            }
            match url {
                Some(u) => {
                    let end = u
                        .char_indices()
                        .skip(1)
                        .find(|&(i, _)| crate::links::find_link(&u[i..]) == Some(0))
                        .map_or(u.len(), |(i, _)| i);
                    if let Some(domain) = url_domain(&u[..end]) {
                        f(domain, WordKind::Domain);
                    }
                    rest = &u[end..];
                }
                None => rest = "",
            }
        }
    }
}

/// The host of a URL, lowercased, without `www.` and port; `None` when there is none.
fn url_domain(url: &str) -> Option<String> {
    let lower = url.to_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .unwrap_or(&lower);
    let host_end = rest.find(['/', '?', '#', ':']).unwrap_or(rest.len());
    let host = rest[..host_end].trim_start_matches("www.");
    let host = host.trim_end_matches(|c: char| !c.is_alphanumeric());
    if host.contains('.')
        && host
            .chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '-')
    {
        Some(host.to_string())
    } else {
        None
    }
}

fn chunk_words(chunk: &str, f: &mut impl FnMut(String, WordKind)) {
    let trimmed = chunk.trim_start_matches(|c: char| !c.is_alphanumeric() && c != '#' && c != '@');
    let (kind, body) = if let Some(tag) = trimmed.strip_prefix('#') {
        (WordKind::Hashtag, tag)
    } else if let Some(handle) = trimmed.strip_prefix('@') {
        (WordKind::Mention, handle)
    } else {
        (WordKind::Word, chunk)
    };
    for w in body.unicode_words() {
        if kind == WordKind::Word {
            if w.is_ascii() {
                f(w.to_ascii_lowercase(), kind);
            } else {
                f(normalize(w), kind);
            }
        } else {
            for part in split_camel_case(w) {
                f(normalize(part), kind);
            }
        }
    }
}

/// Splits `AustralianFires` into `Australian`, `Fires`, `COVID19Vaccine` into `COVID19`,
/// `Vaccine`, and `snake_case` at the underscores.
fn split_camel_case(word: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    for piece in word.split('_').filter(|p| !p.is_empty()) {
        let chars: Vec<(usize, char)> = piece.char_indices().collect();
        let mut start = 0;
        for k in 1..chars.len() {
            let (i, c) = chars[k];
            let prev = chars[k - 1].1;
            let next_lower = chars.get(k + 1).is_some_and(|&(_, n)| n.is_lowercase());
            let boundary = (c.is_uppercase() && (prev.is_lowercase() || prev.is_numeric()))
                || (c.is_uppercase() && prev.is_uppercase() && next_lower);
            if boundary {
                parts.push(&piece[start..i]);
                start = i;
            }
        }
        parts.push(&piece[start..]);
    }
    parts
}

/// Maps a normalized word to its index term in the given form, or `None` when it is dropped
/// (an English stopword). Domains pass through unchanged.
pub fn term(word: &Word, form: Form) -> Option<String> {
    if word.kind == WordKind::Domain {
        return Some(word.text.clone());
    }
    let w: Cow<'_, str> = match form {
        Form::Folded if !word.text.is_ascii() => Cow::Owned(fold_normalized(&word.text)),
        _ => Cow::Borrowed(&word.text),
    };
    if is_stopword(&w) {
        return None;
    }
    if w.is_ascii() && w.len() > 3 && w.bytes().any(|b| b.is_ascii_alphabetic()) {
        Some(STEMMER.stem(&w).into_owned())
    } else {
        Some(w.into_owned())
    }
}

/// The unigram terms of a text in one form, in order.
///
/// ```
/// use claimdesk_text::{terms, Form};
/// assert_eq!(terms("Vaccines are causing infertility", Form::Exact), ["vaccin", "caus", "infertil"]);
/// assert_eq!(terms("Thuỷ điện", Form::Folded), ["thuy", "dien"]);
/// ```
pub fn terms(text: &str, form: Form) -> Vec<String> {
    Analysis::new(text).terms(form)
}

/// Bigrams of consecutive terms (`điện biên phủ` → `dien_bien`, `bien_phu` when folded).
/// Domains do not take part.
///
/// ```
/// use claimdesk_text::{bigrams, Form};
/// assert_eq!(bigrams("Điện Biên Phủ", Form::Folded), ["dien_bien", "bien_phu"]);
/// ```
pub fn bigrams(text: &str, form: Form) -> Vec<String> {
    Analysis::new(text).bigrams(form)
}

/// A text split into words once, from which every analyzer's terms are derived. Matching
/// a query needs the exact terms, the folded terms, the bigrams and the fingerprint: one
/// pass over the text gives them all.
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    /// The words, in order.
    pub words: Vec<Word>,
    exact: Vec<Option<String>>,
    folded: Vec<Option<String>>,
}

impl Analysis {
    /// Analyzes `text`.
    pub fn new(text: &str) -> Analysis {
        let words = words(text);
        let mut exact = Vec::with_capacity(words.len());
        let mut folded = Vec::with_capacity(words.len());
        for w in &words {
            let e = term(w, Form::Exact);
            // ASCII words fold to themselves: stem once.
            let f = if w.text.is_ascii() {
                e.clone()
            } else {
                term(w, Form::Folded)
            };
            exact.push(e);
            folded.push(f);
        }
        Analysis {
            words,
            exact,
            folded,
        }
    }

    fn column(&self, form: Form) -> &[Option<String>] {
        match form {
            Form::Exact => &self.exact,
            Form::Folded => &self.folded,
        }
    }

    /// The unigram terms in `form`, in order (same as [`terms`]).
    pub fn terms(&self, form: Form) -> Vec<String> {
        self.column(form).iter().flatten().cloned().collect()
    }

    /// The unigram terms in `form`, in order, borrowed.
    pub fn term_refs(&self, form: Form) -> impl Iterator<Item = &str> {
        self.column(form).iter().flatten().map(String::as_str)
    }

    /// The bigrams in `form` as pairs of borrowed terms, in order.
    pub fn bigram_pairs(&self, form: Form) -> Vec<(&str, &str)> {
        let mut out = Vec::new();
        let mut prev: Option<&str> = None;
        for (w, t) in self.words.iter().zip(self.column(form)) {
            if w.kind == WordKind::Domain {
                prev = None;
                continue;
            }
            if let Some(t) = t {
                if let Some(p) = prev {
                    out.push((p, t.as_str()));
                }
                prev = Some(t);
            }
        }
        out
    }

    /// The bigrams in `form`, in order (same as [`bigrams`]).
    pub fn bigrams(&self, form: Form) -> Vec<String> {
        self.bigram_pairs(form)
            .into_iter()
            .map(|(a, b)| format!("{a}_{b}"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stopword_list_is_sorted() {
        assert!(STOPWORDS_EN.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn hashtag_glued_to_url_is_split() {
        let t = terms("#DefundTheCBChttps://t.co/CsHG8R9cHp now", Form::Exact);
        assert_eq!(t, ["defund", "cbc", "t.co"]);
    }

    #[test]
    fn camel_case_splits() {
        assert_eq!(split_camel_case("AustralianFires"), ["Australian", "Fires"]);
        assert_eq!(split_camel_case("COVID19Vaccine"), ["COVID19", "Vaccine"]);
        assert_eq!(split_camel_case("tin_gia"), ["tin", "gia"]);
        assert_eq!(split_camel_case("BoYTe"), ["Bo", "Y", "Te"]);
    }

    #[test]
    fn urls_become_domains() {
        assert_eq!(
            url_domain("https://www.WHO.int/news/x"),
            Some("who.int".into())
        );
        assert_eq!(
            url_domain("pic.twitter.com/0eJtwJyS1J"),
            Some("pic.twitter.com".into())
        );
        assert_eq!(url_domain("http://"), None);
    }

    #[test]
    fn emoji_and_punctuation_are_dropped() {
        assert_eq!(
            terms("Sốc!!! 😱😱 thật không?", Form::Exact),
            ["sốc", "thật", "không"]
        );
    }

    #[test]
    fn vietnamese_words_are_not_stemmed() {
        assert_eq!(
            terms("những người dân", Form::Folded),
            ["nhung", "nguoi", "dan"]
        );
    }
}
