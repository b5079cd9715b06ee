//! The header of a social-media post as read from its screenshot: the poster's name and how
//! long ago it was posted ("Nguyễn Thu Hà · 7 giờ", "Brad Trost · 11h", a name over
//! "Hôm qua lúc 10:32"). It says who and when, not what: matched as words it pulls a post
//! towards fact-checks that share a name, and embedded it moves the post's meaning. The desk
//! keeps the whole text read under the image and leaves the header out of the text it
//! matches ([`without_post_header`]).
//!
//! A header is recognised by its shape, not by a platform's layout: one of the first two
//! lines read, of at most [`HEADER_WORDS`] words, that is a time alone or a name, a
//! separator (`·`, `-`, `:`, `•`, `|`, as read) and a time. A time is a number with a unit
//! of minutes to years in Vietnamese or English ("7 giờ", "16h", "2 hrs"), a clock time
//! with "lúc", "hôm qua", "at" or "yesterday" before it or not, "vừa xong", "hôm qua",
//! "just now" or "yesterday". That line and the one before it (the name, when the time is
//! on a line of its own) are the header; a short line ending in a time without a separator
//! ("NHỊN ĂN 3 NGÀY") is the post's own.

/// The most words a header line has (a long name, a separator, a time of two words).
pub const HEADER_WORDS: usize = 8;

/// `read` (the text read from a screenshot) without the post's header, when it starts with
/// one (see the module's documentation): what follows the header line, trimmed at its
/// start. Text without a header, or with nothing after it, comes back whole.
pub fn without_post_header(read: &str) -> &str {
    let mut seen = 0;
    let mut start = 0;
    for line in read.split_inclusive('\n') {
        let end = start + line.len();
        if !line.trim().is_empty() {
            seen += 1;
            if is_header_line(line) {
                let rest = read[end..].trim_start();
                return if rest.is_empty() { read } else { rest };
            }
            if seen == 2 {
                break;
            }
        }
        start = end;
    }
    read
}

/// Whether `line` is a header: a time alone ("7 giờ ·", "Hôm qua lúc 10:32"), or a short
/// name, a separator and a time ("Brad Trost · 11h").
fn is_header_line(line: &str) -> bool {
    let mut tokens: Vec<String> = line.split_whitespace().map(str::to_lowercase).collect();
    // Symbols after the time (a separator, the audience icon read as "@").
    while tokens
        .last()
        .is_some_and(|t| !t.chars().any(char::is_alphanumeric))
    {
        tokens.pop();
    }
    if tokens.len() > HEADER_WORDS {
        return false;
    }
    let Some(time) = time_at_end(&tokens) else {
        return false;
    };
    let before = &tokens[..tokens.len() - time];
    match before.last() {
        None => true,
        Some(last) => {
            let separated = last.ends_with([':', '·', '-', '•', '|', '–', '—']);
            separated && before.len() <= HEADER_WORDS - 2
        }
    }
}

/// How many of the last `tokens` say when a post was posted (0 when they do not):
/// "7 giờ", "16h", "hôm qua lúc 10:32", "vừa xong", "yesterday at 9.05".
fn time_at_end(tokens: &[String]) -> Option<usize> {
    let word = |k: usize| -> Option<&str> {
        tokens
            .len()
            .checked_sub(k + 1)
            .map(|i| trim_symbols(&tokens[i]))
    };
    let last = word(0)?;
    let mut n = if is_clock(last) {
        // "lúc 10:32", "hôm qua lúc 10:32", "yesterday at 10:32".
        let mut n = 1;
        if matches!(word(n), Some("lúc" | "at")) {
            n += 1;
        }
        if word(n) == Some("yesterday") {
            n += 1;
        } else if word(n) == Some("qua") && word(n + 1) == Some("hôm") {
            n += 2;
        }
        n
    } else {
        0
    };
    if n == 0 {
        n = match (word(1), last) {
            (Some("vừa"), "xong") | (Some("just"), "now") | (Some("hôm"), "qua") => 2,
            (_, "yesterday") => 1,
            (Some(number), unit) if is_number(number) && is_unit(unit) => 2,
            _ => {
                let (digits, unit) = split_number(last);
                usize::from(is_number(digits) && is_unit(unit))
            }
        };
    }
    (n > 0).then_some(n)
}

