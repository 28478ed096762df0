# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Reports that tell the truth: the margin warns about time at no cost,
realization keeps clients without a contract apart, and a partner with no
MSP role (no contract, no ticket: Odoo's stock demo partners) is never a
client in the MSP reports."""

from datetime import date

from odoo.tests import tagged

from .common import BillingCase


@tagged("post_install", "-at_install")
class TestReportClients(BillingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.free_user = cls.env["res.users"].create(
            {"name": "Free Tech", "login": "rc_free_tech"}
        )
        cls.free_employee = cls.env["hr.employee"].create(
            {"name": "Free Tech", "user_id": cls.free_user.id, "hourly_cost": 0.0}
        )
        Partner = cls.env["res.partner"]
        cls.ticket_only = Partner.create({"name": "Tickets Only", "is_company": True})
        cls.stock = Partner.create({"name": "Stock Furniture Co", "is_company": True})

    def raw_entry(self, partner, day, hours, kind="billable", employee=None):
        employee = employee or self.employee
        return self.env["account.analytic.line"].create(
            {
                "name": "Work",
                "project_id": self.project.id,
                "partner_id": partner.id,
                "employee_id": employee.id,
                "user_id": employee.user_id.id,
                "date": day,
                "unit_amount": hours,
                "msp_work_type_id": self.types[kind].id,
            }
        )

    def test_profitability_flags_time_without_cost(self):
        ticket = self.ticket()
        self.entry(ticket, date(2026, 1, 20), 2.0)
        free = self.entry(
            ticket,
            date(2026, 1, 21),
            3.0,
            employee_id=self.free_employee.id,
            user_id=self.free_user.id,
        )
        self.assertEqual(free.amount, 0.0)
        self.bill(date(2026, 2, 15), self.contract)
        self.env.flush_all()
        row = self.env["msp.contract.profitability.report"].search(
            [("contract_id", "=", self.contract.id), ("month", "=", "2026-01-01")]
        )
        self.assertEqual(row.cost, 80.0)  # only the costed 2 h
        self.assertEqual((row.uncosted_entries, row.uncosted_hours), (1, 3.0))
        self.assertTrue(row.cost_incomplete)
        self.assertEqual(row.cost_warning, "1 entries by employees without cost (3 h)")
        groups = self.env["msp.contract.profitability.report"].read_group(
            [("cost_incomplete", "=", True)], ["uncosted_entries:sum"], []
        )
        self.assertGreaterEqual(groups[0]["uncosted_entries"], 1)

    def test_realization_keeps_clients_without_contract_apart(self):
        self.ticket(client=self.ticket_only)
        self.entry(self.ticket(), date(2026, 1, 20), 2.0, kind="billable")
        self.raw_entry(self.ticket_only, date(2026, 1, 20), 5.0)
        self.raw_entry(self.stock, date(2026, 1, 20), 7.0)
        self.env.flush_all()
        Report = self.env["msp.realization.report"]
        kinds = {
            row.client_id: row.client_kind
            for row in Report.search(
                [("client_id", "in", (self.client | self.ticket_only | self.stock).ids)]
            )
        }
        self.assertEqual(kinds, {self.client: "contract", self.ticket_only: "other"})
        # the menu's default filter: the clients the run bills
        action = self.env.ref("msp_mrr_billing.action_msp_realization_report")
        self.assertIn("search_default_contract_clients", action.context)

    def test_partner_without_msp_role_is_no_client_in_reports(self):
        self.raw_entry(self.stock, date(2026, 1, 20), 7.0)
        self.raw_entry(self.client, date(2026, 1, 20), 1.0)
        self.env.flush_all()
        for model in ("msp.realization.report", "msp.wip.report"):
            rows = self.env[model].search([])
            self.assertNotIn(self.stock, rows.client_id, model)
            self.assertIn(self.client, rows.client_id, model)
