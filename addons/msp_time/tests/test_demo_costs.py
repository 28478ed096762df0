# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Demo technicians cost the MSP something: their time entries carry it."""

from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestDemoCosts(TransactionCase):
    def setUp(self):
        super().setUp()
        if not self.env.ref("msp_base.team_service_desk", raise_if_not_found=False):
            self.skipTest("database installed without demo data")

    def test_technicians_have_an_hourly_cost(self):
        logins = ("dana", "luis", "priya", "tom", "aisha", "sam", "mei")
        employees = self.env["hr.employee"].search([("user_id.login", "in", logins)])
        self.assertEqual(set(employees.user_id.mapped("login")), set(logins))
        for employee in employees:
            self.assertGreaterEqual(employee.hourly_cost, 38, employee.name)
            self.assertLessEqual(employee.hourly_cost, 62, employee.name)

    def test_demo_time_entries_carry_the_cost(self):
        tickets = self.env["msp.demo"]._demo_tickets()
        lines = self.env["account.analytic.line"].search(
            [("ticket_id", "in", tickets.ids)]
        )
        self.assertGreater(len(lines), 100)
        for line in lines[:50]:
            self.assertAlmostEqual(
                line.amount, -line.unit_amount * line.employee_id.hourly_cost, 2
            )
            self.assertLess(line.amount, 0)
