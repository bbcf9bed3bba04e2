//! Parsing: the `promql-parser` crate does the work; this module turns its
//! errors into [`QueryError::Parse`] with the position where the query went
//! wrong.
//!
//! The parser reports syntax errors without a position, so the position is
//! found from the outside: the query is cut after each token, and the first
//! cut that no plausible completion (an operand, an argument list, closing
//! brackets…) can turn into a valid query is where the error is (found by
//! bisection over the tokens of a long query, so that it stays fast).

use super::error::QueryError;
use lrpar::{Lexeme, Lexer};
use promql_parser::parser::token::{
    T_DURATION, T_EOF, T_LEFT_BRACE, T_LEFT_BRACKET, T_LEFT_PAREN, T_NUMBER, T_OFFSET,
    T_RIGHT_BRACE, T_RIGHT_BRACKET, T_RIGHT_PAREN, T_STRING, T_SUB,
};
use promql_parser::parser::Expr;

/// Longest query accepted, in bytes.
pub const MAX_QUERY_BYTES: usize = 64 * 1024;
/// Deepest nesting of brackets accepted.
pub const MAX_NESTING: usize = 128;
/// Queries longer than this get an error position without the search.
const LOCATE_LIMIT_BYTES: usize = 4096;

/// Parses `query` into an expression.
pub fn parse(query: &str) -> Result<Expr, QueryError> {
    if query.len() > MAX_QUERY_BYTES {
        return Err(QueryError::parse(
            query,
            MAX_QUERY_BYTES,
            format!("query is longer than {MAX_QUERY_BYTES} bytes"),
        ));
    }
    check_nesting(query)?;
    check_durations(query)?;
    check_byte_escapes(query)?;
    match promql_parser::parser::parse(query) {
        Ok(expr) => Ok(expr),
        Err(message) => Err(locate(query, &message)),
    }
}

/// Rejects bracket nesting deeper than [`MAX_NESTING`] before the parser
/// (and the evaluator, which recurses) sees it.
fn check_nesting(query: &str) -> Result<(), QueryError> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (offset, c) in query.char_indices() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' && q != '`' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '\'' | '`' => quote = Some(c),
            '(' | '[' | '{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(QueryError::parse(
                        query,
                        offset,
                        format!("expression nested deeper than {MAX_NESTING} brackets"),
                    ));
                }
            }
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// Rejects durations the parser cannot represent (it would panic on them):
/// numbers of seconds that are not finite or beyond ±10^15 s, in brackets,
/// after `offset`, or written as a duration token.
fn check_durations(query: &str) -> Result<(), QueryError> {
    let Ok(tokens) = tokens(query) else {
        return Ok(());
    };
    let mut depth = 0usize;
    for (i, &(id, start, end)) in tokens.iter().enumerate() {
        match id {
            T_LEFT_BRACKET => depth += 1,
            T_RIGHT_BRACKET => depth = depth.saturating_sub(1),
            _ => {}
        }
        if id != T_NUMBER && id != T_DURATION {
            continue;
        }
        let after_offset = match i {
            0 => false,
            1 => tokens[0].0 == T_OFFSET,
            _ => {
                tokens[i - 1].0 == T_OFFSET
                    || (tokens[i - 1].0 == T_SUB && tokens[i - 2].0 == T_OFFSET)
            }
        };
        if id == T_NUMBER && depth == 0 && !after_offset {
            continue;
        }
        let text = query.get(start..end).unwrap_or("");
        if let Ok(seconds) = text.parse::<f64>() {
            if !seconds.is_finite() || seconds.abs() > 1e15 {
                return Err(QueryError::parse(
                    query,
                    start,
                    format!("duration out of range: {text}"),
                ));
            }
        }
    }
    Ok(())
}

/// Rejects `\xNN` escapes of bytes above 0x7f in quoted strings. In
/// Prometheus they are raw bytes (`"\xc3\xa9"` is `é`, `"\xff"` is not
/// UTF-8 and so not a valid label name); the parser would read each as a
/// character of its own, silently changing the string.
fn check_byte_escapes(query: &str) -> Result<(), QueryError> {
    let Ok(tokens) = tokens(query) else {
        return Ok(());
    };
    for &(id, start, end) in &tokens {
        let text = query.get(start..end).unwrap_or("");
        if id != T_STRING || text.starts_with('`') {
            continue;
        }
        let bytes = text.as_bytes();
        let mut i = 0;
        while i + 1 < bytes.len() {
            if bytes[i] != b'\\' {
                i += 1;
                continue;
            }
            if bytes[i + 1] == b'x' {
                let hex = text.get(i + 2..i + 4).unwrap_or("");
                if u8::from_str_radix(hex, 16).is_ok_and(|b| b > 0x7f) {
                    return Err(QueryError::parse(
                        query,
                        start + i,
                        format!(
                            "string escape \\x{hex} is a raw byte above 0x7f, which is not supported: write the character itself or a \\u escape"
                        ),
                    ));
                }
            }
            i += 2;
        }
    }
    Ok(())
}

