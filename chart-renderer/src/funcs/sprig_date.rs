//! Sprig's date functions (`date.go`): `now`, `date`, `dateInZone`, `htmlDate`, `htmlDateInZone`,
//! `dateModify`, `toDate`, `unixEpoch`, `ago`, `duration`, `durationRound` (and their `must*` and
//! snake_case aliases), over a Go `time.Time` value ([`GoTime`]).
//!
//! Layouts are Go's reference-time layouts (`2006-01-02T15:04:05Z07:00`), formatted and parsed by
//! hand-written code below: no crate implements Go's layout language. Time zones come from the
//! system's tz database through `jiff`, as Go reads it; `Local` is the process's zone (Go: `$TZ` or
//! `/etc/localtime`).
//!
//! Functions declared with a `time.Time` parameter take [`gotmpl::ParamType::Any`] (the contract has no
//! time type) and check the argument themselves; the message matches Go's but arrives wrapped in
//! `error calling NAME:` where Go reports it without that prefix.

use super::args::{int_arg, str_arg};
use gotmpl::value::{Object, Value};
use gotmpl::{FuncError, FuncMap, Function, ParamType as P};
use jiff::civil::DateTime;
use jiff::tz::{Offset, TimeZone};
use jiff::Timestamp;
use std::sync::{Arc, OnceLock};

pub fn register(m: &mut FuncMap) {
    m.insert(Function::pure("now", &[], None, |_| {
        Ok(GoTime::now().into_value())
    }));
    m.insert(Function::pure("date", &[P::String, P::Any], None, |a| {
        Ok(Value::from(date_in_zone(&str_arg(&a[0]), &a[1], "Local")))
    }));
    for name in ["dateInZone", "date_in_zone"] {
        m.insert(Function::pure(
            name,
            &[P::String, P::Any, P::String],
            None,
            |a| {
                Ok(Value::from(date_in_zone(
                    &str_arg(&a[0]),
                    &a[1],
                    &str_arg(&a[2]),
                )))
            },
        ));
    }
    m.insert(Function::pure("htmlDate", &[P::Any], None, |a| {
        Ok(Value::from(date_in_zone("2006-01-02", &a[0], "Local")))
    }));
    m.insert(Function::pure(
        "htmlDateInZone",
        &[P::Any, P::String],
        None,
        |a| {
            Ok(Value::from(date_in_zone(
                "2006-01-02",
                &a[0],
                &str_arg(&a[1]),
            )))
        },
    ));
    for name in ["dateModify", "date_modify"] {
        m.insert(Function::pure(name, &[P::String, P::Any], None, |a| {
            let t = time_arg(&a[1])?;
            Ok(match parse_duration(&str_arg(&a[0])) {
                Ok(d) => t.add(d).into_value(),
                Err(_) => a[1].clone(),
            })
        }));
    }
    for name in ["mustDateModify", "must_date_modify"] {
        m.insert(Function::pure(name, &[P::String, P::Any], None, |a| {
            let t = time_arg(&a[1])?;
            let d = parse_duration(&str_arg(&a[0]))?;
            Ok(t.add(d).into_value())
        }));
    }
    m.insert(Function::pure(
        "toDate",
        &[P::String, P::String],
        None,
        |a| {
            Ok(parse_in_local(&str_arg(&a[0]), &str_arg(&a[1]))
                .unwrap_or_else(|_| GoTime::zero())
                .into_value())
        },
    ));
    m.insert(Function::pure(
        "mustToDate",
        &[P::String, P::String],
        None,
        |a| Ok(parse_in_local(&str_arg(&a[0]), &str_arg(&a[1]))?.into_value()),
    ));
    m.insert(Function::pure("unixEpoch", &[P::Any], None, |a| {
        Ok(Value::from(time_arg(&a[0])?.ts.as_second().to_string()))
    }));
    m.insert(Function::pure("ago", &[P::Any], None, |a| {
        let t = match &a[0] {
            Value::Int(n) | Value::Int64(n) => GoTime::from_unix(*n),
            v => go_time_of(v).unwrap_or_else(GoTime::now),
        };
        let since = nanos_between(&t, &GoTime::now());
        Ok(Value::from(format_duration(round_duration(
            since,
            1_000_000_000,
        ))))
    }));
    m.insert(Function::pure("duration", &[P::Any], None, |a| {
        // Only a string or an int64 counts; an `int` (a template literal) is 0, as in Sprig.
        let n = match &a[0] {
            Value::String(s) => s.parse::<i64>().unwrap_or(0),
            Value::Int64(n) => *n,
            _ => 0,
        };
        Ok(Value::from(format_duration(n.wrapping_mul(1_000_000_000))))
    }));
    m.insert(Function::pure("durationRound", &[P::Any], None, |a| {
        let d: i64 = match &a[0] {
            Value::String(s) => parse_duration(s).unwrap_or(0),
            Value::Int64(n) => *n,
            v => match go_time_of(v) {
                Some(t) => nanos_between(&t, &GoTime::now()),
                None => 0,
            },
        };
        Ok(Value::from(duration_round(d)))
    }));
}

// ---- the time value -----------------------------------------------------------------------------

/// A Go `time.Time`: an instant, the location it is shown in, and (for `now`) a monotonic reading.
#[derive(Clone, Debug)]
pub struct GoTime {
    ts: Timestamp,
    loc: Loc,
    /// Seconds since process start, printed by `String()` as ` m=+0.001234567` (only `time.Now()` has one).
    mono: Option<std::time::Duration>,
}

