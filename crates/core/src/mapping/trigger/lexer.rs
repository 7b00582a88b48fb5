//! The lexer, on demand, so errors are reported in source order.

use super::{CmpOp, TriggerError};

pub(super) const EXPECT_CONDITION: &str =
    "a condition (a field comparison, contains(...), match(...), !contains(...), !match(...) or \"(\")";
pub(super) const EXPECT_OP: &str = "an operator (=, !=, <, >, <=, >=)";
pub(super) const EXPECT_VALUE: &str = "a value (a string, number, true, false or null)";
pub(super) const EXPECT_NUMBER: &str = "a number (<, >, <=, >= compare numbers only)";
pub(super) const EXPECT_CLOSE: &str = "a closing \")\"";
pub(super) const EXPECT_END: &str = "\"and\", \"or\" or end of input";
pub(super) const EXPECT_FIELD: &str =
    "a field (type, event, name, userId, anonymousId, properties.<key>, traits.<key> or context.<key>)";
pub(super) const EXPECT_FUNC: &str = "a function (contains or match)";
pub(super) const EXPECT_STRING: &str = "a string";
pub(super) const EXPECT_CONDITION_OR_TOKEN: &str =
    "a field, string, number, operator, \"(\", \")\", \",\", \"!\", \"and\" or \"or\"";

#[derive(Debug, Clone, PartialEq)]
pub(super) enum TokenKind {
    /// Dotted path; each key already unescaped. `plain` = no escapes and no dots.
    Ident {
        keys: Vec<String>,
        plain: bool,
    },
    Str(String),
    Num(f64),
    And,
    Or,
    True,
    False,
    Null,
    Op(CmpOp),
    Bang,
    LParen,
    RParen,
    Comma,
    Eof,
}

#[derive(Debug, Clone)]
pub(super) struct Tok {
    pub(super) kind: TokenKind,
    /// 1-based character column of the first character.
    pub(super) column: usize,
    pub(super) raw: String,
}

impl Tok {
    pub(super) fn found(&self) -> String {
        if self.kind == TokenKind::Eof {
            return "end of input".to_owned();
        }
        let raw = truncate(&self.raw);
        match self.kind {
            TokenKind::Str(_) => format!("string {raw}"),
            _ => format!("\"{raw}\""),
        }
    }

    pub(super) fn error(&self, expected: &str) -> TriggerError {
        TriggerError { column: self.column, expected: expected.to_owned(), found: self.found() }
    }
}

pub(super) fn truncate(s: &str) -> String {
    const MAX: usize = 40;
    if s.chars().count() <= MAX {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(MAX).collect();
        t.push('…');
        t
    }
}

pub(super) fn is_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

pub(super) struct Lexer {
    chars: Vec<char>,
    pos: usize,
    peeked: Option<Tok>,
}

impl Lexer {
    pub(super) fn new(src: &str) -> Lexer {
        Lexer { chars: src.chars().collect(), pos: 0, peeked: None }
    }

    pub(super) fn peek(&mut self) -> Result<&Tok, TriggerError> {
        if self.peeked.is_none() {
            self.peeked = Some(self.lex()?);
        }
        Ok(self.peeked.as_ref().expect("just filled"))
    }

    pub(super) fn next(&mut self) -> Result<Tok, TriggerError> {
        match self.peeked.take() {
            Some(tok) => Ok(tok),
            None => self.lex(),
        }
    }

    pub(super) fn err_at(&self, pos: usize, expected: impl Into<String>) -> TriggerError {
        let found = match self.chars.get(pos) {
            None => "end of input".to_owned(),
            Some(c) => format!("\"{}\"", c.escape_debug()),
        };
        TriggerError { column: pos + 1, expected: expected.into(), found }
    }

    pub(super) fn lex(&mut self) -> Result<Tok, TriggerError> {
        while self.chars.get(self.pos).is_some_and(|c| c.is_whitespace()) {
            self.pos += 1;
        }
        let start = self.pos;
        let Some(&c) = self.chars.get(start) else {
            return Ok(Tok { kind: TokenKind::Eof, column: start + 1, raw: String::new() });
        };
        self.pos += 1;
        let next = self.chars.get(self.pos).copied();
        let kind = match c {
            '(' => TokenKind::LParen,
            ')' => TokenKind::RParen,
            ',' => TokenKind::Comma,
            '=' => TokenKind::Op(CmpOp::Eq),
            '!' if next == Some('=') => {
                self.pos += 1;
                TokenKind::Op(CmpOp::Ne)
            }
            '!' => TokenKind::Bang,
            '<' | '>' => {
                let or_equal = next == Some('=');
                if or_equal {
                    self.pos += 1;
                }
                TokenKind::Op(match (c, or_equal) {
                    ('<', false) => CmpOp::Lt,
                    ('<', true) => CmpOp::Le,
                    ('>', false) => CmpOp::Gt,
                    _ => CmpOp::Ge,
                })
            }
            '"' | '\'' => TokenKind::Str(self.lex_string(start, c)?),
            '-' | '+' | '0'..='9' => TokenKind::Num(self.lex_number(start)?),
            c if c.is_ascii_alphabetic() || c == '_' || c == '\\' => {
                self.pos = start;
                self.lex_ident()?
            }
            _ => {
                return Err(self.err_at(start, EXPECT_CONDITION_OR_TOKEN));
            }
        };
        Ok(Tok { kind, column: start + 1, raw: self.chars[start..self.pos].iter().collect() })
    }

