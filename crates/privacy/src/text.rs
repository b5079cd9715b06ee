//! Personal data in a text.
//!
//! Numbers are read as *chains*: runs of digits joined by one separator a person types
//! between groups (a space, a dot, a dash, brackets around an area code). Each chain is tried
//! from each of its runs, and the longest prefix that is a valid number of some kind wins: a
//! phone number written `0912 345 678` followed by a year is still found, and a price
//! `2.350.000.000` (ten digits, but not starting with 0) is not a phone number. What a number
//! is decides by its structure (a CCCD's province and century codes, a card's Luhn digit and
//! issuer prefix, a Vietnamese phone's prefixes) and, for the kinds that have no structure
//! (a 9-digit CMND, a bank account), by the words just before it.
//!
//! The other kinds are patterns over the text: e-mail addresses, plates, passports, dates
//! after a birth keyword, street addresses. Overlapping candidates are settled by priority
//! (an e-mail before the digits in it; a card before an account).

use std::sync::LazyLock;

use regex::Regex;

use crate::error::{Error, Result};
use crate::kinds::Kind;
use crate::terms::{self, Folded};
use crate::{Config, Finding, Location, Report};

/// Checks `text` for personal data and the desk's sensitive terms.
///
/// Refuses a text longer than [`Config::max_text_bytes`] whole ([`Error::TextTooLarge`]):
/// a long text is never checked in part.
///
/// ```
/// use claimdesk_privacy::{Config, Kind, Location, check_text};
/// let text = "Liên hệ chị Lan qua số 0912 345 678 nhé";
/// let report = check_text(text, &Config::default()).unwrap();
/// assert_eq!(report.findings[0].kind, Kind::Phone);
/// let Location::Text { start, end } = report.findings[0].location else { panic!() };
/// assert_eq!(&text[start..end], "0912 345 678");
/// ```
pub fn check_text(text: &str, config: &Config) -> Result<Report> {
    if text.len() > config.max_text_bytes {
        return Err(Error::TextTooLarge {
            bytes: text.len(),
            max: config.max_text_bytes,
        });
    }
    let findings = scan(text, config)
        .into_iter()
        .map(|c| c.into_finding(text, |start, end| Location::Text { start, end }))
        .collect();
    Ok(Report { findings })
}

/// A finding before its location is placed (in a text, a QR code, an image's text).
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
    /// The sensitive term's own finding (severity, note), when it is one.
    term: Option<Finding>,
}

impl Candidate {
    pub fn into_finding(self, text: &str, at: impl Fn(usize, usize) -> Location) -> Finding {
        let location = at(self.start, self.end);
        match self.term {
            Some(mut f) => {
                f.location = location;
                f
            }
            None => Finding {
                kind: self.kind,
                severity: self.kind.severity(),
                location,
                matched: text[self.start..self.end].to_string(),
                reason: self.kind.reason(),
            },
        }
    }
}

/// Every finding in `text` (no size check: callers check), by position.
pub(crate) fn scan(text: &str, config: &Config) -> Vec<Candidate> {
    let mut found = Vec::new();
    numbers(text, &mut found);
    patterns(text, &mut found);
    let allowed: Vec<String> = config.allowed.iter().map(|a| allowed_key(a)).collect();
    found.retain(|c| !allowed.contains(&allowed_key(&text[c.start..c.end])));
    let mut kept = settle(found);
    let prepared = terms::prepare(&config.terms);
    if !prepared.is_empty() {
        let folded = Folded::new(text);
        for f in terms::find(text, &folded, &prepared) {
            let Location::Text { start, end } = f.location else {
                continue;
            };
            kept.push(Candidate {
                kind: Kind::SensitiveTerm,
                start,
                end,
                term: Some(f),
            });
        }
    }
    kept.sort_by_key(|c| (c.start, c.end, c.kind));
    kept
}

