//! Check a scenario's names against the playbook it will drive: lead
//! fields, events, event fields, stages and enumeration values must exist.

use funnel_check::{Field, Program, Ty};

use crate::scenario::{locate, After, Draw, Scenario, ScenarioError};

/// Every problem found, in file order of the keys checked.
pub fn validate(s: &Scenario, text: &str, program: &Program) -> Vec<ScenarioError> {
    let mut errs = Vec::new();
    let stage_names: Vec<&str> = program.hir.stages.iter().map(|s| s.name.as_str()).collect();
    let event_names: Vec<&str> = program.hir.events.iter().map(|e| e.name.as_str()).collect();

    if !s.arrivals.sources.is_empty() {
        match program.lead_field(&s.arrivals.source_field) {
            None => errs.push(locate(
                text,
                "arrivals.sources",
                format!(
                    "sources are written to the lead field `{}`, which the playbook does not declare; declare it or set `source_field`",
                    s.arrivals.source_field
                ),
            )),
            Some(f) => {
                for v in s.arrivals.sources.keys() {
                    if let Some(msg) = enum_problem(f, v) {
                        errs.push(locate(text, &format!("arrivals.sources.{v}"), msg));
                    }
                }
            }
        }
    }
    for (name, d) in &s.attributes {
        let key = format!("attributes.{name}");
        match program.lead_field(name) {
            None => errs.push(locate(
                text,
                &key,
                format!(
                    "the playbook's lead has no field `{name}`; known fields: {}",
                    list(program.hir.lead_fields.iter().map(|f| f.name.as_str()))
                ),
            )),
            Some(f) => draw_problems(f, d, text, &key, &mut errs),
        }
    }
    for f in &program.hir.lead_fields {
        let sourced = !s.arrivals.sources.is_empty() && f.name == s.arrivals.source_field;
        if !f.ty.optional && !sourced && !s.attributes.contains_key(&f.name) {
            errs.push(locate(
                text,
                "attributes",
                format!(
                    "the lead field `{}` is required (no `?`) but the scenario does not draw it; add `attributes.{}`",
                    f.name, f.name
                ),
            ));
        }
    }
    for (name, d) in &s.attributes {
        if d.from_trigger {
            errs.push(locate(
                text,
                &format!("attributes.{name}"),
                "`from_trigger` copies a value from what triggered an event; a lead attribute has no trigger".to_string(),
            ));
        }
    }
    for (i, b) in s.behaviour.iter().enumerate() {
        let key = format!("behaviour[{i}]");
        let event = program.event(&b.event);
        if event.is_none() {
            errs.push(locate(
                text,
                &format!("{key}.event"),
                format!(
                    "unknown event `{}`; the playbook declares {}",
                    b.event,
                    list(event_names.iter().copied())
                ),
            ));
        }
        match &b.after {
            After::Event(e) if !event_names.contains(&e.as_str()) => errs.push(locate(
                text,
                &format!("{key}.after"),
                format!("unknown event `{e}` in `after`"),
            )),
            After::Stage(st) if !stage_names.contains(&st.as_str()) => errs.push(locate(
                text,
                &format!("{key}.after"),
                format!(
                    "unknown stage `{st}` in `after`; stages: {}",
                    list(stage_names.iter().copied())
                ),
            )),
            _ => {}
        }
        for st in &b.only_in {
            if !stage_names.contains(&st.as_str()) {
                errs.push(locate(
                    text,
                    &format!("{key}.only_in"),
                    format!(
                        "unknown stage `{st}`; stages: {}",
                        list(stage_names.iter().copied())
                    ),
                ));
            }
        }
        if let Some(ev) = event {
            for (fname, d) in &b.fields {
                let fkey = format!("{key}.fields.{fname}");
                match ev.fields.iter().find(|f| &f.name == fname) {
                    None => errs.push(locate(
                        text,
                        &fkey,
                        format!("event `{}` has no field `{fname}`", ev.name),
                    )),
                    Some(f) => {
                        draw_problems(f, d, text, &fkey, &mut errs);
                        event_draw_problems(f, d, text, &fkey, &mut errs);
                    }
                }
            }
            for f in &ev.fields {
                if !f.ty.optional && !b.fields.contains_key(&f.name) {
                    errs.push(locate(
                        text,
                        &format!("{key}.event"),
                        format!(
                            "event `{}` needs its field `{}`; add it under `fields`",
                            ev.name, f.name
                        ),
                    ));
                }
            }
        }
    }
    errs.sort_by_key(|e| (e.line, e.column));
    for e in &mut errs {
        e.code = "funnel::scenario::playbook_mismatch";
    }
    errs
}