/// A Go `*time.Location`: a tz database zone, or a fixed zone with a made-up name.
#[derive(Clone, Debug)]
struct Loc {
    tz: TimeZone,
    /// `Fixed` zones keep the abbreviation they were parsed with ("" prints numerically).
    fixed_name: Option<String>,
}

impl Loc {
    fn utc() -> Loc {
        Loc {
            tz: TimeZone::UTC,
            fixed_name: Some("UTC".into()),
        }
    }
    fn local() -> Loc {
        // Go: `$TZ` ("" or unset → /etc/localtime), falling back to UTC.
        static LOCAL: OnceLock<TimeZone> = OnceLock::new();
        let tz = LOCAL.get_or_init(|| match std::env::var("TZ") {
            Ok(name) if name.is_empty() || name == "UTC" => TimeZone::UTC,
            Ok(name) => TimeZone::get(name.trim_start_matches(':')).unwrap_or(TimeZone::UTC),
            Err(_) => TimeZone::system(),
        });
        Loc {
            tz: tz.clone(),
            fixed_name: None,
        }
    }
    /// `time.LoadLocation`: "" and "UTC" are UTC, "Local" the local zone, else a tz database name.
    fn load(name: &str) -> Option<Loc> {
        match name {
            "" | "UTC" => Some(Loc::utc()),
            "Local" => Some(Loc::local()),
            _ => TimeZone::get(name).ok().map(|tz| Loc {
                tz,
                fixed_name: None,
            }),
        }
    }
    fn offset_and_abbrev(&self, ts: Timestamp) -> (i32, String) {
        let info = self.tz.to_offset_info(ts);
        let off = info.offset().seconds();
        let name = match &self.fixed_name {
            Some(n) => n.clone(),
            None => {
                let a = info.abbreviation();
                // jiff reports a zone without abbreviations by its numeric offset, as tzdata writes
                // them (`+03`); Go prints the same text.
                a.to_string()
            }
        };
        (off, name)
    }
}

impl GoTime {
    fn now() -> GoTime {
        static START: OnceLock<std::time::Instant> = OnceLock::new();
        let start = *START.get_or_init(std::time::Instant::now);
        GoTime {
            ts: Timestamp::now(),
            loc: Loc::local(),
            mono: Some(start.elapsed()),
        }
    }
    fn zero() -> GoTime {
        // January 1, year 1, 00:00:00 UTC — Go's zero Time.
        let ts = Timestamp::new(-62_135_596_800, 0).unwrap_or(Timestamp::UNIX_EPOCH);
        GoTime {
            ts,
            loc: Loc::utc(),
            mono: None,
        }
    }
    fn from_unix(secs: i64) -> GoTime {
        GoTime {
            ts: Timestamp::new(secs, 0).unwrap_or(Timestamp::UNIX_EPOCH),
            loc: Loc::local(),
            mono: None,
        }
    }
    fn into_value(self) -> Value {
        Value::Object(Arc::new(TimeObject(self)))
    }
    fn add(&self, nanos: i64) -> GoTime {
        let total = self.ts.as_nanosecond() + i128::from(nanos);
        let ts = Timestamp::from_nanosecond(total).unwrap_or(self.ts);
        GoTime {
            ts,
            loc: self.loc.clone(),
            mono: self.mono.map(|m| {
                if nanos >= 0 {
                    m + std::time::Duration::from_nanos(nanos as u64)
                } else {
                    m.saturating_sub(std::time::Duration::from_nanos(nanos.unsigned_abs()))
                }
            }),
        }
    }
    fn in_loc(&self, loc: Loc) -> GoTime {
        GoTime {
            ts: self.ts,
            loc,
            mono: self.mono,
        }
    }
    fn fields(&self) -> Fields {
        let (offset, abbrev) = self.loc.offset_and_abbrev(self.ts);
        let dt: DateTime = Offset::from_seconds(offset)
            .unwrap_or(Offset::UTC)
            .to_datetime(self.ts);
        Fields {
            year: i64::from(dt.year()),
            month: dt.month() as usize,
            day: i64::from(dt.day()),
            hour: i64::from(dt.hour()),
            minute: i64::from(dt.minute()),
            second: i64::from(dt.second()),
            nanos: i64::from(dt.subsec_nanosecond()),
            weekday: dt.weekday().to_sunday_zero_offset() as usize,
            yday: i64::from(dt.day_of_year()),
            offset,
            abbrev,
        }
    }
    /// Go's `Time.String()`.
    fn go_string(&self) -> String {
        let mut s = format_go("2006-01-02 15:04:05.999999999 -0700 MST", &self.fields());
        if let Some(m) = self.mono {
            s.push_str(&format!(" m=+{}.{:09}", m.as_secs(), m.subsec_nanos()));
        }
        s
    }
}

fn nanos_between(from: &GoTime, to: &GoTime) -> i64 {
    let d = to.ts.as_nanosecond() - from.ts.as_nanosecond();
    d.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
}