/// The form an allowed entry and a finding are compared in: the digits of a number (a
/// Vietnamese `+84` made `0`), else the folded text.
fn allowed_key(s: &str) -> String {
    let s = s.trim();
    let is_number = s.chars().any(|c| c.is_ascii_digit())
        && s.chars()
            .all(|c| c.is_ascii_digit() || " .-()+/".contains(c));
    if is_number {
        let digits: String = s.chars().filter(char::is_ascii_digit).collect();
        if s.starts_with('+') && digits.starts_with("84") {
            return format!("0{}", digits[2..].trim_start_matches('0'));
        }
        return digits;
    }
    claimdesk_text::fold(s)
}

/// Kinds that win when candidates overlap: higher first.
fn priority(kind: Kind) -> u8 {
    match kind {
        Kind::Email => 10,
        Kind::BankCard | Kind::CitizenId => 9,
        Kind::BankAccount => 8,
        Kind::Passport | Kind::OldId => 7,
        Kind::Phone | Kind::Plate => 6,
        Kind::BirthDate => 5,
        Kind::Address => 4,
        _ => 1,
    }
}

fn settle(mut found: Vec<Candidate>) -> Vec<Candidate> {
    found.sort_by_key(|c| {
        (
            std::cmp::Reverse(priority(c.kind)),
            std::cmp::Reverse(c.end - c.start),
            c.start,
        )
    });
    let mut kept: Vec<Candidate> = Vec::new();
    for c in found {
        if kept.iter().all(|k| c.end <= k.start || k.end <= c.start) {
            kept.push(c);
        }
    }
    kept
}

// ---------------------------------------------------------------------------------------
// Numbers.

/// A run of ASCII digits.
#[derive(Debug, Clone, Copy)]
struct Run {
    start: usize,
    end: usize,
}

/// The 63 province codes of a CCCD's first three digits.
const CCCD_PROVINCES: [u16; 63] = [
    1, 2, 4, 6, 8, 10, 11, 12, 14, 15, 17, 19, 20, 22, 24, 25, 26, 27, 30, 31, 33, 34, 35, 36, 37,
    38, 40, 42, 44, 45, 46, 48, 49, 51, 52, 54, 56, 58, 60, 62, 64, 66, 67, 68, 70, 72, 74, 75, 77,
    79, 80, 82, 83, 84, 86, 87, 89, 91, 92, 93, 94, 95, 96,
];

/// The year of birth a CCCD encodes is at most this (a newborn gets one).
const LATEST_BIRTH_YEAR: u32 = 2026;

fn digit_runs(text: &str) -> Vec<Run> {
    let bytes = text.as_bytes();
    let mut runs = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            runs.push(Run { start, end: i });
        } else {
            i += 1;
        }
    }
    runs
}

fn char_before(text: &str, at: usize) -> Option<char> {
    text[..at].chars().next_back()
}

fn char_after(text: &str, at: usize) -> Option<char> {
    text[at..].chars().next()
}

/// Whether the gap between two runs joins them into one number.
fn joins(gap: &str) -> bool {
    matches!(
        gap,
        " " | "." | "-" | " - " | ")" | ") " | " (" | "(" | "\u{a0}"
    )
}

/// Where a chain of runs is written from: the `+` or `(` before its first run.
fn chain_start(text: &str, run: Run) -> (usize, bool) {
    let before = &text[..run.start];
    for (prefix, plus) in [("(+", true), ("+", true), ("(", false)] {
        if before.ends_with(prefix) {
            return (run.start - prefix.len(), plus);
        }
    }
    (run.start, false)
}

