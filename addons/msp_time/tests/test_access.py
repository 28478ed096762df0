# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.msp_base.tests.common import assert_menus_for_role

from .common import MspTimeCase


@tagged("post_install", "-at_install")
class TestTimeAccess(MspTimeCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Line = cls.env["account.analytic.line"]
        cls.mine = Line.with_user(cls.tech).create(
            {
                "name": "Mine",
                "ticket_id": cls.ticket.id,
                "project_id": cls.project.id,
                "unit_amount": 1,
            }
        )
        cls.theirs = Line.with_user(cls.tech2).create(
            {
                "name": "Theirs",
                "ticket_id": cls.ticket.id,
                "project_id": cls.project.id,
                "unit_amount": 1,
            }
        )

    def test_technician_sees_and_edits_only_own_time(self):
        Line = self.Line.with_user(self.tech)
        visible = Line.search([("ticket_id", "=", self.ticket.id)])
        self.assertEqual(visible, self.mine)
        self.mine.with_user(self.tech).write({"name": "Mine, edited"})
        with self.assertRaises(AccessError):
            self.theirs.with_user(self.tech).write({"name": "Not mine"})
        with self.assertRaises(AccessError):
            self.theirs.with_user(self.tech).unlink()
        with self.assertRaises(AccessError):
            Line.create(
                {
                    "name": "For someone else",
                    "ticket_id": self.ticket.id,
                    "project_id": self.project.id,
                    "user_id": self.tech2.id,
                    "unit_amount": 1,
                }
            )

    def test_dispatcher_and_manager_see_and_edit_all(self):
        for user in (self.dispatcher, self.manager):
            lines = self.Line.with_user(user).search(
                [("ticket_id", "=", self.ticket.id)]
            )
            self.assertEqual(lines, self.mine | self.theirs)
            self.theirs.with_user(user).write({"msp_work_type_id": self.billable.id})
            self.assertEqual(self.theirs.msp_work_type_id, self.billable)

    def test_billing_reads_all_and_writes_none(self):
        Line = self.Line.with_user(self.billing)
        lines = Line.search([("ticket_id", "=", self.ticket.id)])
        self.assertEqual(lines, self.mine | self.theirs)
        lines.read(["msp_billed_hours", "msp_work_kind", "msp_state"])
        with self.assertRaises(AccessError):
            self.theirs.with_user(self.billing).write({"name": "Billing edit"})
        with self.assertRaises(AccessError):
            self.theirs.with_user(self.billing).unlink()
        with self.assertRaises(AccessError):
            Line.create(
                {
                    "name": "Billing books time for a technician",
                    "ticket_id": self.ticket.id,
                    "project_id": self.project.id,
                    "user_id": self.tech.id,
                    "unit_amount": 1,
                }
            )
        # configuration: read for everyone, managed by service managers
        self.env["msp.work.type"].with_user(self.tech).search([]).read(["kind"])
        with self.assertRaises(AccessError):
            self.billable.with_user(self.tech).write({"name": "Free"})
        self.billable.with_user(self.manager).write({"description": "T&M"})

    def test_menus(self):
        assert_menus_for_role(
            self,
            ["msp_time.menu_msp_time_my_day", "msp_time.menu_msp_time_mine"],
            self.tech,
        )
        assert_menus_for_role(
            self,
            [
                "msp_time.menu_msp_time_not_reviewed",
                "msp_time.menu_msp_time_reviews",
                "msp_time.menu_msp_time_all",
            ],
            self.dispatcher,
        )
        assert_menus_for_role(
            self,
            [
                "msp_time.menu_msp_time_rounding",
                "msp_time.menu_msp_time_adjust",
                "msp_time.menu_msp_time_reviews",
            ],
            self.billing,
        )
        assert_menus_for_role(
            self,
            [
                "msp_time.menu_msp_config_work_types",
                "msp_time.menu_msp_config_time_categories",
            ],
            self.manager,
        )
