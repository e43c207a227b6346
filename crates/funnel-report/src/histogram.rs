//! Histogram bins for a KPI's values over runs, computed here so the page,
//! its table and the tests agree on them: Sturges' number of bins
//! (`⌈log2 n⌉ + 1`), a step rounded to 1, 2 or 5 times a power of ten
//! (at least 1 for whole numbers), bins `[x1, x2)` starting at a multiple
//! of the step. Several series (`--vs`) share one set of bins.

/// One bin and how many values of each series fall in it.
#[derive(Clone, Debug, PartialEq)]
pub struct Bin {
    pub x1: f64,
    pub x2: f64,
    pub counts: Vec<usize>,
}

/// The smallest of 1, 2, 5 × 10^k that is at least `raw` (> 0).
pub fn nice_step(raw: f64) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let p = 10f64.powf(raw.log10().floor());
    for m in [1.0, 2.0, 5.0, 10.0] {
        if m * p >= raw * (1.0 - 1e-9) {
            return m * p;
        }
    }
    10.0 * p
}

/// Bins over every value of `series` (each a list of values); `whole`:
/// the values are whole numbers, so a step is at least 1.
pub fn bins(series: &[&[f64]], whole: bool) -> Vec<Bin> {
    let all: Vec<f64> = series
        .iter()
        .flat_map(|s| s.iter().copied())
        .filter(|v| v.is_finite())
        .collect();
    let Some(min) = all.iter().copied().reduce(f64::min) else {
        return Vec::new();
    };
    let max = all.iter().copied().fold(min, f64::max);
    let k = (all.len() as f64).log2().ceil().max(0.0) + 1.0;
    let mut step = if max > min {
        nice_step((max - min) / k)
    } else if min != 0.0 {
        nice_step(min.abs() / 10.0)
    } else {
        0.01
    };
    if whole {
        step = step.max(1.0).round();
    }
    let start = (min / step).floor() * step;
    let n = (((max - start) / step + 1e-9).floor() as usize + 1).min(1000);
    let mut out: Vec<Bin> = (0..n)
        .map(|i| Bin {
            x1: start + i as f64 * step,
            x2: start + (i + 1) as f64 * step,
            counts: vec![0; series.len()],
        })
        .collect();
    for (si, s) in series.iter().enumerate() {
        for &v in s.iter().filter(|v| v.is_finite()) {
            // A value on an edge belongs to the bin above it, whatever the
            // rounding of `start + i * step`.
            let i = (((v - start) / step + 1e-9).floor().max(0.0) as usize).min(n - 1);
            if let Some(b) = out.get_mut(i) {
                b.counts[si] += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_one_two_or_five() {
        assert_eq!(nice_step(0.7), 1.0);
        assert_eq!(nice_step(1.3), 2.0);
        assert_eq!(nice_step(3.0), 5.0);
        assert_eq!(nice_step(7.5), 10.0);
        assert!((nice_step(0.013) - 0.02).abs() < 1e-12);
        assert_eq!(nice_step(20.0), 20.0);
    }

    #[test]
    fn whole_numbers_by_hand() {
        // 8 values: k = 3 + 1 = 4 bins wanted; (17 − 10) / 4 = 1.75 → step 2,
        // start 10: [10,12) [12,14) [14,16) [16,18).
        let v = [10.0, 11.0, 12.0, 12.0, 13.0, 15.0, 16.0, 17.0];
        let b = bins(&[&v], true);
        let edges: Vec<(f64, f64)> = b.iter().map(|b| (b.x1, b.x2)).collect();
        assert_eq!(
            edges,
            [(10.0, 12.0), (12.0, 14.0), (14.0, 16.0), (16.0, 18.0)]
        );
        let counts: Vec<usize> = b.iter().map(|b| b.counts[0]).collect();
        assert_eq!(counts, [2, 3, 1, 2]);
    }

    #[test]
    fn series_share_bins_and_every_value_is_counted() {
        let a = [0.1, 0.2, 0.25];
        let c = [0.3, 0.35];
        let b = bins(&[&a, &c], false);
        // 5 values: k = 3 + 1 = 4; (0.35 − 0.1) / 4 = 0.0625 → step 0.1;
        // start 0.1: [0.1,0.2) [0.2,0.3) [0.3,0.4).
        assert_eq!(b.len(), 3);
        let counts: Vec<Vec<usize>> = b.iter().map(|b| b.counts.clone()).collect();
        assert_eq!(counts, [vec![1, 0], vec![2, 0], vec![0, 2]]);
    }

    #[test]
    fn one_value_gets_one_bin() {
        let b = bins(&[&[5.0, 5.0]], true);
        assert_eq!(b.len(), 1);
        assert_eq!((b[0].x1, b[0].x2, b[0].counts[0]), (5.0, 6.0, 2));
        assert!(bins(&[&[]], false).is_empty());
    }
}
