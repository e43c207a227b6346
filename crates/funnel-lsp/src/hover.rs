//! Hover: for a declared name (or a use of one), its declaration line, what
//! it is and its type, and its one-line doc (the comment on its line or on
//! the line above); for a keyword, the reference's explanation of the
//! construct (`docs.rs`).

use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind};

use crate::docs;
use crate::document::Doc;
use crate::index::{Index, Kind, Symbol};
use crate::tokens::Tok;

pub fn hover(doc: &Doc, offset: usize) -> Option<Hover> {
    let a = doc.analysis();
    let (value, span) = match a.index.at(offset) {
        Some((sym, span)) => (describe(doc, &a.index, sym), span),
        None => {
            let (i, tok) = a.tokens.iter().enumerate().find(|(_, t)| {
                t.kind == Tok::Word
                    && t.span.start as usize <= offset
                    && offset <= t.span.end as usize
            })?;
            let word = tok.text(&doc.text);
            let next = a
                .tokens
                .get(i + 1)
                .filter(|t| t.kind != Tok::Newline)
                .map(|t| (t.kind, t.text(&doc.text)));
            let key = match (word, next) {
                ("at", Some((Tok::Number, n))) if n.contains('-') => "test at".to_string(),
                _ => docs::construct(word, next.map(|(_, t)| t)),
            };
            (docs::explain(&key)?, tok.span)
        }
    };
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value,
        }),
        range: Some(doc.range(span)),
    })
}

/// The hover text of a symbol.
pub fn describe(doc: &Doc, ix: &Index, id: usize) -> String {
    let s = &ix.symbols[id];
    let line = declaration_line(&doc.text, s);
    let mut out = format!("```funnel\n{line}\n```\n\n{}", what(doc, ix, s));
    if let Some(d) = doc_comment(&doc.text, s.decl.start as usize) {
        out.push_str("\n\n");
        out.push_str(&d);
    }
    out
}

/// What a symbol is, with its type: "lead field `industry`: `one of …`".
fn what(doc: &Doc, ix: &Index, s: &Symbol) -> String {
    let ty = s.ty.as_deref().unwrap_or("");
    match s.kind {
        Kind::Stage if s.lost => {
            format!("lost stage `{}`: an exit, outside the funnel order", s.name)
        }
        Kind::Stage => {
            let forward: Vec<&Symbol> = ix
                .of_kind(Kind::Stage)
                .map(|(_, s)| s)
                .filter(|s| !s.lost)
                .collect();
            let n = forward
                .iter()
                .position(|f| f.name == s.name)
                .map_or(0, |i| i + 1);
            format!(
                "stage `{}`: {n} of {} in the funnel order",
                s.name,
                forward.len()
            )
        }
        Kind::Score => format!("score `{}`: a number per lead", s.name),
        Kind::Event => {
            let n = ix
                .children(ix.find(Kind::Event, &s.name).unwrap_or(usize::MAX))
                .count();
            let fields = match n {
                0 => "no fields".to_string(),
                1 => "1 field".to_string(),
                n => format!("{n} fields"),
            };
            format!("event `{}`: {fields}", s.name)
        }
        Kind::EventField => {
            let owner = s
                .owner
                .and_then(|o| ix.symbols.get(o))
                .map_or("", |o| o.name.as_str());
            format!("field `{}` of event `{owner}`: `{ty}`", s.name)
        }
        Kind::LeadField => format!("lead field `{}`: `{ty}`", s.name),
        Kind::EnumValue => {
            let owner = s.owner.and_then(|o| ix.symbols.get(o));
            let (name, ty) = owner.map_or(("", ""), |o| {
                (o.name.as_str(), o.ty.as_deref().unwrap_or(""))
            });
            format!("value `{}` of `{name}`: `{ty}`", s.name)
        }
        Kind::Template => format!("template `\"{}\"`, sent by a nurture", s.name),
        Kind::Input => format!("input `{}`: `{ty}`", s.name),
        Kind::Kpi => match doc.program().and_then(|p| p.kpi(&s.name)) {
            Some(k) => format!("kpi `{}`: `{}`", s.name, k.ty),
            None => format!("kpi `{}`", s.name),
        },
        Kind::Calendar => format!("calendar `{}`", s.name),
        Kind::Nurture => format!("nurture `{}`", s.name),
        Kind::Test => format!("test `\"{}\"`", s.name),
    }
}

/// The first line of the declaration, comment removed and trimmed.
fn declaration_line(text: &str, s: &Symbol) -> String {
    let decl = text.get(s.decl.range()).unwrap_or("");
    strip_comment(decl.lines().next().unwrap_or(""))
        .trim()
        .to_string()
}

/// A line without its `#` comment (a `#` inside a string stays).
pub fn strip_comment(line: &str) -> &str {
    comment_start(line).map_or(line, |i| &line[..i])
}

fn comment_start(line: &str) -> Option<usize> {
    let mut in_str = false;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_str => escaped = true,
            '"' => in_str = !in_str,
            '#' if !in_str => return Some(i),
            _ => {}
        }
    }
    None
}

/// The comment on the declaration's line, else the comment line just above it.
fn doc_comment(text: &str, decl_start: usize) -> Option<String> {
    let start = decl_start.min(text.len());
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let line = &text[line_start..line_end];
    if let Some(i) = comment_start(line) {
        let c = line[i..].trim_start_matches('#').trim();
        if !c.is_empty() {
            return Some(c.to_string());
        }
    }
    if line_start == 0 {
        return None;
    }
    let above_end = line_start - 1;
    let above_start = text[..above_end].rfind('\n').map_or(0, |i| i + 1);
    let above = text[above_start..above_end].trim();
    let c = above.strip_prefix('#')?.trim();
    (!c.is_empty() && !c.starts_with("----")).then(|| c.to_string())
}
