//! HTML reports for `funnel run`, `funnel simulate` and `funnel plan`
//! (`--report FILE.html`): one self-contained page each, with charts drawn
//! by Observable Plot from data inlined in the page, a table of the numbers
//! behind every chart, light and dark colours and a print layout.
//!
//! Pure: results in, an HTML string out. The CLI writes the file.
//!
//! - [`model`]: the page as data (sections, charts, tables);
//! - [`run`] (with [`run_kpis`]), [`simulate`], [`plan`]: what each
//!   command's page shows, from its results; [`build`] and [`histogram`] are shared chart builders,
//!   [`periods`] and [`units`] the axes;
//! - [`page`]: the page as HTML (minijinja templates in `templates/`, the
//!   style and script in `assets/`, the charting library in `vendor/`).

pub mod build;
pub mod histogram;
pub mod model;
pub mod page;
pub mod periods;
pub mod plan;
pub mod run;
pub mod run_kpis;
pub mod simulate;
pub mod units;

use funnel_engine::{Compiled, Dataset, Outcome};
use funnel_plan::Plan;
use funnel_sim::runs::Simulation;

/// The `funnel run` report; `version` is funnel's.
pub fn run_html(
    c: &Compiled,
    ds: &Dataset,
    o: &Outcome,
    files: &run::RunFiles<'_>,
    version: &str,
) -> String {
    page::render(&run::page(c, ds, o, files), version)
}

/// The `funnel simulate` report.
pub fn simulate_html(sim: &Simulation, files: &simulate::SimFiles<'_>, version: &str) -> String {
    page::render(&simulate::page(sim, files), version)
}

/// The `funnel plan` report.
pub fn plan_html(p: &Plan, files: &plan::PlanFiles<'_>, version: &str) -> String {
    page::render(&plan::page(p, files), version)
}
