//! Completion in context: `context.rs` works out what may come at the
//! cursor; this module lists the candidates from the name index (keywords
//! where a construct may start, event names after `on`, stage names after
//! `stage >=` and in `sla A -> B`, fields in conditions, `EVENT.` fields,
//! enumeration values after `==`, templates after `clicked`, …).

use lsp_types::{CompletionItem, CompletionItemKind, CompletionResponse};

use crate::context::{self, Block, Want};
use crate::document::Doc;
use crate::index::{Index, Kind};
use crate::tokens::Tok;

pub fn complete(doc: &Doc, offset: usize) -> CompletionResponse {
    let text = &doc.text;
    let offset = offset.min(text.len());
    let a = doc.analysis();
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let mut before: Vec<_> = a
        .tokens
        .iter()
        .filter(|t| t.span.start as usize >= line_start && (t.span.start as usize) < offset)
        .copied()
        .collect();
    let mut in_string = false;
    if let Some(last) = before.last().copied() {
        let end = last.span.end as usize;
        let s = last.text(text);
        let closed = s.len() >= 2 && s.ends_with('"');
        if last.kind == Tok::Str && (offset < end || !closed) {
            in_string = true;
            before.pop();
        } else if last.kind == Tok::Word && end >= offset {
            before.pop();
        }
    }
    let block = context::block_at(text, &a.tokens, line_start);
    let want = context::want(text, &block, &before, in_string);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    CompletionResponse::Array(items(&a.index, &want, (line_start, line_end)))
}

/// The candidates for `want`; names declared on the cursor's own line (the
/// one being written) are left out.
fn items(ix: &Index, want: &Want, line: (usize, usize)) -> Vec<CompletionItem> {
    let mut out = Items {
        list: Vec::new(),
        line,
    };
    match want {
        Want::LineStart(block) => line_start(ix, block, &mut out),
        Want::Events => {
            out.symbols(ix, Kind::Event);
            out.keyword("any event");
        }
        Want::Stages => out.symbols(ix, Kind::Stage),
        Want::EventFields(e) => {
            if let Some(ev) = ix.find(Kind::Event, e) {
                out.children(ix, ev);
            }
        }
        Want::Condition(events) => {
            for e in events {
                if let Some(ev) = ix.find(Kind::Event, e) {
                    out.children(ix, ev);
                }
            }
            out.symbols(ix, Kind::LeadField);
            out.symbols(ix, Kind::Score);
            for k in ["stage", "clicked", "opened", "not"] {
                out.keyword(k);
            }
        }
        Want::EnumValues { field, events } => {
            let owner = events
                .iter()
                .filter_map(|e| ix.find(Kind::Event, e))
                .find_map(|ev| ix.field_of(ev, field))
                .or_else(|| ix.find(Kind::LeadField, field))
                .or_else(|| ix.find(Kind::Input, field));
            if let Some(o) = owner {
                out.children(ix, o);
            }
        }
        Want::Templates { quoted } => {
            for (_, s) in ix.of_kind(Kind::Template) {
                let insert = if *quoted {
                    s.name.clone()
                } else {
                    format!("\"{}\"", s.name)
                };
                out.push(&s.name, CompletionItemKind::VALUE, "template", Some(insert));
            }
        }
        Want::Calendars => out.symbols(ix, Kind::Calendar),
        Want::Scores => out.symbols(ix, Kind::Score),
        Want::Kpis => out.symbols(ix, Kind::Kpi),
        Want::Inputs => out.symbols(ix, Kind::Input),
        Want::LeadFields => out.symbols(ix, Kind::LeadField),
        Want::Formula => {
            out.symbols(ix, Kind::Kpi);
            out.symbols(ix, Kind::Input);
            for f in ["count", "sum", "avg", "min", "max"] {
                out.push(
                    f,
                    CompletionItemKind::FUNCTION,
                    "aggregate",
                    Some(format!("{f}(")),
                );
            }
            for f in ["abs", "round", "prev"] {
                out.push(
                    f,
                    CompletionItemKind::FUNCTION,
                    "function",
                    Some(format!("{f}(")),
                );
            }
        }
        Want::CountArg => {
            for k in ["entered", "reached", "breached", "in", "by"] {
                out.keyword(k);
            }
            out.symbols(ix, Kind::Event);
        }
        Want::AggregateArg => {
            for (_, s) in ix.of_kind(Kind::Event) {
                out.push(
                    &s.name,
                    CompletionItemKind::EVENT,
                    "event",
                    Some(format!("{}.", s.name)),
                );
            }
            out.push(
                "days",
                CompletionItemKind::FUNCTION,
                "days between stages",
                Some("days(".to_string()),
            );
        }
        Want::ByKeys => {
            for p in ["day", "week", "month", "quarter", "year"] {
                out.push(p, CompletionItemKind::CONSTANT, "period", None);
            }
            out.symbols(ix, Kind::LeadField);
        }
        Want::Expectation => {
            for k in ["stage", "score", "sent", "not sent", "field", "kpi", "at"] {
                out.keyword(k);
            }
        }
        Want::Types => {
            for t in [
                "text", "number", "money", "percent", "duration", "date", "datetime", "bool",
                "one of",
            ] {
                out.push(t, CompletionItemKind::TYPE_PARAMETER, "type", None);
            }
        }
        Want::Modifiers => {
            for k in ["where", "once", "once per", "max"] {
                out.keyword(k);
            }
        }
        Want::Nothing => {}
    }
    out.list
}

