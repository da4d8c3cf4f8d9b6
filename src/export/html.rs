//! The HTML export: one self-contained page (inline CSS and JS, no request of any kind, a strict
//! Content-Security-Policy), readable offline and printable, with a Gantt-like bar per step, an
//! inline SVG chart per metric lookup result, filters by kind and operator, and a search box.
//!
//! Every string from a log is hostile: it is HTML-escaped, and none of it is ever placed inside
//! `<script>` or `<style>`; the script reads only `data-` attributes the renderer wrote.

use std::fmt::Write;

use chrono::{DateTime, Utc};

use super::model::{Entry, Kind, StepState, Timeline, number, query_text, short};
use super::text::{self, clean_output, html as esc, short_session};
use crate::event::{Datapoint, Event, Verdict};
use crate::runbook::LookupQuery;

/// Output longer than this many lines starts folded.
const OPEN_LINES: usize = 15;

const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

const STYLE: &str = r#"
:root{--fg:#1b1f24;--muted:#59636e;--line:#d1d9e0;--bg:#fff;--soft:#f6f8fa;--ok:#1a7f37;--bad:#cf222e;--warn:#9a6700;--info:#0969da}
*{box-sizing:border-box}
body{margin:0 auto;max-width:1200px;padding:24px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
h1{font-size:24px;margin:0 0 8px}h2{font-size:19px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}h3{font-size:15px;margin:16px 0 6px}
table{border-collapse:collapse;width:100%;margin:8px 0}th,td{border:1px solid var(--line);padding:4px 6px;text-align:left;vertical-align:top}th{background:var(--soft)}
td.num,th.num{text-align:right;white-space:nowrap}td.time{white-space:nowrap;font-variant-numeric:tabular-nums}
code,pre{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}pre{background:var(--soft);border:1px solid var(--line);padding:8px;overflow:auto;white-space:pre-wrap;word-break:break-word;margin:6px 0}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:8px 0}dl.facts dt{color:var(--muted)}dl.facts dd{margin:0}
.banner{border:2px solid var(--bad);background:#ffebe9;color:#82071e;padding:10px 14px;border-radius:6px;margin:12px 0}.banner ul{margin:6px 0 0;padding-left:20px}
.status-done,.status-rehearsed{color:var(--ok)}.status-failed{color:var(--bad);font-weight:600}.status-skipped,.status-in_progress{color:var(--warn)}.status-not_started{color:var(--muted)}
.gantt{position:relative;min-width:240px;height:18px;padding:0}.gantt .track{position:absolute;inset:4px 4px;background:var(--soft);border-radius:3px}
.gantt .bar{position:absolute;top:4px;height:10px;border-radius:3px;min-width:2px;background:var(--info)}
.bar.done,.bar.rehearsed{background:var(--ok)}.bar.failed{background:var(--bad)}.bar.skipped,.bar.in_progress{background:#d4a72c}
.controls{display:flex;flex-wrap:wrap;gap:8px 16px;align-items:center;margin:8px 0;padding:8px;background:var(--soft);border:1px solid var(--line);border-radius:6px}
.controls fieldset{border:0;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:4px 10px}.controls input[type=search]{min-width:260px;padding:4px 6px}
tr.kind-milestone td,tr.kind-guard_alarm td,tr.kind-log td{background:#fff8c5}tr.failed td:last-child{color:var(--bad)}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(340px,1fr));gap:12px}
figure.lookup{margin:0;border:1px solid var(--line);border-radius:6px;padding:8px}figure.lookup figcaption{font-size:12px;margin-bottom:4px}
svg.chart{width:100%;height:auto;display:block}svg.chart .line{fill:none;stroke:var(--info);stroke-width:1.5}svg.chart .pt{fill:var(--info)}
svg.chart .axis{stroke:var(--line)}svg.chart .expect{stroke:var(--bad);stroke-dasharray:4 3}svg.chart text{font:10px system-ui,sans-serif;fill:var(--muted)}
.verdict-OK{color:var(--ok);font-weight:600}.verdict-BREACH{color:var(--bad);font-weight:600}.muted{color:var(--muted)}
@media print{body{max-width:none;padding:0;font-size:11px}.controls{display:none}tr[hidden]{display:table-row}pre{white-space:pre-wrap}h2{break-after:avoid}figure.lookup,tr{break-inside:avoid}.banner{border:2px solid #000;color:#000;background:none}}
"#;

const SCRIPT: &str = r#"
(function () {
  var rows = Array.prototype.slice.call(document.querySelectorAll('#events tbody tr'));
  var texts = rows.map(function (r) { return r.textContent.toLowerCase(); });
  var search = document.getElementById('search');
  var who = document.getElementById('operator');
  var boxes = Array.prototype.slice.call(document.querySelectorAll('#kinds input'));
  var shown = document.getElementById('shown');
  function apply() {
    var q = search.value.trim().toLowerCase();
    var kinds = {};
    boxes.forEach(function (b) { kinds[b.value] = b.checked; });
    var op = who.value, n = 0;
    rows.forEach(function (r, i) {
      var ok = kinds[r.getAttribute('data-kind')] !== false &&
        (!op || r.getAttribute('data-operator') === op) &&
        (!q || texts[i].indexOf(q) !== -1);
      r.hidden = !ok;
      if (ok) { n++; }
    });
    shown.textContent = n + ' of ' + rows.length + ' events shown';
  }
  search.addEventListener('input', apply);
  who.addEventListener('change', apply);
  boxes.forEach(function (b) { b.addEventListener('change', apply); });
  apply();
  window.addEventListener('beforeprint', function () {
    document.querySelectorAll('details').forEach(function (d) { d.open = true; });
  });
  function report() {
    var root = document.documentElement;
    var res = performance.getEntriesByType ? performance.getEntriesByType('resource').length : 0;
    root.setAttribute('data-errors', String(window.__runbookErrors || 0));
    root.setAttribute('data-resources', String(res));
    root.setAttribute('data-ready', '1');
  }
  if (document.readyState === 'complete') { report(); } else { window.addEventListener('load', report); }
})();
"#;

/// Counts errors from the very start, before anything else runs.
const EARLY_SCRIPT: &str = "window.__runbookErrors=0;window.addEventListener('error',function(){window.__runbookErrors++;},true);window.addEventListener('securitypolicyviolation',function(){window.__runbookErrors++;});";

/// Renders the page.
pub fn render(t: &Timeline) -> String {
    let mut o = String::with_capacity(16 * 1024 + t.entries.len() * 300);
    let h = &t.header;
    let title = h
        .runbook
        .as_ref()
        .map_or("(unknown runbook)", |r| r.title.as_str());
    let page_title = match &h.incident {
        Some(i) => format!("Incident {i}: {title}"),
        None => format!("Incident report: {title}"),
    };
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\" data-errors=\"-1\" data-resources=\"-1\" data-ready=\"0\">\n<head>\n<meta charset=\"utf-8\">\n<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n<meta name=\"referrer\" content=\"no-referrer\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<script>{EARLY_SCRIPT}</script>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
        esc(&page_title),
        esc(&page_title)
    );
    banner(&mut o, t);
    summary(&mut o, t);
    key_times(&mut o, t);
    steps(&mut o, t);
    events(&mut o, t);
    commands(&mut o, t);
    notes(&mut o, t);
    lookups(&mut o, t);
    guard_alarms(&mut o, t);
    sessions(&mut o, t);
    chain(&mut o, t);
    let _ = write!(
        o,
        "<p class=\"muted\">Exported by runbook {} from the incident log alone.</p>\n<script>{SCRIPT}</script>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION")
    );
    o
}

/// Warning text with `code` spans as `<code>`.
fn inline(s: &str) -> String {
    text::code_spans(s, |part| format!("<code>{}</code>", esc(part)), esc)
}

fn banner(o: &mut String, t: &Timeline) {
    if t.warnings.is_empty() {
        return;
    }
    o.push_str("<div class=\"banner\" id=\"warning-banner\" role=\"alert\"><strong>⚠ Warning: this export may be incomplete.</strong><ul>");
    for w in &t.warnings {
        let _ = write!(o, "<li>{}</li>", inline(w));
    }
    o.push_str("</ul></div>\n");
}

fn summary(o: &mut String, t: &Timeline) {
    let h = &t.header;
    o.push_str("<section id=\"summary\"><h2>Summary</h2><dl class=\"facts\">");
    let mut row = |k: &str, v: String| {
        let _ = write!(o, "<dt>{k}</dt><dd>{v}</dd>");
    };
    row("Incident", esc(h.incident.as_deref().unwrap_or("-")));
    if let Some(rb) = &h.runbook {
        row(
            "Runbook",
            format!("{} (<code>{}</code>)", esc(&rb.title), esc(&rb.path)),
        );
        row(
            "Runbook sha256",
            format!("<code>{}</code>", esc(&rb.sha256)),
        );
    }
    row("Mode", esc(&h.mode));
    row("Operators", esc(&h.operators.join(", ")));
    row("Hosts", esc(&h.hostnames.join(", ")));
    row("Start", esc(&text::utc(&h.start)));
    row("End", esc(&text::utc(&h.end)));
    row("Duration", text::duration(h.duration_ms));
    row(
        "Regions",
        if h.regions.is_empty() {
            "-".into()
        } else {
            esc(&h.regions.join(", "))
        },
    );
    row("Sessions", t.sessions.len().to_string());
    let logs: Vec<String> = t
        .logs
        .iter()
        .map(|l| format!("<code>{}</code> ({} events)", esc(&l.path), l.events))
        .collect();
    row("Logs", logs.join(", "));
    if !h.variables.is_empty() {
        let vars: Vec<String> = h
            .variables
            .iter()
            .map(|v| match &v.value {
                Some(val) => format!("<code>{}={}</code>", esc(&v.name), esc(val)),
                None => format!("<code>{}</code> (secret)", esc(&v.name)),
            })
            .collect();
        row("Variables", vars.join(", "));
    }
    o.push_str("</dl></section>\n");
}

fn at(e: &Entry) -> String {
    format!("{} ({})", esc(&text::utc(&e.ts)), text::offset(e.offset_ms))
}

fn key_times(o: &mut String, t: &Timeline) {
    let m = &t.milestones;
    o.push_str("<section id=\"key-times\"><h2>Key times</h2>");
    if m.detected.is_none() && m.mitigated.is_none() && m.resolved.is_none() {
        o.push_str(
            "<p>No milestone notes (detected, mitigated, resolved) were recorded.</p></section>\n",
        );
        return;
    }
    o.push_str("<table><thead><tr><th>milestone</th><th>time (UTC)</th><th>T+</th><th>operator</th><th>note</th></tr></thead><tbody>");
    for (label, ts) in [
        ("detected", &m.detected),
        ("mitigated", &m.mitigated),
        ("resolved", &m.resolved),
    ] {
        let found = ts.as_ref().and_then(|ts| {
            t.entries
                .iter()
                .find(|e| &e.ts == ts && e.kind == Kind::Milestone)
        });
        match found {
            Some(e) => {
                let note = match &e.event {
                    Event::Note { text, .. } => esc(text),
                    _ => String::new(),
                };
                let _ = write!(
                    o,
                    "<tr><td>{label}</td><td class=\"time\">{}</td><td class=\"time\">{}</td><td>{}</td><td>{note}</td></tr>",
                    esc(&text::utc(&e.ts)),
                    text::offset(e.offset_ms),
                    esc(&e.operator)
                );
            }
            None => {
                let _ = write!(
                    o,
                    "<tr><td>{label}</td><td>-</td><td>-</td><td>-</td><td class=\"muted\">not recorded</td></tr>"
                );
            }
        }
    }
    let show = |v: Option<i64>| v.map_or("not recorded".to_string(), text::duration);
    let _ = writeln!(
        o,
        "</tbody></table><p><strong>Time to mitigate:</strong> {} · <strong>Time to resolve:</strong> {} · measured {} ({}).</p></section>",
        show(m.time_to_mitigate_ms),
        show(m.time_to_resolve_ms),
        inline(m.measured_from_text()),
        esc(&text::utc(&m.reference))
    );
}

fn state_class(s: StepState) -> &'static str {
    match s {
        StepState::Done => "done",
        StepState::Skipped => "skipped",
        StepState::Failed => "failed",
        StepState::Rehearsed => "rehearsed",
        StepState::InProgress => "in_progress",
        StepState::NotStarted => "not_started",
    }
}

fn steps(o: &mut String, t: &Timeline) {
    let total = t.header.duration_ms.max(1) as f64;
    o.push_str("<section id=\"steps\"><h2>Steps</h2><table><thead><tr><th class=\"num\">#</th><th>step</th><th>status</th><th>start</th><th class=\"num\">duration</th><th>operator</th><th>reason</th><th>timeline</th></tr></thead><tbody>");
    for s in &t.steps {
        let class = state_class(s.status);
        let bar = match (s.start_offset_ms, s.duration_ms) {
            (Some(start), Some(d)) => {
                let left = (start as f64 / total * 100.0).clamp(0.0, 100.0);
                let width = (d as f64 / total * 100.0).clamp(0.3, 100.0 - left.min(99.7));
                format!(
                    "<div class=\"bar {class}\" style=\"left:{left:.2}%;width:{width:.2}%\" title=\"{} for {}\"></div>",
                    text::offset(start),
                    text::duration(d)
                )
            }
            _ => String::new(),
        };
        let _ = write!(
            o,
            "<tr class=\"step\" data-step=\"{}\"><td class=\"num\">{}</td><td class=\"step-title\">{}</td><td class=\"status-{class}\">{}</td><td class=\"time\">{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td><td class=\"gantt\"><div class=\"track\"></div>{bar}</td></tr>",
            esc(&s.id),
            s.index,
            esc(&s.title),
            s.status.label(),
            s.start.as_deref().map_or("-".into(), |ts| format!(
                "{} ({})",
                esc(text::clock(ts)),
                text::offset(s.start_offset_ms.unwrap_or(0))
            )),
            s.duration_ms.map_or("-".into(), text::duration),
            esc(s.operator.as_deref().unwrap_or("-")),
            esc(s.reason.as_deref().unwrap_or("")),
        );
    }
    o.push_str("</tbody></table></section>\n");
}

fn events(o: &mut String, t: &Timeline) {
    o.push_str("<section id=\"timeline\"><h2>Timeline</h2><div class=\"controls\"><input type=\"search\" id=\"search\" placeholder=\"Search events\" aria-label=\"Search events\"><fieldset id=\"kinds\"><legend class=\"muted\">kinds</legend>");
    for k in Kind::ALL {
        let n = t.entries.iter().filter(|e| e.kind == k).count();
        if n > 0 {
            let _ = write!(
                o,
                "<label><input type=\"checkbox\" value=\"{0}\" checked> {0} ({n})</label>",
                k.label()
            );
        }
    }
    o.push_str(
        "</fieldset><label>operator <select id=\"operator\"><option value=\"\">all</option>",
    );
    for op in &t.header.operators {
        let _ = write!(o, "<option value=\"{0}\">{0}</option>", esc(op));
    }
    o.push_str("</select></label><span id=\"shown\" class=\"muted\"></span></div>");
    o.push_str("<table id=\"events\"><thead><tr><th>time (UTC)</th><th>T+</th><th>operator</th><th>session</th><th>kind</th><th>event</th></tr></thead><tbody>");
    for e in &t.entries {
        let failed = matches!(e.event, Event::CommandFinished { success: false, .. })
            || matches!(
                e.event,
                Event::StepFinished {
                    status: crate::event::StepStatus::Failed,
                    ..
                }
            );
        let _ = writeln!(
            o,
            "<tr class=\"kind-{k}{}\" data-kind=\"{k}\" data-operator=\"{op}\"><td class=\"time\">{}</td><td class=\"time\">{}</td><td>{op}</td><td><code>{}</code></td><td>{k}</td><td>{}</td></tr>",
            if failed { " failed" } else { "" },
            esc(text::clock(&e.ts)),
            text::offset(e.offset_ms),
            esc(short_session(&e.session)),
            esc(&e.summary),
            k = e.kind.label(),
            op = esc(&e.operator),
        );
    }
    o.push_str("</tbody></table></section>\n");
}

fn commands(o: &mut String, t: &Timeline) {
    if t.commands.is_empty() {
        return;
    }
    o.push_str("<section id=\"commands\"><h2>Commands</h2>");
    for run in &t.commands {
        if let Some(i) = run.other {
            let e = &t.entries[i];
            let _ = write!(
                o,
                "<p>{} — {}, {}</p>",
                esc(&e.summary),
                esc(&e.operator),
                at(e)
            );
            continue;
        }
        o.push_str("<article class=\"command\">");
        let start = run.started.map(|i| &t.entries[i]);
        let end = run.finished.map(|i| &t.entries[i]);
        match start.map(|e| (e, &e.event)) {
            Some((
                e,
                Event::CommandStarted {
                    step,
                    command,
                    name,
                    code,
                    cwd,
                    runner,
                    attempt,
                },
            )) => {
                let _ = write!(
                    o,
                    "<h3>Step {step}, command {command}{}{}</h3><p>Started {} by {} in <code>{}</code>{}.</p><pre><code>{}</code></pre>",
                    name.as_deref()
                        .map_or(String::new(), |n| format!(" <code>{}</code>", esc(n))),
                    if *attempt > 1 {
                        format!(" (attempt {attempt})")
                    } else {
                        String::new()
                    },
                    at(e),
                    esc(&e.operator),
                    esc(cwd),
                    runner.as_deref().map_or(String::new(), |r| format!(
                        ", piped to <code>{}</code>",
                        esc(r)
                    )),
                    esc(code)
                );
            }
            _ => {
                if let Some(e) = end {
                    let _ = write!(
                        o,
                        "<h3>{}</h3><p class=\"muted\">The start of this command is not in the log.</p>",
                        esc(&e.summary)
                    );
                }
            }
        }
        match end.map(|e| (e, &e.event)) {
            Some((
                e,
                Event::CommandFinished {
                    exit_code,
                    signal,
                    success,
                    duration_ms,
                    output,
                    truncated,
                    bytes,
                    redactions,
                    timed_out,
                    interrupted,
                    ..
                },
            )) => {
                let how = match (exit_code, signal) {
                    (_, Some(sig)) => format!("killed by {}", esc(sig)),
                    (Some(c), None) => format!("exit code <strong>{c}</strong>"),
                    (None, None) => "no exit code".into(),
                };
                let mut extra = String::new();
                if *timed_out {
                    extra.push_str("; timed out");
                }
                if *interrupted {
                    extra.push_str("; interrupted with Ctrl-C");
                }
                if *redactions > 0 {
                    extra.push_str(&format!("; {redactions} secret value(s) redacted"));
                }
                let _ = write!(
                    o,
                    "<p class=\"{}\">{} ({how}) after {}, at {}{extra}.</p>",
                    if *success {
                        "status-done"
                    } else {
                        "status-failed"
                    },
                    if *success { "Succeeded" } else { "Failed" },
                    text::duration(*duration_ms as i64),
                    at(e)
                );
                let out = clean_output(output);
                if !out.trim().is_empty() {
                    let lines = out.lines().count();
                    let _ = write!(
                        o,
                        "<details{}><summary>Output: {lines} line{}, {bytes} bytes{}</summary><pre class=\"output\">{}</pre></details>",
                        if lines <= OPEN_LINES { " open" } else { "" },
                        if lines == 1 { "" } else { "s" },
                        if *truncated { ", middle cut" } else { "" },
                        esc(&out)
                    );
                } else {
                    o.push_str("<p class=\"muted\">No output.</p>");
                }
            }
            _ if start.is_some() => o.push_str(
                "<p class=\"status-skipped\">No end recorded: the outcome is unknown.</p>",
            ),
            _ => {}
        }
        o.push_str("</article>\n");
    }
    o.push_str("</section>\n");
}

fn notes(o: &mut String, t: &Timeline) {
    let notes = t.notes_by_kind();
    if notes.is_empty() {
        return;
    }
    o.push_str("<section id=\"notes\"><h2>Notes</h2>");
    for (kind, rows) in notes {
        let _ = write!(o, "<h3>{}</h3><ul>", kind.label());
        for n in rows {
            let _ = write!(
                o,
                "<li>{}, {}{}: {}</li>",
                at(n.entry),
                esc(&n.entry.operator),
                n.step.map_or(String::new(), |s| format!(", step {s}")),
                esc(n.text)
            );
        }
        o.push_str("</ul>");
    }
    o.push_str("</section>\n");
}

fn lookups(o: &mut String, t: &Timeline) {
    let rows: Vec<&Entry> = t.of_kind(Kind::Lookup).collect();
    if rows.is_empty() {
        return;
    }
    o.push_str("<section id=\"lookups\"><h2>Lookups</h2><div class=\"charts\">");
    for e in rows {
        let Event::LookupResult {
            step,
            lookup,
            label,
            region,
            query,
            datapoints,
            verdict,
            alarms,
            error,
            ..
        } = &e.event
        else {
            continue;
        };
        let name = label.clone().unwrap_or_else(|| format!("lookup {lookup}"));
        let _ = write!(
            o,
            "<figure class=\"lookup\" data-region=\"{}\"><figcaption><strong>{}</strong> in <strong>{}</strong> · step {step} · {}{}<br><code>{}</code></figcaption>",
            esc(region),
            esc(&name),
            esc(region),
            at(e),
            verdict.map_or(String::new(), |v| format!(
                " · <span class=\"verdict-{}\">{}</span>",
                match v {
                    Verdict::Ok => "OK",
                    Verdict::Breach => "BREACH",
                    Verdict::NoData => "other",
                },
                esc(v.as_str())
            )),
            esc(&query_text(query))
        );
        if let Some(err) = error {
            let _ = write!(
                o,
                "<p class=\"status-failed\">error: {}</p>",
                esc(&err.message)
            );
        } else if let Some(alarms) = alarms {
            if alarms.is_empty() {
                o.push_str("<p class=\"muted\">no alarms</p>");
            } else {
                o.push_str("<table><tbody>");
                for a in alarms {
                    let _ = write!(
                        o,
                        "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                        esc(&a.name),
                        esc(a.state.as_str()),
                        esc(&a.reason)
                    );
                }
                o.push_str("</tbody></table>");
            }
        } else if datapoints.is_empty() {
            o.push_str("<p class=\"muted\">no data</p>");
        } else {
            let expect = match query {
                LookupQuery::Metric { expect, .. } | LookupQuery::Expression { expect, .. } => {
                    expect.map(|e| e.value)
                }
                LookupQuery::Alarms { .. } => None,
            };
            chart(o, &name, region, datapoints, expect);
        }
        o.push_str("</figure>\n");
    }
    o.push_str("</div></section>\n");
}

/// The threshold of an `expect` like `< 80`.
/// A small line chart of the datapoints (time on x, value on y), with the `expect` threshold.
fn chart(o: &mut String, name: &str, region: &str, points: &[Datapoint], expect: Option<f64>) {
    const W: f64 = 320.0;
    const H: f64 = 110.0;
    const L: f64 = 44.0;
    const R: f64 = 8.0;
    const T: f64 = 8.0;
    const B: f64 = 20.0;
    let times: Vec<Option<DateTime<Utc>>> = points
        .iter()
        .map(|p| {
            DateTime::parse_from_rfc3339(&p.ts)
                .ok()
                .map(|t| t.with_timezone(&Utc))
        })
        .collect();
    let use_time = times.iter().all(Option::is_some);
    let xs: Vec<f64> = if use_time {
        let t0 = times[0].map_or(0, |t| t.timestamp_millis());
        times
            .iter()
            .map(|t| t.map_or(0, |t| t.timestamp_millis() - t0) as f64)
            .collect()
    } else {
        (0..points.len()).map(|i| i as f64).collect()
    };
    let values: Vec<f64> = points
        .iter()
        .map(|p| if p.value.is_finite() { p.value } else { 0.0 })
        .collect();
    let mut lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let mut hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if let Some(e) = expect {
        lo = lo.min(e);
        hi = hi.max(e);
    }
    if (hi - lo).abs() < f64::EPSILON {
        lo -= 1.0;
        hi += 1.0;
    }
    let (x0, x1) = (
        xs.first().copied().unwrap_or(0.0),
        xs.last().copied().unwrap_or(1.0),
    );
    let span = if (x1 - x0).abs() < f64::EPSILON {
        1.0
    } else {
        x1 - x0
    };
    let px = |x: f64| {
        if points.len() == 1 {
            L + (W - L - R) / 2.0
        } else {
            L + (x - x0) / span * (W - L - R)
        }
    };
    let py = |v: f64| T + (hi - v) / (hi - lo) * (H - T - B);
    let pts: Vec<String> = xs
        .iter()
        .zip(&values)
        .map(|(x, v)| format!("{:.1},{:.1}", px(*x), py(*v)))
        .collect();
    let _ = write!(
        o,
        "<svg class=\"chart\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-label=\"{} in {}\"><title>{} in {}: {} datapoints</title>",
        esc(name),
        esc(region),
        esc(name),
        esc(region),
        points.len()
    );
    let _ = write!(
        o,
        "<line class=\"axis\" x1=\"{L}\" y1=\"{T}\" x2=\"{L}\" y2=\"{:.1}\"/><line class=\"axis\" x1=\"{L}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\"/>",
        H - B,
        H - B,
        W - R,
        H - B
    );
    let _ = write!(
        o,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
        L - 4.0,
        T + 8.0,
        esc(&number(hi)),
        L - 4.0,
        H - B,
        esc(&number(lo))
    );
    if let (Some(first), Some(last)) = (points.first(), points.last()) {
        let _ = write!(
            o,
            "<text x=\"{L}\" y=\"{:.1}\">{}</text><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            H - 6.0,
            esc(text::clock(&first.ts)),
            W - R,
            H - 6.0,
            esc(text::clock(&last.ts))
        );
    }
    if let Some(e) = expect {
        let y = py(e);
        let _ = write!(
            o,
            "<line class=\"expect\" x1=\"{L}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\"/>",
            W - R
        );
    }
    let _ = write!(o, "<polyline class=\"line\" points=\"{}\"/>", pts.join(" "));
    if points.len() <= 60 {
        for (x, v) in xs.iter().zip(&values) {
            let _ = write!(
                o,
                "<circle class=\"pt\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"2\"/>",
                px(*x),
                py(*v)
            );
        }
    }
    o.push_str("</svg>");
}

fn guard_alarms(o: &mut String, t: &Timeline) {
    let rows: Vec<&Entry> = t.of_kind(Kind::GuardAlarm).collect();
    if rows.is_empty() {
        return;
    }
    o.push_str("<section id=\"guard-alarms\"><h2>Guard alarms</h2><table><thead><tr><th>time (UTC)</th><th>T+</th><th>region</th><th>alarm</th><th>state</th><th>reason</th></tr></thead><tbody>");
    for e in rows {
        if let Event::GuardAlarm {
            region,
            alarm,
            state,
            reason,
        } = &e.event
        {
            let _ = write!(
                o,
                "<tr><td class=\"time\">{}</td><td class=\"time\">{}</td><td>{}</td><td><code>{}</code></td><td class=\"status-failed\">{}</td><td>{}</td></tr>",
                esc(text::clock(&e.ts)),
                text::offset(e.offset_ms),
                esc(region),
                esc(alarm),
                esc(state.as_str()),
                esc(reason)
            );
        }
    }
    o.push_str("</tbody></table></section>\n");
}

fn sessions(o: &mut String, t: &Timeline) {
    o.push_str("<section id=\"sessions\"><h2>Sessions, hand-offs and pauses</h2><table><thead><tr><th>session</th><th>log</th><th>operator</th><th>host</th><th>mode</th><th>start</th><th>end</th><th>outcome</th></tr></thead><tbody>");
    for s in &t.sessions {
        let _ = write!(
            o,
            "<tr><td><code>{}</code></td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}{}</td><td class=\"time\">{}</td><td class=\"time\">{}</td><td>{}{}</td></tr>",
            esc(short_session(&s.session)),
            esc(&t.logs[s.log].path),
            esc(&s.operator),
            esc(&s.hostname),
            s.mode.label(),
            if s.resumed { ", resumed" } else { "" },
            esc(text::clock(&s.start)),
            esc(text::clock(&s.end)),
            esc(&s.outcome),
            s.reason
                .as_deref()
                .map_or(String::new(), |r| format!(": {}", esc(r)))
        );
    }
    o.push_str("</tbody></table><ul>");
    for e in t.session_moves() {
        let _ = write!(
            o,
            "<li>{}, {}: {}</li>",
            at(e),
            esc(&e.operator),
            esc(&e.summary)
        );
    }
    o.push_str("</ul></section>\n");
}

fn chain(o: &mut String, t: &Timeline) {
    o.push_str("<section id=\"chain\"><h2>Hash chain</h2><p>Checked at export time, line by line, as <code>runbook verify</code> does:</p><ul>");
    for l in &t.logs {
        let _ = write!(
            o,
            "<li class=\"chain-{}\"><code>{}</code>: {}</li>",
            l.chain.label(),
            esc(&l.path),
            inline(&l.describe())
        );
    }
    let _ = writeln!(
        o,
        "</ul><p>Runbook sha256 at the start of the walk: <code>{}</code>.</p></section>",
        t.header
            .runbook
            .as_ref()
            .map_or("-".into(), |r| esc(short(&r.sha256)))
    );
}