fn numbers(text: &str, found: &mut Vec<Candidate>) {
    let runs = digit_runs(text);
    // A run glued to a letter is part of a code (a plate's `29A`, a passport's `B1234567`),
    // not a number of its own; one after a decimal comma is a fraction.
    let free = |r: &Run| {
        !char_before(text, r.start).is_some_and(|c| c.is_alphabetic() || c == ',')
            && !char_after(text, r.end).is_some_and(char::is_alphabetic)
    };
    let mut i = 0;
    while i < runs.len() {
        if !free(&runs[i]) {
            i += 1;
            continue;
        }
        // The chain from run i: the runs each joined to the one before it.
        let mut chain = vec![runs[i]];
        while let Some(next) = runs.get(i + chain.len()) {
            let last = chain[chain.len() - 1];
            if chain.len() >= 6 || !free(next) || !joins(&text[last.end..next.start]) {
                break;
            }
            chain.push(*next);
        }
        let (start, plus) = chain_start(text, chain[0]);
        let mut best: Option<(usize, Kind, usize)> = None;
        let mut digits = String::new();
        for (j, run) in chain.iter().enumerate() {
            digits.push_str(&text[run.start..run.end]);
            let mut end = run.end;
            // A closing bracket after the last group belongs to it: `(024)`.
            if text[end..].starts_with(')') && text[start..end].contains('(') {
                end += 1;
            }
            if let Some(kind) = classify(text, start, end, &digits, plus, &chain[..=j]) {
                best = Some((j, kind, end));
            }
        }
        match best {
            Some((j, kind, end)) => {
                // A number never ends in the middle of a larger one (`0912345678123`).
                let tail_ok = !char_after(text, chain[j].end).is_some_and(|c| c.is_ascii_digit());
                let separated = chain.len() > j + 1 || tail_ok;
                if separated && !followed_by_decimal(text, chain[j].end) {
                    found.push(Candidate {
                        kind,
                        start,
                        end,
                        term: None,
                    });
                }
                i += j + 1;
            }
            None => i += 1,
        }
    }
}

/// `1,5` or `3.14` after the last run: a decimal number, not an identifier.
fn followed_by_decimal(text: &str, end: usize) -> bool {
    let rest = &text.as_bytes()[end..];
    rest.len() >= 2 && rest[0] == b',' && rest[1].is_ascii_digit()
}

fn classify(
    text: &str,
    start: usize,
    end: usize,
    digits: &str,
    plus: bool,
    chain: &[Run],
) -> Option<Kind> {
    let n = digits.len();
    let before = context_before(text, start);
    let seps: Vec<&str> = chain
        .windows(2)
        .map(|w| &text[w[0].end..w[1].start])
        .collect();
    let dotted = seps.iter().any(|s| s.contains('.'));
    let spaced_or_plain = seps.iter().all(|s| matches!(*s, " " | "-" | "\u{a0}"));
    if !plus && (13..=19).contains(&n) && spaced_or_plain && is_card(digits) {
        let account_words = ACCOUNT_CONTEXT.is_match(&before);
        if !account_words || CARD_CONTEXT.is_match(&before) {
            return Some(Kind::BankCard);
        }
    }
    if !plus && (6..=19).contains(&n) && is_account_context(&before, text, end) {
        return Some(Kind::BankAccount);
    }
    if !plus && n == 12 && is_cccd(digits) {
        return Some(Kind::CitizenId);
    }
    if !plus && n == 9 && !dotted && OLD_ID_CONTEXT.is_match(&before) {
        return Some(Kind::OldId);
    }
    if is_phone(digits, plus, &text[start..end]) {
        return Some(Kind::Phone);
    }
    None
}

/// Up to 48 bytes before `at` on the same line, from a character boundary.
fn context_before(text: &str, at: usize) -> String {
    let mut from = at.saturating_sub(48);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    let window = &text[from..at];
    let window = window.rsplit('\n').next().unwrap_or(window);
    // A sentence that ended before the number says nothing about it.
    let window = match window.rfind(". ") {
        Some(p) => &window[p + 2..],
        None => window,
    };
    window.to_string()
}

/// Up to 40 bytes after `at` on the same line.
fn context_after(text: &str, at: usize) -> &str {
    let mut to = (at + 40).min(text.len());
    while !text.is_char_boundary(to) {
        to -= 1;
    }
    let window = &text[at..to];
    window.split('\n').next().unwrap_or(window)
}

static ACCOUNT_CONTEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)(?:\b(?:stk|tk|số tài khoản|tài khoản|account(?: number| no\.?)?|acct|a/c|iban)\b|{BANKS})"
    ))
    .expect("a valid pattern")
});

