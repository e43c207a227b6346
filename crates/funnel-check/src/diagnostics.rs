//! Every diagnostic the checker reports, one constructor each, with its stable
//! code `funnel::check::<name>`. Messages are lowercase with no final period
//! and user input in backticks; labels point at the place; help says what to do.
//!
//! The corpus test `codes_are_covered` greps this file for codes, so every code
//! is written out literally here and nowhere else.

use funnel_syntax::{Diagnostic, Span};

use crate::suggest::help_or;
use crate::types::Ty;

fn list(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {}", init.join(", "), last),
    }
}

// ---- settings and declarations ----------------------------------------------------

pub fn missing_playbook(at: Span) -> Diagnostic {
    Diagnostic::warning(
        "funnel::check::missing_playbook",
        "the playbook has no name",
    )
    .label(at, "the playbook starts here")
    .help("add a line such as `playbook \"Acme inbound\"` at the top")
}

pub fn duplicate_setting(what: &str, span: Span, first: Span) -> Diagnostic {
    Diagnostic::error(
        "funnel::check::duplicate_setting",
        format!("`{what}` is declared more than once"),
    )
    .label(span, "declared again here")
    .label(first, "first declared here")
    .help(format!("keep one `{what}` and remove the others"))
}

pub fn invalid_timezone(name: &str, span: Span, suggestion: Option<&str>) -> Diagnostic {
    Diagnostic::error(
        "funnel::check::invalid_timezone",
        format!("unknown time zone `{name}`"),
    )
    .label(span, "not an IANA time zone")
    .help(help_or(
        suggestion,
        "use an IANA zone name such as `Europe/Warsaw`, `America/New_York` or `UTC`",
    ))
}

pub fn invalid_currency(code: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        "funnel::check::invalid_currency",
        format!("`{code}` is not a currency code"),
    )
    .label(span, "expected three capital letters")
    .help("use an ISO 4217 code such as `USD`, `EUR` or `PLN`")
}

pub fn duplicate_definition(kind: &str, name: &str, span: Span, first: Span) -> Diagnostic {
    Diagnostic::error(
        "funnel::check::duplicate_definition",
        format!("{kind} `{name}` is defined more than once"),
    )
    .label(span, "defined again here")
    .label(first, "first defined here")
    .help(format!(
        "rename or remove one of the two definitions of `{name}`"
    ))
}

pub fn name_clash(name: &str, span: Span, what: &str, first: Span, first_what: &str) -> Diagnostic {
    Diagnostic::error(
        "funnel::check::name_clash",
        format!("`{name}` is both a {first_what} and a {what}"),
    )
    .label(span, format!("{what} `{name}`"))
    .label(first, format!("{first_what} `{name}`"))
    .help(format!(
        "conditions would always read the {first_what}; rename the {what}"
    ))
}

pub fn unknown_type(name: &str, span: Span, suggestion: Option<&str>) -> Diagnostic {
    Diagnostic::error("funnel::check::unknown_type", format!("unknown type `{name}`"))
        .label(span, "not a type")
        .help(help_or(
            suggestion,
            "use `text`, `number`, `money`, `percent`, `duration`, `date`, `datetime`, `bool` or `one of a | b`",
        ))
}

// ---- unknown names ---------------------------------------------------------------

fn unknown(code: &'static str, kind: &str, name: &str, span: Span, help: String) -> Diagnostic {
    Diagnostic::error(code, format!("unknown {kind} `{name}`"))
        .label(span, format!("no {kind} has this name"))
        .help(help)
}

pub fn unknown_event(name: &str, span: Span, suggestion: Option<&str>) -> Diagnostic {
    unknown(
        "funnel::check::unknown_event",
        "event",
        name,
        span,
        help_or(suggestion, format!("declare it with `event {name}`")),
    )
}

pub fn unknown_field(
    name: &str,
    span: Span,
    suggestion: Option<&str>,
    fallback: String,
) -> Diagnostic {
    unknown(
        "funnel::check::unknown_field",
        "field",
        name,
        span,
        help_or(suggestion, fallback),
    )
}

pub fn field_not_on_event(field: &str, span: Span, event: &str, help: String) -> Diagnostic {
    Diagnostic::error(
        "funnel::check::field_not_on_event",
        format!("event `{event}` has no field `{field}`"),
    )
    .label(span, format!("not a field of `{event}`"))
    .help(help)
}

