# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import psycopg2
from odoo import api
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from odoo.addons.msp_base.tests.common import commit_in_new_cursor

from .common import MspTimeCase


@tagged("post_install", "-at_install")
class TestTimer(MspTimeCase):
    def _running(self, user):
        return self.Line.search(
            [("user_id", "=", user.id), ("msp_timer_running", "=", True)]
        )

    def test_one_click_start_prefills_and_stop_opens_the_entry(self):
        ticket = self.ticket.with_user(self.tech)
        self.assertEqual(ticket.show_time_control, "start")
        ticket.msp_action_start_timer()
        running = self._running(self.tech)
        self.assertEqual(len(running), 1)
        self.assertEqual(running.ticket_id, self.ticket)
        self.assertEqual(running.name, f"{self.ticket.number} Printer down")
        self.assertEqual(running.msp_work_type_id, self.included)
        self.assertEqual(running.unit_amount, 0)
        ticket.invalidate_recordset()
        self.assertEqual(ticket.show_time_control, "stop")
        self.assertEqual(ticket.msp_timer_user_ids, self.tech)
        action = ticket.button_end_work()
        self.assertEqual(action["res_model"], "account.analytic.line")
        self.assertEqual(action["res_id"], running.id)
        self.assertEqual(action["target"], "new")
        self.assertFalse(self._running(self.tech))
        self.assertGreaterEqual(running.unit_amount, 0)
        self.assertFalse(running.msp_timer_running)

    def test_starting_another_stops_the_first(self):
        self.ticket.with_user(self.tech).msp_action_start_timer()
        first = self._running(self.tech)
        self.ticket2.with_user(self.tech).msp_action_start_timer()
        running = self._running(self.tech)
        self.assertEqual(len(running), 1)
        self.assertEqual(running.ticket_id, self.ticket2)
        self.assertFalse(first.msp_timer_running)
        # another technician's timer is independent
        self.ticket.with_user(self.tech2).msp_action_start_timer()
        self.assertEqual(len(self._running(self.tech2)), 1)
        self.assertEqual(len(self._running(self.tech)), 1)
        self.assertEqual(self.ticket.msp_timer_user_ids, self.tech2)

    def test_systray_data_and_stop(self):
        Line = self.Line.with_user(self.tech)
        self.assertEqual(Line.msp_timer_systray(), {})
        self.assertFalse(Line.msp_stop_timer())
        self.ticket.with_user(self.tech).msp_action_start_timer()
        data = Line.msp_timer_systray()
        self.assertEqual(data["res_model"], "helpdesk.ticket")
        self.assertEqual(data["res_id"], self.ticket.id)
        self.assertIn("Printer down", data["record_name"])
        action = Line.msp_stop_timer()
        self.assertEqual(action["res_id"], data["id"])
        self.assertEqual(Line.msp_timer_systray(), {})

    def test_oca_switch_wizard_keeps_one_timer(self):
        self.ticket.with_user(self.tech).msp_action_start_timer()
        first = self._running(self.tech)
        action = self.ticket2.with_user(self.tech).button_start_work()
        self.assertEqual(
            action["context"]["default_name"], f"{self.ticket2.number} VPN slow"
        )
        wizard = (
            self.env["hr.timesheet.switch"]
            .with_user(self.tech)
            .with_context(
                active_model="helpdesk.ticket",
                active_id=self.ticket2.id,
                **action["context"],
            )
            .create({})
        )
        self.assertEqual(wizard.running_timer_id, first)
        wizard.action_switch()
        running = self._running(self.tech)
        self.assertEqual(len(running), 1)
        self.assertNotEqual(running, first)
        self.assertFalse(first.msp_timer_running)

    def test_database_refuses_a_second_running_timer(self):
        started = self.Line.with_context(msp_timer_start=True)
        started.with_user(self.tech).create(
            {"name": "one", "ticket_id": self.ticket.id, "project_id": self.project.id}
        )
        with (
            self.assertRaises(psycopg2.IntegrityError),
            mute_logger("odoo.sql_db"),
            self.env.cr.savepoint(),
        ):
            started.with_user(self.tech).create(
                {
                    "name": "two",
                    "ticket_id": self.ticket2.id,
                    "project_id": self.project.id,
                }
            )
            self.env.flush_all()

    def test_task_timer(self):
        task = self.env["project.task"].create(
            {"name": "Rack the new switch", "project_id": self.project.id}
        )
        task.with_user(self.tech).msp_action_start_timer()
        running = self._running(self.tech)
        self.assertEqual(running.task_id, task)
        self.assertEqual(running.msp_work_type_id, self.project_kind)
        action = task.with_user(self.tech).button_end_work()
        self.assertEqual(action["res_id"], running.id)

    def test_ticket_without_project_cannot_time(self):
        team = self.env["helpdesk.ticket.team"].create({"name": "No Time Team"})
        ticket = self._ticket("No project", team_id=team.id, project_id=False)
        with self.assertRaisesRegex(UserError, "has no project"):
            ticket.with_user(self.tech).msp_action_start_timer()

    def test_start_stop_query_count(self):
        """Starting a timer costs the same whatever the user's history."""
        ticket = self.ticket.with_user(self.tech)
        ticket.msp_action_start_timer()
        ticket.button_end_work()
        self.env.flush_all()
        self.env.invalidate_all()
        with self.assertQueryCount(__system__=60, mt_tech=60):
            ticket.msp_action_start_timer()
            self.env.flush_all()


