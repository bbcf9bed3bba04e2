//! The numerics PromQL shares between functions and aggregations, written
//! to give the same floats as Prometheus (Kahan–Neumaier sums, its
//! quantile interpolation, its linear regression, Go's `math.Max`/`Min`).

/// One step of Kahan–Neumaier summation: (new sum, new compensation).
pub fn kahan_sum_inc(inc: f64, sum: f64, c: f64) -> (f64, f64) {
    let t = sum + inc;
    let c = if t.is_infinite() {
        0.0
    } else if sum.abs() >= inc.abs() {
        c + ((sum - t) + inc)
    } else {
        c + ((inc - t) + sum)
    };
    (t, c)
}

/// Compensated sum.
pub fn kahan_sum(values: impl IntoIterator<Item = f64>) -> f64 {
    let (mut sum, mut c) = (0.0, 0.0);
    for v in values {
        (sum, c) = kahan_sum_inc(v, sum, c);
    }
    sum + c
}

/// Mean as Prometheus computes it: a compensated sum divided by the count,
/// switching to an incremental mean if the sum would overflow.
pub fn mean(values: &[f64]) -> f64 {
    let Some((&first, rest)) = values.split_first() else {
        return f64::NAN;
    };
    let (mut sum, mut c) = (first, 0.0);
    let mut mean = 0.0;
    let mut incremental = false;
    let mut count = 1.0;
    for &v in rest {
        count += 1.0;
        if !incremental {
            let (new_sum, new_c) = kahan_sum_inc(v, sum, c);
            if !new_sum.is_infinite() {
                sum = new_sum;
                c = new_c;
                continue;
            }
            incremental = true;
            mean = sum / (count - 1.0);
            c /= count - 1.0;
        }
        let q = (count - 1.0) / count;
        (mean, c) = kahan_sum_inc(v / count, q * mean, q * c);
    }
    if incremental {
        mean + c
    } else {
        sum / count + c / count
    }
}

/// Population variance with compensated running sums (stdvar_over_time).
pub fn variance_compensated(values: &[f64]) -> f64 {
    let (mut count, mut mean, mut c_mean, mut aux, mut c_aux) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for &v in values {
        count += 1.0;
        let delta = v - (mean + c_mean);
        (mean, c_mean) = kahan_sum_inc(delta / count, mean, c_mean);
        (aux, c_aux) = kahan_sum_inc(delta * (v - (mean + c_mean)), aux, c_aux);
    }
    (aux + c_aux) / count
}

/// Population variance by Welford's method (the stddev/stdvar aggregations).
pub fn variance_welford(values: &[f64]) -> f64 {
    let Some((&first, rest)) = values.split_first() else {
        return f64::NAN;
    };
    // A lone NaN or infinity has no defined spread.
    let initial = if first.is_finite() { 0.0 } else { f64::NAN };
    let (mut count, mut mean, mut value) = (1.0, first, initial);
    for &v in rest {
        count += 1.0;
        let delta = v - mean;
        mean += delta / count;
        value += delta * (v - mean);
    }
    value / count
}

/// Sorts ascending with NaN first (Prometheus' `vectorByValueHeap`).
fn sort_nan_first(values: &mut [f64]) {
    values.sort_by(|a, b| match (a.is_nan(), b.is_nan()) {
        (true, true) => std::cmp::Ordering::Equal,
        (true, false) => std::cmp::Ordering::Less,
        (false, true) => std::cmp::Ordering::Greater,
        _ => a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal),
    });
}

/// The φ-quantile of `values` (linear interpolation between ranks).
pub fn quantile(q: f64, values: &mut [f64]) -> f64 {
    if values.is_empty() || q.is_nan() {
        return f64::NAN;
    }
    if q < 0.0 {
        return f64::NEG_INFINITY;
    }
    if q > 1.0 {
        return f64::INFINITY;
    }
    sort_nan_first(values);
    let n = values.len() as f64;
    let rank = q * (n - 1.0);
    let lower = rank.floor().max(0.0);
    let upper = (lower + 1.0).min(n - 1.0);
    let weight = rank - rank.floor();
    values[lower as usize] * (1.0 - weight) + values[upper as usize] * weight
}

