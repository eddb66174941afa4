//! One save path for the page, the history rollback and the JSON API: validate, store a
//! revision with the proxy file, audit. Callers only choose how to answer. *Test before
//! saving* probes the values first (SPEC §6).

use super::extract::Actor;
use super::probe_test::{NotRun, run_once};
use crate::error::AppError;
use crate::locale::{self, Arg};
use crate::locale::{Text, io_reason};
use crate::settings::form::{FieldErrors, ProxyForm};
use crate::settings::store::{Revision, SaveError, SaveOutcome};
use crate::state::AppState;
use crate::tester::{Busy, TestResult};

pub enum SaveResult {
    Saved(Revision),
    Invalid(FieldErrors),
    /// The caller's base revision is old; this is the current one.
    Stale(Option<Revision>),
    /// The proxy file or the database could not be written; nothing was saved. The text
    /// says why.
    NotWritten(Text),
}

/// Save `form` over revision `base`; `current` is the newest revision as this request read
/// it (crate::signed_in). With `restore`, the form holds that revision's values
/// and its stored password comes back too (a rollback).
pub async fn save_proxy(
    state: &AppState,
    actor: &Actor,
    form: &ProxyForm,
    base: i64,
    restore: Option<&Revision>,
    current: Option<Revision>,
) -> Result<SaveResult, AppError> {
    let stored = match restore {
        Some(target) => target.config.clone(),
        None => current
            .as_ref()
            .map(|r| r.config.clone())
            .unwrap_or_default(),
    };
    let settings = match form.parse(&stored) {
        Ok(s) => s,
        Err(errors) => return Ok(SaveResult::Invalid(errors)),
    };
    let outcome = state
        .store
        .save_over(
            current,
            base,
            actor.name(),
            actor.address(),
            restore.map(|r| r.id),
            |current| {
                let mut config = settings.apply_to(current);
                if let Some(target) = restore {
                    config.password = target.config.password.clone();
                }
                config
            },
        )
        .await;
    match outcome {
        Ok(SaveOutcome::Saved(revision)) => {
            tracing::info!(
                revision = revision.id,
                changes = revision.changes.len(),
                "proxy settings saved"
            );
            Ok(SaveResult::Saved(revision))
        }
        Ok(SaveOutcome::Stale { current }) => Ok(SaveResult::Stale(current)),
        Err(SaveError::File { path, source }) => {
            tracing::error!(path = %path.display(), error = %source, "proxy file not written; save rolled back");
            Ok(SaveResult::NotWritten(locale::text(
                "web-save-file-not-written",
                &[
                    ("path", Arg::same(&path.display())),
                    ("why", Arg::each(&io_reason(&source))),
                ],
            )))
        }
        Err(SaveError::Db(e)) => match crate::db::explain(&e) {
            Some(why) => {
                tracing::error!(error = %e, "proxy settings not saved");
                Ok(SaveResult::NotWritten(why))
            }
            None => Err(e.into()),
        },
    }
}

/// What *Test before saving* found before the save.
pub enum Pretest {
    /// Nothing to test, or the test passed: save.
    Save,
    /// The test's verdict is not `ok`: nothing saved; the reports say why.
    Failed(Box<TestResult>),
    /// The test could not run (this session or the server is already testing): nothing saved.
    Busy(Busy),
}

/// Whether a save probes first: asked for, not overridden by *Save anyway*, and the new
/// values turn the proxy on (a disabled proxy is not used, so there is nothing to test).
pub fn wants_test(test_first: bool, force: bool, form: &ProxyForm) -> bool {
    test_first && !force && form.enabled
}

/// Probe `form` before saving it over `base`, with Test connection's limits (one test per
/// session, a few per server, the probe's max time). Values that would not be saved
/// (invalid, or a stale `base`) are not tested: the save answers them as it always does.
pub async fn pretest(
    state: &AppState,
    actor: &Actor,
    form: &ProxyForm,
    base: i64,
) -> Result<Pretest, AppError> {
    let current = state.store.current().await?;
    let current_id = current.as_ref().map_or(0, |r| r.id);
    let stored = current.map(|r| r.config).unwrap_or_default();
    if current_id != base || form.parse(&stored).is_err() {
        return Ok(Pretest::Save);
    }
    Ok(match run_once(state, actor, form, &stored).await {
        Ok(result) if result.ok => Pretest::Save,
        Ok(result) => Pretest::Failed(Box::new(result)),
        Err(NotRun::Busy(busy)) => Pretest::Busy(busy),
        // The values parsed above; should the probe refuse them anyway, the save says why.
        Err(NotRun::Invalid(_)) => Pretest::Save,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_asked_unforced_save_that_enables_the_proxy_is_tested() {
        let on = ProxyForm {
            enabled: true,
            ..ProxyForm::default()
        };
        let off = ProxyForm::default();
        assert!(wants_test(true, false, &on));
        assert!(!wants_test(false, false, &on), "off by default");
        assert!(!wants_test(true, true, &on), "Save anyway skips the test");
        assert!(
            !wants_test(true, false, &off),
            "a disabled proxy is not tested"
        );
    }
}
