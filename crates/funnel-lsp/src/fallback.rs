//! The name index of a text that does not parse even after recovery, from the
//! token scan: declarations are found line by line (Funnel is line-oriented:
//! `event NAME`, the stage lines of `funnel { }`, the fields of `lead { }`, …)
//! and every other word or template string that matches a declared name is
//! taken as a use of it. Less exact than `walk.rs` (no scoping), but it lets
//! completion, hover and navigation answer in a badly broken file.

use funnel_syntax::Span;

use crate::index::{Index, Kind, Symbol};
use crate::tokens::{Tok, Token};

/// The block a line is in.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Block {
    Top,
    Lead,
    Event(usize),
    Funnel,
    Score,
    Nurture,
    Other,
}

pub fn index(text: &str, tokens: &[Token]) -> Index {
    let mut ix = Index::default();
    let mut stack: Vec<Block> = vec![Block::Top];
    let mut defs: Vec<Span> = Vec::new();
    for line in tokens.split(|t| t.kind == Tok::Newline) {
        let code: Vec<&Token> = line.iter().filter(|t| t.kind != Tok::Comment).collect();
        let Some(first) = code.first() else { continue };
        let word = |i: usize| -> Option<(&str, Span)> {
            code.get(i)
                .filter(|t| t.kind == Tok::Word)
                .map(|t| (t.text(text), t.span))
        };
        let block = stack.last().copied().unwrap_or(Block::Top);
        let line_span = first.span.to(code.last().map_or(first.span, |t| t.span));
        let mut opened = Block::Other;
        match block {
            Block::Top => match word(0).map(|(w, _)| w) {
                Some("lead") => opened = Block::Lead,
                Some("funnel") => opened = Block::Funnel,
                Some(kw @ ("event" | "score" | "nurture" | "calendar" | "input" | "kpi")) => {
                    if let Some((name, span)) = word(1) {
                        let kind = match kw {
                            "event" => Kind::Event,
                            "score" => Kind::Score,
                            "nurture" => Kind::Nurture,
                            "calendar" => Kind::Calendar,
                            "input" => Kind::Input,
                            _ => Kind::Kpi,
                        };
                        let id = ix.add(symbol(kind, name, span, line_span));
                        defs.push(span);
                        opened = match kind {
                            Kind::Event => Block::Event(id),
                            Kind::Score => Block::Score,
                            Kind::Nurture => Block::Nurture,
                            _ => Block::Other,
                        };
                        if kind == Kind::Event {
                            if let Some(b) = code.iter().position(|t| t.text(text) == "{") {
                                fields(text, &code[b + 1..], Some(id), &mut ix, &mut defs);
                            }
                        }
                        if kind == Kind::Input {
                            let ty = code.iter().skip(2).position(|t| t.text(text) == "=");
                            let end = ty.map_or(code.len(), |p| p + 2);
                            let ty: Vec<&str> = code[2.min(end)..end]
                                .iter()
                                .map(|t| t.text(text))
                                .filter(|w| *w != ":")
                                .collect();
                            ix.symbols[id].ty = Some(ty.join(" "));
                        }
                    }
                }
                Some("test") => {
                    if let Some(t) = code.get(1).filter(|t| t.kind == Tok::Str) {
                        let span = unquote(t.span, t.text(text));
                        let name = text.get(span.range()).unwrap_or("");
                        ix.add(symbol(Kind::Test, name, span, line_span));
                        defs.push(span);
                    }
                }
                _ => {}
            },
            Block::Lead => fields(text, &code, None, &mut ix, &mut defs),
            Block::Event(id) => fields(text, &code, Some(id), &mut ix, &mut defs),
            Block::Funnel => {
                let at = usize::from(word(0).is_some_and(|(w, _)| w == "lost"));
                if let Some((name, span)) = word(at).filter(|(w, _)| *w != "sla") {
                    let mut s = symbol(Kind::Stage, name, span, line_span);
                    s.lost = at == 1;
                    ix.add(s);
                    defs.push(span);
                }
            }
            Block::Nurture => {
                if let (Some(("send", _)), Some(t)) = (word(0), code.get(1)) {
                    if t.kind == Tok::Str {
                        let span = unquote(t.span, t.text(text));
                        let name = text.get(span.range()).unwrap_or("");
                        if ix.find(Kind::Template, name).is_none() {
                            ix.add(symbol(Kind::Template, name, span, line_span));
                            defs.push(span);
                        }
                    }
                }
            }
            Block::Score | Block::Other => {}
        }
        for t in &code {
            match t.text(text) {
                "{" => stack.push(if stack.len() == 1 { opened } else { block }),
                "}" if stack.len() > 1 => {
                    stack.pop();
                }
                _ => {}
            }
        }
    }
    uses(text, tokens, &defs, &mut ix);
    ix.finish();
    ix
}

