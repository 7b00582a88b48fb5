//! The recursive-descent parser (grammar in the module docs).

use super::lexer::*;
use super::{Field, Func, Literal, MAX_DEPTH, Node, Root, TriggerError};

pub(super) struct Parser {
    pub(super) lex: Lexer,
    /// Set when one level mixes `and` and `or` without parentheses.
    pub(super) mixed: bool,
}

impl Parser {
    pub(super) fn parse_or(&mut self, depth: usize) -> Result<Node, TriggerError> {
        let (first, mut any_and) = self.parse_and(depth)?;
        let mut children = vec![first];
        while self.lex.peek()?.kind == TokenKind::Or {
            self.lex.next()?;
            let (next, joined) = self.parse_and(depth)?;
            any_and |= joined;
            children.push(next);
        }
        self.mixed |= any_and && children.len() > 1;
        Ok(group(children, Node::Or))
    }

    /// An `and` chain; the flag says whether it joined two or more conditions.
    pub(super) fn parse_and(&mut self, depth: usize) -> Result<(Node, bool), TriggerError> {
        let mut children = vec![self.parse_primary(depth)?];
        while self.lex.peek()?.kind == TokenKind::And {
            self.lex.next()?;
            children.push(self.parse_primary(depth)?);
        }
        let joined = children.len() > 1;
        Ok((group(children, Node::And), joined))
    }

    pub(super) fn parse_primary(&mut self, depth: usize) -> Result<Node, TriggerError> {
        let tok = self.lex.next()?;
        match &tok.kind {
            TokenKind::LParen => {
                if depth >= MAX_DEPTH {
                    return Err(tok.error(&format!("at most {MAX_DEPTH} nested parentheses")));
                }
                let inner = self.parse_or(depth + 1)?;
                let close = self.lex.next()?;
                if close.kind != TokenKind::RParen {
                    return Err(close.error(EXPECT_CLOSE));
                }
                Ok(inner)
            }
            TokenKind::Bang => {
                let name = self.lex.next()?;
                match function_name(&name) {
                    Some(func) => self.parse_call(func, true),
                    None => Err(name.error("contains(...) or match(...) after \"!\"")),
                }
            }
            TokenKind::Ident { .. } => {
                if let Some(func) = function_name(&tok) {
                    return self.parse_call(func, false);
                }
                let field = match resolve_field(&tok) {
                    Ok(field) => field,
                    Err(err) => {
                        // An unknown name directly followed by "(" is a bad function.
                        let is_call = matches!(&tok.kind, TokenKind::Ident { keys, plain: true } if keys.len() == 1)
                            && self.lex.peek().is_ok_and(|t| t.kind == TokenKind::LParen);
                        return Err(if is_call { tok.error(EXPECT_FUNC) } else { err });
                    }
                };
                let op_tok = self.lex.next()?;
                let TokenKind::Op(op) = op_tok.kind else {
                    return Err(op_tok.error(EXPECT_OP));
                };
                let val = self.lex.next()?;
                let lit = match &val.kind {
                    TokenKind::Num(n) => Literal::Num(*n),
                    _ if op.is_ordering() => return Err(val.error(EXPECT_NUMBER)),
                    TokenKind::Str(s) => Literal::Str(s.clone()),
                    TokenKind::True => Literal::Bool(true),
                    TokenKind::False => Literal::Bool(false),
                    TokenKind::Null => Literal::Null,
                    _ => return Err(val.error(EXPECT_VALUE)),
                };
                Ok(Node::Cmp { field, op, lit })
            }
            _ => Err(tok.error(EXPECT_CONDITION)),
        }
    }

    /// After the function name: `( field , string )`.
    pub(super) fn parse_call(&mut self, func: Func, negated: bool) -> Result<Node, TriggerError> {
        let open = self.lex.next()?;
        if open.kind != TokenKind::LParen {
            return Err(open.error(&format!("\"(\" after {}", func.as_str())));
        }
        let field_tok = self.lex.next()?;
        let field = match field_tok.kind {
            TokenKind::Ident { .. } => resolve_field(&field_tok)?,
            _ => return Err(field_tok.error(EXPECT_FIELD)),
        };
        let comma = self.lex.next()?;
        if comma.kind != TokenKind::Comma {
            return Err(comma.error("\",\""));
        }
        let arg_tok = self.lex.next()?;
        let TokenKind::Str(arg) = arg_tok.kind else {
            return Err(arg_tok.error(EXPECT_STRING));
        };
        let close = self.lex.next()?;
        if close.kind != TokenKind::RParen {
            return Err(close.error(EXPECT_CLOSE));
        }
        Ok(Node::Func { negated, func, field, arg })
    }
}

pub(super) fn group(mut children: Vec<Node>, make: fn(Vec<Node>) -> Node) -> Node {
    if children.len() == 1 { children.pop().expect("one child") } else { make(children) }
}

pub(super) fn function_name(tok: &Tok) -> Option<Func> {
    match &tok.kind {
        TokenKind::Ident { keys, plain: true } if keys.len() == 1 => match keys[0].as_str() {
            "contains" => Some(Func::Contains),
            "match" => Some(Func::Match),
            _ => None,
        },
        _ => None,
    }
}

pub(super) fn resolve_field(tok: &Tok) -> Result<Field, TriggerError> {
    let TokenKind::Ident { keys, .. } = &tok.kind else {
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