/// The time inside a template value, if it is one.
fn go_time_of(v: &Value) -> Option<GoTime> {
    match v {
        Value::Object(o) if o.type_name() == "time.Time" => {
            // Objects cannot be downcast through the trait; a `TimeObject` round-trips through its
            // precise RFC 3339 form plus its zone name.
            let j = o.to_json();
            let text = j.as_str()?;
            let ts: Timestamp = text.parse().ok()?;
            let name = o
                .field("__loc")
                .and_then(|l| l.as_str().map(str::to_string))
                .unwrap_or_default();
            let loc = match name.strip_prefix("fixed:").and_then(|r| r.split_once(':')) {
                Some((off, abbrev)) => Loc {
                    tz: TimeZone::fixed(Offset::from_seconds(off.parse().ok()?).ok()?),
                    fixed_name: Some(abbrev.to_string()),
                },
                None => Loc::load(&name).unwrap_or_else(Loc::utc),
            };
            Some(GoTime {
                ts,
                loc,
                mono: None,
            })
        }
        _ => None,
    }
}

fn time_arg(v: &Value) -> Result<GoTime, FuncError> {
    go_time_of(v).ok_or_else(|| {
        let got = if v.is_nil_or_invalid() {
            "<nil>".into()
        } else {
            v.type_name()
        };
        FuncError(format!(
            "wrong type for value; expected time.Time; got {got}"
        ))
    })
}

/// Sprig's `dateInZone`: times as they are, integers as Unix seconds, anything else is *now*.
fn date_in_zone(layout: &str, date: &Value, zone: &str) -> String {
    let t = match date {
        Value::Int(n) | Value::Int64(n) => GoTime::from_unix(*n),
        v => go_time_of(v).unwrap_or_else(GoTime::now),
    };
    let loc = Loc::load(zone).unwrap_or_else(Loc::utc);
    format_go(layout, &t.in_loc(loc).fields())
}

/// A `time.Time` as a template value (methods: `Format`, `Unix`, `Year`, … — see [`TIME_METHODS`]).
#[derive(Debug)]
struct TimeObject(GoTime);

const TIME_METHODS: &[(&str, usize)] = &[
    ("Format", 1),
    ("Unix", 0),
    ("UnixMilli", 0),
    ("UnixNano", 0),
    ("Year", 0),
    ("Month", 0),
    ("Day", 0),
    ("Hour", 0),
    ("Minute", 0),
    ("Second", 0),
    ("Nanosecond", 0),
    ("YearDay", 0),
    ("Weekday", 0),
    ("UTC", 0),
    ("Local", 0),
    ("String", 0),
    ("IsZero", 0),
    ("Add", 1),
];

impl Object for TimeObject {
    fn type_name(&self) -> &str {
        "time.Time"
    }
    fn field(&self, name: &str) -> Option<Value> {
        // A private hook for `go_time_of` (Go's time.Time has no exported fields; `__loc` is not a
        // valid template identifier, so charts cannot reach it).
        if name == "__loc" {
            let loc = &self.0.loc;
            let name = match (&loc.fixed_name, loc.tz.iana_name()) {
                (Some(n), _) if n == "UTC" => "UTC".to_string(),
                (Some(n), _) => format!("fixed:{}:{n}", loc.tz.to_offset(self.0.ts).seconds()),
                (None, Some(iana)) => iana.to_string(),
                (None, None) => "Local".to_string(),
            };
            return Some(Value::from(name));
        }
        None
    }
    fn has_method(&self, name: &str) -> bool {
        TIME_METHODS.iter().any(|(n, _)| *n == name)
    }
    fn method_arity(&self, name: &str) -> (usize, bool) {
        (
            TIME_METHODS
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, a)| *a)
                .unwrap_or(0),
            false,
        )
    }
    fn call_method(&self, name: &str, args: &[Value]) -> Result<Value, String> {
        let t = &self.0;
        let f = t.fields();
        Ok(match name {
            "Format" => Value::from(format_go(
                args.first().and_then(Value::as_str).unwrap_or(""),
                &f,
            )),
            "Unix" => Value::Int64(t.ts.as_second()),
            "UnixMilli" => Value::Int64(t.ts.as_millisecond()),
            "UnixNano" => Value::Int64(t.ts.as_nanosecond() as i64),
            "Year" => Value::Int(f.year),
            "Month" => Value::from(LONG_MONTHS[f.month - 1]),
            "Day" => Value::Int(f.day),
            "Hour" => Value::Int(f.hour),
            "Minute" => Value::Int(f.minute),
            "Second" => Value::Int(f.second),
            "Nanosecond" => Value::Int(f.nanos),
            "YearDay" => Value::Int(f.yday),
            "Weekday" => Value::from(LONG_DAYS[f.weekday]),
            "UTC" => t.in_loc(Loc::utc()).into_value(),
            "Local" => t.in_loc(Loc::local()).into_value(),
            "String" => Value::from(t.go_string()),
            "IsZero" => Value::Bool(t.ts == GoTime::zero().ts),
            "Add" => t.add(args.first().map(int_arg).unwrap_or(0)).into_value(),
            _ => return Err(format!("{name} is not a method of time.Time")),
        })
    }
    fn go_format(&self) -> String {
        self.0.go_string()
    }
    fn to_json(&self) -> serde_json::Value {
        // Go marshals a Time as RFC 3339 with nanoseconds in its own zone.
        serde_json::Value::String(format_go(
            "2006-01-02T15:04:05.999999999Z07:00",
            &self.0.fields(),
        ))
    }
}

// ---- Go layouts ---------------------------------------------------------------------------------

