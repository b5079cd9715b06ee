//! What the reranker compares between a post and a fact-check besides scores: content terms,
//! numbers, names, years, length and language.

use claimdesk_text::{Form, detect_language, terms, words};
use xxhash_rust::xxh3::xxh3_64;

/// The comparable parts of one text, as sorted hash sets.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TextProfile {
    /// Folded content terms.
    pub terms: Vec<u64>,
    /// Numbers, without separators (`1,000` and `1.000` → `1000`).
    pub numbers: Vec<u64>,
    /// Capitalized words that do not start a sentence (names of people, places, bodies).
    pub names: Vec<u64>,
    /// Years 1900–2099.
    pub years: Vec<u64>,
    /// Number of words.
    pub length: u32,
    /// `vi` or `en` (stated, else detected); empty for other or unknown languages, which
    /// short posts make unreliable to tell apart.
    pub language: &'static str,
}

impl TextProfile {
    /// Profiles `text`; `language` overrides detection when the source states it.
    pub fn new(text: &str, language: Option<&str>) -> TextProfile {
        let mut profile = TextProfile {
            terms: set(terms(text, Form::Folded)
                .iter()
                .map(|t| xxh3_64(t.as_bytes()))),
            ..TextProfile::default()
        };
        let mut numbers = Vec::new();
        let mut years = Vec::new();
        let all_words = words(text);
        profile.length = all_words.len() as u32;
        for w in &all_words {
            if w.text.chars().any(|c| c.is_ascii_digit()) {
                let digits: String = w.text.chars().filter(|c| c.is_alphanumeric()).collect();
                if let Ok(y) = digits.parse::<u32>()
                    && (1900..2100).contains(&y)
                {
                    years.push(y as u64);
                }
                numbers.push(xxh3_64(digits.as_bytes()));
            }
        }
        profile.numbers = set(numbers.into_iter());
        profile.years = set(years.into_iter());
        let mut names = Vec::new();
        let mut sentence_start = true;
        for raw in text.split_whitespace() {
            let word: String = raw.chars().filter(|c| c.is_alphanumeric()).collect();
            if !sentence_start && word.chars().next().is_some_and(char::is_uppercase) {
                let folded = claimdesk_text::fold(&claimdesk_text::normalize(&word));
                names.push(xxh3_64(folded.as_bytes()));
            }
            sentence_start =
                raw.ends_with(['.', '!', '?', ':']) || word.is_empty() && sentence_start;
        }
        profile.names = set(names.into_iter());
        profile.language =
            match language.map(|l| l.split(['-', '_']).next().unwrap_or(l).to_ascii_lowercase()) {
                Some(l) if l == "vi" => "vi",
                Some(l) if l == "en" => "en",
                Some(_) | None => match detect_language(text).map(|l| l.code) {
                    Some("vi") => "vi",
                    Some("en") => "en",
                    _ => "",
                },
            };
        profile
    }
}

impl TextProfile {
    /// Names match a fact-check's names or any of its terms (a name may start its sentence
    /// there).
    pub fn terms_and_names(&self) -> Vec<u64> {
        let mut v: Vec<u64> = self.names.iter().chain(&self.terms).copied().collect();
        v.sort_unstable();
        v.dedup();
        v
    }
}

fn set(items: impl Iterator<Item = u64>) -> Vec<u64> {
    let mut v: Vec<u64> = items.collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Size of the intersection of two sorted sets.
pub fn shared(a: &[u64], b: &[u64]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_names_and_years_are_found() {
        let p = TextProfile::new(
            "In 2020 the WHO said 1,000 people in Hà Nội fell ill.",
            None,
        );
        let q = TextProfile::new("WHO: 1000 cases in Ha Noi during 2020", Some("en-US"));
        assert_eq!(shared(&p.numbers, &q.numbers), 2, "{p:?} {q:?}");
        assert_eq!(p.years, vec![2020]);
        assert!(shared(&p.names, &q.names) >= 2, "{p:?} {q:?}");
        assert_eq!(q.language, "en");
        assert_eq!(
            TextProfile::new("Uống nước chanh nóng không chữa được ung thư", None).language,
            "vi"
        );
    }
}
