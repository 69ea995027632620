//! Conditions (kstatus conventions), phase and readiness: pure functions of observed state.
//!
//! kstatus: `Ready` True only when the instance is fully reconciled and its workloads are ready;
//! `Reconciling` True while work is in progress (abnormal-true); `Stalled` True when progress needs a
//! user (bad input, broken chart); `Degraded` True when something that ran before is no longer healthy.

use crate::api::Phase;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};
use serde_json::Value;

pub const READY: &str = "Ready";
pub const RECONCILING: &str = "Reconciling";
pub const STALLED: &str = "Stalled";
pub const DEGRADED: &str = "Degraded";

/// Sets a condition, keeping `lastTransitionTime` when the status does not change (so a steady state
/// writes nothing). Returns whether anything changed.
pub fn set_condition(
    conditions: &mut Vec<Condition>,
    type_: &str,
    status: bool,
    reason: &str,
    message: &str,
    generation: Option<i64>,
    now: &Time,
) -> bool {
    let status_s = if status { "True" } else { "False" };
    match conditions.iter_mut().find(|c| c.type_ == type_) {
        Some(c) => {
            let before = c.clone();
            if c.status != status_s {
                c.last_transition_time = now.clone();
            }
            c.status = status_s.into();
            c.reason = reason.into();
            c.message = message.into();
            c.observed_generation = generation;
            *c != before
        }
        None => {
            conditions.push(Condition {
                type_: type_.into(),
                status: status_s.into(),
                reason: reason.into(),
                message: message.into(),
                observed_generation: generation,
                last_transition_time: now.clone(),
            });
            true
        }
    }
}

pub fn is_true(conditions: &[Condition], type_: &str) -> bool {
    conditions
        .iter()
        .any(|c| c.type_ == type_ && c.status == "True")
}

/// Readiness of one workload from its live object: (ready members, desired members, settled). A
/// workload is settled when its controller has seen the current generation.
pub fn workload_readiness(obj: &Value) -> Option<(i32, i32, bool)> {
    let kind = obj.get("kind")?.as_str()?;
    let int = |p: &str| obj.pointer(p).and_then(Value::as_i64).unwrap_or(0) as i32;
    let generation = obj.pointer("/metadata/generation").and_then(Value::as_i64);
    let observed = obj
        .pointer("/status/observedGeneration")
        .and_then(Value::as_i64);
    let settled = generation.is_none() || observed >= generation;
    match kind {
        "StatefulSet" | "Deployment" | "ReplicaSet" => {
            // `spec.replicas` defaults to 1 when absent.
            let desired = obj
                .pointer("/spec/replicas")
                .and_then(Value::as_i64)
                .unwrap_or(1) as i32;
            let ready = int("/status/readyReplicas");
            let updated = int("/status/updatedReplicas");
            // A rollout is done when every member runs the current template and is ready.
            let rolled = desired == 0 || updated >= desired;
            Some((ready, desired, settled && rolled))
        }
        "Job" => {
            let done = int("/status/succeeded") >= 1;
            Some((i32::from(done), 1, settled))
        }
        _ => None,
    }
}

/// Summary of all workloads: (ready members, desired members, all ready).
pub fn summarise(workloads: &[Value]) -> (i32, i32, bool) {
    let mut ready = 0;
    let mut desired = 0;
    let mut all = true;
    for w in workloads {
        if let Some((r, d, settled)) = workload_readiness(w) {
            // Members are counted on the main workloads (StatefulSets/Deployments); Jobs only gate.
            if w.get("kind").and_then(Value::as_str) != Some("Job") {
                ready += r;
                desired += d;
            }
            all &= settled && r >= d;
        }
    }
    (ready, desired, all)
}

/// Inputs of the phase.
#[derive(Debug, Clone, Copy)]
pub struct PhaseInput {
    pub deleting: bool,
    pub stalled: bool,
    pub stopped: bool,
    pub ready: bool,
    pub ready_members: i32,
    /// The instance was Ready at some point before (so a not-ready state is an update, not a creation).
    pub was_running: bool,
    /// The engine version changes with this generation.
    pub upgrading: bool,
}

