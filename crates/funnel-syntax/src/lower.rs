//! Lowering: pest pairs of `grammar/funnel.pest` into the owned AST.
//!
//! One `lower_<rule>` function per grammar rule. The grammar has already
//! accepted the text, so the shape of each pair is known; where a pair is not
//! what the grammar promises (a grammar/lowering mismatch, i.e. our bug) the
//! functions return [`Bug`] instead of panicking, and the caller turns it into
//! an internal-error diagnostic.

use pest::iterators::{Pair, Pairs};

use crate::ast::*;
use crate::parser::Rule;
use crate::span::Span;

/// A grammar/lowering mismatch: a bug in Funnel, never the user's fault.
#[derive(Debug)]
pub struct Bug(pub String, pub Span);

impl Bug {
    const TOO_LONG: &'static str = "expression chain too long";

    /// Not a bug: an expression with more than [`MAX_CHAIN`] operands.
    fn too_long(span: Span) -> Bug {
        Bug(Bug::TOO_LONG.to_string(), span)
    }

    pub fn is_too_long(&self) -> bool {
        self.0 == Bug::TOO_LONG
    }
}

type R<T> = Result<T, Bug>;

/// The span of a pair without the spaces and comment that pest's implicit
/// whitespace leaves at its end (a rule ending in an optional part takes
/// them in), so labels underline the code and nothing after it.
fn span(p: &Pair<'_, Rule>) -> Span {
    let s = p.as_span();
    let text = s.as_str();
    Span::new(s.start(), s.start() + code_len(text))
}

/// The length of `text` once trailing whitespace and comments are removed.
fn code_len(text: &str) -> usize {
    let mut end = text.len();
    loop {
        let trimmed = text[..end].trim_end().len();
        let line_start = text[..trimmed].rfind('\n').map_or(0, |i| i + 1);
        match comment_start(&text[line_start..trimmed]) {
            Some(i) => end = line_start + i,
            None => return trimmed,
        }
    }
}

/// Where a `#` comment starts in one line, outside string literals.
fn comment_start(line: &str) -> Option<usize> {
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            '#' if !in_string => return Some(i),
            _ => {}
        }
    }
    None
}

/// Operands one `+`/`-`, `*`/`/`, `and` or `or` chain may have: deeper trees
/// would exhaust the stack of every recursive pass (and of dropping them).
pub const MAX_CHAIN: usize = 1_000;

fn bug<T>(what: &str, p: &Pair<'_, Rule>) -> R<T> {
    Err(Bug(format!("{what} (at rule {:?})", p.as_rule()), span(p)))
}

/// Iterator over a pair's children that reports a bug instead of panicking.
struct Children<'i> {
    inner: Pairs<'i, Rule>,
    parent: Span,
}

impl<'i> Children<'i> {
    fn of(p: Pair<'i, Rule>) -> Children<'i> {
        let parent = span(&p);
        Children {
            inner: p.into_inner(),
            parent,
        }
    }

    fn next(&mut self, what: &str) -> R<Pair<'i, Rule>> {
        self.inner
            .next()
            .ok_or_else(|| Bug(format!("missing {what}"), self.parent))
    }

    fn peek_rule(&self) -> Option<Rule> {
        self.inner.peek().map(|p| p.as_rule())
    }

    fn next_if(&mut self, rule: Rule) -> Option<Pair<'i, Rule>> {
        if self.peek_rule() == Some(rule) {
            self.inner.next()
        } else {
            None
        }
    }

    fn rest(self) -> Pairs<'i, Rule> {
        self.inner
    }
}

pub fn lower_file(p: Pair<'_, Rule>) -> R<Playbook> {
    let sp = span(&p);
    let mut decls = Vec::new();
    for d in p.into_inner() {
        if d.as_rule() == Rule::EOI {
            continue;
        }
        decls.push(lower_declaration(d)?);
    }
    Ok(Playbook { decls, span: sp })
}

