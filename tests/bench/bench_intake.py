#!/usr/bin/env python3
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Intake benchmark: prints figures, asserts nothing, rolls everything back.

Needs a database with msp_routing (e.g. the SLA bench database, where the
generator left 100,000 open tickets, plus ``-i msp_routing``)::

    python3 tests/bench/bench_intake.py -d msp_bench \\
        -- --db_host=$PWD/.msp/pg/run --db_user=odoo

Measures, in process (the controller only adds HTTP around ``_receive``):
alerts through the webhook handler and e-mails through ``message_process``,
with --rules routing rules active (all but one never match) and with routing
off, against plain ``helpdesk.ticket.create``; then one pass of the
escalation cron over every open ticket.
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import run_with_env, split_argv


def measure(env, func, count):
    env.flush_all()
    queries = env.cr.sql_log_count
    started = time.perf_counter()
    func()
    env.flush_all()
    seconds = time.perf_counter() - started
    return seconds, (env.cr.sql_log_count - queries) / max(count, 1)


def line(label, count, seconds, per_ticket):
    print(
        f"{label:<46} {count / seconds:8.1f} tickets/s"
        f" {per_ticket:6.1f} queries/ticket",
        flush=True,
    )


def run(env, opts):
    Source = env["msp.intake.source"]
    Rule = env["msp.routing.rule"]
    Ticket = env["helpdesk.ticket"]
    env["msp.escalation.rule"].search([]).active = False
    Rule.search([]).active = False
    team = env["helpdesk.ticket.team"].search([], limit=1)
    Source.create(
        {"name": "Bench", "code": "bench", "auth_mode": "token", "token": "bench"}
    )
    rules = Rule.create(
        [
            {"name": f"never {n}", "sequence": n, "subject_regex": f"^never-{n}$"}
            for n in range(opts.rules - 1)
        ]
        + [
            {
                "name": "alerts to the team",
                "sequence": 10_000,
                "channel_ids": [(6, 0, [env.ref("msp_routing.channel_monitoring").id])],
                "set_team_id": team.id,
                "policy": opts.policy,
            }
        ]
    )

    def alerts(prefix, count):
        def go():
            for n in range(count):
                body = json.dumps(
                    {
                        "id": f"{prefix}-{n}",
                        "title": f"Disk full {n}",
                        "severity": "major",
                        "device": f"SRV{n % 500}",
                    }
                ).encode()
                status, _answer = Source._receive(
                    "bench", {"X-MSP-Token": "bench"}, body
                )
                assert status == 200, status

        return go

    def mails(prefix, count):
        def go():
            for n in range(count):
                message = (
                    f"From: user{n % 300}@bench-client-{n % 400:05d}.example.com\r\n"
                    f"To: support@msp.example.com\r\nSubject: {prefix} problem {n}\r\n"
                    f"Message-Id: <{prefix}-{n}@bench.example.com>\r\n"
                    "Content-Type: text/plain\r\n\r\nIt broke.\r\n"
                )
                env["mail.thread"].message_process("helpdesk.ticket", message)

        return go

    def plain(count):
        def go():
            Ticket.with_context(msp_routing_skip=True).create(
                [
                    {"name": f"plain {n}", "description": "<p>x</p>"}
                    for n in range(count)
                ]
            )

        return go

    print(
        f"{opts.rules} routing rules, {opts.alerts} alerts, {opts.mails} e-mails",
        flush=True,
    )
    seconds, per = measure(env, plain(opts.alerts), opts.alerts)
    line("plain helpdesk.ticket.create (batch)", opts.alerts, seconds, per)
    seconds, per = measure(env, alerts("on", opts.alerts), opts.alerts)
    line("webhook alerts, routing on", opts.alerts, seconds, per)
    seconds, per = measure(env, mails("on", opts.mails), opts.mails)
    line("e-mails, routing on", opts.mails, seconds, per)
    rules.active = False
    seconds, per = measure(env, alerts("off", opts.alerts), opts.alerts)
    line("webhook alerts, routing off", opts.alerts, seconds, per)
    seconds, per = measure(env, mails("off", opts.mails), opts.mails)
    line("e-mails, routing off", opts.mails, seconds, per)

    env["msp.escalation.rule"].create(
        [
            {
                "name": "bench no response",
                "trigger": "no_response",
                "minutes": 10,
                "priorities": "3",
                "channel_ids": [(6, 0, [env.ref("msp_routing.channel_monitoring").id])],
            },
            {
                "name": "bench idle",
                "trigger": "idle",
                "minutes": 60 * 24 * 400,
                "assign": "team_lead",
            },
        ]
    )
    open_count = Ticket.search_count([("stage_id.closed", "=", False)])
    queries = env.cr.sql_log_count
    started = time.perf_counter()
    env["msp.escalation.rule"]._cron_escalate()
    env.flush_all()
    print(
        f"escalation cron over {open_count} open tickets: "
        f"{time.perf_counter() - started:.2f} s,"
        f" {env.cr.sql_log_count - queries} queries",
        flush=True,
    )
    env.cr.rollback()


def main():
    argv, odoo_args = split_argv()
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-d", "--database", default="msp_bench")
    parser.add_argument("--rules", type=int, default=200)
    parser.add_argument("--alerts", type=int, default=10_000)
    parser.add_argument("--mails", type=int, default=2_000)
    parser.add_argument(
        "--policy",
        default="none",
        help="owner policy of the matching rule (round_robin adds helpdesk_mgmt's "
        "assignment e-mail to each ticket)",
    )
    opts = parser.parse_args(argv)
    run_with_env(opts.database, odoo_args, run, opts)


if __name__ == "__main__":
    main()
