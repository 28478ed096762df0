# ruff: noqa: W291, W293, E501 (log lines as Odoo writes them, trailing spaces included)
"""Unit tests of the launcher's log reading, on real Odoo 18 log lines
(``./msp test`` runs them; standard library only)."""

import contextlib
import io
import sys
import tempfile
import unittest
from pathlib import Path
from unittest import mock

import msp_cli

PASSED = (
    "2026-11-23 20:18:54,306 10446 INFO msp_test odoo.tests.result: 0 failed, "
    "0 error(s) of 275 tests when loading database 'msp_test' \n"
)
FAILED = """\
2026-11-23 20:06:26,126 7947 INFO msp_test odoo.addons.msp_routing.tests.test_phone: ====================================================================== 
2026-11-23 20:06:26,127 7947 ERROR msp_test odoo.addons.msp_routing.tests.test_phone: ERROR: TestPhoneToTicket.test_wizard_matches_caller_and_books_the_time
Traceback (most recent call last):
  File "/work/main/addons/msp_routing/tests/test_phone.py", line 54, in test_wizard_matches_caller_and_books_the_time
    call.action_create_ticket()
odoo.exceptions.AccessError: 'Unknown Sender' of Helpdesk Ticket are set by the system and cannot be written directly.
 
2026-11-23 20:06:26,127 7947 INFO msp_test odoo.addons.msp_routing.tests.test_phone: ---------------------------------------------------------------------- 
2026-11-23 20:06:37,761 7947 ERROR msp_test odoo.tests.result: 0 failed, 1 error(s) of 50 tests when loading database 'msp_test' 
"""
ERROR_OUTSIDE_A_TEST = """\
2026-11-23 20:10:02,511 10446 ERROR msp_test odoo.http: Exception during request handling.
Traceback (most recent call last):
  File "/usr/lib/python3/dist-packages/odoo/http.py", line 2375, in __call__
    response = request._serve_db()
ValueError: Invalid isoformat string: '2026-02-30'
"""
BROWSER_SKIP = (
    "2026-11-23 19:58:01,004 5060 INFO msp_test odoo.addons.msp_base.tests."
    "test_tour: skipped TestMspBaseTour.test_open_msp_app : websocket-client "
    "module is not installed\n"
)
OTHER_SKIP = (
    "2026-11-23 19:58:02,114 5060 INFO msp_test odoo.addons.msp_sla.tests."
    "test_sla_clocks: skipped TestSlaClocks.test_x : not relevant here\n"
)
WARNING = (
    "2026-11-23 20:13:46,900 10446 WARNING msp_test odoo.addons.msp_assets."
    "models.sync_engine: NinjaOne page 3 answered 429, retrying in 1 s\n"
)


def tally_of(*texts, allow=()):
    tally = msp_cli.Tally(allow)
    for text in texts:
        for line in text.splitlines(keepends=True):
            tally.feed(line)
    return tally


class TestTally(unittest.TestCase):
    def test_passed_run(self):
        tally = tally_of(PASSED, WARNING)
        self.assertEqual((tally.run, tally.failed, tally.passed), (275, 0, 275))
        self.assertEqual(tally.logged_errors, [])

    def test_failed_test_counts_once(self):
        tally = tally_of(FAILED)
        self.assertEqual((tally.run, tally.failed, tally.passed), (50, 1, 49))
        # the test's own report is not also an error outside a test
        self.assertEqual(tally.logged_errors, [])

    def test_error_outside_a_test_is_caught(self):
        tally = tally_of(PASSED, ERROR_OUTSIDE_A_TEST)
        self.assertEqual(tally.failed, 0)
        self.assertEqual(len(tally.logged_errors), 1)
        self.assertIn("odoo.http: Exception during request", tally.logged_errors[0])

    def test_a_traceback_outside_an_error_record_is_caught(self):
        stray = (
            "2026-11-23 20:10:02,511 10446 INFO msp_test odoo.service.server: "
            "Worker WorkerHTTP (10603) alive\n"
            "Traceback (most recent call last):\n"
            '  File "/usr/lib/python3/dist-packages/odoo/service/server.py", '
            "line 818, in long_polling_spawn\n"
            "ModuleNotFoundError: No module named 'pkg_resources'\n"
        )
        tally = tally_of(PASSED, stray)
        self.assertEqual(len(tally.logged_errors), 1)
        # the traceback of a failing test's report is not counted twice
        self.assertEqual(tally_of(FAILED).logged_errors, [])

    def test_demo_data_that_failed_to_install_is_a_failure(self):
        demo = (
            "2026-12-07 16:50:38,740 775 WARNING msp_test odoo.modules.loading: "
            "Module msp_ticket_project demo data failed to install, installed "
            "without demo data\n"
        )
        tally = tally_of(PASSED, demo)
        self.assertEqual(len(tally.logged_errors), 1)
        self.assertIn("msp_ticket_project", tally.logged_errors[0])

    def test_allow_list_lets_an_expected_error_through(self):
        tally = tally_of(ERROR_OUTSIDE_A_TEST, allow=[r"odoo\.http: Exception"])
        self.assertEqual(tally.logged_errors, [])

    def test_browser_skip_is_a_failure_other_skips_are_skips(self):
        tally = tally_of(BROWSER_SKIP, OTHER_SKIP, PASSED)
        self.assertEqual(len(tally.browser_skips), 1)
        self.assertIn("test_open_msp_app", tally.browser_skips[0])
        self.assertEqual(tally.skipped, 1)
        self.assertEqual(tally.passed, 275 - 2)


