//! The pest parser for `grammar/funnel.pest` and syntax-error reporting.
//!
//! [`parse`] returns the AST or one `funnel::syntax::*` diagnostic. pest stops
//! at the first error, so a file with a syntax error yields exactly one
//! diagnostic; what was expected is said in the user's words ("a stage name",
//! "`{`"), never as grammar rule names.

use pest::Parser as _;

use crate::ast::Playbook;
use crate::diagnostic::Diagnostic;
use crate::grammar::{FunnelParser, Rule};
use crate::lower::{lower_file, Bug};
use crate::nesting;
use crate::span::Span;

/// Parse a whole playbook.
pub fn parse(text: &str) -> Result<Playbook, Diagnostic> {
    if let Some(at) = nesting::deep_brackets(text) {
        return Err(nesting::too_deep(at));
    }
    match FunnelParser::parse(Rule::file, text) {
        Ok(mut pairs) => {
            let Some(file) = pairs.next() else {
                return Err(internal(Bug("empty parse".into(), Span::default())));
            };
            if let Some(at) = nesting::deep_pair(&file) {
                return Err(nesting::too_deep(at));
            }
            lower_file(file).map_err(internal)
        }
        Err(err) if is_stack_limit(&err) => {
            let pos = match err.location {
                pest::error::InputLocation::Pos(p) => p,
                pest::error::InputLocation::Span((s, _)) => s,
            };
            Err(nesting::too_deep(Span::new(pos, pos)))
        }
        Err(err) => Err(syntax_error(text, err)),
    }
}

/// pest stopped before the stack ran out (a chain of thousands of steps).
fn is_stack_limit(err: &pest::error::Error<Rule>) -> bool {
    matches!(&err.variant, pest::error::ErrorVariant::CustomError { message } if message.contains("limit reached"))
}

fn internal(bug: Bug) -> Diagnostic {
    if bug.is_too_long() {
        return Diagnostic::error(
            "funnel::syntax::too_long",
            format!(
                "expression has more than {} operands in one chain",
                crate::nesting::MAX_CHAIN
            ),
        )
        .label(bug.1, "this expression")
        .help("split it into several `kpi` definitions and combine them");
    }
    Diagnostic::error(
        "funnel::syntax::internal",
        format!("internal error while reading the playbook: {}", bug.0),
    )
    .label(bug.1, "here")
    .help("this is a bug in Funnel; please report it with the playbook that caused it")
}

/// What a grammar rule means to a person writing a playbook.
fn describe(rule: Rule) -> Option<&'static str> {
    use Rule::*;
    Some(match rule {
        ident | word => "a name",
        lit_string => "a quoted string",
        lit_number | lit_signed => "a number",
        lit_points => "points such as `+10` or `-5`",
        lit_percent => "a percentage such as `50%`",
        lit_money => "an amount such as `$1,000`",
        lit_date => "a date such as `2026-03-02`",
        lit_datetime => "a date such as `2026-03-02 09:00`",
        lit_time => "a time such as `09:00`",
        lit_duration => "a duration such as `3 days`",
        unit => "a unit (`minutes`, `hours`, `days`, `weeks`, `months`)",
        window => "a duration such as `day` or `30 days`",
        expr | disjunction | conjunction | negation | comparison | additive | multiplicative
        | unary | paren | call | field_path => "an expression",
        cmp_op => "a comparison (`==`, `!=`, `>=`, `<=`, `>`, `<`)",
        add_op | mul_op => "an operator",
        type_expr | type_name | one_of => "a type such as `text` or `one of a | b`",
        on_trigger => "`on EVENT`",
        when_trigger | guard => "`when CONDITION`",
        where_clause => "`where CONDITION`",
        any_event => "`any event`",
        event_list => "an event name",
        field_decl => "a field such as `name: text`",
        stage_item => "a stage such as `MQL when engagement >= 50`",
        sla_item => "`sla A -> B within D`",
        points_item => "a scoring rule such as `+10 on whitepaper_download`",
        decay_item => "`decay 50% every 30 days inactive`",
        floor_item => "`floor N`",
        cap_item => "`cap N`",
        threshold_item => "a threshold such as `MQL at 50`",
        max_per | once_per | once => "a limit (`max N per D`, `once`, `once per D`)",
        enroll_item | reenroll_item | exit_item | send_within_item => "a nurture setting",
        send_step | wait_step | wait_cron_step | wait_for_step | if_step | split_step
        | notify_step | set_step => {
            "a nurture step (`send`, `wait`, `if`, `split`, `notify`, `set`)"
        }
        else_block => "`else`",
        split_arm => "a split arm such as `50% { ... }`",
        block => "`{`",
        days_item | hours_item | holidays_item => "`days`, `hours` or `holidays`",
        day_span => "a day such as `mon` or `mon..fri`",
        record | record_field => "a field such as `name: value`",
        test_lead | test_event | test_input | test_expect => {
            "a test line (`lead {...}`, `at DATE EVENT`, `expect ...`)"
        }
        expect_stage | expect_score | expect_sent | expect_not_sent | expect_kpi | expect_field => {
            "an expectation (`stage`, `score`, `sent`, `not sent`, `kpi`, `field`)"
        }
        by_clause => "`by`",
        period_edge => "`start` or `end`",
        arg_in => "`in STAGE at period start`",
        arg_groups => "`by KEY where CONDITION`",
        playbook_decl | timezone_decl | currency_decl | calendar_decl | lead_decl | event_decl
        | funnel_decl | score_decl | nurture_decl | limit_decl | input_decl | kpi_decl
        | target_decl | test_decl => {
            "a declaration (`playbook`, `lead`, `event`, `funnel`, `score`, `nurture`, `kpi`, ...)"
        }
        EOI => "the end of the file",
        _ => return None,
    })
}