const LONG_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const LONG_DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// The calendar fields of a time in its zone.
struct Fields {
    year: i64,
    month: usize,
    day: i64,
    hour: i64,
    minute: i64,
    second: i64,
    nanos: i64,
    weekday: usize,
    yday: i64,
    offset: i32,
    abbrev: String,
}

/// One element of a layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Std {
    LongMonth,
    Month,
    NumMonth,
    ZeroMonth,
    LongWeekDay,
    WeekDay,
    Day,
    UnderDay,
    ZeroDay,
    UnderYearDay,
    ZeroYearDay,
    Hour,
    Hour12,
    ZeroHour12,
    Minute,
    ZeroMinute,
    Second,
    ZeroSecond,
    LongYear,
    Year,
    PM,
    Pm,
    Tz,
    /// Numeric zone: (uses `Z` for UTC, with colons, with seconds, hours only).
    NumTz {
        z: bool,
        colon: bool,
        secs: bool,
        hours_only: bool,
    },
    /// Fractional seconds: (separator, digits, trim trailing zeros).
    Frac {
        sep: u8,
        digits: usize,
        trim: bool,
    },
}

/// Splits `layout` at its first element: (literal prefix, element and its text, rest).
fn next_chunk(layout: &str) -> (&str, Option<(Std, &str)>, &str) {
    let b = layout.as_bytes();
    let has = |i: usize, s: &str| layout.get(i..).is_some_and(|r| r.starts_with(s));
    for i in 0..b.len() {
        let hit: Option<(Std, usize)> = match b[i] {
            b'J' if has(i, "January") => Some((Std::LongMonth, 7)),
            b'J' if has(i, "Jan") => Some((Std::Month, 3)),
            b'M' if has(i, "Monday") => Some((Std::LongWeekDay, 6)),
            b'M' if has(i, "Mon") => Some((Std::WeekDay, 3)),
            b'M' if has(i, "MST") => Some((Std::Tz, 3)),
            b'0' if i + 1 < b.len() && (b'1'..=b'6').contains(&b[i + 1]) => Some((
                [
                    Std::ZeroMonth,
                    Std::ZeroDay,
                    Std::ZeroHour12,
                    Std::ZeroMinute,
                    Std::ZeroSecond,
                    Std::Year,
                ][usize::from(b[i + 1] - b'1')],
                2,
            )),
            b'0' if has(i, "002") => Some((Std::ZeroYearDay, 3)),
            b'1' if has(i, "15") => Some((Std::Hour, 2)),
            b'1' => Some((Std::NumMonth, 1)),
            b'2' if has(i, "2006") => Some((Std::LongYear, 4)),
            b'2' => Some((Std::Day, 1)),
            b'_' if has(i, "_2006") => {
                // A literal underscore before a year.
                return (
                    &layout[..i + 1],
                    Some((Std::LongYear, &layout[i + 1..i + 5])),
                    &layout[i + 5..],
                );
            }
            b'_' if has(i, "__2") => Some((Std::UnderYearDay, 3)),
            b'_' if has(i, "_2") => Some((Std::UnderDay, 2)),
            b'3' => Some((Std::Hour12, 1)),
            b'4' => Some((Std::Minute, 1)),
            b'5' => Some((Std::Second, 1)),
            b'P' if has(i, "PM") => Some((Std::PM, 2)),
            b'p' if has(i, "pm") => Some((Std::Pm, 2)),
            b'-' | b'Z' => {
                let z = b[i] == b'Z';
                let forms: [(&str, bool, bool, bool); 5] = [
                    ("070000", false, true, false),
                    ("07:00:00", true, true, false),
                    ("0700", false, false, false),
                    ("07:00", true, false, false),
                    ("07", false, false, true),
                ];
                forms
                    .iter()
                    .find(|(f, ..)| has(i + 1, f))
                    .map(|(f, colon, secs, hours_only)| {
                        (
                            Std::NumTz {
                                z,
                                colon: *colon,
                                secs: *secs,
                                hours_only: *hours_only,
                            },
                            1 + f.len(),
                        )
                    })
            }
            b'.' | b',' if i + 1 < b.len() && (b[i + 1] == b'0' || b[i + 1] == b'9') => {
                let ch = b[i + 1];
                let mut j = i + 1;
                while j < b.len() && b[j] == ch {
                    j += 1;
                }
                if j < b.len() && b[j].is_ascii_digit() {
                    None
                } else {
                    Some((
                        Std::Frac {
                            sep: b[i],
                            digits: j - i - 1,
                            trim: ch == b'9',
                        },
                        j - i,
                    ))
                }
            }
            _ => None,
        };
        if let Some((std, len)) = hit {
            return (
                &layout[..i],
                Some((std, &layout[i..i + len])),
                &layout[i + len..],
            );
        }
    }
    (layout, None, "")
}

fn pad(out: &mut String, n: i64, width: usize) {
    if n < 0 {
        out.push('-');
        out.push_str(&format!("{:0width$}", -n, width = width));
    } else {
        out.push_str(&format!("{n:0width$}"));
    }
}

