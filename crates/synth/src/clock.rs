//! UTC calendar arithmetic and the timestamp spellings each dump format uses.
//!
//! Formatting is done by hand (days-from-civil arithmetic) because it runs several times per order row.

/// 2019-01-01 00:00:00 UTC: the world's first second.
pub const WORLD_START: i64 = 1_546_300_800;
/// 2021-03-31 23:59:59 UTC: the world's last second (inside both price tables).
pub const WORLD_END: i64 = 1_617_235_199;
pub const DAY: i64 = 86_400;
pub const HOUR: i64 = 3_600;

/// Days since the world's first day.
pub fn world_day(unix: i64) -> usize {
    ((unix - WORLD_START).max(0) / DAY) as usize
}

/// (year, month 1..12, day 1..31) of a count of days since 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Days since 1970-01-01 of a civil date.
#[cfg(test)]
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn push_2(out: &mut String, v: u32) {
    out.push(char::from(b'0' + (v / 10) as u8));
    out.push(char::from(b'0' + (v % 10) as u8));
}

/// `YYYY-MM-DD`
pub fn push_date(out: &mut String, unix: i64) {
    let (y, m, d) = civil_from_days(unix.div_euclid(DAY));
    let y = y as u32;
    push_2(out, y / 100);
    push_2(out, y % 100);
    out.push('-');
    push_2(out, m);
    out.push('-');
    push_2(out, d);
}

/// `YYYY-MM-DD HH:MM:SS` (MySQL DATETIME/TIMESTAMP as mysqldump prints it with TIME_ZONE='+00:00').
pub fn push_sql(out: &mut String, unix: i64) {
    push_date(out, unix);
    let secs = unix.rem_euclid(DAY) as u32;
    out.push(' ');
    push_2(out, secs / 3600);
    out.push(':');
    push_2(out, secs / 60 % 60);
    out.push(':');
    push_2(out, secs % 60);
}

pub fn date(unix: i64) -> String {
    let mut s = String::with_capacity(10);
    push_date(&mut s, unix);
    s
}

pub fn sql(unix: i64) -> String {
    let mut s = String::with_capacity(19);
    push_sql(&mut s, unix);
    s
}

/// `YYYY-MM-DD HH:MM:SS+00`: how pg_dump prints a timestamptz in a UTC session.
pub fn pg(unix: i64) -> String {
    let mut s = String::with_capacity(22);
    push_sql(&mut s, unix);
    s.push_str("+00");
    s
}

/// `YYYY-MM-DDTHH:MM:SSZ`: what the crawler stamps its CSV rows with.
pub fn iso(unix: i64) -> String {
    let mut s = String::with_capacity(20);
    push_sql(&mut s, unix);
    s.replace_range(10..11, "T");
    s.push('Z');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip_and_known_dates() {
        assert_eq!(sql(WORLD_START), "2019-01-01 00:00:00");
        assert_eq!(sql(WORLD_END), "2021-03-31 23:59:59");
        assert_eq!(pg(1_588_338_131), "2020-05-01 13:02:11+00");
        assert_eq!(iso(1_588_338_131), "2020-05-01T13:02:11Z");
        for days in -1000..30_000 {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(
            days_from_civil(2020, 2, 29) + 1,
            days_from_civil(2020, 3, 1)
        );
    }
}
