//! Lowering top-level declarations: playbook settings, fields, events,
//! calendars, the funnel, scores and nurtures.

use pest::iterators::Pair;

use crate::ast::*;
use crate::grammar::Rule;

use super::clauses::{lower_field_decl, lower_trigger, lower_type_expr};
use super::expr::{lower_cmp_op, lower_expr};
use super::literals::{
    lower_date, lower_duration, lower_ident, lower_number, lower_string, lower_time_of_day,
    lower_window,
};
use super::pairs::{bug, span, Children, R};
use super::steps::lower_step;
use super::test_decls::lower_test_decl;

pub(super) fn lower_declaration(p: Pair<'_, Rule>) -> R<Decl> {
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

pub(super) fn lower_calendar_decl(p: Pair<'_, Rule>) -> R<Calendar> {
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

pub(super) fn lower_funnel_item(p: Pair<'_, Rule>) -> R<FunnelItem> {
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

pub(super) fn lower_score_item(p: Pair<'_, Rule>) -> R<ScoreItem> {
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

pub(super) fn lower_nurture_item(p: Pair<'_, Rule>) -> R<NurtureItem> {
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
