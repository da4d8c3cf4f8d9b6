//! The HTML export: the [`Report`] as one self-contained page (inline CSS and JS, no request of any kind, a strict
//! Content-Security-Policy), readable offline and printable, with a Gantt-like bar per step, an
//! inline SVG chart per metric lookup result, filters by kind and operator, and a search box.
//!
//! Every string from a log is hostile: it is HTML-escaped, and none of it is ever placed inside
//! `<script>` or `<style>`; the script reads only `data-` attributes the renderer wrote.

use std::fmt::Write;

use chrono::{DateTime, Utc};

use super::model::{StepState, Timeline};
use super::report::{
    Cell, Column, CommandBlock, CommandItem, CommandView, EVENT_COLUMNS, GUARD_ALARM_COLUMNS,
    KeyTimes, LookupResult, MILESTONE_COLUMNS, NoteGroup, Remark, Report, RowKind, SESSION_COLUMNS,
    STEP_COLUMNS, Sections, Span, Summary, TableRow,
};
use super::text::{self, html as esc, push_html};
use crate::event::{Datapoint, Verdict};
use crate::human;

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

const SCRIPT: &str = r"
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
";

/// Counts errors from the very start, before anything else runs.
const EARLY_SCRIPT: &str = "window.__runbookErrors=0;window.addEventListener('error',function(){window.__runbookErrors++;},true);window.addEventListener('securitypolicyviolation',function(){window.__runbookErrors++;});";

/// Renders the page.
pub fn render(t: &Timeline) -> String {
    let r = Report::new(t);
    let mut o = String::with_capacity(16 * 1024 + t.entries.len() * 300);
    let title = esc(&r.head.title);
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\" data-errors=\"-1\" data-resources=\"-1\" data-ready=\"0\">\n<head>\n<meta charset=\"utf-8\">\n<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n<meta name=\"referrer\" content=\"no-referrer\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{title}</title>\n<script>{EARLY_SCRIPT}</script>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{title}</h1>\n",
    );
    r.write::<Html>(&mut o);
    let _ = write!(
        o,
        "<p class=\"muted\">Exported by runbook {} from the incident log alone.</p>\n<script>{SCRIPT}</script>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION")
    );
    o
}

/// The report's sections in HTML.
struct Html;

impl Sections for Html {
    fn banner(o: &mut String, warnings: &[String]) {
        o.push_str("<div class=\"banner\" id=\"warning-banner\" role=\"alert\"><strong>⚠ Warning: this export may be incomplete.</strong><ul>");
        for w in warnings {
            let _ = write!(o, "<li>{}</li>", inline(w));
        }
        o.push_str("</ul></div>\n");
    }

    fn merge_notes(o: &mut String, notes: &[String]) {
        o.push_str("<div class=\"merge-notes\" id=\"merge-notes\"><ul>");
        for n in notes {
            let _ = write!(o, "<li><strong>Note:</strong> {}</li>", inline(n));
        }
        o.push_str("</ul></div>\n");
    }

    fn summary(o: &mut String, s: &Summary<'_>) {
        o.push_str("<section id=\"summary\"><h2>Summary</h2><dl class=\"facts\">");
        for f in s.facts().iter().filter(|f| !f.text_only) {
            wrap(o, &format!("<dt>{}</dt><dd>", f.label), &f.value, "</dd>");
        }
        o.push_str("</dl></section>\n");
    }

    fn key_times(o: &mut String, k: Option<&KeyTimes<'_>>) {
        o.push_str("<section id=\"key-times\"><h2>Key times</h2>");
        match k {
            None => o.push_str(
                "<p>No milestone notes (detected, mitigated, resolved) were recorded.</p>",
            ),
            Some(k) => {
                table(o, None, &MILESTONE_COLUMNS, &k.milestones);
                let _ = write!(
                    o,
                    "<p><strong>Time to mitigate:</strong> {} · <strong>Time to resolve:</strong> {} · measured {} ({}).</p>",
                    k.to_mitigate,
                    k.to_resolve,
                    inline(k.measured_from),
                    esc(&k.reference)
                );
            }
        }
        o.push_str("</section>\n");
    }