pub fn unknown_stage(name: &str, span: Span, suggestion: Option<&str>) -> Diagnostic {
    unknown(
        "funnel::check::unknown_stage",
        "stage",
        name,
        span,
        help_or(
            suggestion,
            "stages are the names listed in the `funnel` block",
        ),
    )
}

pub fn unknown_score(name: &str, span: Span, suggestion: Option<&str>) -> Diagnostic {
    unknown(
        "funnel::check::unknown_score",
        "score",
        name,
        span,
        help_or(
            suggestion,
            format!("declare it with `score {name} {{ ... }}`"),
        ),
    )
}

pub fn unknown_calendar(name: &str, span: Span, suggestion: Option<&str>) -> Diagnostic {
    unknown(
        "funnel::check::unknown_calendar",
        "calendar",
        name,
        span,
        help_or(
            suggestion,
            format!("declare it with `calendar {name} {{ ... }}`"),
        ),
    )
}

pub fn unknown_kpi(
    name: &str,
    span: Span,
    suggestion: Option<&str>,
    fallback: String,
) -> Diagnostic {
    Diagnostic::error(
        "funnel::check::unknown_kpi",
        format!("unknown kpi or input `{name}`"),
    )
    .label(span, "no kpi or input has this name")
    .help(help_or(suggestion, fallback))
}

pub fn unknown_input(name: &str, span: Span, suggestion: Option<&str>) -> Diagnostic {
    unknown(
        "funnel::check::unknown_input",
        "input",
        name,
        span,
        help_or(
            suggestion,
            format!("declare it with `input {name}: number`"),
        ),
    )
}

pub fn unknown_template(name: &str, span: Span, suggestion: Option<&str>) -> Diagnostic {
    Diagnostic::error(
        "funnel::check::unknown_template",
        format!("template `{name}` is never sent"),
    )
    .label(span, "no `send` step sends this template")
    .help(help_or(
        suggestion,
        format!("add `send \"{name}\"` to a nurture, or fix the template name"),
    ))
}

pub fn unknown_function(name: &str, span: Span, suggestion: Option<&str>) -> Diagnostic {
    unknown(
        "funnel::check::unknown_function",
        "function",
        name,
        span,
        help_or(
            suggestion,
            "kpi functions are `count`, `sum`, `avg`, `min`, `max`, `abs`, `round` and `prev`",
        ),
    )
}

pub fn unknown_enum_value(
    value: &str,
    span: Span,
    what: &str,
    values: &[String],
    suggestion: Option<&str>,
) -> Diagnostic {
    let vals: Vec<&str> = values.iter().map(String::as_str).collect();
    Diagnostic::error(
        "funnel::check::unknown_enum_value",
        format!("`{value}` is not one of the values of {what}"),
    )
    .label(span, "not in the enumeration")
    .help(help_or(
        suggestion,
        format!("the values are {}", list(&vals)),
    ))
}

pub fn unknown_by_key(
    name: &str,
    span: Span,
    suggestion: Option<&str>,
    fallback: String,
) -> Diagnostic {
    Diagnostic::error(
        "funnel::check::unknown_by_key",
        format!("cannot group by `{name}`"),
    )
    .label(span, "not a period or a field to group by")
    .help(help_or(suggestion, fallback))
}

pub fn unknown_sla(from: &str, to: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        "funnel::check::unknown_sla",
        format!("no sla `{from} -> {to}` is declared"),
    )
    .label(span, "breaches are only recorded for a declared sla")
    .help(format!(
        "add `sla {from} -> {to} within 2 days` to the `funnel` block, or count the breaches of a declared sla"
    ))
}

pub fn unknown_interpolation(name: &str, span: Span, suggestion: Option<&str>) -> Diagnostic {
    Diagnostic::error(
        "funnel::check::unknown_interpolation",
        format!("`{{{name}}}` does not name anything"),
    )
    .label(span, "not a lead field, a score, `id` or `stage`")
    .help(help_or(
        suggestion,
        "a message can show lead fields, scores, `{id}` and `{stage}`",
    ))
}

