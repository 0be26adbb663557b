use super::args::KeysCreateArgs;
use super::import::open_store;
use super::settings::Settings;
use anyhow::{bail, Context, Result};
use corpus::{KeyRole, Store};
use std::process::ExitCode;

pub fn create(settings: &Settings, args: &KeysCreateArgs) -> Result<ExitCode> {
    let role: KeyRole = args.role.parse()?;
    let subject = match role {
        KeyRole::Admin if args.enterprise.is_some() || args.broker.is_some() => {
            bail!("an admin key acts for no enterprise or broker; drop --enterprise/--broker")
        }
        KeyRole::Admin => None,
        KeyRole::Enterprise if args.broker.is_some() => {
            bail!("--broker does not go with --role enterprise")
        }
        KeyRole::Enterprise => args.enterprise.clone(),
        KeyRole::Broker if args.enterprise.is_some() => {
            bail!("--enterprise does not go with --role broker")
        }
        KeyRole::Broker => args.broker.clone(),
    };
    let (key, token) = patmatch_api::new_key(role, subject, args.label.clone())
        .map_err(|e| anyhow::anyhow!("no randomness for a key: {e}"))?;
    let mut store = open_store(settings)?;
    store.save_api_key(&key).context("saving the key")?;
    if args.json {
        say!(
            "{}",
            serde_json::json!({"id": key.id, "role": key.role, "subject": key.subject, "token": token})
        )?;
    } else {
        say!("{token}")?;
        eprintln!(
            "created {} key {}{}; the token above is shown only now",
            role.as_str(),
            key.id,
            key.subject
                .as_deref()
                .map(|s| format!(" for {s}"))
                .unwrap_or_default()
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn list(settings: &Settings, json: bool) -> Result<ExitCode> {
    let keys = open_store(settings)?.api_keys()?;
    if json {
        let keys: Vec<_> = keys
            .iter()
            .map(|k| {
                serde_json::json!({"id": k.id, "role": k.role, "subject": k.subject,
                    "label": k.label, "created_at": k.created_at, "revoked_at": k.revoked_at})
            })
            .collect();
        say!("{}", serde_json::to_string_pretty(&keys)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    for k in &keys {
        say!(
            "{}  {:<10}  {:<20}  {}{}",
            k.id,
            k.role.as_str(),
            k.subject.as_deref().unwrap_or("-"),
            k.created_at.format("%Y-%m-%d"),
            if k.revoked_at.is_some() {
                "  revoked"
            } else {
                ""
            }
        )?;
    }
    if keys.is_empty() {
        say!("no keys; create one with `patmatch keys create --role admin`")?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn revoke(settings: &Settings, id: &str) -> Result<ExitCode> {
    let mut store = open_store(settings)?;
    if store.revoke_api_key(id, chrono::Utc::now())? {
        say!("revoked {id}")?;
    } else {
        say!("{id} was already revoked")?;
    }
    Ok(ExitCode::SUCCESS)
}
