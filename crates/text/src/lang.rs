//! Language identification.
//!
//! Short posts fool trigram models (whatlang calls "Drinking hot lemon water does not cure
//! cancer" French), and Vietnamese typed without diacritics looks like no language at all. So
//! the two languages the desk serves first are recognized by their own evidence (letters only
//! Vietnamese uses, Vietnamese function words, English function words), and whatlang decides
//! the rest. URLs, mentions and hashtags are left out.

use whatlang::Lang;

use crate::normalize::fold;
use crate::tokenize::{WordKind, is_stopword, words};

/// A detected language: an ISO 639-1 code where one exists (`vi`, `en`), else ISO 639-3.
#[derive(Debug, Clone, PartialEq)]
pub struct Language {
    /// The language tag.
    pub code: &'static str,
    /// How sure the detector is, in [0, 1].
    pub confidence: f64,
}

/// Detects the language of `text`; `None` for empty text or text with no letters.
///
/// ```
/// use claimdesk_text::detect_language;
/// assert_eq!(detect_language("Uống nước chanh nóng không chữa được ung thư").unwrap().code, "vi");
/// assert_eq!(detect_language("Drinking hot lemon water does not cure cancer").unwrap().code, "en");
/// ```
pub fn detect_language(text: &str) -> Option<Language> {
    let plain: Vec<String> = words(text)
        .into_iter()
        .filter(|w| w.kind == WordKind::Word && w.text.chars().any(char::is_alphabetic))
        .map(|w| w.text)
        .collect();
    if plain.is_empty() {
        return None;
    }
    let n = plain.len() as f64;
    let share = |pred: &dyn Fn(&str) -> bool| plain.iter().filter(|w| pred(w)).count() as f64 / n;
    // Vietnamese-only letters are decisive; short texts fool trigram models.
    let vi_marked = share(&|w| w.chars().any(|c| VI_MARKERS.contains(c)));
    if vi_marked >= 0.25 {
        return Some(Language {
            code: "vi",
            confidence: (vi_marked * 2.0).min(1.0),
        });
    }
    let vi_plain = share(&|w| VI_FUNCTION_WORDS.binary_search(&fold(w).as_str()).is_ok());
    let en = share(&|w| is_stopword(w));
    if vi_plain >= 0.2 && vi_plain > en {
        return Some(Language {
            code: "vi",
            confidence: (vi_plain * 2.0).min(1.0),
        });
    }
    if en >= 0.15 {
        return Some(Language {
            code: "en",
            confidence: (en * 3.0).min(1.0),
        });
    }
    let info = whatlang::detect(&plain.join(" "))?;
    Some(Language {
        code: code(info.lang()),
        confidence: info.confidence(),
    })
}

/// Letters only Vietnamese uses among Latin scripts (đ, ơ, ư, ă, and tones on quality vowels).
const VI_MARKERS: &str = "đơưăạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ";

/// Frequent Vietnamese function words and chat abbreviations, folded and sorted, to recognize
/// Vietnamese typed without diacritics.
const VI_FUNCTION_WORDS: &[&str] = &[
    "ban", "bi", "cac", "cho", "chua", "co", "cua", "da", "dang", "dc", "de", "den", "di", "duoc",
    "hay", "khi", "khong", "ko", "la", "lai", "lam", "len", "ma", "minh", "mn", "moi", "mot",
    "nay", "nen", "nguoi", "nha", "nhe", "nhieu", "nhu", "nhung", "oi", "qua", "ra", "rat", "roi",
    "se", "tai", "thay", "thi", "tren", "trong", "tu", "va", "ve", "vi", "voi",
];

fn code(lang: Lang) -> &'static str {
    match lang {
        Lang::Vie => "vi",
        Lang::Eng => "en",
        Lang::Fra => "fr",
        Lang::Deu => "de",
        Lang::Spa => "es",
        Lang::Por => "pt",
        Lang::Ita => "it",
        Lang::Rus => "ru",
        Lang::Cmn => "zh",
        Lang::Jpn => "ja",
        Lang::Kor => "ko",
        Lang::Tha => "th",
        Lang::Ind => "id",
        Lang::Ara => "ar",
        Lang::Hin => "hi",
        other => other.code(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_word_lists_are_sorted() {
        assert!(VI_FUNCTION_WORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn vietnamese_without_diacritics_is_vietnamese() {
        let lang = detect_language("mn oi uong nuoc chanh nong co chua dc ung thu ko").unwrap();
        assert_eq!(lang.code, "vi");
    }

    #[test]
    fn no_letters_no_language() {
        assert_eq!(detect_language("12345 😱 https://t.co/x"), None);
        assert_eq!(detect_language(""), None);
    }
}