pub fn invalid_interpolation(span: Span) -> Diagnostic {
    Diagnostic::error(
        "funnel::check::invalid_interpolation",
        "unclosed or empty `{` in the message",
    )
    .label(span, "expected a name and `}`")
    .help("write `{email}` to show a field; every `{` needs a name and a closing `}`")
}

pub fn missing_email_event(word: &str, event: &str, span: Span, problem: &str) -> Diagnostic {
    Diagnostic::error(
        "funnel::check::missing_email_event",
        format!("`{word}` needs event `{event}` with a `template: text` field"),
    )
    .label(span, problem.to_string())
    .help(format!("declare `event {event} {{ template: text }}`"))
}

// ---- types -----------------------------------------------------------------------

pub fn type_mismatch(message: String, span: Span, label: String, help: String) -> Diagnostic {
    Diagnostic::error("funnel::check::type_mismatch", message)
        .label(span, label)
        .help(help)
}

pub fn misplaced_expression(what: &str, span: Span, help: String) -> Diagnostic {
    Diagnostic::error(
        "funnel::check::misplaced_expression",
        format!("{what} cannot be used here"),
    )
    .label(span, "not allowed here")
    .help(help)
}

pub fn invalid_argument(function: &str, span: Span, help: String) -> Diagnostic {
    Diagnostic::error(
        "funnel::check::invalid_argument",
        format!("`{function}` cannot take this argument"),
    )
    .label(span, "invalid argument")
    .help(help)
}

pub fn prev_without_period(span: Span, label: String, help: String) -> Diagnostic {
    Diagnostic::error(
        "funnel::check::prev_without_period",
        "`prev` needs kpis grouped by the same period",
    )
    .label(span, label)
    .help(help)
}

pub fn expected_literal(span: Span) -> Diagnostic {
    Diagnostic::error("funnel::check::expected_literal", "expected a plain value")
        .label(span, "not a literal value")
        .help("write a value such as `42`, `$1,000`, `25%`, `3 days` or `\"text\"`")
}

pub fn division_by_zero(span: Span) -> Diagnostic {
    Diagnostic::error("funnel::check::division_by_zero", "division by zero")
        .label(span, "this is zero")
        .help("divide by a value that is not zero")
}

// ---- literals and patterns -----------------------------------------------------------

pub fn invalid_cron(expr: &str, span: Span, reason: &str) -> Diagnostic {
    Diagnostic::error(
        "funnel::check::invalid_cron",
        format!("invalid cron expression `{expr}`"),
    )
    .label(span, "not a valid cron expression")
    .help(format!(
        "the cron parser says: {reason}; write `MIN HOUR DAY-OF-MONTH MONTH DAY-OF-WEEK`, e.g. `0 10 * * TUE`"
    ))
}

pub fn duplicate_target(kpi: &str, span: Span, first: Span) -> Diagnostic {
    Diagnostic::error(
        "funnel::check::duplicate_target",
        format!("kpi `{kpi}` has more than one target"),
    )
    .label(span, "second target")
    .label(first, "first target here")
    .help("a kpi has one target; keep the one you mean, or declare a second kpi with the same formula for another bar")
}

pub fn target_type(kpi: &str, want: &Ty, found: &Ty, span: Span) -> Diagnostic {
    let help = match (want, found) {
        (Ty::Percent, Ty::Number) => "write a percentage such as `25%`".to_string(),
        (Ty::Number, Ty::Money) => format!("`{kpi}` is a plain number; drop the currency sign"),
        (Ty::Number, Ty::Percent) => format!("`{kpi}` is a plain number; drop the `%`"),
        _ => format!("give a value of type {want}"),
    };
    Diagnostic::error(
        "funnel::check::type_mismatch",
        format!("expected {want} for kpi `{kpi}`, found {found}"),
    )
    .label(span, format!("this is {found}"))
    .help(help)
}

pub fn when_rule_undoes_itself(score: &str, rule: Span, cond: Span) -> Diagnostic {
    Diagnostic::error(
        "funnel::check::when_rule_undoes_itself",
        format!("this `when` rule undoes its own condition on `{score}`"),
    )
    .label(cond, "its points make this false, which takes them back, which makes it true again")
    .label(rule, "the rule")
    .help(format!("a `when` rule holds its points while its condition holds; compare `{score}` the other way, use another score, or award the points `on` an event"))
}

