//! Segment Actions trigger ("subscription") conditions, written in Segment's
//! FQL dialect, e.g. `type = "track" and event = "Order Completed"`.
//!
//! Grammar (EBNF-ish; whitespace between tokens is ignored):
//!
//! ```text
//! trigger    = or_expr EOF
//! or_expr    = and_expr { "or" and_expr }          (* "and" binds tighter *)
//! and_expr   = primary { "and" primary }
//! primary    = "(" or_expr ")"                     (* at most 64 levels deep *)
//!            | [ "!" ] func
//!            | field op value
//! func       = ( "contains" | "match" ) "(" field "," string ")"
//! op         = "=" | "!=" | "<" | "<=" | ">" | ">="  (* < > <= >= need a number *)
//! value      = string | number | "true" | "false" | "null"
//! field      = "type" | "event" | "name" | "userId" | "anonymousId"
//!            | ( "properties" | "traits" | "context" ) ( "." key )+
//! key        = ( ALNUM | "_" | "-" | "\" ANY_CHAR )+  (* `\` escapes e.g. space or "." *)
//! string     = '"' … '"' | "'" … "'"   escapes: \\ \" \' \n \r \t \u{HEX}
//! number     = [ "-" | "+" ] DIGIT+ [ "." DIGIT+ ]
//! ```
//!
//! Semantics (following `@segment/destination-subscriptions`):
//! * `properties.k` reads `event.properties.k`, `traits.k` reads the root
//!   `event.traits.k` (not `context.traits`), `context.k` reads `event.context.k`;
//!   all-digit keys also index arrays.
//! * `=` is strictly typed: a string literal matches only an equal JSON string
//!   (case-sensitive), a number only a JSON number, `true`/`false` only that
//!   boolean; `= null` means missing or null. `!=` is the exact negation, so a
//!   missing field matches `!= "x"` and `!= null` means "exists".
//! * `<`, `>`, `<=`, `>=` match only when the field is a JSON number.
//! * `contains`/`match` need a string field; `!contains`/`!match` also need a
//!   string field (a missing field matches neither form).
//! * `match` globs: `*` any run, `?` one char, `\` escapes the next char.

use std::fmt;
use std::str::FromStr;

use serde_json::Value;

/// Maximum parenthesis nesting accepted by [`Trigger::parse`].
pub const MAX_DEPTH: usize = 64;

/// A parse error with a 1-based character column.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("trigger: at column {column}: expected {expected}, found {found}")]
pub struct TriggerError {
    /// 1-based column, counted in characters.
    pub column: usize,
    /// What the parser expected there, e.g. `an operator (=, !=, <, >, <=, >=)` or `a closing ")"`.
    pub expected: String,
    /// What it found, e.g. `"foo"` or `end of input`.
    pub found: String,
}

/// A parsed trigger.
#[derive(Debug, Clone)]
pub struct Trigger {
    root: Node,
    /// The text mixes `and` and `or` at one level without parentheses.
    mixed: bool,
}

