//! Plausible field values by type and name: emails, titles, company sizes,
//! countries, money amounts, page paths, assets… Unknown names get a
//! value of the right type, so any playbook's declarations can be filled.
//! Also the instants events fall at (waking hours, mostly) and drawn text
//! turned into the engine's values.

use funnel_check::Ty;
use rand::Rng;

use super::{Rng8, DAY};
use crate::decode::decode;
use funnel_engine::compile::Compiled;
use funnel_engine::value::{Interner, Value};

pub const FIRST: &[&str] = &[
    "ana", "ben", "chloe", "dan", "eva", "femi", "gus", "hana", "ivan", "jo", "kai", "lena", "mo",
    "nia", "oscar", "pia", "quinn", "raj", "sara", "tom", "uma", "vik", "wen", "yara",
];
pub const LAST: &[&str] = &[
    "adams", "baker", "chen", "diaz", "evans", "fischer", "garcia", "hughes", "ito", "jones",
    "kowalski", "lee", "moreau", "nowak", "okafor", "patel", "rossi", "silva", "tanaka", "weber",
];
const COMPANY_A: &[&str] = &[
    "North", "Blue", "Iron", "Bright", "Cedar", "Delta", "Echo", "Fox", "Globe", "Harbor", "Lumen",
    "Nova", "Orbit", "Pixel", "Quartz", "River", "Summit", "Terra", "Vertex", "Zen",
];
const COMPANY_B: &[&str] = &[
    "wind", "works", "labs", "soft", "data", "stack", "cloud", "metrics", "loop", "scale",
];
const TITLES: &[(&str, u32)] = &[
    ("VP Marketing", 4),
    ("VP Sales", 3),
    ("Director of Demand Generation", 5),
    ("Head of Revenue Operations", 4),
    ("Chief Revenue Officer", 1),
    ("Marketing Manager", 12),
    ("Sales Operations Manager", 8),
    ("Marketing Coordinator", 10),
    ("Account Executive", 8),
    ("Software Engineer", 6),
    ("Analyst", 6),
    ("Founder", 3),
];
const COUNTRIES: &[(&str, u32)] = &[
    ("US", 40),
    ("CA", 6),
    ("GB", 10),
    ("DE", 8),
    ("FR", 5),
    ("PL", 4),
    ("NL", 4),
    ("AU", 5),
    ("IN", 8),
    ("BR", 5),
];
pub const PATHS: &[(&str, u32)] = &[
    ("/", 10),
    ("/blog/attribution", 6),
    ("/blog/lead-scoring", 6),
    ("/blog/revops-metrics", 5),
    ("/product", 8),
    ("/integrations", 4),
    ("/customers", 3),
    ("/careers", 1),
];
pub const ASSETS: &[&str] = &[
    "revops-benchmark",
    "email-benchmarks",
    "state-of-revops",
    "pricing-guide",
    "scoring-playbook",
];
pub const FORMS: &[(&str, u32)] = &[("newsletter", 6), ("contact-sales", 2), ("event-signup", 2)];
pub const LOSS_REASONS: &[&str] = &["price", "timing", "competitor", "no decision", "features"];
pub const NEWSLETTERS: &[&str] = &["newsletter-weekly", "product-update"];

/// A weighted pick.
pub fn pick<'a>(rng: &mut Rng8, items: &[(&'a str, u32)]) -> &'a str {
    let total: u32 = items.iter().map(|(_, w)| *w).sum();
    let mut x = rng.random_range(0..total.max(1));
    for (item, w) in items {
        if x < *w {
            return item;
        }
        x -= w;
    }
    items.first().map_or("", |(i, _)| i)
}

pub fn one<'a>(rng: &mut Rng8, items: &[&'a str]) -> &'a str {
    items[rng.random_range(0..items.len())]
}

/// Who a lead is: the parts other fields are derived from.
pub struct Person {
    pub first: &'static str,
    pub last: &'static str,
    pub company: String,
    pub domain: String,
    /// Free-mail or throwaway address instead of a company one.
    pub mail_domain: Option<&'static str>,
    pub size: u32,
    pub title: &'static str,
    /// 0..1: how senior and well-fitting the lead is.
    pub fit: f64,
}

