# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from lxml import etree
from odoo import fields
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from .test_project_billing import ProjectCase


@tagged("post_install", "-at_install")
class TestWipProjectValuation(ProjectCase):
    """The Unbilled WIP report values project time as its project bills it:
    a T&M project at its hourly rate, fixed-fee and milestone projects at 0
    (not billed by the hour); other time at the contract T&M rate (120)."""

    def wip(self, entries):
        # a view row is cached per record like any: read it afresh, as a new
        # request does (pending writes are flushed by the view's _depends)
        Wip = self.env["msp.wip.report"]
        Wip.invalidate_model()
        rows = Wip.search([("entry_id", "in", entries.ids)])
        return {
            row.entry_id: (row.hours, row.rate, row.rate_source, row.amount)
            for row in rows
        }

    def test_tm_project_time_at_the_project_rate(self):
        self.assertEqual(self.contract.msp_tm_rate, 120.0)
        entry = self.task_entry(self.t_build, 2.0)
        ticket_tm = self.entry(
            self.ticket(), fields.Date.today() - timedelta(days=3), 1.5, "billable"
        )
        self.assertEqual(
            self.wip(entry | ticket_tm),
            {
                entry: (2.0, 100.0, "project", 200.0),
                ticket_tm: (1.5, 120.0, "contract", 180.0),
            },
        )
        # a new rate re-values it (the view reads it: _depends flushes it)
        self.client_project.msp_hourly_rate = 150.0
        self.assertEqual(self.wip(entry), {entry: (2.0, 150.0, "project", 300.0)})
        # no project rate: the contract's, and it says so
        self.client_project.msp_hourly_rate = 0.0
        self.assertEqual(self.wip(entry), {entry: (2.0, 120.0, "contract", 240.0)})

    def test_project_time_is_not_priced_after_hours(self):
        self.contract.msp_after_hours_multiplier = 2.0
        entry = self.task_entry(self.t_build, 1.0, msp_after_hours=True)
        self.assertEqual(self.wip(entry), {entry: (1.0, 100.0, "project", 100.0)})

    def test_fixed_fee_and_milestone_time_shows_hours_at_no_value(self):
        old = fields.Date.today() - timedelta(days=45)
        entry = self.task_entry(self.t_build, 3.0, day=old)
        for kind in ("fixed", "milestone"):
            self.client_project.write(
                {"msp_billing_type": kind, "msp_fixed_price": 5000.0}
            )
            self.assertEqual(self.wip(entry), {entry: (3.0, 0.0, kind, 0.0)}, kind)
            [row] = self.env["msp.wip.report"].search([("entry_id", "=", entry.id)])
            self.assertEqual((row.amount_over_30, row.client_over_30), (0.0, 0.0))
        # not a missing rate: the "No T&M Rate" filter leaves it out
        arch = etree.fromstring(
            self.env.ref("msp_mrr_billing.msp_wip_report_view_search").arch
        )
        [no_rate] = arch.xpath("//filter[@name='no_rate']")
        missing = self.env["msp.wip.report"].search(
            [("entry_id", "=", entry.id), *safe_eval(no_rate.get("domain"))]
        )
        self.assertFalse(missing)

    def test_invoiced_project_time_leaves_the_report(self):
        tm = self.task_entry(self.t_build, 2.0)
        self.assertEqual(self.wip(tm), {tm: (2.0, 100.0, "project", 200.0)})
        self.invoice_move()
        self.assertEqual(self.wip(tm), {})
        # a fixed fee covers the hours so far: stamped, gone
        self.client_project.write(
            {"msp_billing_type": "fixed", "msp_fixed_price": 5000.0}
        )
        fixed = self.task_entry(self.t_build, 1.0)
        self.assertEqual(self.wip(fixed), {fixed: (1.0, 0.0, "fixed", 0.0)})
        self.invoice_move()
        self.assertEqual(self.wip(fixed), {})

    def test_reached_milestone_invoice_takes_its_phase_time_out(self):
        self.client_project.msp_billing_type = "milestone"
        done = self.task_entry(self.t_discovery, 2.0)
        waiting = self.task_entry(self.t_build, 1.0)
        self.discovery.is_reached = True
        self.invoice_move()
        self.assertEqual(
            self.wip(done | waiting), {waiting: (1.0, 0.0, "milestone", 0.0)}
        )