fn line_start(ix: &Index, block: &Block, out: &mut Items) {
    let words: &[&str] = match block {
        Block::Top => &[
            "playbook",
            "timezone",
            "currency",
            "calendar",
            "lead",
            "event",
            "funnel",
            "score",
            "nurture",
            "limit sends",
            "input",
            "kpi",
            "target",
            "test",
        ],
        Block::Funnel => &["lost", "sla"],
        Block::Score => &["decay", "floor", "cap"],
        Block::Nurture => &[
            "enroll on",
            "enroll when",
            "reenroll after",
            "reenroll always",
            "exit on",
            "exit when",
            "send within",
            "send",
            "wait",
            "wait up to",
            "wait until cron",
            "if",
            "split",
            "notify",
            "set",
        ],
        Block::Calendar => &["days", "hours", "holidays"],
        Block::Test => &["lead", "at", "input", "expect"],
        Block::LeadRecord => {
            out.symbols(ix, Kind::LeadField);
            return;
        }
        Block::EventRecord(e) => {
            if let Some(ev) = ix.find(Kind::Event, e) {
                out.children(ix, ev);
            }
            return;
        }
        Block::Lead | Block::EventDecl | Block::Other => &[],
    };
    for w in words {
        out.keyword(w);
    }
    if *block == Block::Score {
        // A threshold line: `MQL at 50`.
        out.symbols(ix, Kind::Stage);
    }
}

struct Items {
    list: Vec<CompletionItem>,
    /// The cursor's line, as a byte range.
    line: (usize, usize),
}

impl Items {
    fn push(
        &mut self,
        label: &str,
        kind: CompletionItemKind,
        detail: &str,
        insert: Option<String>,
    ) {
        if self.list.iter().any(|i| i.label == label) {
            return;
        }
        self.list.push(CompletionItem {
            label: label.to_string(),
            kind: Some(kind),
            detail: Some(detail.to_string()),
            insert_text: insert,
            sort_text: Some(format!("{:04}", self.list.len())),
            ..CompletionItem::default()
        });
    }

    fn keyword(&mut self, k: &str) {
        self.push(k, CompletionItemKind::KEYWORD, "keyword", None);
    }

    fn symbols(&mut self, ix: &Index, kind: Kind) {
        for (id, _) in ix.of_kind(kind) {
            self.symbol(ix, id);
        }
    }

    fn children(&mut self, ix: &Index, owner: usize) {
        let ids: Vec<usize> = ix.children(owner).map(|(i, _)| i).collect();
        for id in ids {
            self.symbol(ix, id);
        }
    }

    fn symbol(&mut self, ix: &Index, id: usize) {
        let s = &ix.symbols[id];
        let at = s.def.start as usize;
        if self.line.0 <= at && at <= self.line.1 {
            return;
        }
        let kind = match s.kind {
            Kind::Stage => CompletionItemKind::CLASS,
            Kind::Score => CompletionItemKind::VARIABLE,
            Kind::Event => CompletionItemKind::EVENT,
            Kind::EventField | Kind::LeadField => CompletionItemKind::FIELD,
            Kind::EnumValue => CompletionItemKind::ENUM_MEMBER,
            Kind::Template => CompletionItemKind::VALUE,
            Kind::Input => CompletionItemKind::CONSTANT,
            Kind::Kpi => CompletionItemKind::FUNCTION,
            Kind::Calendar | Kind::Nurture => CompletionItemKind::MODULE,
            Kind::Test => CompletionItemKind::TEXT,
        };
        let detail = match (&s.ty, s.kind) {
            (Some(t), _) => format!("{}: {t}", s.kind.word()),
            (None, Kind::Stage) if s.lost => "lost stage".to_string(),
            (None, k) => k.word().to_string(),
        };
        self.push(&s.name, kind, &detail, None);
    }
}