fn lower_declaration(p: Pair<'_, Rule>) -> R<Decl> {
    let sp = span(&p);
    Ok(match p.as_rule() {
        Rule::playbook_decl => Decl::Playbook(lower_string(Children::of(p).next("name")?)?, sp),
        Rule::timezone_decl => Decl::Timezone(lower_string(Children::of(p).next("zone")?)?, sp),
        Rule::currency_decl => Decl::Currency(lower_string(Children::of(p).next("code")?)?, sp),
        Rule::calendar_decl => Decl::Calendar(lower_calendar_decl(p)?),
        Rule::lead_decl => Decl::Lead(LeadDecl {
            fields: p.into_inner().map(lower_field_decl).collect::<R<_>>()?,
            span: sp,
        }),
        Rule::event_decl => {
            let mut c = Children::of(p);
            let name = lower_ident(c.next("event name")?)?;
            let fields = c.rest().map(lower_field_decl).collect::<R<_>>()?;
            Decl::Event(EventDecl {
                name,
                fields,
                span: sp,
            })
        }
        Rule::funnel_decl => Decl::Funnel(FunnelDecl {
            items: p.into_inner().map(lower_funnel_item).collect::<R<_>>()?,
            span: sp,
        }),
        Rule::score_decl => {
            let mut c = Children::of(p);
            let name = lower_ident(c.next("score name")?)?;
            let items = c.rest().map(lower_score_item).collect::<R<_>>()?;
            Decl::Score(ScoreDecl {
                name,
                items,
                span: sp,
            })
        }
        Rule::nurture_decl => {
            let mut c = Children::of(p);
            let name = lower_ident(c.next("nurture name")?)?;
            let items = c.rest().map(lower_nurture_item).collect::<R<_>>()?;
            Decl::Nurture(NurtureDecl {
                name,
                items,
                span: sp,
            })
        }
        Rule::limit_decl => {
            let mut c = Children::of(p);
            let count = lower_number(c.next("count")?)?;
            let window = lower_window(c.next("window")?)?;
            Decl::Limit(LimitDecl {
                count,
                window,
                span: sp,
            })
        }
        Rule::input_decl => {
            let mut c = Children::of(p);
            let name = lower_ident(c.next("input name")?)?;
            let ty = lower_type_expr(c.next("type")?)?;
            let default = c.next_if(Rule::expr).map(lower_expr).transpose()?;
            Decl::Input(InputDecl {
                name,
                ty,
                default,
                span: sp,
            })
        }
        Rule::kpi_decl => {
            let mut c = Children::of(p);
            let name = lower_ident(c.next("kpi name")?)?;
            let expr = lower_expr(c.next("kpi formula")?)?;
            let by = match c.next_if(Rule::by_clause) {
                Some(b) => b.into_inner().map(lower_ident).collect::<R<_>>()?,
                None => Vec::new(),
            };
            Decl::Kpi(KpiDecl {
                name,
                expr,
                by,
                span: sp,
            })
        }
        Rule::target_decl => {
            let mut c = Children::of(p);
            let kpi = lower_ident(c.next("kpi name")?)?;
            let op = lower_cmp_op(c.next("comparison")?)?;
            let value = lower_expr(c.next("target value")?)?;
            Decl::Target(TargetDecl {
                kpi,
                op,
                value,
                span: sp,
            })
        }
        Rule::test_decl => Decl::Test(lower_test_decl(p)?),
        _ => return bug("unexpected declaration", &p),
    })
}

fn lower_calendar_decl(p: Pair<'_, Rule>) -> R<Calendar> {
    let sp = span(&p);
    let mut c = Children::of(p);
    let name = lower_ident(c.next("calendar name")?)?;
    let mut items = Vec::new();
    for item in c.rest() {
        let isp = span(&item);
        items.push(match item.as_rule() {
            Rule::days_item => {
                let mut days = Vec::new();
                for d in item.into_inner() {
                    let dsp = span(&d);
                    let mut dc = Children::of(d);
                    let from = lower_ident(dc.next("day")?)?;
                    let to = dc.rest().next().map(lower_ident).transpose()?;
                    days.push(DaySpan {
                        from,
                        to,
                        span: dsp,
                    });
                }
                CalendarItem::Days(days, isp)
            }
            Rule::hours_item => {
                let mut hc = Children::of(item);
                let from = lower_time_of_day(hc.next("opening time")?)?;
                let to = lower_time_of_day(hc.next("closing time")?)?;
                CalendarItem::Hours(from, to, isp)
            }
            Rule::holidays_item => {
                CalendarItem::Holidays(item.into_inner().map(lower_date).collect::<R<_>>()?, isp)
            }
            _ => return bug("unexpected calendar item", &item),
        });
    }
    Ok(Calendar {
        name,
        items,
        span: sp,
    })
}