/// One or two digits.
fn is_number(word: &str) -> bool {
    (1..=2).contains(&word.len()) && word.chars().all(|c| c.is_ascii_digit())
}

/// `word` without the symbols around it (a separator, a globe read as "@").
fn trim_symbols(word: &str) -> &str {
    word.trim_matches(|c: char| !c.is_alphanumeric())
}

/// The leading ASCII digits of `word`, and the rest.
fn split_number(word: &str) -> (&str, &str) {
    let n = word
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(word.len());
    word.split_at(n)
}

/// A unit of time from minutes to years, as posts write it.
fn is_unit(word: &str) -> bool {
    matches!(
        word,
        "m" | "min"
            | "mins"
            | "h"
            | "hr"
            | "hrs"
            | "d"
            | "w"
            | "y"
            | "phút"
            | "giờ"
            | "ngày"
            | "tuần"
            | "tháng"
            | "năm"
    )
}

/// A clock time: `10:32`, `9.05`, `10h32`.
fn is_clock(word: &str) -> bool {
    let Some(sep) = word.find([':', '.', 'h']) else {
        return false;
    };
    let (hours, minutes) = (&word[..sep], &word[sep + 1..]);
    (1..=2).contains(&hours.len())
        && minutes.len() == 2
        && hours
            .chars()
            .chain(minutes.chars())
            .all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_and_time_line_is_left_out() {
        for (read, body) in [
            (
                "Nguyễn Thu Hà - 7 giờ\n\nVừa nhận tin nhắn",
                "Vừa nhận tin nhắn",
            ),
            (
                "Brad Trost : 11h:\n\nDEFUND. CBC. NOW.",
                "DEFUND. CBC. NOW.",
            ),
            ("Andy Shain · 16h\nTwo women sued", "Two women sued"),
            ("Lan Anh\nHôm qua lúc 10:32 · @\nMẹo hay", "Mẹo hay"),
            ("Minh Quân\nVừa xong\nTin nóng", "Tin nóng"),
            ("Đức Anh · 2 hrs\nA claim", "A claim"),
            ("Hoa Lê · Yesterday\nA claim", "A claim"),
        ] {
            assert_eq!(without_post_header(read), body, "{read:?}");
        }
    }

    #[test]
    fn text_without_a_header_is_kept_whole() {
        for read in [
            // A sentence that ends in a time is not short.
            "Uống nước chanh nóng mỗi sáng sẽ chữa ung thư trong 3 tuần nếu kiên trì đủ 2 giờ",
            // A time on the third line is the text's own.
            "Bộ Y tế khuyến cáo\nuống nước ấm\nmỗi ngày 3 giờ",
            // Numbers that are not times.
            "Giá xăng tăng 500 đồng\nTừ 15h hôm nay",
            // A caption that ends in a duration, without a separator.
            "NHỊN ĂN 3 NGÀY\nCHỮA KHỎI UNG THƯ",
            // A header with nothing after it.
            "Nguyễn Thu Hà · 7 giờ",
            "",
        ] {
            assert_eq!(without_post_header(read), read, "{read:?}");
        }
    }

    #[test]
    fn clocks_and_units_are_told_from_other_words() {
        assert!(is_clock("10:32") && is_clock("9.05") && is_clock("10h32"));
        assert!(!is_clock("2020") && !is_clock("10:3") && !is_clock("h32"));
        assert!(is_header_line("Phạm Văn Đức - 5 giờ"));
        assert!(!is_header_line("Phạm Văn Đức - 22 9:0"));
        assert!(!is_header_line("Uống 2 lít nước mỗi ngày"));
        assert!(!is_header_line("NHỊN ĂN 3 NGÀY"));
        assert!(is_header_line("3 ngày · @"));
    }
}
