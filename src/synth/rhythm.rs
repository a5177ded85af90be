//! Day/night rhythm: how busy the network is at each time of day, and the mapping from "the
//! i-th of n flows" to a time that follows it (so busy hours get more flows).
//!
//! Activity by UTC hour of day (times are treated as local time of the synthetic site):
//! 0.15 at night (20:00–06:00), rising linearly 06:00–08:00, 1.0 during the working day
//! (08:00–18:00), falling linearly 18:00–20:00.

const MINUTE_MS: i64 = 60_000;

/// Relative activity (0.15–1.0) at epoch milliseconds `t`.
pub fn activity(t_ms: i64) -> f64 {
    let h = t_ms.rem_euclid(86_400_000) as f64 / 3_600_000.0;
    const NIGHT: f64 = 0.15;
    match h {
        h if h < 6.0 => NIGHT,
        h if h < 8.0 => NIGHT + (1.0 - NIGHT) * (h - 6.0) / 2.0,
        h if h < 18.0 => 1.0,
        h if h < 20.0 => 1.0 - (1.0 - NIGHT) * (h - 18.0) / 2.0,
        _ => NIGHT,
    }
}

/// Maps a fraction of the flows (0–1) to a time in `[start, start + span)` by the inverse of the
/// cumulative activity, computed per minute and interpolated inside a minute.
#[derive(Debug, Clone)]
pub struct Clock {
    start_ms: i64,
    span_ms: i64,
    /// Cumulative activity at the end of each minute, normalised to end at 1.0.
    cumulative: Vec<f64>,
    /// Sum of activity over the span, in hours (an "activity-weighted" duration).
    weighted_hours: f64,
}

impl Clock {
    /// A clock over `[start_ms, start_ms + span_ms)`.
    pub fn new(start_ms: i64, span_ms: i64) -> Self {
        let span_ms = span_ms.max(1);
        let minutes = (span_ms + MINUTE_MS - 1) / MINUTE_MS;
        let mut cumulative = Vec::with_capacity(minutes as usize);
        let mut sum = 0.0;
        for m in 0..minutes {
            let len = (span_ms - m * MINUTE_MS).min(MINUTE_MS) as f64;
            sum += activity(start_ms + m * MINUTE_MS + MINUTE_MS / 2) * len;
            cumulative.push(sum);
        }
        let total = sum.max(f64::MIN_POSITIVE);
        cumulative.iter_mut().for_each(|c| *c /= total);
        Clock { start_ms, span_ms, cumulative, weighted_hours: total / 3_600_000.0 }
    }

    /// Time at which the fraction `q` (0–1) of all activity has happened.
    pub fn at(&self, q: f64) -> i64 {
        let q = q.clamp(0.0, 1.0);
        let m = self.cumulative.partition_point(|&c| c < q);
        if m >= self.cumulative.len() {
            return self.start_ms + self.span_ms;
        }
        let before = if m == 0 { 0.0 } else { self.cumulative[m - 1] };
        let within = if self.cumulative[m] > before {
            (q - before) / (self.cumulative[m] - before)
        } else {
            0.0
        };
        let len = (self.span_ms - m as i64 * MINUTE_MS).min(MINUTE_MS) as f64;
        self.start_ms + m as i64 * MINUTE_MS + (within * len) as i64
    }

    /// The span's activity-weighted length in hours (a full day is 13.8).
    pub fn weighted_hours(&self) -> f64 {
        self.weighted_hours
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_hours_get_more_flows_and_times_are_monotone() {
        let day = 1_795_737_600_000; // 2026-11-27T00:00:00Z
        let clock = Clock::new(day, 86_400_000);
        let n = 100_000;
        let mut last = i64::MIN;
        let mut per_hour = [0u32; 24];
        for i in 0..n {
            let t = clock.at(i as f64 / n as f64);
            assert!(t >= last && t >= day && t <= day + 86_400_000);
            last = t;
            per_hour[((t - day) / 3_600_000).min(23) as usize] += 1;
        }
        // Night hours get 0.15 of a day hour's flows (± sampling of the per-minute table).
        let ratio = f64::from(per_hour[3]) / f64::from(per_hour[12]);
        assert!((ratio - 0.15).abs() < 0.01, "{per_hour:?}");
        assert!((clock.weighted_hours() - 13.8).abs() < 0.01, "{}", clock.weighted_hours());
    }

    #[test]
    fn short_spans_and_partial_minutes_stay_inside_the_span() {
        let clock = Clock::new(1_000_000, 90_500);
        assert_eq!(clock.at(0.0), 1_000_000);
        assert!(clock.at(1.0) <= 1_090_500);
        assert!(clock.at(0.5) > 1_000_000 && clock.at(0.5) < 1_090_500);
    }
}
