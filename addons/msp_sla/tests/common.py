# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import datetime, timedelta

from freezegun import freeze_time
from odoo import Command, fields
from odoo.tests import TransactionCase, new_test_user

# Monday 2026-11-16 ... Friday 2026-11-20; all datetimes naive UTC.
MONDAY = datetime(2026, 11, 16)


def premium_ticket(env, client_name, name, days_ago=0):
    """A P1 ticket of a new Premium-SLA client, opened ``days_ago`` days ago
    with its clocks started from then (no cron run: stored statuses stay
    as the start left them)."""
    client = env["res.partner"].create(
        {
            "name": client_name,
            "is_company": True,
            "msp_sla_profile_id": env.ref("msp_sla.profile_premium").id,
        }
    )
    ticket = env["helpdesk.ticket"].create(
        {
            "name": name,
            "description": "<p>Down.</p>",
            "partner_id": client.id,
            "priority": "3",
        }
    )
    if days_ago:
        env.flush_all()
        env.cr.execute(
            "UPDATE helpdesk_ticket SET create_date = %s WHERE id = %s",
            (fields.Datetime.now() - timedelta(days=days_ago), ticket.id),
        )
        ticket.invalidate_recordset(["create_date"])
        ticket.msp_sla_clock_ids.sudo().unlink()
        ticket._msp_sla_start_clocks()
    return ticket


class SlaCase(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False))
        # Clocks already in the database (demo data) have fired for these tests:
        # the cron must only see the crossings a test makes.
        cls.env["msp.sla.clock"].sudo().search([]).write(
            {"warned": True, "breach_notified": True}
        )
        cls.calendar = cls._calendar("SLA test 08-17 UTC", "UTC", 8, 17)
        cls.profile = cls.env["msp.sla.profile"].create(
            {
                "name": "Test business hours",
                "calendar_id": cls.calendar.id,
                "warning_percent": 80,
                "target_ids": [
                    Command.create(
                        {
                            "priority": "3",
                            "response_hours": 0.25,
                            "resolution_hours": 4,
                            "around_the_clock": True,
                        }
                    ),
                    Command.create(
                        {"priority": "2", "response_hours": 1, "resolution_hours": 8}
                    ),
                    Command.create(
                        {"priority": "1", "response_hours": 4, "resolution_hours": 16}
                    ),
                    Command.create(
                        {
                            "priority": "0",
                            "response_hours": 0.25,
                            "resolution_hours": 40,
                        }
                    ),
                ],
            }
        )
        cls.team = cls.env["helpdesk.ticket.team"].create(
            {"name": "SLA Test Desk", "msp_sla_profile_id": cls.profile.id}
        )
        cls.client = cls.env["res.partner"].create(
            {"name": "SLA Client", "is_company": True}
        )
        cls.contact = cls.env["res.partner"].create(
            {
                "name": "Ann Client",
                "parent_id": cls.client.id,
                "email": "ann@slaclient.example",
            }
        )
        cls.tech = new_test_user(
            cls.env,
            login="sla_tech",
            groups="base.group_user,msp_base.group_msp_technician",
        )
        cls.team.user_ids = [Command.link(cls.tech.id)]
        ref = cls.env.ref
        cls.stage_new = ref("helpdesk_mgmt.helpdesk_ticket_stage_new")
        cls.stage_progress = ref("helpdesk_mgmt.helpdesk_ticket_stage_in_progress")
        cls.stage_waiting = ref("helpdesk_mgmt.helpdesk_ticket_stage_awaiting")
        cls.stage_done = ref("helpdesk_mgmt.helpdesk_ticket_stage_done")
        cls.stage_waiting.msp_sla_pause = True

    @classmethod
    def _calendar(cls, name, tz, start, end):
        return cls.env["resource.calendar"].create(
            {
                "name": name,
                "tz": tz,
                "attendance_ids": [
                    Command.create(
                        {
                            "name": f"Day {day}",
                            "dayofweek": str(day),
                            "hour_from": start,
                            "hour_to": end,
                            "day_period": "morning",
                        }
                    )
                    for day in range(5)
                ],
            }
        )

    def make_ticket(self, when, priority="1", **values):
        """A ticket created at ``when`` (UTC): the clocks start then."""
        with freeze_time(when):
            ticket = self.env["helpdesk.ticket"].create(
                {
                    "name": "Printer on fire",
                    "description": "<p>It is on fire.</p>",
                    "partner_id": self.contact.id,
                    "team_id": self.team.id,
                    "priority": priority,
                    "stage_id": self.stage_new.id,
                    **values,
                }
            )
            self.env.flush_all()
            self.env.cr.execute(
                "UPDATE helpdesk_ticket SET create_date = %s WHERE id = %s",
                (when, ticket.id),
            )
            ticket.invalidate_recordset(["create_date"])
            ticket.msp_sla_clock_ids.sudo().unlink()
            ticket._msp_sla_start_clocks()
        return ticket

    def clock(self, ticket, kind):
        return ticket.msp_sla_clock_ids.filtered(
            lambda c: c.kind == kind and c.state != "superseded"
        )

    def move(self, ticket, stage, when):
        with freeze_time(when):
            ticket.stage_id = stage
