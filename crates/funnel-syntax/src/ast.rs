//! The owned, spanned abstract syntax tree of a playbook.
//!
//! Every node carries the [`Span`] of the source text it came from, so the
//! checker can point at it and the formatter can find the comments around it.
//! The tree is plain data: enums and structs, no pest types. Declarations and
//! block items are kept in source order, because order has meaning (stages are
//! ordered, rules are evaluated in source order) and the formatter keeps it.

use crate::span::Span;

/// A name as written, with where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// A string literal, unescaped.
#[derive(Clone, Debug, PartialEq)]
pub struct StrLit {
    pub value: String,
    pub span: Span,
}

/// A number as written: its value and its text (kept for exact money and for
/// the formatter). Thousands separators (`10,000`) are removed from `text`.
#[derive(Clone, Debug, PartialEq)]
pub struct Number {
    pub value: f64,
    pub text: String,
    pub span: Span,
}

/// The unit of a duration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Unit {
    Minute,
    Hour,
    Day,
    Week,
    Month,
}

impl Unit {
    /// The unit's singular word, as the formatter writes it.
    pub fn word(self) -> &'static str {
        match self {
            Unit::Minute => "minute",
            Unit::Hour => "hour",
            Unit::Day => "day",
            Unit::Week => "week",
            Unit::Month => "month",
        }
    }

    /// Length in seconds of one unit of calendar time (a month is 30 days).
    pub fn seconds(self) -> i64 {
        match self {
            Unit::Minute => 60,
            Unit::Hour => 3_600,
            Unit::Day => 86_400,
            Unit::Week => 7 * 86_400,
            Unit::Month => 30 * 86_400,
        }
    }
}

/// `3 days`, `2 business days`, `12 hours`.
#[derive(Clone, Debug, PartialEq)]
pub struct Duration {
    pub amount: Number,
    pub unit: Unit,
    /// `business` durations count only the open hours of the playbook's calendar.
    pub business: bool,
    pub span: Span,
}

/// A date or date-time literal as written; the time zone is applied later.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DateTimeLit {
    pub year: i32,
    pub month: u32,
    pub day: u32,
    /// Hours, minutes, seconds; `None` for a bare date (midnight).
    pub time: Option<(u32, u32, u32)>,
    /// Offset from UTC in seconds when written (`Z`, `+02:00`).
    pub offset: Option<i32>,
    pub span: Span,
}

/// A literal value in an expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    Number(Number),
    /// `25%`: the number is the percentage as written (25, not 0.25).
    Percent(Number),
    /// `$10,000`.
    Money(Number),
    Duration(Duration),
    DateTime(DateTimeLit),
    Str(StrLit),
    Bool(bool, Span),
}