    pub(super) fn lex_string(&mut self, start: usize, quote: char) -> Result<String, TriggerError> {
        let mut out = String::new();
        loop {
            let Some(&c) = self.chars.get(self.pos) else {
                return Err(self.err_at(
                    self.pos,
                    format!("a closing {quote} to end the string that starts at column {}", start + 1),
                ));
            };
            self.pos += 1;
            if c == quote {
                return Ok(out);
            }
            if c != '\\' {
                out.push(c);
                continue;
            }
            let esc_pos = self.pos;
            self.pos += 1;
            let escaped = match self.chars.get(esc_pos) {
                Some('\\') => '\\',
                Some('"') => '"',
                Some('\'') => '\'',
                Some('n') => '\n',
                Some('r') => '\r',
                Some('t') => '\t',
                Some('u') => self.lex_unicode_escape()?,
                _ => {
                    return Err(self.err_at(
                        esc_pos,
                        "an escape after \"\\\" (\\\\, \\\", \\', \\n, \\r, \\t or \\u{HEX})",
                    ));
                }
            };
            out.push(escaped);
        }
    }

    /// After `\u`: parses `{HEX}` (1–6 hex digits, a valid scalar value).
    pub(super) fn lex_unicode_escape(&mut self) -> Result<char, TriggerError> {
        const EXPECT: &str = "a unicode escape like \\u{1F600}";
        if self.chars.get(self.pos) != Some(&'{') {
            return Err(self.err_at(self.pos, EXPECT));
        }
        self.pos += 1;
        let digits_start = self.pos;
        while self.chars.get(self.pos).is_some_and(|c| c.is_ascii_hexdigit()) {
            self.pos += 1;
        }
        let digits: String = self.chars[digits_start..self.pos].iter().collect();
        if digits.is_empty() || digits.len() > 6 || self.chars.get(self.pos) != Some(&'}') {
            return Err(self.err_at(self.pos, EXPECT));
        }
        self.pos += 1;
        u32::from_str_radix(&digits, 16).ok().and_then(char::from_u32).ok_or_else(|| TriggerError {
            column: digits_start + 1,
            expected: "a valid unicode scalar value".to_owned(),
            found: format!("\"{digits}\""),
        })
    }

    pub(super) fn lex_number(&mut self, start: usize) -> Result<f64, TriggerError> {
        let digits = |lx: &mut Lexer| {
            let from = lx.pos;
            while lx.chars.get(lx.pos).is_some_and(char::is_ascii_digit) {
                lx.pos += 1;
            }
            lx.pos > from
        };
        if self.chars[start] == '-' || self.chars[start] == '+' {
            if !digits(self) {
                return Err(self.err_at(self.pos, "a digit"));
            }
        } else {
            digits(self);
        }
        if self.chars.get(self.pos) == Some(&'.') {
            self.pos += 1;
            if !digits(self) {
                return Err(self.err_at(self.pos, "a digit after the decimal point"));
            }
        }
        let text: String = self.chars[start..self.pos].iter().collect();
        let n: f64 = text.parse().unwrap_or(f64::INFINITY);
        if !n.is_finite() {
            return Err(TriggerError {
                column: start + 1,
                expected: "a finite number".to_owned(),
                found: format!("\"{}\"", truncate(&text)),
            });
        }
        Ok(n)
    }

    /// Dotted path of keys (`\` escapes any char), or a keyword.
    pub(super) fn lex_ident(&mut self) -> Result<TokenKind, TriggerError> {
        let mut keys = Vec::new();
        let mut plain = true;
        loop {
            let mut key = String::new();
            loop {
                match self.chars.get(self.pos) {
                    Some('\\') => {
                        plain = false;
                        let Some(&c) = self.chars.get(self.pos + 1) else {
                            return Err(self.err_at(self.pos + 1, "a character after \"\\\""));
                        };
                        key.push(c);
                        self.pos += 2;
                    }
                    Some(&c) if is_key_char(c) => {
                        key.push(c);
                        self.pos += 1;
                    }
                    _ => break,
                }
            }
            if key.is_empty() {
                return Err(self.err_at(self.pos, "a key after \".\""));
            }
            keys.push(key);
            if self.chars.get(self.pos) == Some(&'.') {
                plain = false;
                self.pos += 1;
            } else {
                break;
            }
        }
        if plain {
            let kw = match keys[0].as_str() {
                "and" => Some(TokenKind::And),
                "or" => Some(TokenKind::Or),
                "true" => Some(TokenKind::True),
                "false" => Some(TokenKind::False),
                "null" => Some(TokenKind::Null),
                _ => None,
            };
            if let Some(kw) = kw {
                return Ok(kw);
            }
        }
        Ok(TokenKind::Ident { keys, plain })
    }
}
