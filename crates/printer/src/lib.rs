//! The desk's records and reports as plain text for a terminal: what `claimdesk` prints.
//! Each function returns the text (lines ending in `\n`) and prints nothing, so the binary
//! stays flags and wiring, and the text can be tested (ripgrep's split: a thin `main` over
//! library crates, printing in a library of its own).
//!
//! Architecture invariant: nothing here reads a file, a store or the network; everything
//! printed comes in as a value.

#![warn(missing_docs)]

pub mod accounts;
pub mod intake;
pub mod matches;
pub mod monitor;
pub mod privacy;
pub mod sources;
pub mod training;

/// A Unix time as RFC 3339 (UTC), or the number itself when out of range.
pub fn time(secs: i64) -> String {
    jiff::Timestamp::from_second(secs).map_or_else(|_| secs.to_string(), |t| t.to_string())
}

/// The first `n` characters of `text`, with `…` when it was longer.
pub fn excerpt(text: &str, n: usize) -> String {
    let mut out: String = text.chars().take(n).collect();
    if text.chars().nth(n).is_some() {
        out.push('…');
    }
    out
}

/// A duration in its largest whole unit: `1d`, `2h`, `15m`, or `90s`.
pub fn interval(secs: u64) -> String {
    match secs {
        s if s > 0 && s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s > 0 && s % 3600 == 0 => format!("{}h", s / 3600),
        s if s > 0 && s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

/// `word` as one shell word, to print a command a user can paste: as it is when plain,
/// else in single quotes.
pub fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+:=@,".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// A path's file name, or the whole path when it has none.
pub fn file_name(p: &std::path::Path) -> String {
    p.file_name().map_or_else(
        || p.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_count_characters_not_bytes() {
        assert_eq!(excerpt("Hôm nay", 3), "Hôm…");
        assert_eq!(excerpt("Hôm", 3), "Hôm");
    }

    #[test]
    fn shell_words_are_quoted_only_when_they_need_it() {
        assert_eq!(
            shell_word("/tmp/claimdesk-demo-x1/data"),
            "/tmp/claimdesk-demo-x1/data"
        );
        assert_eq!(shell_word("my desk"), "'my desk'");
        assert_eq!(shell_word("it's"), "'it'\\''s'");
    }

    #[test]
    fn intervals_use_the_largest_whole_unit() {
        assert_eq!(interval(86_400), "1d");
        assert_eq!(interval(7200), "2h");
        assert_eq!(interval(900), "15m");
        assert_eq!(interval(90), "90s");
        assert_eq!(interval(0), "0s");
    }
}
