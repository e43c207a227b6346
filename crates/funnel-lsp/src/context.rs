//! Where the cursor is, for completion: the block it is in (found by a brace
//! scan from the top, so it works on text that does not parse) and what the
//! tokens before it on its line ask for next.

use crate::tokens::{Tok, Token};

/// The block holding the cursor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    Top,
    Lead,
    /// Inside a multi-line `event NAME { … }`.
    EventDecl,
    Funnel,
    Score,
    Nurture,
    Calendar,
    Test,
    /// A test's `lead { … }` record.
    LeadRecord,
    /// A test's `at … EVENT { … }` record, with the event's name.
    EventRecord(String),
    Other,
}

/// What may come next at the cursor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Want {
    /// The start of a line in a block: the block's keywords.
    LineStart(Block),
    Events,
    Stages,
    /// The fields of an event, after `EVENT.`.
    EventFields(String),
    /// Names in a condition: the fields of these events first, then lead
    /// fields and scores.
    Condition(Vec<String>),
    /// The values of the enumeration `field` (looked up in these events
    /// first, then the lead).
    EnumValues {
        field: String,
        events: Vec<String>,
    },
    /// Templates; `quoted` when the cursor is already inside the quotes.
    Templates {
        quoted: bool,
    },
    Calendars,
    Scores,
    Kpis,
    Inputs,
    LeadFields,
    /// A KPI formula operand: KPIs, inputs and the aggregate functions.
    Formula,
    /// Inside `count(`: events and `entered`/`reached`/`breached`.
    CountArg,
    /// Inside `sum(`, `avg(`, `min(`, `max(`: events and `days(`.
    AggregateArg,
    /// `by` keys: periods and lead fields.
    ByKeys,
    /// After `expect`: the kinds of expectation.
    Expectation,
    /// After a field's name in `lead { }` or `event … { }`: types.
    Types,
    /// After `+N on EVENT`: `where`, `once`, `max`.
    Modifiers,
    Nothing,
}

const CMP: [&str; 6] = ["==", "!=", ">=", "<=", ">", "<"];
const COND_START: [&str; 6] = ["where", "when", "if", "and", "or", "not"];

/// The block holding byte `line_start` (the start of the cursor's line).
pub fn block_at(text: &str, tokens: &[Token], line_start: usize) -> Block {
    let mut stack: Vec<Block> = Vec::new();
    let mut line: Vec<&Token> = Vec::new();
    for t in tokens
        .iter()
        .take_while(|t| (t.span.start as usize) < line_start)
    {
        match t.kind {
            Tok::Newline => line.clear(),
            Tok::Comment => {}
            _ if t.text(text) == "{" => {
                let first = line
                    .iter()
                    .find(|t| t.kind == Tok::Word)
                    .map(|t| t.text(text));
                let before = line
                    .iter()
                    .rev()
                    .find(|t| t.kind == Tok::Word)
                    .map(|t| t.text(text));
                let kind = match stack.last() {
                    None => match first {
                        Some("lead") => Block::Lead,
                        Some("event") => Block::EventDecl,
                        Some("funnel") => Block::Funnel,
                        Some("score") => Block::Score,
                        Some("nurture") => Block::Nurture,
                        Some("calendar") => Block::Calendar,
                        Some("test") => Block::Test,
                        _ => Block::Other,
                    },
                    Some(Block::Test) => match (first, before) {
                        (Some("lead"), _) => Block::LeadRecord,
                        (Some("at"), Some(ev)) => Block::EventRecord(ev.to_string()),
                        _ => Block::Other,
                    },
                    Some(b) => b.clone(),
                };
                stack.push(kind);
                line.push(t);
            }
            _ if t.text(text) == "}" => {
                stack.pop();
                line.push(t);
            }
            _ => line.push(t),
        }
    }
    stack.pop().unwrap_or(Block::Top)
}