/// The tokens of a query that lexes: (token id, start, end) in bytes.
fn tokens(query: &str) -> Result<Vec<(u16, usize, usize)>, String> {
    let lexer = promql_parser::parser::lexer(query)?;
    let mut out = Vec::new();
    for lexeme in lexer.iter() {
        let Ok(lexeme) = lexeme else { continue };
        if lexeme.tok_id() == T_EOF {
            continue;
        }
        let span = lexeme.span();
        out.push((lexeme.tok_id(), span.start(), span.end()));
    }
    Ok(out)
}

/// What may follow a prefix of a valid query, before its brackets are closed.
const FILLERS: [&str; 31] = [
    "",
    "[1m]",
    "[1m:]",
    " x",
    " 1",
    " \"v\"",
    " x[1m]",
    " ()",
    " (x)",
    " (x[1m])",
    " (1)",
    " (1, x)",
    " (\"a\", x)",
    " (x, \"a\")",
    " (a) (x)",
    " (a) x",
    " (a)",
    " x)",
    "=\"v\"",
    " \"v\"",
    " 1m",
    " 1m:",
    " :1m",
    " start()",
    " 1 x",
    " 1, x",
    " x, 1",
    " 1, 1, x",
    " x, 1, 1",
    " x, \"a\"",
    " x, \"a\", \"b\", \"c\", \"d\"",
];

/// Whether some completion of `prefix` parses.
fn viable(prefix: &str, open: &[u16]) -> bool {
    let closers: String = open
        .iter()
        .rev()
        .map(|t| match *t {
            T_LEFT_PAREN => ")",
            T_LEFT_BRACE => "}",
            _ => "]",
        })
        .collect();
    let parses = |candidate: String| promql_parser::parser::parse(&candidate).is_ok();
    FILLERS
        .iter()
        .any(|filler| parses(format!("{prefix}{filler}{closers}")))
        || (!closers.is_empty()
            && ["", "a", " a", "1m"].iter().any(|inner| {
                [" x", " (x)", ""].iter().any(|after| {
                    parses(format!(
                        "{prefix}{inner}{}{after}{}",
                        &closers[..1],
                        &closers[1..]
                    ))
                })
            }))
}

/// Queries longer than this find the position of their error by bisection
/// over their tokens instead of token by token: each check re-parses the
/// whole prefix, so the scan is quadratic (a 4 KB query took 6.6 s).
const SCAN_LIMIT_BYTES: usize = 512;

/// The first index in `0..n` where `dead` holds (`dead` is taken to stay
/// true once it holds), or `None`: one index after another for a short
/// query, by bisection for a long one.
fn first_dead(n: usize, long: bool, mut dead: impl FnMut(usize) -> bool) -> Option<usize> {
    if !long {
        return (0..n).find(|&i| dead(i));
    }
    if n == 0 || !dead(n - 1) {
        return None;
    }
    let (mut lo, mut hi) = (0, n - 1);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if dead(mid) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    Some(lo)
}

/// The error of a query the parser refused, with its position.
fn locate(query: &str, message: &str) -> QueryError {
    let syntax = message == "invalid promql query";
    if query.len() > LOCATE_LIMIT_BYTES {
        let text = if syntax { "syntax error" } else { message };
        return QueryError::parse(query, 0, text.to_string());
    }
    let tokens = match tokens(query) {
        Ok(t) => t,
        Err(lex_message) => return locate_lex_error(query, &lex_message),
    };
    // The brackets still open after each token.
    let mut open: Vec<u16> = Vec::new();
    let mut open_after: Vec<Vec<u16>> = Vec::with_capacity(tokens.len());
    for &(id, _, _) in &tokens {
        match id {
            T_LEFT_PAREN | T_LEFT_BRACE | T_LEFT_BRACKET => open.push(id),
            T_RIGHT_PAREN | T_RIGHT_BRACE | T_RIGHT_BRACKET => {
                open.pop();
            }
            _ => {}
        }
        open_after.push(open.clone());
    }
    // The search parses many prefixes; it parses them with long strings
    // blanked, because the parser compiles every regex matcher it reads (a
    // 1.5 KB case-insensitive one took 8 ms a parse: 250 ms a search, found
    // by fuzzing).
    let skeleton = blank_long_strings(query, &tokens);
    let dead = |i: usize| {
        let end = tokens[i].2;
        !viable(skeleton.get(..end).unwrap_or(&skeleton), &open_after[i])
    };
    if let Some(i) = first_dead(tokens.len(), query.len() > SCAN_LIMIT_BYTES, dead) {
        let (_, start, end) = tokens[i];
        let token = query.get(start..end).unwrap_or("");
        let text = if syntax {
            format!("unexpected {}", describe(token))
        } else {
            message.to_string()
        };
        return QueryError::parse(query, start, text);
    }
    let text = if syntax {
        "unexpected end of input".to_string()
    } else {
        message.to_string()
    };
    QueryError::parse(query, query.len(), text)
}

