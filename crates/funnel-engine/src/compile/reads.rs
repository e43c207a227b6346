//! Which lead fields and event fields a run keeps: what the playbook reads
//! or writes (the one analysis, `funnel_check::hir::reads`), and the
//! `template` of clicks and opens, which the engine remembers for
//! `clicked`/`opened`. A run that only needs its outputs may decode the
//! other fields' cells (so a bad value is still reported) without keeping
//! their text ([`crate::Dataset`]'s `keep_unread`): nothing a run writes
//! depends on them.

use funnel_check::hir::{self, Hir};

/// Per lead field, and per event type and field: kept by a run.
#[derive(Clone, Debug, Default)]
pub struct Reads {
    pub lead: Vec<bool>,
    pub events: Vec<Vec<bool>>,
}

impl Reads {
    /// What a run of `hir` keeps, given what it reads.
    pub(crate) fn keep(hir: &Hir, uses: &hir::reads::Reads) -> Reads {
        let mut r = Reads {
            lead: uses
                .lead
                .iter()
                .zip(&uses.written)
                .map(|(read, written)| *read || *written)
                .collect(),
            events: uses.event_fields.clone(),
        };
        for name in ["email_click", "email_open"] {
            if let Some((e, f)) = hir.template_event(name) {
                if let Some(k) = r
                    .events
                    .get_mut(e.index())
                    .and_then(|fs| fs.get_mut(f.index()))
                {
                    *k = true;
                }
            }
        }
        r
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    #[test]
    fn the_bench_playbook_reads_few_fields() {
        let text = include_str!("../../../../bench/bench.funnel");
        let program = funnel_check::check_source(text).program.unwrap();
        let c = crate::compile(&program, text);
        let lead: Vec<&str> = c
            .lead_fields
            .iter()
            .zip(&c.reads.lead)
            .filter(|(_, r)| **r)
            .map(|(f, _)| f.name.as_str())
            .collect();
        assert_eq!(lead, ["company_size", "industry"]);
        let events: Vec<String> = c
            .events
            .iter()
            .zip(&c.reads.events)
            .flat_map(|(e, r)| {
                e.fields
                    .iter()
                    .zip(r)
                    .filter(|(_, r)| **r)
                    .map(move |(f, _)| format!("{}.{}", e.name, f.name))
            })
            .collect();
        // The templates of opens and clicks are always kept: the engine
        // remembers them for `clicked`/`opened`.
        assert_eq!(
            events,
            [
                "form_submit.form",
                "email_open.template",
                "email_click.template",
                "deal_won.amount"
            ]
        );
    }

    #[test]
    fn saas_inbound_reads_its_lead_fields_and_templates() {
        let text = include_str!("../../../../playbooks/saas_inbound.funnel");
        let program = funnel_check::check_source(text).program.unwrap();
        let c = crate::compile(&program, text);
        // email (matches), title (matches), company (notify), company_size,
        // industry, country (when rules), source (KPI `by`).
        assert!(c.reads.lead.iter().all(|r| *r));
        let click = c.event_index("email_click").unwrap();
        assert_eq!(c.reads.events[click], [true]);
        let page = c.event_index("page_view").unwrap();
        assert_eq!(c.reads.events[page], [true]);
    }
}