@tagged("post_install", "-at_install")
class TestTimerConcurrency(TransactionCase):
    """Two starts at the same moment, each in its own real transaction,
    leave exactly one running timer."""

    def _commit(self, func):
        return commit_in_new_cursor(self.registry, func)

    def test_parallel_starts_leave_one_timer(self):
        def setup(env):
            user = env["res.users"].create(
                {
                    "name": "Race Tech",
                    "login": "mt_race_tech",
                    "tz": "UTC",
                    "groups_id": [
                        (4, env.ref("base.group_user").id),
                        (4, env.ref("msp_base.group_msp_technician").id),
                    ],
                }
            )
            env["hr.employee"].create({"name": "Race Tech", "user_id": user.id})
            project = env["project.project"].create(
                {"name": "Race Project", "allow_timesheets": True}
            )
            team = env["helpdesk.ticket.team"].create(
                {
                    "name": "Race Team",
                    "allow_timesheet": True,
                    "default_project_id": project.id,
                    "user_ids": [(4, user.id)],
                }
            )
            tickets = env["helpdesk.ticket"].create(
                [
                    {
                        "name": f"Race {n}",
                        "description": "<p>race</p>",
                        "team_id": team.id,
                        "project_id": project.id,
                    }
                    for n in range(2)
                ]
            )
            return user.id, tickets.ids, project.id, team.id

        uid, ticket_ids, project_id, team_id = self._commit(setup)
        registry = self.registry
        try:
            # Two requests of the same technician (two windows) start a
            # timer at the same moment, each in its own transaction.
            with registry.cursor() as cr_a, registry.cursor() as cr_b:
                env_a = api.Environment(cr_a, uid, {})
                env_b = api.Environment(cr_b, uid, {})
                cr_a.execute("SET LOCAL lock_timeout = '10s'")
                # both snapshots are taken before either starts
                env_a["account.analytic.line"].search_count([])
                env_b["account.analytic.line"].search_count([])
                env_a["helpdesk.ticket"].browse(ticket_ids[0]).msp_action_start_timer()
                # B cannot see A's uncommitted timer: the database makes it
                # wait for A (here: give up after 2 s instead of blocking)
                cr_b.execute("SET LOCAL lock_timeout = '2s'")
                with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.Error):
                    env_b["helpdesk.ticket"].browse(
                        ticket_ids[1]
                    ).msp_action_start_timer()
                    env_b.flush_all()
                cr_b.rollback()
                cr_a.commit()  # pylint: disable=invalid-commit
                # B is retried (as Odoo retries a request on a concurrency
                # error): it now sees A's timer, stops it and starts its own
                env_b = api.Environment(cr_b, uid, {})
                env_b["helpdesk.ticket"].browse(ticket_ids[1]).msp_action_start_timer()
                cr_b.commit()  # pylint: disable=invalid-commit

            def running(env):
                env.cr.execute(
                    "SELECT ticket_id FROM account_analytic_line"
                    " WHERE user_id = %s AND msp_timer_running",
                    [uid],
                )
                return env.cr.fetchall()

            self.assertEqual(self._commit(running), [(ticket_ids[1],)])
        finally:

            def cleanup(env):
                env.cr.execute(
                    "DELETE FROM account_analytic_line WHERE user_id = %s", [uid]
                )
                env["helpdesk.ticket"].browse(ticket_ids).unlink()
                env["helpdesk.ticket.team"].browse(team_id).unlink()
                env["hr.employee"].search([("user_id", "=", uid)]).unlink()
                env["project.project"].browse(project_id).unlink()
                user = env["res.users"].browse(uid)
                try:
                    with env.cr.savepoint():
                        user.unlink()
                except Exception:  # referenced by logs: archive instead
                    user.active = False

            self._commit(cleanup)