/// Literal tokens worth naming, in the user's words; whitespace and the like
/// are not. pest shows tokens by their text (`on`, `0..9` for a range).
fn describe_token(token: &str) -> Option<String> {
    match token {
        "0..9" | "1..9" => Some("a number".to_string()),
        "a..z" | "A..Z" | "_" => Some("a name".to_string()),
        "\n" | "\r\n" => Some("the end of the line".to_string()),
        "" | " " | "\t" | "\r" | "#" | "\\" | "BUILTIN_RULE" => None,
        "\"" => Some("a quoted string".to_string()),
        "$" => Some("an amount such as `$1,000`".to_string()),
        "}" => Some("`}` (end of block)".to_string()),
        t if t.chars().all(|c| c.is_ascii_digit()) => Some("a number".to_string()),
        t => Some(format!("`{t}`")),
    }
}

/// Collapse the many starts of an expression into one phrase.
fn tidy_expected(mut expected: Vec<String>) -> Vec<String> {
    let has = |e: &Vec<String>, s: &str| e.iter().any(|x| x == s);
    if has(&expected, "a number") && has(&expected, "a name") && has(&expected, "`(`") {
        let expression_starts = [
            "a number",
            "a name",
            "`(`",
            "`-`",
            "`clicked`",
            "`opened`",
            "`stage`",
            "an amount such as `$1,000`",
            "a quoted string",
            "`true`",
            "`false`",
        ];
        expected.retain(|x| !expression_starts.contains(&x.as_str()));
        expected.push("an expression".to_string());
    }
    expected.sort();
    expected.dedup();
    expected
}

