//! `hsplan user …` and `hsplan audit …`: accounts and the audit log of a shared store.

use crate::messages::{Lang, Msg};
use anyhow::{Context, Result, bail};
use clap::Subcommand;
use hsplan_app::governance::{self, Actor};
use hsplan_app::{StoreLocation, Workspace};
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

#[derive(Subcommand, Debug)]
pub enum UserWhat {
    /// Add a user; the password is read from standard input (one line).
    Add {
        /// User name.
        name: String,
    },
    /// Set a user's password (read from standard input); ends their sessions.
    Passwd {
        /// User name.
        name: String,
    },
    /// Grant a role on a unit and everything below it.
    Grant {
        /// User name.
        name: String,
        /// admin, planner, data_entry, approver or viewer.
        role: String,
        /// Unit code (e.g. 500109 for Beibei).
        unit: String,
    },
    /// Revoke a grant.
    Revoke {
        /// User name.
        name: String,
        /// The role.
        role: String,
        /// The unit code.
        unit: String,
    },
    /// Let a user report progress for a responsible unit named in plans (e.g. 区卫生健康委).
    Org {
        /// User name.
        name: String,
        /// The unit's name as the plans write it.
        org: String,
    },
    /// List users and their grants.
    List,
}

#[derive(Subcommand, Debug)]
pub enum AuditWhat {
    /// Verify the hash chain (exit 1 naming the first broken record).
    Verify,
    /// Write the whole log as CSV.
    Export {
        /// Output file.
        #[arg(long)]
        out: PathBuf,
    },
}

fn workspace(db: &Path) -> Result<Workspace> {
    let location = StoreLocation::from(db);
    if !matches!(location, StoreLocation::Postgres(_)) {
        bail!(
            "accounts and the audit log live in a shared store: pass --db postgres://USER@HOST:PORT/DB (got {})",
            location.display()
        );
    }
    Ok(Workspace::open_at(&location)?)
}

fn read_password(lang: Lang) -> Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("{}", Msg::PasswordPrompt.text(lang));
        std::io::stderr().flush().ok();
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}

pub fn user(db: &Path, what: UserWhat, lang: Lang) -> Result<()> {
    let ws = workspace(db)?;
    let by = Actor::cli();
    match what {
        UserWhat::Add { name } => {
            let pw = read_password(lang)?;
            governance::add_user(&ws, &name, &pw, &by)?;
            println!("{}: {name}", Msg::UserAdded.text(lang));
        }
        UserWhat::Passwd { name } => {
            let pw = read_password(lang)?;
            governance::set_password(&ws, &name, &pw, &by)?;
            println!("{}: {name}", Msg::PasswordSet.text(lang));
        }
        UserWhat::Grant { name, role, unit } => {
            governance::grant(&ws, &name, &role, &unit, &by)?;
            println!("{}: {name} {role} {unit}", Msg::Granted.text(lang));
        }
        UserWhat::Revoke { name, role, unit } => {
            governance::revoke(&ws, &name, &role, &unit, &by)?;
            println!("{}: {name} {role} {unit}", Msg::Revoked.text(lang));
        }
        UserWhat::Org { name, org } => {
            hsplan_app::tasks::add_member_org(&ws, &name, &org, &by)?;
            println!("{}: {name} → {org}", Msg::Granted.text(lang));
        }
        UserWhat::List => {
            let users = governance::users(&ws)?;
            if users.is_empty() {
                println!("{}", Msg::NoUsers.text(lang));
            }
            for u in users {
                let grants: Vec<String> = u
                    .grants
                    .iter()
                    .map(|g| format!("{}@{} {}", g.role, g.unit, g.unit_name))
                    .collect();
                println!(
                    "{}{}\t{}",
                    u.name,
                    if u.disabled { " (disabled)" } else { "" },
                    grants.join(", ")
                );
            }
        }
    }
    Ok(())
}

pub fn audit(db: &Path, what: AuditWhat, lang: Lang) -> Result<()> {
    let ws = workspace(db)?;
    match what {
        AuditWhat::Verify => {
            let v = governance::verify_audit(&ws)?;
            println!("{}: {}", Msg::AuditIntact.text(lang), v.records);
        }
        AuditWhat::Export { out } => {
            let csv = governance::audit_csv_all(&ws)?;
            std::fs::write(&out, csv).with_context(|| format!("writing {}", out.display()))?;
            println!("{} {}", Msg::Exported.text(lang), out.display());
        }
    }
    Ok(())
}