fn lower_funnel_item(p: Pair<'_, Rule>) -> R<FunnelItem> {
    let sp = span(&p);
    match p.as_rule() {
        Rule::stage_item => {
            let mut c = Children::of(p);
            let lost = c.next_if(Rule::lost).is_some();
            let name = lower_ident(c.next("stage name")?)?;
            let trigger = c.rest().next().map(lower_trigger).transpose()?;
            Ok(FunnelItem::Stage(StageDecl {
                name,
                lost,
                trigger,
                span: sp,
            }))
        }
        Rule::sla_item => {
            let mut c = Children::of(p);
            let from = lower_ident(c.next("from stage")?)?;
            let to = lower_ident(c.next("to stage")?)?;
            let within = lower_duration(c.next("duration")?)?;
            Ok(FunnelItem::Sla(SlaDecl {
                from,
                to,
                within,
                span: sp,
            }))
        }
        _ => bug("unexpected funnel item", &p),
    }
}

fn lower_score_item(p: Pair<'_, Rule>) -> R<ScoreItem> {
    let sp = span(&p);
    match p.as_rule() {
        Rule::points_item => {
            let mut c = Children::of(p);
            let points = lower_number(c.next("points")?)?;
            let trigger = lower_trigger(c.next("trigger")?)?;
            let mut modifiers = Vec::new();
            for m in c.rest() {
                let msp = span(&m);
                modifiers.push(match m.as_rule() {
                    Rule::max_per => {
                        let mut mc = Children::of(m);
                        let n = lower_number(mc.next("amount")?)?;
                        let w = lower_window(mc.next("window")?)?;
                        Modifier::MaxPer(n, w, msp)
                    }
                    Rule::once_per => {
                        Modifier::OncePer(lower_window(Children::of(m).next("window")?)?, msp)
                    }
                    Rule::once => Modifier::Once(msp),
                    _ => return bug("unexpected modifier", &m),
                });
            }
            Ok(ScoreItem::Rule(PointsRule {
                points,
                trigger,
                modifiers,
                span: sp,
            }))
        }
        Rule::decay_item => {
            let mut c = Children::of(p);
            let percent = lower_number(c.next("percent")?)?;
            let every = lower_duration(c.next("period")?)?;
            let inactive = c.next_if(Rule::inactive).is_some();
            Ok(ScoreItem::Decay(DecayRule {
                percent,
                every,
                inactive,
                span: sp,
            }))
        }
        Rule::floor_item => Ok(ScoreItem::Floor(
            lower_number(Children::of(p).next("floor")?)?,
            sp,
        )),
        Rule::cap_item => Ok(ScoreItem::Cap(
            lower_number(Children::of(p).next("cap")?)?,
            sp,
        )),
        Rule::threshold_item => {
            let mut c = Children::of(p);
            let stage = lower_ident(c.next("stage")?)?;
            let at = lower_number(c.next("threshold")?)?;
            Ok(ScoreItem::Threshold(stage, at, sp))
        }
        _ => bug("unexpected score item", &p),
    }
}

fn lower_nurture_item(p: Pair<'_, Rule>) -> R<NurtureItem> {
    let sp = span(&p);
    match p.as_rule() {
        Rule::enroll_item => Ok(NurtureItem::Enroll(
            lower_trigger(Children::of(p).next("trigger")?)?,
            sp,
        )),
        Rule::exit_item => Ok(NurtureItem::Exit(
            lower_trigger(Children::of(p).next("trigger")?)?,
            sp,
        )),
        Rule::reenroll_item => {
            let policy = Children::of(p).next("policy")?;
            let psp = span(&policy);
            let r = match policy.as_rule() {
                Rule::reenroll_after => {
                    Reenroll::After(lower_duration(Children::of(policy).next("duration")?)?)
                }
                Rule::reenroll_never => Reenroll::Never(psp),
                Rule::reenroll_always => Reenroll::Always(psp),
                _ => return bug("unexpected reenroll policy", &policy),
            };
            Ok(NurtureItem::Reenroll(r, sp))
        }
        Rule::send_within_item => Ok(NurtureItem::SendWithin(
            lower_ident(Children::of(p).next("calendar")?)?,
            sp,
        )),
        _ => Ok(NurtureItem::Step(lower_step(p)?)),
    }
}

fn lower_block(p: Pair<'_, Rule>) -> R<Vec<Step>> {
    p.into_inner().map(lower_step).collect()
}

/// `else { ... }` or `else if ...` (an `if` step alone in the else branch).
fn lower_else_block(p: Pair<'_, Rule>) -> R<Vec<Step>> {
    let inner = Children::of(p).next("else branch")?;
    match inner.as_rule() {
        Rule::block => lower_block(inner),
        Rule::if_step => Ok(vec![lower_step(inner)?]),
        _ => bug("unexpected else branch", &inner),
    }
}