fn draw_problems(f: &Field, d: &Draw, text: &str, key: &str, errs: &mut Vec<ScenarioError>) {
    if let Some(w) = &d.weights {
        for v in w.keys() {
            if let Some(msg) = enum_problem(f, v) {
                errs.push(locate(text, &format!("{key}.weights.{v}"), msg));
            }
        }
    }
    if let Some(c) = &d.constant {
        if let Some(msg) = enum_problem(f, c) {
            errs.push(locate(text, &format!("{key}.constant"), msg));
        }
        if matches!(f.ty.ty, Ty::Number | Ty::Money)
            && c.trim()
                .trim_start_matches('$')
                .replace(',', "")
                .parse::<f64>()
                .is_err()
        {
            errs.push(locate(
                text,
                &format!("{key}.constant"),
                format!("`{c}` is not a number, and `{}` is {}", f.name, f.ty.ty),
            ));
        }
    }
    let numeric = matches!(f.ty.ty, Ty::Number | Ty::Money | Ty::Percent | Ty::Duration);
    if (d.normal.is_some() || d.uniform.is_some()) && !numeric {
        errs.push(locate(
            text,
            key,
            format!(
                "`{}` is {}, so it cannot be drawn from a numeric distribution; use `weights`",
                f.name, f.ty.ty
            ),
        ));
    }
    if d.missing.is_some() && !f.ty.optional {
        errs.push(locate(
            text,
            key,
            format!(
                "`{}` is not optional (no `?`), so it cannot be missing",
                f.name
            ),
        ));
    }
    if d.from_trigger && f.ty.ty != Ty::Text {
        errs.push(locate(
            text,
            key,
            format!(
                "`from_trigger` copies a template name, so `{}` must be text",
                f.name
            ),
        ));
    }
}

/// Text and enumeration values of events are interned before a run, so they
/// must come from a finite set: `weights` without `{n}`, `constant`, or
/// `from_trigger`.
fn event_draw_problems(f: &Field, d: &Draw, text: &str, key: &str, errs: &mut Vec<ScenarioError>) {
    if !matches!(f.ty.ty, Ty::Text | Ty::Enum(_)) {
        return;
    }
    let templated = d.template.is_some()
        || d.weights
            .as_ref()
            .is_some_and(|w| w.keys().any(|k| k.contains("{n}")));
    if templated {
        errs.push(locate(
            text,
            key,
            format!(
                "`{}` is an event's text field: draw it from `weights` (without `{{n}}`), `constant` or `from_trigger`",
                f.name
            ),
        ));
    }
}

fn enum_problem(f: &Field, v: &str) -> Option<String> {
    match &f.ty.ty {
        Ty::Enum(vals) if !vals.iter().any(|x| x == v) => Some(format!(
            "`{v}` is not a value of `{}`; expected one of {}",
            f.name,
            list(vals.iter().map(String::as_str))
        )),
        _ => None,
    }
}

fn list<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let v: Vec<String> = names.map(|n| format!("`{n}`")).collect();
    if v.is_empty() {
        "nothing".to_string()
    } else {
        v.join(", ")
    }
}