pub fn when_rules_undo_each_other(scores: &[&str], rules: &[(Span, String)]) -> Diagnostic {
    let mut d = Diagnostic::warning(
        "funnel::check::when_rules_undo_each_other",
        format!(
            "these `when` rules of scores {} can undo each other",
            list(scores)
        ),
    );
    for (span, label) in rules {
        d = d.label(*span, label.clone());
    }
    d.help("each rule's points switch the next one on or off until the first is switched back; if the points are large enough, a lead never settles and the run stops with an error. Make one of the rules depend on something the others do not change")
}

/// A condition (or a term of it) that no lead can ever satisfy: `why` on
/// the condition, then what rules it out (a cap, a stage), and what to do.
pub fn never_holds(
    span: Span,
    why: String,
    cause: Option<(Span, String)>,
    help: &str,
) -> Diagnostic {
    let d = Diagnostic::warning(
        "funnel::check::never_holds",
        "this condition can never hold".to_string(),
    )
    .label(span, why);
    match cause {
        Some((at, label)) => d.label(at, label),
        None => d,
    }
    .help(help)
}

pub fn cron_never_fires(expr: &str, span: Span) -> Diagnostic {
    Diagnostic::warning(
        "funnel::check::cron_never_fires",
        format!("cron expression `{expr}` never fires"),
    )
    .label(span, "no date matches this schedule")
    .help("an enrollment that reaches this wait stays there for good; check the day of month against the month (February has no 30th or 31st)")
}

pub fn invalid_regex(span: Span, reason: &str) -> Diagnostic {
    Diagnostic::error("funnel::check::invalid_regex", "invalid regular expression")
        .label(span, "this pattern does not compile")
        .help(format!("the regex parser says: {reason}"))
}

pub fn invalid_date(span: Span, text: &str) -> Diagnostic {
    Diagnostic::error(
        "funnel::check::invalid_date",
        format!("`{text}` is not a date"),
    )
    .label(span, "no such day in the calendar")
    .help("write a real date as YYYY-MM-DD, e.g. `2026-02-28`")
}

pub fn invalid_time(span: Span, text: &str) -> Diagnostic {
    Diagnostic::error(
        "funnel::check::invalid_time",
        format!("`{text}` is not a time of day"),
    )
    .label(span, "out of range")
    .help("hours run 00..23 and minutes and seconds 00..59 (`24:00` only closes a calendar day)")
}

pub fn invalid_day(name: &str, span: Span, suggestion: Option<&str>) -> Diagnostic {
    Diagnostic::error(
        "funnel::check::invalid_day",
        format!("`{name}` is not a day of the week"),
    )
    .label(span, "not a day")
    .help(help_or(
        suggestion,
        "use `mon`, `tue`, `wed`, `thu`, `fri`, `sat` or `sun`",
    ))
}

pub fn invalid_hours(span: Span, open: &str, close: &str) -> Diagnostic {
    Diagnostic::error(
        "funnel::check::invalid_hours",
        format!("opening time `{open}` is not before closing time `{close}`"),
    )
    .label(span, "the calendar would never be open")
    .help("write the opening time first, e.g. `hours 09:00..17:30`")
}

pub fn incomplete_calendar(name: &str, span: Span, missing: &str, example: &str) -> Diagnostic {
    Diagnostic::error(
        "funnel::check::incomplete_calendar",
        format!("calendar `{name}` has no `{missing}`"),
    )
    .label(span, format!("`{missing}` missing"))
    .help(format!("add a line such as `{example}`"))
}

// ---- stages --------------------------------------------------------------------

pub fn no_stages(span: Span) -> Diagnostic {
    Diagnostic::error(
        "funnel::check::no_stages",
        "the playbook has no funnel stages",
    )
    .label(span, "no stages declared")
    .help("add a `funnel { ... }` block listing the stages in order, e.g. `Lead on any event`")
}

pub fn unreachable_stage(name: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        "funnel::check::unreachable_stage",
        format!("stage `{name}` can never be entered"),
    )
    .label(span, "no trigger and no score threshold")
    .help(format!(
        "give it a trigger (`{name} on EVENT` or `{name} when CONDITION`) or a threshold `{name} at N` in a score"
    ))
}