fn lower_step(p: Pair<'_, Rule>) -> R<Step> {
    let sp = span(&p);
    let kind = match p.as_rule() {
        Rule::send_step => {
            let mut c = Children::of(p);
            let template = lower_string(c.next("template")?)?;
            let guard = c.next_if(Rule::guard).map(lower_guard).transpose()?;
            StepKind::Send { template, guard }
        }
        Rule::wait_step => StepKind::Wait(lower_duration(Children::of(p).next("duration")?)?),
        Rule::wait_cron_step => StepKind::WaitCron(lower_string(Children::of(p).next("cron")?)?),
        Rule::wait_for_step => {
            let mut c = Children::of(p);
            let timeout = lower_duration(c.next("timeout")?)?;
            let event = lower_ident(c.next("event")?)?;
            let filter = c.next_if(Rule::where_clause).map(lower_where).transpose()?;
            let otherwise = c
                .next_if(Rule::else_block)
                .map(lower_else_block)
                .transpose()?;
            StepKind::WaitFor {
                timeout,
                event,
                filter,
                otherwise,
            }
        }
        Rule::if_step => {
            let mut c = Children::of(p);
            let cond = lower_expr(c.next("condition")?)?;
            let then = lower_block(c.next("then block")?)?;
            let otherwise = c
                .next_if(Rule::else_block)
                .map(lower_else_block)
                .transpose()?;
            StepKind::If {
                cond,
                then,
                otherwise,
            }
        }
        Rule::split_step => {
            let mut arms = Vec::new();
            let mut otherwise = None;
            for part in p.into_inner() {
                match part.as_rule() {
                    Rule::split_arm => {
                        let asp = span(&part);
                        let mut ac = Children::of(part);
                        let percent = lower_number(ac.next("percent")?)?;
                        let steps = lower_block(ac.next("block")?)?;
                        arms.push(SplitArm {
                            percent,
                            steps,
                            span: asp,
                        });
                    }
                    Rule::else_block => otherwise = Some(lower_else_block(part)?),
                    _ => return bug("unexpected split part", &part),
                }
            }
            StepKind::Split { arms, otherwise }
        }
        Rule::notify_step => {
            let mut c = Children::of(p);
            let channel = lower_ident(c.next("channel")?)?;
            let message = lower_string(c.next("message")?)?;
            let guard = c.next_if(Rule::guard).map(lower_guard).transpose()?;
            StepKind::Notify {
                channel,
                message,
                guard,
            }
        }
        Rule::set_step => {
            let mut c = Children::of(p);
            let field = lower_ident(c.next("field")?)?;
            let value = lower_expr(c.next("value")?)?;
            let guard = c.next_if(Rule::guard).map(lower_guard).transpose()?;
            StepKind::Set {
                field,
                value,
                guard,
            }
        }
        _ => return bug("unexpected step", &p),
    };
    Ok(Step { kind, span: sp })
}

fn lower_test_decl(p: Pair<'_, Rule>) -> R<TestDecl> {
    let sp = span(&p);
    let mut c = Children::of(p);
    let name = lower_string(c.next("test name")?)?;
    let mut items = Vec::new();
    for item in c.rest() {
        let isp = span(&item);
        items.push(match item.as_rule() {
            Rule::test_lead => {
                TestItem::Lead(lower_record(Children::of(item).next("record")?)?, isp)
            }
            Rule::test_event => {
                let mut ic = Children::of(item);
                let at = lower_datetime(ic.next("instant")?)?;
                let event = lower_ident(ic.next("event")?)?;
                let fields = match ic.next_if(Rule::record) {
                    Some(r) => lower_record(r)?,
                    None => Vec::new(),
                };
                TestItem::Event {
                    at,
                    event,
                    fields,
                    span: isp,
                }
            }
            Rule::test_input => {
                let mut ic = Children::of(item);
                let name = lower_ident(ic.next("input")?)?;
                let value = lower_expr(ic.next("value")?)?;
                TestItem::Input(name, value, isp)
            }
            Rule::test_expect => {
                let mut ic = Children::of(item);
                let at = ic
                    .next_if(Rule::lit_datetime)
                    .map(lower_datetime)
                    .transpose()?;
                let what = lower_expectation(ic.next("expectation")?)?;
                TestItem::Expect {
                    at,
                    what,
                    span: isp,
                }
            }
            _ => return bug("unexpected test item", &item),
        });
    }
    Ok(TestDecl {
        name,
        items,
        span: sp,
    })
}

