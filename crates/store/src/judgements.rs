//! Analysts' judgements about personas, in `case.db`: analyst state that outlives every link run.

use crate::case::Case;
use crate::error::{Result, StoreError};
use crate::staging::unix_now;
use rusqlite::{OptionalExtension, params};
use spector_model::{Judgement, JudgementId, JudgementKind, RecordId, Withdrawal};
use std::collections::BTreeMap;

impl Case {
    /// Records a judgement made now. Refused when it could not mean anything (see
    /// [`JudgementKind::problem`]) or when analyst or reason is blank; whether its accounts exist is the
    /// caller's to check.
    pub fn add_judgement(
        &self,
        kind: &JudgementKind,
        analyst: &str,
        reason: &str,
    ) -> Result<Judgement> {
        if let Some(problem) = kind.problem() {
            return Err(StoreError::InvalidJudgement(problem));
        }
        let (analyst, reason) = (required(analyst, "analyst")?, required(reason, "reason")?);
        let made_at = unix_now();
        let mut conn = self.conn();
        let tx = self.write_tx(&mut conn)?;
        let (a, b, persona) = match kind {
            JudgementKind::SameSeller { a, b } | JudgementKind::DifferentSellers { a, b } => {
                (Some(a.as_str()), Some(b.as_str()), None)
            }
            JudgementKind::Split { persona, .. } => (None, None, Some(persona.as_str())),
        };
        self.db(tx.execute(
            "INSERT INTO judgements (kind, account_a, account_b, persona, analyst, reason, made_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![kind.name(), a, b, persona, analyst, reason, made_at],
        ))?;
        let id = tx.last_insert_rowid();
        if let JudgementKind::Split {
            accounts, members, ..
        } = kind
        {
            let mut st = self.db(tx.prepare(
                "INSERT OR IGNORE INTO judgement_accounts (judgement, account, side) VALUES (?1, ?2, ?3)",
            ))?;
            for m in members {
                let side = if accounts.contains(m) {
                    "split"
                } else {
                    "stayed"
                };
                self.db(st.execute(params![id, m.as_str(), side]))?;
            }
        }
        self.db(tx.commit())?;
        Ok(Judgement {
            id: JudgementId(id),
            kind: normalised(kind),
            analyst: analyst.to_string(),
            reason: reason.to_string(),
            made_at,
            withdrawn: None,
        })
    }

