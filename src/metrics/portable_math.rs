//! `exp`, `ln`, `round` and the normal CDF from `+ - * /` only, so that
//! native and wasm builds (whose system math libraries differ in the last
//! bit) produce identical metrics.
//!
//! They run for every series at every step, so they are built for speed:
//! `exp` and `ln` are short polynomials (Horner, constant coefficients)
//! after range reduction, and the normal CDF is a cubic Hermite
//! interpolation of a table computed from this module's
//! own `exp`, at compile time.
//!
//! ```
//! use firedrill::metrics::portable_math::{exp, ln, normal_cdf, round};
//! assert!((exp(1.0) - std::f64::consts::E).abs() < 1e-15);
//! assert!((ln(std::f64::consts::E) - 1.0).abs() < 1e-15);
//! assert!((normal_cdf(1.959_964) - 0.975).abs() < 1e-7);
//! assert_eq!((round(2.5), round(-2.5), round(0.49)), (3.0, -3.0, 0.0));
//! ```

const LN2: f64 = std::f64::consts::LN_2;

/// 1/n! for n = 0..=16 (evaluated at compile time, exactly as IEEE
/// division defines: the same bits on every platform).
const INV_FACTORIAL: [f64; 17] = {
    let mut table = [1.0; 17];
    let mut n = 1;
    while n < 17 {
        table[n] = table[n - 1] / n as f64;
        n += 1;
    }
    table
};

/// 1/(2k+1) for k = 0..=11, for the series of `ln`.
const INV_ODD: [f64; 12] = {
    let mut table = [1.0; 12];
    let mut k = 0;
    while k < 12 {
        table[k] = 1.0 / (2 * k + 1) as f64;
        k += 1;
    }
    table
};

/// e^x, accurate to a few ulp; 0 below -745, +inf above 709.
pub const fn exp(x: f64) -> f64 {
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
    // Taylor series to r^16 / 16! (below 1e-22 for |r| <= 0.35), by Horner.
    let mut sum = INV_FACTORIAL[16];
    let mut n = 16;
    while n > 0 {
        n -= 1;
        sum = sum * r + INV_FACTORIAL[n];
    }
    // Multiply by 2^k in two halves to stay within the normal range.
    let half = k / 2;
    sum * pow2(half) * pow2(k - half)
}

const fn pow2(k: i64) -> f64 {
    let k = if k < -1022 {
        -1022
    } else if k > 1023 {
        1023
    } else {
        k
    };
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
    // ln m = 2 atanh s = 2 (s + s^3/3 + s^5/5 + ...), s = (m-1)/(m+1),
    // |s| <= 0.1716: twelve terms reach below 1e-19.
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    let mut sum = INV_ODD[11];
    let mut k = 11;
    while k > 0 {
        k -= 1;
        sum = sum * s2 + INV_ODD[k];
    }
    e as f64 * LN2 + 2.0 * s * sum
}

/// (mantissa in [1, 2), exponent) of a normal positive float.
fn decompose(x: f64, extra: i64) -> (f64, i64) {
    let bits = x.to_bits();
    let exponent = ((bits >> 52) & 0x7ff) as i64 - 1023;
    let mantissa = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | (1023u64 << 52));
    (mantissa, exponent + extra)
}

/// Rounds half away from zero, exactly as `f64::round` (which is a library
/// call on some targets).
#[inline]
pub fn round(x: f64) -> f64 {
    // Beyond 2^52 every float is an integer (and NaN, inf stay as they are).
    if x.is_nan() || x.abs() >= 4_503_599_627_370_496.0 {
        return x;
    }
    let truncated = x as i64 as f64;
    let rest = x - truncated;
    if rest >= 0.5 {
        truncated + 1.0
    } else if rest <= -0.5 {
        truncated - 1.0
    } else if truncated == 0.0 {
        // Keep the sign of zero, as f64::round does.
        0.0 * x
    } else {
        truncated
    }
}

/// Table nodes per unit of z.
const CDF_NODES_PER_UNIT: f64 = 64.0;
/// The table covers z in [-CDF_RANGE, CDF_RANGE]; beyond, Φ is 0 or 1 to
/// within 1e-15.
const CDF_RANGE: f64 = 8.0;
const CDF_NODES: usize = (2.0 * CDF_RANGE * CDF_NODES_PER_UNIT) as usize + 1;

/// φ(z) = e^(-z²/2) / √(2π).
const fn normal_pdf(z: f64) -> f64 {
    const INV_SQRT_2PI: f64 = 0.398_942_280_401_432_7;
    INV_SQRT_2PI * exp(-0.5 * z * z)
}

const fn abs(x: f64) -> f64 {
    if x < 0.0 {
        -x
    } else {
        x
    }
}

