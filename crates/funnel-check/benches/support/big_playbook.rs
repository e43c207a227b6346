//! A generated playbook of any size for benchmarks: realistic blocks (events,
//! stages, scores, a nurture, KPIs and a test) repeated with renamed
//! identifiers. Shared by `benches/check.rs` and `examples/big_playbook.rs`.

/// One block's declarations (outside the funnel) and its funnel lines.
fn block(i: usize) -> (String, String) {
    let decls = format!(
        r#"
event whitepaper_download_{i} {{ asset: text }}
event webinar_attended_{i}
event pricing_view_{i}
event demo_request_{i}
event deal_won_{i}     {{ amount: money, kind: one of new | addon | renewal }}
event unsubscribe_{i}

score engagement_{i} {{
  +10 on whitepaper_download_{i}
  +25 on whitepaper_download_{i} where asset == "pricing-guide"
  +15 on webinar_attended_{i}
  +20 on pricing_view_{i}    once per 7 days
  +2  on email_click       max 10 per 30 days
  +30 on demo_request_{i}    once
  -50 on unsubscribe_{i}
  decay 50% every 30 days inactive
  floor 0
  cap 100
  MQL_{i} at 50
}}

score fit_{i} {{
  +15 when company_size >= 200
  +10 when industry in (software, finance)
  +20 when title matches "(?i)\\b(vp|director|head|chief)\\b"
  -25 when email matches "@(gmail|yahoo|hotmail)\\."
}}

nurture followup_{i} {{
  enroll on whitepaper_download_{i} where asset == "state-of-revops"
  reenroll after 90 days
  exit when stage >= SQL_{i}
  exit on unsubscribe_{i}
  send within business
  send "thanks-{i}"
  wait 2 days
  if clicked "thanks-{i}" {{
    send "case-study-{i}"
  }} else {{
    send "reminder-{i}"
  }}
  wait until cron "0 10 * * TUE"
  split 50% {{
    send "invite-a-{i}"
  }} else {{
    send "invite-b-{i}"
  }}
  wait up to 5 days for webinar_attended_{i} else {{
    notify sales "Stalled lead {{email}}"
  }}
  notify sales "Hot lead {{email}}: {{engagement_{i}}}" when engagement_{i} >= 40 and fit_{i} >= 20
  set owner = "sdr-{i}"
}}

kpi mql_rate_{i}    = count(entered MQL_{i}) / count(entered Lead_{i}) by month
kpi win_rate_{i}    = count(reached Customer_{i}) / count(reached SQL_{i})
kpi avg_deal_{i}    = avg(deal_won_{i}.amount)
kpi revenue_{i}     = sum(deal_won_{i}.amount) by quarter, kind
kpi cycle_{i}       = avg(days(Lead_{i} -> Customer_{i}))
kpi velocity_{i}    = count(reached SQL_{i}) * win_rate_{i} * avg_deal_{i} / cycle_{i}
kpi breaches_{i}    = count(breached MQL_{i} -> SQL_{i})
target win_rate_{i} >= 25%

test "block {i}" {{
  lead {{ email: "ana{i}@acme.io", title: "VP Marketing", company_size: 500, industry: software }}
  at 2026-03-02 09:00 whitepaper_download_{i} {{ asset: "state-of-revops" }}
  at 2026-03-05 11:00 webinar_attended_{i}
  at 2026-03-06 14:00 demo_request_{i}
  expect score engagement_{i} == 55
  expect stage == SQL_{i}
  expect sent "thanks-{i}"
}}
"#
    );
    let stages = format!(
        "  Lead_{i} on whitepaper_download_{i}, webinar_attended_{i}\n  MQL_{i}\n  SQL_{i} on demo_request_{i}\n  Customer_{i} on deal_won_{i}\n  lost Gone_{i} on unsubscribe_{i}\n  sla MQL_{i} -> SQL_{i} within 2 business days\n"
    );
    (decls, stages)
}

/// A playbook of about `target` bytes.
pub fn playbook(target: usize) -> String {
    let mut head = String::from(
        "playbook \"Bench\"\ntimezone \"Europe/Warsaw\"\n\ncalendar business {\n  days mon..fri\n  hours 09:00..17:30\n}\n\nlead {\n  email text\n  title text?\n  company_size number?\n  industry one of software | finance | other\n  owner text?\n}\n\nevent email_click { template: text }\n",
    );
    let mut decls = String::new();
    let mut funnel = String::from("\nfunnel {\n");
    let mut i = 0;
    while head.len() + decls.len() + funnel.len() < target {
        let (d, s) = block(i);
        decls.push_str(&d);
        funnel.push_str(&s);
        i += 1;
    }
    funnel.push_str("}\n");
    head.push_str(&funnel);
    head.push_str(&decls);
    head
}
