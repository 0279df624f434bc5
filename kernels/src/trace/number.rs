//! How numbers are written everywhere a person reads them: 4 significant digits, `-0` as `0`.
//! Snapshots use the same rule, so they are stable.

/// Formats `x` with 4 significant digits; small or large magnitudes use `e` notation.
pub fn fmt_num(x: f64) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if x == 0.0 {
        return "0".into();
    }
    // Round to 4 significant digits first, so 9999.9 becomes 1e4 rather than "10000".
    let rounded: f64 = format!("{x:.3e}").parse().unwrap_or(x);
    let mag = rounded.abs();
    let s = if (1e-3..1e4).contains(&mag) {
        let decimals = (3 - mag.log10().floor() as i32).max(0) as usize;
        trim_zeros(&format!("{rounded:.decimals$}"))
    } else {
        let s = format!("{rounded:.3e}");
        match s.split_once('e') {
            Some((m, e)) => format!("{}e{e}", trim_zeros(m)),
            None => s,
        }
    };
    if s.parse::<f64>().is_ok_and(|v| v == 0.0) {
        "0".into()
    } else {
        s
    }
}

fn trim_zeros(s: &str) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::fmt_num as num;

    #[test]
    fn four_significant_digits() {
        assert_eq!(num(0.0), "0");
        assert_eq!(num(-0.0), "0");
        assert_eq!(num(-1e-20 * 0.0), "0");
        assert_eq!(num(1.0), "1");
        assert_eq!(num(2.34567), "2.346");
        assert_eq!(num(-123.456), "-123.5");
        assert_eq!(num(0.012345), "0.01235");
        assert_eq!(num(12345.6), "1.235e4");
        assert_eq!(num(1234.56), "1235");
        assert_eq!(num(9999.9), "1e4");
        assert_eq!(num(0.00099996), "0.001");
        assert_eq!(num(99999.9), "1e5");
        assert_eq!(num(1e300), "1e300");
        assert_eq!(num(f64::MIN_POSITIVE), "2.225e-308");
        assert_eq!(num(1e-6), "1e-6");
        assert_eq!(num(-2.5e-9), "-2.5e-9");
        assert_eq!(num(123456.0), "1.235e5");
        assert_eq!(num(f64::NAN), "NaN");
        assert_eq!(num(f64::NEG_INFINITY), "-inf");
    }
}