fn lower_expectation(p: Pair<'_, Rule>) -> R<Expectation> {
    let rule = p.as_rule();
    let mut c = Children::of(p);
    Ok(match rule {
        Rule::expect_stage => {
            let op = lower_cmp_op(c.next("comparison")?)?;
            Expectation::Stage(op, lower_ident(c.next("stage")?)?)
        }
        Rule::expect_score => {
            let score = lower_ident(c.next("score")?)?;
            let op = lower_cmp_op(c.next("comparison")?)?;
            Expectation::Score(score, op, lower_expr(c.next("value")?)?)
        }
        Rule::expect_sent => {
            let t = lower_string(c.next("template")?)?;
            let at = c
                .next_if(Rule::lit_datetime)
                .map(lower_datetime)
                .transpose()?;
            Expectation::Sent(t, at)
        }
        Rule::expect_not_sent => Expectation::NotSent(lower_string(c.next("template")?)?),
        Rule::expect_kpi => {
            let kpi = lower_ident(c.next("kpi")?)?;
            let op = lower_cmp_op(c.next("comparison")?)?;
            Expectation::Kpi(kpi, op, lower_expr(c.next("value")?)?)
        }
        Rule::expect_field => {
            let field = lower_ident(c.next("field")?)?;
            let op = lower_cmp_op(c.next("comparison")?)?;
            Expectation::Field(field, op, lower_expr(c.next("value")?)?)
        }
        _ => return Err(Bug("unexpected expectation".into(), c.parent)),
    })
}

fn lower_record(p: Pair<'_, Rule>) -> R<Vec<RecordField>> {
    p.into_inner()
        .map(|f| {
            let sp = span(&f);
            let mut c = Children::of(f);
            let name = lower_ident(c.next("field")?)?;
            let value = lower_expr(c.next("value")?)?;
            Ok(RecordField {
                name,
                value,
                span: sp,
            })
        })
        .collect()
}

// ---- shared clauses ---------------------------------------------------------

fn lower_field_decl(p: Pair<'_, Rule>) -> R<FieldDecl> {
    let sp = span(&p);
    let mut c = Children::of(p);
    let name = lower_ident(c.next("field name")?)?;
    let ty = lower_type_expr(c.next("type")?)?;
    Ok(FieldDecl { name, ty, span: sp })
}

fn lower_type_expr(p: Pair<'_, Rule>) -> R<TypeExpr> {
    let sp = span(&p);
    let mut c = Children::of(p);
    let t = c.next("type")?;
    let kind = match t.as_rule() {
        Rule::type_name => TypeKind::Named(lower_ident(Children::of(t).next("type name")?)?),
        Rule::one_of => TypeKind::OneOf(t.into_inner().map(lower_ident).collect::<R<_>>()?),
        _ => return bug("unexpected type", &t),
    };
    let optional = c.next_if(Rule::optional).is_some();
    Ok(TypeExpr {
        kind,
        optional,
        span: sp,
    })
}

fn lower_trigger(p: Pair<'_, Rule>) -> R<Trigger> {
    let sp = span(&p);
    match p.as_rule() {
        Rule::on_trigger => {
            let mut c = Children::of(p);
            let sel = c.next("events")?;
            let events = match sel.as_rule() {
                Rule::any_event => EventSel::Any(span(&sel)),
                Rule::event_list => {
                    EventSel::List(sel.into_inner().map(lower_ident).collect::<R<_>>()?)
                }
                _ => return bug("unexpected event selector", &sel),
            };
            let filter = c.next_if(Rule::where_clause).map(lower_where).transpose()?;
            Ok(Trigger::On {
                events,
                filter,
                span: sp,
            })
        }
        Rule::when_trigger => Ok(Trigger::When(lower_expr(
            Children::of(p).next("condition")?,
        )?)),
        _ => bug("unexpected trigger", &p),
    }
}

fn lower_where(p: Pair<'_, Rule>) -> R<Expr> {
    lower_expr(Children::of(p).next("condition")?)
}

fn lower_guard(p: Pair<'_, Rule>) -> R<Expr> {
    lower_expr(Children::of(p).next("condition")?)
}

// ---- expressions ------------------------------------------------------------

