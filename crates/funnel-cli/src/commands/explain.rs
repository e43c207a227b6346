//! `funnel explain PLAYBOOK --leads FILE --events FILE LEAD_ID`: one lead's
//! timeline: every event, point change (with rule and line), stage change
//! (with its cause), nurture step and action, and SLA breach.

use std::path::PathBuf;

use funnel_engine::RunOptions;

use crate::load::{load, DataArgs};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The playbook to run.
    pub playbook: PathBuf,
    /// The lead to explain (its `id`).
    pub lead_id: String,
    #[command(flatten)]
    pub data: DataArgs,
}

pub fn run(args: Args) -> u8 {
    let loaded = match load(&args.playbook, &args.data) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let lead = match funnel_engine::explain::find_lead(&loaded.data, &args.lead_id) {
        Ok(l) => l,
        Err(suggestion) => {
            crate::diag::error(
                "funnel::cli::unknown_lead",
                format!(
                    "no lead `{}` in `{}`",
                    args.lead_id,
                    args.data.leads.display()
                ),
                Some(match suggestion {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => "pass an `id` from the leads file".into(),
                }),
            );
            return 1;
        }
    };
    let opts = RunOptions {
        coverage: false,
        as_of: loaded.as_of,
        trace: Some(lead),
        inputs: loaded.inputs.clone(),
    };
    let outcome = funnel_engine::run(&loaded.compiled, &loaded.data, &opts, &mut |_, _| {});
    print!(
        "{}",
        funnel_engine::explain::timeline(&loaded.compiled, &loaded.data, &outcome, lead)
    );
    0
}
