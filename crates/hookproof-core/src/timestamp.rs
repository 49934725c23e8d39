//! Timestamps as providers write them: unix seconds or milliseconds,
//! RFC 3339, HTTP-date. Parsing gives unix seconds (what freshness is
//! checked on); formatting is for [`Signer`](crate::Signer).

use std::time::{SystemTime, UNIX_EPOCH};

use crate::TimestampFormat;

/// Unix seconds of the timestamp `text`, or why it is not one.
pub(crate) fn parse(format: TimestampFormat, text: &str) -> Result<i64, &'static str> {
    match format {
        TimestampFormat::UnixSeconds => parse_integer(text).ok_or("timestamp is not unix seconds"),
        TimestampFormat::UnixMillis => {
            parse_integer(text).map(|millis| millis.div_euclid(1000)).ok_or("timestamp is not unix milliseconds")
        }
        TimestampFormat::Rfc3339 => parse_rfc3339(text, false).ok_or("timestamp is not an RFC 3339 date"),
        TimestampFormat::Iso8601Utc => parse_rfc3339(text, true).ok_or("timestamp is not an ISO 8601 date"),
        TimestampFormat::HttpDate => httpdate::parse_http_date(text)
            .ok()
            .and_then(|time| time.duration_since(UNIX_EPOCH).ok())
            .and_then(|since| i64::try_from(since.as_secs()).ok())
            .ok_or("timestamp is not an HTTP date"),
    }
}

/// A sign and 1 to 19 digits.
fn parse_integer(text: &str) -> Option<i64> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || digits.len() > 19 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)`; `t`, `z` and a space
/// for `T` are accepted, as RFC 3339 allows. With `naive_is_utc`, the
/// offset may also be left out, meaning UTC (ISO 8601 local time as Orb
/// sends it).
fn parse_rfc3339(text: &str, naive_is_utc: bool) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() < 19
        || (b.len() < 20 && !naive_is_utc)
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't' | b' ')
    {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = &b[range];
        part.iter().all(u8::is_ascii_digit).then(|| part.iter().fold(0i64, |n, d| n * 10 + i64::from(d - b'0')))
    };
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut rest = &b[19..];
    if let Some(fraction) = rest.strip_prefix(b".") {
        let digits = fraction.iter().take_while(|d| d.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        rest = &fraction[digits..];
    }
    let offset = match rest {
        b"Z" | b"z" => 0,
        b"" if naive_is_utc => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let two = |a: u8, b: u8| -> Option<i64> {
                (a.is_ascii_digit() && b.is_ascii_digit()).then(|| i64::from(a - b'0') * 10 + i64::from(b - b'0'))
            };
            let (hours, minutes) = (two(*h1, *h2)?, two(*m1, *m2)?);
            if hours > 23 || minutes > 59 {
                return None;
            }
            let offset = hours * 3600 + minutes * 60;
            if *sign == b'+' {
                offset
            } else {
                -offset
            }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    Some(days * 86_400 + hour * 3600 + minute * 60 + second - offset)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The civil date of a day count since 1970-01-01 (inverse of the above).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 { month_index + 3 } else { month_index - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `at` written the way `format` says (what a [`Signer`](crate::Signer) sends).
pub(crate) fn format(format: TimestampFormat, at: SystemTime) -> String {
    let (seconds, millis) = match at.duration_since(UNIX_EPOCH) {
        Ok(after) => (i64::try_from(after.as_secs()).unwrap_or(i64::MAX), i64::from(after.subsec_millis())),
        Err(before) => (i64::try_from(before.duration().as_secs()).map_or(i64::MIN, |secs| -secs), 0),
    };
    match format {
        TimestampFormat::UnixSeconds => seconds.to_string(),
        TimestampFormat::UnixMillis => seconds.saturating_mul(1000).saturating_add(millis).to_string(),
        TimestampFormat::Rfc3339 => {
            let (year, month, day) = civil_from_days(seconds.div_euclid(86_400));
            let time = seconds.rem_euclid(86_400);
            format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", time / 3600, time % 3600 / 60, time % 60)
        }
        TimestampFormat::Iso8601Utc => {
            let (year, month, day) = civil_from_days(seconds.div_euclid(86_400));
            let time = seconds.rem_euclid(86_400);
            format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}", time / 3600, time % 3600 / 60, time % 60)
        }
        TimestampFormat::HttpDate => httpdate::fmt_http_date(if seconds >= 0 { at } else { UNIX_EPOCH }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn rfc3339_with_fractions_and_offsets() {
        assert_eq!(parse(TimestampFormat::Rfc3339, "1970-01-01T00:00:00Z"), Ok(0));
        assert_eq!(parse(TimestampFormat::Rfc3339, "2020-01-01T00:00:00-07:00"), Ok(1_577_862_000));
        assert_eq!(parse(TimestampFormat::Rfc3339, "2022-11-16T10:11:12.634234626Z"), Ok(1_668_593_472));
        assert_eq!(parse(TimestampFormat::Rfc3339, "2021-03-25T05:09:27Z"), Ok(1_616_648_967));
        assert!(parse(TimestampFormat::Rfc3339, "2021-02-30T05:09:27Z").is_err());
        assert!(parse(TimestampFormat::Rfc3339, "2021-03-25 05:09:27").is_err());
        assert!(parse(TimestampFormat::Rfc3339, "1616648967").is_err());
    }

    #[test]
    fn iso8601_without_an_offset_is_utc() {
        let orb = TimestampFormat::Iso8601Utc;
        assert_eq!(parse(orb, "2021-03-25T05:09:27"), Ok(1_616_648_967));
        assert_eq!(parse(orb, "2021-03-25T05:09:27.123456"), Ok(1_616_648_967));
        assert_eq!(parse(orb, "2021-03-25T05:09:27Z"), Ok(1_616_648_967));
        assert_eq!(parse(orb, "2020-01-01T00:00:00-07:00"), Ok(1_577_862_000));
        assert!(parse(orb, "2021-03-25T05:09:2").is_err());
        assert!(parse(orb, "2021-03-25T05:09:27.").is_err());
        assert!(parse(orb, "2021-03-25T05:09:27+01").is_err());
        assert!(parse(orb, "1616648967").is_err());
        // Plain RFC 3339 still wants the offset.
        assert!(parse(TimestampFormat::Rfc3339, "2021-03-25T05:09:27").is_err());
    }

    #[test]
    fn millis_http_dates_and_round_trips() {
        assert_eq!(parse(TimestampFormat::UnixMillis, "1752613922216"), Ok(1_752_613_922));
        assert_eq!(parse(TimestampFormat::HttpDate, "Thu, 04 Jan 2024 18:05:25 GMT"), Ok(1_704_391_525));
        assert!(parse(TimestampFormat::HttpDate, "yesterday").is_err());
        let at = UNIX_EPOCH + Duration::from_millis(1_704_391_525_123);
        for kind in [
            TimestampFormat::UnixSeconds,
            TimestampFormat::UnixMillis,
            TimestampFormat::Rfc3339,
            TimestampFormat::Iso8601Utc,
            TimestampFormat::HttpDate,
        ] {
            assert_eq!(parse(kind, &format(kind, at)), Ok(1_704_391_525), "{kind:?}");
        }
        assert_eq!(format(TimestampFormat::Rfc3339, at), "2024-01-04T18:05:25Z");
        assert_eq!(format(TimestampFormat::Iso8601Utc, at), "2024-01-04T18:05:25");
    }
}
