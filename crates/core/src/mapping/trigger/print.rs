//! The canonical text: nested groups are always parenthesised, which is also how Segment's own
//! generator writes them.

use std::fmt;

use super::lexer::is_key_char;
use super::{Field, Literal, Node, Trigger};

impl fmt::Display for Trigger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_node(&self.root, f, false)
    }
}

/// How deep [`write_node`] nests parentheses: every group below the top one gets a pair.
pub(super) fn canonical_depth(node: &Node) -> usize {
    pub(super) fn groups(node: &Node) -> usize {
        match node {
            Node::Or(children) | Node::And(children) => 1 + children.iter().map(groups).max().unwrap_or(0),
            Node::Cmp { .. } | Node::Func { .. } => 0,
        }
    }
    groups(node).saturating_sub(1)
}

pub(super) fn write_node(node: &Node, f: &mut fmt::Formatter<'_>, nested: bool) -> fmt::Result {
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

pub(super) fn write_string(s: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
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
