//! Exporter time arithmetic: uptime-relative and NTP timestamps to epoch milliseconds.
//!
//! NetFlow v5/v9 stamp flows with exporter uptime (ms, u32, wraps after ~49.7 days) and send
//! the uptime and wall clock of the export moment in the header. The flow's age at export is
//! `sys_uptime - first` in 32-bit *wrapping* arithmetic, read as a signed 32-bit number: that
//! gives the right age across an uptime wrap (first ≈ 2^32-ε, sys_uptime small) and also
//! tolerates records stamped a few ms after the header (small negative age).

/// Milliseconds between the NTP epoch (1900-01-01) and the UNIX epoch.
pub const NTP_UNIX_OFFSET_MS: i64 = 2_208_988_800_000;

/// Absolute epoch ms of an uptime stamp, given the header's uptime and wall clock (ms).
pub fn uptime_to_epoch_ms(
    header_epoch_ms: i64,
    header_uptime_ms: u32,
    stamp_uptime_ms: u32,
) -> i64 {
    let age_ms = header_uptime_ms.wrapping_sub(stamp_uptime_ms) as i32;
    header_epoch_ms - i64::from(age_ms)
}

/// Epoch ms of a v5 header: `unix_secs` plus the nanosecond residual.
pub fn v5_header_epoch_ms(unix_secs: u32, unix_nsecs: u32) -> i64 {
    i64::from(unix_secs) * 1000 + i64::from(unix_nsecs / 1_000_000)
}

/// NTP-epoch milliseconds (as decoded from dateTimeMicro/Nanoseconds) to UNIX epoch ms.
pub fn ntp_ms_to_epoch_ms(ntp_ms: u64) -> i64 {
    ntp_ms as i64 - NTP_UNIX_OFFSET_MS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_uptime_age() {
        // header at 1_000_000 ms uptime, flow started 1500 ms earlier
        assert_eq!(uptime_to_epoch_ms(1_700_000_000_000, 1_000_000, 998_500), 1_699_999_998_500);
    }

    #[test]
    fn uptime_wrapped_between_flow_and_header() {
        // flow stamped 100 ms before the wrap, header 50 ms after it: age is 150 ms
        let first = u32::MAX - 99;
        assert_eq!(uptime_to_epoch_ms(10_000, 50, first), 10_000 - 150);
    }

    #[test]
    fn stamp_slightly_after_header_is_not_49_days_off() {
        assert_eq!(uptime_to_epoch_ms(10_000, 1_000, 1_003), 10_003);
    }

    #[test]
    fn ntp_epoch_conversion() {
        assert_eq!(ntp_ms_to_epoch_ms(2_208_988_800_000 + 5), 5);
    }
}
