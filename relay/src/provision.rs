//! Telephony settings from the config file — `[[trunks]]` and `[[sip_users]]` —
//! applied by `Relay::start` after the migrations and the demo data: each entry
//! is created when missing, brought in line when different, left alone when
//! equal, so applying the same file again changes nothing.
//!
//! Every entry is checked before anything is written; a bad one stops start-up
//! with an error naming it, e.g. `trunks[1].number: `abc` is not a phone number`
//! (entries count from 0, in file order).

use std::collections::HashSet;

use anyhow::Context;
use callcard_shared::api::SipUserInput;
use sqlx::SqlitePool;

use crate::config::Config;
use crate::crm::sip_users::{self, SipUserFields};
use crate::crm::trunks::{self, TrunkFields};
use crate::crm::{recording_settings, users, WriteError};

/// What applying the file did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Provisioned {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

fn entry_error(entry: &str, e: WriteError) -> anyhow::Error {
    match e {
        WriteError::Invalid { field, message } | WriteError::Conflict { field, message } => {
            anyhow::anyhow!("{entry}.{field}: {message}")
        }
        WriteError::Db(e) => anyhow::Error::new(e).context(format!("{entry}: database error")),
    }
}

struct SipUserPlan<'a> {
    entry: String,
    login: &'a str,
    user_id: i64,
    fields: SipUserFields,
    password: Option<&'a str>,
}

/// Applies `config.trunks`, `config.sip_users` and `config.recording` (the
/// recording settings, checked like `PUT /api/recording-settings`) to the
/// database.
pub async fn apply(db: &SqlitePool, config: &Config) -> anyhow::Result<Provisioned> {
    let region = config.default_region;
    let mut done = Provisioned::default();

    // Check everything first.
    let mut trunk_plans: Vec<(String, TrunkFields)> = Vec::new();
    let mut names = HashSet::new();
    for (i, entry) in config.trunks.iter().enumerate() {
        let at = format!("trunks[{i}]");
        let fields = trunks::validate(&entry.0, region).map_err(|e| entry_error(&at, e))?;
        if !names.insert(fields.name.clone()) {
            anyhow::bail!("{at}.name: `{}` appears twice in the file", fields.name);
        }
        trunk_plans.push((at, fields));
    }
    if let Some(settings) = &config.recording {
        if let Err((field, message)) = recording_settings::validate(db, settings).await? {
            anyhow::bail!("recording.{field}: {message}");
        }
    }
    let mut sip_plans = Vec::new();
    let (mut logins, mut extensions) = (HashSet::new(), HashSet::new());
    for (i, entry) in config.sip_users.iter().enumerate() {
        let at = format!("sip_users[{i}]");
        let login = entry.login.trim();
        let user_id = users::id_by_login(db, login)
            .await
            .with_context(|| format!("{at}: database error"))?
            .ok_or_else(|| anyhow::anyhow!("{at}.login: there is no CRM user `{login}`"))?;
        let input = SipUserInput {
            user_id,
            extension: Some(entry.extension.clone()),
            accept_incoming: entry.accept_incoming,
            browser_calls: entry.browser_calls,
            forward_to: entry.forward_to.clone(),
        };
        let fields = sip_users::validate(&input, region).map_err(|e| entry_error(&at, e))?;
        if let Some(password) = &entry.password {
            sip_users::check_fixed_password(password)
                .map_err(|m| anyhow::anyhow!("{at}.password: {m}"))?;
        }
        if !logins.insert(login) {
            anyhow::bail!("{at}.login: `{login}` appears twice in the file");
        }
        if !extensions.insert(fields.extension.clone()) {
            anyhow::bail!(
                "{at}.extension: {} appears twice in the file",
                entry.extension.trim()
            );
        }
        sip_plans.push(SipUserPlan {
            entry: at,
            login,
            user_id,
            fields,
            password: entry.password.as_deref(),
        });
    }

    for (at, fields) in &trunk_plans {
        let existing = trunks::id_by_name(db, &fields.name).await?;
        match existing {
            Some(id) => match trunks::update(db, id, fields).await {
                Ok(Some(true)) => {
                    tracing::info!(trunk = %fields.name, id, "trunk updated from the config file");
                    done.updated += 1;
                }
                Ok(_) => done.unchanged += 1,
                Err(e) => return Err(entry_error(at, e)),
            },
            None => {
                let id = trunks::create(db, fields)
                    .await
                    .map_err(|e| entry_error(at, e))?;
                tracing::info!(trunk = %fields.name, id, "trunk created from the config file");
                done.created += 1;
            }
        }
    }
    for plan in &sip_plans {
        let existing = sip_users::get_by_user(db, plan.user_id).await?;
        match existing {
            Some(current) => {
                match sip_users::update(db, current.id, &plan.fields, plan.password).await {
                    Ok(Some((user, true))) => {
                        tracing::info!(login = plan.login, sip_login = %user.sip_login,
                            "telephony user updated from the config file");
                        done.updated += 1;
                    }
                    Ok(_) => done.unchanged += 1,
                    Err(e) => return Err(entry_error(&plan.entry, e)),
                }
            }
            None => {
                let created = sip_users::create(db, plan.user_id, &plan.fields, plan.password)
                    .await
                    .map_err(|e| entry_error(&plan.entry, e))?;
                tracing::info!(login = plan.login, sip_login = %created.sip_login,
                    "telephony user created from the config file");
                done.created += 1;
            }
        }
    }
    if let Some(settings) = &config.recording {
        if recording_settings::load(db).await.ok().as_ref() == Some(settings) {
            done.unchanged += 1;
        } else {
            recording_settings::save(db, settings).await?;
            tracing::info!("recording settings written from the config file");
            done.updated += 1;
        }
    }
    Ok(done)
}