static BANK_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)^\s*(?:\(|,|-)?\s*(?:tại|ở|at|of)?\s*(?:{BANKS})"
    ))
    .expect("a valid pattern")
});

static PHONE_CONTEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:sđt|sdt|đt|số điện thoại|điện thoại|hotline|gọi|nhắn|zalo|liên hệ|phone|call|tel|mobile|whatsapp)\b",
    )
    .expect("a valid pattern")
});

static CARD_CONTEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:thẻ|card|visa|mastercard|jcb|napas|credit|debit)\b")
        .expect("a valid pattern")
});

static OLD_ID_CONTEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:cmnd|cmt|chứng minh nhân dân|chứng minh thư|giấy chứng minh|id card|identity card|national id)\b",
    )
    .expect("a valid pattern")
});

/// Vietnamese banks as people write them, and "bank" / "ngân hàng".
const BANKS: &str = r"\b(?:vietcombank|vcb|techcombank|tcb|bidv|agribank|vietinbank|mb ?bank|mbbank|acb|vpbank|tpbank|sacombank|shb|hdbank|ocb|seabank|vib|msb|eximbank|lpbank|lienvietpostbank|nam a bank|bac a bank|abbank|pvcombank|kienlongbank|scb|shinhan|hsbc|citibank|ngân hàng|bank)\b";

fn is_account_context(before: &str, text: &str, end: usize) -> bool {
    let account = ACCOUNT_CONTEXT.find_iter(before).last();
    let phone = PHONE_CONTEXT.find_iter(before).last();
    match (account, phone) {
        (Some(a), Some(p)) => a.start() > p.start(),
        (Some(_), None) => true,
        (None, _) => BANK_AFTER.is_match(context_after(text, end)),
    }
}

fn is_card(digits: &str) -> bool {
    let issuer = digits.starts_with('4')
        || digits.starts_with("9704")
        || matches!(
            &digits[..2],
            "51" | "52" | "53" | "54" | "55" | "34" | "37" | "35" | "36" | "62"
        )
        || ("2221".."2721").contains(&&digits[..4]);
    issuer && luhn(digits)
}

/// The Luhn check digit is right.
fn luhn(digits: &str) -> bool {
    let mut sum = 0;
    for (i, b) in digits.bytes().rev().enumerate() {
        let mut d = u32::from(b - b'0');
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    sum % 10 == 0
}

/// Twelve digits with a CCCD's structure: a province code, a century-and-sex digit and a
/// year of birth that has happened.
fn is_cccd(digits: &str) -> bool {
    let province: u16 = digits[..3].parse().unwrap_or(0);
    if !CCCD_PROVINCES.contains(&province) {
        return false;
    }
    let century = digits.as_bytes()[3] - b'0';
    let yy: u32 = digits[4..6].parse().unwrap_or(0);
    let year = match century {
        0 | 1 => 1900 + yy,
        2 | 3 => 2000 + yy,
        _ => return false,
    };
    year <= LATEST_BIRTH_YEAR
}

/// A phone number: Vietnamese mobile (10 digits, 03/05/07/08/09) or landline (11 digits,
/// 02x), written nationally or with +84 / 84; or any number written with `+` and a country
/// code. Service numbers (1800, 1900) are businesses', never a person's.
fn is_phone(digits: &str, plus: bool, written: &str) -> bool {
    let national = if plus || digits.starts_with("0084") {
        let rest = digits.strip_prefix("00").unwrap_or(digits);
        match rest.strip_prefix("84") {
            Some(vn) => format!("0{}", vn.strip_prefix('0').unwrap_or(vn)),
            // Another country: its length is all that can be checked.
            None => return plus && (8..=15).contains(&rest.len()) && written.len() > 8,
        }
    } else if digits.len() == 11 && digits.starts_with("84") && !digits.starts_with("840") {
        format!("0{}", &digits[2..])
    } else {
        digits.to_string()
    };
    let b = national.as_bytes();
    match national.len() {
        10 => b[0] == b'0' && matches!(b[1], b'3' | b'5' | b'7' | b'8' | b'9'),
        11 => b[0] == b'0' && b[1] == b'2',
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------
// Patterns.

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[A-Za-z0-9][A-Za-z0-9._%+\-]*@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
        .expect("a valid pattern")
});

/// `29A-123.45`, `51F1-234.56`, `30E-12345`, `29LD 123.45`, `59X1 12345`.
static PLATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b([1-9]\d)-?([A-Z]{1,2}\d?)(?:[ \-.]|\s-\s)?(\d{3}\.\d{2}|\d{4,5})\b")
        .expect("a valid pattern")
});

