//! Sentence splitting for Vietnamese and English news and social text.
//!
//! A sentence ends at `.`, `!`, `?`, `…` or a line break, except where the full stop belongs to
//! something else: an abbreviation (`TP.`, `TS.`, `Mr.`, `U.S.`, initials), a number (`3.5`,
//! `1.000.000`), a URL, domain or e-mail address, or an ellipsis that runs on in lower case.
//! Closing quotes and brackets, and emoji right after the end, stay with the sentence they
//! close. Social text often has no space after the full stop (`lạ.Bộ Y tế`): a stop between a
//! lower-case word and an upper-case letter ends a sentence too.

/// One sentence of a text: its trimmed text and where it lies in the input (byte offsets on
/// character boundaries).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sentence<'a> {
    /// The sentence, without surrounding white space.
    pub text: &'a str,
    /// Byte offset of its first character in the input.
    pub start: usize,
    /// Byte offset just past its last character.
    pub end: usize,
}

/// Words that end with a full stop without ending the sentence (compared without the stop,
/// case-sensitively first, then lower-cased for the lower-case-only ones).
const ABBREVIATIONS: &[&str] = &[
    // Vietnamese titles and place types: tiến sĩ, phó giáo sư, thành phố, quận, phường...
    "TS", "PGS", "GS", "ThS", "BS", "KS", "CN", "Ths", "Ts", "TP", "Tp", "tp", "Q", "P", "H", "TX",
    "TT", "Th", "St", // English titles and common abbreviations
    "Mr", "Mrs", "Ms", "Dr", "Prof", "Sr", "Jr", "Gen", "Sen", "Rep", "Gov", "Lt", "Col", "Capt",
    "Sgt", "Rev", "Hon", "Pres", "Inc", "Ltd", "Co", "Corp", "Dept", "Univ", "Assn", "Bros", "No",
    "Nos", "Vol", "Fig", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct",
    "Nov", "Dec", "Mt", "Ft", "Ave", "Blvd", "Rd", "approx", "vs", "etc", "eg", "ie", "cf", "al",
    "pp",
];

/// Splits `text` into sentences, in order. White space between sentences belongs to none;
/// a text of only white space has no sentence.
pub fn sentences(text: &str) -> Vec<Sentence<'_>> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = Vec::new();
    let mut start = 0usize; // char index where the current sentence began
    let mut i = 0usize;
    while i < chars.len() {
        let c = chars[i].1;
        if is_link_start(&chars, i) {
            // A URL, domain or address runs to the next white space; its dots are not stops.
            while i < chars.len() && !chars[i].1.is_whitespace() {
                i += 1;
            }
            // ...but stops that end it end the sentence (`xem https://x.vn/a. Sau đó`).
            let mut j = i;
            while j > start && matches!(chars[j - 1].1, '.' | '!' | '?' | '…') {
                j -= 1;
            }
            if j < i {
                let end = i;
                push(text, &chars, start, end, &mut out);
                start = end;
            }
            continue;
        }
        if c == '\n' || c == '\r' || c == '\u{2029}' {
            push(text, &chars, start, i, &mut out);
            i += 1;
            start = i;
            continue;
        }
        if !matches!(c, '.' | '!' | '?' | '…' | '。') {
            i += 1;
            continue;
        }
        // The run of terminal punctuation: `?!`, `...`, `!!!`.
        let run_start = i;
        while i < chars.len() && matches!(chars[i].1, '.' | '!' | '?' | '…' | '。') {
            i += 1;
        }
        let run: String = chars[run_start..i].iter().map(|&(_, c)| c).collect();
        let ellipsis = run.contains('…') || run.matches('.').count() >= 2;
        let only_stop = run == ".";
        // Closing quotes and brackets stay with the sentence.
        while i < chars.len() && is_closer(chars[i].1) {
            i += 1;
        }
        let next = chars.get(i).map(|&(_, c)| c);
        // Stop glued to the next word: `3.5`, `lạ.Bộ`, `e.g`.
        if let Some(n) = next
            && !n.is_whitespace()
        {
            if only_stop && !glued_sentence_end(&chars, run_start, i) {
                continue;
            }
            if !(only_stop || n.is_uppercase() || is_emoji(n)) {
                // `?!` or `...` glued to a lower-case word or a digit: inside the sentence.
                continue;
            }
        }
        let after = next_word_start(&chars, i);
        let next_word = after.map(|k| chars[k].1);
        if only_stop
            && is_abbreviation(&chars, start, run_start)
            && !(next_word.is_some_and(char::is_uppercase) && ends_list(&chars, run_start))
        {
            // `TP. Hồ Chí Minh`, `Mr. Smith`, `U.S. officials`: the sentence goes on.
            continue;
        }
        if ellipsis && next_word.is_some_and(|n| n.is_lowercase()) {
            continue;
        }
        // Emoji after the stop close the sentence with it.
        let mut end = i;
        let mut k = i;
        loop {
            while k < chars.len() && chars[k].1.is_whitespace() && !is_line_break(chars[k].1) {
                k += 1;
            }
            if k < chars.len() && is_emoji(chars[k].1) {
                while k < chars.len() && is_emoji(chars[k].1) {
                    k += 1;
                }
                end = k;
            } else {
                break;
            }
        }
        push(text, &chars, start, end, &mut out);
        start = end;
        i = end;
    }
    push(text, &chars, start, chars.len(), &mut out);
    out
}

