//! The document outline: the funnel with its stages and SLAs, scores with
//! their rules, nurtures with their steps (branches nested), events with
//! their fields, KPIs, targets and tests. From the AST (recovered when the
//! text has a syntax error), else a flat list from the token-scan index.

use lsp_types::{DocumentSymbol, DocumentSymbolResponse, SymbolKind};

use funnel_syntax::ast::*;
use funnel_syntax::Span;

use crate::document::Doc;
use crate::hover::strip_comment;
use crate::index::Kind;

pub fn document_symbols(doc: &Doc) -> DocumentSymbolResponse {
    let a = doc.analysis();
    let list = match &a.ast {
        Some(book) => book.decls.iter().filter_map(|d| decl(doc, d)).collect(),
        None => a
            .index
            .symbols
            .iter()
            .filter(|s| {
                !matches!(
                    s.kind,
                    Kind::EventField | Kind::LeadField | Kind::EnumValue | Kind::Template
                )
            })
            .map(|s| node(doc, &s.name, kind_of(s.kind), s.decl, s.def, Vec::new()))
            .collect(),
    };
    DocumentSymbolResponse::Nested(list)
}

fn kind_of(k: Kind) -> SymbolKind {
    match k {
        Kind::Stage => SymbolKind::CLASS,
        Kind::Score => SymbolKind::VARIABLE,
        Kind::Event => SymbolKind::EVENT,
        Kind::EventField | Kind::LeadField => SymbolKind::FIELD,
        Kind::EnumValue => SymbolKind::ENUM_MEMBER,
        Kind::Template => SymbolKind::STRING,
        Kind::Input => SymbolKind::CONSTANT,
        Kind::Kpi => SymbolKind::FUNCTION,
        Kind::Calendar | Kind::Nurture => SymbolKind::MODULE,
        Kind::Test => SymbolKind::METHOD,
    }
}

#[allow(deprecated)]
fn node(
    doc: &Doc,
    name: &str,
    kind: SymbolKind,
    full: Span,
    sel: Span,
    children: Vec<DocumentSymbol>,
) -> DocumentSymbol {
    let sel = if sel.start >= full.start && sel.end <= full.end {
        sel
    } else {
        full
    };
    DocumentSymbol {
        name: if name.is_empty() {
            "(unnamed)".to_string()
        } else {
            name.to_string()
        },
        detail: None,
        kind,
        tags: None,
        deprecated: None,
        range: doc.range(full),
        selection_range: doc.range(sel),
        children: (!children.is_empty()).then_some(children),
    }
}

/// The first line of a span's text, comment removed, spaces collapsed.
fn line(doc: &Doc, span: Span) -> String {
    let t = doc.slice(span);
    let first = strip_comment(t.lines().next().unwrap_or(""));
    first
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .trim_end_matches(" {")
        .to_string()
}

fn leaf(doc: &Doc, span: Span, kind: SymbolKind) -> DocumentSymbol {
    node(doc, &line(doc, span), kind, span, span, Vec::new())
}

fn fields(doc: &Doc, list: &[FieldDecl]) -> Vec<DocumentSymbol> {
    list.iter()
        .map(|f| {
            node(
                doc,
                &f.name.name,
                SymbolKind::FIELD,
                f.span,
                f.name.span,
                Vec::new(),
            )
        })
        .collect()
}

fn decl(doc: &Doc, d: &Decl) -> Option<DocumentSymbol> {
    Some(match d {
        Decl::Playbook(..) | Decl::Timezone(..) | Decl::Currency(..) => return None,
        Decl::Calendar(c) => node(
            doc,
            &c.name.name,
            SymbolKind::MODULE,
            c.span,
            c.name.span,
            Vec::new(),
        ),
        Decl::Lead(l) => node(
            doc,
            "lead",
            SymbolKind::STRUCT,
            l.span,
            l.span,
            fields(doc, &l.fields),
        ),
        Decl::Event(e) => node(
            doc,
            &e.name.name,
            SymbolKind::EVENT,
            e.span,
            e.name.span,
            fields(doc, &e.fields),
        ),
        Decl::Funnel(f) => {
            let children = f
                .items
                .iter()
                .map(|i| match i {
                    FunnelItem::Stage(s) => node(
                        doc,
                        &s.name.name,
                        SymbolKind::CLASS,
                        s.span,
                        s.name.span,
                        Vec::new(),
                    ),
                    FunnelItem::Sla(s) => leaf(doc, s.span, SymbolKind::OPERATOR),
                })
                .collect();
            node(doc, "funnel", SymbolKind::PACKAGE, f.span, f.span, children)
        }
        Decl::Score(s) => {
            let children = s
                .items
                .iter()
                .map(|i| {
                    let span = match i {
                        ScoreItem::Rule(r) => r.span,
                        ScoreItem::Decay(d) => d.span,
                        ScoreItem::Floor(_, sp)
                        | ScoreItem::Cap(_, sp)
                        | ScoreItem::Threshold(_, _, sp) => *sp,
                    };
                    leaf(doc, span, SymbolKind::METHOD)
                })
                .collect();
            node(
                doc,
                &s.name.name,
                SymbolKind::VARIABLE,
                s.span,
                s.name.span,
                children,
            )
        }
        Decl::Nurture(n) => {
            let children = n
                .items
                .iter()
                .map(|i| match i {
                    NurtureItem::Enroll(_, sp)
                    | NurtureItem::Reenroll(_, sp)
                    | NurtureItem::Exit(_, sp)
                    | NurtureItem::SendWithin(_, sp) => leaf(doc, *sp, SymbolKind::PROPERTY),
                    NurtureItem::Step(s) => step(doc, s),
                })
                .collect();
            node(
                doc,
                &n.name.name,
                SymbolKind::MODULE,
                n.span,
                n.name.span,
                children,
            )
        }
        Decl::Limit(l) => leaf(doc, l.span, SymbolKind::CONSTANT),
        Decl::Input(i) => node(
            doc,
            &i.name.name,
            SymbolKind::CONSTANT,
            i.span,
            i.name.span,
            Vec::new(),
        ),
        Decl::Kpi(k) => node(
            doc,
            &k.name.name,
            SymbolKind::FUNCTION,
            k.span,
            k.name.span,
            Vec::new(),
        ),
        Decl::Target(t) => leaf(doc, t.span, SymbolKind::BOOLEAN),
        Decl::Test(t) => node(
            doc,
            &format!("test \"{}\"", t.name.value),
            SymbolKind::METHOD,
            t.span,
            t.name.span,
            Vec::new(),
        ),
    })
}

fn step(doc: &Doc, s: &Step) -> DocumentSymbol {
    let mut children = Vec::new();
    let mut block = |steps: &Vec<Step>| children.extend(steps.iter().map(|s| step(doc, s)));
    match &s.kind {
        StepKind::WaitFor { otherwise, .. } => otherwise.iter().for_each(&mut block),
        StepKind::If {
            then, otherwise, ..
        } => {
            block(then);
            otherwise.iter().for_each(&mut block);
        }
        StepKind::Split { arms, otherwise } => {
            arms.iter().for_each(|a| block(&a.steps));
            otherwise.iter().for_each(&mut block);
        }
        _ => {}
    }
    node(
        doc,
        &line(doc, s.span),
        SymbolKind::FUNCTION,
        s.span,
        s.span,
        children,
    )
}