    fn steps(o: &mut String, r: &Report<'_>) {
        o.push_str("<section id=\"steps\"><h2>Steps</h2>");
        if r.runbooks.is_empty() {
            table(o, None, &STEP_COLUMNS, &r.steps);
        }
        // Several runbooks: one section each, under the one merged timeline.
        for rb in &r.runbooks {
            let logs: Vec<String> = rb
                .logs
                .iter()
                .map(|l| format!("<code>{}</code>", esc(l)))
                .collect();
            let _ = write!(
                o,
                "<section class=\"runbook\"><h3>Runbook: {}</h3><p><code>{}</code> (sha256 <code>{}</code>), walked in {}.</p>",
                esc(&rb.title),
                esc(rb.path),
                esc(rb.sha256),
                logs.join(", ")
            );
            table(o, None, &STEP_COLUMNS, &rb.steps);
            o.push_str("</section>");
        }
        o.push_str("</section>\n");
    }

    fn events(o: &mut String, r: &Report<'_>) {
        o.push_str("<section id=\"timeline\"><h2>Timeline</h2><div class=\"controls\"><input type=\"search\" id=\"search\" placeholder=\"Search events\" aria-label=\"Search events\"><fieldset id=\"kinds\"><legend class=\"muted\">kinds</legend>");
        for (k, n) in &r.kind_counts {
            let _ = write!(
                o,
                "<label><input type=\"checkbox\" value=\"{0}\" checked> {0} ({n})</label>",
                k.label()
            );
        }
        o.push_str(
            "</fieldset><label>operator <select id=\"operator\"><option value=\"\">all</option>",
        );
        for op in r.summary.operators {
            let _ = write!(o, "<option value=\"{0}\">{0}</option>", esc(op));
        }
        o.push_str("</select></label><span id=\"shown\" class=\"muted\"></span></div>");
        table(o, Some("events"), &EVENT_COLUMNS, &r.events);
        o.push_str("</section>\n");
    }