pub fn phase(i: PhaseInput) -> Phase {
    if i.deleting {
        Phase::Deleting
    } else if i.stalled {
        Phase::Failed
    } else if i.stopped {
        if i.ready_members == 0 {
            Phase::Stopped
        } else {
            Phase::Stopping
        }
    } else if i.ready {
        Phase::Running
    } else if i.upgrading {
        Phase::Upgrading
    } else if i.was_running {
        Phase::Updating
    } else {
        Phase::Creating
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn t(s: &str) -> Time {
        Time(s.parse().expect("timestamp"))
    }

    #[test]
    fn transition_time_moves_only_when_the_status_flips() {
        let mut c = Vec::new();
        assert!(set_condition(
            &mut c,
            READY,
            false,
            "Creating",
            "x",
            Some(1),
            &t("2026-01-01T00:00:00Z")
        ));
        assert!(!set_condition(
            &mut c,
            READY,
            false,
            "Creating",
            "x",
            Some(1),
            &t("2026-01-01T00:01:00Z")
        ));
        assert_eq!(c[0].last_transition_time, t("2026-01-01T00:00:00Z"));
        assert!(set_condition(
            &mut c,
            READY,
            true,
            "Ready",
            "ok",
            Some(1),
            &t("2026-01-01T00:02:00Z")
        ));
        assert_eq!(c[0].last_transition_time, t("2026-01-01T00:02:00Z"));
        assert!(is_true(&c, READY));
    }

    #[test]
    fn readiness_comes_from_workload_status() {
        let sts = json!({"kind": "StatefulSet", "metadata": {"generation": 2},
            "spec": {"replicas": 3}, "status": {"observedGeneration": 2, "readyReplicas": 3, "updatedReplicas": 3}});
        assert_eq!(workload_readiness(&sts), Some((3, 3, true)));
        let stale = json!({"kind": "StatefulSet", "metadata": {"generation": 3},
            "spec": {"replicas": 3}, "status": {"observedGeneration": 2, "readyReplicas": 3, "updatedReplicas": 3}});
        assert_eq!(workload_readiness(&stale), Some((3, 3, false)));
        let job = json!({"kind": "Job", "status": {"succeeded": 1}});
        assert_eq!(workload_readiness(&job), Some((1, 1, true)));
        let dep = json!({"kind": "Deployment", "spec": {}, "status": {}});
        assert_eq!(summarise(&[sts, dep]), (3, 4, false));
        assert_eq!(workload_readiness(&json!({"kind": "Service"})), None);
    }

    #[test]
    fn phases() {
        let base = PhaseInput {
            deleting: false,
            stalled: false,
            stopped: false,
            ready: false,
            ready_members: 0,
            was_running: false,
            upgrading: false,
        };
        assert_eq!(phase(base), Phase::Creating);
        assert_eq!(
            phase(PhaseInput {
                was_running: true,
                ..base
            }),
            Phase::Updating
        );
        assert_eq!(
            phase(PhaseInput {
                ready: true,
                ..base
            }),
            Phase::Running
        );
        assert_eq!(
            phase(PhaseInput {
                stopped: true,
                ready_members: 1,
                ..base
            }),
            Phase::Stopping
        );
        assert_eq!(
            phase(PhaseInput {
                stopped: true,
                ..base
            }),
            Phase::Stopped
        );
        assert_eq!(
            phase(PhaseInput {
                stalled: true,
                ready: true,
                ..base
            }),
            Phase::Failed
        );
        assert_eq!(
            phase(PhaseInput {
                deleting: true,
                stalled: true,
                ..base
            }),
            Phase::Deleting
        );
        assert_eq!(
            phase(PhaseInput {
                upgrading: true,
                was_running: true,
                ..base
            }),
            Phase::Upgrading
        );
    }
}
