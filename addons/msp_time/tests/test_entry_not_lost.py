# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Nothing lost, nothing invented: a typed duration is saved as such and
ends now; a blank row is never saved; only a started timer runs."""

from datetime import timedelta

from lxml import etree
from odoo import Command, fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from .common import MspTimeCase


@tagged("post_install", "-at_install")
class TestEntryNotLost(MspTimeCase):
    def _running(self, user):
        return self.Line.search(
            [("user_id", "=", user.id), ("msp_timer_running", "=", True)]
        )

    def assertEndsNow(self, line, before):
        """``line`` ends between ``before`` and now (to the second)."""
        end = line.date_time + timedelta(hours=line.unit_amount)
        now = fields.Datetime.now()
        self.assertLessEqual(end, now + timedelta(seconds=1), "ends in the future")
        self.assertGreaterEqual(end, before - timedelta(seconds=1), "ends before now")

    # ------------------------------------------------------------ timers

    def test_zero_hour_rpc_line_is_not_a_timer_and_never_bills(self):
        line = self._entry(hours=0.0, name="Looked at the logs")
        self.assertFalse(line.msp_timer_running)
        self.assertFalse(self._running(self.tech))
        self.assertEqual(line.with_user(self.tech).show_time_control, "resume")
        self.assertEqual(self.ticket.with_user(self.tech).show_time_control, "start")
        with self.assertRaisesRegex(UserError, "not a running timer"):
            line.with_user(self.tech).with_context(
                stop_dt=line.date_time + timedelta(minutes=3)
            ).button_end_work()
        self.assertEqual(line.unit_amount, 0.0)
        self.assertEqual(line.msp_billed_hours, 0.0, "no 15 minutes from nothing")
        # and it does not stop a timer the user starts afterwards
        self.ticket2.with_user(self.tech).msp_action_start_timer()
        self.assertEqual(self._running(self.tech).ticket_id, self.ticket2)

    def test_timer_flag_cannot_be_typed_in(self):
        with self.assertRaises(UserError):
            self._entry(hours=0.0, name="sneaky", msp_timer_running=True)

    def test_started_timer_runs_until_stopped(self):
        self.ticket.with_user(self.tech).msp_action_start_timer()
        timer = self._running(self.tech)
        self.assertEqual(len(timer), 1)
        self.assertEqual(timer.with_user(self.tech).show_time_control, "stop")
        timer.with_user(self.tech).with_context(
            stop_dt=timer.date_time + timedelta(minutes=20)
        ).button_end_work()
        self.assertFalse(timer.msp_timer_running)
        self.assertAlmostEqual(timer.unit_amount, 20 / 60, places=4)

    def test_typing_a_duration_on_a_timer_stops_it(self):
        self.ticket.with_user(self.tech).msp_action_start_timer()
        timer = self._running(self.tech)
        timer.with_user(self.tech).unit_amount = 0.5
        self.assertFalse(timer.msp_timer_running)
        self.assertFalse(self._running(self.tech))

    def test_switch_wizard_starts_a_timer(self):
        wizard = (
            self.env["hr.timesheet.switch"]
            .with_user(self.tech)
            .create({"name": "Call-out", "project_id": self.project.id})
        )
        wizard.action_switch()
        running = self._running(self.tech)
        self.assertEqual(running.name, "Call-out")
        self.assertEqual(running.unit_amount, 0.0)

    # ------------------------------------------------------------ blanks

    def test_blank_line_is_refused_over_rpc(self):
        for name in (False, "", "/", "  "):
            with self.assertRaisesRegex(ValidationError, "needs a duration"):
                self._entry(hours=0.0, name=name)

    def test_line_without_description_gets_ticket_number_and_title(self):
        line = self._entry(hours=0.5, name="/")
        self.assertEqual(line.name, f"{self.ticket.number} Printer down")
        line = self._entry(hours=0.25, name=False)
        self.assertEqual(line.name, f"{self.ticket.number} Printer down")

    def test_blank_rows_of_the_timesheets_tab_are_not_saved(self):
        before = fields.Datetime.now()
        self.ticket.with_user(self.tech).write(
            {
                "timesheet_ids": [
                    Command.create(
                        {
                            "project_id": self.project.id,
                            "name": "",
                            "unit_amount": 1.5,
                            "date_time": fields.Datetime.now(),
                        }
                    ),
                    # the empty row a Tab past the last column adds
                    Command.create(
                        {
                            "project_id": self.project.id,
                            "name": False,
                            "unit_amount": 0.0,
                            "date_time": fields.Datetime.now(),
                        }
                    ),
                ]
            }
        )
        lines = self.ticket.timesheet_ids
        self.assertEqual(len(lines), 1)
        self.assertEqual(lines.unit_amount, 1.5)
        self.assertEqual(lines.name, f"{self.ticket.number} Printer down")
        self.assertFalse(lines.msp_timer_running)
        self.assertEndsNow(lines, before)

    def test_timesheets_tab_form_types_a_duration(self):
        """The ticket form as the browser drives it: a row, a duration,
        Tab (a new empty row), save."""
        before = fields.Datetime.now()
        # the web client's context carries uid (the tab's context uses it)
        ticket = self.ticket.with_user(self.tech).with_context(uid=self.tech.id)
        with Form(ticket) as form:
            with form.timesheet_ids.new() as row:
                row.unit_amount = 0.75
                # the duration ends now: the start moved back
                self.assertLessEqual(
                    row.date_time + timedelta(hours=0.75),
                    fields.Datetime.now() + timedelta(seconds=1),
                )
            with form.timesheet_ids.new():
                pass  # Tab past the last column: an empty row
        lines = self.ticket.timesheet_ids
        self.assertEqual(len(lines), 1, lines.mapped("name"))
        self.assertEqual(lines.unit_amount, 0.75)
        self.assertEqual(lines.user_id, self.tech)
        self.assertEqual(lines.name, f"{self.ticket.number} Printer down")
        self.assertFalse(lines.msp_timer_running)
        self.assertEqual(lines.msp_billed_hours, 0.75)
        self.assertEndsNow(lines, before)
        self.assertFalse(self._running(self.tech))

    # ------------------------------------------------------------ ends now

    def test_manual_entry_ends_now(self):
        before = fields.Datetime.now()
        line = self._entry(hours=2.0)  # no start given
        self.assertEndsNow(line, before)
        line = self._entry(hours=1.0, date_time=fields.Datetime.now())
        self.assertEndsNow(line, before)
        today = fields.Date.context_today(self.Line.with_user(self.tech))
        line = self._entry(hours=1.0, date=today)
        self.assertEndsNow(line, before)

    def test_past_start_is_kept(self):
        start = fields.Datetime.now().replace(microsecond=0) - timedelta(hours=5)
        line = self._entry(hours=1.0, date_time=start)
        self.assertEqual(line.date_time, start)

    def test_longer_duration_never_ends_in_the_future(self):
        before = fields.Datetime.now()
        line = self._entry(hours=0.25)
        line.with_user(self.tech).unit_amount = 3.0
        self.assertEndsNow(line, before)
        start = fields.Datetime.now() - timedelta(minutes=5)
        line.with_user(self.tech).date_time = start
        self.assertEndsNow(line, before)

    def test_entry_dated_a_later_day_is_kept(self):
        """Planned or imported time dated after today is not moved."""
        start = fields.Datetime.now().replace(microsecond=0) + timedelta(days=2)
        line = self._entry(hours=1.0, date_time=start)
        self.assertEqual(line.date_time, start)


@tagged("post_install", "-at_install")
class TestTimeListsShowTicketAndClient(MspTimeCase):
    """My Time, All Time and My Day show the ticket and the client to
    technicians too (the OCA columns are for helpdesk managers)."""

    def _arch(self, action_xmlid, view_type):
        action = self.env.ref(action_xmlid)
        view = next(
            (view_id for view_id, mode in action.views if mode == view_type), False
        )
        if view_type == "search":
            view = action.search_view_id.id
        views = (
            self.env["account.analytic.line"]
            .with_user(self.tech)
            .get_views([(view, view_type)])
        )
        return views["views"][view_type]["arch"]

    def _visible_columns(self, arch):
        return {
            node.get("name")
            for node in etree.fromstring(arch).iter("field")
            if node.get("column_invisible") not in ("1", "True")
        }

    def test_my_time_and_all_time_columns(self):
        for xmlid in (
            "hr_timesheet.act_hr_timesheet_line",
            "hr_timesheet.timesheet_action_all",
        ):
            columns = self._visible_columns(self._arch(xmlid, "list"))
            self.assertIn("ticket_id", columns, xmlid)
            self.assertIn("msp_client_id", columns, xmlid)
            self.assertNotIn(
                "ticket_partner_id", columns, "the contact, not the client"
            )

    def test_my_time_filters_and_group_bys(self):
        arch = self._arch("hr_timesheet.act_hr_timesheet_line", "search")
        for name in ("groupby_msp_ticket", "groupby_msp_client", "msp_with_ticket"):
            self.assertIn(f'name="{name}"', arch)
        self.assertIn('name="ticket_id"', arch)
        self.assertIn('name="msp_client_id"', arch)
        # and the group-by works for a technician
        self._entry(hours=0.5)
        groups = self.Line.with_user(self.tech).read_group(
            [("user_id", "=", self.tech.id)], ["unit_amount:sum"], ["msp_client_id"]
        )
        self.assertEqual(groups[0]["msp_client_id"][0], self.client.id)

    def test_my_day_entries_show_client(self):
        views = (
            self.env["msp.time.review"]
            .with_user(self.tech)
            .get_views([(False, "form")])
        )
        arch = views["views"]["form"]["arch"]
        self.assertIn('name="msp_client_id"', arch)
        self.assertIn('name="ticket_id"', arch)