/// Adds the trimmed text between char indices `from` and `to`, if any.
fn push<'a>(
    text: &'a str,
    chars: &[(usize, char)],
    from: usize,
    to: usize,
    out: &mut Vec<Sentence<'a>>,
) {
    let byte = |k: usize| chars.get(k).map_or(text.len(), |&(b, _)| b);
    let (a, b) = (byte(from), byte(to));
    if a >= b {
        return;
    }
    let piece = &text[a..b];
    let trimmed = piece.trim();
    if trimmed.is_empty() {
        return;
    }
    let lead = piece.len() - piece.trim_start().len();
    let s = a + lead;
    out.push(Sentence {
        text: trimmed,
        start: s,
        end: s + trimmed.len(),
    });
}

fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{2029}')
}

/// Closing quotes and brackets.
fn is_closer(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | ')' | ']' | '}' | '”' | '’' | '»' | '」' | '』'
    )
}

/// Pictographs, symbols, flags, joiners and skin tones that emoji are made of.
fn is_emoji(c: char) -> bool {
    matches!(c as u32,
        0x1F000..=0x1FAFF | 0x2600..=0x27BF | 0x2B00..=0x2BFF | 0xFE0F | 0x200D | 0x20E3
        | 0x2190..=0x21FF | 0x2300..=0x23FF | 0xE0020..=0xE007F)
}

/// Whether a URL, `www.` domain or e-mail address starts at char `i` (at a word start).
fn is_link_start(chars: &[(usize, char)], i: usize) -> bool {
    if i > 0 && !chars[i - 1].1.is_whitespace() && !matches!(chars[i - 1].1, '(' | '[' | '<' | '"')
    {
        return false;
    }
    let word: String = chars[i..]
        .iter()
        .take_while(|&&(_, c)| !c.is_whitespace())
        .map(|&(_, c)| c)
        .collect();
    if crate::links::is_link(&word) {
        return true;
    }
    let lower = word.to_lowercase();
    // `name@host.tld` and bare domains such as `vnexpress.net/abc` or `pic.twitter.com/x`.
    let core = lower.trim_end_matches(['.', '!', '?', ',', ')', '…']);
    if let Some((user, host)) = core.split_once('@')
        && !user.is_empty()
        && host.contains('.')
        && !host.ends_with('.')
    {
        return true;
    }
    let host = core.split('/').next().unwrap_or("");
    let labels: Vec<&str> = host.split('.').collect();
    labels.len() >= 2
        && labels
            .iter()
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        && KNOWN_TLDS.contains(labels.last().unwrap_or(&""))
        && labels
            .iter()
            .any(|l| l.chars().any(|c| c.is_ascii_alphabetic()))
}

