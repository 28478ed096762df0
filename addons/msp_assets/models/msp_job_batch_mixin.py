# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Work split into batches of queue jobs (OCA queue_job): a billing run's
contracts, an asset reconciliation's clients.

Each record's jobs carry identity keys under one prefix per record
(``_job_key_prefix``), a batch's key adds a digest of the ids it handles
(so the same batch is never queued twice while it waits), and the record's
stored jobs, their progress (ids of ended batches) and whether one started
come from one query for a whole recordset."""

import hashlib

from odoo import fields, models
from odoo.osv import expression
from odoo.tools import escape_psql

# queue.job states of a job still to come, and of one that has ended
OPEN_JOB_STATES = ("wait_dependencies", "pending", "enqueued", "started")
FAILED_JOB_STATES = ("failed", "cancelled")
ENDED_JOB_STATES = ("done", *FAILED_JOB_STATES)


class MspJobBatchMixin(models.AbstractModel):
    _name = "msp.job.batch.mixin"
    _description = "Work Split into Batches of Queue Jobs"

    msp_jobs_queued_at = fields.Datetime(
        string="Jobs Queued On",
        readonly=True,
        copy=False,
        help="When the current attempt's jobs were queued: jobs of an earlier "
        "attempt (same keys) do not count.",
    )

    def _job_key_prefix(self):
        """The start of every identity key of this record's jobs."""
        self.ensure_one()
        return f"{self._name}:{self.id}:"

    def _batch_identity_key(self, ids):
        digest = hashlib.sha1(
            ",".join(str(i) for i in sorted(ids)).encode()
        ).hexdigest()[:20]
        return f"{self._job_key_prefix()}batch-{digest}"

    def _batch_jobs(self):
        """The stored queue jobs of these records' current attempt (one
        query): an earlier attempt's jobs (a failed run run again) carry the
        same keys and are left out by their date."""
        Job = self.env["queue.job"].sudo()
        if not self.ids:
            return Job.browse()
        return Job.search(
            expression.OR(
                [
                    (
                        "identity_key",
                        "=like",
                        f"{escape_psql(rec._job_key_prefix())}%",
                    ),
                    ("date_created", ">=", rec.msp_jobs_queued_at or rec.create_date),
                ]
                for rec in self
            )
        )

    def _batch_progress(self, method_name):
        """{record: (ids handled by its ended batch jobs, whether one of them
        has started)}: batch jobs are the jobs of ``method_name``, whose
        first argument is the list of ids they handle."""
        jobs = self._batch_jobs().filtered(lambda job: job.method_name == method_name)
        progress = {}
        for rec in self:
            prefix = rec._job_key_prefix()
            batches = jobs.filtered(
                lambda job, prefix=prefix: job.identity_key.startswith(prefix)
            )
            ended = batches.filtered(lambda job: job.state in ENDED_JOB_STATES)
            progress[rec] = (
                sum(len(job.args[0]) if job.args else 0 for job in ended),
                bool(batches.filtered(lambda job: job.state in ("started", "done"))),
            )
        return progress
