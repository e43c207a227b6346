//! Semantic tokens: every word classified by what it names (stages, scores,
//! events, fields, enumeration values, KPIs, inputs, calendars, nurtures,
//! from the name index), keywords, types, strings, numbers, comments and
//! operators. Positions and lengths are in UTF-16 units.

use std::collections::HashMap;

use lsp_types::{
    SemanticToken, SemanticTokenModifier, SemanticTokenType, SemanticTokens, SemanticTokensLegend,
};

use crate::document::Doc;
use crate::index::Kind;
use crate::tokens::{Tok, DECL_WORDS, KEYWORDS};

/// Token types, in legend order.
const TYPES: [&str; 14] = [
    "keyword",
    "type",
    "class",
    "variable",
    "event",
    "property",
    "enumMember",
    "string",
    "number",
    "comment",
    "operator",
    "function",
    "parameter",
    "namespace",
];

const TYPE_NAMES: [&str; 8] = [
    "text", "number", "money", "percent", "duration", "date", "datetime", "bool",
];
const UNITS: [&str; 10] = [
    "minute", "minutes", "hour", "hours", "day", "days", "week", "weeks", "month", "months",
];
const OPERATORS: [&str; 13] = [
    "==", "!=", ">=", "<=", ">", "<", "->", "+", "-", "*", "/", "=", "..",
];

pub fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend {
        token_types: TYPES.iter().map(|t| SemanticTokenType::new(t)).collect(),
        token_modifiers: vec![SemanticTokenModifier::DECLARATION],
    }
}

fn type_index(name: &str) -> u32 {
    TYPES.iter().position(|t| *t == name).unwrap_or(0) as u32
}

fn kind_type(k: Kind) -> &'static str {
    match k {
        Kind::Stage => "class",
        Kind::Score => "variable",
        Kind::Event => "event",
        Kind::EventField | Kind::LeadField => "property",
        Kind::EnumValue => "enumMember",
        Kind::Template | Kind::Test => "string",
        Kind::Input => "parameter",
        Kind::Kpi => "function",
        Kind::Calendar | Kind::Nurture => "namespace",
    }
}

pub fn full(doc: &Doc) -> SemanticTokens {
    let text = &doc.text;
    let a = doc.analysis();
    let mut names: HashMap<u32, (Kind, bool, u32)> = HashMap::new();
    for s in &a.index.symbols {
        names.insert(s.def.start, (s.kind, true, s.def.end));
    }
    for r in &a.index.refs {
        names
            .entry(r.span.start)
            .or_insert((a.index.symbols[r.symbol].kind, false, r.span.end));
    }
    let mut data = Vec::new();
    let (mut prev_line, mut prev_col) = (0u32, 0u32);
    for t in &a.tokens {
        let word = t.text(text);
        let (ty, modifiers) = match t.kind {
            Tok::Newline => continue,
            Tok::Comment => ("comment", 0),
            Tok::Str => ("string", 0),
            Tok::Number => ("number", 0),
            Tok::Punct if OPERATORS.contains(&word) => ("operator", 0),
            Tok::Punct => continue,
            Tok::Word => match names.get(&t.span.start) {
                Some((k, decl, end)) if *end == t.span.end => (kind_type(*k), u32::from(*decl)),
                _ if KEYWORDS.contains(&word)
                    || DECL_WORDS.contains(&word)
                    || UNITS.contains(&word) =>
                {
                    ("keyword", 0)
                }
                _ if TYPE_NAMES.contains(&word) => ("type", 0),
                _ => continue,
            },
        };
        let start = doc.lines.position(text, t.span.start as usize);
        let end = doc.lines.position(text, t.span.end as usize);
        let length = if end.line == start.line {
            end.character - start.character
        } else {
            0
        };
        if length == 0 {
            continue;
        }
        let delta_line = start.line - prev_line;
        let delta_start = if delta_line == 0 {
            start.character - prev_col
        } else {
            start.character
        };
        data.push(SemanticToken {
            delta_line,
            delta_start,
            length,
            token_type: type_index(ty),
            token_modifiers_bitset: modifiers,
        });
        prev_line = start.line;
        prev_col = start.character;
    }
    SemanticTokens {
        result_id: None,
        data,
    }
}