fn symbol(kind: Kind, name: &str, def: Span, decl: Span) -> Symbol {
    Symbol {
        kind,
        name: name.to_string(),
        def,
        decl,
        owner: None,
        ty: None,
        lost: false,
    }
}

fn unquote(span: Span, s: &str) -> Span {
    let end = if s.len() >= 2 && s.ends_with('"') {
        span.end - 1
    } else {
        span.end
    };
    Span {
        start: (span.start + 1).min(end),
        end,
    }
}

/// `name [:] type, name type?` on one line, up to a `}`.
fn fields(text: &str, code: &[&Token], owner: Option<usize>, ix: &mut Index, defs: &mut Vec<Span>) {
    let kind = if owner.is_some() {
        Kind::EventField
    } else {
        Kind::LeadField
    };
    let end = code
        .iter()
        .position(|t| t.text(text) == "}")
        .unwrap_or(code.len());
    for part in code[..end].split(|t| t.text(text) == ",") {
        let Some(name) = part.first().filter(|t| t.kind == Tok::Word) else {
            continue;
        };
        let rest: Vec<&str> = part[1..]
            .iter()
            .map(|t| t.text(text))
            .filter(|w| *w != ":")
            .collect();
        let decl = name.span.to(part.last().map_or(name.span, |t| t.span));
        let mut s = symbol(kind, name.text(text), name.span, decl);
        s.owner = owner;
        s.ty = Some(rest.join(" ").replace(" ?", "?"));
        let id = ix.add(s);
        defs.push(name.span);
        if rest.first() == Some(&"one") && rest.get(1) == Some(&"of") {
            let values = part[1..]
                .iter()
                .filter(|t| t.kind == Tok::Word)
                .skip_while(|t| matches!(t.text(text), "one" | "of"));
            for v in values.take_while(|t| t.text(text) != "?") {
                let mut e = symbol(Kind::EnumValue, v.text(text), v.span, decl);
                e.owner = Some(id);
                ix.add(e);
                defs.push(v.span);
            }
        }
    }
}

/// Words and template strings that name a declared symbol.
fn uses(text: &str, tokens: &[Token], defs: &[Span], ix: &mut Index) {
    const ORDER: [Kind; 10] = [
        Kind::Stage,
        Kind::Event,
        Kind::Score,
        Kind::LeadField,
        Kind::Kpi,
        Kind::Input,
        Kind::Calendar,
        Kind::Nurture,
        Kind::EventField,
        Kind::EnumValue,
    ];
    let mut prev_word = "";
    for t in tokens {
        match t.kind {
            Tok::Word if !defs.contains(&t.span) => {
                let w = t.text(text);
                if let Some(s) = ORDER.iter().find_map(|&k| ix.find(k, w)) {
                    ix.reference(t.span, s);
                }
                prev_word = w;
            }
            Tok::Str if matches!(prev_word, "send" | "clicked" | "opened" | "sent") => {
                let span = unquote(t.span, t.text(text));
                if !defs.contains(&span) {
                    let name = text.get(span.range()).unwrap_or("");
                    if let Some(s) = ix.find(Kind::Template, name) {
                        ix.reference(span, s);
                    }
                }
                prev_word = "";
            }
            Tok::Word => prev_word = t.text(text),
            _ => prev_word = "",
        }
    }
}
