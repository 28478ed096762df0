# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.msp_base.tests.common import menu_reachable

from .rollup_common import ProjectRollupCase


@tagged("post_install", "-at_install")
class TestMargin(ProjectRollupCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.product = cls.env["product.product"].create(
            {"name": "Project hour", "type": "service"}
        )

    def invoice(self, lines, move_type="out_invoice", post=True, project=None):
        move = self.env["account.move"].create(
            {
                "move_type": move_type,
                "partner_id": self.client.id,
                "invoice_date": "2026-03-31",
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": self.product.id,
                            "name": "Project work",
                            "quantity": qty,
                            "price_unit": price,
                            "tax_ids": [Command.clear()],
                            "msp_project_id": (project or self.project).id,
                        }
                    )
                    for qty, price in lines
                ],
            }
        )
        if post:
            move.action_post()
        return move

    def test_margin_of_a_hand_computed_project(self):
        """Revenue 5 h x 150 invoiced - 1 h x 150 refunded = 600 (a draft
        invoice does not count); cost 4 h x 50 = 200; margin 400 (66.7 %).
        Plan: 20 budget hours x 150 = 3000 against 20 h at the company's
        average employee cost."""
        self.invoice([(5, 150.0)])
        self.invoice([(1, 150.0)], move_type="out_refund")
        self.invoice([(10, 100.0)], post=False)
        self.invoice([(3, 100.0)], project=self.make_project("Other"))
        self.entries([2.0, 2.0], task=self.task_a)
        self.env.invalidate_all()
        project = self.project
        self.assertAlmostEqual(project.msp_revenue, 600.0)
        self.assertAlmostEqual(project.msp_cost, 200.0)
        self.assertAlmostEqual(project.msp_margin, 400.0)
        self.assertAlmostEqual(project.msp_margin_pct, 400.0 / 6.0)
        self.assertFalse(project.msp_cost_warning)
        # a project without company (Odoo's default): every company's
        # average employee cost
        self.assertFalse(project.company_id)
        costs = self.env["hr.employee"].search([("hourly_cost", ">", 0)])
        rate = sum(costs.mapped("hourly_cost")) / len(costs)
        self.assertAlmostEqual(project.msp_planned_revenue, 3000.0)
        self.assertAlmostEqual(project.msp_planned_cost, 20 * rate, 2)
        self.assertAlmostEqual(project.msp_planned_margin, 3000.0 - 20 * rate, 2)
        row = self.env["msp.project.analysis"].search([("project_id", "=", project.id)])
        self.assertEqual(
            (row.revenue, row.cost, row.margin, row.cost_incomplete),
            (600.0, 200.0, 400.0, False),
        )
        # per client (this project and "Other", 300 of revenue, no cost):
        # margin % of the sums (77.8 %), not the average of the rows (83.3 %)
        (group,) = self.env["msp.project.analysis"].read_group(
            [("client_id", "=", self.client.id)],
            ["margin_pct", "revenue", "margin"],
            ["client_id"],
        )
        self.assertAlmostEqual(group["revenue"], 900.0)
        self.assertAlmostEqual(group["margin"], 700.0)
        self.assertAlmostEqual(group["margin_pct"], 100.0 * 700 / 900)
        # an archived project (Odoo's stock demo ones are) leaves the report,
        # and keeps its own figures
        project.active = False
        self.env.flush_all()
        self.assertFalse(
            self.env["msp.project.analysis"].search([("project_id", "=", project.id)])
        )
        project.invalidate_recordset()
        self.assertAlmostEqual(project.msp_revenue, 600.0)

    def test_fixed_and_milestone_plans(self):
        project = self.make_project("Fixed")
        project.write({"msp_billing_type": "fixed", "msp_fixed_price": 2500.0})
        self.assertAlmostEqual(project.msp_planned_revenue, 2500.0)
        project.msp_billing_type = "milestone"
        project.milestone_ids.write({"msp_amount": 700.0})
        self.env.invalidate_all()
        self.assertAlmostEqual(project.msp_planned_revenue, 1400.0)

    def test_time_without_cost_is_flagged(self):
        """Time by an employee without an hourly cost is counted and flagged:
        the margin is overstated."""
        self.invoice([(5, 150.0)])
        self.entry(2.0, task=self.task_a)
        self.entry(1.5, task=self.task_a, employee=self.free_employee)
        self.env.invalidate_all()
        self.assertAlmostEqual(self.project.msp_cost, 100.0)
        self.assertIn("1 entries", self.project.msp_cost_warning)
        self.assertIn("1.5 h", self.project.msp_cost_warning)
        row = self.env["msp.project.analysis"].search(
            [("project_id", "=", self.project.id)]
        )
        self.assertTrue(row.cost_incomplete)
        self.assertEqual(row.uncosted_entries, 1)
        self.assertEqual(row.uncosted_hours, 1.5)
        self.assertEqual(row.cost_warning, self.project.msp_cost_warning)

    def test_technician_reads_no_money(self):
        """Technicians see the hours, never rates, prices, costs or margins;
        project managers and billing do."""
        self.project.message_subscribe(partner_ids=self.tech.partner_id.ids)
        as_tech = self.project.with_user(self.tech)
        self.assertEqual(as_tech.read(["msp_actual_hours"])[0]["msp_actual_hours"], 0)
        for name in (
            "msp_margin",
            "msp_revenue",
            "msp_cost",
            "msp_hourly_rate",
            "msp_fixed_price",
            "msp_planned_margin",
        ):
            with self.subTest(field=name), self.assertRaises(AccessError):
                as_tech.read([name])
        with self.assertRaises(AccessError):
            self.build.with_user(self.tech).read(["msp_amount"])
        with self.assertRaises(AccessError):
            self.env["msp.project.analysis"].with_user(self.tech).search([])
        # the form hides the margin group from technicians
        arch = as_tech.get_view(self.env.ref("project.edit_project").id)["arch"]
        self.assertNotIn("msp_margin", arch)
        self.assertIn("msp_burn_state", arch)
        for user in (self.pm, self.billing):
            with self.subTest(user=user.login):
                rows = (
                    self.env["msp.project.analysis"]
                    .with_user(user)
                    .search([("project_id", "=", self.project.id)])
                )
                self.assertEqual(rows.read(["margin"])[0]["margin"], 0.0)
        self.assertEqual(
            self.project.with_user(self.pm).read(["msp_hourly_rate"])[0][
                "msp_hourly_rate"
            ],
            150.0,
        )

    def test_report_menu_reaches_its_roles(self):
        """Project managers (not service managers) and billing reach the
        report under Reporting; technicians do not."""
        menu = self.env.ref("msp_ticket_project.menu_msp_project_analysis")
        for user, visible in (
            (self.pm, True),
            (self.billing, True),
            (self.tech, False),
        ):
            with self.subTest(user=user.login):
                self.assertEqual(menu_reachable(menu, user), visible)