pub fn lost_stage_misuse(name: &str, span: Span, decl: Span, how: &str) -> Diagnostic {
    Diagnostic::error(
        "funnel::check::lost_stage_misuse",
        format!("lost stage `{name}` cannot be used {how}"),
    )
    .label(span, "a lost stage is an exit, not a step forward")
    .label(decl, "declared `lost` here")
    .help("lost stages are outside the forward order; use `entered`, `==` or `!=` with them")
}

pub fn backwards_stages(from: &str, to: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        "funnel::check::backwards_stages",
        format!("stage `{to}` does not come after `{from}` in the funnel"),
    )
    .label(span, "this goes backwards")
    .help(format!(
        "swap them: `{to} -> {from}`, or pick a later stage than `{from}`"
    ))
}

// ---- scores ----------------------------------------------------------------------

pub fn threshold_above_cap(
    stage: &str,
    at: &str,
    span: Span,
    cap: &str,
    cap_span: Span,
) -> Diagnostic {
    Diagnostic::error(
        "funnel::check::threshold_above_cap",
        format!("`{stage} at {at}` can never be met"),
    )
    .label(span, "above the cap")
    .label(cap_span, format!("the score never exceeds {cap}"))
    .help(format!(
        "lower the threshold to at most {cap}, or raise the cap"
    ))
}

pub fn threshold_always_met(
    stage: &str,
    at: &str,
    span: Span,
    floor: &str,
    floor_span: Span,
) -> Diagnostic {
    Diagnostic::warning(
        "funnel::check::threshold_always_met",
        format!("`{stage} at {at}` is always met"),
    )
    .label(span, "at or below the floor")
    .label(floor_span, format!("the score never falls below {floor}"))
    .help("every lead would enter the stage at once; raise the threshold above the floor")
}

pub fn floor_above_cap(floor_span: Span, cap_span: Span) -> Diagnostic {
    Diagnostic::error(
        "funnel::check::floor_above_cap",
        "the floor is not below the cap",
    )
    .label(floor_span, "floor")
    .label(cap_span, "cap")
    .help("make the floor lower than the cap")
}

pub fn invalid_percent(span: Span, what: &str, help: &str) -> Diagnostic {
    Diagnostic::error(
        "funnel::check::invalid_percent",
        format!("{what} is out of range"),
    )
    .label(span, "out of range")
    .help(help.to_string())
}

pub fn split_total(total: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        "funnel::check::split_total",
        format!("split percentages add up to {total}%"),
    )
    .label(span, "more than 100%")
    .help("make the arms add up to at most 100%; `else` takes what is left")
}

pub fn invalid_limit(span: Span, what: &str, must: &str) -> Diagnostic {
    Diagnostic::error(
        "funnel::check::invalid_limit",
        format!("{what} must be {must}"),
    )
    .label(span, "nothing could ever pass this limit")
    .help("use a limit of at least 1, or remove the limit")
}

pub fn zero_duration(span: Span, what: &str) -> Diagnostic {
    Diagnostic::error(
        "funnel::check::zero_duration",
        format!("{what} cannot be zero"),
    )
    .label(span, "zero length")
    .help("use a duration longer than zero, or remove it")
}

/// A duration above zero that the engine's whole seconds make zero.
pub fn sub_second_duration(span: Span, what: &str) -> Diagnostic {
    Diagnostic::error(
        "funnel::check::zero_duration",
        format!("{what} rounds to zero"),
    )
    .label(span, "shorter than half a second")
    .help("the engine counts whole seconds: use a duration of at least a second")
}

pub fn conflicting_modifiers(span: Span, first: Span) -> Diagnostic {
    Diagnostic::error(
        "funnel::check::conflicting_modifiers",
        "conflicting limits on one rule",
    )
    .label(span, "this limit")
    .label(first, "conflicts with this one")
    .help("use `once` (at most once ever) or `once per D` (once per window), and at most one `max N per D`")
}

pub fn modifier_on_when(span: Span) -> Diagnostic {
    Diagnostic::error(
        "funnel::check::modifier_on_when",
        "a `when` rule cannot have `once` or `max` limits",
    )
    .label(span, "limits count awards on events")
    .help("a `when` rule holds its points while the condition is true; remove the limit or use `on EVENT`")
}