fn syntax_error(text: &str, err: pest::error::Error<Rule>) -> Diagnostic {
    use pest::error::{ErrorVariant, InputLocation};
    let pos = match err.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    // Re-run with error detail on to learn which literal tokens were expected.
    let detailed = {
        pest::set_error_detail(true);
        let r = FunnelParser::parse(Rule::file, text).err();
        pest::set_error_detail(false);
        r
    };
    let mut expected: Vec<String> = Vec::new();
    let mut push = |s: String| {
        if !expected.contains(&s) {
            expected.push(s);
        }
    };
    // pest reports where the outermost rule that failed began (a whole
    // `calendar` block); the attempts say how far the parse really got. An
    // error inside a block points at the token it stopped at, with what may
    // stand there.
    let attempts = detailed.as_ref().and_then(|e| e.parse_attempts());
    let further = attempts
        .as_ref()
        .is_some_and(|a| a.max_position > pos && !a.expected_tokens().is_empty());
    let first_pos = pos;
    let pos = match (&attempts, further) {
        (Some(a), true) => a.max_position,
        _ => pos,
    };
    if !further {
        if let ErrorVariant::ParsingError { positives, .. } = &err.variant {
            for r in positives {
                if let Some(d) = describe(*r) {
                    push(d.to_string());
                }
            }
        }
    }
    if let Some(attempts) = &attempts {
        if attempts.max_position == pos {
            for t in attempts.expected_tokens() {
                if let Some(d) = describe_token(&t.to_string()) {
                    push(d);
                }
            }
        }
    }
    let found = found_at(text, pos);
    // Right after a word, "a name" and "a number" only mean that word could
    // have gone on; no new token can start there.
    let after_word = text
        .get(..pos)
        .and_then(|t| t.chars().next_back())
        .is_some_and(|c| c.is_alphanumeric() || c == '_');
    if after_word
        && found
            .as_deref()
            .is_some_and(|f| !f.starts_with(char::is_alphanumeric))
    {
        expected.retain(|e| e != "a name" && e != "a number");
    }
    let expected = tidy_expected(expected);
    let end = pos + found.as_ref().map_or(0, |f| f.len());
    let span = Span::new(pos, end);
    let what = match &found {
        Some(f) => format!("unexpected `{f}`"),
        None if pos >= text.len() => "unexpected end of file".to_string(),
        None => "unexpected end of line".to_string(),
    };
    let help = if expected.is_empty() {
        "check this line against the syntax in docs/language.md".to_string()
    } else {
        let limited: Vec<&str> = expected.iter().take(16).map(String::as_str).collect();
        format!("expected {}", join_or(&limited))
    };
    let help = match hint(found.as_deref(), &expected) {
        Some(h) => format!("{h}; {help}"),
        None => help,
    };
    let mut d = Diagnostic::error("funnel::syntax::unexpected", what)
        .label(span, "not expected here")
        .help(help);
    // An unterminated string, where pest first stopped or where it got to.
    let unterminated = [(first_pos, found_at(text, first_pos)), (pos, found.clone())]
        .into_iter()
        .find(|(_, f)| {
            f.as_deref()
                .is_some_and(|f| f.starts_with('"') && (f.len() == 1 || !f.ends_with('"')))
        });
    if let Some((at, Some(f))) = unterminated {
        let span = Span::new(at, at + f.len());
        d = Diagnostic::error("funnel::syntax::unterminated_string", "unterminated string")
            .label(span, "this string has no closing `\"` on its line")
            .help("close the string with `\"` before the end of the line");
    }
    d
}

/// A sentence for a common slip, said before the list of what was expected.
fn hint(found: Option<&str>, expected: &[String]) -> Option<&'static str> {
    let expects = |s: &str| expected.iter().any(|e| e == s);
    match found {
        Some("at") if expects("`when`") => Some(
            "a threshold such as `MQL at 50` belongs inside a `score` block; in the funnel write the stage name alone",
        ),
        Some(f) if f.starts_with(|c: char| c.is_ascii_digit()) && expects("`+`") => {
            Some("points need a sign, e.g. `+10` or `-5`")
        }
        Some("-") if expects("`..`") => Some("a range of days is written with `..`, e.g. `days mon..fri`"),
        Some(f) if f.starts_with(|c: char| c.is_ascii_digit()) && expects("`,`") => {
            Some("separate the items of a list with commas, e.g. `holidays 2026-12-24, 2026-12-25`")
        }
        Some("per") if expects("`every`") => {
            Some("decay is written `decay 50% every 30 days` (add `inactive` to decay only without activity)")
        }
        _ => None,
    }
}

/// The word or symbol at `pos`, for the message; `None` at end of line or file.
fn found_at(text: &str, pos: usize) -> Option<String> {
    let rest = text.get(pos..)?;
    let first = rest.chars().next()?;
    if first == '\n' || first == '\r' {
        return None;
    }
    let word: String = if first == '"' {
        let line = rest.lines().next().unwrap_or(rest);
        match line[1..].find('"') {
            Some(i) => line[..i + 2].to_string(),
            None => line.to_string(),
        }
    } else if first.is_alphanumeric() || first == '_' {
        rest.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
            .collect()
    } else {
        first.to_string()
    };
    Some(word)
}

fn join_or(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {}", init.join(", "), last),
    }
}