/// Φ(z) by its series (Abramowitz & Stegun 26.2.10) for |z| <= 3 and the
/// continued fraction of the upper tail (26.2.14) beyond: accurate to
/// about 1e-15, slow; used only to build the table.
const fn normal_cdf_exact(z: f64) -> f64 {
    if abs(z) <= 3.0 {
        // Φ(z) = 1/2 + φ(z) Σ z^(2n+1) / (1·3·5···(2n+1)).
        let mut term = z;
        let mut sum = z;
        let mut n = 1.0;
        while abs(term) > 1e-18 * abs(sum) && n <= 200.0 {
            term = term * z * z / (2.0 * n + 1.0);
            sum += term;
            n += 1.0;
        }
        0.5 + normal_pdf(z) * sum
    } else {
        // Upper tail Q(x) = φ(x) / (x + 1/(x + 2/(x + 3/(x + ...)))).
        let x = abs(z);
        let mut fraction = x;
        let mut k = 60.0;
        while k >= 1.0 {
            fraction = x + k / fraction;
            k -= 1.0;
        }
        let tail = normal_pdf(x) / fraction;
        if z > 0.0 {
            1.0 - tail
        } else {
            tail
        }
    }
}

/// Φ and its derivative φ (times the node spacing) at every node,
/// interleaved as (Φ, φh) pairs: computed at compile time, so every build
/// has the same bits.
static CDF_TABLE: [[f64; 2]; CDF_NODES] = {
    let mut table = [[0.0; 2]; CDF_NODES];
    let mut i = 0;
    while i < CDF_NODES {
        let z = i as f64 / CDF_NODES_PER_UNIT - CDF_RANGE;
        table[i] = [normal_cdf_exact(z), normal_pdf(z) / CDF_NODES_PER_UNIT];
        i += 1;
    }
    table
};

/// The standard normal cumulative distribution function (absolute error
/// below 1e-10): cubic Hermite interpolation between table nodes 1/64 apart.
#[inline]
pub fn normal_cdf(z: f64) -> f64 {
    if z.is_nan() {
        return z;
    }
    if z <= -CDF_RANGE {
        return 0.0;
    }
    if z >= CDF_RANGE {
        return 1.0;
    }
    let position = (z + CDF_RANGE) * CDF_NODES_PER_UNIT;
    let i = (position as usize).min(CDF_NODES - 2);
    let t = position - i as f64;
    let [y0, d0] = CDF_TABLE[i];
    let [y1, d1] = CDF_TABLE[i + 1];
    // Hermite basis on t in [0, 1].
    let t2 = t * t;
    let t3 = t2 * t;
    let h00 = 2.0 * t3 - 3.0 * t2 + 1.0;
    let h10 = t3 - 2.0 * t2 + t;
    let h01 = 3.0 * t2 - 2.0 * t3;
    let h11 = t3 - t2;
    (h00 * y0 + h10 * d0 + h01 * y1 + h11 * d1).clamp(0.0, 1.0)
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
        assert!((normal_cdf(0.0) - 0.5).abs() < 1e-12);
        assert!((normal_cdf(2.326_348) - 0.99).abs() < 1e-6);
        assert!((normal_cdf(-1.959_964) - 0.025).abs() < 1e-6);
    }

    #[test]
    fn the_interpolated_cdf_is_close_to_the_exact_one_everywhere() {
        let mut worst = 0.0f64;
        let mut previous = 0.0;
        for i in -90_000..=90_000 {
            let z = i as f64 / 10_000.0;
            let v = normal_cdf(z);
            worst = worst.max((v - normal_cdf_exact(z)).abs());
            // Monotonic up to rounding in the last bits.
            assert!(v >= previous - 1e-15, "not monotonic at {z}");
            previous = v;
        }
        assert!(worst < 1e-10, "worst error {worst}");
        // The exact one against known values.
        assert!((normal_cdf_exact(-1.0) - 0.158_655_253_931_457_05).abs() < 1e-15);
        assert!((normal_cdf_exact(-5.0) - 2.866_515_718_791_939e-7).abs() < 1e-20);
        assert!(normal_cdf(f64::NAN).is_nan());
        assert_eq!((normal_cdf(-9.0), normal_cdf(9.0)), (0.0, 1.0));
    }

    #[test]
    fn round_is_f64_round() {
        for x in [
            0.0,
            -0.0,
            0.5,
            -0.5,
            1.5,
            2.5,
            -2.5,
            0.499_999_999_999_999_94,
            1e15 + 0.5,
            4.5e15,
            -7.49,
            1e300,
            f64::INFINITY,
            f64::NEG_INFINITY,
            123_456.5,
            -0.2,
        ] {
            assert_eq!(round(x).to_bits(), x.round().to_bits(), "round({x})");
        }
        assert!(round(f64::NAN).is_nan());
    }
}