/// Go's `Time.Format`.
fn format_go(layout: &str, f: &Fields) -> String {
    let mut out = String::with_capacity(layout.len() + 10);
    let mut rest = layout;
    loop {
        let (prefix, std, after) = next_chunk(rest);
        out.push_str(prefix);
        let Some((std, _)) = std else { break };
        rest = after;
        let hour12 = match f.hour % 12 {
            0 => 12,
            h => h,
        };
        match std {
            Std::Year => pad(&mut out, f.year.rem_euclid(100), 2),
            Std::LongYear => pad(&mut out, f.year, 4),
            Std::Month => out.push_str(&LONG_MONTHS[f.month - 1][..3]),
            Std::LongMonth => out.push_str(LONG_MONTHS[f.month - 1]),
            Std::NumMonth => pad(&mut out, f.month as i64, 0),
            Std::ZeroMonth => pad(&mut out, f.month as i64, 2),
            Std::WeekDay => out.push_str(&LONG_DAYS[f.weekday][..3]),
            Std::LongWeekDay => out.push_str(LONG_DAYS[f.weekday]),
            Std::Day => pad(&mut out, f.day, 0),
            Std::UnderDay => out.push_str(&format!("{:>2}", f.day)),
            Std::ZeroDay => pad(&mut out, f.day, 2),
            Std::UnderYearDay => out.push_str(&format!("{:>3}", f.yday)),
            Std::ZeroYearDay => pad(&mut out, f.yday, 3),
            Std::Hour => pad(&mut out, f.hour, 2),
            Std::Hour12 => pad(&mut out, hour12, 0),
            Std::ZeroHour12 => pad(&mut out, hour12, 2),
            Std::Minute => pad(&mut out, f.minute, 0),
            Std::ZeroMinute => pad(&mut out, f.minute, 2),
            Std::Second => pad(&mut out, f.second, 0),
            Std::ZeroSecond => pad(&mut out, f.second, 2),
            Std::PM => out.push_str(if f.hour >= 12 { "PM" } else { "AM" }),
            Std::Pm => out.push_str(if f.hour >= 12 { "pm" } else { "am" }),
            Std::NumTz {
                z,
                colon,
                secs,
                hours_only,
            } => {
                if z && f.offset == 0 {
                    out.push('Z');
                    continue;
                }
                let abs = f.offset.unsigned_abs();
                out.push(if f.offset < 0 { '-' } else { '+' });
                out.push_str(&format!("{:02}", abs / 3600));
                if !hours_only {
                    if colon {
                        out.push(':');
                    }
                    out.push_str(&format!("{:02}", abs / 60 % 60));
                }
                if secs {
                    if colon {
                        out.push(':');
                    }
                    out.push_str(&format!("{:02}", abs % 60));
                }
            }
            Std::Tz => {
                if !f.abbrev.is_empty() {
                    out.push_str(&f.abbrev);
                } else {
                    let mins = f.offset / 60;
                    out.push(if mins < 0 { '-' } else { '+' });
                    let m = mins.unsigned_abs();
                    out.push_str(&format!("{:02}{:02}", m / 60, m % 60));
                }
            }
            Std::Frac { sep, digits, trim } => {
                let full = format!("{:09}", f.nanos);
                let mut d = full[..digits.min(9)].to_string();
                if trim {
                    while d.ends_with('0') {
                        d.pop();
                    }
                    if d.is_empty() {
                        continue;
                    }
                }
                out.push(char::from(sep));
                out.push_str(&d);
            }
        }
    }
    out
}