    /// Every judgement of the case, withdrawn ones included, oldest first.
    pub fn judgements(&self) -> Result<Vec<Judgement>> {
        let conn = self.conn();
        type Row = (
            i64,
            String,
            Option<String>,
            Option<String>,
            Option<String>,
            String,
            String,
            i64,
            Option<i64>,
            Option<String>,
            Option<String>,
        );
        let rows: Vec<Row> = self.db(conn
            .prepare(
                "SELECT id, kind, account_a, account_b, persona, analyst, reason, made_at,
                        withdrawn_at, withdrawn_by, withdrawal_reason
                 FROM judgements ORDER BY id",
            )
            .and_then(|mut st| {
                st.query_map([], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                        r.get(7)?,
                        r.get(8)?,
                        r.get(9)?,
                        r.get(10)?,
                    ))
                })?
                .collect()
            }))?;
        // judgement → (split off, stayed)
        let mut sides: BTreeMap<i64, (Vec<RecordId>, Vec<RecordId>)> = BTreeMap::new();
        let accounts: Vec<(i64, String, String)> = self.db(conn
            .prepare("SELECT judgement, account, side FROM judgement_accounts")
            .and_then(|mut st| {
                st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                    .collect()
            }))?;
        for (judgement, account, side) in accounts {
            let entry = sides.entry(judgement).or_default();
            let account = RecordId::from_stored(account);
            if side == "split" {
                entry.0.push(account);
            } else {
                entry.1.push(account);
            }
        }
        rows.into_iter()
            .map(
                |(id, kind, a, b, persona, analyst, reason, made_at, w_at, w_by, w_reason)| {
                    let corrupt = |message: &str| StoreError::CorruptJudgement {
                        id: JudgementId(id),
                        message: message.to_string(),
                    };
                    let pair = || match (&a, &b) {
                        (Some(a), Some(b)) => {
                            Ok((RecordId::from_stored(a), RecordId::from_stored(b)))
                        }
                        _ => Err(corrupt("a pair judgement without its two accounts")),
                    };
                    let kind = match kind.as_str() {
                        "same_seller" => {
                            let (a, b) = pair()?;
                            JudgementKind::SameSeller { a, b }
                        }
                        "different_sellers" => {
                            let (a, b) = pair()?;
                            JudgementKind::DifferentSellers { a, b }
                        }
                        "split" => {
                            let (accounts, stayed) = sides.remove(&id).unwrap_or_default();
                            normalised(&JudgementKind::Split {
                                persona: persona
                                    .ok_or_else(|| corrupt("a split without its persona"))?,
                                members: accounts.iter().chain(&stayed).cloned().collect(),
                                accounts,
                            })
                        }
                        other => return Err(corrupt(&format!("unknown kind {other:?}"))),
                    };
                    let withdrawn = match (w_at, w_by, w_reason) {
                        (Some(at), Some(analyst), Some(reason)) => Some(Withdrawal {
                            analyst,
                            reason,
                            at,
                        }),
                        _ => None,
                    };
                    Ok(Judgement {
                        id: JudgementId(id),
                        kind,
                        analyst,
                        reason,
                        made_at,
                        withdrawn,
                    })
                },
            )
            .collect()
    }

    /// Withdraws a judgement: it stays in the case, with who withdrew it, when and why, and constrains
    /// linking no more from the next run on.
    pub fn withdraw_judgement(
        &self,
        id: JudgementId,
        analyst: &str,
        reason: &str,
    ) -> Result<Judgement> {
        let (analyst, reason) = (required(analyst, "analyst")?, required(reason, "reason")?);
        {
            let mut conn = self.conn();
            let tx = self.write_tx(&mut conn)?;
            let withdrawn: Option<Option<i64>> = self.db(tx
                .query_row(
                    "SELECT withdrawn_at FROM judgements WHERE id = ?1",
                    [id.0],
                    |r| r.get(0),
                )
                .optional())?;
            match withdrawn {
                None => return Err(StoreError::UnknownJudgement(id)),
                Some(Some(at)) => return Err(StoreError::JudgementWithdrawn { id, at }),
                Some(None) => {}
            }
            self.db(tx.execute(
                "UPDATE judgements SET withdrawn_at = ?2, withdrawn_by = ?3, withdrawal_reason = ?4
                 WHERE id = ?1",
                params![id.0, unix_now(), analyst, reason],
            ))?;
            self.db(tx.commit())?;
        }
        self.judgements()?
            .into_iter()
            .find(|j| j.id == id)
            .ok_or(StoreError::UnknownJudgement(id))
    }
}

fn required<'a>(value: &'a str, what: &str) -> Result<&'a str> {
    let value = value.trim();
    if value.is_empty() {
        return Err(StoreError::InvalidJudgement(format!(
            "a judgement needs {} {what}",
            if what == "analyst" { "an" } else { "a" }
        )));
    }
    Ok(value)
}

/// A split as stored: accounts and members sorted, without duplicates.
fn normalised(kind: &JudgementKind) -> JudgementKind {
    match kind {
        JudgementKind::Split {
            persona,
            accounts,
            members,
        } => {
            let mut accounts = accounts.clone();
            accounts.sort();
            accounts.dedup();
            let mut members = members.clone();
            members.sort();
            members.dedup();
            JudgementKind::Split {
                persona: persona.clone(),
                accounts,
                members,
            }
        }
        other => other.clone(),
    }
}