    fn commands(o: &mut String, items: &[CommandItem<'_>]) {
        o.push_str("<section id=\"commands\"><h2>Commands</h2>");
        items.iter().for_each(|item| command_item(o, item));
        o.push_str("</section>\n");
    }

    fn notes(o: &mut String, r: &Report<'_>) {
        o.push_str("<section id=\"notes\"><h2>Notes</h2>");
        r.notes.iter().for_each(|group| note_group(o, group));
        o.push_str("</section>\n");
    }

    fn lookups(o: &mut String, r: &Report<'_>) {
        o.push_str("<section id=\"lookups\"><h2>Lookups</h2><div class=\"charts\">");
        for l in &r.lookups {
            let verdict = l.verdict.map_or(String::new(), |v| {
                let class = match v {
                    Verdict::Ok => "OK",
                    Verdict::Breach => "BREACH",
                    Verdict::NoData => "other",
                };
                format!(
                    " · <span class=\"verdict-{class}\">{}</span>",
                    esc(v.as_str())
                )
            });
            let _ = write!(
                o,
                "<figure class=\"lookup\" data-region=\"{region}\"><figcaption><strong>{}</strong> in <strong>{region}</strong> · step {} · {}{verdict}<br><code>{}</code></figcaption>",
                esc(&l.name),
                l.step,
                esc(&l.at),
                esc(&l.query),
                region = esc(l.region),
            );
            match &l.result {
                LookupResult::Error(message) => {
                    let _ = write!(o, "<p class=\"status-failed\">error: {}</p>", esc(message));
                }
                LookupResult::NoAlarms => o.push_str("<p class=\"muted\">no alarms</p>"),
                LookupResult::Alarms(alarms) => {
                    o.push_str("<table><tbody>");
                    for a in *alarms {
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
                LookupResult::NoData => o.push_str("<p class=\"muted\">no data</p>"),
                LookupResult::Datapoints { points, expect, .. } => {
                    chart(o, &l.name, l.region, points, *expect);
                }
            }
            o.push_str("</figure>\n");
        }
        o.push_str("</div></section>\n");
    }

    fn guard_alarms(o: &mut String, r: &Report<'_>) {
        o.push_str("<section id=\"guard-alarms\"><h2>Guard alarms</h2>");
        table(o, None, &GUARD_ALARM_COLUMNS, &r.guard_alarms);
        o.push_str("</section>\n");
    }

    fn sessions(o: &mut String, r: &Report<'_>) {
        o.push_str("<section id=\"sessions\"><h2>Sessions, hand-offs and pauses</h2>");
        table(o, None, &SESSION_COLUMNS, &r.sessions);
        o.push_str("<ul>");
        for m in &r.session_moves {
            remark(o, m);
        }
        o.push_str("</ul></section>\n");
    }

    fn chain(o: &mut String, r: &Report<'_>) {
        o.push_str("<section id=\"chain\"><h2>Hash chain</h2><p>Checked at export time, line by line, as <code>runbook verify</code> does:</p><ul>");
        for l in &r.chain {
            let _ = write!(
                o,
                "<li class=\"chain-{}\"><code>{}</code>: {}</li>",
                l.state.label(),
                esc(l.path),
                inline(&l.text)
            );
        }
        let _ = writeln!(
            o,
            "</ul><p>Runbook sha256 at the start of the walk: <code>{}</code>.</p></section>",
            esc(r.runbook_sha256.unwrap_or("-"))
        );
    }
}

/// Warning text with `code` spans as `<code>`.
fn inline(s: &str) -> String {
    text::code_spans(s, |part| format!("<code>{}</code>", esc(part)), esc)
}

/// `<li>when, who: what</li>`.
fn remark(o: &mut String, r: &Remark<'_>) {
    let _ = write!(o, "<li>{}: {}</li>", esc(&r.lead), esc(r.text));
}

/// A table of the columns shown on the page; `id` for the one the script filters.
fn table<R: TableRow>(o: &mut String, id: Option<&str>, columns: &[Column], rows: &[R]) {
    let shown = |c: &&Column| !c.page.is_empty();
    match id {
        Some(id) => {
            let _ = write!(o, "<table id=\"{id}\">");
        }
        None => o.push_str("<table>"),
    }
    o.push_str("<thead><tr>");
    for c in columns.iter().filter(shown) {
        let class = if c.numeric { " class=\"num\"" } else { "" };
        let _ = write!(o, "<th{class}>{}</th>", c.page);
    }
    o.push_str("</tr></thead><tbody>");
    for row in rows {
        let kind = row.kind();
        match &kind {
            RowKind::Plain => o.push_str("<tr>"),
            RowKind::Step { id } => {
                let _ = write!(o, "<tr class=\"step\" data-step=\"{}\">", esc(id));
            }
            RowKind::Event {
                kind,
                failed,
                operator,
            } => {
                let _ = write!(
                    o,
                    "<tr class=\"kind-{k}{}\" data-kind=\"{k}\" data-operator=\"",
                    if *failed { " failed" } else { "" },
                    k = kind.label(),
                );
                push_html(o, operator);
                o.push_str("\">");
            }
        }
        for (_, cell) in columns.iter().zip(row.cells()).filter(|(c, _)| shown(c)) {
            self::cell(o, &cell);
        }
        o.push_str("</tr>");
        // One event a line keeps the page's source readable.
        if let RowKind::Event { .. } = kind {
            o.push('\n');
        }
    }
    o.push_str("</tbody></table>");
}

fn cell(o: &mut String, cell: &Cell<'_>) {
    // Written piece by piece: this runs for every cell of every row of a 10,000-event log.
    let (open, text, close) = match cell {
        Cell::Text(s) => ("<td>", *s, "</td>"),
        Cell::Code(s) => ("<td><code>", *s, "</code></td>"),
        Cell::Time(s) => ("<td class=\"time\">", *s, "</td>"),
        Cell::Number(s) => ("<td class=\"num\">", *s, "</td>"),
        Cell::Alert(s) => ("<td class=\"status-failed\">", *s, "</td>"),
        Cell::Muted(s) => ("<td class=\"muted\">", *s, "</td>"),
        Cell::StepTitle(s) => ("<td class=\"step-title\">", *s, "</td>"),
        Cell::Status(state) => {
            let _ = write!(
                o,
                "<td class=\"status-{}\">{}</td>",
                state_class(*state),
                state.label()
            );
            return;
        }
        Cell::Kind(kind) => ("<td>", kind.label(), "</td>"),
        Cell::Bar(state, bar) => {
            o.push_str("<td class=\"gantt\"><div class=\"track\"></div>");
            if let Some(b) = bar {
                let _ = write!(
                    o,
                    "<div class=\"bar {}\" style=\"left:{:.2}%;width:{:.2}%\" title=\"{}\"></div>",
                    state_class(*state),
                    b.left_pct,
                    b.width_pct,
                    b.label
                );
            }
            o.push_str("</td>");
            return;
        }
        Cell::Spans(s) => {
            wrap(o, "<td>", s, "</td>");
            return;
        }
    };
    o.push_str(open);
    push_html(o, text);
    o.push_str(close);
}

/// The CSS class of a step state (its JSON spelling).
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

/// The notes of one kind, headed by the kind.
fn note_group(o: &mut String, group: &NoteGroup<'_>) {
    let _ = write!(o, "<h3>{}</h3><ul>", group.kind.label());
    for n in &group.notes {
        remark(o, n);
    }
    o.push_str("</ul>");
}

/// A skipped or hand-done command as a paragraph; a run as an article.
fn command_item(o: &mut String, item: &CommandItem<'_>) {
    match item {
        CommandItem::Line(line) => wrap(o, "<p>", &[Span::Text(line.into())], "</p>"),
        CommandItem::Run(run) => {
            o.push_str("<article class=\"command\">");
            command(o, run);
            o.push_str("</article>\n");
        }
    }
}

fn command(o: &mut String, run: &CommandView<'_>) {
    for block in run.blocks() {
        match block {
            CommandBlock::Heading(title) => wrap(o, "<h3>", &title, "</h3>"),
            CommandBlock::Started(line) => wrap(o, "<p>", &line, "</p>"),
            CommandBlock::Code(code) => {
                let _ = write!(o, "<pre><code>{}</code></pre>", esc(code));
            }
            CommandBlock::Edited { original } => {
                let _ = write!(
                    o,
                    "<p class=\"status-skipped\">Edited by the operator before it ran; the runbook's text was:</p><pre><code>{}</code></pre>",
                    esc(original)
                );
            }
            CommandBlock::MissingStart => {
                o.push_str("<p class=\"muted\">The start of this command is not in the log.</p>");
            }
            CommandBlock::Outcome {
                success: true,
                rest,
            } => {
                wrap(o, "<p class=\"status-done\">Succeeded", &rest, "</p>");
            }
            CommandBlock::Outcome {
                success: false,
                rest,
            } => {
                wrap(o, "<p class=\"status-failed\">Failed", &rest, "</p>");
            }
            CommandBlock::Output(out) => {
                let _ = write!(
                    o,
                    "<details{}><summary>{}</summary><pre class=\"output\">{}</pre></details>",
                    if out.is_long() { "" } else { " open" },
                    out.caption,
                    esc(&out.text)
                );
            }
            CommandBlock::NoOutput => o.push_str("<p class=\"muted\">No output.</p>"),
            CommandBlock::UnknownEnd => o.push_str(
                "<p class=\"status-skipped\">No end recorded: the outcome is unknown.</p>",
            ),
        }
    }
}

/// `spans` between an opening and a closing tag.
fn wrap(o: &mut String, open: &str, spans: &[Span<'_>], close: &str) {
    o.push_str(open);
    self::spans(o, spans);
    o.push_str(close);
}

/// Marked-up text: `<code>`, `<strong>`.
fn spans(o: &mut String, spans: &[Span<'_>]) {
    for span in spans {
        let _ = match span {
            Span::Text(t) => write!(o, "{}", esc(t)),
            Span::Code(c) => write!(o, "<code>{}</code>", esc(c)),
            Span::Strong(t) => write!(o, "<strong>{}</strong>", esc(t)),
            Span::Variable(v) => match &v.value {
                Some(value) => write!(o, "<code>{}={}</code>", esc(&v.name), esc(value)),
                None => write!(o, "<code>{}</code> (secret)", esc(&v.name)),
            },
        };
    }
}

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
    let use_time = !times.is_empty() && times.iter().all(Option::is_some);
    let xs: Vec<f64> = if use_time {
        times
            .iter()
            .map(|t| t.map_or(0, |t| t.timestamp_millis()) as f64)
            .collect()
    } else {
        (0..points.len()).map(|i| i as f64).collect()
    };
    // Values JSON cannot hold (read back as NaN) are left out of the line, not drawn as 0.
    let (xs, values): (Vec<f64>, Vec<f64>) = xs
        .iter()
        .zip(points)
        .filter(|(_, p)| p.value.is_finite())
        .map(|(x, p)| (*x, p.value))
        .unzip();
    let expect = expect.filter(|e| e.is_finite());
    let mut lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let mut hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if let Some(e) = expect {
        lo = lo.min(e);
        hi = hi.max(e);
    }
    if !lo.is_finite() || !hi.is_finite() {
        (lo, hi) = (0.0, 0.0);
    }
    // Halved, so that the span of -1e308..1e308 stays finite.
    let (lo2, hi2) = (lo / 2.0, hi / 2.0);
    let (lo2, hi2) = if hi2 - lo2 <= f64::EPSILON * hi2.abs().max(1.0) {
        (lo2 - 0.5, hi2 + 0.5)
    } else {
        (lo2, hi2)
    };
    (lo, hi) = (lo2 * 2.0, hi2 * 2.0);
    // Unordered times are drawn where they fall: the axis runs from the earliest to the latest.
    let x0 = xs.iter().copied().fold(f64::INFINITY, f64::min);
    let x1 = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let span = if x1 - x0 > 0.0 { x1 - x0 } else { 0.0 };
    let px = |x: f64| {
        if span > 0.0 {
            L + (x - x0) / span * (W - L - R)
        } else {
            L + (W - L - R) / 2.0
        }
    };
    let py = |v: f64| {
        let share = ((hi2 - v / 2.0) / (hi2 - lo2)).clamp(0.0, 1.0);
        T + if share.is_nan() { 0.5 } else { share } * (H - T - B)
    };
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
        esc(&human::number(hi)),
        L - 4.0,
        H - B,
        esc(&human::number(lo))
    );
    if let (Some(first), Some(last)) = (points.first(), points.last()) {
        let _ = write!(
            o,
            "<text x=\"{L}\" y=\"{:.1}\">{}</text><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            H - 6.0,
            esc(human::clock(&first.ts)),
            W - R,
            H - 6.0,
            esc(human::clock(&last.ts))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn pts(values: &[(u32, f64)]) -> Vec<Datapoint> {
        values
            .iter()
            .map(|(min, value)| Datapoint {
                ts: format!("2026-11-22T03:{min:02}:00.000Z"),
                value: *value,
            })
            .collect()
    }

    /// The numbers of the line's `points`.
    fn line(svg: &str) -> Vec<f64> {
        let start = svg.find("points=\"").expect("a line") + 8;
        let end = start + svg[start..].find('"').expect("closed");
        svg[start..end]
            .split([' ', ','])
            .filter(|n| !n.is_empty())
            .map(|n| n.parse().expect("a number"))
            .collect()
    }

    #[test]
    fn extreme_values_are_scaled_onto_the_drawing() {
        let mut o = String::new();
        chart(
            &mut o,
            "m",
            "r",
            &pts(&[(0, -1e308), (1, 1e308)]),
            Some(10.0),
        );
        // From the bottom left to the top right, exactly.
        assert_eq!(line(&o), [44.0, 90.0, 312.0, 8.0], "{o}");
    }

    #[test]
    fn values_json_cannot_hold_are_left_out_and_unordered_times_stay_inside() {
        let mut o = String::new();
        let points = pts(&[(5, 1.0), (0, f64::NAN), (1, 3.0), (2, f64::INFINITY)]);
        chart(&mut o, "m", "r", &points, Some(f64::NAN));
        assert_eq!(line(&o), [312.0, 90.0, 44.0, 8.0], "{o}");
        assert!(!o.contains("NaN") && !o.contains("inf"), "{o}");
        let mut o = String::new();
        chart(&mut o, "m", "r", &pts(&[(0, f64::NAN)]), None);
        assert_eq!(line(&o), Vec::<f64>::new(), "{o}");
    }
}