/// Go's `time.ParseInLocation(layout, value, time.Local)` for the layout elements above.
fn parse_in_local(layout: &str, value: &str) -> Result<GoTime, FuncError> {
    let q = super::sprig_strings::go_quote;
    let bad = |v: &str, elem: &str| {
        FuncError(format!(
            "parsing time {} as {}: cannot parse {} as {}",
            q(value),
            q(layout),
            q(v),
            q(elem)
        ))
    };
    let range_err =
        |what: &str| FuncError(format!("parsing time {}: {what} out of range", q(value)));
    let (mut year, mut month, mut day, mut yday) = (1i64, -1i64, -1i64, -1i64);
    let (mut hour, mut minute, mut second, mut nanos) = (0i64, 0i64, 0i64, 0i64);
    let (mut pm, mut am) = (false, false);
    let mut zone_offset: Option<i32> = None;
    let mut zone_name: Option<String> = None;
    let mut v = value;
    let mut rest = layout;
    loop {
        let (prefix, std, after) = next_chunk(rest);
        v = skip_literal(v, prefix).ok_or_else(|| bad(v, prefix))?;
        let Some((std, elem)) = std else {
            if !v.is_empty() {
                return Err(FuncError(format!(
                    "parsing time {}: extra text: {}",
                    q(value),
                    q(v)
                )));
            }
            break;
        };
        rest = after;
        let here = v;
        let fail = || bad(here, elem);
        match std {
            Std::Year => {
                let (n, r) = take_digits(v, 2, 2).ok_or_else(fail)?;
                year = if n >= 69 { n + 1900 } else { n + 2000 };
                v = r;
            }
            Std::LongYear => {
                let (n, r) = take_digits(v, 4, 4).ok_or_else(fail)?;
                year = n;
                v = r;
            }
            Std::Month | Std::LongMonth => {
                let names: Vec<String> = LONG_MONTHS
                    .iter()
                    .map(|m| {
                        if std == Std::Month {
                            m[..3].to_string()
                        } else {
                            m.to_string()
                        }
                    })
                    .collect();
                let (i, r) = lookup(v, &names).ok_or_else(fail)?;
                month = i as i64 + 1;
                v = r;
            }
            Std::WeekDay | Std::LongWeekDay => {
                let names: Vec<String> = LONG_DAYS
                    .iter()
                    .map(|d| {
                        if std == Std::WeekDay {
                            d[..3].to_string()
                        } else {
                            d.to_string()
                        }
                    })
                    .collect();
                let (_, r) = lookup(v, &names).ok_or_else(fail)?;
                v = r;
            }
            Std::NumMonth | Std::ZeroMonth => {
                let (n, r) = take_num(v, std == Std::ZeroMonth).ok_or_else(fail)?;
                if !(1..=12).contains(&n) {
                    return Err(range_err("month"));
                }
                month = n;
                v = r;
            }
            Std::Day | Std::UnderDay | Std::ZeroDay => {
                if std == Std::UnderDay && v.starts_with(' ') {
                    v = &v[1..];
                }
                let (n, r) = take_num(v, std == Std::ZeroDay).ok_or_else(fail)?;
                day = n;
                v = r;
            }
            Std::UnderYearDay | Std::ZeroYearDay => {
                let mut s = v;
                if std == Std::UnderYearDay {
                    for _ in 0..2 {
                        if let Some(t) = s.strip_prefix(' ') {
                            s = t;
                        }
                    }
                }
                let (n, r) = if std == Std::ZeroYearDay {
                    take_digits(s, 3, 3)
                } else {
                    take_digits(s, 1, 3)
                }
                .ok_or_else(fail)?;
                yday = n;
                v = r;
            }
            Std::Hour => {
                let (n, r) = take_num(v, false).ok_or_else(fail)?;
                if !(0..24).contains(&n) {
                    return Err(range_err("hour"));
                }
                hour = n;
                v = r;
            }
            Std::Hour12 | Std::ZeroHour12 => {
                let (n, r) = take_num(v, std == Std::ZeroHour12).ok_or_else(fail)?;
                if !(0..=12).contains(&n) {
                    return Err(range_err("hour"));
                }
                hour = n;
                v = r;
            }
            Std::Minute | Std::ZeroMinute => {
                let (n, r) = take_num(v, std == Std::ZeroMinute).ok_or_else(fail)?;
                if !(0..60).contains(&n) {
                    return Err(range_err("minute"));
                }
                minute = n;
                v = r;
            }
            Std::Second | Std::ZeroSecond => {
                let (n, r) = take_num(v, std == Std::ZeroSecond).ok_or_else(fail)?;
                if !(0..60).contains(&n) {
                    return Err(range_err("second"));
                }
                second = n;
                v = r;
                // Go accepts fractional seconds after the seconds even when the layout has none.
                let (_, next_std, _) = next_chunk(rest);
                if !matches!(next_std, Some((Std::Frac { .. }, _))) {
                    if let Some(frac) = v.strip_prefix(['.', ',']) {
                        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
                        if digits > 0 {
                            nanos = frac_nanos(&frac[..digits]);
                            v = &frac[digits..];
                        }
                    }
                }
            }
            Std::PM | Std::Pm => {
                let t = v.get(..2).ok_or_else(fail)?;
                let (p, a) = if std == Std::PM {
                    ("PM", "AM")
                } else {
                    ("pm", "am")
                };
                if t == p {
                    pm = true;
                } else if t == a {
                    am = true;
                } else {
                    return Err(fail());
                }
                v = &v[2..];
            }
            Std::NumTz {
                z,
                colon,
                secs,
                hours_only,
            } => {
                if z && v.starts_with('Z') {
                    v = &v[1..];
                    zone_offset = Some(0);
                    zone_name = Some("UTC".into());
                    continue;
                }
                let sign = match v.as_bytes().first() {
                    Some(b'+') => 1,
                    Some(b'-') => -1,
                    _ => return Err(fail()),
                };
                let mut s = &v[1..];
                let (hh, r) = take_digits(s, 2, 2).ok_or_else(fail)?;
                s = r;
                let mut mm = 0;
                let mut ss = 0;
                if !hours_only {
                    if colon {
                        s = s.strip_prefix(':').ok_or_else(fail)?;
                    }
                    let (n, r) = take_digits(s, 2, 2).ok_or_else(fail)?;
                    mm = n;
                    s = r;
                }
                if secs {
                    if colon {
                        s = s.strip_prefix(':').ok_or_else(fail)?;
                    }
                    let (n, r) = take_digits(s, 2, 2).ok_or_else(fail)?;
                    ss = n;
                    s = r;
                }
                if hh > 24 || mm > 60 || ss > 60 {
                    return Err(range_err("time zone offset"));
                }
                zone_offset = Some(sign * (hh * 3600 + mm * 60 + ss) as i32);
                v = s;
            }
            Std::Tz => {
                if let Some(r) = v.strip_prefix("UTC") {
                    zone_name = Some("UTC".into());
                    zone_offset = Some(0);
                    v = r;
                } else {
                    let n = v.bytes().take_while(u8::is_ascii_uppercase).count();
                    if !(3..=5).contains(&n) {
                        return Err(fail());
                    }
                    zone_name = Some(v[..n].to_string());
                    v = &v[n..];
                }
            }
            Std::Frac { digits, trim, .. } => {
                let Some(frac) = v.strip_prefix(['.', ',']) else {
                    if trim {
                        continue;
                    }
                    return Err(fail());
                };
                let n = frac.bytes().take_while(u8::is_ascii_digit).count();
                if (!trim && n != digits) || (trim && n == 0) {
                    return Err(fail());
                }
                nanos = frac_nanos(&frac[..n]);
                v = &frac[n..];
            }
        }
    }
    if pm && hour < 12 {
        hour += 12;
    } else if am && hour == 12 {
        hour = 0;
    }
    if yday >= 0 {
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        if yday < 1 || yday > if leap { 366 } else { 365 } {
            return Err(range_err("day-of-year"));
        }
        let base = jiff::civil::date(year as i16, 1, 1);
        let d = base
            .checked_add(jiff::Span::new().days(yday - 1))
            .map_err(|_| range_err("day-of-year"))?;
        if month >= 0 && month != i64::from(d.month()) || day >= 0 && day != i64::from(d.day()) {
            return Err(range_err("day-of-year"));
        }
        month = i64::from(d.month());
        day = i64::from(d.day());
    }
    let month = if month < 0 { 1 } else { month };
    let day = if day < 0 { 1 } else { day };
    let dim = jiff::civil::date(year as i16, month as i8, 1).days_in_month();
    if day < 1 || day > i64::from(dim) {
        return Err(range_err("day"));
    }
    let dt = jiff::civil::DateTime::new(
        year as i16,
        month as i8,
        day as i8,
        hour as i8,
        minute as i8,
        second as i8,
        nanos as i32,
    )
    .map_err(|e| FuncError(e.to_string()))?;
    let local = Loc::local();
    if let Some(off) = zone_offset {
        let ts = Offset::from_seconds(off)
            .map_err(|e| FuncError(e.to_string()))?
            .to_timestamp(dt)
            .map_err(|e| FuncError(e.to_string()))?;
        let (loff, lname) = local.offset_and_abbrev(ts);
        let loc = if loff == off && zone_name.as_ref().is_none_or(|n| *n == lname) {
            local
        } else if off == 0 && zone_name.as_deref() == Some("UTC") {
            Loc::utc()
        } else {
            Loc {
                tz: TimeZone::fixed(Offset::from_seconds(off).unwrap_or(Offset::UTC)),
                fixed_name: Some(zone_name.unwrap_or_default()),
            }
        };
        return Ok(GoTime {
            ts,
            loc,
            mono: None,
        });
    }
    if let Some(name) = zone_name {
        // An abbreviation: use the local zone if it matches there, else a zero-offset zone of that name.
        let ts = local
            .tz
            .to_ambiguous_timestamp(dt)
            .compatible()
            .map_err(|e| FuncError(e.to_string()))?;
        let (_, lname) = local.offset_and_abbrev(ts);
        if lname == name {
            return Ok(GoTime {
                ts,
                loc: local,
                mono: None,
            });
        }
        let ts = Offset::UTC
            .to_timestamp(dt)
            .map_err(|e| FuncError(e.to_string()))?;
        let loc = if name == "UTC" {
            Loc::utc()
        } else {
            Loc {
                tz: TimeZone::UTC,
                fixed_name: Some(name),
            }
        };
        return Ok(GoTime {
            ts,
            loc,
            mono: None,
        });
    }
    let ts = local
        .tz
        .to_ambiguous_timestamp(dt)
        .compatible()
        .map_err(|e| FuncError(e.to_string()))?;
    Ok(GoTime {
        ts,
        loc: local,
        mono: None,
    })
}

