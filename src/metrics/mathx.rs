//! `exp`, `ln` and the normal CDF from `+ - * /` only, so that native and
//! wasm builds (whose system math libraries differ in the last bit) produce
//! identical metrics.

const LN2: f64 = std::f64::consts::LN_2;

/// e^x, accurate to a few ulp; 0 below -745, +inf above 709.
pub fn exp(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    if x > 709.0 {
        return f64::INFINITY;
    }
    if x < -745.0 {
        return 0.0;
    }
    // x = k ln2 + r with |r| <= ln2 / 2.
    let k = (x / LN2 + if x >= 0.0 { 0.5 } else { -0.5 }) as i64;
    let r = x - k as f64 * LN2;
    let mut term = 1.0;
    let mut sum = 1.0;
    for n in 1..=16 {
        term = term * r / n as f64;
        sum += term;
    }
    // Multiply by 2^k in two halves to stay within the normal range.
    let half = k / 2;
    sum * pow2(half) * pow2(k - half)
}

fn pow2(k: i64) -> f64 {
    let k = k.clamp(-1022, 1023);
    f64::from_bits(((k + 1023) as u64) << 52)
}

/// Natural logarithm; NaN for negative input, -inf for 0.
pub fn ln(x: f64) -> f64 {
    if x.is_nan() || x < 0.0 {
        return f64::NAN;
    }
    if x == 0.0 {
        return f64::NEG_INFINITY;
    }
    if x.is_infinite() {
        return x;
    }
    let (mut m, mut e) = if x < f64::MIN_POSITIVE {
        let scaled = x * pow2(54);
        decompose(scaled, -54)
    } else {
        decompose(x, 0)
    };
    if m > std::f64::consts::SQRT_2 {
        m /= 2.0;
        e += 1;
    }
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    let mut term = s;
    let mut sum = 0.0;
    let mut n = 1.0;
    while n < 40.0 {
        sum += term / n;
        term *= s2;
        n += 2.0;
    }
    e as f64 * LN2 + 2.0 * sum
}

/// (mantissa in [1, 2), exponent) of a normal positive float.
fn decompose(x: f64, extra: i64) -> (f64, i64) {
    let bits = x.to_bits();
    let exponent = ((bits >> 52) & 0x7ff) as i64 - 1023;
    let mantissa = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | (1023u64 << 52));
    (mantissa, exponent + extra)
}

/// The standard normal cumulative distribution function (absolute error below 2e-7).
pub fn normal_cdf(z: f64) -> f64 {
    // Abramowitz & Stegun 7.1.26 for erf(|x|), x = z / sqrt(2).
    let x = z.abs() / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.327_591_1 * x);
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    let erf = 1.0 - poly * exp(-x * x);
    if z >= 0.0 {
        0.5 * (1.0 + erf)
    } else {
        0.5 * (1.0 - erf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_system_library_closely() {
        for x in [
            -700.0, -20.5, -1.0, -0.1, 0.0, 1e-9, 0.5, 1.0, 2.5, 10.0, 300.0,
        ] {
            let (a, b) = (exp(x), f64::exp(x));
            assert!((a - b).abs() <= 1e-13 * b.abs(), "exp({x}) = {a} vs {b}");
        }
        for x in [
            1e-310, 1e-12, 0.001, 0.5, 1.0, 1.5, 2.0, 10.0, 12345.678, 1e300,
        ] {
            let (a, b) = (ln(x), f64::ln(x));
            assert!(
                (a - b).abs() <= 1e-13 * b.abs().max(1.0),
                "ln({x}) = {a} vs {b}"
            );
        }
        assert!((normal_cdf(0.0) - 0.5).abs() < 1e-7);
        assert!((normal_cdf(2.326_348) - 0.99).abs() < 1e-6);
        assert!((normal_cdf(-1.959_964) - 0.025).abs() < 1e-6);
    }
}
