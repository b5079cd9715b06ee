//! The desk's sensitive terms, found accent- and case-insensitively with the folding that
//! matching uses (`claimdesk_text::fold`), spans kept in the original text.

use serde::{Deserialize, Serialize};

use crate::kinds::{Kind, Severity};
use crate::{Finding, Location, Reason};

/// A term the desk does not publish (a unit's name, an internal designation), with its
/// severity and the note shown beside a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SensitiveTerm {
    /// The term as written; `Tiểu đoàn 3` also finds `tieu doan 3` and `TIỂU ĐOÀN 3`.
    pub term: String,
    /// How much harm publishing it does.
    pub severity: Severity,
    /// Why the desk keeps it private, shown with the finding.
    #[serde(default)]
    pub note: String,
}

/// A text folded as matching folds it, each folded byte mapped back to the original byte
/// that produced it.
pub(crate) struct Folded {
    pub text: String,
    /// For each byte of `text`, the start of the original character it came from.
    origin: Vec<usize>,
    /// For each byte of `text`, the end of the original character it came from.
    origin_end: Vec<usize>,
}

impl Folded {
    pub fn new(original: &str) -> Folded {
        let mut text = String::with_capacity(original.len());
        let mut origin = Vec::with_capacity(original.len());
        let mut origin_end = Vec::with_capacity(original.len());
        let mut buf = [0u8; 4];
        for (i, c) in original.char_indices() {
            let end = i + c.len_utf8();
            // One character at a time: folding drops every mark, so a character folds the
            // same alone as in its word (tone placement only moves marks that are dropped).
            let folded = if c.is_ascii() {
                let lower = c.to_ascii_lowercase();
                lower.encode_utf8(&mut buf).to_string()
            } else {
                claimdesk_text::fold(c.encode_utf8(&mut buf))
            };
            text.push_str(&folded);
            for _ in 0..folded.len() {
                origin.push(i);
                origin_end.push(end);
            }
        }
        Folded {
            text,
            origin,
            origin_end,
        }
    }

    /// The original span of folded bytes `start..end`.
    pub fn original(&self, start: usize, end: usize) -> (usize, usize) {
        (self.origin[start], self.origin_end[end - 1])
    }
}

/// A term folded once, ready to look for.
pub(crate) struct PreparedTerm<'a> {
    term: &'a SensitiveTerm,
    folded: String,
}

pub(crate) fn prepare(terms: &[SensitiveTerm]) -> Vec<PreparedTerm<'_>> {
    terms
        .iter()
        .filter_map(|term| {
            let folded: String = claimdesk_text::fold(term.term.trim())
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            (!folded.is_empty()).then_some(PreparedTerm { term, folded })
        })
        .collect()
}

fn is_word_byte(text: &str, at: usize) -> bool {
    text[at..].chars().next().is_some_and(char::is_alphanumeric)
}

fn is_word_before(text: &str, at: usize) -> bool {
    text[..at]
        .chars()
        .next_back()
        .is_some_and(char::is_alphanumeric)
}

/// Every whole-word occurrence of each term in `original`.
pub(crate) fn find(original: &str, folded: &Folded, terms: &[PreparedTerm<'_>]) -> Vec<Finding> {
    let mut out = Vec::new();
    if terms.is_empty() {
        return out;
    }
    // Whitespace runs in the text count as one space, as in the folded term.
    let (squeezed, map) = squeeze(&folded.text);
    for prepared in terms {
        let needle = &prepared.folded;
        let mut from = 0;
        while let Some(pos) = squeezed[from..].find(needle.as_str()) {
            let start = from + pos;
            let end = start + needle.len();
            from = start + needle.len().max(1);
            if is_word_before(&squeezed, start) || is_word_byte(&squeezed, end) {
                continue;
            }
            let (fs, fe) = (map[start], map[end - 1] + 1);
            let (s, mut e) = folded.original(fs, fe);
            // A decomposed letter's marks belong to it.
            while let Some(c) = original[e..].chars().next() {
                if !unicode_is_mark(c) {
                    break;
                }
                e += c.len_utf8();
            }
            let term = prepared.term;
            let base = Kind::SensitiveTerm.reason();
            let reason = if term.note.trim().is_empty() {
                base
            } else {
                Reason {
                    vi: format!("{} Ghi chú: {}", base.vi, term.note.trim()),
                    en: format!("{} Note: {}", base.en, term.note.trim()),
                }
            };
            out.push(Finding {
                kind: Kind::SensitiveTerm,
                severity: term.severity,
                location: Location::Text { start: s, end: e },
                matched: original[s..e].to_string(),
                reason,
            });
        }
    }
    out
}

fn unicode_is_mark(c: char) -> bool {
    matches!(c, '\u{300}'..='\u{36f}' | '\u{1ab0}'..='\u{1aff}' | '\u{1dc0}'..='\u{1dff}')
}

/// `text` with each run of whitespace made one space, and for each byte of the result the
/// byte of `text` it came from.
fn squeeze(text: &str) -> (String, Vec<usize>) {
    let mut out = String::with_capacity(text.len());
    let mut map = Vec::with_capacity(text.len());
    let mut space = false;
    for (i, c) in text.char_indices() {
        if c.is_whitespace() {
            if !space {
                out.push(' ');
                map.push(i);
            }
            space = true;
            continue;
        }
        space = false;
        let len = c.len_utf8();
        out.push(c);
        map.extend(i..i + len);
    }
    (out, map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folded_spans_point_back_at_the_original_characters() {
        let text = "Đơn vị TIỂU ĐOÀN 3 đóng ở đây";
        let f = Folded::new(text);
        assert_eq!(f.text, "don vi tieu doan 3 dong o day");
        let start = f.text.find("tieu").unwrap();
        let (s, e) = f.original(start, start + "tieu doan 3".len());
        assert_eq!(&text[s..e], "TIỂU ĐOÀN 3");
    }

    #[test]
    fn decomposed_input_folds_like_precomposed() {
        let nfd = "Tie\u{302}\u{309}u đoa\u{300}n 3";
        assert_eq!(Folded::new(nfd).text, "tieu doan 3");
    }
}
