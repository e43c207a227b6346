//! What a simulation will cost, worked out from the scenario before any
//! lead is drawn: leads per run, simulated leads in all, and memory. The
//! command refuses a simulation beyond its limits with these figures and
//! the key to change, instead of running out of memory or running for
//! days (`rate: 1e12`, `horizon_days: 1000000000`, `--runs 1000000000`).

use crate::scenario::Scenario;

/// Memory one lead of a running run takes (its fields, events, timers and
/// trace), rounded up from bench/scenario.yaml: 356 MB at peak for two
/// runs of about 100,000 leads at a time.
pub const BYTES_PER_LEAD: f64 = 2_048.0;

/// Memory for the program, the scenario and the thread pool.
pub const BASE_BYTES: f64 = 64.0 * 1024.0 * 1024.0;

/// Memory one finished run's summary keeps, per week of the horizon.
pub const BYTES_PER_RUN_WEEK: f64 = 512.0;

/// Simulated leads (runs × leads per run) beyond which a simulation is
/// refused: at about 300,000 leads a second, ten hours of work.
pub const MAX_LEAD_RUNS: f64 = 1e10;

/// The size of a simulation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    /// Leads one run draws (the mean for Poisson arrivals).
    pub leads_per_run: f64,
    /// Runs in all (twice `--runs` with a second playbook).
    pub runs: f64,
    /// Runs in memory at once.
    pub concurrent: f64,
    /// Peak memory in bytes.
    pub bytes: f64,
}

impl Estimate {
    /// Simulated leads in all.
    pub fn lead_runs(&self) -> f64 {
        self.leads_per_run * self.runs
    }
}

/// The size of `runs` runs of `s` (`playbooks` 1 or 2) on `threads` threads.
pub fn estimate(s: &Scenario, runs: u64, playbooks: u64, threads: usize) -> Estimate {
    let days = f64::from(s.horizon_days.0);
    let per = s.arrivals.per.days();
    let leads_per_run = if s.arrivals.exact {
        s.arrivals.rate.0.round() * (days / per).ceil()
    } else {
        s.arrivals.rate.0 / per * days
    };
    let runs = runs as f64 * playbooks as f64;
    let concurrent = runs.min(threads.max(1) as f64);
    let weeks = (days / 7.0).ceil();
    let bytes = BASE_BYTES
        + leads_per_run * BYTES_PER_LEAD * concurrent
        + runs * weeks * BYTES_PER_RUN_WEEK;
    Estimate {
        leads_per_run,
        runs,
        concurrent,
        bytes,
    }
}

/// A byte count for people: `1.5 GB`, `356 MB`.
pub fn human_bytes(b: f64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut x = b;
    let mut u = 0;
    while x >= 1000.0 && u + 1 < UNITS.len() {
        x /= 1000.0;
        u += 1;
    }
    if !x.is_finite() || x >= 1000.0 {
        return format!("{b:.1e} B");
    }
    if u == 0 {
        format!("{x:.0} B")
    } else {
        format!("{x:.1} {}", UNITS[u])
    }
}

/// `4GB`, `512MB`, `2GiB`, `1.5 TB` or a plain number of bytes.
pub fn parse_bytes(text: &str) -> Option<f64> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num.parse().ok()?;
    let scale = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "m" | "mb" => 1e6,
        "g" | "gb" => 1e9,
        "t" | "tb" => 1e12,
        "kib" => 1024.0,
        "mib" => 1024.0 * 1024.0,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        "tib" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    let b = n * scale;
    (b.is_finite() && b > 0.0).then_some(b)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn scenario(arrivals: &str, days: u32) -> Scenario {
        let text = format!("start: 2026-04-06\nhorizon_days: {days}\narrivals:\n{arrivals}\n");
        Scenario::from_yaml(&text).unwrap()
    }

    #[test]
    fn leads_runs_and_memory_follow_the_scenario() {
        let s = scenario("  rate: 70\n  per: week", 182);
        let e = estimate(&s, 100, 1, 2);
        assert_eq!(e.leads_per_run, 1_820.0);
        assert_eq!(e.lead_runs(), 182_000.0);
        assert_eq!(e.concurrent, 2.0);
        // 64 MiB + 1,820 × 2,048 × 2 + 100 × 26 weeks × 512.
        assert_eq!(e.bytes, 67_108_864.0 + 7_454_720.0 + 1_331_200.0);
        let exact = scenario("  rate: 10.4\n  per: week\n  exact: true", 15);
        assert_eq!(estimate(&exact, 1, 2, 8).leads_per_run, 30.0);
        assert_eq!(estimate(&exact, 1, 2, 8).concurrent, 2.0);
    }

    #[test]
    fn byte_counts_read_and_print() {
        assert_eq!(parse_bytes("4GB"), Some(4e9));
        assert_eq!(parse_bytes("512 MiB"), Some(536_870_912.0));
        assert_eq!(parse_bytes("1000"), Some(1000.0));
        assert_eq!(parse_bytes("4 parsecs"), None);
        assert_eq!(parse_bytes("-1GB"), None);
        assert_eq!(human_bytes(356e6), "356.0 MB");
        assert_eq!(human_bytes(7.3e9), "7.3 GB");
        assert_eq!(human_bytes(1e300), "1.0e300 B");
    }
}