pub fn lower_expr(p: Pair<'_, Rule>) -> R<Expr> {
    let sp = span(&p);
    match p.as_rule() {
        Rule::expr => lower_expr(Children::of(p).next("expression")?),
        Rule::disjunction | Rule::conjunction => {
            let is_or = p.as_rule() == Rule::disjunction;
            let mut c = Children::of(p);
            let mut acc = lower_expr(c.next("operand")?)?;
            for (i, next) in c.rest().enumerate() {
                if i > 2 * MAX_CHAIN {
                    return Err(Bug::too_long(sp));
                }
                if matches!(next.as_rule(), Rule::kw_or | Rule::kw_and) {
                    continue;
                }
                let rhs = lower_expr(next)?;
                let s = acc.span.to(rhs.span);
                let kind = if is_or {
                    ExprKind::Or(Box::new(acc), Box::new(rhs))
                } else {
                    ExprKind::And(Box::new(acc), Box::new(rhs))
                };
                acc = Expr { kind, span: s };
            }
            Ok(acc)
        }
        Rule::negation => {
            let mut nots = 0;
            let mut inner = None;
            for c in p.into_inner() {
                if c.as_rule() == Rule::kw_not {
                    nots += 1;
                } else {
                    inner = Some(lower_expr(c)?);
                }
            }
            let Some(mut e) = inner else {
                return Err(Bug("negation without operand".into(), sp));
            };
            for _ in 0..nots {
                e = Expr {
                    kind: ExprKind::Not(Box::new(e)),
                    span: sp,
                };
            }
            Ok(e)
        }
        Rule::comparison => {
            let mut c = Children::of(p);
            let lhs = lower_expr(c.next("operand")?)?;
            let Some(tail) = c.rest().next() else {
                return Ok(lhs);
            };
            let kind = match tail.as_rule() {
                Rule::compare_to => {
                    let mut tc = Children::of(tail);
                    let op = lower_cmp_op(tc.next("operator")?)?;
                    let rhs = lower_expr(tc.next("operand")?)?;
                    ExprKind::Compare(op, Box::new(lhs), Box::new(rhs))
                }
                Rule::in_list => {
                    let items = tail
                        .into_inner()
                        .filter(|x| x.as_rule() != Rule::kw_in)
                        .map(lower_expr)
                        .collect::<R<_>>()?;
                    ExprKind::In(Box::new(lhs), items)
                }
                Rule::matches_re => {
                    let re = tail
                        .into_inner()
                        .find(|x| x.as_rule() == Rule::lit_string)
                        .ok_or_else(|| Bug("matches without pattern".into(), sp))?;
                    ExprKind::Matches(Box::new(lhs), lower_string(re)?)
                }
                Rule::is_missing => ExprKind::IsPresent(Box::new(lhs), false),
                Rule::is_present => ExprKind::IsPresent(Box::new(lhs), true),
                _ => return bug("unexpected comparison", &tail),
            };
            Ok(Expr { kind, span: sp })
        }
        Rule::additive | Rule::multiplicative => {
            let mut c = Children::of(p);
            let mut acc = lower_expr(c.next("operand")?)?;
            let mut rest = c.rest();
            let mut operands = 1;
            while let Some(op) = rest.next() {
                operands += 1;
                if operands > MAX_CHAIN {
                    return Err(Bug::too_long(sp));
                }
                let op = match op.as_str() {
                    "+" => ArithOp::Add,
                    "-" => ArithOp::Sub,
                    "*" => ArithOp::Mul,
                    "/" => ArithOp::Div,
                    _ => return bug("unexpected operator", &op),
                };
                let Some(rhs) = rest.next() else {
                    return Err(Bug("operator without operand".into(), sp));
                };
                let rhs = lower_expr(rhs)?;
                let s = acc.span.to(rhs.span);
                acc = Expr {
                    kind: ExprKind::Arith(op, Box::new(acc), Box::new(rhs)),
                    span: s,
                };
            }
            Ok(acc)
        }
        Rule::unary => {
            let mut c = Children::of(p);
            let neg = c.next_if(Rule::neg_op).is_some();
            let e = lower_expr(c.next("operand")?)?;
            Ok(if neg {
                Expr {
                    kind: ExprKind::Neg(Box::new(e)),
                    span: sp,
                }
            } else {
                e
            })
        }
        Rule::paren => Ok(Expr {
            kind: ExprKind::Paren(Box::new(lower_expr(Children::of(p).next("expression")?)?)),
            span: sp,
        }),
        Rule::stage_ref => Ok(Expr {
            kind: ExprKind::Stage,
            span: sp,
        }),
        Rule::clicked | Rule::opened => {
            let clicked = p.as_rule() == Rule::clicked;
            let t = lower_string(Children::of(p).next("template")?)?;
            Ok(Expr {
                kind: if clicked {
                    ExprKind::Clicked(t)
                } else {
                    ExprKind::Opened(t)
                },
                span: sp,
            })
        }
        Rule::field_path => {
            let mut c = Children::of(p);
            let ev = lower_ident(c.next("event")?)?;
            let field = lower_ident(c.next("field")?)?;
            Ok(Expr {
                kind: ExprKind::FieldPath(ev, field),
                span: sp,
            })
        }
        Rule::call => {
            let mut c = Children::of(p);
            let f = lower_ident(c.next("function")?)?;
            let a = c.next("argument")?;
            let asp = span(&a);
            let mut more = c.rest().peekable();
            if more.peek().is_some() {
                let mut args = vec![lower_expr(a)?];
                for x in more {
                    args.push(lower_expr(x)?);
                }
                return Ok(Expr {
                    kind: ExprKind::Call(f, Box::new(CallArg::Many(args))),
                    span: sp,
                });
            }
            let arg = match a.as_rule() {
                Rule::arg_entered => CallArg::Entered(lower_ident(Children::of(a).next("stage")?)?),
                Rule::arg_reached => CallArg::Reached(lower_ident(Children::of(a).next("stage")?)?),
                Rule::arg_breached => {
                    let mut ac = Children::of(a);
                    let from = lower_ident(ac.next("from")?)?;
                    CallArg::Breached(from, lower_ident(ac.next("to")?)?)
                }
                Rule::arg_days => {
                    let mut ac = Children::of(a);
                    let from = lower_ident(ac.next("from")?)?;
                    CallArg::Days(from, lower_ident(ac.next("to")?)?, asp)
                }
                Rule::arg_in => {
                    let mut ac = Children::of(a);
                    ac.next_if(Rule::kw_in);
                    let stage = lower_ident(ac.next("stage")?)?;
                    let edge = match ac.next("period edge")?.as_str() {
                        "start" => PeriodEdge::Start,
                        _ => PeriodEdge::End,
                    };
                    CallArg::In(stage, edge, asp)
                }
                Rule::arg_groups => {
                    let mut keys = Vec::new();
                    let mut cond = None;
                    for x in a.into_inner() {
                        match x.as_rule() {
                            Rule::ident => keys.push(lower_ident(x)?),
                            _ => cond = Some(lower_expr(x)?),
                        }
                    }
                    let Some(cond) = cond else {
                        return Err(Bug("groups without a condition".into(), asp));
                    };
                    CallArg::Groups(keys, Box::new(cond))
                }
                _ => CallArg::Expr(lower_expr(a)?),
            };
            Ok(Expr {
                kind: ExprKind::Call(f, Box::new(arg)),
                span: sp,
            })
        }
        Rule::ident => Ok(Expr {
            kind: ExprKind::Name(lower_ident(p)?),
            span: sp,
        }),
        _ => Ok(Expr {
            kind: ExprKind::Lit(lower_literal(p)?),
            span: sp,
        }),
    }
}

