package metrics

import (
	"time"

	"storagegw/application"
)

// Job names of storagegw_job_runs_total.
const (
	JobPurge     = "purge"
	JobReconcile = "reconcile"
)

// PurgeDone counts a finished retention purge run.
func (m *Metrics) PurgeDone(rep application.PurgeReport, err error) {
	m.purgedFiles.Add(float64(rep.Purged))
	m.purgedBytes.Add(float64(rep.Bytes))
	m.purgeFailures.Add(float64(rep.Failures))
	if err != nil || rep.Failures > 0 {
		m.jobDone(JobPurge, "failed")
		return
	}
	m.jobDone(JobPurge, "ok")
}

// ReconcileDone counts a finished reconciliation run: result ok, problems
// (it completed but found problems it did not fix) or failed.
func (m *Metrics) ReconcileDone(rep application.ReconcileReport, err error) {
	m.reconcileFindings.WithLabelValues(string(application.FindingOrphan)).Add(float64(rep.Orphans))
	m.reconcileFindings.WithLabelValues(string(application.FindingMissing)).Add(float64(rep.Missing))
	m.reconcileFindings.WithLabelValues(string(application.FindingForeign)).Add(float64(rep.Foreign))
	m.reconcileRemoved.Add(float64(rep.OrphansRemoved))
	switch {
	case err != nil:
		m.jobDone(JobReconcile, "failed")
	case !rep.Clean():
		m.jobDone(JobReconcile, "problems")
	default:
		m.jobDone(JobReconcile, "ok")
	}
}

// jobDone counts a run whose result is ok, failed, or (reconcile)
// problems; ok and problems runs completed and set the last-success time.
func (m *Metrics) jobDone(job, result string) {
	if result != "failed" {
		m.jobLastSuccess.WithLabelValues(job).Set(float64(time.Now().Unix()))
	}
	m.jobRuns.WithLabelValues(job, result).Inc()
}