/// What the line's tokens before the cursor (the word being typed left out)
/// ask for; `in_string` when the cursor is inside an open string.
pub fn want(text: &str, block: &Block, before: &[Token], in_string: bool) -> Want {
    let toks: Vec<&str> = before
        .iter()
        .filter(|t| t.kind != Tok::Comment)
        .map(|t| t.text(text))
        .collect();
    let n = toks.len();
    let last = toks.last().copied().unwrap_or("");
    let prev = if n >= 2 { toks[n - 2] } else { "" };
    let first = toks.first().copied().unwrap_or("");
    if in_string {
        return match last {
            "send" | "clicked" | "opened" | "sent" => Want::Templates { quoted: true },
            _ => Want::Nothing,
        };
    }
    if n == 0 {
        return Want::LineStart(block.clone());
    }
    // A record opened on this line: `lead { … ` or `at … EVENT { … `.
    let opened = toks.iter().rposition(|t| *t == "{");
    let record = match (block, opened) {
        (Block::Test, Some(o)) if !toks[o..].contains(&"}") => match first {
            "lead" => Some(Block::LeadRecord),
            "at" if o >= 1 => Some(Block::EventRecord(toks[o - 1].to_string())),
            _ => None,
        },
        _ => None,
    };
    let block = record.as_ref().unwrap_or(block);
    if last == "." && is_word(prev) {
        return Want::EventFields(prev.to_string());
    }
    match block {
        Block::LeadRecord | Block::EventRecord(_) => {
            return match (last, prev) {
                (":", field) if is_word(field) => Want::EnumValues {
                    field: field.to_string(),
                    events: record_event(block),
                },
                ("{" | ",", _) => record_fields(block),
                _ => Want::Nothing,
            };
        }
        Block::Lead | Block::EventDecl if n == 1 || (n == 2 && last == ":") => return Want::Types,
        Block::Top if first == "event" && toks.contains(&"{") && matches!(last, "{" | ",") => {
            return Want::Nothing;
        }
        Block::Top
            if first == "event"
                && toks.contains(&"{")
                && is_word(last)
                && matches!(prev, "{" | ",") =>
        {
            return Want::Types;
        }
        Block::Top if first == "event" && toks.contains(&"{") && last == ":" => return Want::Types,
        _ => {}
    }
    // Stage names.
    if CMP.contains(&last) && prev == "stage" {
        return Want::Stages;
    }
    if matches!(last, "entered" | "reached" | "breached" | "sla")
        || (last == "->"
            && (first == "sla" || toks.contains(&"breached") || toks.contains(&"days")))
        || (last == "(" && prev == "days")
    {
        return Want::Stages;
    }
    // Templates before the opening quote.
    if matches!(last, "clicked" | "opened" | "sent" | "send") {
        return Want::Templates { quoted: false };
    }
    if last == "within" && prev == "send" {
        return Want::Calendars;
    }
    // Events.
    if last == "on" || (last == "for" && toks.contains(&"up")) {
        return Want::Events;
    }
    if last == "," && event_list_open(&toks) {
        return Want::Events;
    }
    if first == "at"
        && *block == Block::Test
        && n >= 2
        && before.iter().skip(1).all(|t| t.kind == Tok::Number)
    {
        return Want::Events;
    }
    // Test lines.
    if *block == Block::Test {
        if last == "expect" || (first == "expect" && n == 3 && prev == "at") {
            return Want::Expectation;
        }
        if first == "expect" || toks.get(3) == Some(&"expect") {
            match (last, prev) {
                ("score", _) => return Want::Scores,
                ("kpi", _) => return Want::Kpis,
                ("field", _) => return Want::LeadFields,
                (op, field) if CMP.contains(&op) && toks.contains(&"field") => {
                    return Want::EnumValues {
                        field: field.to_string(),
                        events: Vec::new(),
                    };
                }
                _ => {}
            }
        }
        if last == "input" {
            return Want::Inputs;
        }
    }
    if last == "target" {
        return Want::Kpis;
    }
    if last == "set" {
        return Want::LeadFields;
    }
    if last == "=" && first == "set" && n == 3 {
        return Want::EnumValues {
            field: prev.to_string(),
            events: Vec::new(),
        };
    }
    // KPI formulas.
    if first == "kpi" && toks.contains(&"=") {
        if last == "by" || (last == "," && toks.contains(&"by")) {
            return Want::ByKeys;
        }
        if last == "(" && prev == "count" {
            return Want::CountArg;
        }
        if last == "(" && matches!(prev, "sum" | "avg" | "min" | "max") {
            return Want::AggregateArg;
        }
        if matches!(last, "=" | "+" | "-" | "*" | "/" | "(") {
            return Want::Formula;
        }
        return Want::Nothing;
    }
    // Enumeration values.
    let events = condition_events(&toks);
    if matches!(last, "==" | "!=") && is_word(prev) {
        return Want::EnumValues {
            field: prev.to_string(),
            events,
        };
    }
    if matches!(last, "(" | ",") {
        if let Some(i) = toks.iter().rposition(|t| *t == "in") {
            if i >= 1 && toks.get(i + 1) == Some(&"(") && !toks[i..].contains(&")") {
                return Want::EnumValues {
                    field: toks[i - 1].to_string(),
                    events,
                };
            }
        }
    }
    // Conditions.
    if COND_START.contains(&last) || (last == "(" && toks.iter().any(|t| COND_START.contains(t))) {
        return Want::Condition(events);
    }
    // `+10 on pricing_view ` wants a modifier.
    if *block == Block::Score && (first == "+" || first == "-") && is_word(last) && prev == "on" {
        return Want::Modifiers;
    }
    Want::Nothing
}

fn is_word(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
}

fn record_event(block: &Block) -> Vec<String> {
    match block {
        Block::EventRecord(e) => vec![e.clone()],
        _ => Vec::new(),
    }
}

fn record_fields(block: &Block) -> Want {
    match block {
        Block::EventRecord(e) => Want::EventFields(e.clone()),
        _ => Want::LeadFields,
    }
}

/// True when the line is in the middle of `on a, b,` (an event list).
fn event_list_open(toks: &[&str]) -> bool {
    let Some(on) = toks.iter().rposition(|t| *t == "on") else {
        return false;
    };
    toks[on + 1..]
        .iter()
        .enumerate()
        .all(|(i, t)| if i % 2 == 0 { is_word(t) } else { *t == "," })
}

/// The events whose fields a condition on this line sees: the list after
/// `on` (or `for` in `wait up to … for E`) when a `where` follows it.
pub fn condition_events(toks: &[&str]) -> Vec<String> {
    let Some(w) = toks.iter().position(|t| *t == "where") else {
        return Vec::new();
    };
    let Some(on) = toks[..w].iter().rposition(|t| *t == "on" || *t == "for") else {
        return Vec::new();
    };
    toks[on + 1..w]
        .iter()
        .filter(|t| is_word(t) && **t != "any" && **t != "event")
        .map(|t| t.to_string())
        .collect()
}
