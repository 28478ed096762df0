# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import math
from datetime import date
from unittest.mock import patch

import psycopg2
from odoo.tests import common as odoo_common
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.queue_job.exception import RetryableJobError

from ..models import msp_billing_run_job
from ..models.msp_billing_run import MspBillingRun
from .common import BillingCase

# queue_job 18.0's test helpers import odoo.tests.common.SETATTR_SOURCES,
# which this Odoo 18 build does not have yet (it only registers queue_job's
# patcher there to quiet a warning): an empty one lets them load
if not hasattr(odoo_common, "SETATTR_SOURCES"):
    odoo_common.SETATTR_SOURCES = {}
from odoo.addons.queue_job.tests.common import trap_jobs

DAY = date(2026, 2, 15)
JOB_LOG = "odoo.addons.msp_mrr_billing.models.msp_billing_run_job"


@tagged("post_install", "-at_install")
class TestBillingJobs(BillingCase):
    """Run Billing as queue jobs: enqueued a batch of contracts a job on
    root.msp.billing, identity keys, retries, a failed job and its re-run."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, queue_job__no_delay=False))
        cls.clients = cls.env["res.partner"].create(
            [{"name": f"Job Client {i}", "is_company": True} for i in range(4)]
        )
        cls.job_contracts = cls.env["contract.contract"].union(
            *(cls.make_contract(client) for client in cls.clients)
        )

    def setUp(self):
        super().setUp()
        # two contracts a job: 5+ contracts due make 3+ jobs
        self.startPatcher(patch.object(msp_billing_run_job, "JOB_BATCH_SIZE", 2))
        self.run_ = self.env["msp.billing.run"].create({"billing_date": DAY})
        self.due = self.run_._due_contracts()

    def batch_jobs(self, trap):
        return [
            job for job in trap.enqueued_jobs if job.method_name == "_job_bill_batch"
        ]

    def invoices(self, contract):
        return self.env["msp.billing.run.line"].search_count(
            [("contract_id", "=", contract.id), ("state", "=", "invoiced")]
        )

    def perform(self, job):
        """As the job runner does: the job in its own transaction (here a
        savepoint), rolled back when it raises."""
        with self.env.cr.savepoint():
            job.perform()

    def test_run_enqueues_and_returns(self):
        with trap_jobs() as trap:
            self.assertTrue(self.run_.action_run())
            self.assertFalse(self.run_.line_ids, "nothing billed in the request")
            self.assertEqual(self.run_.job_state, "queued")
            self.assertEqual(self.run_.job_status, "queued")
            self.assertEqual(self.run_.contract_total, len(self.due))
            self.assertEqual(self.run_.job_user_id, self.env.user)
            batches = self.batch_jobs(trap)
            self.assertTrue(batches)
            for job in batches:
                self.assertEqual(job.channel, "root.msp.billing")
            trap.assert_jobs_count(1, only=self.run_._job_finish_run)
            trap.perform_enqueued_jobs()
        for contract in self.job_contracts | self.contract:
            self.assertEqual(self.invoices(contract), 1)
        self.assertEqual(self.run_.job_state, "done")
        self.assertEqual(self.run_.contract_done, len(self.due))
        self.assertEqual(self.run_.job_progress, 100.0)
        self.assertTrue(
            self.run_.message_ids.filtered(
                lambda message: "Billing run done" in (message.body or "")
            )
        )

    def test_jobs_split_by_batch_size_never_splitting_a_client(self):
        with trap_jobs() as trap:
            self.run_.action_run()
            batches = self.batch_jobs(trap)
        clients_per_job = [
            self.env["contract.contract"].browse(job.args[0]).partner_id
            for job in batches
        ]
        # one contract a client here: N contracts -> ceil(N / 2) jobs
        if len(self.due.partner_id) == len(self.due):
            self.assertEqual(len(batches), math.ceil(len(self.due) / 2))
            self.assertTrue(all(len(job.args[0]) <= 2 for job in batches))
        ids = [cid for job in batches for cid in job.args[0]]
        self.assertEqual(sorted(ids), sorted(self.due.ids), "each contract once")
        for i, partners in enumerate(clients_per_job):
            for other in clients_per_job[i + 1 :]:
                self.assertFalse(partners & other, "a client in one job only")
        # a client's contracts stay together even over the batch size
        second = self.make_contract(self.clients[0])
        batches = self.run_._job_batches(self.due | second, size=1)
        together = next(ids for ids in batches if second.id in ids)
        self.assertIn(self.job_contracts[0].id, together)

    def test_a_job_failing_half_way_leaves_the_others_and_reruns_once(self):
        with trap_jobs() as trap:
            self.run_.action_run()
            batches = self.batch_jobs(trap)
        self.assertGreater(len(batches), 1)
        broken = batches[1]
        broken_ids = set(broken.args[0])
        original = MspBillingRun._bill

        def bill_then_crash(run, contracts):
            original(run, contracts)  # billed... then the job dies
            if set(contracts.ids) == broken_ids:
                raise RuntimeError("worker lost half-way")

        with (
            patch.object(MspBillingRun, "_bill", bill_then_crash),
            self.assertLogs(JOB_LOG, "WARNING") as logs,
        ):
            for job in batches:
                self.perform(job)
        self.assertIn("Traceback", "\n".join(logs.output))
        failed = self.run_.line_ids.filtered(lambda line: line.state == "failed")
        self.assertEqual(set(failed.contract_id.ids), broken_ids)
        self.assertIn("worker lost half-way", failed[0].error)
        self.assertIn("Traceback", failed[0].error_details)
        self.assertIn("RuntimeError", failed[0].error_details)
        for contract in self.due.filtered(lambda c: c.id not in broken_ids):
            self.assertEqual(self.invoices(contract), 1, "the other jobs are done")
        for cid in broken_ids:
            self.assertEqual(
                self.invoices(self.env["contract.contract"].browse(cid)), 0
            )
        self.run_._job_finish_run()
        self.assertEqual(self.run_.job_state, "failed")
        # the job again (requeued), and every job once more: each period once
        self.perform(broken)
        for job in batches:
            self.perform(job)
        for contract in self.due:
            self.assertEqual(self.invoices(contract), 1)
        # Run Again on the failed run: nothing due is left, nothing doubles
        with trap_jobs() as trap:
            self.run_.action_run()
            trap.perform_enqueued_jobs()
        for contract in self.due:
            self.assertEqual(self.invoices(contract), 1)
        self.assertEqual(self.run_.job_state, "done")

    def test_identity_keys_stop_double_enqueueing(self):
        Job = self.env["queue.job"]
        prefix = self.run_._job_key_prefix()
        self.run_.action_run()  # stored for real (no trap)
        jobs = Job.search([("identity_key", "=like", f"{prefix}%")])
        self.assertEqual(
            len(jobs.filtered(lambda job: job.method_name == "_job_bill_batch")),
            len(self.run_._job_batches(self.due)),
        )
        self.assertEqual(set(jobs.mapped("channel")), {"root.msp.billing"})
        self.run_.action_run()  # Run clicked twice
        self.assertEqual(
            Job.search([("identity_key", "=like", f"{prefix}%")]), jobs, "no new job"
        )
        self.assertEqual(self.run_.job_status, "queued")
        # a batch started: the run is running, its contracts counted once done
        first = jobs.filtered(lambda job: job.method_name == "_job_bill_batch")[0]
        first.sudo().write({"state": "done"})
        self.run_.invalidate_recordset()
        self.assertEqual(self.run_.job_status, "running")
        self.assertEqual(self.run_.contract_done, len(first.args[0]))
        # the outcome waits for the other batches
        with self.assertRaises(RetryableJobError):
            self.run_._job_finish_run()

    def test_a_serialization_failure_is_retried(self):
        error = psycopg2.errors.SerializationFailure("could not serialize access")
        with (
            patch.object(MspBillingRun, "_prepare_contracts", side_effect=error),
            self.assertRaises(RetryableJobError),
        ):
            self.run_._job_bill_batch(self.contract.ids)
        self.assertFalse(self.run_.line_ids, "nothing kept from the try")
        # a lock timeout inside a job is retried too (not a skipped line)
        lock = psycopg2.errors.LockNotAvailable("lock timeout")
        with (
            patch.object(MspBillingRun, "_bill_contracts", side_effect=lock),
            mute_logger("odoo.addons.msp_mrr_billing.models.msp_billing_run"),
            self.assertRaises(RetryableJobError),
        ):
            self.run_._job_bill_batch(self.contract.ids)
        self.assertFalse(self.run_.line_ids)
        # the job runner's retry: billed once
        self.run_._job_bill_batch(self.contract.ids)
        self.assertEqual(self.run_.line_ids.state, "invoiced")
        function = self.env.ref(
            "msp_mrr_billing.job_function_billing_run_bill_batch"
        ).sudo()
        self.assertEqual(function.channel, "root.msp.billing")
        self.assertTrue(function.retry_pattern, "back-off between retries")

    def test_a_trapped_job_raises_retryable_on_serialization_failure(self):
        with trap_jobs() as trap:
            self.run_.action_run()
            job = self.batch_jobs(trap)[0]
        error = psycopg2.errors.SerializationFailure("could not serialize access")
        with (
            patch.object(MspBillingRun, "_prepare_contracts", side_effect=error),
            self.assertRaises(RetryableJobError),
        ):
            self.perform(job)
        self.assertEqual(job.retry, 1)