/// Slope and intercept (at `intercept_time` ms) of the least-squares line
/// through the points, x in seconds.
pub fn linear_regression(points: &[(i64, f64)], intercept_time: i64) -> (f64, f64) {
    let Some(&(_, init_y)) = points.first() else {
        return (f64::NAN, f64::NAN);
    };
    let mut const_y = true;
    let (mut n, mut sum_x, mut c_x, mut sum_y, mut c_y) = (0.0, 0.0, 0.0, 0.0, 0.0);
    let (mut sum_xy, mut c_xy, mut sum_x2, mut c_x2) = (0.0, 0.0, 0.0, 0.0);
    for (i, &(t, v)) in points.iter().enumerate() {
        if const_y && i > 0 && v != init_y {
            const_y = false;
        }
        n += 1.0;
        let x = match t.checked_sub(intercept_time) {
            Some(d) => d as f64 / 1e3,
            None => (t as f64 - intercept_time as f64) / 1e3,
        };
        (sum_x, c_x) = kahan_sum_inc(x, sum_x, c_x);
        (sum_y, c_y) = kahan_sum_inc(v, sum_y, c_y);
        (sum_xy, c_xy) = kahan_sum_inc(x * v, sum_xy, c_xy);
        (sum_x2, c_x2) = kahan_sum_inc(x * x, sum_x2, c_x2);
    }
    if const_y {
        if init_y.is_infinite() {
            return (f64::NAN, f64::NAN);
        }
        return (0.0, init_y);
    }
    sum_x += c_x;
    sum_y += c_y;
    sum_xy += c_xy;
    sum_x2 += c_x2;
    let cov_xy = sum_xy - sum_x * sum_y / n;
    let var_x = sum_x2 - sum_x * sum_x / n;
    let slope = cov_xy / var_x;
    let intercept = sum_y / n - slope * sum_x / n;
    (slope, intercept)
}

/// Go's `math.Max`: +Inf wins over NaN, NaN over everything else.
pub fn go_max(a: f64, b: f64) -> f64 {
    if a == f64::INFINITY || b == f64::INFINITY {
        f64::INFINITY
    } else if a.is_nan() || b.is_nan() {
        f64::NAN
    } else if a == 0.0 && b == 0.0 {
        if a.is_sign_negative() {
            b
        } else {
            a
        }
    } else if a > b {
        a
    } else {
        b
    }
}

/// Go's `math.Min`: −Inf wins over NaN, NaN over everything else.
pub fn go_min(a: f64, b: f64) -> f64 {
    if a == f64::NEG_INFINITY || b == f64::NEG_INFINITY {
        f64::NEG_INFINITY
    } else if a.is_nan() || b.is_nan() {
        f64::NAN
    } else if a == 0.0 && b == 0.0 {
        if a.is_sign_negative() {
            a
        } else {
            b
        }
    } else if a < b {
        a
    } else {
        b
    }
}

/// Whether two floats are equal within a relative `epsilon` (Prometheus' `almost.Equal`).
pub fn almost_equal(a: f64, b: f64, epsilon: f64) -> bool {
    const MIN_NORMAL: f64 = f64::MIN_POSITIVE;
    if a.is_nan() && b.is_nan() {
        return true;
    }
    if a == b {
        return true;
    }
    let abs_sum = a.abs() + b.abs();
    let diff = (a - b).abs();
    if a == 0.0 || b == 0.0 || abs_sum < MIN_NORMAL {
        return diff < epsilon * MIN_NORMAL;
    }
    diff / abs_sum.min(f64::MAX) < epsilon
}

/// A classic histogram bucket: upper bound and cumulative count.
#[derive(Clone, Copy, Debug)]
pub struct Bucket {
    /// The bucket's `le`.
    pub upper_bound: f64,
    /// Observations at or below it.
    pub count: f64,
}

/// Result of [`bucket_quantile`]: the value and whether the counts had to be
/// forced monotonic.
pub struct BucketQuantile {
    /// The quantile.
    pub value: f64,
    /// Whether the counts had to be forced monotonic.
    pub forced_monotonic: bool,
}

