#!/usr/bin/env python3
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Ticket-to-project conversion benchmark: prints figures, asserts nothing,
changes nothing (rolls back).

Any database with msp_ticket_project installed (a copy of the demo one, or
the benchmark one of bench_projects.py)::

    createdb -h $PWD/.msp/pg/run -U odoo -T msp msp_bench_convert
    python3 tests/bench/bench_convert.py -d msp_bench_convert \\
        -- --db_host=$PWD/.msp/pg/run --db_user=odoo

Builds a ticket with 500 time entries (some invoiced, some locked) and 200
messages (with attachments), then converts it into a project from a
template (phases and tasks copied), moving its time, as a dispatcher would
with the wizard: prints the time and query count (target: under 3 s), and
the same for a task in an existing project. Also prints the wizard's
opening (the hours it shows).
"""

import argparse
import os
import sys
import time
from datetime import timedelta

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import run_with_env, split_argv

ENTRIES = 500
MESSAGES = 200
INVOICED = 20
LOCKED = 30


def measure(env, func):
    """One cold run (caches dropped): seconds, queries, result."""
    env.flush_all()
    env.invalidate_all()
    queries = env.cr.sql_log_count
    started = time.perf_counter()
    result = func()
    env.flush_all()
    elapsed = time.perf_counter() - started
    return elapsed, env.cr.sql_log_count - queries, result


def report(label, seconds, queries):
    print(f"{label:<60} {seconds * 1000:8.1f} ms {queries:5d} queries", flush=True)


def build_ticket(env, suffix, team, desk, client, dispatcher):
    from odoo import Command, fields  # noqa: PLC0415

    env.company.msp_time_lock_date = False
    ticket = (
        env["helpdesk.ticket"]
        .with_context(tracking_disable=True)
        .create(
            {
                "name": f"Bench tenant migration {suffix}",
                "description": "<p>Move 400 mailboxes to the new tenant</p>",
                "partner_id": client.id,
                "team_id": team.id,
                "project_id": desk.id,
                "user_id": dispatcher.id,
                "msp_estimate_hours": 60.0,
            }
        )
    )
    today = fields.Date.today()
    old_day = today - timedelta(days=60)
    env["account.analytic.line"].create(
        [
            {
                "name": f"Work {index}",
                "ticket_id": ticket.id,
                "project_id": desk.id,
                "user_id": dispatcher.id,
                "unit_amount": 0.25 + (index % 8) * 0.25,
                "date": old_day
                if index < LOCKED
                else today - timedelta(days=index % 20),
            }
            for index in range(ENTRIES)
        ]
    )
    env.company.msp_time_lock_date = today - timedelta(days=45)
    lines = ticket.timesheet_ids.sorted("id")
    move = env["account.move"].create(
        {
            "move_type": "out_invoice",
            "partner_id": client.id,
            "invoice_line_ids": [
                Command.create({"name": "Overage", "quantity": 1, "price_unit": 90})
            ],
        }
    )
    env.cr.executemany(
        "INSERT INTO msp_billed_time (entry_id, invoice_line_id) VALUES (%s, %s)",
        [
            (line.id, move.invoice_line_ids.id)
            for line in lines[LOCKED : LOCKED + INVOICED]
        ],
    )
    for index in range(MESSAGES):
        ticket.message_post(
            body=f"<p>Update {index}: mailbox batch {index} moved</p>",
            message_type="comment",
            subtype_xmlid="mail.mt_note",
            attachments=[(f"log{index}.txt", f"log {index}".encode())]
            if index % 20 == 0
            else [],
        )
    return ticket


def run(env, opts):
    from odoo import Command  # noqa: PLC0415

    company = env.company
    company.write(
        {
            "msp_time_lock_date": False,
            "msp_work_type_id": env.ref("msp_time.work_type_included").id,
        }
    )
    dispatcher = env["res.users"].create(
        {
            "name": "Bench Dispatcher",
            "login": "bench_convert_dispatcher",
            "email": "bench.dispatcher@example.com",
            "groups_id": [
                Command.set(
                    [
                        env.ref("base.group_user").id,
                        env.ref("msp_base.group_msp_dispatcher").id,
                    ]
                )
            ],
        }
    )
    env["hr.employee"].create({"name": dispatcher.name, "user_id": dispatcher.id})
    client = env["res.partner"].create({"name": "Bench Client", "is_company": True})
    desk = env["project.project"].create(
        {"name": "Bench Desk", "allow_timesheets": True}
    )
    team = env["helpdesk.ticket.team"].create(
        {
            "name": "Bench Convert Team",
            "allow_timesheet": True,
            "default_project_id": desk.id,
            "user_ids": [Command.set(dispatcher.ids)],
        }
    )
    template = env["project.project"].search([("is_template", "=", True)], limit=1)
    if not template:
        template = env["project.project"].create(
            {"name": "Bench (TEMPLATE)", "is_template": True, "allow_milestones": True}
        )
        phases = env["project.milestone"].create(
            [{"name": name, "project_id": template.id} for name in ("Build", "Test")]
        )
        env["project.task"].create(
            [
                {
                    "name": f"Step {i}",
                    "project_id": template.id,
                    "milestone_id": phases[i % 2].id,
                }
                for i in range(10)
            ]
        )
    existing = env["project.project"].create(
        {"name": "Bench Existing", "partner_id": client.id, "allow_timesheets": True}
    )
    print(
        f"ticket: {ENTRIES} time entries ({INVOICED} invoiced, {LOCKED} locked), "
        f"{MESSAGES} messages; template {template.name!r} "
        f"({len(template.milestone_ids)} phases, {len(template.task_ids)} tasks)",
        flush=True,
    )
    Wizard = env["msp.ticket.convert"].with_user(dispatcher)

    for mode in ("template", "task"):
        ticket = build_ticket(env, mode, team, desk, client, dispatcher)
        seconds, queries, wizard = measure(
            env,
            lambda ticket=ticket, mode=mode: Wizard.with_context(
                default_ticket_id=ticket.id
            ).create(
                {
                    "mode": mode,
                    "template_id": template.id,
                    "project_id": existing.id,
                    "time_action": "move",
                    "ticket_action": "close",
                }
            ),
        )
        report(
            f"wizard opened ({wizard.total_hours:.2f} h, "
            f"{wizard.stay_hours:.2f} h stay)",
            seconds,
            queries,
        )
        seconds, queries, _ = measure(env, wizard.action_convert)
        target = wizard.result_task_id or wizard.result_project_id
        moved = env["account.analytic.line"].search_count(
            [("ticket_id", "=", ticket.id), ("project_id", "=", target.project_id.id)]
            if wizard.result_task_id
            else [("ticket_id", "=", ticket.id), ("project_id", "=", target.id)]
        )
        report(
            f"convert ({mode}): {moved} entries moved, target < 3000 ms",
            seconds,
            queries,
        )
    env.cr.rollback()


def main():
    argv, odoo_args = split_argv()
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-d", "--database", default="msp_bench_convert")
    opts = parser.parse_args(argv)
    run_with_env(opts.database, odoo_args, run, opts)


if __name__ == "__main__":
    main()
