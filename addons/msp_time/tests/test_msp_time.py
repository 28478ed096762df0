# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestTimeRoles(TransactionCase):
    def _user(self, login, group):
        return new_test_user(
            self.env, login=login, groups=f"base.group_user,msp_base.{group}"
        )

    def test_roles_get_timesheet_rights(self):
        tech = self._user("tt_tech", "group_msp_technician")
        self.assertTrue(tech.has_group("hr_timesheet.group_hr_timesheet_user"))
        self.assertFalse(tech.has_group("hr_timesheet.group_hr_timesheet_approver"))
        disp = self._user("tt_disp", "group_msp_dispatcher")
        self.assertTrue(disp.has_group("hr_timesheet.group_hr_timesheet_approver"))
        mgr = self._user("tt_mgr", "group_msp_service_manager")
        self.assertTrue(mgr.has_group("hr_timesheet.group_timesheet_manager"))
        billing = self._user("tt_bill", "group_msp_billing")
        self.assertTrue(billing.has_group("hr_timesheet.group_hr_timesheet_user"))
        # billing reads everyone's time through a read-only rule, edits none
        self.assertFalse(billing.has_group("hr_timesheet.group_hr_timesheet_approver"))

    def test_time_menus(self):
        tech = self._user("tt_tech2", "group_msp_technician")
        visible = self.env["ir.ui.menu"].with_user(tech)._visible_menu_ids()
        self.assertIn(self.env.ref("msp_time.menu_msp_time_mine").id, visible)
        self.assertNotIn(self.env.ref("msp_time.menu_msp_time_all").id, visible)
        billing = self._user("tt_bill2", "group_msp_billing")
        visible = self.env["ir.ui.menu"].with_user(billing)._visible_menu_ids()
        self.assertIn(self.env.ref("msp_time.menu_msp_time_all").id, visible)


@tagged("post_install", "-at_install")
class TestDemoTime(TransactionCase):
    def setUp(self):
        super().setUp()
        if not self.env.ref(
            "msp_time.project_managed_services", raise_if_not_found=False
        ):
            self.skipTest("database installed without demo data")

    def test_demo_tickets_have_time(self):
        tickets = self.env["msp.demo"]._demo_tickets()
        worked = tickets.filtered("user_id")
        self.assertTrue(worked)
        self.assertTrue(all(t.timesheet_ids for t in worked))
        lines = worked.timesheet_ids
        self.assertTrue(
            all(line.unit_amount > 0 for line in lines), "no running timers"
        )
        self.assertTrue(
            all(line.employee_id.user_id == line.ticket_id.user_id for line in lines)
        )
        for line in lines:
            ticket = line.ticket_id
            self.assertGreaterEqual(line.date, ticket.create_date.date())
            if ticket.closed_date:
                self.assertLessEqual(line.date, ticket.closed_date.date())
