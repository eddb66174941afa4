//! One save path for the page, the history rollback and the JSON API: validate, store a
//! revision with the proxy file, audit. Callers only choose how to answer.

use super::extract::Actor;
use crate::error::AppError;
use crate::locale::{self, Arg};
use crate::locale::{Text, io_reason};
use crate::settings::form::{FieldErrors, ProxyForm};
use crate::settings::store::{Revision, SaveError, SaveOutcome};
use crate::state::AppState;

pub enum SaveResult {
    Saved(Revision),
    Invalid(FieldErrors),
    /// The caller's base revision is old; this is the current one.
    Stale(Option<Revision>),
    /// The proxy file or the database could not be written; nothing was saved. The text
    /// says why.
    NotWritten(Text),
}

/// Save `form` over revision `base`. With `restore`, the form holds that revision's values
/// and its stored password comes back too (a rollback).
pub async fn save_proxy(
    state: &AppState,
    actor: &Actor,
    form: &ProxyForm,
    base: i64,
    restore: Option<&Revision>,
) -> Result<SaveResult, AppError> {
    let stored = match restore {
        Some(target) => target.config.clone(),
        None => state
            .store
            .current()
            .await?
            .map(|r| r.config)
            .unwrap_or_default(),
    };
    let settings = match form.parse(&stored) {
        Ok(s) => s,
        Err(errors) => return Ok(SaveResult::Invalid(errors)),
    };
    let outcome = state
        .store
        .save(
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
