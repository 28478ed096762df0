# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Asset reconciliation as queue jobs (root.msp.reports): the button queues
and returns, a job per batch of clients, identity keys, a failing batch, a
retried batch adding nothing twice, access per role and company."""

from datetime import date, datetime
from unittest import mock

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged
from psycopg2 import OperationalError, errorcodes

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import Job
from odoo.addons.queue_job.tests.common import trap_jobs  # after queue_job_compat

from ..models import msp_asset_reconciliation as reconciliation_module
from .common import AssetCase

Reconciliation = reconciliation_module.MspAssetReconciliation


class SerializationFailure(OperationalError):
    pgcode = errorcodes.SERIALIZATION_FAILURE


@tagged("post_install", "-at_install")
class TestReconciliationJobs(AssetCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.billing = new_test_user(
            cls.env, "rec_bill", groups="msp_base.group_msp_billing"
        )
        ws = cls.env.ref("msp_assets.asset_type_workstation").id
        cls.env["msp.asset"].create(
            [
                {"name": f"{client.name} PC{n}", "client_id": client.id, "type_id": ws}
                for client in (cls.acme, cls.bravo)
                for n in range(2)
            ]
        )

    def setUp(self):
        super().setUp()
        self.notified = self.capture_notifications()

    def new(self, **values):
        return (
            self.env["msp.asset.reconciliation"]
            .with_user(self.billing)
            .create({"client_ids": [(6, 0, (self.acme | self.bravo).ids)], **values})
        )

    def stored(self, rec):
        return (
            self.env["queue.job"]
            .sudo()
            .search([("identity_key", "=like", f"{rec._job_key_prefix()}%")])
        )

    def perform(self, record):
        """Run a stored job as the runner does, storing how it ended."""
        job = Job.load(self.env, record.uuid)
        job.set_started()
        try:
            job.perform()
        except RetryableJobError:
            raise
        except Exception as error:  # the runner stores the failure
            job.set_failed(exc_info=f"Traceback ...\n{error!r}", exc_name="Error")
            job.store()
            return
        job.set_done()
        job.store()

    def test_the_button_queues_jobs_and_returns(self):
        rec = self.new()
        with trap_jobs() as trap:
            action = rec.action_compute()
            self.assertEqual(
                (action["res_model"], action["res_id"]), (rec._name, rec.id)
            )
            trap.assert_jobs_count(1, only=rec._job_reconcile_batch)
            trap.assert_jobs_count(1, only=rec._job_reconcile_finish)
            batch, finish = trap.enqueued_jobs
            self.assertEqual({batch.channel, finish.channel}, {"root.msp.reports"})
            self.assertTrue(batch.identity_key.startswith(rec._job_key_prefix()))
            self.assertGreater(finish.priority, batch.priority)
            self.assertEqual(
                (rec.state, rec.client_total, rec.line_count), ("queued", 2, 0)
            )
            with self.assertRaisesRegex(UserError, "already being computed"):
                rec.action_compute()
            with self.assertRaisesRegex(UserError, "being computed"):
                rec.date_to = rec.date_from
            with self.assertRaisesRegex(UserError, "being computed"):
                rec.unlink()
            with self.assertRaisesRegex(UserError, "Export once"):
                rec.action_export_xlsx()
            trap.perform_enqueued_jobs()
        self.assertEqual((rec.state, rec.status, rec.progress), ("done", "done", 100.0))
        self.assertEqual(len(rec.line_ids), 2)
        self.assertEqual(set(rec.line_ids.mapped("inventory")), {2})
        [(user, _kind, message)] = self.notified
        self.assertEqual((user, message["type"]), (self.billing, "success"))
        self.assertIn("2 lines", message["message"])
        self.assertTrue(rec.action_export_xlsx()["url"].startswith("/web/content/"))

    def test_jobs_split_by_clients_and_a_failing_batch_is_rerun_without_duplicates(
        self,
    ):
        rec = self.new()
        original = Reconciliation._rows
        bravo = self.bravo

        def rows(rec, clients):
            if clients == bravo:
                raise RuntimeError("worker died half-way")
            return original(rec, clients)

        with (
            mock.patch.object(reconciliation_module, "JOB_BATCH_SIZE", 1),
            mock.patch.object(Reconciliation, "_rows", rows),
        ):
            rec.action_compute()
            jobs = self.stored(rec)
            batches = jobs.filtered(lambda j: j.method_name == "_job_reconcile_batch")
            [finish] = jobs - batches
            self.assertEqual(
                sorted(j.args[0] for j in batches), [[self.acme.id], [self.bravo.id]]
            )
            acme_job = batches.filtered(lambda j: j.args[0] == [self.acme.id])
            bravo_job = batches - acme_job
            bravo_job.state = "started"  # the runner committed it
            rec.invalidate_recordset(["status"])
            self.assertEqual(rec.status, "running")
            bravo_job.state = "enqueued"
            self.perform(acme_job)
            with self.assertLogs(reconciliation_module.__name__, "WARNING") as logs:
                self.perform(bravo_job)
            self.assertIn("Traceback", logs.output[0])
            self.assertEqual(bravo_job.state, "failed")
            rec.invalidate_recordset(["client_done"])
            self.assertEqual((rec.client_done, rec.client_total), (2, 2))
            # a batch still to come: the finish job waits, using no retry
            acme_job.state = "pending"
            with self.assertRaises(RetryableJobError) as caught:
                Job.load(self.env, finish.uuid).perform()
            self.assertTrue(caught.exception.ignore_retry)
            acme_job.state = "done"
            # requeued after the cause is fixed: completes, nothing twice
            self.perform(acme_job)  # a retry of a done batch adds nothing
            bravo_job.requeue()
            with mock.patch.object(Reconciliation, "_rows", original):
                self.perform(bravo_job)
            self.perform(finish)
        self.assertEqual(rec.state, "done")
        self.assertEqual(rec.line_ids.client_id, self.acme | self.bravo)
        self.assertEqual(len(rec.line_ids), 2)

    def test_a_failed_batch_fails_the_reconciliation_with_its_traceback(self):
        rec = self.new()
        with mock.patch.object(
            Reconciliation, "_rows", side_effect=RuntimeError("boom"), autospec=True
        ):
            rec.action_compute()
            jobs = self.stored(rec)
            with self.assertLogs(reconciliation_module.__name__, "WARNING"):
                for job in jobs.sorted("priority"):
                    self.perform(job)
        self.assertEqual(rec.state, "failed")
        self.assertIn("RuntimeError('boom')", rec.job_error_details)
        self.assertEqual(self.notified[-1][2]["type"], "warning")
        # computed again once the cause is gone: the earlier attempt's failed
        # job (same keys, queued before) does not fail the new one
        old = self.stored(rec)
        old.flush_recordset()
        self.env.cr.execute(  # queue_job lets nobody rewrite the date
            "UPDATE queue_job SET date_created = %s WHERE id = ANY(%s)",
            (datetime(2026, 1, 1), old.ids),
        )
        old.invalidate_recordset(["date_created"])
        rec.action_compute()
        self.assertEqual(rec.progress, 0.0)
        fresh = self.stored(rec).filtered(
            lambda j: j.date_created > datetime(2026, 1, 1)
        )
        self.assertEqual(len(fresh), 2)  # a batch and the outcome, queued anew
        for job in fresh.sorted("priority"):
            self.perform(job)
        self.assertEqual((rec.state, len(rec.line_ids)), ("done", 2))
        self.assertFalse(rec.job_error_details)

    def test_a_reconciliation_whose_outcome_job_failed_can_be_run_again(self):
        rec = self.new()
        rec.action_compute()
        jobs = self.stored(rec)
        jobs.write({"state": "failed"})  # its retries ran out
        rec.action_compute()  # not "already being computed"
        self.assertEqual(rec.state, "queued")

    def test_billed_counts_are_the_reconciliations_company_only(self):
        other = self.env["res.company"].create({"name": "Other MSP"})
        self.env["msp.asset.snapshot"].create(
            {
                "date": date.today(),
                "client_id": self.acme.id,
                "company_id": other.id,
                "billing_class": "endpoint",
                "count": 50,
            }
        )
        rec = self.new()
        rec.with_context(queue_job__no_delay=True).action_compute()
        acme = rec.line_ids.filtered(lambda line: line.client_id == self.acme)
        self.assertEqual(acme.billed, 0)

    def test_a_serialization_failure_is_retried(self):
        rec = self.new()
        with trap_jobs() as trap:
            rec.action_compute()
            batch = trap.enqueued_jobs[0]
            with (
                mock.patch.object(
                    Reconciliation,
                    "_rows",
                    side_effect=SerializationFailure("could not serialize"),
                    autospec=True,
                ),
                self.assertRaises(RetryableJobError),
            ):
                batch.perform()
            batch.perform()
        self.assertEqual(len(rec.line_ids), 2)

    def test_without_clients_every_client_with_assets_and_access(self):
        rec = self.new(client_ids=False)
        rec.with_context(queue_job__no_delay=True).action_compute()
        self.assertEqual(rec.state, "done")
        self.assertLessEqual(self.acme | self.bravo, rec.line_ids.client_id)
        with self.assertRaises(AccessError):
            rec.line_ids[0].with_user(self.billing).inventory = 99
        with self.assertRaises(AccessError):
            rec.with_user(self.billing).write({"state": "draft"})
        tech = new_test_user(
            self.env, "rec_tech", groups="msp_base.group_msp_technician"
        )
        with self.assertRaises(AccessError):
            rec.with_user(tech).read(["date_from"])
        other = self.env["res.company"].create({"name": "Other MSP"})
        outsider = new_test_user(
            self.env,
            "rec_other",
            groups="msp_base.group_msp_billing",
            company_id=other.id,
            company_ids=[(6, 0, other.ids)],
        )
        Rec = self.env["msp.asset.reconciliation"].with_user(outsider)
        self.assertFalse(Rec.search([("id", "=", rec.id)]))
        self.assertFalse(
            self.env["msp.asset.reconciliation.line"]
            .with_user(outsider)
            .search([("reconciliation_id", "=", rec.id)])
        )
        with self.assertRaises(ValidationError):
            self.new(date_from="2026-12-31", date_to="2026-10-01")