class TestRunOptions(unittest.TestCase):
    def parse(self, argv):
        parser_args = msp_cli.build_parser().parse_args(["run", *argv])
        return msp_cli.serve_options(parser_args)

    def test_workers_and_what_follows_the_double_dash(self):
        self.assertEqual(
            self.parse(["--workers", "2", "--", "--limit-time-real=600"]),
            [
                "--load=base,web,queue_job",
                "--workers=2",
                "--gevent-port=8072",
                "--limit-time-real=600",
            ],
        )

    def test_readme_example_reaches_odoo_intact(self):
        self.assertEqual(
            self.parse(["--", "--workers=2"]),
            ["--load=base,web,queue_job", "--workers=2"],
        )
        self.assertEqual(self.parse([]), ["--load=base,web,queue_job"])

    def test_a_load_of_ones_own_wins(self):
        for load in (["--load=base,web"], ["--load", "base,web"]):
            self.assertEqual(self.parse(["--", *load]), load)

    def env(self, argv, environ=None):
        args = msp_cli.build_parser().parse_args(["run", *argv])
        return msp_cli.serve_env(args, environ or {"PATH": "/bin"})

    def test_job_channels_follow_the_workers(self):
        self.assertEqual(
            self.env(["--workers", "5"]),
            {
                "PATH": "/bin",
                "ODOO_QUEUE_JOB_CHANNELS": "root:4,root.msp.billing:2,"
                "root.msp.sync:2,root.msp.reports:1",
            },
        )
        self.assertEqual(
            self.env(["--workers", "2"])["ODOO_QUEUE_JOB_CHANNELS"],
            "root:1,root.msp.billing:1,root.msp.sync:1,root.msp.reports:1",
        )
        # threaded: the runner still runs jobs, two at a time
        self.assertEqual(
            self.env([])["ODOO_QUEUE_JOB_CHANNELS"],
            "root:2,root.msp.billing:2,root.msp.sync:2,root.msp.reports:1",
        )

    def test_channels_already_set_stand(self):
        mine = {"ODOO_QUEUE_JOB_CHANNELS": "root:8,root.msp.billing:6"}
        self.assertEqual(self.env(["--workers", "4"], mine), mine)

    def test_the_command_line_served(self):
        """cmd_run's last step: the Odoo command line and environment."""
        calls = []
        with (
            mock.patch.object(msp_cli, "find_odoo_python", return_value="py"),
            mock.patch.object(msp_cli, "install_requirements"),
            mock.patch.object(msp_cli, "ensure_postgres", return_value={}),
            mock.patch.object(msp_cli, "psql_query", return_value=[]),
            mock.patch.object(msp_cli, "msp_addons", return_value=[]),
            mock.patch.object(msp_cli, "odoo_entry", return_value=["py", "odoo"]),
            mock.patch.object(msp_cli.os, "execvpe", lambda *call: calls.append(call)),
            contextlib.redirect_stdout(io.StringIO()),
        ):
            msp_cli.main(["run", "--db", "demo", "--workers", "3", "--port", "9000"])
        [(program, cmd, env)] = calls
        self.assertEqual(program, "py")
        self.assertEqual(cmd[:2], ["py", "odoo"])
        self.assertIn("--load=base,web,queue_job", cmd)
        self.assertIn("--workers=3", cmd)
        self.assertIn("--gevent-port=9003", cmd)
        self.assertEqual(cmd[cmd.index("--http-port") + 1], "9000")
        self.assertEqual(
            env["ODOO_QUEUE_JOB_CHANNELS"],
            "root:2,root.msp.billing:2,root.msp.sync:2,root.msp.reports:1",
        )

    def test_allow_list_file_syntax(self):
        path = msp_cli.ROOT / "tools" / "checklog-allow.txt"
        for pattern in msp_cli.read_allow_list(path):
            msp_cli.re.compile(pattern)


if __name__ == "__main__":
    unittest.main()


