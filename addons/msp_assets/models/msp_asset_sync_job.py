# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Asset syncs as jobs on OCA queue_job (channel root.msp.sync).

Sync Now, the nightly cron and the per-client button create a run (queued)
and return at once. A source-wide sync is a *plan* job (reads the vendor's
organisations, refreshes the mapping) that queues one job per mapped client,
each with a child run; each client job commits its own work, and a small
*finish* job after each one counts the children and, when none is left,
closes the parent run and tells the user who started it. The identity key
``msp.asset.sync:<source>:<client or all>`` keeps the same scope from being
queued twice while a job for it waits. Serialization failures and lock
timeouts become ``RetryableJobError`` (retried with the back-off of the job
functions in data/queue_job_function_data.xml); the sync engine already
records any other failure, with its traceback, on the run."""

from contextlib import contextmanager

from odoo import api, fields, models
from odoo.exceptions import UserError
from psycopg2 import OperationalError, errorcodes

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import Job

from .sync_engine import STAT_FIELDS, SyncEngine

# what a retry may cure: another transaction got there first
RETRYABLE_PGCODES = (
    errorcodes.SERIALIZATION_FAILURE,
    errorcodes.DEADLOCK_DETECTED,
    errorcodes.LOCK_NOT_AVAILABLE,
)
ACTIVE = ("queued", "running")


@contextmanager
def retry_on_concurrency():
    try:
        yield
    except OperationalError as error:
        if error.pgcode in RETRYABLE_PGCODES:
            raise RetryableJobError(str(error)) from error
        raise


class MspAssetSource(models.Model):
    _inherit = "msp.asset.source"

    def _check_can_sync(self):
        """Only those who may change the source (service managers, the
        cron) may sync it, and only once it has what it needs."""
        self.ensure_one()
        self.check_access("write")
        if not self.configured:
            raise UserError(
                self.env._(
                    "%(connector)s lacks its URL or credentials.", connector=self.name
                )
            )

    @staticmethod
    def _sync_identity(source_id, client_id=None):
        return f"msp.asset.sync:{source_id}:{client_id or 'all'}"

    def _active_run(self, client=None):
        return (
            self.env["msp.asset.sync.run"]
            .sudo()
            .search(
                [
                    ("source_id", "=", self.id),
                    ("client_id", "=", client.id if client else False),
                    ("parent_id", "=", False),
                    ("state", "in", ACTIVE),
                ],
                limit=1,
            )
        )

    def _enqueue_sync(self, client=None):
        """Queue a sync of this source (every mapped client, or one) and
        return its run at once; a run of the same scope still queued or
        running is returned instead of a second one."""
        self._check_can_sync()
        active = self._active_run(client)
        if active:
            return active
        run = (
            self.env["msp.asset.sync.run"]
            .sudo()
            .create(
                {
                    "source_id": self.id,
                    "client_id": client.id if client else False,
                    "state": "queued",
                    "user_id": self.env.uid,
                }
            )
        )
        source = self.sudo().with_company(self.company_id)
        if client:
            job = source._delay_sync_client(run)
        else:
            job = source.with_delay(
                identity_key=self._sync_identity(self.id),
                description=self.env._("Asset sync: %(name)s", name=self.name),
            )._job_sync_plan(run)
        if job is not None and not isinstance(job, Job):
            # another request queued the same scope between our search and
            # now: its job (and run) stand, ours goes
            run.unlink()
            return self._active_run(client)
        return run

    def _delay_sync_client(self, run):
        return self.with_delay(
            identity_key=self._sync_identity(self.id, run.client_id.id),
            description=self.env._(
                "Asset sync: %(name)s, %(client)s",
                name=self.name,
                client=run.client_id.name,
            ),
        )._job_sync_client(run)

    # -- jobs --------------------------------------------------------------
    def _job_sync_plan(self, run):
        """Job: refresh the organisation mapping, then queue a job (and a
        child run) per mapped client."""
        self.ensure_one()
        run = run.sudo()
        if run.state not in ACTIVE:
            return "run already finished"
        source = self.sudo().with_company(self.company_id)
        engine = SyncEngine(source, run)
        with retry_on_concurrency():
            mapping = engine.plan()
        if mapping is None:  # the engine recorded why on the run
            run._notify_end()
            return "failed"
        clients = sorted(set(mapping.values()))
        Run = self.env["msp.asset.sync.run"].sudo()
        with retry_on_concurrency():
            children = Run.create(
                [
                    {
                        "source_id": source.id,
                        "client_id": client_id,
                        "parent_id": run.id,
                        "state": "queued",
                        "user_id": run.user_id.id,
                    }
                    for client_id in clients
                ]
            )
            values = {"state": "running", "job_total": len(children)}
            if not children:
                values.update(
                    state="done", complete=True, finished=fields.Datetime.now()
                )
            run.write(values)
        for child in children:
            source._delay_sync_client(child)
        if not children:
            run._notify_end()
        return f"{len(children)} client jobs queued"

    def _job_sync_client(self, run):
        """Job: sync one client into its run; commits with the job."""
        self.ensure_one()
        run = run.sudo()
        if run.state not in ACTIVE:
            return "run already finished"
        source = self.sudo().with_company(self.company_id)
        with retry_on_concurrency():
            run.state = "running"
            SyncEngine(source, run, run.client_id).execute()
        if run.parent_id:
            # after this job's commit: closes the parent when it is the last
            source.with_delay(
                description=self.env._(
                    "Asset sync: %(name)s, close the run", name=self.name
                )
            )._job_sync_finish(run.parent_id)
        else:
            run._notify_end()
        return f"{run.state}: {run.created} created, {run.updated} updated"

    def _job_sync_finish(self, parent):
        """Job: close the parent run once every client job has ended. Two of
        these at once: one fails to serialize, is retried, finds it closed."""
        parent = parent.sudo()
        if parent.state not in ACTIVE:
            return "already closed"
        Run = self.env["msp.asset.sync.run"].sudo()
        domain = [("parent_id", "=", parent.id)]
        states = dict(Run._read_group(domain, ["state"], ["__count"]))
        if any(states.get(state) for state in ACTIVE):
            return "clients still syncing"
        [sums] = Run._read_group(domain, [], [f"{f}:sum" for f in STAT_FIELDS])
        incomplete = Run.search_count([*domain, ("complete", "=", False)])
        with retry_on_concurrency():
            parent.write(
                {
                    "state": "failed" if states.get("failed") else "done",
                    "complete": not incomplete,
                    "finished": fields.Datetime.now(),
                    **{
                        f: total or 0
                        for f, total in zip(STAT_FIELDS, sums, strict=True)
                    },
                }
            )
        parent._notify_end()
        return parent.state


class MspAssetSyncRun(models.Model):
    _inherit = "msp.asset.sync.run"

    state = fields.Selection(
        selection_add=[("queued", "Queued")], ondelete={"queued": "set default"}
    )
    user_id = fields.Many2one(
        "res.users", string="Started By", readonly=True, help="Told when it ends."
    )
    parent_id = fields.Many2one(
        "msp.asset.sync.run",
        string="Source Run",
        index=True,
        ondelete="cascade",
        readonly=True,
    )
    child_ids = fields.One2many("msp.asset.sync.run", "parent_id", string="Clients")
    job_total = fields.Integer(
        string="Client Jobs", readonly=True, help="Jobs the sync was split into."
    )
    traceback = fields.Text(
        readonly=True,
        groups="msp_base.group_msp_service_manager",
        help="Where an unexpected failure happened, for whoever fixes it.",
    )
    job_done = fields.Integer(string="Jobs Ended", compute="_compute_progress")
    progress = fields.Float(compute="_compute_progress")

    @api.depends("child_ids.state", "job_total", "state")
    def _compute_progress(self):
        done = dict(
            self._read_group(
                [("parent_id", "in", self.ids), ("state", "in", ("done", "failed"))],
                ["parent_id"],
                ["__count"],
            )
        )
        for run in self:
            run.job_done = done.get(run, 0)
            if run.job_total:
                run.progress = 100.0 * run.job_done / run.job_total
            else:
                run.progress = 0.0 if run.state in ACTIVE else 100.0

    def _notify_end(self):
        """Tell the user who started the run how it ended (a toast)."""
        for run in self.filtered("user_id"):
            ok = run.state == "done"
            run.user_id._bus_send(
                "simple_notification",
                {
                    "type": "success" if ok else "danger",
                    "title": self.env._("Asset sync"),
                    "message": self.env._(
                        "%(connector)s: %(state)s (%(created)s created, "
                        "%(updated)s updated).",
                        connector=run.source_id.name,
                        state=dict(
                            run._fields["state"]._description_selection(run.env)
                        )[run.state],
                        created=run.created,
                        updated=run.updated,
                    ),
                    "sticky": not ok,
                },
            )