/// Go's `skip`: the literal text of the layout must be in the value, except that a run of spaces in
/// the layout matches a (non-empty where the layout's is) run of spaces in the value.
fn skip_literal<'a>(mut v: &'a str, mut prefix: &str) -> Option<&'a str> {
    while !prefix.is_empty() {
        if prefix.starts_with(' ') {
            if !v.is_empty() && !v.starts_with(' ') {
                return None;
            }
            prefix = prefix.trim_start_matches(' ');
            v = v.trim_start_matches(' ');
            continue;
        }
        let c = prefix.chars().next()?;
        v = v.strip_prefix(c)?;
        prefix = &prefix[c.len_utf8()..];
    }
    Some(v)
}

/// Between `min` and `max` ASCII digits.
fn take_digits(v: &str, min: usize, max: usize) -> Option<(i64, &str)> {
    let n = v.bytes().take(max).take_while(u8::is_ascii_digit).count();
    if n < min {
        return None;
    }
    Some((v[..n].parse().ok()?, &v[n..]))
}

/// Go's `getnum`: one or two digits (exactly two when `fixed`).
fn take_num(v: &str, fixed: bool) -> Option<(i64, &str)> {
    if fixed {
        take_digits(v, 2, 2)
    } else {
        take_digits(v, 1, 2)
    }
}

/// A case-insensitive match of one of `names` at the start of `v`.
fn lookup<'a>(v: &'a str, names: &[String]) -> Option<(usize, &'a str)> {
    names.iter().enumerate().find_map(|(i, n)| {
        let head = v.get(..n.len())?;
        head.eq_ignore_ascii_case(n).then(|| (i, &v[n.len()..]))
    })
}

fn frac_nanos(digits: &str) -> i64 {
    let mut d: String = digits.chars().take(9).collect();
    while d.len() < 9 {
        d.push('0');
    }
    d.parse().unwrap_or(0)
}

// ---- Go durations -------------------------------------------------------------------------------

