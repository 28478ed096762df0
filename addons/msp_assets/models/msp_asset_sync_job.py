# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Asset syncs as jobs on OCA queue_job (channel root.msp.sync).

Sync Now, the nightly cron and the per-client button create a run (queued)
and return at once. A source-wide sync is a *plan* job (reads the vendor's
organisations, refreshes the mapping) that queues one job per mapped client,
each with a child run, and one *finish* job after them (lower priority, one
per run: identity key ``msp.asset.sync.finish:<run>``). Each client job
commits its own work. The finish job waits (polling, without using up its
retries) until every job of the run has ended, closes the run of a job that
failed after its retries with that job's traceback, then closes the parent
run and tells the user who started it. The identity key
``msp.asset.sync:<source>:<client or all>`` keeps the same scope from being
queued twice while a job for it waits. Serialization failures and lock
timeouts become ``RetryableJobError`` (retried with the back-off of the job
functions in data/queue_job_function_data.xml); the sync engine already
records any other failure, with its traceback, on the run. A run shows
*Running* as soon as its job has started (queue_job commits that state),
and *Failed* when its job failed, even before the run's own transaction
could say so."""

from contextlib import contextmanager

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from psycopg2 import OperationalError

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import Job

from .msp_job_batch_mixin import FAILED_JOB_STATES, OPEN_JOB_STATES
from .sync_engine import CONCURRENCY_PGCODES, STAT_FIELDS, SyncEngine

# what a retry may cure: another transaction got there first
ACTIVE = ("queued", "running")


@contextmanager
def retry_on_concurrency():
    try:
        yield
    except OperationalError as error:
        if error.pgcode in CONCURRENCY_PGCODES:
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
        failed = active._jobs().filtered(lambda job: job.state in FAILED_JOB_STATES)
        if failed:
            # its job ran out of retries (a plan job has no finish job to
            # close its run): close it with the job's traceback, sync anew
            active._close_unfinished(failed)
        elif active:
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
        if run.exists():  # (a job run at once may have closed it: no_delay)
            run.job_uuid = job.uuid
        if client:
            source._delay_sync_finish(run)
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

    def _delay_sync_finish(self, run):
        """One finish job per run, after its work jobs (lower priority)."""
        return self.with_delay(
            priority=20,
            identity_key=f"msp.asset.sync.finish:{run.id}",
            description=self.env._(
                "Asset sync: %(name)s, close the run", name=self.name
            ),
        )._job_sync_finish(run)

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
        if not children:
            run._notify_end()
            return "no client to sync"
        for child in children:
            job = source._delay_sync_client(child)
            if isinstance(job, Job):
                child.job_uuid = job.uuid
            else:
                # a sync of this one client, queued on its own, still waits:
                # it does the work, this run says so
                child._close_as_duplicate(job)
        source._delay_sync_finish(run)
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
        return f"{run.state}: {run.created} created, {run.updated} updated"

    def _job_sync_finish(self, run):
        """Job: once every job of the run (and of its client runs) has
        ended, close the runs whose job failed after its retries, then close
        the run and tell who started it. While jobs are left it waits and
        comes back (RetryableJobError that uses up no retry)."""
        run = run.sudo()
        if run.state not in ACTIVE and not run.child_ids:
            run._notify_end()  # a single client's run: closed by its job
            return run.state
        if run.state not in ACTIVE:
            return "already closed"
        runs = run | run.child_ids
        jobs = runs._jobs()
        if jobs.filtered(lambda job: job.state in OPEN_JOB_STATES):
            raise RetryableJobError(
                self.env._("Asset sync jobs still running"),
                seconds=5,
                ignore_retry=True,
            )
        with retry_on_concurrency():
            (run.child_ids or run)._close_unfinished(jobs)
        if not run.child_ids:
            run._notify_end()
            return run.state
        Run = self.env["msp.asset.sync.run"].sudo()
        domain = [("parent_id", "=", run.id)]
        states = dict(Run._read_group(domain, ["state"], ["__count"]))
        parent = run
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
    job_uuid = fields.Char(
        string="Job", readonly=True, copy=False, help="The queue job doing this run."
    )
    status = fields.Selection(
        [
            ("queued", "Queued"),
            ("running", "Running"),
            ("done", "Complete"),
            ("failed", "Failed"),
        ],
        compute="_compute_status",
        help="The run's state, or what its queue job says while the run's own "
        "transaction has not ended: Running once the job has started, Failed "
        "when the job failed after its retries.",
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

    def _jobs(self):
        """The stored queue jobs of these runs (one query)."""
        uuids = [uuid for uuid in self.mapped("job_uuid") if uuid]
        if not uuids:
            return self.env["queue.job"].sudo().browse()
        return self.env["queue.job"].sudo().search([("uuid", "in", uuids)])

    @api.depends("state", "job_uuid")
    def _compute_status(self):
        active = self.filtered(lambda run: run.state in ACTIVE and run.job_uuid)
        job_states = {job.uuid: job.state for job in active._jobs()}
        for run in self:
            job_state = job_states.get(run.job_uuid) if run in active else None
            if job_state in FAILED_JOB_STATES:
                run.status = "failed"
            elif job_state == "started" or run.state == "running":
                run.status = "running"
            else:
                run.status = run.state

    def _close_unfinished(self, jobs):
        """Close, as failed, the runs still open whose job has ended: failed
        after its retries (its traceback kept), cancelled, or gone."""
        by_uuid = {job.uuid: job for job in jobs}
        for run in self.filtered(lambda run: run.state in ACTIVE):
            job = by_uuid.get(run.job_uuid)
            if job and job.state in OPEN_JOB_STATES:
                continue
            if job and job.state == "failed":
                message = self.env._("The sync job failed after its retries.")
            elif job and job.state == "cancelled":
                message = self.env._("The sync job was cancelled.")
            else:
                message = self.env._("The sync job ended without closing its run.")
            run.write(
                {
                    "state": "failed",
                    "finished": fields.Datetime.now(),
                    "traceback": (job and (job.exc_info or job.exc_message)) or message,
                    "error_ids": [Command.create({"message": message})],
                }
            )

    def _close_as_duplicate(self, job):
        """This client's sync is already queued on its own (``job``): that
        job does the work; this run says so and ends, done but not complete
        (it read nothing), so the source-wide run is not called failed."""
        self.write(
            {
                "state": "done",
                "complete": False,
                "finished": fields.Datetime.now(),
                "job_uuid": job.uuid,
                "error_ids": [
                    Command.create(
                        {
                            "level": "warning",
                            "message": self.env._(
                                "Skipped: a sync of this client alone was "
                                "already queued and does it."
                            ),
                        }
                    )
                ],
            }
        )

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