/// `histogram_quantile` over classic buckets, as Prometheus computes it.
pub fn bucket_quantile(q: f64, buckets: &mut Vec<Bucket>) -> BucketQuantile {
    let nan = BucketQuantile {
        value: f64::NAN,
        forced_monotonic: false,
    };
    if q.is_nan() {
        return nan;
    }
    if q < 0.0 {
        return BucketQuantile {
            value: f64::NEG_INFINITY,
            forced_monotonic: false,
        };
    }
    if q > 1.0 {
        return BucketQuantile {
            value: f64::INFINITY,
            forced_monotonic: false,
        };
    }
    buckets.sort_by(|a, b| {
        a.upper_bound
            .partial_cmp(&b.upper_bound)
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    match buckets.last() {
        Some(b) if b.upper_bound == f64::INFINITY => {}
        _ => return nan,
    }
    // Coalesce buckets with the same upper bound.
    let mut coalesced: Vec<Bucket> = Vec::with_capacity(buckets.len());
    for b in buckets.iter() {
        match coalesced.last_mut() {
            Some(last) if last.upper_bound == b.upper_bound => last.count += b.count,
            _ => coalesced.push(*b),
        }
    }
    *buckets = coalesced;
    // Ensure monotonicity, ignoring tiny deltas.
    let mut forced_monotonic = false;
    let mut prev = buckets[0].count;
    for b in buckets.iter_mut().skip(1) {
        let curr = b.count;
        if curr == prev {
            continue;
        }
        if almost_equal(prev, curr, 1e-12) {
            b.count = prev;
            continue;
        }
        if curr < prev {
            b.count = prev;
            forced_monotonic = true;
            continue;
        }
        prev = curr;
    }
    if buckets.len() < 2 {
        return BucketQuantile {
            value: f64::NAN,
            forced_monotonic,
        };
    }
    let observations = buckets[buckets.len() - 1].count;
    if observations == 0.0 {
        return BucketQuantile {
            value: f64::NAN,
            forced_monotonic,
        };
    }
    let mut rank = q * observations;
    let n = buckets.len() - 1;
    let b = buckets[..n].partition_point(|bk| bk.count < rank);
    let value = if b == n {
        buckets[n - 1].upper_bound
    } else if b == 0 && buckets[0].upper_bound <= 0.0 {
        buckets[0].upper_bound
    } else {
        let bucket_end = buckets[b].upper_bound;
        let mut count = buckets[b].count;
        let mut bucket_start = 0.0;
        if b > 0 {
            bucket_start = buckets[b - 1].upper_bound;
            count -= buckets[b - 1].count;
            rank -= buckets[b - 1].count;
        }
        bucket_start + (bucket_end - bucket_start) * (rank / count)
    };
    BucketQuantile {
        value,
        forced_monotonic,
    }
}

/// `histogram_fraction` over classic buckets: the estimated fraction of
/// observations between `lower` and `upper`. The first bucket starts at 0
/// when its bound is positive; in a bucket of infinite width all its
/// observations sit at the infinite end.
pub fn bucket_fraction(lower: f64, upper: f64, buckets: &mut [Bucket]) -> f64 {
    buckets.sort_by(|a, b| {
        a.upper_bound
            .partial_cmp(&b.upper_bound)
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    match buckets.last() {
        Some(b) if b.upper_bound == f64::INFINITY => {}
        _ => return f64::NAN,
    }
    let mut coalesced: Vec<Bucket> = Vec::with_capacity(buckets.len());
    for b in buckets.iter() {
        match coalesced.last_mut() {
            Some(last) if last.upper_bound == b.upper_bound => last.count += b.count,
            _ => coalesced.push(*b),
        }
    }
    let buckets = coalesced;
    let count = buckets[buckets.len() - 1].count;
    if count == 0.0 || lower.is_nan() || upper.is_nan() {
        return f64::NAN;
    }
    if lower >= upper {
        return 0.0;
    }
    let (mut rank, mut lower_rank, mut upper_rank) = (0.0, 0.0, 0.0);
    let (mut lower_set, mut upper_set) = (false, false);
    for (i, b) in buckets.iter().enumerate() {
        let lower_bound = if i > 0 {
            buckets[i - 1].upper_bound
        } else if b.upper_bound > 0.0 {
            0.0
        } else {
            f64::NEG_INFINITY
        };
        let upper_bound = b.upper_bound;
        let interpolate = |v: f64| {
            if lower_bound == f64::NEG_INFINITY {
                b.count
            } else if upper_bound == f64::INFINITY {
                rank
            } else {
                rank + (b.count - rank) * (v - lower_bound) / (upper_bound - lower_bound)
            }
        };
        if !lower_set && lower_bound >= lower {
            lower_rank = rank;
            lower_set = true;
        }
        if !upper_set && lower_bound >= upper {
            upper_rank = rank;
            upper_set = true;
        }
        if lower_set && upper_set {
            break;
        }
        if !lower_set && lower_bound < lower && upper_bound > lower {
            lower_rank = interpolate(lower);
            lower_set = true;
        }
        if !upper_set && lower_bound < upper && upper_bound > upper {
            upper_rank = interpolate(upper);
            upper_set = true;
        }
        if lower_set && upper_set {
            break;
        }
        rank = b.count;
    }
    if !lower_set || lower_rank > count {
        lower_rank = count;
    }
    if !upper_set || upper_rank > count {
        upper_rank = count;
    }
    (upper_rank - lower_rank) / count
}

/// Natural order of strings: runs of digits compare as numbers.
pub fn natural_less(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i].is_ascii_digit() && b[j].is_ascii_digit() {
            let si = i;
            while i < a.len() && a[i].is_ascii_digit() {
                i += 1;
            }
            let sj = j;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            let da = trim_zeros(&a[si..i]);
            let db = trim_zeros(&b[sj..j]);
            let ord = da.len().cmp(&db.len()).then_with(|| da.cmp(db));
            if ord != Ordering::Equal {
                return ord;
            }
        } else {
            if a[i] != b[j] {
                return a[i].cmp(&b[j]);
            }
            i += 1;
            j += 1;
        }
    }
    (a.len() - i).cmp(&(b.len() - j))
}

fn trim_zeros(s: &[u8]) -> &[u8] {
    let first = s.iter().position(|c| *c != b'0').unwrap_or(s.len());
    &s[first..]
}

/// Days since 1970-01-01 to (year, month 1–12, day 1–31), proleptic Gregorian.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Whether `year` is a leap year.
pub fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// rate, increase and delta: the change over the window, extrapolated to
/// its edges the way Prometheus does.
///
/// `points` are the window's samples in time order (no staleness markers),
/// the window is `(range_start_ms, range_end_ms]`; `counter` corrects for
/// counter resets and extrapolates no further back than zero; `rate`
/// divides by the window's length. `None` with fewer than two points.
pub fn extrapolated_rate(
    points: &[(i64, f64)],
    range_start_ms: i64,
    range_end_ms: i64,
    counter: bool,
    rate: bool,
) -> Option<f64> {
    if points.len() < 2 {
        return None;
    }
    let first = points[0];
    let last = points[points.len() - 1];
    let mut result = last.1 - first.1;
    if counter {
        let mut prev = first.1;
        for &(_, v) in &points[1..] {
            if v < prev {
                result += prev;
            }
            prev = v;
        }
    }
    extrapolated_change(
        result,
        first,
        last,
        points.len(),
        (range_start_ms, range_end_ms),
        counter,
        rate,
    )
}

/// [`extrapolated_rate`] from a summary of the window's samples: the
/// change between the first and the last (with counter resets added back),
/// the first and last samples and how many there are (at least two).
pub fn extrapolated_change(
    result: f64,
    (first_t, first_v): (i64, f64),
    (last_t, _): (i64, f64),
    count: usize,
    (range_start_ms, range_end_ms): (i64, i64),
    counter: bool,
    rate: bool,
) -> Option<f64> {
    if count < 2 {
        return None;
    }
    let range_start = range_start_ms;
    let range_end = range_end_ms;
    let mut duration_to_start = (first_t as f64 - range_start as f64) / 1000.0;
    let mut duration_to_end = (range_end as f64 - last_t as f64) / 1000.0;
    let sampled_interval = (last_t as f64 - first_t as f64) / 1000.0;
    let average_between = sampled_interval / (count - 1) as f64;
    let threshold = average_between * 1.1;
    if duration_to_start >= threshold {
        duration_to_start = average_between / 2.0;
    }
    if counter && result > 0.0 && first_v >= 0.0 {
        let duration_to_zero = sampled_interval * (first_v / result);
        if duration_to_zero < duration_to_start {
            duration_to_start = duration_to_zero;
        }
    }
    if duration_to_end >= threshold {
        duration_to_end = average_between / 2.0;
    }
    let extrapolate_to = sampled_interval + duration_to_start + duration_to_end;
    let mut factor = extrapolate_to / sampled_interval;
    if rate {
        factor /= (range_end as f64 - range_start as f64) / 1000.0;
    }
    Some(result * factor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_interpolates_between_ranks() {
        let cases: [(f64, &[f64], f64); 4] = [
            (0.5, &[1.0, 2.0, 3.0, 4.0], 2.5),
            (0.0, &[3.0, 1.0], 1.0),
            (1.0, &[3.0, 1.0], 3.0),
            (0.25, &[0.0, 10.0], 2.5),
        ];
        for (q, values, expected) in cases {
            let mut values = values.to_vec();
            assert_eq!(quantile(q, &mut values), expected);
        }
    }

    #[test]
    fn civil_dates_match_known_days() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
    }

    #[test]
    fn go_min_max_follow_go() {
        assert!(go_max(f64::NAN, 1.0).is_nan());
        assert_eq!(go_max(f64::NAN, f64::INFINITY), f64::INFINITY);
        assert_eq!(go_min(f64::NAN, f64::NEG_INFINITY), f64::NEG_INFINITY);
        assert_eq!(go_min(2.0, 1.0), 1.0);
    }

    #[test]
    fn natural_order_compares_numbers() {
        use std::cmp::Ordering::*;
        assert_eq!(natural_less("a2", "a10"), Less);
        assert_eq!(natural_less("a10", "a2"), Greater);
        assert_eq!(natural_less("abc", "abd"), Less);
        assert_eq!(natural_less("x", "x"), Equal);
    }
}
