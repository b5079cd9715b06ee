//! Unicode and Vietnamese normalization.
//!
//! Every text claimdesk indexes or matches goes through [`normalize`]: NFC, control characters
//! to spaces, lowercase, and Vietnamese tone marks moved to one canonical vowel, so that the
//! old style (`hoà`, `thuỷ`, `khoẻ`), the new style (`hòa`, `thủy`, `khỏe`), precomposed,
//! decomposed (NFD) and Windows-1258 style input (base letter + combining tone) all give the
//! same string. [`fold`] goes further and drops every diacritic (`Điện Biên` → `dien bien`).

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::{IsNormalized, UnicodeNormalization};

/// The five Vietnamese tone marks as combining characters (grave, acute, tilde, hook above,
/// dot below). U+0340/U+0341 are canonically equivalent to the first two and NFD maps them.
const TONES: [char; 5] = ['\u{300}', '\u{301}', '\u{303}', '\u{309}', '\u{323}'];

/// The vowel-quality marks: circumflex (â ê ô), breve (ă), horn (ơ ư).
const QUALITIES: [char; 3] = ['\u{302}', '\u{306}', '\u{31B}'];

/// NFC, control characters (other than newline and tab) replaced by spaces.
///
/// The first step of every analysis: it keeps case, so callers can still see camelCase in
/// hashtags and mentions.
pub fn clean(text: &str) -> String {
    if text.is_ascii() {
        return text
            .bytes()
            .map(|b| {
                if b.is_ascii_control() && b != b'\n' && b != b'\t' {
                    ' '
                } else {
                    b as char
                }
            })
            .collect();
    }
    // Most text arrives in NFC already; checking is much cheaper than recomposing.
    if unicode_normalization::is_nfc_quick(text.chars()) == IsNormalized::Yes {
        return text
            .chars()
            .map(|c| {
                if c.is_control() && c != '\n' && c != '\t' {
                    ' '
                } else {
                    c
                }
            })
            .collect();
    }
    text.nfc()
        .map(|c| {
            if c.is_control() && c != '\n' && c != '\t' {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// The canonical form of a text: NFC, lowercase, Vietnamese tones on their canonical vowel.
///
/// Idempotent, and the same for NFC and NFD input:
/// ```
/// use claimdesk_text::normalize;
/// assert_eq!(normalize("Hoà Bình"), "hòa bình");
/// assert_eq!(normalize("THUỶ ĐIỆN"), normalize("thủy điện"));
/// assert_eq!(normalize("khoe\u{309}"), "khỏe");
/// ```
pub fn normalize(text: &str) -> String {
    if text.is_ascii() {
        // No marks to place, nothing to compose: the common case of English and of
        // Vietnamese typed without accents.
        let mut out = clean(text);
        out.make_ascii_lowercase();
        return out;
    }
    let lower: String = clean(text).chars().flat_map(char::to_lowercase).collect();
    let mut out = String::with_capacity(lower.len());
    let mut word = String::new();
    for c in lower.chars() {
        if c.is_alphabetic() || is_combining_mark(c) {
            word.push(c);
        } else {
            if !word.is_empty() {
                push_canonical_syllable(&word, &mut out);
                word.clear();
            }
            out.push(c);
        }
    }
    if !word.is_empty() {
        push_canonical_syllable(&word, &mut out);
    }
    // Lowercasing and re-placing marks can leave sequences that are not NFC.
    if unicode_normalization::is_nfc(&out) {
        out
    } else {
        out.nfc().collect()
    }
}

/// The accent-free form of a text: [`normalize`], then every combining mark dropped and
/// `đ` mapped to `d`, so text typed without accents still matches.
///
/// ```
/// use claimdesk_text::fold;
/// assert_eq!(fold("Điện Biên"), "dien bien");
/// ```
pub fn fold(text: &str) -> String {
    fold_normalized(&normalize(text))
}

/// [`fold`] for text that is already the output of [`normalize`].
pub fn fold_normalized(normalized: &str) -> String {
    if normalized.is_ascii() {
        return normalized.to_string();
    }
    normalized
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .map(|c| match c {
            'đ' => 'd',
            'Đ' => 'D',
            _ => c,
        })
        .nfc()
        .collect()
}

/// One letter of a syllable: its base letter and its vowel-quality mark.
#[derive(Clone, Copy)]
struct Letter {
    base: char,
    quality: Option<char>,
}

fn is_vowel(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y')
}

/// Appends `word` (lowercase, alphabetic) to `out` with its tone mark on the canonical vowel.
/// Words that are not a Vietnamese syllable with exactly one tone are appended unchanged.
fn push_canonical_syllable(word: &str, out: &mut String) {
    match canonical_syllable(word) {
        Some(s) => out.push_str(&s),
        None => out.push_str(word),
    }
}

fn canonical_syllable(word: &str) -> Option<String> {
    // A syllable is short; anything longer is not Vietnamese and is left alone.
    if word.len() > 32 {
        return None;
    }
    let mut letters: Vec<Letter> = Vec::with_capacity(8);
    let mut tone: Option<char> = None;
    for c in word.nfd() {
        if TONES.contains(&c) {
            if tone.is_some() {
                return None;
            }
            tone = Some(c);
        } else if QUALITIES.contains(&c) {
            let last = letters.last_mut()?;
            if last.quality.is_some() {
                return None;
            }
            last.quality = Some(c);
        } else if c.is_ascii_lowercase() || c == 'đ' {
            letters.push(Letter {
                base: c,
                quality: None,
            });
        } else {
            return None;
        }
    }
    let tone = tone?;
    let at = tone_position(&letters)?;
    let mut s = String::with_capacity(word.len() + 2);
    for (i, l) in letters.iter().enumerate() {
        s.push(l.base);
        if let Some(q) = l.quality {
            s.push(q);
        }
        if i == at {
            s.push(tone);
        }
    }
    Some(s.nfc().collect())
}

/// Which letter carries the tone: a vowel with a quality mark if there is one (the last, for
/// ươ); else the only vowel; else, before a final consonant, the last vowel; else pairs on the
/// first vowel (`hòa`, `khỏe`, `thủy`, the placement most Vietnamese text uses, rather than
/// `hoà`, `khoẻ`, `thuỷ`) and triples on the middle one. `qu` and `gi` count as consonants.
fn tone_position(letters: &[Letter]) -> Option<usize> {
    let mut start = letters.iter().position(|l| is_vowel(l.base))?;
    let mut end = start;
    while end < letters.len() && is_vowel(letters[end].base) {
        end += 1;
    }
    if start > 0 && end - start > 1 && letters[start].quality.is_none() {
        let prev = letters[start - 1].base;
        let cur = letters[start].base;
        if (prev == 'q' && cur == 'u') || (prev == 'g' && start == 1 && cur == 'i') {
            start += 1;
        }
    }
    // A second vowel group after consonants (e.g. an English word): not a syllable.
    if letters[end..].iter().any(|l| is_vowel(l.base)) {
        return None;
    }
    let nucleus = &letters[start..end];
    if let Some(i) = nucleus.iter().rposition(|l| l.quality.is_some()) {
        return Some(start + i);
    }
    let has_final = end < letters.len();
    Some(match nucleus.len() {
        1 => start,
        _ if has_final => end - 1,
        2 => start,
        _ => start + 1,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_and_new_tone_placement_agree() {
        for (old, new) in [
            ("hoà", "hòa"),
            ("thuỷ", "thủy"),
            ("khoẻ", "khỏe"),
            ("hoá", "hóa"),
            ("quý", "quý"),
            ("giá", "giá"),
            ("nguyễn", "nguyễn"),
            ("khuỷu", "khuỷu"),
            ("người", "người"),
            ("hoàn", "hoàn"),
        ] {
            assert_eq!(normalize(old), normalize(new), "{old} vs {new}");
            assert_eq!(normalize(old), new, "{old}");
        }
    }

    #[test]
    fn decomposed_and_precomposed_agree() {
        let nfc = "Bộ Y tế khuyến cáo người dân";
        let nfd: String = nfc.nfd().collect();
        assert_eq!(normalize(nfc), normalize(&nfd));
        // Windows-1258 style: precomposed quality letters, combining tone marks.
        assert_eq!(normalize("Vie\u{302}\u{323}t Nam"), "việt nam");
        assert_eq!(normalize("Vie\u{323}\u{302}t"), "việt");
    }

    #[test]
    fn fold_drops_every_diacritic() {
        assert_eq!(fold("Điện Biên Phủ"), "dien bien phu");
        assert_eq!(fold("NGƯỜI DÂN"), "nguoi dan");
        assert_eq!(fold("café"), "cafe");
    }

    #[test]
    fn non_vietnamese_words_are_untouched() {
        assert_eq!(normalize("Crème Brûlée"), "crème brûlée");
        assert_eq!(normalize("naïve résumé"), "naïve résumé");
        assert_eq!(normalize("Straße"), "straße");
    }

    #[test]
    fn control_characters_become_spaces() {
        assert_eq!(normalize("a\u{0}b\u{7}c"), "a b c");
    }
}