pub fn person(rng: &mut Rng8) -> Person {
    let first = one(rng, FIRST);
    let last = one(rng, LAST);
    let company = format!("{}{}", one(rng, COMPANY_A), one(rng, COMPANY_B));
    let domain = format!(
        "{}.{}",
        company.to_lowercase(),
        one(rng, &["com", "io", "co"])
    );
    let r: f64 = rng.random();
    let mail_domain = if r < 0.012 {
        Some("mailinator.com")
    } else if r < 0.14 {
        Some(one(
            rng,
            &["gmail.com", "yahoo.com", "outlook.com", "hotmail.com"],
        ))
    } else {
        None
    };
    let bucket: f64 = rng.random();
    let size = if bucket < 0.35 {
        rng.random_range(2..50)
    } else if bucket < 0.65 {
        rng.random_range(50..200)
    } else if bucket < 0.9 {
        rng.random_range(200..1_000)
    } else {
        rng.random_range(1_000..20_000)
    };
    let title = pick(rng, TITLES);
    let senior = ["VP", "Director", "Head", "Chief"]
        .iter()
        .any(|w| title.contains(w));
    let fit = (if senior { 0.45 } else { 0.15 })
        + if size >= 200 { 0.3 } else { 0.1 }
        + if mail_domain.is_some() { -0.2 } else { 0.1 }
        + rng.random::<f64>() * 0.2;
    Person {
        first,
        last,
        company,
        domain,
        mail_domain,
        size,
        title,
        fit: fit.clamp(0.0, 1.0),
    }
}

/// A value for lead field `name` of type `ty`, as text; `None` leaves it empty.
pub fn lead_value(
    rng: &mut Rng8,
    p: &Person,
    name: &str,
    ty: &Ty,
    optional: bool,
) -> Option<String> {
    if optional && rng.random_bool(0.06) {
        return None;
    }
    let lname = name.to_ascii_lowercase();
    Some(match ty {
        Ty::Text if lname.contains("email") => {
            let domain = p.mail_domain.map_or(p.domain.clone(), str::to_string);
            format!("{}.{}@{domain}", p.first, p.last)
        }
        Ty::Text if lname.contains("title") => p.title.to_string(),
        Ty::Text if lname.contains("company") => p.company.clone(),
        Ty::Text if lname.contains("country") => pick(rng, COUNTRIES).to_string(),
        Ty::Text if lname.contains("name") => format!("{} {}", cap(p.first), cap(p.last)),
        Ty::Number if lname.contains("size") || lname.contains("employees") => p.size.to_string(),
        Ty::Enum(values) if lname == "source" => {
            let weights: Vec<(&str, u32)> = values
                .iter()
                .map(|v| {
                    let w = match v.as_str() {
                        "organic" => 30,
                        "paid_search" => 20,
                        "paid_social" => 15,
                        "referral" => 8,
                        "events" => 10,
                        "partner" => 6,
                        _ => 10,
                    };
                    (v.as_str(), w)
                })
                .collect();
            pick(rng, &weights).to_string()
        }
        _ => value(rng, name, ty),
    })
}

/// A generic value of a type.
pub fn value(rng: &mut Rng8, name: &str, ty: &Ty) -> String {
    match ty {
        Ty::Number => rng.random_range(1..1_000).to_string(),
        Ty::Money => (rng.random_range(10..600) * 100).to_string(),
        Ty::Percent => format!("{}%", rng.random_range(1..100)),
        Ty::Duration => format!("{} days", rng.random_range(1..60)),
        Ty::Date => format!(
            "2026-0{}-1{}",
            rng.random_range(1..7),
            rng.random_range(0..9)
        ),
        Ty::DateTime => format!(
            "2026-0{}-1{} {:02}:00",
            rng.random_range(1..7),
            rng.random_range(0..9),
            rng.random_range(8..18)
        ),
        Ty::Bool => rng.random_bool(0.5).to_string(),
        Ty::Enum(values) => values[rng.random_range(0..values.len())].clone(),
        Ty::Text | Ty::Stage | Ty::MoneyPerDay | Ty::Error => {
            format!("{name}-{}", rng.random_range(1..20))
        }
    }
}

fn cap(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// An instant `min..max` days after `t`, moved into 13:00-23:00 UTC (the
/// working day in the Americas and Europe) most of the time.
pub(crate) fn after(rng: &mut Rng8, t: i64, min_days: f64, max_days: f64) -> i64 {
    let d = rng.random_range(min_days..max_days.max(min_days + 0.01));
    let raw = t + (d * DAY as f64) as i64;
    let day = raw.div_euclid(DAY) * DAY;
    let hour = if rng.random_bool(0.9) {
        rng.random_range(13..23)
    } else {
        rng.random_range(0..24)
    };
    let t2 = day + hour * 3_600 + rng.random_range(0..60) * 60;
    t2.max(t + 60)
}

/// A drawn text as the engine's value; text must be in the vocabulary
/// interned before the lead's replay began (anything else reads as missing).
pub(crate) fn to_value(text: &str, ty: &Ty, c: &Compiled, texts: &Interner) -> Value {
    match ty {
        Ty::Text | Ty::Enum(_) => texts.get(text).map_or(Value::Missing, Value::Text),
        _ => decode(text, ty, c.tz, &mut Interner::new()).unwrap_or(Value::Missing),
    }
}
