//! One lookup's results as a table: regions side by side with the latest value, min / max, a
//! sparkline and the verdict; alarms one per row; errors one line per region.

use super::Paint;
use crate::event::Verdict;
use crate::human::{self, visible};
use crate::runbook::{AlarmState, LookupQuery, region};
use crate::walk::ports::{LookupData, LookupOutcome};

/// One lookup's results, regions side by side: latest, min/max, a sparkline and the verdict;
/// for alarms, one row per alarm. Errors are one line per region.
pub fn lookup_table(outcomes: &[&LookupOutcome], paint: Paint) -> String {
    let Some(first) = outcomes.first() else {
        return String::new();
    };
    let lookup = &first.request.lookup;
    let mut out = String::new();
    // Labels, queries, alarm names and reasons, errors: their control characters are shown.
    let title = visible(
        &lookup
            .label
            .clone()
            .unwrap_or_else(|| describe_query(&lookup.query)),
    )
    .into_owned();
    out.push_str(&format!(
        "  {} {}\n",
        paint.cyan(&format!("[lookup {}]", lookup.index)),
        paint.bold(&title)
    ));
    if lookup.label.is_some() {
        out.push_str(&format!(
            "    {}\n",
            paint.dim(&visible(&describe_query(&lookup.query)))
        ));
    }
    let mut errors = Vec::new();
    match &lookup.query {
        LookupQuery::Alarms { .. } => {
            let mut rows = Vec::new();
            for o in outcomes {
                match &o.result {
                    Ok(LookupData::Alarms { alarms }) if alarms.is_empty() => {
                        rows.push(vec![
                            region::short(&o.request.region).to_string(),
                            "-".into(),
                            "no alarms".into(),
                            String::new(),
                            String::new(),
                        ]);
                    }
                    Ok(LookupData::Alarms { alarms }) => {
                        for a in alarms {
                            let state = match a.state {
                                AlarmState::Alarm => paint.red(a.state.as_str()),
                                AlarmState::Ok => paint.green(a.state.as_str()),
                                AlarmState::InsufficientData => paint.yellow(a.state.as_str()),
                            };
                            rows.push(vec![
                                region::short(&o.request.region).to_string(),
                                visible(&a.name).into_owned(),
                                state,
                                visible(a.since.as_deref().unwrap_or_default()).into_owned(),
                                visible(&a.reason).into_owned(),
                            ]);
                        }
                    }
                    Ok(_) => {}
                    Err(e) => errors.push((o.request.region.clone(), e)),
                }
            }
            out.push_str(&table(
                &["REGION", "ALARM", "STATE", "SINCE", "REASON"],
                &rows,
            ));
        }
        _ => {
            let mut header = vec![String::new()];
            let mut latest = vec!["latest".to_string()];
            let mut range = vec!["min / max".to_string()];
            let mut trend = vec!["trend".to_string()];
            let mut verdicts = vec!["verdict".to_string()];
            for o in outcomes {
                match &o.result {
                    Ok(LookupData::Metric { points }) => {
                        header.push(region::short(&o.request.region).to_string());
                        let values: Vec<f64> = points.iter().map(|(_, v)| *v).collect();
                        latest.push(values.last().map_or("-".into(), |v| human::number(*v)));
                        let (min, max) = values
                            .iter()
                            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                                (a.min(*v), b.max(*v))
                            });
                        range.push(if values.is_empty() {
                            "-".into()
                        } else {
                            format!("{} / {}", human::number(min), human::number(max))
                        });
                        trend.push(sparkline(&values, 24));
                        verdicts.push(match crate::walk::verdict(o) {
                            Some(v @ Verdict::Ok) => paint.green(v.as_str()),
                            Some(v @ Verdict::Breach) => paint.red(v.as_str()),
                            Some(v @ Verdict::NoData) => paint.yellow(v.as_str()),
                            None => "-".into(),
                        });
                    }
                    Ok(_) => {}
                    Err(e) => errors.push((o.request.region.clone(), e)),
                }
            }
            if header.len() > 1 {
                let header: Vec<&str> = header.iter().map(String::as_str).collect();
                out.push_str(&table(&header, &[latest, range, trend, verdicts]));
            }
        }
    }
    for (region, e) in errors {
        out.push_str(&format!(
            "    {} {}: {}\n",
            paint.red("✘"),
            region,
            visible(&e.message)
        ));
    }
    out
}

fn describe_query(query: &LookupQuery) -> String {
    match query {
        LookupQuery::Metric {
            metric,
            period_s,
            window_s,
            expect,
        } => format!(
            "{} {} {} · {} over {}{}",
            metric.namespace,
            metric.metric,
            metric.stat,
            seconds(*period_s),
            seconds(*window_s),
            expect.map(|e| format!(" · expect {e}")).unwrap_or_default()
        ),
        LookupQuery::Expression {
            expression,
            period_s,
            window_s,
            expect,
            ..
        } => format!(
            "{expression} · {} over {}{}",
            seconds(*period_s),
            seconds(*window_s),
            expect.map(|e| format!(" · expect {e}")).unwrap_or_default()
        ),
        LookupQuery::Alarms { prefix, state } => format!(
            "alarms `{prefix}*`{}",
            state
                .map(|s| format!(" in {}", s.as_str()))
                .unwrap_or_default()
        ),
    }
}

/// A period or window in the one spelling of durations: `1m`, `15m`, `1h30m`.
fn seconds(s: u32) -> String {
    human::duration_ms(u64::from(s) * 1000)
}

/// The last `width` values as block characters scaled between their min and max.
pub fn sparkline(values: &[f64], width: usize) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let tail = &values[values.len().saturating_sub(width)..];
    if tail.is_empty() {
        return "-".into();
    }
    let (min, max) = tail
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(*v), b.max(*v))
        });
    tail.iter()
        .map(|v| {
            if max > min {
                BARS[(((v - min) / (max - min)) * 7.0).round().clamp(0.0, 7.0) as usize]
            } else {
                BARS[0]
            }
        })
        .collect()
}

/// Left-aligned columns; cells may hold ANSI styling, which does not count toward widths.
fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let visible = |s: &str| strip_ansi(s).chars().count();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(visible(cell));
        }
    }
    let mut out = String::new();
    let header_row: Vec<String> = header.iter().map(ToString::to_string).collect();
    for row in std::iter::once(&header_row).chain(rows) {
        let mut line = String::from("    ");
        for (k, (cell, w)) in row.iter().zip(&widths).enumerate() {
            line.push_str(cell);
            if k + 1 < row.len() {
                line.push_str(&" ".repeat(w - visible(cell) + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for d in chars.by_ref() {
                if d == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}