fn lower_literal(p: Pair<'_, Rule>) -> R<Literal> {
    let sp = span(&p);
    Ok(match p.as_rule() {
        Rule::lit_number => Literal::Number(lower_number(p)?),
        Rule::lit_percent => Literal::Percent(lower_number(p)?),
        Rule::lit_money => Literal::Money(lower_number(p)?),
        Rule::lit_duration => Literal::Duration(lower_duration(p)?),
        Rule::lit_datetime => Literal::DateTime(lower_datetime(p)?),
        Rule::lit_string => Literal::Str(lower_string(p)?),
        Rule::lit_bool => Literal::Bool(p.as_str() == "true", sp),
        _ => return bug("unexpected literal", &p),
    })
}

fn lower_cmp_op(p: Pair<'_, Rule>) -> R<CmpOp> {
    Ok(match p.as_str() {
        "==" => CmpOp::Eq,
        "!=" => CmpOp::Ne,
        ">=" => CmpOp::Ge,
        "<=" => CmpOp::Le,
        ">" => CmpOp::Gt,
        "<" => CmpOp::Lt,
        _ => return bug("unexpected comparison operator", &p),
    })
}

// ---- literals -----------------------------------------------------------------

fn lower_ident(p: Pair<'_, Rule>) -> R<Ident> {
    Ok(Ident {
        name: p.as_str().to_string(),
        span: span(&p),
    })
}

/// Numbers, percents (`25%`), money (`$1,000`) and signed points (`+10`).
fn lower_number(p: Pair<'_, Rule>) -> R<Number> {
    let sp = span(&p);
    let text: String = p
        .as_str()
        .chars()
        .filter(|c| !matches!(c, ',' | '$' | '%' | '+'))
        .collect();
    match text.parse::<f64>() {
        Ok(value) => Ok(Number {
            value,
            text,
            span: sp,
        }),
        Err(_) => bug("number did not parse", &p),
    }
}

