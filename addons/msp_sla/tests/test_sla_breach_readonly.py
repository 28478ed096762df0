# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Breaches are facts the clocks recorded: no screen creates, edits or
deletes one, and no RPC write changes what was recorded. A service manager
writes the reason (for the service review) on the form, nothing else."""

from datetime import datetime

from lxml import etree
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import MONDAY, SlaCase


def _off(value):
    """An arch action attribute that turns the action off."""
    return (value or "").lower() in ("0", "false")


@tagged("post_install", "-at_install")
class TestSlaBreachReadonly(SlaCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env,
            login="sla_breach_mgr",
            groups="base.group_user,msp_base.group_msp_service_manager",
        )
        cls.helpdesk_user = new_test_user(
            cls.env,
            login="sla_breach_hd",
            groups="base.group_user,helpdesk_mgmt.group_helpdesk_user_own",
        )

    def _breach(self):
        ticket = self.make_ticket(MONDAY.replace(hour=9), priority="2")
        self.clock(ticket, "response")._stop(MONDAY.replace(hour=12))
        breach = self.env["msp.sla.breach"].search([("ticket_id", "=", ticket.id)])
        self.assertEqual(len(breach), 1)
        return breach

    def _arch(self, user, view_type):
        views = (
            self.env["msp.sla.breach"].with_user(user).get_views([(False, view_type)])
        )
        return etree.fromstring(views["views"][view_type]["arch"])

    def test_manager_cannot_rewrite_any_fact_field(self):
        breach = self._breach()
        as_manager = breach.with_user(self.manager)
        facts = {
            "clock_id": self.clock(breach.ticket_id, "resolution").id,
            "ticket_id": self.make_ticket(MONDAY.replace(hour=9)).id,
            "kind": "resolution",
            "priority": "3",
            "partner_id": self.client.id,
            "user_id": self.manager.id,
            "team_id": False,
            "company_id": self.env.company.id,
            "target_hours": 9.0,
            "actual_hours": 0.5,
            "overrun_hours": 0.0,
            "breached_at": datetime(2030, 1, 1),
            "active": False,
            "retired_note": "never late",
        }
        stored = {n for n, f in breach._fields.items() if f.store}
        # the chatter's own fields (mail.thread, and what other installed
        # addons add to it, such as rating's rating_ids) are not facts
        thread = set(self.env["mail.thread"]._fields)
        expected = stored - {"reason"} - {n for n in stored if "message" in n} - thread
        expected -= {"id", "create_uid", "create_date", "write_uid", "write_date"}
        self.assertEqual(set(facts), expected, "a new fact field: test it here")
        before = breach.read(list(facts))[0]
        for name, value in facts.items():
            with self.assertRaises(AccessError, msg=name):
                as_manager.write({name: value})
        self.assertEqual(breach.read(list(facts))[0], before)
        # the reason stays the manager's to write
        as_manager.write({"reason": "Vendor outage"})
        self.assertEqual(breach.reason, "Vendor outage")
        # nobody creates or deletes a breach by hand
        with self.assertRaises(AccessError):
            as_manager.copy()
        with self.assertRaises(AccessError):
            as_manager.unlink()
        # the system still records (retiring a breach, for one)
        breach._retire("targets changed")
        self.assertFalse(breach.active)

    def test_views_are_read_only_for_every_role(self):
        for user in (self.manager, self.helpdesk_user):
            listing = self._arch(user, "list")
            self.assertEqual(listing.tag, "list")
            for action in ("create", "edit", "delete"):
                self.assertTrue(_off(listing.get(action)), (user.login, action))
            self.assertIsNone(listing.get("editable"), user.login)
            form = self._arch(user, "form")
            for action in ("create", "delete", "duplicate"):
                self.assertTrue(_off(form.get(action)), (user.login, action))
        # on the form, every field but the reason is read-only
        fields = self.env["msp.sla.breach"].fields_get(attributes=["readonly"])
        form = self._arch(self.manager, "form")
        names = {node.get("name") for node in form.iter("field")}
        names -= {"reason", "message_follower_ids", "message_ids", "activity_ids"}
        self.assertTrue(names)
        for name in names:
            self.assertTrue(fields[name]["readonly"], name)
        self.assertFalse(fields["reason"]["readonly"])
        # the manager edits (the reason); a helpdesk user only reads
        self.assertFalse(_off(form.get("edit")))
        self.assertTrue(_off(self._arch(self.helpdesk_user, "form").get("edit")))
