//! Typed indices into the tables of a [`super::Hir`]: a `StageId` can only
//! index stages, a `ScoreId` only scores, and so on. Each is the position of
//! the declaration in its table (declaration order; stages in funnel order;
//! an event field's position in its event's declaration).

macro_rules! id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub u16);

        impl $name {
            /// The id of the declaration at `i` in its table.
            pub fn new(i: usize) -> $name {
                $name(u16::try_from(i).unwrap_or(u16::MAX))
            }

            /// The position in the table.
            pub fn index(self) -> usize {
                usize::from(self.0)
            }
        }
    };
}

id!(
    /// A stage of the funnel, lost exits included, in funnel order.
    StageId
);
id!(
    /// A `score` block.
    ScoreId
);
id!(
    /// An `event` declaration.
    EventId
);
id!(
    /// A field of the `lead` block.
    LeadFieldId
);
id!(
    /// A field of one event (which event is known from the context: the
    /// event a `where` filter is about).
    EventFieldId
);
id!(
    /// An email template named by a `send`, `clicked` or `opened`.
    TemplateId
);
id!(
    /// An `input` declaration.
    InputId
);
id!(
    /// A `kpi` declaration, in source order.
    KpiId
);
id!(
    /// A `calendar` declaration (business time uses the first).
    CalendarId
);
id!(
    /// A `nurture` declaration.
    NurtureId
);
id!(
    /// An `sla A -> B within D` line, in funnel order.
    SlaId
);
