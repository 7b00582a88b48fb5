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

mod eval;
mod lexer;
mod parser;
mod print;
#[cfg(test)]
mod tests;

use std::str::FromStr;

use serde_json::Value;

use eval::eval;
use lexer::{EXPECT_END, Lexer, TokenKind};
use parser::Parser;
use print::canonical_depth;

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

impl Trigger {
    /// Parses FQL trigger text.
    pub fn parse(src: &str) -> Result<Trigger, TriggerError> {
        let mut p = Parser { lex: Lexer::new(src), mixed: false };
        let root = p.parse_or(0)?;
        let tok = p.lex.next()?;
        if tok.kind != TokenKind::Eof {
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

    /// Recognises exactly the shape produced by [`Trigger::simple`].
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

impl FromStr for Trigger {
    type Err = TriggerError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Trigger::parse(s)
    }
}