/// A Vietnamese passport (one letter, seven digits); another country's after the word.
static PASSPORT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i:hộ chiếu|passport)(?:\s+(?i:số|no\.?|number|#))?\s*[:#]?\s*(?-i:([A-Z]{1,2}\d{6,8}))\b|\b(?-i:[A-Z]\d{7})\b",
    )
    .expect("a valid pattern")
});

const MONTHS: &str = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)";

/// A date after a birth keyword: the date is the finding.
static BIRTH_DATE: LazyLock<Regex> = LazyLock::new(|| {
    let keyword = r"(?:ngày\s+sinh|ngày,?\s+tháng,?\s+năm\s+sinh|sinh\s+ngày|sinh\s+vào\s+ngày|sinh\s+vào|\(sinh|sinh\s*:|\bsn\b|\bns\b|born(?:\s+on)?|date\s+of\s+birth|\bdob\b|d\.o\.b\.?|birthday)";
    let date = format!(
        r"(?:\d{{1,2}}\s*[/.\-]\s*\d{{1,2}}\s*[/.\-]\s*(?:19|20)\d{{2}}|(?:19|20)\d{{2}}-\d{{2}}-\d{{2}}|\d{{1,2}}/\d{{1,2}}/\d{{2}}|(?:ngày\s+)?\d{{1,2}}\s+tháng\s+\d{{1,2}},?\s+năm\s+(?:19|20)\d{{2}}|{MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{{2}}|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTHS}\.?,?\s+(?:19|20)\d{{2}})"
    );
    Regex::new(&format!(r"(?i){keyword}[^\d\n]{{0,12}}?({date})\b")).expect("a valid pattern")
});

static ADDRESS: LazyLock<Regex> = LazyLock::new(|| {
    let name = r"\p{Lu}[\p{L}\p{M}]*(?:[ ]+(?:\p{Lu}[\p{L}\p{M}]*|\d{1,2}(?:/\d{1,2})?)){0,4}";
    let house = r"(?:(?i:nhà\s+số|số\s+nhà|số|nhà)\s+)?\d{1,4}[A-Za-z]?(?:/\d{1,4}[A-Za-z]?){0,3}";
    let street = r"(?i:đường|phố)";
    let lane = r"(?i:ngõ|ngách|hẻm|kiệt)\s+\d{1,4}(?:/\d{1,4})*";
    let english = r"\b\d{1,5}[A-Za-z]?\s+(?:[A-Z][a-z]+\s+){1,3}(?:Street|St\.|Road|Rd\.|Avenue|Ave\.|Lane|Boulevard|Blvd\.?|Drive|Dr\.)";
    let with_ward = r"(?i:nhà\s+số|số\s+nhà|số)\s+\d{1,4}[A-Za-z]?(?:/\d{1,4})*\s+";
    // Saigon's way: `252/17 Lý Thường Kiệt, P.13` (an alley's house number, the street, the
    // ward), no street word.
    // (An alley's numbers have at most three digits: `125/2024` is a document and a year.)
    let alley = r"\b\d{1,4}[A-Za-z]?(?:/\d{1,3}[A-Za-z]?){1,3}\s+";
    let ward = r"\s*,\s*(?i:phường|p\.|quận|q\.)\s*\d{1,2}\b";
    Regex::new(&format!(
        r"\b{house}\s*,?\s+{street}\s+{name}|(?:\b{house}\s*,?\s+)?\b{lane}\s*,?\s+(?:{street}\s+)?{name}|{english}|{alley}{name}{ward}|\b{with_ward}{name}\s*,\s*(?i:phường|quận|huyện|xã|thị trấn|p\.|q\.|tp\.?)"
    ))
    .expect("a valid pattern")
});