/// Strings longer than this are blanked for the error search.
const BLANK_STRINGS_OVER_BYTES: usize = 64;

/// `query` with the inside of each string token longer than
/// [`BLANK_STRINGS_OVER_BYTES`] replaced by as many `a`s (its quotes and
/// every offset kept): the same syntax, and a regex that compiles at once.
fn blank_long_strings(query: &str, tokens: &[(u16, usize, usize)]) -> String {
    let mut out = String::with_capacity(query.len());
    let mut at = 0;
    for &(id, start, end) in tokens {
        if id != T_STRING || end - start <= BLANK_STRINGS_OVER_BYTES {
            continue;
        }
        let (Some(before), Some(open), Some(close)) = (
            query.get(at..start + 1),
            query.get(start..start + 1),
            query.get(end - 1..end),
        ) else {
            continue;
        };
        if open != close {
            continue;
        }
        out.push_str(before);
        out.extend(std::iter::repeat_n('a', end - start - 2));
        out.push_str(close);
        at = end;
    }
    out.push_str(query.get(at..).unwrap_or(""));
    out
}

/// A lexer error: the shortest prefix with the same error ends at the culprit.
fn locate_lex_error(query: &str, message: &str) -> QueryError {
    let ends: Vec<(usize, usize)> = query
        .char_indices()
        .map(|(offset, c)| (offset, offset + c.len_utf8()))
        .collect();
    let same_error =
        |i: usize| promql_parser::parser::lexer(&query[..ends[i].1]).is_err_and(|m| m == message);
    let position = first_dead(ends.len(), query.len() > SCAN_LIMIT_BYTES, same_error)
        .map(|i| ends[i].0)
        .unwrap_or(query.len());
    QueryError::parse(query, position, message.to_string())
}

fn describe(token: &str) -> String {
    if token.starts_with(['"', '\'', '`']) {
        format!("string {token}")
    } else {
        format!("{token:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Case {
        query: &'static str,
        column: usize,
        message: &'static str,
    }

    #[test]
    fn errors_say_where_the_query_went_wrong() {
        let cases = [
            Case {
                query: "sum(rate(foo[5m])",
                column: 4,
                message: "unclosed left parenthesis",
            },
            Case {
                query: "foo{a=\"b\"} + }",
                column: 14,
                message: "unexpected right brace '}'",
            },
            Case {
                query: "foo + ",
                column: 7,
                message: "unexpected end of input",
            },
            Case {
                query: "rate(foo[5m]) bar",
                column: 15,
                message: "unexpected \"bar\"",
            },
            Case {
                query: "sum by (job) foo",
                column: 14,
                message: "unexpected \"foo\"",
            },
            Case {
                query: "foo $ 1",
                column: 5,
                message: "unexpected character: '$'",
            },
        ];
        for case in cases {
            match parse(case.query) {
                Err(QueryError::Parse {
                    column, message, ..
                }) => {
                    assert_eq!(
                        (column, message.as_str()),
                        (case.column, case.message),
                        "{}",
                        case.query
                    );
                }
                other => panic!("{}: {other:?}", case.query),
            }
        }
    }

    #[test]
    fn durations_the_parser_cannot_hold_are_refused() {
        for query in [
            "foo[1e30]",
            "foo[1e400]",
            "foo offset 1e400",
            "foo offset -1e400",
            "foo offset nan",
            "foo offset Inf",
            "foo[5m:1e400]",
        ] {
            match parse(query) {
                Err(QueryError::Parse { message, .. }) => {
                    assert!(
                        message.starts_with("duration out of range"),
                        "{query}: {message}"
                    )
                }
                other => panic!("{query}: {other:?}"),
            }
        }
        assert!(parse("foo > 1e400").is_ok());
    }

    #[test]
    fn raw_byte_escapes_are_refused() {
        for (query, refused) in [
            (r#"label_replace(up, "\xff", "", "src", "(.*)")"#, true),
            (r#"up{a="\xc3\xa9"}"#, true),
            (r#"up{a="\x41"}"#, false),
            (r#"up{a="\\xff"}"#, false),
            ("up{a=`\\xff`}", false),
            ("up{a=\"\\xé\"}", true),
            (r#"up{a="\u00e9"}"#, false),
        ] {
            let result = parse(query);
            assert_eq!(result.is_err(), refused, "{query}: {result:?}");
        }
    }

    #[test]
    fn deep_nesting_is_refused_before_parsing() {
        let query = format!("{}1{}", "(".repeat(10_000), ")".repeat(10_000));
        assert!(matches!(parse(&query), Err(QueryError::Parse { .. })));
    }
}
