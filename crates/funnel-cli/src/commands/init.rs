//! `funnel init [DIR] [--force]`: scaffold a first project: a commented
//! playbook with a `test` block, and leads and events templates that fit
//! it, so `funnel check`, `funnel test` and `funnel run` work at once and
//! each line shows what to change. Existing files are never overwritten
//! without `--force`.

use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:
  funnel init my-funnel
  cd my-funnel && funnel test playbook.funnel
  funnel run playbook.funnel --leads data/leads.csv --events data/events.csv")]
pub struct Args {
    /// The directory to create the files in.
    #[arg(default_value = ".", value_name = "DIR")]
    pub dir: PathBuf,
    /// Overwrite files that already exist.
    #[arg(long)]
    pub force: bool,
}

/// The scaffolded playbook.
pub const PLAYBOOK: &str = r#"# Your first playbook. Edit it to match your funnel, then:
#   funnel check playbook.funnel     # every mistake, with line and column
#   funnel test playbook.funnel      # the `test` blocks at the end
#   funnel run playbook.funnel --leads data/leads.csv --events data/events.csv
# The language reference is docs/language.md in the Funnel repository.

playbook "My funnel"
timezone "Europe/London"  # an IANA zone: America/New_York, Europe/Berlin, ...
currency "GBP"

# The lead fields your CRM export has; `?` marks a field that may be empty.
lead {
  email    text
  company  text?
  source   one of organic | paid | referral
}

# The events you track, with the fields each carries.
event page_view    { path: text }
event form_submit  { form: text }
event demo_request
event deal_created { amount: money }
event deal_won     { amount: money }
event unsubscribe

# Stages in order. Leads only move forward and may skip stages.
funnel {
  Lead         on any event
  MQL  # entered through `MQL at 40` in score engagement
  SQL          on demo_request
  Opportunity  on deal_created
  Customer     on deal_won
  lost Unsubscribed  on unsubscribe
  sla MQL -> SQL within 3 days
}

# Points per event; the lead becomes an MQL at 40.
score engagement {
  +2  on page_view     max 10 per day
  +15 on form_submit
  +25 on form_submit where form == "contact"
  decay 50% every 30 days inactive
  floor 0
  cap 100
  MQL at 40
}

# KPIs over the replayed data, and targets `funnel run` reports as met or missed.
kpi new_leads = count(entered Lead) by month, source
kpi mql_rate  = count(reached MQL) / count(reached Lead)
kpi win_rate  = count(reached Customer) / count(reached Opportunity)
kpi revenue   = sum(deal_won.amount)

target mql_rate >= 20%

# A test: one lead, its events, and what must follow.
test "a contact form makes an MQL" {
  lead { email: "ana@example.com", source: organic }
  at 2026-03-02 09:00 page_view { path: "/pricing" }
  at 2026-03-02 09:05 form_submit { form: "contact" }
  expect stage == MQL
  expect score engagement == 42
}
"#;

/// Leads that fit [`PLAYBOOK`]: an `id` column and the lead fields.
pub const LEADS: &str = "id,email,company,source
L0001,ana@example.com,Example Ltd,organic
L0002,ben@acme.test,Acme,paid
L0003,chloe@globex.test,,referral
";

/// Events that fit [`PLAYBOOK`]: `lead`, `event`, `at` and the events' fields.
pub const EVENTS: &str = "lead,event,at,path,form,amount
L0001,page_view,2026-03-02 09:00,/pricing,,
L0001,form_submit,2026-03-02 09:05,,contact,
L0001,demo_request,2026-03-03 10:00,,,
L0001,deal_created,2026-03-10 15:00,,,12000
L0001,deal_won,2026-04-02 11:00,,,12000
L0002,page_view,2026-03-04 13:20,/blog,,
L0002,form_submit,2026-03-04 13:30,,newsletter,
L0003,page_view,2026-03-05 08:45,/,,
L0003,unsubscribe,2026-03-20 10:00,,,
";

pub fn run(args: Args) -> u8 {
    let files: [(PathBuf, &str); 3] = [
        (args.dir.join("playbook.funnel"), PLAYBOOK),
        (args.dir.join("data").join("leads.csv"), LEADS),
        (args.dir.join("data").join("events.csv"), EVENTS),
    ];
    if !args.force {
        let existing: Vec<String> = files
            .iter()
            .filter(|(p, _)| p.exists())
            .map(|(p, _)| format!("`{}`", p.display()))
            .collect();
        if !existing.is_empty() {
            crate::diag::error(
                "funnel::cli::already_exists",
                format!("{} already exist(s)", existing.join(", ")),
                Some("pass `--force` to overwrite, or name another directory".into()),
            );
            return 2;
        }
    }
    for (path, text) in &files {
        if let Err(e) = write(path, text) {
            crate::diag::error(
                "funnel::cli::cannot_write",
                format!("cannot write `{}`: {e}", path.display()),
                Some("check that the directory is writable".into()),
            );
            return 2;
        }
    }
    let d = args.dir.display();
    eprintln!("created {d}/playbook.funnel, {d}/data/leads.csv and {d}/data/events.csv");
    eprintln!("next:");
    eprintln!("  funnel check {d}/playbook.funnel");
    eprintln!("  funnel test {d}/playbook.funnel");
    eprintln!(
        "  funnel run {d}/playbook.funnel --leads {d}/data/leads.csv --events {d}/data/events.csv"
    );
    eprintln!(
        "  funnel sample {d}/playbook.funnel --count 500 --out {d}/sample  # more data to try"
    );
    0
}

fn write(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, text)
}