impl Literal {
    pub fn span(&self) -> Span {
        match self {
            Literal::Number(n) | Literal::Percent(n) | Literal::Money(n) => n.span,
            Literal::Duration(d) => d.span,
            Literal::DateTime(d) => d.span,
            Literal::Str(s) => s.span,
            Literal::Bool(_, s) => *s,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CmpOp {
    Eq,
    Ne,
    Ge,
    Le,
    Gt,
    Lt,
}

impl CmpOp {
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Ge => ">=",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Lt => "<",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
}

impl ArithOp {
    pub fn symbol(self) -> &'static str {
        match self {
            ArithOp::Add => "+",
            ArithOp::Sub => "-",
            ArithOp::Mul => "*",
            ArithOp::Div => "/",
        }
    }
}

/// The argument of a KPI function call such as `count(entered MQL)`.
#[derive(Clone, Debug, PartialEq)]
pub enum CallArg {
    /// `entered X`: entries into stage X.
    Entered(Ident),
    /// `reached X`: leads that reached X or a later non-lost stage.
    Reached(Ident),
    /// `breached A -> B`: SLA breaches between A and B.
    Breached(Ident, Ident),
    /// `days(A -> B)`: per lead, days from entering A to entering B.
    Days(Ident, Ident, Span),
    /// `in X at period start` / `at period end`: leads in stage X at that
    /// instant of each period. The span covers the whole argument.
    In(Ident, PeriodEdge, Span),
    /// `by K, … where COND`: the groups of the keys K for which COND holds.
    Groups(Vec<Ident>, Box<Expr>),
    /// Any other expression: an event name, `event.field`, a number.
    Expr(Expr),
    /// Two or more expressions separated by commas: `min(a, b)`, `round(x, 2)`.
    Many(Vec<Expr>),
}

/// Which instant of a period `in X at period …` looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PeriodEdge {
    Start,
    End,
}

impl PeriodEdge {
    pub fn word(self) -> &'static str {
        match self {
            PeriodEdge::Start => "start",
            PeriodEdge::End => "end",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Lit(Literal),
    /// A field, score, KPI, input or enumeration value, resolved by the checker.
    Name(Ident),
    /// `event.field` inside `sum(...)` and `avg(...)`.
    FieldPath(Ident, Ident),
    /// The lead's current stage, as in `stage >= SQL`.
    Stage,
    /// `clicked "template"`: the lead clicked that email.
    Clicked(StrLit),
    /// `opened "template"`: the lead opened that email.
    Opened(StrLit),
    Neg(Box<Expr>),
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Arith(ArithOp, Box<Expr>, Box<Expr>),
    Compare(CmpOp, Box<Expr>, Box<Expr>),
    In(Box<Expr>, Vec<Expr>),
    Matches(Box<Expr>, StrLit),
    /// `x is missing` (`present: false`) or `x is present` (`present: true`).
    IsPresent(Box<Expr>, bool),
    Call(Ident, Box<CallArg>),
    Paren(Box<Expr>),
}

/// A field's declared type.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeExpr {
    pub kind: TypeKind,
    pub optional: bool,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TypeKind {
    /// `text`, `number`, `money`, `percent`, `duration`, `date`, `datetime`, `bool`.
    Named(Ident),
    /// `one of a | b | c`.
    OneOf(Vec<Ident>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct FieldDecl {
    pub name: Ident,
    pub ty: TypeExpr,
    pub span: Span,
}

/// Which events an `on` trigger listens to.
#[derive(Clone, Debug, PartialEq)]
pub enum EventSel {
    Any(Span),
    List(Vec<Ident>),
}

/// `on EVENT [where COND]` or `when COND`.
#[derive(Clone, Debug, PartialEq)]
pub enum Trigger {
    On {
        events: EventSel,
        filter: Option<Expr>,
        span: Span,
    },
    When(Expr),
}

impl Trigger {
    pub fn span(&self) -> Span {
        match self {
            Trigger::On { span, .. } => *span,
            Trigger::When(e) => e.span,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Playbook {
    pub decls: Vec<Decl>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Decl {
    Playbook(StrLit, Span),
    Timezone(StrLit, Span),
    Currency(StrLit, Span),
    Calendar(Calendar),
    Lead(LeadDecl),
    Event(EventDecl),
    Funnel(FunnelDecl),
    Score(ScoreDecl),
    Nurture(NurtureDecl),
    Limit(LimitDecl),
    Input(InputDecl),
    Kpi(KpiDecl),
    Target(TargetDecl),
    Test(TestDecl),
}

impl Decl {
    pub fn span(&self) -> Span {
        match self {
            Decl::Playbook(_, s) | Decl::Timezone(_, s) | Decl::Currency(_, s) => *s,
            Decl::Calendar(d) => d.span,
            Decl::Lead(d) => d.span,
            Decl::Event(d) => d.span,
            Decl::Funnel(d) => d.span,
            Decl::Score(d) => d.span,
            Decl::Nurture(d) => d.span,
            Decl::Limit(d) => d.span,
            Decl::Input(d) => d.span,
            Decl::Kpi(d) => d.span,
            Decl::Target(d) => d.span,
            Decl::Test(d) => d.span,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Calendar {
    pub name: Ident,
    pub items: Vec<CalendarItem>,
    pub span: Span,
}

/// `mon..fri` (`to` set) or `sat` alone.
#[derive(Clone, Debug, PartialEq)]
pub struct DaySpan {
    pub from: Ident,
    pub to: Option<Ident>,
    pub span: Span,
}

/// A time of day `09:00` as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeOfDay {
    pub hour: u32,
    pub minute: u32,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum CalendarItem {
    Days(Vec<DaySpan>, Span),
    Hours(TimeOfDay, TimeOfDay, Span),
    Holidays(Vec<DateTimeLit>, Span),
}

#[derive(Clone, Debug, PartialEq)]
pub struct LeadDecl {
    pub fields: Vec<FieldDecl>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EventDecl {
    pub name: Ident,
    pub fields: Vec<FieldDecl>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FunnelDecl {
    pub items: Vec<FunnelItem>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum FunnelItem {
    Stage(StageDecl),
    Sla(SlaDecl),
}

#[derive(Clone, Debug, PartialEq)]
pub struct StageDecl {
    pub name: Ident,
    pub lost: bool,
    pub trigger: Option<Trigger>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SlaDecl {
    pub from: Ident,
    pub to: Ident,
    pub within: Duration,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ScoreDecl {
    pub name: Ident,
    pub items: Vec<ScoreItem>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ScoreItem {
    Rule(PointsRule),
    Decay(DecayRule),
    Floor(Number, Span),
    Cap(Number, Span),
    /// `MQL at 50`: sugar for `MQL when <this score> >= 50`.
    Threshold(Ident, Number, Span),
}

#[derive(Clone, Debug, PartialEq)]
pub struct PointsRule {
    /// Signed points, e.g. `+10` or `-50`.
    pub points: Number,
    pub trigger: Trigger,
    pub modifiers: Vec<Modifier>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Modifier {
    /// `max N per D`: at most N points from this rule in any window of length D.
    MaxPer(Number, Duration, Span),
    /// `once`: at most once per lead, ever.
    Once(Span),
    /// `once per D`: at most once in any window of length D.
    OncePer(Duration, Span),
}

#[derive(Clone, Debug, PartialEq)]
pub struct DecayRule {
    pub percent: Number,
    pub every: Duration,
    pub inactive: bool,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NurtureDecl {
    pub name: Ident,
    pub items: Vec<NurtureItem>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Reenroll {
    After(Duration),
    Never(Span),
    Always(Span),
}

#[derive(Clone, Debug, PartialEq)]
pub enum NurtureItem {
    Enroll(Trigger, Span),
    Reenroll(Reenroll, Span),
    Exit(Trigger, Span),
    SendWithin(Ident, Span),
    Step(Step),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub kind: StepKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StepKind {
    Send {
        template: StrLit,
        guard: Option<Expr>,
    },
    Wait(Duration),
    WaitCron(StrLit),
    WaitFor {
        timeout: Duration,
        event: Ident,
        filter: Option<Expr>,
        otherwise: Option<Vec<Step>>,
    },
    If {
        cond: Expr,
        then: Vec<Step>,
        otherwise: Option<Vec<Step>>,
    },
    Split {
        arms: Vec<SplitArm>,
        otherwise: Option<Vec<Step>>,
    },
    Notify {
        channel: Ident,
        message: StrLit,
        guard: Option<Expr>,
    },
    Set {
        field: Ident,
        value: Expr,
        guard: Option<Expr>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct SplitArm {
    pub percent: Number,
    pub steps: Vec<Step>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LimitDecl {
    pub count: Number,
    pub window: Duration,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct InputDecl {
    pub name: Ident,
    pub ty: TypeExpr,
    pub default: Option<Expr>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct KpiDecl {
    pub name: Ident,
    pub expr: Expr,
    pub by: Vec<Ident>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TargetDecl {
    pub kpi: Ident,
    pub op: CmpOp,
    pub value: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TestDecl {
    pub name: StrLit,
    pub items: Vec<TestItem>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RecordField {
    pub name: Ident,
    pub value: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TestItem {
    Lead(Vec<RecordField>, Span),
    Event {
        at: DateTimeLit,
        event: Ident,
        fields: Vec<RecordField>,
        span: Span,
    },
    Input(Ident, Expr, Span),
    Expect {
        at: Option<DateTimeLit>,
        what: Expectation,
        span: Span,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum Expectation {
    Stage(CmpOp, Ident),
    Score(Ident, CmpOp, Expr),
    Sent(StrLit, Option<DateTimeLit>),
    NotSent(StrLit),
    Kpi(Ident, CmpOp, Expr),
    Field(Ident, CmpOp, Expr),
}
