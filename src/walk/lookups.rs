//! A step's CloudWatch lookups: one request per lookup and region with `$VARS` resolved, the
//! verdict of `expect`, the `lookup_result` events, and running them during the walk.

use super::approval::redact;
use super::engine::Walk;
use super::ports::{Environment, LookupData, LookupOutcome, LookupRequest, Tone};
use super::screen::Screen;
use super::variables::expand;
use crate::event::{Datapoint, Event, LogError, LoggedLookupError, LookupErrorKind, Verdict};
use crate::runbook::{Dimension, Lookup, LookupQuery, Step};

impl Walk<'_, '_> {
    /// Runs the step's lookups in every region at once, logs each result and shows one table per lookup.
    pub(super) fn run_lookups(&mut self, i: usize) -> Result<(), LogError> {
        let step = self.step(i);
        if step.lookups.is_empty() {
            return Ok(());
        }
        // A lookup runs as the step is shown: its values are asked for first. Without them it
        // still runs (an empty dimension finds nothing), and the menu that follows decides.
        if self.need(&super::asking::lookup_variables(step))? == super::asking::Needed::Paused {
            self.pause_pending = true;
            return Ok(());
        }
        // A lookup can take seconds: what led to it is on disk first.
        self.commit()?;
        let vars = self.variables();
        let secrets = self.secrets();
        let Some(metrics) = self.ports.metrics.as_deref_mut() else {
            self.ports.ui.notice(
                Tone::Warning,
                "lookups unavailable: CloudWatch is not set up for this walk",
            );
            return Ok(());
        };
        let (requests, missing_region) = lookup_requests(
            step,
            &vars,
            self.ports.env,
            &self.opts.regions,
            metrics.default_region(),
        );
        for index in missing_region {
            self.ports.ui.notice(
                Tone::Warning,
                &format!("lookup {index}: no region: name `regions` in the block, pass --region, or set AWS_REGION"),
            );
        }
        // From here on the log and the screen see the queries with secret values redacted.
        let outcomes = redact_outcomes(metrics.lookup(&requests), &secrets);
        for outcome in &outcomes {
            self.log(lookup_event(outcome))?;
        }
        // One missing login is one line, not one per lookup and region.
        if let Some(message) = no_credentials(&outcomes) {
            self.ports.ui.notice(
                Tone::Warning,
                &format!("lookups not run: {message}; then `l` runs them again"),
            );
            return Ok(());
        }
        for lookup in &step.lookups {
            let mine: Vec<&LookupOutcome> = outcomes
                .iter()
                .filter(|o| o.request.lookup.index == lookup.index)
                .collect();
            if !mine.is_empty() {
                self.ports.ui.show(Screen::Lookup { outcomes: &mine });
            }
        }
        Ok(())
    }
}

/// One request per lookup and region, `$VARS` resolved from `vars`, then `env`; regions from the
/// block, else `regions` (`--region` or the runbook's), else `default_region`. Also the lookups
/// left with no region.
pub fn lookup_requests(
    step: &Step,
    vars: &[(String, String)],
    env: &dyn Environment,
    regions: &[String],
    default_region: Option<String>,
) -> (Vec<LookupRequest>, Vec<usize>) {
    let mut requests = Vec::new();
    let mut missing = Vec::new();
    for lookup in &step.lookups {
        let mut lookup = lookup.clone();
        resolve_dimensions(&mut lookup, vars, env);
        let chosen = if !lookup.regions.is_empty() {
            lookup.regions.clone()
        } else if !regions.is_empty() {
            regions.to_vec()
        } else {
            default_region.clone().into_iter().collect()
        };
        if chosen.is_empty() {
            missing.push(lookup.index);
        }
        for region in chosen {
            requests.push(LookupRequest {
                step: step.index,
                lookup: lookup.clone(),
                region,
            });
        }
    }
    (requests, missing)
}

/// The message when every outcome failed for want of credentials: the lookups never reached
/// CloudWatch, and saying so once is the whole story.
pub fn no_credentials(outcomes: &[LookupOutcome]) -> Option<&str> {
    let mut message = None;
    for outcome in outcomes {
        match &outcome.result {
            Err(e) if e.kind == LookupErrorKind::NoCredentials => {
                message.get_or_insert(e.message.as_str());
            }
            _ => return None,
        }
    }
    message
}