fn lower_string(p: Pair<'_, Rule>) -> R<StrLit> {
    let sp = span(&p);
    let raw = p.as_str();
    let inner = raw.get(1..raw.len().saturating_sub(1)).unwrap_or_default();
    let mut value = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(ch) = chars.next() {
        if ch == '\\' {
            match chars.next() {
                Some('n') => value.push('\n'),
                Some('t') => value.push('\t'),
                Some(c @ ('"' | '\\')) => value.push(c),
                // Any other backslash is kept, so regexes read as written: `"\bvp\b"`.
                Some(other) => {
                    value.push('\\');
                    value.push(other);
                }
                None => value.push('\\'),
            }
        } else {
            value.push(ch);
        }
    }
    Ok(StrLit { value, span: sp })
}

fn lower_unit(p: &Pair<'_, Rule>) -> R<Unit> {
    let w = p.as_str();
    Ok(match w.trim_end_matches('s') {
        "minute" => Unit::Minute,
        "hour" => Unit::Hour,
        "day" => Unit::Day,
        "week" => Unit::Week,
        "month" => Unit::Month,
        _ => return bug("unexpected unit", p),
    })
}

fn lower_duration(p: Pair<'_, Rule>) -> R<Duration> {
    let sp = span(&p);
    let mut c = Children::of(p);
    let amount = lower_number(c.next("amount")?)?;
    let business = c.next_if(Rule::kw_business).is_some();
    let u = c.next("unit")?;
    let unit = lower_unit(&u)?;
    Ok(Duration {
        amount,
        unit,
        business,
        span: sp,
    })
}

/// `per day` is `per 1 day`.
fn lower_window(p: Pair<'_, Rule>) -> R<Duration> {
    let sp = span(&p);
    let inner = Children::of(p).next("window")?;
    match inner.as_rule() {
        Rule::lit_duration => lower_duration(inner),
        Rule::unit => Ok(Duration {
            amount: Number {
                value: 1.0,
                text: "1".into(),
                span: sp,
            },
            unit: lower_unit(&inner)?,
            business: false,
            span: sp,
        }),
        _ => bug("unexpected window", &inner),
    }
}

fn num<T: std::str::FromStr>(s: &str, p: &Pair<'_, Rule>) -> R<T> {
    s.parse::<T>()
        .map_err(|_| Bug(format!("bad number `{s}`"), span(p)))
}

fn lower_date(p: Pair<'_, Rule>) -> R<DateTimeLit> {
    let s = p.as_str();
    let parts: Vec<&str> = s.split('-').collect();
    if parts.len() != 3 {
        return bug("bad date", &p);
    }
    Ok(DateTimeLit {
        year: num(parts[0], &p)?,
        month: num(parts[1], &p)?,
        day: num(parts[2], &p)?,
        time: None,
        offset: None,
        span: span(&p),
    })
}

fn lower_time_parts(p: &Pair<'_, Rule>) -> R<(u32, u32, u32)> {
    let parts: Vec<&str> = p.as_str().split(':').collect();
    let h = num(parts.first().copied().unwrap_or(""), p)?;
    let m = num(parts.get(1).copied().unwrap_or(""), p)?;
    let s = match parts.get(2) {
        Some(x) => num(x, p)?,
        None => 0,
    };
    Ok((h, m, s))
}

fn lower_time_of_day(p: Pair<'_, Rule>) -> R<TimeOfDay> {
    let (hour, minute, _) = lower_time_parts(&p)?;
    Ok(TimeOfDay {
        hour,
        minute,
        span: span(&p),
    })
}

fn lower_datetime(p: Pair<'_, Rule>) -> R<DateTimeLit> {
    let sp = span(&p);
    let mut c = Children::of(p);
    let mut dt = lower_date(c.next("date")?)?;
    dt.span = sp;
    if let Some(t) = c.next_if(Rule::lit_time) {
        dt.time = Some(lower_time_parts(&t)?);
    }
    if let Some(o) = c.next_if(Rule::lit_offset) {
        let s = o.as_str();
        dt.offset = Some(if s == "Z" {
            0
        } else {
            let sign = if s.starts_with('-') { -1 } else { 1 };
            let hh: i32 = num(s.get(1..3).unwrap_or(""), &o)?;
            let mm: i32 = num(s.get(4..6).unwrap_or(""), &o)?;
            sign * (hh * 3600 + mm * 60)
        });
    }
    Ok(dt)
}