/// Top-level domains that mark a bare domain (the common ones and Vietnam's).
const KNOWN_TLDS: &[&str] = &[
    "com", "net", "org", "vn", "gov", "edu", "io", "co", "info", "uk", "us", "int", "ly", "me",
    "tv", "news", "asia",
];

/// For a single `.` at char `stop` followed directly (no space) by char `next`: whether it
/// ends a sentence (`lạ.Bộ`) rather than joining parts of a word (`3.5`, `U.S`, `e.g`).
fn glued_sentence_end(chars: &[(usize, char)], stop: usize, next: usize) -> bool {
    let n = chars[next].1;
    if !(n.is_uppercase() || is_emoji(n) || n == '#' || n == '@') {
        return false;
    }
    // The word before must be at least two letters of which the last is lower case
    // (`U.S`, `A.B.C`: initials; `iPhone.X`: rare enough).
    let mut k = stop;
    let mut letters = 0;
    while k > 0 && chars[k - 1].1.is_alphabetic() {
        k -= 1;
        letters += 1;
    }
    letters >= 2 && chars[stop - 1].1.is_lowercase()
}

/// The char index of the next non-space character from `i`, if any.
fn next_word_start(chars: &[(usize, char)], i: usize) -> Option<usize> {
    (i..chars.len()).find(|&k| !chars[k].1.is_whitespace() && !is_emoji(chars[k].1))
}

/// Whether the word that ends at the stop at char `stop` is an abbreviation or initial.
fn is_abbreviation(chars: &[(usize, char)], sentence_start: usize, stop: usize) -> bool {
    let mut k = stop;
    while k > sentence_start && !chars[k - 1].1.is_whitespace() && !is_opener(chars[k - 1].1) {
        k -= 1;
    }
    let word: String = chars[k..stop].iter().map(|&(_, c)| c).collect();
    if word.is_empty() {
        return false;
    }
    // Dotted initials: `U.S`, `e.g`, `i.e`, `a.m`, `p.m`, `T.Ư`.
    let parts: Vec<&str> = word.split('.').collect();
    if parts.len() >= 2 && parts.iter().all(|p| p.chars().count() == 1) {
        return true;
    }
    // One capital letter: an initial (`J. K. Rowling`, `P. Bến Nghé`).
    let mut cs = word.chars();
    if let (Some(c), None) = (cs.next(), cs.next())
        && c.is_uppercase()
    {
        return true;
    }
    // `PGS.TS.`, `ThS.BS.`: the last title decides.
    ABBREVIATIONS.contains(&word.as_str())
        || parts.len() >= 2 && parts.last().is_some_and(|p| ABBREVIATIONS.contains(p))
}

/// Whether the word before the stop at char `stop` is `etc`, which ends a list and often the
/// sentence: before a capital it does.
fn ends_list(chars: &[(usize, char)], stop: usize) -> bool {
    stop >= 3
        && chars[stop - 3..stop]
            .iter()
            .map(|&(_, c)| c)
            .eq("etc".chars())
}