/// Go's `time.ParseDuration`: a signed sequence of decimal numbers with units
/// `ns us µs μs ms s m h`, e.g. `-1.5h`, `2h45m`; `0` alone is allowed.
fn parse_duration(s: &str) -> Result<i64, FuncError> {
    let q = super::sprig_strings::go_quote;
    let invalid = || FuncError(format!("time: invalid duration {}", q(s)));
    let (neg, mut rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(invalid());
    }
    let mut total: u128 = 0;
    while !rest.is_empty() {
        let int_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        let int_part = &rest[..int_len];
        rest = &rest[int_len..];
        let mut frac_part = "";
        if let Some(r) = rest.strip_prefix('.') {
            let n = r.bytes().take_while(u8::is_ascii_digit).count();
            frac_part = &r[..n];
            rest = &r[n..];
            if int_len == 0 && n == 0 {
                return Err(invalid());
            }
        } else if int_len == 0 {
            return Err(invalid());
        }
        let unit_len = rest
            .find(|c: char| c == '.' || c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        if unit.is_empty() {
            return Err(FuncError(format!(
                "time: missing unit in duration {}",
                q(s)
            )));
        }
        let scale: u128 = match unit {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => {
                return Err(FuncError(format!(
                    "time: unknown unit {} in duration {}",
                    q(unit),
                    q(s)
                )))
            }
        };
        let whole: u128 = if int_part.is_empty() {
            0
        } else {
            int_part.parse().map_err(|_| invalid())?
        };
        let mut v = whole.checked_mul(scale).ok_or_else(invalid)?;
        if !frac_part.is_empty() {
            // Go accumulates the fraction in floating point and truncates.
            let f: f64 = format!("0.{frac_part}").parse().unwrap_or(0.0);
            v += (f * scale as f64) as u128;
        }
        total = total.checked_add(v).ok_or_else(invalid)?;
        if total > (1u128 << 63) {
            return Err(invalid());
        }
    }
    if !neg && total > i64::MAX as u128 {
        return Err(invalid());
    }
    Ok(if neg {
        (total as i128).wrapping_neg() as i64
    } else {
        total as i64
    })
}

/// Go's `Duration.String`: `72h3m0.5s`, `1.5µs`, `0s`.
fn format_duration(d: i64) -> String {
    if d == 0 {
        return "0s".into();
    }
    let neg = d < 0;
    let u = d.unsigned_abs();
    let mut out = String::new();
    if u < 1_000_000_000 {
        // Sub-second: one unit with a decimal fraction.
        let (unit, scale) = if u < 1_000 {
            ("ns", 1)
        } else if u < 1_000_000 {
            ("µs", 1_000)
        } else {
            ("ms", 1_000_000)
        };
        out.push_str(&frac_text(u, scale));
        out.push_str(unit);
    } else {
        let secs_part = u % 60_000_000_000;
        let mins = u / 60_000_000_000;
        if mins >= 60 {
            out.push_str(&format!("{}h{}m", mins / 60, mins % 60));
        } else if mins > 0 {
            out.push_str(&format!("{mins}m"));
        }
        out.push_str(&frac_text(secs_part, 1_000_000_000));
        out.push('s');
    }
    if neg {
        out.insert(0, '-');
    }
    out
}

/// `v / scale` with the remainder as trimmed decimal digits.
fn frac_text(v: u64, scale: u64) -> String {
    let whole = v / scale;
    let rem = v % scale;
    if rem == 0 {
        return whole.to_string();
    }
    let width = scale.ilog10() as usize;
    let mut f = format!("{rem:0width$}");
    while f.ends_with('0') {
        f.pop();
    }
    format!("{whole}.{f}")
}

/// Go's `Duration.Round(m)`: to the nearest multiple, halves away from zero.
fn round_duration(d: i64, m: i64) -> i64 {
    let r = d % m;
    if d < 0 {
        let r = -r;
        if r + r < m {
            d + r
        } else {
            d.checked_sub(m - r).unwrap_or(i64::MIN)
        }
    } else if r + r < m {
        d - r
    } else {
        d.checked_add(m - r).unwrap_or(i64::MAX)
    }
}

/// Sprig's `durationRound`: the largest whole unit (y=365d, mo=30d, d, h, m, s) strictly exceeded.
fn duration_round(d: i64) -> String {
    let u = d.unsigned_abs();
    const SEC: u64 = 1_000_000_000;
    let units: [(u64, &str); 6] = [
        (SEC * 3600 * 24 * 365, "y"),
        (SEC * 3600 * 24 * 30, "mo"),
        (SEC * 3600 * 24, "d"),
        (SEC * 3600, "h"),
        (SEC * 60, "m"),
        (SEC, "s"),
    ];
    for (size, name) in units {
        if u > size {
            return format!("{}{name}", u / size);
        }
    }
    "0s".into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_print_like_go() {
        // Expected strings are Go's documented `Duration.String` outputs.
        assert_eq!(format_duration(0), "0s");
        assert_eq!(format_duration(1_500_000_000), "1.5s");
        assert_eq!(format_duration(3_723_000_000_000), "1h2m3s");
        assert_eq!(format_duration(1_500), "1.5µs");
        assert_eq!(format_duration(-60_000_000_000), "-1m0s");
        assert_eq!(parse_duration("1h30m").ok(), Some(5_400_000_000_000));
        assert_eq!(parse_duration("-1.5s").ok(), Some(-1_500_000_000));
        assert!(parse_duration("1d").is_err());
    }
}
