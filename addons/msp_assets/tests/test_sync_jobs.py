# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Asset syncs as queue jobs: the buttons and the cron queue and return, a
job per client, identity keys, a failing client, concurrency retries."""

from unittest import mock

from odoo.tests import tagged
from psycopg2 import OperationalError, errorcodes

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import Job
from odoo.addons.queue_job.tests.common import trap_jobs  # after queue_job_compat

from ..models.sync_engine import SyncEngine
from .common import AssetCase
from .fake_rmm import FakeServer, FakeTactical


class SerializationFailure(OperationalError):
    """What PostgreSQL raises when a concurrent transaction got there first."""

    pgcode = errorcodes.SERIALIZATION_FAILURE


@tagged("post_install", "-at_install")
class TestSyncJobs(AssetCase):
    def setUp(self):
        super().setUp()
        self.notified = self.capture_notifications()

    def run_of(self, action):
        return self.env["msp.asset.sync.run"].browse(action["res_id"])

    def perform_all(self, trap):
        while trap.enqueued_jobs:
            trap.perform_enqueued_jobs()

    def test_sync_now_and_the_cron_queue_a_job_and_return(self):
        source = self.make_source("tactical", "http://127.0.0.1:9")
        with trap_jobs() as trap:
            run = self.run_of(source.action_sync_now())
            trap.assert_jobs_count(1, only=source._job_sync_plan)
            job = trap.enqueued_jobs[0]
            self.assertEqual(job.channel, "root.msp.sync")
            self.assertEqual(job.identity_key, f"msp.asset.sync:{source.id}:all")
            self.assertEqual((run.state, run.user_id), ("queued", self.env.user))
            self.assertFalse(self.assets(source))  # nothing synced in the request
            self.assertEqual(run.progress, 0.0)
        source.schedule_enabled = True
        other = self.make_source("tactical", "http://127.0.0.1:9", name="Other")
        with trap_jobs() as trap:
            (source | other)._cron_sync()
            trap.assert_jobs_count(1)  # source's run is still queued: not again
            self.assertEqual(trap.enqueued_jobs[0].args, (other._active_run(),))

    def test_one_job_per_client_then_the_run_closes_and_tells_the_user(self):
        with FakeServer(FakeTactical()) as server:
            source = self.make_source("tactical", server.url)
            with trap_jobs() as trap:
                run = self.run_of(source.action_sync_now())
                trap.perform_enqueued_jobs()  # the plan
                trap.assert_jobs_count(2, only=source._job_sync_client)
                self.assertEqual(
                    {job.identity_key for job in trap.enqueued_jobs[:2]},
                    {
                        f"msp.asset.sync:{source.id}:{self.acme.id}",
                        f"msp.asset.sync:{source.id}:{self.bravo.id}",
                    },
                )
                self.assertEqual(
                    (run.state, run.job_total, run.job_done), ("running", 2, 0)
                )
                self.assertEqual(run.child_ids.client_id, self.acme | self.bravo)
                self.assertFalse(self.notified)
                [finish] = trap.enqueued_jobs[2:]  # one, after the clients
                self.assertEqual(finish.func.__name__, "_job_sync_finish")
                self.assertEqual(finish.identity_key, f"msp.asset.sync.finish:{run.id}")
                self.assertGreater(finish.priority, trap.enqueued_jobs[0].priority)
                trap.perform_enqueued_jobs()  # the clients, then the finish
                self.assertEqual(run.child_ids.mapped("state"), ["done", "done"])
                self.assertEqual((run.job_done, run.progress), (2, 100.0))
                self.assertFalse(trap.enqueued_jobs)
        self.assertEqual(run.state, "done")
        self.assertTrue(run.complete)
        self.assertEqual((run.created, run.pages), (3, 3))
        self.assertEqual(len(self.assets(source)), 3)
        [(user, kind, message)] = self.notified  # once
        self.assertEqual(
            (user, kind, message["type"]),
            (self.env.user, "simple_notification", "success"),
        )
        self.assertIn(source.name, message["message"])

    def test_the_client_button_queues_that_client_only(self):
        with FakeServer(FakeTactical()) as server:
            source = self.make_source("tactical", server.url)
            self.sync(source)  # learns the organisations
            line = source.mapping_ids.filtered(lambda m: m.client_id == self.bravo)
            with trap_jobs() as trap:
                run = self.run_of(line.action_sync_client())
                trap.assert_jobs_count(1, only=source._job_sync_client)
                self.assertEqual((run.state, run.client_id), ("queued", self.bravo))
                self.assertEqual(
                    run.display_name.split(" · ")[:2], [source.name, self.bravo.name]
                )
                self.perform_all(trap)
        self.assertEqual(run.state, "done")
        self.assertEqual(len(self.notified), 1)

    def test_the_same_scope_is_never_queued_twice(self):
        source = self.make_source("tactical", "http://127.0.0.1:9")
        with trap_jobs() as trap:
            first = self.run_of(source.action_sync_now())
            second = self.run_of(source.action_sync_now())
            self.assertEqual(first, second)
            trap.assert_jobs_count(1)
        first.state = "done"
        # stored jobs: the identity key holds even when the run check misses
        Job = self.env["queue.job"]
        run = self.run_of(source.action_sync_now())
        key = f"msp.asset.sync:{source.id}:all"
        self.assertEqual(Job.search_count([("identity_key", "=", key)]), 1)
        run.state = "failed"  # as if closed, while its job still waits
        runs = source.run_ids
        again = source._enqueue_sync()
        self.assertEqual(Job.search_count([("identity_key", "=", key)]), 1)
        self.assertEqual(source.run_ids, runs)  # the second run was dropped
        self.assertFalse(again)

    def test_a_client_failing_half_way_leaves_the_others_and_a_rerun_completes(self):
        engine_apply = SyncEngine._apply_page
        bravo = self.bravo

        def apply_page(engine, records, scope):
            if engine.client == bravo:
                raise RuntimeError("worker died half-way")
            return engine_apply(engine, records, scope)

        with FakeServer(FakeTactical()) as server:
            source = self.make_source("tactical", server.url)
            with trap_jobs() as trap:
                run = self.run_of(source.action_sync_now())
                trap.perform_enqueued_jobs()
                with (
                    mock.patch.object(SyncEngine, "_apply_page", apply_page),
                    self.assertLogs(
                        "odoo.addons.msp_assets.models.sync_engine", "WARNING"
                    ) as logs,
                ):
                    trap.perform_enqueued_jobs()
                self.perform_all(trap)
            failed = run.child_ids.filtered(lambda r: r.client_id == self.bravo)
            done = run.child_ids - failed
            self.assertEqual((failed.state, done.state), ("failed", "done"))
            self.assertIn("RuntimeError: worker died half-way", failed.traceback)
            self.assertIn("Traceback", logs.output[0])
            self.assertEqual(run.state, "failed")
            self.assertEqual(self.notified[-1][2]["type"], "danger")
            acme_assets = self.assets(source)
            self.assertEqual(acme_assets.client_id, self.acme)
            with trap_jobs() as trap:
                rerun = self.run_of(source.action_sync_now())
                self.assertNotEqual(rerun, run)
                self.perform_all(trap)
        self.assertEqual(rerun.state, "done")
        assets = self.assets(source)
        self.assertEqual(len(assets), 3)
        self.assertEqual(len(set(assets.mapped("external_id"))), 3)
        self.assertLessEqual(acme_assets, assets)  # the same records, not copies
        self.assertEqual(rerun.created, 1)

    def test_a_serialization_failure_is_retried(self):
        def conflict(engine, records, scope):
            raise SerializationFailure("could not serialize access")

        with FakeServer(FakeTactical()) as server:
            source = self.make_source("tactical", server.url)
            with trap_jobs() as trap:
                run = self.run_of(source.action_sync_now())
                trap.perform_enqueued_jobs()
                job = trap.enqueued_jobs[0]
                with (
                    mock.patch.object(SyncEngine, "_apply_page", conflict),
                    self.assertRaises(RetryableJobError),
                ):
                    job.perform()
                self.assertFalse(run.child_ids.error_ids)  # not recorded: retried
                job.perform()  # the retry, the other transaction gone
                self.assertEqual(job.args[0].state, "done")

    def test_without_delay_everything_runs_at_once(self):
        with FakeServer(FakeTactical()) as server:
            source = self.make_source("tactical", server.url)
            action = source.with_context(queue_job__no_delay=True).action_sync_now()
        run = self.run_of(action)
        self.assertEqual((run.state, run.created, run.job_total), ("done", 3, 2))

    # -- stored jobs, as the runner sees them ---------------------------------
    def stored(self, run_or_key):
        Jobs = self.env["queue.job"].sudo()
        if isinstance(run_or_key, str):
            return Jobs.search([("identity_key", "=", run_or_key)])
        return Jobs.search([("uuid", "=", run_or_key.job_uuid)])

    def perform(self, record):
        """Run a stored job as the runner does, and store how it ended."""
        job = Job.load(self.env, record.uuid)
        job.set_started()
        job.perform()
        job.set_done()
        job.store()

    def test_one_finish_job_per_sync_which_waits_for_the_clients(self):
        with FakeServer(FakeTactical()) as server:
            source = self.make_source("tactical", server.url)
            run = self.run_of(source.action_sync_now())
            self.assertEqual(run.status, "queued")
            plan = self.stored(run)
            plan.state = "started"  # committed by the runner before the work
            run.invalidate_recordset(["status"])
            self.assertEqual((run.state, run.status), ("queued", "running"))
            plan.state = "enqueued"
            self.perform(plan)
            finish_key = f"msp.asset.sync.finish:{run.id}"
            finish = self.stored(finish_key)
            self.assertEqual(len(finish), 1)
            clients = self.stored(run.child_ids[0]) | self.stored(run.child_ids[1])
            self.assertEqual(len(clients), 2)
            # the finish job comes back while client jobs are left, using no
            # retry and queuing nothing new
            with self.assertRaises(RetryableJobError) as caught:
                Job.load(self.env, finish.uuid).perform()
            self.assertTrue(caught.exception.ignore_retry)
            self.assertEqual(run.state, "running")
            for client_job in clients:
                self.perform(client_job)
            self.assertEqual(run.state, "running")
            self.perform(finish)
        self.assertEqual((run.state, run.status, run.created), ("done", "done", 3))
        self.assertEqual(len(self.stored(finish_key)), 1)
        jobs = self.env["queue.job"].sudo().search(
            [("identity_key", "=like", f"msp.asset.sync%:{source.id}%")]
        ) | self.stored(finish_key)
        self.assertEqual(len(jobs), 4)  # plan, two clients, one finish
        self.assertEqual(len(self.notified), 1)

    def test_a_client_job_failing_after_its_retries_closes_its_run(self):
        with FakeServer(FakeTactical()) as server:
            source = self.make_source("tactical", server.url)
            run = self.run_of(source.action_sync_now())
            self.perform(self.stored(run))
            acme_run, bravo_run = (
                run.child_ids.filtered(lambda r, c=client: r.client_id == c)
                for client in (self.acme, self.bravo)
            )
            self.perform(self.stored(acme_run))
            # bravo's job met lock timeouts until its retries ran out
            bravo_job = self.stored(bravo_run)
            bravo_job.write(
                {
                    "state": "failed",
                    "exc_name": "FailedJobError",
                    "exc_info": "Traceback ...\nFailedJobError: Max. retries (5)",
                }
            )
            bravo_run.invalidate_recordset(["status"])
            self.assertEqual((bravo_run.state, bravo_run.status), ("queued", "failed"))
            self.perform(self.stored(f"msp.asset.sync.finish:{run.id}"))
        self.assertEqual((acme_run.state, bravo_run.state), ("done", "failed"))
        self.assertIn("Max. retries", bravo_run.traceback)
        self.assertIn("after its retries", bravo_run.error_ids.message)
        self.assertEqual(run.state, "failed")
        self.assertEqual(self.notified[-1][2]["type"], "danger")

    def test_a_client_already_queued_alone_is_not_queued_again(self):
        with FakeServer(FakeTactical()) as server:
            source = self.make_source("tactical", server.url)
            self.sync(source)  # learns the organisations
            line = source.mapping_ids.filtered(lambda m: m.client_id == self.bravo)
            alone = self.run_of(line.action_sync_client())
            run = self.run_of(source.action_sync_now())
            self.perform(self.stored(run))
            bravo_run = run.child_ids.filtered(lambda r: r.client_id == self.bravo)
            # done but not complete: the other job reads it; the sync of the
            # source is not called failed for it
            self.assertEqual((bravo_run.state, bravo_run.complete), ("done", False))
            self.assertEqual(bravo_run.job_uuid, alone.job_uuid)
            self.assertIn("already queued", bravo_run.error_ids.message)
            key = f"msp.asset.sync:{source.id}:{self.bravo.id}"
            self.assertEqual(len(self.stored(key)), 1)

    def test_a_plan_job_out_of_retries_does_not_block_the_source(self):
        source = self.make_source("tactical", "http://127.0.0.1:9")
        run = self.run_of(source.action_sync_now())
        self.stored(run).write(
            {"state": "failed", "exc_info": "Traceback ...\nFailedJobError: Max."}
        )
        again = self.run_of(source.action_sync_now())
        self.assertNotEqual(again, run)
        self.assertEqual((again.state, run.state), ("queued", "failed"))
        self.assertIn("FailedJobError", run.traceback)
        self.assertIn("after its retries", run.error_ids.message)
