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

/// `text` on one line (every run of whitespace, line breaks too, one space), cut to `n`
/// characters as [`excerpt`] does: for a listing of one entry per line.
pub fn one_line(text: &str, n: usize) -> String {
    excerpt(&text.split_whitespace().collect::<Vec<_>>().join(" "), n)
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

/// An error and its causes on one line, `error: cause: cause`, each said once: many errors
/// already end with their cause's words (`{path}: {source}`), which a plain walk of the
/// chain would repeat.
pub fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let said = c.to_string();
        if !out.contains(&said) {
            out.push_str(": ");
            out.push_str(&said);
        }
        cause = c.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An error saying `what`, with its own words for its cause or not.
    #[derive(Debug)]
    struct Wrapped {
        what: &'static str,
        says_cause: bool,
        cause: std::io::Error,
    }

    impl std::fmt::Display for Wrapped {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            match self.says_cause {
                true => write!(f, "{}: {}", self.what, self.cause),
                false => write!(f, "{}", self.what),
            }
        }
    }

    impl std::error::Error for Wrapped {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.cause)
        }
    }

    #[test]
    fn an_error_chain_says_each_cause_once() {
        let cause = || std::io::Error::from(std::io::ErrorKind::NotFound);
        let says = Wrapped {
            what: "/tmp/x.png",
            says_cause: true,
            cause: cause(),
        };
        assert_eq!(error_chain(&says), format!("/tmp/x.png: {}", cause()));
        let silent = Wrapped {
            what: "cannot read the queries",
            says_cause: false,
            cause: cause(),
        };
        assert_eq!(
            error_chain(&silent),
            format!("cannot read the queries: {}", cause())
        );
    }

    #[test]
    fn excerpts_count_characters_not_bytes() {
        assert_eq!(excerpt("Hôm nay", 3), "Hôm…");
        assert_eq!(excerpt("Hôm", 3), "Hôm");
    }

    #[test]
    fn one_line_joins_lines_and_spaces() {
        assert_eq!(one_line("Xem ảnh\n\nd |  5\tee", 80), "Xem ảnh d | 5 ee");
        assert_eq!(one_line("  Hôm\nnay ", 5), "Hôm n…");
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