// ---- KPIs ------------------------------------------------------------------------

pub fn kpi_cycle(names: &[&str], places: &[(Span, String)]) -> Diagnostic {
    let mut d = Diagnostic::error(
        "funnel::check::kpi_cycle",
        format!("kpis {} depend on each other", list(names)),
    )
    .help("break the cycle: one of these kpis must be computed without the others");
    if names.len() == 1 {
        d.message = format!("kpi `{}` depends on itself", names[0]);
        d.help = Some("compute it from counts, sums, inputs or other kpis".to_string());
    }
    for (span, text) in places {
        d = d.label(*span, text.clone());
    }
    d
}

pub fn number_out_of_range(what: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        "funnel::check::number_out_of_range",
        format!("the {what} is too large or too precise to compute with exactly"),
    )
    .label(span, "out of range")
    .help("amounts and percentages are exact decimals: at most 79,228,162,514,264,337,593,543,950,335, with at most 28 digits after the point")
}

pub fn business_without_calendar(span: Span) -> Diagnostic {
    Diagnostic::error(
        "funnel::check::business_without_calendar",
        "business time needs a calendar",
    )
    .label(span, "counts only open hours")
    .help("declare a calendar, e.g. `calendar office { days mon..fri  hours 09:00..17:00 }`, or drop `business`")
}

// ---- nurtures and tests ------------------------------------------------------------

pub fn missing_enroll(name: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        "funnel::check::missing_enroll",
        format!("nurture `{name}` has no `enroll` rule"),
    )
    .label(span, "no lead can ever enter this nurture")
    .help("add `enroll on EVENT` or `enroll when CONDITION`")
}

pub fn redundant_reenroll(span: Span) -> Diagnostic {
    Diagnostic::warning(
        "funnel::check::redundant_reenroll",
        "`reenroll never` is already the default",
    )
    .label(span, "has no effect")
    .help("remove the line; a lead enrolls once unless `reenroll after D` or `reenroll always` says otherwise")
}

pub fn empty_nurture(name: &str, span: Span) -> Diagnostic {
    Diagnostic::warning(
        "funnel::check::empty_nurture",
        format!("nurture `{name}` has no steps"),
    )
    .label(span, "enrolled leads do nothing")
    .help("add steps such as `send \"template\"` and `wait 2 days`")
}

pub fn missing_field(what: &str, names: &[&str], span: Span) -> Diagnostic {
    let plural = if names.len() == 1 { "field" } else { "fields" };
    Diagnostic::error(
        "funnel::check::missing_field",
        format!("{what} is missing required {plural} {}", list(names)),
    )
    .label(span, format!("no {}", list(names)))
    .help("give every field that is not declared optional (`?`) a value")
}

pub fn empty_test(name: &str, span: Span) -> Diagnostic {
    Diagnostic::warning(
        "funnel::check::empty_test",
        format!("test `{name}` expects nothing"),
    )
    .label(span, "no `expect` line")
    .help("add an expectation such as `expect stage == MQL`")
}

// ---- unused declarations -----------------------------------------------------------

pub fn unused_event(name: &str, span: Span) -> Diagnostic {
    Diagnostic::warning(
        "funnel::check::unused_event",
        format!("event `{name}` is never used"),
    )
    .label(span, "declared here")
    .help("use it in a trigger, a wait or a kpi, or remove the declaration")
}

pub fn unused_score(name: &str, span: Span) -> Diagnostic {
    Diagnostic::warning(
        "funnel::check::unused_score",
        format!("score `{name}` is never used"),
    )
    .label(span, "declared here")
    .help("use it in a threshold (`MQL at 50`), a condition, a message or a test, or remove it")
}

pub fn unused_calendar(name: &str, span: Span) -> Diagnostic {
    Diagnostic::warning(
        "funnel::check::unused_calendar",
        format!("calendar `{name}` is never used"),
    )
    .label(span, "declared here")
    .help("use it with `send within`, or remove it (business durations use the first calendar)")
}

pub fn unused_input(name: &str, span: Span) -> Diagnostic {
    Diagnostic::warning(
        "funnel::check::unused_input",
        format!("input `{name}` is never used"),
    )
    .label(span, "declared here")
    .help("use it in a kpi formula, or remove it")
}
