//! `runbook lookup`: a runbook's CloudWatch lookups without walking it, for reviewers and for testing blocks.

use std::io::{IsTerminal, Write};

use super::load_usable;
use crate::config::LookupConfig;
use crate::error::Error;
use crate::walk::ports::Environment;
use crate::walk::{lookup_event, lookup_requests, no_credentials, redact_outcomes, verdict};
use crate::wiring::ProcessEnvironment;

/// Exit 0 when every lookup answered and no `expect` is breached; 1 otherwise.
pub fn run(config: &LookupConfig, out: &mut dyn Write) -> Result<u8, Error> {
    let runbook = load_usable(&config.file, &mut std::io::stderr())?;
    let steps: Vec<_> = match &config.step {
        Some(key) => vec![runbook.find_step(key).ok_or_else(|| {
            Error::Usage(format!(
                "no step `{key}` in `{}`: give a number from 1 to {} or a step id",
                runbook.path,
                runbook.steps.len()
            ))
        })?],
        None => runbook
            .steps
            .iter()
            .filter(|s| !s.lookups.is_empty())
            .collect(),
    };
    if steps.iter().all(|s| s.lookups.is_empty()) {
        return Err(Error::Refused(format!(
            "no `cloudwatch` lookups in `{}`",
            runbook.path
        )));
    }
    let mut vars = config.vars.clone();
    for v in &runbook.variables {
        if !vars.iter().any(|(n, _)| n == &v.name)
            && let Some(value) = ProcessEnvironment
                .var(&v.name)
                .or_else(|| v.default.clone())
        {
            vars.push((v.name.clone(), value));
        }
    }
    // Secret by the runbook's word, or by a name that says so (a `--var` the runbook lacks).
    let secrets: Vec<String> = vars
        .iter()
        .filter(
            |(name, _)| match runbook.variables.iter().find(|v| &v.name == name) {
                Some(v) => v.secret,
                None => crate::runbook::secret_by_name(name),
            },
        )
        .map(|(_, value)| value.clone())
        .filter(|value| !value.is_empty())
        .collect();
    let regions = config.aws.regions_for(&runbook);
    let mut metrics = crate::wiring::connect_cloudwatch(&runbook, &config.aws);
    let paint = crate::terminal::Paint {
        enabled: std::io::stdout().is_terminal()
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    };
    let mut clean = true;
    let mut said_no_credentials = false;
    for step in steps {
        let (requests, missing) = lookup_requests(
            step,
            &vars,
            &ProcessEnvironment,
            &regions,
            metrics.default_region(),
        );
        for index in missing {
            clean = false;
            eprintln!(
                "error: step {} lookup {index}: no region: name `regions` in the block, pass --region, or set AWS_REGION",
                step.index
            );
        }
        let outcomes = redact_outcomes(metrics.lookup(&requests), &secrets);
        clean &= outcomes
            .iter()
            .all(|o| o.result.is_ok() && verdict(o) != Some(crate::event::Verdict::Breach));
        if let Some(message) = no_credentials(&outcomes) {
            // Once for the whole run: every other step would say the same.
            if !said_no_credentials {
                eprintln!("error: lookups not run: {message}");
                said_no_credentials = true;
            }
            if !config.json {
                continue;
            }
        }
        if config.json {
            for o in &outcomes {
                serde_json::to_writer(&mut *out, &lookup_event(o)).map_err(std::io::Error::from)?;
                writeln!(out)?;
            }
            continue;
        }
        writeln!(
            out,
            "{}",
            paint.bold(&format!("Step {}: {}", step.index, step.full_title()))
        )?;
        for lookup in &step.lookups {
            let mine: Vec<_> = outcomes
                .iter()
                .filter(|o| o.request.lookup.index == lookup.index)
                .collect();
            out.write_all(crate::terminal::lookup_table(&mine, paint).as_bytes())?;
        }
    }
    Ok(if clean { 0 } else { 1 })
}