/// Triggers are equal when they mean the same; how the text was written does not count.
impl PartialEq for Trigger {
    fn eq(&self, other: &Trigger) -> bool {
        self.root == other.root
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Node {
    /// At least two children.
    Or(Vec<Node>),
    /// At least two children.
    And(Vec<Node>),
    Cmp {
        field: Field,
        op: CmpOp,
        lit: Literal,
    },
    Func {
        negated: bool,
        func: Func,
        field: Field,
        arg: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Root {
    Type,
    Event,
    Name,
    UserId,
    AnonymousId,
    Properties,
    Traits,
    Context,
}

impl Root {
    const ALL: [Root; 8] = [
        Root::Type,
        Root::Event,
        Root::Name,
        Root::UserId,
        Root::AnonymousId,
        Root::Properties,
        Root::Traits,
        Root::Context,
    ];

    fn key(self) -> &'static str {
        match self {
            Root::Type => "type",
            Root::Event => "event",
            Root::Name => "name",
            Root::UserId => "userId",
            Root::AnonymousId => "anonymousId",
            Root::Properties => "properties",
            Root::Traits => "traits",
            Root::Context => "context",
        }
    }

    /// Whether the root is an object that must be followed by at least one key.
    fn needs_keys(self) -> bool {
        matches!(self, Root::Properties | Root::Traits | Root::Context)
    }

    fn from_key(s: &str) -> Option<Root> {
        Root::ALL.into_iter().find(|r| r.key() == s)
    }
}

#[derive(Debug, Clone, PartialEq)]
struct Field {
    root: Root,
    /// Non-empty keys below the root; empty unless `root.needs_keys()`.
    keys: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }

    fn is_ordering(self) -> bool {
        !matches!(self, CmpOp::Eq | CmpOp::Ne)
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Literal {
    Str(String),
    /// Always finite.
    Num(f64),
    Bool(bool),
    Null,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Func {
    Contains,
    Match,
}

impl Func {
    fn as_str(self) -> &'static str {
        match self {
            Func::Contains => "contains",
            Func::Match => "match",
        }
    }
}

// ---------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------

impl Trigger {
    /// Parses FQL trigger text.
    pub fn parse(src: &str) -> Result<Trigger, TriggerError> {
        let mut p = Parser { lex: Lexer::new(src), mixed: false };
        let root = p.parse_or(0)?;
        let tok = p.lex.next()?;
        if tok.kind != Kind::Eof {
            return Err(tok.error(EXPECT_END));
        }
        // The canonical text parenthesizes every `and` group inside an `or`, which the source may
        // leave bare: refuse what would print deeper than the limit, so the canonical text of a
        // trigger always parses back.
        let depth = canonical_depth(&root);
        if depth > MAX_DEPTH {
            return Err(TriggerError {
                column: 1,
                expected: format!(
                    "at most {MAX_DEPTH} nested parentheses, counting those the canonical text adds \
                     around \"and\" inside \"or\""
                ),
                found: format!("{depth}"),
            });
        }
        Ok(Trigger { root, mixed: p.mixed })
    }

    /// Whether Segment would read this text differently. Segment's parser has no precedence:
    /// at one level it applies the last `and`/`or` it saw to every condition, so
    /// `a and b or c` means `a or b or c` there. This console binds `and` tighter; the
    /// canonical text ([`Display`](fmt::Display)) adds the parentheses that make both agree.
    pub fn segment_reads_differently(&self) -> bool {
        self.mixed
    }

    /// Whether the Segment event (a JSON object) satisfies the trigger.
    pub fn matches(&self, event: &Value) -> bool {
        eval(&self.root, event)
    }

    /// `type = "X"` or `type = "X" and event = "Y"`.
    pub fn simple(event_type: &str, event_name: Option<&str>) -> Trigger {
        simple(event_type, event_name)
    }

    /// Recognises exactly the shape produced by [`simple`].
    pub fn as_simple(&self) -> Option<(String, Option<String>)> {
        fn eq_str(node: &Node, root: Root) -> Option<&str> {
            match node {
                Node::Cmp { field, op: CmpOp::Eq, lit: Literal::Str(s) }
                    if field.root == root && field.keys.is_empty() =>
                {
                    Some(s)
                }
                _ => None,
            }
        }
        match &self.root {
            Node::And(children) if children.len() == 2 => {
                let ty = eq_str(&children[0], Root::Type)?;
                let ev = eq_str(&children[1], Root::Event)?;
                Some((ty.to_owned(), Some(ev.to_owned())))
            }
            node => eq_str(node, Root::Type).map(|t| (t.to_owned(), None)),
        }
    }
}

/// Builds `type = "X"` or `type = "X" and event = "Y"` (for a UI builder).
pub fn simple(event_type: &str, event_name: Option<&str>) -> Trigger {
    let eq = |root, value: &str| Node::Cmp {
        field: Field { root, keys: Vec::new() },
        op: CmpOp::Eq,
        lit: Literal::Str(value.to_owned()),
    };
    let ty = eq(Root::Type, event_type);
    let root = match event_name {
        Some(name) => Node::And(vec![ty, eq(Root::Event, name)]),
        None => ty,
    };
    Trigger { root, mixed: false }
}

impl FromStr for Trigger {
    type Err = TriggerError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Trigger::parse(s)
    }
}

// ---------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------

fn eval(node: &Node, event: &Value) -> bool {
    match node {
        Node::Or(children) => children.iter().any(|c| eval(c, event)),
        Node::And(children) => children.iter().all(|c| eval(c, event)),
        Node::Cmp { field, op, lit } => compare(lookup(event, field), *op, lit),
        Node::Func { negated, func, field, arg } => match lookup(event, field).and_then(Value::as_str) {
            Some(actual) => {
                let hit = match func {
                    Func::Contains => actual.contains(arg.as_str()),
                    Func::Match => glob_match(arg, actual),
                };
                hit != *negated
            }
            None => false,
        },
    }
}

fn lookup<'a>(event: &'a Value, field: &Field) -> Option<&'a Value> {
    let mut cur = event.as_object()?.get(field.root.key())?;
    for key in &field.keys {
        cur = match cur {
            Value::Object(map) => map.get(key.as_str())?,
            Value::Array(items) => items.get(key.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

fn equals(actual: Option<&Value>, lit: &Literal) -> bool {
    match lit {
        Literal::Null => actual.is_none_or(Value::is_null),
        Literal::Bool(b) => actual.and_then(Value::as_bool) == Some(*b),
        Literal::Str(s) => actual.and_then(Value::as_str) == Some(s.as_str()),
        Literal::Num(n) => actual.and_then(Value::as_f64) == Some(*n),
    }
}

fn compare(actual: Option<&Value>, op: CmpOp, lit: &Literal) -> bool {
    match op {
        CmpOp::Eq => equals(actual, lit),
        CmpOp::Ne => !equals(actual, lit),
        _ => {
            let (Some(a), Literal::Num(b)) = (actual.and_then(Value::as_f64), lit) else {
                return false;
            };
            match op {
                CmpOp::Lt => a < *b,
                CmpOp::Le => a <= *b,
                CmpOp::Gt => a > *b,
                _ => a >= *b,
            }
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum GlobTok {
    Lit(char),
    AnyRun,
    AnyOne,
}

/// Glob match: `*` any run, `?` one char, `\x` a literal `x`.
fn glob_match(pattern: &str, text: &str) -> bool {
    let mut pat = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        pat.push(match c {
            '*' => GlobTok::AnyRun,
            '?' => GlobTok::AnyOne,
            '\\' => GlobTok::Lit(chars.next().unwrap_or('\\')),
            c => GlobTok::Lit(c),
        });
    }
    let text: Vec<char> = text.chars().collect();
    let (mut p, mut t) = (0usize, 0usize);
    // Position of the last `*` seen, and the text position it currently covers up to.
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pat.get(p) {
            Some(GlobTok::AnyRun) => {
                star = Some((p, t));
                p += 1;
            }
            Some(GlobTok::AnyOne) => {
                p += 1;
                t += 1;
            }
            Some(GlobTok::Lit(c)) if *c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pat[p..].iter().all(|tok| *tok == GlobTok::AnyRun)
}

// ---------------------------------------------------------------------------
// Display (canonical text; nested groups are always parenthesised, which is
// also how Segment's own generator writes them)
// ---------------------------------------------------------------------------

impl fmt::Display for Trigger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_node(&self.root, f, false)
    }
}

/// How deep [`write_node`] nests parentheses: every group below the top one gets a pair.
fn canonical_depth(node: &Node) -> usize {
    fn groups(node: &Node) -> usize {
        match node {
            Node::Or(children) | Node::And(children) => 1 + children.iter().map(groups).max().unwrap_or(0),
            Node::Cmp { .. } | Node::Func { .. } => 0,
        }
    }
    groups(node).saturating_sub(1)
}

fn write_node(node: &Node, f: &mut fmt::Formatter<'_>, nested: bool) -> fmt::Result {
    match node {
        Node::Or(children) | Node::And(children) => {
            let sep = if matches!(node, Node::Or(_)) { " or " } else { " and " };
            if nested {
                f.write_str("(")?;
            }
            for (i, child) in children.iter().enumerate() {
                if i > 0 {
                    f.write_str(sep)?;
                }
                write_node(child, f, true)?;
            }
            if nested {
                f.write_str(")")?;
            }
            Ok(())
        }
        Node::Cmp { field, op, lit } => {
            write!(f, "{field} {} ", op.as_str())?;
            match lit {
                Literal::Str(s) => write_string(s, f),
                Literal::Num(n) => write!(f, "{n}"),
                Literal::Bool(b) => write!(f, "{b}"),
                Literal::Null => f.write_str("null"),
            }
        }
        Node::Func { negated, func, field, arg } => {
            if *negated {
                f.write_str("!")?;
            }
            write!(f, "{}({field}, ", func.as_str())?;
            write_string(arg, f)?;
            f.write_str(")")
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.root.key())?;
        for key in &self.keys {
            f.write_str(".")?;
            for c in key.chars() {
                if !is_key_char(c) {
                    f.write_str("\\")?;
                }
                write!(f, "{c}")?;
            }
        }
        Ok(())
    }
}

fn write_string(s: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    f.write_str("\"")?;
    for c in s.chars() {
        match c {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\r' => f.write_str("\\r")?,
            '\t' => f.write_str("\\t")?,
            c if c.is_control() => write!(f, "\\u{{{:x}}}", c as u32)?,
            c => write!(f, "{c}")?,
        }
    }
    f.write_str("\"")
}

// ---------------------------------------------------------------------------
// Lexer (on demand, so errors are reported in source order)
// ---------------------------------------------------------------------------

const EXPECT_CONDITION: &str =
    "a condition (a field comparison, contains(...), match(...), !contains(...), !match(...) or \"(\")";
const EXPECT_OP: &str = "an operator (=, !=, <, >, <=, >=)";
const EXPECT_VALUE: &str = "a value (a string, number, true, false or null)";
const EXPECT_NUMBER: &str = "a number (<, >, <=, >= compare numbers only)";
const EXPECT_CLOSE: &str = "a closing \")\"";
const EXPECT_END: &str = "\"and\", \"or\" or end of input";
const EXPECT_FIELD: &str =
    "a field (type, event, name, userId, anonymousId, properties.<key>, traits.<key> or context.<key>)";
const EXPECT_FUNC: &str = "a function (contains or match)";
const EXPECT_STRING: &str = "a string";
const EXPECT_CONDITION_OR_TOKEN: &str =
    "a field, string, number, operator, \"(\", \")\", \",\", \"!\", \"and\" or \"or\"";

#[derive(Debug, Clone, PartialEq)]
enum Kind {
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
struct Tok {
    kind: Kind,
    /// 1-based character column of the first character.
    column: usize,
    raw: String,
}

impl Tok {
    fn found(&self) -> String {
        if self.kind == Kind::Eof {
            return "end of input".to_owned();
        }
        let raw = truncate(&self.raw);
        match self.kind {
            Kind::Str(_) => format!("string {raw}"),
            _ => format!("\"{raw}\""),
        }
    }

    fn error(&self, expected: &str) -> TriggerError {
        TriggerError { column: self.column, expected: expected.to_owned(), found: self.found() }
    }
}

fn truncate(s: &str) -> String {
    const MAX: usize = 40;
    if s.chars().count() <= MAX {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(MAX).collect();
        t.push('…');
        t
    }
}

fn is_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

struct Lexer {
    chars: Vec<char>,
    pos: usize,
    peeked: Option<Tok>,
}

impl Lexer {
    fn new(src: &str) -> Lexer {
        Lexer { chars: src.chars().collect(), pos: 0, peeked: None }
    }

    fn peek(&mut self) -> Result<&Tok, TriggerError> {
        if self.peeked.is_none() {
            self.peeked = Some(self.lex()?);
        }
        Ok(self.peeked.as_ref().expect("just filled"))
    }

    fn next(&mut self) -> Result<Tok, TriggerError> {
        match self.peeked.take() {
            Some(tok) => Ok(tok),
            None => self.lex(),
        }
    }

    fn err_at(&self, pos: usize, expected: impl Into<String>) -> TriggerError {
        let found = match self.chars.get(pos) {
            None => "end of input".to_owned(),
            Some(c) => format!("\"{}\"", c.escape_debug()),
        };
        TriggerError { column: pos + 1, expected: expected.into(), found }
    }

    fn lex(&mut self) -> Result<Tok, TriggerError> {
        while self.chars.get(self.pos).is_some_and(|c| c.is_whitespace()) {
            self.pos += 1;
        }
        let start = self.pos;
        let Some(&c) = self.chars.get(start) else {
            return Ok(Tok { kind: Kind::Eof, column: start + 1, raw: String::new() });
        };
        self.pos += 1;
        let next = self.chars.get(self.pos).copied();
        let kind = match c {
            '(' => Kind::LParen,
            ')' => Kind::RParen,
            ',' => Kind::Comma,
            '=' => Kind::Op(CmpOp::Eq),
            '!' if next == Some('=') => {
                self.pos += 1;
                Kind::Op(CmpOp::Ne)
            }
            '!' => Kind::Bang,
            '<' | '>' => {
                let or_equal = next == Some('=');
                if or_equal {
                    self.pos += 1;
                }
                Kind::Op(match (c, or_equal) {
                    ('<', false) => CmpOp::Lt,
                    ('<', true) => CmpOp::Le,
                    ('>', false) => CmpOp::Gt,
                    _ => CmpOp::Ge,
                })
            }
            '"' | '\'' => Kind::Str(self.lex_string(start, c)?),
            '-' | '+' | '0'..='9' => Kind::Num(self.lex_number(start)?),
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

    fn lex_string(&mut self, start: usize, quote: char) -> Result<String, TriggerError> {
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
    fn lex_unicode_escape(&mut self) -> Result<char, TriggerError> {
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

    fn lex_number(&mut self, start: usize) -> Result<f64, TriggerError> {
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
    fn lex_ident(&mut self) -> Result<Kind, TriggerError> {
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
                "and" => Some(Kind::And),
                "or" => Some(Kind::Or),
                "true" => Some(Kind::True),
                "false" => Some(Kind::False),
                "null" => Some(Kind::Null),
                _ => None,
            };
            if let Some(kw) = kw {
                return Ok(kw);
            }
        }
        Ok(Kind::Ident { keys, plain })
    }
}

// ---------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------

struct Parser {
    lex: Lexer,
    /// Set when one level mixes `and` and `or` without parentheses.
    mixed: bool,
}

impl Parser {
    fn parse_or(&mut self, depth: usize) -> Result<Node, TriggerError> {
        let (first, mut any_and) = self.parse_and(depth)?;
        let mut children = vec![first];
        while self.lex.peek()?.kind == Kind::Or {
            self.lex.next()?;
            let (next, joined) = self.parse_and(depth)?;
            any_and |= joined;
            children.push(next);
        }
        self.mixed |= any_and && children.len() > 1;
        Ok(group(children, Node::Or))
    }

    /// An `and` chain; the flag says whether it joined two or more conditions.
    fn parse_and(&mut self, depth: usize) -> Result<(Node, bool), TriggerError> {
        let mut children = vec![self.parse_primary(depth)?];
        while self.lex.peek()?.kind == Kind::And {
            self.lex.next()?;
            children.push(self.parse_primary(depth)?);
        }
        let joined = children.len() > 1;
        Ok((group(children, Node::And), joined))
    }

    fn parse_primary(&mut self, depth: usize) -> Result<Node, TriggerError> {
        let tok = self.lex.next()?;
        match &tok.kind {
            Kind::LParen => {
                if depth >= MAX_DEPTH {
                    return Err(tok.error(&format!("at most {MAX_DEPTH} nested parentheses")));
                }
                let inner = self.parse_or(depth + 1)?;
                let close = self.lex.next()?;
                if close.kind != Kind::RParen {
                    return Err(close.error(EXPECT_CLOSE));
                }
                Ok(inner)
            }
            Kind::Bang => {
                let name = self.lex.next()?;
                match function_name(&name) {
                    Some(func) => self.parse_call(func, true),
                    None => Err(name.error("contains(...) or match(...) after \"!\"")),
                }
            }
            Kind::Ident { .. } => {
                if let Some(func) = function_name(&tok) {
                    return self.parse_call(func, false);
                }
                let field = match resolve_field(&tok) {
                    Ok(field) => field,
                    Err(err) => {
                        // An unknown name directly followed by "(" is a bad function.
                        let is_call = matches!(&tok.kind, Kind::Ident { keys, plain: true } if keys.len() == 1)
                            && self.lex.peek().is_ok_and(|t| t.kind == Kind::LParen);
                        return Err(if is_call { tok.error(EXPECT_FUNC) } else { err });
                    }
                };
                let op_tok = self.lex.next()?;
                let Kind::Op(op) = op_tok.kind else {
                    return Err(op_tok.error(EXPECT_OP));
                };
                let val = self.lex.next()?;
                let lit = match &val.kind {
                    Kind::Num(n) => Literal::Num(*n),
                    _ if op.is_ordering() => return Err(val.error(EXPECT_NUMBER)),
                    Kind::Str(s) => Literal::Str(s.clone()),
                    Kind::True => Literal::Bool(true),
                    Kind::False => Literal::Bool(false),
                    Kind::Null => Literal::Null,
                    _ => return Err(val.error(EXPECT_VALUE)),
                };
                Ok(Node::Cmp { field, op, lit })
            }
            _ => Err(tok.error(EXPECT_CONDITION)),
        }
    }

    /// After the function name: `( field , string )`.
    fn parse_call(&mut self, func: Func, negated: bool) -> Result<Node, TriggerError> {
        let open = self.lex.next()?;
        if open.kind != Kind::LParen {
            return Err(open.error(&format!("\"(\" after {}", func.as_str())));
        }
        let field_tok = self.lex.next()?;
        let field = match field_tok.kind {
            Kind::Ident { .. } => resolve_field(&field_tok)?,
            _ => return Err(field_tok.error(EXPECT_FIELD)),
        };
        let comma = self.lex.next()?;
        if comma.kind != Kind::Comma {
            return Err(comma.error("\",\""));
        }
        let arg_tok = self.lex.next()?;
        let Kind::Str(arg) = arg_tok.kind else {
            return Err(arg_tok.error(EXPECT_STRING));
        };
        let close = self.lex.next()?;
        if close.kind != Kind::RParen {
            return Err(close.error(EXPECT_CLOSE));
        }
        Ok(Node::Func { negated, func, field, arg })
    }
}

fn group(mut children: Vec<Node>, make: fn(Vec<Node>) -> Node) -> Node {
    if children.len() == 1 { children.pop().expect("one child") } else { make(children) }
}

fn function_name(tok: &Tok) -> Option<Func> {
    match &tok.kind {
        Kind::Ident { keys, plain: true } if keys.len() == 1 => match keys[0].as_str() {
            "contains" => Some(Func::Contains),
            "match" => Some(Func::Match),
            _ => None,
        },
        _ => None,
    }
}

fn resolve_field(tok: &Tok) -> Result<Field, TriggerError> {
    let Kind::Ident { keys, .. } = &tok.kind else {
        return Err(tok.error(EXPECT_FIELD));
    };
    let root = Root::from_key(&keys[0]).ok_or_else(|| tok.error(EXPECT_FIELD))?;
    let rest = keys[1..].to_vec();
    if root.needs_keys() && rest.is_empty() {
        return Err(tok.error(&format!("a key after \"{}\" (e.g. {}.price)", root.key(), root.key())));
    }
    if !root.needs_keys() && !rest.is_empty() {
        return Err(tok.error(&format!("\"{}\" without sub-keys", root.key())));
    }
    Ok(Field { root, keys: rest })
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn t(src: &str) -> Trigger {
        Trigger::parse(src).unwrap_or_else(|e| panic!("{src:?}: {e}"))
    }

    fn err(src: &str) -> TriggerError {
        match Trigger::parse(src) {
            Ok(t) => panic!("{src:?} parsed as {t}"),
            Err(e) => e,
        }
    }

    fn sample() -> Value {
        json!({
            "type": "track",
            "event": "Order Completed",
            "name": "Home",
            "userId": "u-1",
            "anonymousId": "a-1",
            "properties": {
                "total": 42.5,
                "count": 3,
                "currency": "USD",
                "premium": true,
                "free": false,
                "nothing": null,
                "numstr": "123",
                "product": { "sku": "SKU-9", "tags": ["red", "blue"] },
                "my key": "spaced",
                "a.b": "dotted",
                "740107d2-77": "uuid-ish",
                "quote\"d": "q"
            },
            "traits": { "plan": "pro", "logins": 12 },
            "context": { "ip": "1.1.1.1", "traits": { "plan": "context-plan" }, "page": { "path": "/checkout/done" } }
        })
    }

    #[test]
    fn parse_and_match_table() {
        let ev = sample();
        let cases: &[(&str, bool)] = &[
            // equality on every root
            (r#"type = "track""#, true),
            (r#"type = "Track""#, false),
            (r#"type = 'track'"#, true),
            (r#"event = "Order Completed""#, true),
            (r#"name = "Home""#, true),
            (r#"userId = "u-1""#, true),
            (r#"anonymousId = "a-1""#, true),
            (r#"properties.currency = "USD""#, true),
            (r#"traits.plan = "pro""#, true),
            (r#"context.ip = "1.1.1.1""#, true),
            (r#"context.traits.plan = "context-plan""#, true),
            (r#"properties.product.sku = "SKU-9""#, true),
            (r#"properties.product.tags.1 = "blue""#, true),
            (r#"properties.product.tags.2 = "blue""#, false),
            // != and missing fields
            (r#"type != "identify""#, true),
            (r#"type != "track""#, false),
            (r#"properties.missing = "x""#, false),
            (r#"properties.missing != "x""#, true),
            (r#"traits.nope.deeper != "x""#, true),
            // null / exists
            ("properties.missing = null", true),
            ("properties.nothing = null", true),
            ("properties.currency = null", false),
            ("properties.currency != null", true),
            ("properties.nothing != null", false),
            ("userId != null", true),
            // booleans are typed
            ("properties.premium = true", true),
            ("properties.premium = false", false),
            ("properties.free = false", true),
            (r#"properties.premium = "true""#, false),
            ("properties.premium != true", false),
            // numbers are typed
            ("properties.count = 3", true),
            ("properties.count = 3.0", true),
            (r#"properties.count = "3""#, false),
            ("properties.numstr = 123", false),
            (r#"properties.numstr = "123""#, true),
            ("properties.count != 4", true),
            // ordering
            ("properties.total > 42", true),
            ("properties.total > 42.5", false),
            ("properties.total >= 42.5", true),
            ("properties.total < 43", true),
            ("properties.total <= 42.4", false),
            ("properties.count <= 3", true),
            ("traits.logins >= 10", true),
            ("properties.numstr > 1", false),
            ("properties.missing < 1", false),
            ("properties.total > -1", true),
            ("properties.total < +100", true),
            // contains / match
            (r#"contains(event, "Order")"#, true),
            (r#"contains(event, "order")"#, false),
            (r#"!contains(event, "Refund")"#, true),
            (r#"!contains(event, "Order")"#, false),
            (r#"!contains(properties.missing, "x")"#, false),
            (r#"contains(properties.count, "3")"#, false),
            (r#"match(event, "Order*")"#, true),
            (r#"match(event, "*Completed")"#, true),
            (r#"match(event, "*der Comp*")"#, true),
            (r#"match(event, "Order?Completed")"#, true),
            (r#"match(event, "Order??Completed")"#, false),
            (r#"match(event, "order*")"#, false),
            (r#"match(context.page.path, "/checkout/*")"#, true),
            (r#"!match(event, "Product*")"#, true),
            (r#"!match(event, "Order*")"#, false),
            (r#"match(properties.quote\"d, "\\*")"#, false),
            // escapes in strings and keys
            (r#"properties.my\ key = "spaced""#, true),
            (r#"properties.a\.b = "dotted""#, true),
            (r#"properties.740107d2-77 = "uuid-ish""#, true),
            (r#"properties.quote\"d = "q""#, true),
            (r#"event = "Order\u{20}Completed""#, true),
            (r#"event = 'Order Completed'"#, true),
            // and / or / precedence / parentheses
            (r#"type = "track" and event = "Order Completed""#, true),
            (r#"type = "track" and event = "Other""#, false),
            (r#"type = "page" or event = "Order Completed""#, true),
            (r#"type = "page" or event = "Other""#, false),
            // and binds tighter: true or (false and false)
            (r#"type = "track" or type = "x" and type = "y""#, true),
            // (true or false) and false
            (r#"(type = "track" or type = "x") and type = "y""#, false),
            // false and false or true  ==  (false and false) or true
            (r#"type = "x" and type = "y" or type = "track""#, true),
            (r#"((type = "track"))"#, true),
            (
                r#"type = "track" and (event = "A" or event = "Order Completed") and properties.total > 10"#,
                true,
            ),
            ("type=\"track\"and\tevent\n=\"Order Completed\"", true),
        ];
        for (src, want) in cases {
            let trig = t(src);
            assert_eq!(trig.matches(&ev), *want, "{src}");
            // canonical text round-trips and keeps the meaning
            let again = t(&trig.to_string());
            assert_eq!(again, trig, "{src} -> {trig}");
            assert_eq!(again.matches(&ev), *want, "{trig}");
        }
    }

    #[test]
    fn non_object_events_never_match_positive_conditions() {
        let trig = t(r#"type = "track""#);
        for ev in [json!(null), json!("track"), json!([1]), json!({})] {
            assert!(!trig.matches(&ev));
        }
        assert!(t(r#"type != "track""#).matches(&json!(null)));
    }

    #[test]
    fn canonical_text() {
        let cases = [
            (r#"  type='track'   and   event = "x" "#, r#"type = "track" and event = "x""#),
            (r#"type = "a" or type = "b" and event = "c""#, r#"type = "a" or (type = "b" and event = "c")"#),
            (r#"! contains( properties.a\ b , "q\"\\" )"#, r#"!contains(properties.a\ b, "q\"\\")"#),
            ("properties.n >= 10.50", "properties.n >= 10.5"),
            ("properties.n = -0.0", "properties.n = -0"),
            ("properties.n = +7", "properties.n = 7"),
            (r#"event = "tab\there\u{1}""#, r#"event = "tab\there\u{1}""#),
        ];
        for (src, want) in cases {
            assert_eq!(t(src).to_string(), want);
        }
    }

    #[test]
    fn simple_builder_round_trips() {
        let a = simple("track", Some("Order Completed"));
        assert_eq!(a.to_string(), r#"type = "track" and event = "Order Completed""#);
        assert_eq!(a.as_simple(), Some(("track".to_owned(), Some("Order Completed".to_owned()))));
        let b = Trigger::simple("identify", None);
        assert_eq!(b.to_string(), r#"type = "identify""#);
        assert_eq!(b.as_simple(), Some(("identify".to_owned(), None)));
        assert_eq!(t(&b.to_string()), b);
        for src in [
            r#"event = "x" and type = "track""#,
            r#"type = "track" or event = "x""#,
            r#"type != "track""#,
            r#"type = "track" and event = "x" and name = "y""#,
            r#"type = "track" and event != "x""#,
            "type = null",
        ] {
            assert_eq!(t(src).as_simple(), None, "{src}");
        }
        assert_eq!("type = \"page\"".parse::<Trigger>().unwrap().as_simple().unwrap().0, "page");
    }

    fn check_err(src: &str, column: usize, expected: &str, found: &str) {
        let e = err(src);
        assert_eq!((e.column, e.expected.as_str(), e.found.as_str()), (column, expected, found), "{src:?}");
    }

    #[test]
    fn errors() {
        check_err("type = ", 8, EXPECT_VALUE, "end of input");
        check_err(r#"type == "x""#, 7, EXPECT_VALUE, "\"=\"");
        check_err(r#"(type = "x""#, 12, EXPECT_CLOSE, "end of input");
        check_err(r#"type = "x" and"#, 15, EXPECT_CONDITION, "end of input");
        check_err(
            r#"type = "x"#,
            10,
            "a closing \" to end the string that starts at column 8",
            "end of input",
        );
        check_err(r#"foo(event, "x")"#, 1, EXPECT_FUNC, "\"foo\"");
        check_err(r#"foo = "x""#, 1, EXPECT_FIELD, "\"foo\"");
        check_err("", 1, EXPECT_CONDITION, "end of input");
        check_err(r#"type "x""#, 6, EXPECT_OP, "string \"x\"");
        check_err(r#"type = "x" event = "y""#, 12, EXPECT_END, "\"event\"");
        check_err(r#"properties.total > "10""#, 20, EXPECT_NUMBER, "string \"10\"");
        check_err(
            "properties = null",
            1,
            "a key after \"properties\" (e.g. properties.price)",
            "\"properties\"",
        );
        check_err("type.x = null", 1, "\"type\" without sub-keys", "\"type.x\"");
        check_err("properties. = 1", 12, "a key after \".\"", "\" \"");
        check_err(r#"contains(event "x")"#, 16, "\",\"", "string \"x\"");
        check_err(r#"contains(event, 5)"#, 17, EXPECT_STRING, "\"5\"");
        check_err(r#"contains(event, "x""#, 20, EXPECT_CLOSE, "end of input");
        check_err(r#"!(type = "x")"#, 2, "contains(...) or match(...) after \"!\"", "\"(\"");
        check_err(
            r#"event = "a\qb""#,
            12,
            "an escape after \"\\\" (\\\\, \\\", \\', \\n, \\r, \\t or \\u{HEX})",
            "\"q\"",
        );
        check_err(r#"event = "\u{110000}""#, 13, "a valid unicode scalar value", "\"110000\"");
        check_err("properties.x = 1.", 18, "a digit after the decimal point", "end of input");
        check_err("properties.x = -", 17, "a digit", "end of input");
        check_err("type # 1", 6, EXPECT_CONDITION_OR_TOKEN, "\"#\"");
        check_err("type ≠ 1", 6, EXPECT_CONDITION_OR_TOKEN, "\"≠\"");
        check_err(
            &format!("properties.x = 1{}", "0".repeat(400)),
            16,
            "a finite number",
            &format!("\"1{}…\"", "0".repeat(39)),
        );
        // leftmost error wins: the bad operator comes before the unterminated string
        check_err(r#"type == "x"#, 7, EXPECT_VALUE, "\"=\"");
        // columns count characters, not bytes
        check_err(r#"event = "ü" and"#, 16, EXPECT_CONDITION, "end of input");
        let msg = err("type = ").to_string();
        assert_eq!(
            msg,
            "trigger: at column 8: expected a value (a string, number, true, false or null), found end of input"
        );
    }

    #[test]
    fn nesting_limit() {
        let ok = format!("{}type = \"x\"{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        assert!(t(&ok).matches(&json!({"type": "x"})));
        let deep = format!("{}type = \"x\"{}", "(".repeat(MAX_DEPTH + 1), ")".repeat(MAX_DEPTH + 1));
        check_err(&deep, MAX_DEPTH + 1, "at most 64 nested parentheses", "\"(\"");
        let huge = "(".repeat(100_000);
        assert_eq!(err(&huge).column, MAX_DEPTH + 1);
    }

    /// `a or b and (…)` nests two groups per pair of parentheses, and the canonical text
    /// parenthesizes both: its depth, not the source's, is what must stay within the limit.
    #[test]
    fn canonical_text_of_an_accepted_trigger_is_within_the_nesting_limit() {
        // Each `a or b and (` opens one pair of parentheses but two groups (an `or` holding an
        // `and`), so `levels` pairs around `inner` print 2 * levels - 1 deep, plus inner's own.
        let nest = |levels: usize, inner: &str| {
            let open = r#"type = "a" or type = "b" and ("#.repeat(levels);
            format!("{open}{inner}{}", ")".repeat(levels))
        };
        // 64 deep exactly: accepted, and the canonical text parses back to the same trigger.
        let ok = t(&nest(32, r#"event = "x" or event = "y""#));
        assert_eq!(canonical_depth(&ok.root), MAX_DEPTH);
        assert_eq!(t(&ok.to_string()), ok);
        assert!(ok.matches(&json!({"type": "a"})));
        // 33 pairs in the source would print 65 deep: refused up front (before, the trigger was
        // accepted and its canonical text was not).
        let e = err(&nest(33, r#"event = "x""#));
        assert_eq!((e.column, e.found.as_str()), (1, "65"));
        assert!(e.expected.starts_with("at most 64 nested parentheses"), "{e}");
        // Plain nesting is unchanged: 64 pairs around one condition print none.
        let plain = format!("{}type = \"x\"{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        assert_eq!(canonical_depth(&t(&plain).root), 0);
    }

    #[test]
    fn long_inputs() {
        let n = 5_000;
        let src = vec![r#"event = "x""#; n].join(" or ");
        let trig = t(&src);
        assert!(trig.matches(&json!({"event": "x"})));
        assert_eq!(t(&trig.to_string()), trig);
        let long_str = format!("event = \"{}\"", "a".repeat(200_000));
        assert!(t(&long_str).matches(&json!({"event": "a".repeat(200_000)})));
    }

    #[test]
    fn glob() {
        for (p, s, want) in [
            ("", "", true),
            ("", "a", false),
            ("*", "", true),
            ("*", "anything", true),
            ("a*", "abc", true),
            ("*c", "abc", true),
            ("a*c", "abbbc", true),
            ("a*c", "abbbd", false),
            ("?", "é", true),
            ("??", "é", false),
            ("*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaa", false),
            ("\\*", "*", true),
            ("\\*", "x", false),
            ("a\\?", "a?", true),
            ("a\\", "a\\", true),
            ("**x", "x", true),
        ] {
            assert_eq!(glob_match(p, s), want, "{p:?} vs {s:?}");
        }
    }

    // ---- property tests ----

    fn arb_key() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-zA-Z0-9_-]{1,8}",
            prop::collection::vec(any::<char>(), 1..6).prop_map(|v| v.into_iter().collect()),
        ]
    }

    fn arb_field() -> impl Strategy<Value = Field> {
        (0..Root::ALL.len(), prop::collection::vec(arb_key(), 1..4)).prop_map(|(i, keys)| {
            let root = Root::ALL[i];
            Field { root, keys: if root.needs_keys() { keys } else { Vec::new() } }
        })
    }

    fn arb_num() -> impl Strategy<Value = f64> {
        prop_oneof![
            (-1000i32..1000).prop_map(f64::from),
            any::<f64>().prop_filter("finite", |n| n.is_finite()),
        ]
    }

    fn arb_leaf() -> impl Strategy<Value = Node> {
        let ops = [CmpOp::Eq, CmpOp::Ne, CmpOp::Lt, CmpOp::Le, CmpOp::Gt, CmpOp::Ge];
        let lit = prop_oneof![
            any::<String>().prop_map(Literal::Str),
            arb_num().prop_map(Literal::Num),
            any::<bool>().prop_map(Literal::Bool),
            Just(Literal::Null),
        ];
        prop_oneof![
            (arb_field(), 0..ops.len(), lit, arb_num()).prop_map(move |(field, i, lit, n)| {
                let op = ops[i];
                let lit = if op.is_ordering() { Literal::Num(n) } else { lit };
                Node::Cmp { field, op, lit }
            }),
            (any::<bool>(), any::<bool>(), arb_field(), any::<String>()).prop_map(
                |(negated, is_match, field, arg)| Node::Func {
                    negated,
                    func: if is_match { Func::Match } else { Func::Contains },
                    field,
                    arg,
                }
            ),
        ]
    }

    fn arb_node() -> impl Strategy<Value = Node> {
        arb_leaf().prop_recursive(4, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 2..4).prop_map(Node::Or),
                prop::collection::vec(inner, 2..4).prop_map(Node::And),
            ]
        })
    }

    fn arb_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            arb_num().prop_map(Value::from),
            prop_oneof!["[a-zA-Z ]{0,6}", any::<String>()].prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 32, 5, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::vec(
                    (
                        prop_oneof![
                            Just("type".to_owned()),
                            Just("event".to_owned()),
                            Just("properties".to_owned()),
                            Just("traits".to_owned()),
                            Just("context".to_owned()),
                            "[a-z0-9]{1,3}",
                        ],
                        inner
                    ),
                    0..5
                )
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn parse_never_panics(src in any::<String>()) {
            let _ = Trigger::parse(&src);
        }

        #[test]
        fn parse_never_panics_on_fql_like_text(src in "[a-zA-Z0-9 ().,!=<>\"'\\\\_{}*?-]{0,60}") {
            if let Ok(trig) = Trigger::parse(&src) {
                prop_assert_eq!(Trigger::parse(&trig.to_string()), Ok(trig));
            }
        }

        #[test]
        fn ast_round_trips(root in arb_node()) {
            let trig = Trigger { root, mixed: false };
            let text = trig.to_string();
            prop_assert_eq!(Trigger::parse(&text), Ok(trig.clone()), "text: {}", text);
        }

        #[test]
        fn matches_never_panics(root in arb_node(), event in arb_json()) {
            let trig = Trigger { root, mixed: false };
            let _ = trig.matches(&event);
        }

        #[test]
        fn error_columns_are_in_range(src in any::<String>()) {
            if let Err(e) = Trigger::parse(&src) {
                prop_assert!(e.column >= 1 && e.column <= src.chars().count() + 1);
            }
        }
    }
}

#[cfg(test)]
mod segment_precedence {
    use super::*;

    #[test]
    fn mixed_and_or_without_parentheses_is_flagged() {
        let t = Trigger::parse(r#"type = "track" and event = "A" or event = "B""#).unwrap();
        assert!(t.segment_reads_differently());
        // The canonical text parenthesizes, so Segment reads it the same way.
        let canonical = Trigger::parse(&t.to_string()).unwrap();
        assert!(!canonical.segment_reads_differently());
        assert_eq!(canonical, t);
        for clear in [
            r#"type = "track" and event = "A""#,
            r#"type = "page" or type = "track""#,
            r#"(type = "track" and event = "A") or event = "B""#,
        ] {
            assert!(!Trigger::parse(clear).unwrap().segment_reads_differently(), "{clear}");
        }
    }
}
