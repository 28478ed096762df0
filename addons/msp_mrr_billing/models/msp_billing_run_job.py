# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Billing runs as OCA queue_job jobs: Run Billing enqueues one job per
batch of contracts on channel root.msp.billing and returns at once; a last
job waits for the batches, sets the run's outcome and tells the user who
started it."""

import logging
import traceback

import psycopg2
from odoo import api, fields, models

from odoo.addons.msp_assets.models.msp_job_batch_mixin import (
    FAILED_JOB_STATES,
    OPEN_JOB_STATES,
)
from odoo.addons.msp_base.models.msp_system_fields import system_write
from odoo.addons.queue_job.exception import RetryableJobError

from .msp_billing_run import RETRY

_logger = logging.getLogger(__name__)

# contracts a job bills at most (a client's contracts are never split over
# two jobs, so one client with more contracts makes a bigger job)
JOB_BATCH_SIZE = 50
CHANNEL = "root.msp.billing"
# another transaction got there first, or a lock was not granted in time:
# the job is retried later (back-off: the job function's retry pattern)
RETRYABLE = (*RETRY, psycopg2.errors.LockNotAvailable)


class MspBillingRunJob(models.Model):
    _name = "msp.billing.run"
    _inherit = ["msp.billing.run", "msp.job.batch.mixin"]

    job_state = fields.Selection(
        [("queued", "Queued"), ("done", "Done"), ("failed", "Failed")],
        readonly=True,
        copy=False,
        tracking=True,
        help="Queued when Run Billing has enqueued its jobs; Done or Failed "
        "when the last of them has ended.",
    )
    job_status = fields.Selection(
        [
            ("queued", "Queued"),
            ("running", "Running"),
            ("done", "Done"),
            ("failed", "Failed"),
        ],
        string="Run Status",
        compute="_compute_job_progress",
    )
    contract_total = fields.Integer(
        string="Contracts Due",
        readonly=True,
        copy=False,
        help="Contracts the run's jobs bill.",
    )
    contract_done = fields.Integer(
        string="Contracts Processed", compute="_compute_job_progress"
    )
    job_progress = fields.Float(string="Progress (%)", compute="_compute_job_progress")
    job_user_id = fields.Many2one(
        "res.users", string="Started By", readonly=True, copy=False
    )
    job_error_details = fields.Text(
        string="Job Failures",
        readonly=True,
        copy=False,
        groups="msp_base.group_msp_billing",
        help="Jobs of the run that failed after their retries, with their "
        "traceback (for support).",
    )

    def _msp_system_fields(self):
        return super()._msp_system_fields() | {
            "job_state",
            "contract_total",
            "job_user_id",
            "job_error_details",
            "msp_jobs_queued_at",
        }

    # -- identity keys -----------------------------------------------------
    def _job_key_prefix(self):
        self.ensure_one()
        return f"msp-billing-run-{self.id}-"

    @api.depends("job_state", "contract_total")
    def _compute_job_progress(self):
        queued = self.filtered(lambda run: run.job_state == "queued" and run.id)
        batches = queued._batch_progress("_job_bill_batch")
        for run in self:
            run.job_status = run.job_state
            total = run.contract_total
            if run.job_state == "done":
                done = total
            elif run in batches:
                done, started = batches[run]
                if started:
                    run.job_status = "running"
            else:
                done = total if run.job_state else 0
            run.contract_done = min(done, total)
            run.job_progress = 100.0 * run.contract_done / total if total else 0.0

    # -- enqueueing --------------------------------------------------------
    def action_run(self):
        """Enqueue the billing of the contracts due (a job per batch, on
        channel root.msp.billing) and return at once. Idempotent: the same
        run and batch is never queued twice (identity keys), and billing
        keys each contract's period."""
        with system_write():
            for run in self:
                contracts = run._due_contracts()
                run.write(
                    {
                        "state": "review" if run.state == "draft" else run.state,
                        "job_state": "queued",
                        "contract_total": len(contracts),
                        "job_user_id": self.env.uid,
                        "job_error_details": False,
                        "msp_jobs_queued_at": fields.Datetime.now(),
                    }
                )
                run._enqueue_batches(contracts)
        return True

    def _job_batches(self, contracts, size=None):
        """Contract id lists of at most ``size`` (JOB_BATCH_SIZE), a
        client's contracts always in the same job (jobs of one run run side
        by side: two jobs must not bill the same client's time)."""
        size = size or JOB_BATCH_SIZE
        by_client = {}
        for contract in contracts:
            client = contract.partner_id.commercial_partner_id.id
            by_client.setdefault(client, []).append(contract.id)
        batches, batch = [], []
        for ids in by_client.values():
            if batch and len(batch) + len(ids) > size:
                batches.append(batch)
                batch = []
            batch = batch + ids
        if batch:
            batches.append(batch)
        return batches

    def _enqueue_batches(self, contracts):
        self.ensure_one()
        batches = self._job_batches(contracts)
        for index, ids in enumerate(batches, start=1):
            self.with_delay(
                channel=CHANNEL,
                priority=10,
                identity_key=self._batch_identity_key(ids),
                description=self.env._(
                    "Billing run %(run)s: contracts batch %(index)s/%(count)s",
                    run=self.reference or self.id,
                    index=index,
                    count=len(batches),
                ),
            )._job_bill_batch(ids)
        # after the batches (lower priority), polls until they have ended
        self.with_delay(
            channel=CHANNEL,
            priority=20,
            identity_key=f"{self._job_key_prefix()}finish",
            description=self.env._(
                "Billing run %(run)s: outcome", run=self.reference or self.id
            ),
        )._job_finish_run()

    # -- the jobs ----------------------------------------------------------
    def _job_bill_batch(self, contract_ids):
        """Bill these contracts of the run (a job: its own transaction).
        Serialization failures, deadlocks and lock timeouts raise
        RetryableJobError (retried with back-off, nothing kept from the
        try); any other error leaves the batch unbilled, its contracts as
        failed lines with the traceback, logged at WARNING."""
        self.ensure_one()
        contracts = self.env["contract.contract"].browse(contract_ids).exists()
        run = self.with_context(msp_billing_job=True)
        try:
            with system_write(), self.env.cr.savepoint():
                run._bill(contracts)
        except RETRYABLE as error:
            raise RetryableJobError(
                self.env._(
                    "Billing run %(run)s: %(error)s (retried)",
                    run=self.reference or self.id,
                    error=type(error).__name__,
                )
            ) from error
        except Exception as error:  # the run must say why, not only the job
            _logger.warning(
                "Billing run %s: a job of %s contracts failed",
                self.id,
                len(contracts),
                exc_info=True,
            )
            details = traceback.format_exc()
            with system_write():
                for contract in contracts:
                    self._record_failure(contract, "failed", str(error), details)
        return len(contracts)

    def _job_finish_run(self):
        """Once every batch job of the run has ended: the run's outcome, a
        chatter message and a notification to who started it."""
        self.ensure_one()
        if self.job_state != "queued":
            return False  # already finished (a second finish job)
        jobs = self._batch_jobs().filtered(
            lambda job: job.method_name == "_job_bill_batch"
        )
        if jobs.filtered(lambda job: job.state in OPEN_JOB_STATES):
            raise RetryableJobError(
                self.env._("Billing jobs still running"), seconds=10, ignore_retry=True
            )
        failed_jobs = jobs.filtered(lambda job: job.state in FAILED_JOB_STATES)
        # a contract that failed, then was billed by a re-run, is no failure
        invoiced = self.line_ids.filtered(lambda line: line.state == "invoiced")
        failed_lines = self.line_ids.filtered(
            lambda line: (
                line.state == "failed" and line.contract_id not in invoiced.contract_id
            )
        )
        values = {"job_state": "failed" if failed_jobs or failed_lines else "done"}
        if failed_jobs:
            values["job_error_details"] = "\n\n".join(
                f"{job.name or job.uuid}: {job.exc_info or job.exc_message or ''}"
                for job in failed_jobs
            )
        with system_write():
            self.write(values)
        self._notify_run_end(failed_jobs, failed_lines)
        return True

    def _notify_run_end(self, failed_jobs, failed_lines):
        failed = bool(failed_jobs or failed_lines)
        if failed:
            message = self.env._(
                "Billing run ended with failures: %(invoiced)s invoiced, "
                "%(failed)s contracts failed, %(jobs)s jobs failed.",
                invoiced=self.invoiced_count,
                failed=len(failed_lines),
                jobs=len(failed_jobs),
            )
        else:
            message = self.env._(
                "Billing run done: %(invoiced)s invoiced, %(review)s to review.",
                invoiced=self.invoiced_count,
                review=self.to_review_count,
            )
        user = self.job_user_id
        people = user.filtered(lambda u: not u.share and u.id != api.SUPERUSER_ID)
        partner_ids = people.partner_id.ids
        self.message_post(body=message, partner_ids=partner_ids)
        if user:
            user._bus_send(
                "simple_notification",
                {
                    "type": "warning" if failed else "success",
                    "title": self.env._("Billing run %(run)s", run=self.name),
                    "message": message,
                    "sticky": failed,
                },
            )