fn patterns(text: &str, found: &mut Vec<Candidate>) {
    let mut push = |kind, start, end| {
        found.push(Candidate {
            kind,
            start,
            end,
            term: None,
        })
    };
    for m in EMAIL.find_iter(text) {
        push(Kind::Email, m.start(), m.end());
    }
    for c in PLATE.captures_iter(text) {
        let whole = c.get(0).expect("group 0");
        let province: u8 = c[1].parse().unwrap_or(0);
        // The series is letters (and one digit for motorbikes); `A1234567` is a passport.
        if province >= 11 && char_before(text, whole.start()).is_none_or(|ch| ch != '/') {
            push(Kind::Plate, whole.start(), whole.end());
        }
    }
    for c in PASSPORT.captures_iter(text) {
        let m = c.get(1).unwrap_or_else(|| c.get(0).expect("group 0"));
        push(Kind::Passport, m.start(), m.end());
    }
    for c in BIRTH_DATE.captures_iter(text) {
        let whole = c.get(0).expect("group 0");
        if compound_of_sinh(text, whole.start(), whole.as_str()) {
            continue;
        }
        let m = c.get(1).expect("the date");
        push(Kind::BirthDate, m.start(), m.end());
    }
    for m in ADDRESS.find_iter(text) {
        let s = m.as_str().trim_end_matches([',', ' ']);
        let s = trim_admin_suffix(s);
        push(Kind::Address, m.start(), m.start() + s.len());
    }
}

/// Words that make `sinh` something other than birth: `học sinh` (pupil), `hy sinh` (fell),
/// `Giáng sinh` (Christmas), `vệ sinh`, `phát sinh`, ...
const NOT_BIRTH: [&str; 14] = [
    "hoc", "ve", "phat", "hy", "hi", "san", "tai", "ky", "giang", "nay", "cuu", "thi", "sinh",
    "song",
];

fn compound_of_sinh(text: &str, start: usize, keyword: &str) -> bool {
    if !claimdesk_text::fold(keyword).starts_with("sinh") {
        return false;
    }
    let before = text[..start].trim_end();
    let word = before
        .rsplit(|c: char| !c.is_alphabetic())
        .next()
        .unwrap_or("");
    NOT_BIRTH.contains(&claimdesk_text::fold(word).as_str())
}