fn is_opener(c: char) -> bool {
    matches!(c, '(' | '[' | '"' | '“' | '‘' | '«')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Vec<&str> {
        sentences(text).iter().map(|s| s.text).collect()
    }

    #[test]
    fn offsets_point_at_the_sentence() {
        let text = "  Một câu.  Hai câu!  ";
        for s in sentences(text) {
            assert_eq!(&text[s.start..s.end], s.text);
        }
        assert_eq!(split(text), ["Một câu.", "Hai câu!"]);
    }

    #[test]
    fn vietnamese_titles_and_places_do_not_end_sentences() {
        assert_eq!(
            split(
                "TS. Nguyễn Văn A cho biết TP. Hồ Chí Minh có 3.5 triệu ca. Bộ Y tế chưa xác nhận."
            ),
            [
                "TS. Nguyễn Văn A cho biết TP. Hồ Chí Minh có 3.5 triệu ca.",
                "Bộ Y tế chưa xác nhận."
            ]
        );
        assert_eq!(
            split("PGS.TS. Trần B nói tại TP.HCM: giá tăng 1.000.000 đồng. Sau đó thì sao?"),
            [
                "PGS.TS. Trần B nói tại TP.HCM: giá tăng 1.000.000 đồng.",
                "Sau đó thì sao?"
            ]
        );
        assert_eq!(
            split("Ông ở P. Bến Nghé, Q. 1. Ông nói vậy."),
            ["Ông ở P. Bến Nghé, Q. 1.", "Ông nói vậy."]
        );
    }

    #[test]
    fn english_abbreviations_and_numbers_do_not_end_sentences() {
        assert_eq!(
            split(
                "Mr. Smith met Dr. Jones in the U.S. on Monday. Cases rose 3.5% at 10 a.m. today! Really?"
            ),
            [
                "Mr. Smith met Dr. Jones in the U.S. on Monday.",
                "Cases rose 3.5% at 10 a.m. today!",
                "Really?"
            ]
        );
        assert_eq!(
            split("J. K. Rowling wrote it, e.g. the first one. Masks, gloves, etc. All sold out."),
            [
                "J. K. Rowling wrote it, e.g. the first one.",
                "Masks, gloves, etc.",
                "All sold out."
            ]
        );
    }

    #[test]
    fn urls_and_addresses_keep_their_dots() {
        assert_eq!(
            split(
                "Xem https://vnexpress.net/a.b-123.html. Rồi vào www.who.int nhé. Mail a.b@moh.gov.vn."
            ),
            [
                "Xem https://vnexpress.net/a.b-123.html.",
                "Rồi vào www.who.int nhé.",
                "Mail a.b@moh.gov.vn."
            ]
        );
        assert_eq!(
            split("Read it on pic.twitter.com/AbC today. Done"),
            ["Read it on pic.twitter.com/AbC today.", "Done"]
        );
    }

    #[test]
    fn ellipses_end_a_sentence_only_before_a_capital() {
        assert_eq!(
            split("I thought... maybe not. Wait... The ministry said so… Thật không?!"),
            [
                "I thought... maybe not.",
                "Wait...",
                "The ministry said so…",
                "Thật không?!"
            ]
        );
    }

    #[test]
    fn emoji_and_closing_quotes_stay_with_their_sentence() {
        assert_eq!(
            split("Tin vui quá! 😍🇻🇳 Bộ Y tế nói \"hết dịch.\" Thật à? 🤔"),
            [
                "Tin vui quá! 😍🇻🇳",
                "Bộ Y tế nói \"hết dịch.\"",
                "Thật à? 🤔"
            ]
        );
    }

    #[test]
    fn social_text_without_space_after_the_stop_is_split() {
        assert_eq!(
            split("Chuyện lạ.Bộ Y tế vừa công bố 500 ca!!!Ai tin nổi"),
            ["Chuyện lạ.", "Bộ Y tế vừa công bố 500 ca!!!", "Ai tin nổi"]
        );
        assert_eq!(
            split("5G spreads the virus.The WHO denies it.#fakenews"),
            ["5G spreads the virus.", "The WHO denies it.", "#fakenews"]
        );
    }

    #[test]
    fn line_breaks_end_sentences() {
        assert_eq!(
            split("Tiêu đề không chấm\nDòng hai.\r\n\nDòng ba"),
            ["Tiêu đề không chấm", "Dòng hai.", "Dòng ba"]
        );
    }

    #[test]
    fn empty_and_blank_texts_have_no_sentence() {
        assert!(sentences("").is_empty());
        assert!(sentences(" \n\t ").is_empty());
    }
}