INSTALL_LOG = """\
2026-11-23 22:39:25,140 6483 INFO msp_e odoo.modules.loading: loading 1 modules... 
2026-11-23 22:39:25,154 6483 INFO msp_e odoo.modules.loading: Loading module base (1/1) 
2026-11-23 22:39:33,799 6483 INFO msp_e odoo.modules.loading: loading 76 modules... 
2026-11-23 22:39:33,801 6483 INFO msp_e odoo.modules.loading: Loading module helpdesk_mgmt (12/76) 
2026-11-23 22:39:34,002 6483 INFO msp_e odoo.modules.loading: loading helpdesk_mgmt/data/helpdesk_data.xml 
2026-11-23 22:39:34,102 6483 WARNING msp_e odoo.models: a warning that stays in the log file 
2026-11-23 22:39:35,500 6483 ERROR msp_e odoo.modules.loading: Failed to load msp_base/demo/msp_demo.xml
Traceback (most recent call last):
  File "/x/odoo/tools/convert.py", line 1, in parse
ValueError: the demo broke
2026-11-23 22:39:36,001 6483 INFO msp_e odoo.modules.loading: Loading module msp_base (60/76) 
2026-11-23 22:39:36,101 6483 INFO msp_e odoo.modules.loading: Module msp_base: loading demo 
2026-11-23 22:48:05,589 6483 WARNING msp_e odoo.modules.loading: Module msp_base demo data failed to install, installed without demo data 
Traceback (most recent call last):
AttributeError: project_id
2026-11-23 22:48:05,600 6483 INFO msp_e odoo.modules.loading: Loading module msp_sla (61/76) 
"""


class TestInstallProgress(unittest.TestCase):
    """``./msp run`` on a first install: a line per addon from Odoo's
    ``Loading module X (N/M)`` records, errors in full, the rest only in
    the log file."""

    def test_a_line_per_addon_and_errors(self):
        progress = msp_cli.InstallProgress(started=1000.0)
        shown = [
            progress.feed(line, now=1042.0)
            for line in INSTALL_LOG.splitlines(keepends=True)
        ]
        self.assertEqual(
            [line for line in shown if line is not None],
            [
                "[msp] installing base (1/1) 42 s",
                "[msp] installing helpdesk_mgmt (12/76) 42 s",
                "2026-11-23 22:39:35,500 6483 ERROR msp_e odoo.modules.loading: "
                "Failed to load msp_base/demo/msp_demo.xml",
                "Traceback (most recent call last):",
                '  File "/x/odoo/tools/convert.py", line 1, in parse',
                "ValueError: the demo broke",
                "[msp] installing msp_base (60/76) 42 s",
                "2026-11-23 22:48:05,589 6483 WARNING msp_e odoo.modules.loading: "
                "Module msp_base demo data failed to install, installed without "
                "demo data",
                "Traceback (most recent call last):",
                "AttributeError: project_id",
                "[msp] installing msp_sla (61/76) 42 s",
            ],
        )

    def test_run_install_keeps_the_full_log(self):
        script = f"import sys; sys.stdout.write({INSTALL_LOG!r}); sys.exit(3)"
        with tempfile.TemporaryDirectory() as tmp:
            log_path = Path(tmp) / "install.log"
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                code = msp_cli.run_install([sys.executable, "-c", script], log_path)
            self.assertEqual(code, 3)
            self.assertEqual(log_path.read_text(encoding="utf-8"), INSTALL_LOG)
        printed = out.getvalue()
        self.assertIn("[msp] installing helpdesk_mgmt (12/76)", printed)
        self.assertIn("ValueError: the demo broke", printed)
        # the warning is only in the file, until Odoo fails: then the end of
        # the log is shown
        before_failure = printed.split("Odoo exited with code 3")[0]
        self.assertNotIn("a warning that stays in the log file", before_failure)
        self.assertIn("Odoo exited with code 3", printed)


class TestPeerTags(unittest.TestCase):
    def test_excluded_peer_tests_are_deselected(self):
        tags = msp_cli.peer_test_tags(["helpdesk_mgmt", "helpdesk_mgmt_timesheet"])
        self.assertEqual(
            tags,
            "/helpdesk_mgmt,/helpdesk_mgmt_timesheet,"
            "-/helpdesk_mgmt:TestHelpdeskPortal.test_close_ticket",
        )
        self.assertEqual(
            msp_cli.peer_test_tags(["helpdesk_mgmt_timesheet"]),
            "/helpdesk_mgmt_timesheet",
        )


class TestPeerDemo(unittest.TestCase):
    def test_stock_helpdesk_teams_made_active_for_the_peer_suites(self):
        statements = msp_cli.peer_demo_sql()
        self.assertEqual(len(statements), len(msp_cli.PEER_DEMO_MODELS))
        self.assertIn("helpdesk.ticket.team", msp_cli.PEER_DEMO_MODELS)
        team_sql = statements[msp_cli.PEER_DEMO_MODELS.index("helpdesk.ticket.team")]
        self.assertTrue(team_sql.startswith("UPDATE helpdesk_ticket_team SET active"))
        self.assertIn("model = %s AND module IN %s", team_sql)