/// The `, phường` that confirmed an address is not part of it.
fn trim_admin_suffix(s: &str) -> &str {
    match s.rfind(',') {
        Some(p)
            if {
                let tail = s[p + 1..].trim().to_lowercase();
                [
                    "phường",
                    "quận",
                    "huyện",
                    "xã",
                    "thị trấn",
                    "p.",
                    "q.",
                    "tp",
                    "tp.",
                ]
                .contains(&tail.as_str())
            } =>
        {
            s[..p].trim_end()
        }
        _ => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(Kind, String)> {
        check_text(text, &Config::default())
            .unwrap()
            .findings
            .into_iter()
            .map(|f| (f.kind, f.matched))
            .collect()
    }

    fn one(text: &str, kind: Kind, matched: &str) {
        assert_eq!(kinds(text), vec![(kind, matched.to_string())], "{text}");
    }

    #[test]
    fn vietnamese_phone_numbers_in_every_spelling() {
        for (text, want) in [
            ("gọi 0912345678 nhé", "0912345678"),
            ("gọi 0912 345 678 nhé", "0912 345 678"),
            ("gọi 0912.345.678.", "0912.345.678"),
            ("gọi 091-234-5678", "091-234-5678"),
            ("call +84 912 345 678 now", "+84 912 345 678"),
            ("call (+84) 912 345 678", "(+84) 912 345 678"),
            ("số máy bàn (024) 3825 1234", "(024) 3825 1234"),
            ("số 84912345678 đó", "84912345678"),
            ("call +1 415 555 0134", "+1 415 555 0134"),
        ] {
            one(text, Kind::Phone, want);
        }
    }

    #[test]
    fn prices_dates_and_service_numbers_are_not_phones() {
        for text in [
            "giá 2.350.000.000 đồng",
            "ngày 06.12.2026",
            "tổng đài 1900 9095",
            "năm 2024 có 1.500.000 lượt",
            "tỷ lệ 0,912345678",
        ] {
            assert_eq!(kinds(text), vec![], "{text}");
        }
    }

    #[test]
    fn a_cccd_needs_its_province_and_century_codes() {
        one(
            "CCCD 001203004567 cấp ngày",
            Kind::CitizenId,
            "001203004567",
        );
        one("số 079 185 012 345.", Kind::CitizenId, "079 185 012 345");
        // 003 is no province; 9 is no century code.
        assert_eq!(kinds("mã 003203004567"), vec![]);
        assert_eq!(kinds("mã 001903004567"), vec![]);
    }

    #[test]
    fn cards_accounts_and_old_ids_by_structure_and_context() {
        one(
            "thẻ Visa 4111 1111 1111 1111",
            Kind::BankCard,
            "4111 1111 1111 1111",
        );
        one(
            "chuyển khoản Vietcombank STK 0071000123456",
            Kind::BankAccount,
            "0071000123456",
        );
        one(
            "STK 19034567891012 tại Techcombank",
            Kind::BankAccount,
            "19034567891012",
        );
        one("số CMND 012345678 cấp năm 2005", Kind::OldId, "012345678");
        assert_eq!(kinds("mã đơn 012345678"), vec![]);
    }

    #[test]
    fn plates_passports_emails_birth_dates_addresses() {
        one("xe biển 29A-123.45 đậu", Kind::Plate, "29A-123.45");
        one("xe máy 51F1-234.56 chạy", Kind::Plate, "51F1-234.56");
        one("hộ chiếu số C1234567 hết hạn", Kind::Passport, "C1234567");
        one(
            "mail lan.nguyen@example.vn nhé",
            Kind::Email,
            "lan.nguyen@example.vn",
        );
        one(
            "anh ấy sinh ngày 12/03/1985 tại",
            Kind::BirthDate,
            "12/03/1985",
        );
        one("DOB: March 3, 1985.", Kind::BirthDate, "March 3, 1985");
        one(
            "nhà ở số 12 đường Lý Thường Kiệt rồi",
            Kind::Address,
            "số 12 đường Lý Thường Kiệt",
        );
        one(
            "ở hẻm 45/3 Nguyễn Trãi",
            Kind::Address,
            "hẻm 45/3 Nguyễn Trãi",
        );
        one(
            "lives at 221 Baker Street now",
            Kind::Address,
            "221 Baker Street",
        );
        assert_eq!(kinds("Nghị định 13/2023/NĐ-CP, Điều 5 khoản 2"), vec![]);
        assert_eq!(kinds("học sinh ngày 5/9/2024 khai giảng"), vec![]);
    }

    #[test]
    fn allowed_numbers_are_not_reported() {
        let config = Config {
            allowed: vec!["024 3826 4242".into()],
            ..Config::default()
        };
        let report = check_text("đường dây nóng (024) 3.826.4242", &config).unwrap();
        assert!(report.findings.is_empty(), "{report:?}");
    }

    #[test]
    fn a_text_over_the_cap_is_refused_whole() {
        let config = Config {
            max_text_bytes: 10,
            ..Config::default()
        };
        let err = check_text("0912345678 and more", &config).unwrap_err();
        assert!(matches!(err, Error::TextTooLarge { bytes: 19, max: 10 }));
    }

    #[test]
    fn luhn_check_digit() {
        assert!(luhn("4111111111111111"));
        assert!(!luhn("4111111111111112"));
    }
}
