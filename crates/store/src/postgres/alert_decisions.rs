//! What the desk decided about its alerts (`alert_decisions`, migration `0015`).

use claimdesk_core::{Actor, AlertId, Permission, UserId};
use serde_json::json;

use super::write::{Change, Rights};
use crate::monitor::{AlertDecision, AlertState};
use crate::{Error, PgStore, Result};

/// A stored decision row: alert, decision, reason, user, time.
type DecisionRow = (i64, String, Option<String>, Option<i64>, String);

fn state_from_row((alert, decision, reason, user, at): DecisionRow) -> Result<AlertState> {
    let decision = match (decision.as_str(), reason) {
        ("acknowledged", _) => AlertDecision::Acknowledged,
        ("dismissed", Some(reason)) => AlertDecision::Dismissed { reason },
        (other, _) => {
            return Err(Error::Corrupt(format!(
                "alert {alert}: decision `{other}` without its reason"
            )));
        }
    };
    Ok(AlertState {
        alert: AlertId(alert),
        decision,
        by: user.map(UserId),
        at,
    })
}

impl PgStore {
    pub(crate) async fn write_decide_alert(
        &self,
        alert: AlertId,
        decision: &AlertDecision,
        actor: Actor,
    ) -> Result<AlertState> {
        let reason = match decision {
            AlertDecision::Acknowledged => None,
            AlertDecision::Dismissed { reason } => {
                let reason = reason.trim();
                if reason.is_empty() {
                    return Err(Error::Invalid("a dismissal needs a reason".into()));
                }
                if reason.chars().count() > AlertDecision::MAX_REASON {
                    return Err(Error::Invalid(format!(
                        "a dismissal's reason is at most {} characters",
                        AlertDecision::MAX_REASON
                    )));
                }
                Some(reason.to_string())
            }
        };
        let mut tx = Change::begin(self, actor, Rights::Needs(Permission::EditCase, None)).await?;
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM alerts WHERE id = $1")
            .bind(alert.0)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            return Err(Error::NotFound {
                what: "alert",
                id: alert.0.to_string(),
            });
        }
        let before: Option<(String, Option<String>)> =
            sqlx::query_as("SELECT decision, reason FROM alert_decisions WHERE alert_id = $1")
                .bind(alert.0)
                .fetch_optional(&mut *tx)
                .await?;
        let user = match actor {
            Actor::User(id) => Some(id.0),
            _ => None,
        };
        let at = tx.at().to_string();
        sqlx::query(
            "INSERT INTO alert_decisions (alert_id, decision, reason, user_id, decided_at)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (alert_id) DO UPDATE SET decision = excluded.decision,
                reason = excluded.reason, user_id = excluded.user_id,
                decided_at = excluded.decided_at",
        )
        .bind(alert.0)
        .bind(decision.as_str())
        .bind(&reason)
        .bind(user)
        .bind(&at)
        .execute(&mut *tx)
        .await?;
        let action = match decision {
            AlertDecision::Acknowledged => "alert.acknowledge",
            AlertDecision::Dismissed { .. } => "alert.dismiss",
        };
        tx.audit(
            action,
            &format!("alert:{}", alert.0),
            before.map(|(d, r)| json!({ "decision": d, "reason": r })),
            Some(json!({ "decision": decision.as_str(), "reason": reason })),
        )
        .await?;
        tx.commit().await?;
        Ok(AlertState {
            alert,
            decision: match reason {
                Some(reason) => AlertDecision::Dismissed { reason },
                None => AlertDecision::Acknowledged,
            },
            by: user.map(UserId),
            at,
        })
    }

    pub(crate) async fn read_alert_states(&self, alerts: &[AlertId]) -> Result<Vec<AlertState>> {
        if alerts.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = alerts.iter().map(|a| a.0).collect();
        let rows: Vec<DecisionRow> = sqlx::query_as(
            "SELECT alert_id, decision, reason, user_id, decided_at FROM alert_decisions
             WHERE alert_id IN (SELECT value::bigint FROM json_array_elements_text($1::json))
             ORDER BY alert_id",
        )
        .bind(serde_json::to_string(&ids).map_err(|e| Error::Corrupt(e.to_string()))?)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(state_from_row).collect()
    }
}