/// The verdict of a metric lookup's `expect` on its latest datapoint.
pub fn verdict(outcome: &LookupOutcome) -> Option<Verdict> {
    let expect = match &outcome.request.lookup.query {
        LookupQuery::Metric { expect, .. } | LookupQuery::Expression { expect, .. } => (*expect)?,
        LookupQuery::Alarms { .. } => return None,
    };
    match &outcome.result {
        Ok(LookupData::Metric { points }) => Some(match points.last() {
            Some((_, v)) if expect.holds(*v) => Verdict::Ok,
            Some(_) => Verdict::Breach,
            None => Verdict::NoData,
        }),
        _ => None,
    }
}

/// The `lookup_result` event for one outcome.
pub fn lookup_event(outcome: &LookupOutcome) -> Event {
    let lookup = &outcome.request.lookup;
    let (datapoints, alarms, error) = match &outcome.result {
        Ok(LookupData::Metric { points }) => (
            points
                .iter()
                .map(|(ts, value)| Datapoint {
                    ts: ts.clone(),
                    value: *value,
                })
                .collect(),
            None,
            None,
        ),
        Ok(LookupData::Alarms { alarms }) => (Vec::new(), Some(alarms.clone()), None),
        Err(e) => (
            Vec::new(),
            None,
            Some(LoggedLookupError {
                kind: e.kind,
                message: e.message.clone(),
            }),
        ),
    };
    Event::LookupResult {
        step: outcome.request.step,
        lookup: lookup.index,
        label: lookup.label.clone(),
        region: outcome.request.region.clone(),
        query: lookup.query.clone(),
        datapoints,
        verdict: verdict(outcome),
        alarms,
        error,
        duration_ms: outcome.duration_ms,
    }
}

/// `outcomes` as the log and the screen may show them: every secret value in a dimension (put
/// there by a `$VAR`) and in an error message replaced by `[REDACTED]`. The requests themselves
/// went out with the real values.
pub fn redact_outcomes(mut outcomes: Vec<LookupOutcome>, secrets: &[String]) -> Vec<LookupOutcome> {
    if secrets.iter().all(String::is_empty) {
        return outcomes;
    }
    for outcome in &mut outcomes {
        for d in dimensions_mut(&mut outcome.request.lookup) {
            d.value = redact(&d.value, secrets);
        }
        if let Err(e) = &mut outcome.result {
            e.message = redact(&e.message, secrets);
        }
    }
    outcomes
}

/// The dimensions of a lookup's metrics (none for alarms).
fn dimensions_mut(lookup: &mut Lookup) -> Vec<&mut Dimension> {
    match &mut lookup.query {
        LookupQuery::Metric { metric, .. } => metric.dimensions.iter_mut().collect(),
        LookupQuery::Expression { queries, .. } => queries
            .iter_mut()
            .flat_map(|q| q.metric.dimensions.iter_mut())
            .collect(),
        LookupQuery::Alarms { .. } => Vec::new(),
    }
}

/// `$VARS` in dimension values, from the session's variables, then the environment.
fn resolve_dimensions(lookup: &mut Lookup, vars: &[(String, String)], env: &dyn Environment) {
    for d in dimensions_mut(lookup) {
        d.value = expand(&d.value, vars, env);
    }
}

#[cfg(test)]
mod tests {
    use super::super::ports::LookupError;
    use super::super::scripted::{Harness, Reply, ScriptedMetrics, WATCHED, opts};
    use crate::event::{LookupErrorKind, Mode};

    #[test]
    fn missing_credentials_are_one_line_for_the_step_and_l_tries_again() {
        let no_login = || {
            Err(LookupError {
                kind: LookupErrorKind::NoCredentials,
                message: "no AWS credentials: run `aws sso login --profile oncall`".into(),
            })
        };
        let mut h = Harness::new([Reply::Key('l'), Reply::Key('q')]);
        h.metrics = Some(
            ScriptedMetrics::default()
                .answer(1, "eu-west-2", no_login())
                .answer(1, "eu-central-1", no_login())
                .answer(2, "us-east-2", no_login()),
        );
        h.walk(WATCHED, opts(Mode::Live, false, false));
        let screen = h.ui.screen();
        let line = "Warning: lookups not run: no AWS credentials: run `aws sso login --profile oncall`; then `l` runs them again";
        assert_eq!(screen.matches(line).count(), 2, "once per try:\n{screen}");
        assert!(
            !screen.contains("[lookup "),
            "no table of errors:\n{screen}"
        );
        assert_eq!(h.metrics.as_ref().map(|m| m.asked.len()), Some(6));
        // The log keeps every attempt, region by region.
        let logged = h
            .log
            .types()
            .iter()
            .filter(|t| *t == "lookup_result")
            .count();
        assert_eq!(logged, 6);
    }
}
