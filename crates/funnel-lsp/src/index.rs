//! The name index of one playbook: every declared name (a [`Symbol`] with the
//! span of its name and of its whole declaration) and every place a name is
//! used (a [`Reference`]). Built from the AST by `walk.rs` under the scoping
//! rules of `docs/language.md`, or by `fallback.rs` from a token scan when the
//! text does not parse. Navigation, hover, rename, completion, symbols and
//! semantic tokens all read it.

use funnel_syntax::Span;

/// What kind of thing a name declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Stage,
    Score,
    Event,
    EventField,
    LeadField,
    EnumValue,
    Template,
    Input,
    Kpi,
    Calendar,
    Nurture,
    Test,
}

impl Kind {
    /// The word for it in messages and hovers.
    pub fn word(self) -> &'static str {
        match self {
            Kind::Stage => "stage",
            Kind::Score => "score",
            Kind::Event => "event",
            Kind::EventField => "event field",
            Kind::LeadField => "lead field",
            Kind::EnumValue => "enumeration value",
            Kind::Template => "template",
            Kind::Input => "input",
            Kind::Kpi => "kpi",
            Kind::Calendar => "calendar",
            Kind::Nurture => "nurture",
            Kind::Test => "test",
        }
    }

    /// Templates and tests are strings: their names are written in quotes.
    pub fn quoted(self) -> bool {
        matches!(self, Kind::Template | Kind::Test)
    }
}

/// A declared name.
#[derive(Clone, Debug, PartialEq)]
pub struct Symbol {
    pub kind: Kind,
    pub name: String,
    /// The name as written (for quoted names, inside the quotes).
    pub def: Span,
    /// The whole declaration (a block, a line, a field).
    pub decl: Span,
    /// The symbol this one belongs to: an event for its fields, a field (or
    /// input) for its enumeration values.
    pub owner: Option<usize>,
    /// The type, for fields, inputs and KPIs: `money`, `one of a | b`, `text?`.
    pub ty: Option<String>,
    /// A lost stage.
    pub lost: bool,
}

/// A use of a declared name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reference {
    pub span: Span,
    pub symbol: usize,
}

#[derive(Clone, Debug, Default)]
pub struct Index {
    pub symbols: Vec<Symbol>,
    /// Sorted by span start once built.
    pub refs: Vec<Reference>,
}

impl Index {
    pub fn add(&mut self, sym: Symbol) -> usize {
        self.symbols.push(sym);
        self.symbols.len() - 1
    }

    pub fn reference(&mut self, span: Span, symbol: usize) {
        self.refs.push(Reference { span, symbol });
    }

    /// Sort the references and drop exact repeats; call once when built.
    pub fn finish(&mut self) {
        self.refs
            .sort_by_key(|r| (r.span.start, r.span.end, r.symbol));
        self.refs.dedup();
    }

    /// The first symbol of `kind` named `name` (the first definition wins).
    pub fn find(&self, kind: Kind, name: &str) -> Option<usize> {
        self.symbols
            .iter()
            .position(|s| s.kind == kind && s.name == name)
    }

    /// The first field `name` of the event symbol `event`.
    pub fn field_of(&self, event: usize, name: &str) -> Option<usize> {
        self.symbols
            .iter()
            .position(|s| s.kind == Kind::EventField && s.owner == Some(event) && s.name == name)
    }

    /// The symbols owned by `owner` (an event's fields, a field's values).
    pub fn children(&self, owner: usize) -> impl Iterator<Item = (usize, &Symbol)> {
        self.symbols
            .iter()
            .enumerate()
            .filter(move |(_, s)| s.owner == Some(owner))
    }

    pub fn of_kind(&self, kind: Kind) -> impl Iterator<Item = (usize, &Symbol)> {
        self.symbols
            .iter()
            .enumerate()
            .filter(move |(_, s)| s.kind == kind)
    }

    /// The symbol whose name or a use of it covers byte `offset` (touching
    /// either end counts, so a cursor right after a name finds it).
    pub fn at(&self, offset: usize) -> Option<(usize, Span)> {
        let o = offset as u32;
        let hit = |s: Span| s.start <= o && o <= s.end;
        if let Some(i) = self.symbols.iter().position(|s| hit(s.def)) {
            return Some((i, self.symbols[i].def));
        }
        // References are sorted; look at those starting at or before `offset`.
        let upto = self.refs.partition_point(|r| r.span.start <= o);
        self.refs[..upto]
            .iter()
            .rev()
            .take(8)
            .find(|r| hit(r.span))
            .map(|r| (r.symbol, r.span))
    }

    /// Every use of `symbol`, in source order.
    pub fn uses(&self, symbol: usize) -> impl Iterator<Item = Span> + '_ {
        self.refs
            .iter()
            .filter(move |r| r.symbol == symbol)
            .map(|r| r.span)
    }
}
