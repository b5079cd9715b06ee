//! Splits a JSON input into its records before parsing them, so one broken record does not
//! hide the good ones: a top-level array is split into its elements, and JSON Lines or
//! concatenated objects into their values. Each piece is parsed on its own and keeps the line
//! it started on.

use claimdesk_core::Diagnostic;

use crate::{MAX_RECORD_BYTES, diag, utf8_message};

/// A parsed JSON value and the line it started on.
pub(crate) struct LineValue {
    pub(crate) line: u64,
    pub(crate) value: serde_json::Value,
}

/// Every top-level record of `bytes`; problems become diagnostics.
pub(crate) fn values(
    file: &str,
    bytes: &[u8],
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<LineValue> {
    let mut out = Vec::new();
    let mut i = skip_space(bytes, 0);
    let mut line = 1 + count_newlines(&bytes[..i]);
    let in_array = bytes.get(i) == Some(&b'[');
    if in_array {
        i += 1;
    }
    // Set when the last record ran into the end of the input and was already reported.
    let mut tail_reported = false;
    loop {
        let next = skip_space_and(bytes, i, in_array);
        line += count_newlines(&bytes[i..next]);
        i = next;
        if i >= bytes.len() {
            if in_array && !tail_reported {
                diagnostics.push(diag(
                    file,
                    line,
                    None,
                    "the JSON array is not closed (truncated file?)",
                ));
            }
            break;
        }
        if in_array && bytes[i] == b']' {
            break;
        }
        let end = value_end(bytes, i);
        let piece = &bytes[i..end];
        let start_line = line;
        line += count_newlines(piece);
        i = end;
        if piece.len() > MAX_RECORD_BYTES {
            diagnostics.push(diag(
                file,
                start_line,
                None,
                format!(
                    "record is {} bytes, over the {} byte limit",
                    piece.len(),
                    MAX_RECORD_BYTES
                ),
            ));
            continue;
        }
        let text = match std::str::from_utf8(piece) {
            Ok(t) => t,
            Err(e) => {
                diagnostics.push(diag(file, start_line, None, utf8_message(e)));
                continue;
            }
        };
        match serde_json::from_str::<serde_json::Value>(text) {
            Ok(value) => out.push(LineValue {
                line: start_line,
                value,
            }),
            Err(e) => {
                tail_reported = end == bytes.len();
                diagnostics.push(diag(
                    file,
                    start_line + e.line().saturating_sub(1) as u64,
                    None,
                    crate::json_error(&e),
                ));
            }
        }
    }
    out
}

fn count_newlines(b: &[u8]) -> u64 {
    b.iter().filter(|&&c| c == b'\n').count() as u64
}

fn skip_space(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && b[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// Skips whitespace, and inside an array also the commas between elements.
fn skip_space_and(b: &[u8], mut i: usize, commas: bool) -> usize {
    while i < b.len() && (b[i].is_ascii_whitespace() || (commas && b[i] == b',')) {
        i += 1;
    }
    i
}

/// The end of the JSON value starting at `start`: for objects and arrays the matching
/// bracket (strings respected); otherwise the end of the line. A value with no end (a
/// truncated file) runs to the end of its line, or of the input for a multi-line object, so
/// the parser reports it.
fn value_end(b: &[u8], start: usize) -> usize {
    let open = b[start];
    if open != b'{' && open != b'[' {
        return line_end(b, start);
    }
    let mut depth = 0i64;
    let mut in_string = false;
    let mut escaped = false;
    let mut i = start;
    while i < b.len() {
        let c = b[i];
        if in_string {
            if escaped {
                escaped = false;
            } else if c == b'\\' {
                escaped = true;
            } else if c == b'"' {
                in_string = false;
            } else if c == b'\n' {
                // JSON strings never hold a raw newline: the string (and record) is broken.
                return i;
            }
        } else {
            match c {
                b'"' => in_string = true,
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth -= 1;
                    if depth == 0 {
                        return i + 1;
                    }
                }
                // A new record at the start of a line while this one is still open: this
                // one was truncated (JSON Lines with a cut line).
                b'\n' if depth > 0 && b.get(i + 1) == Some(&open) && open == b'{' && depth == 1 => {
                    return i;
                }
                _ => {}
            }
        }
        i += 1;
    }
    b.len()
}

fn line_end(b: &[u8], start: usize) -> usize {
    b[start..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(b.len(), |p| start + p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> (Vec<u64>, Vec<String>) {
        let mut d = Vec::new();
        let v = values("f.json", s.as_bytes(), &mut d);
        (
            v.iter().map(|v| v.line).collect(),
            d.iter().map(|d| d.to_string()).collect(),
        )
    }

    #[test]
    fn json_lines_keep_their_line_numbers() {
        let (lines, diags) = parse("{\"a\":1}\n\n{\"a\":2}\n");
        assert_eq!(lines, [1, 3]);
        assert!(diags.is_empty());
    }

    #[test]
    fn a_truncated_line_does_not_hide_the_next() {
        let (lines, diags) = parse("{\"a\":1}\n{\"a\":\n{\"a\":3}\n");
        assert_eq!(lines, [1, 3]);
        assert_eq!(diags.len(), 1);
        assert!(diags[0].starts_with("f.json:2"), "{diags:?}");
    }

    #[test]
    fn arrays_are_split_into_elements() {
        let (lines, diags) = parse("[\n {\"a\":1},\n {\"a\": }, \n {\"a\":\"}]\"}\n]");
        assert_eq!(lines, [2, 4]);
        assert_eq!(diags.len(), 1, "{diags:?}");
    }

    #[test]
    fn a_truncated_array_keeps_its_complete_elements() {
        let (lines, diags) = parse("[{\"a\":1},\n{\"a\":2},\n{\"a\":");
        assert_eq!(lines, [1, 2]);
        assert_eq!(diags.len(), 1, "{diags:?}");
    }
}
