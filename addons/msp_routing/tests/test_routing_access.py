# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, tagged

from odoo.addons.msp_base.tests.common import role_user


@tagged("post_install", "-at_install")
class TestRoutingAccess(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()

        def user(login, group):
            return role_user(cls.env, login, group)

        cls.tech = user("ra_tech", "group_msp_technician")
        cls.dispatcher = user("ra_disp", "group_msp_dispatcher")
        cls.manager = user("ra_mgr", "group_msp_service_manager")
        cls.rule = cls.env["msp.routing.rule"].create({"name": "RA rule"})
        cls.source = cls.env["msp.intake.source"].create(
            {
                "name": "RA source",
                "code": "ra-source",
                "auth_mode": "token",
                "token": "x",
            }
        )

    def test_rules_are_read_by_all_and_written_by_managers(self):
        self.assertEqual(self.rule.with_user(self.tech).name, "RA rule")
        with self.assertRaises(AccessError):
            self.rule.with_user(self.dispatcher).name = "changed"
        self.rule.with_user(self.manager).name = "changed"
        with self.assertRaises(AccessError):
            self.env["msp.escalation.rule"].with_user(self.tech).create(
                {"name": "nope", "trigger": "idle"}
            )

    def test_dispatchers_run_the_on_call_rotation(self):
        rotation = (
            self.env["msp.oncall.rotation"]
            .with_user(self.dispatcher)
            .create({"name": "RA rotation"})
        )
        with self.assertRaises(AccessError):
            rotation.with_user(self.tech).name = "mine"

    def test_alert_secrets_and_request_log_stay_with_managers(self):
        with self.assertRaises(AccessError):
            self.source.with_user(self.tech).read(["token"])
        self.assertEqual(
            self.source.with_user(self.manager).read(["token"])[0]["token"], "x"
        )
        with self.assertRaises(AccessError):
            self.env["msp.intake.event"].with_user(self.dispatcher).search([])

    def test_routing_log_is_read_only(self):
        ticket = self.env["helpdesk.ticket"].create(
            {"name": "RA ticket", "description": "<p>x</p>"}
        )
        ticket._msp_log("claim", "test")
        log = ticket.msp_routing_log_ids.filtered(lambda x: x.event == "claim")
        self.assertTrue(log.with_user(self.tech).changes)
        with self.assertRaises(AccessError):
            log.with_user(self.manager).changes = "rewritten"
