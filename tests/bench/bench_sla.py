#!/usr/bin/env python3
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""SLA benchmark: prints figures, asserts nothing, changes nothing (rolls back).

Prepare a database (a copy of the demo one) with the generator, e.g. for the
issue's scale: 100,000 open and 1,000,000 closed tickets, 50 profiles on 5
calendars::

    createdb -h $PWD/.msp/pg/run -U odoo -T msp msp_bench
    python3 tests/bench/generate.py -d msp_bench --clients 500 \\
        --tickets 1100000 --open-ratio 0.091 --timesheets 0 \\
        -- --db_host=$PWD/.msp/pg/run --db_user=odoo
    python3 tests/bench/generate.py -d msp_bench --only sla \\
        -- --db_host=$PWD/.msp/pg/run --db_user=odoo
    python3 tests/bench/bench_sla.py -d msp_bench \\
        -- --db_host=$PWD/.msp/pg/run --db_user=odoo

Measures (1) one pass of the warning/breach cron, (2) recomputing deadlines
and ticket statuses of 10,000 open tickets, (3) the P50/P75/P95 report over
all closed tickets; each against a plain SQL baseline for the same question.
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import run_with_env, split_argv


def measure(env, func):
    env.flush_all()
    env.invalidate_all()
    queries = env.cr.sql_log_count
    started = time.perf_counter()
    result = func()
    env.flush_all()
    return time.perf_counter() - started, env.cr.sql_log_count - queries, result


def sql_time(env, query, params=None):
    started = time.perf_counter()
    env.cr.execute(query, params)
    if env.cr.description:
        env.cr.fetchall()
    return time.perf_counter() - started


def report(label, seconds, queries, baseline):
    ratio = seconds / baseline if baseline else float("inf")
    print(
        f"{label:<44} {seconds * 1000:9.1f} ms {queries:6d} queries"
        f"   plain SQL {baseline * 1000:8.1f} ms   ratio {ratio:6.1f}x",
        flush=True,
    )


def run(env, opts):
    from odoo import fields  # noqa: PLC0415

    Clock = env["msp.sla.clock"]
    Ticket = env["helpdesk.ticket"]
    env.cr.execute("SELECT count(*) FROM msp_sla_clock WHERE state = 'running'")
    running = env.cr.fetchone()[0]
    env.cr.execute("SELECT count(*) FROM msp_sla_clock WHERE state = 'stopped'")
    stopped = env.cr.fetchone()[0]
    env.cr.execute(
        "SELECT count(DISTINCT profile_id), count(DISTINCT calendar_id)"
        " FROM msp_sla_clock"
    )
    profiles, calendars = env.cr.fetchone()
    print(
        f"clocks: {running} running, {stopped} stopped; "
        f"{profiles} profiles, {calendars} calendars",
        flush=True,
    )

    # 1. cron pass. Steady state: what was due before now has fired (bench
    #    data is a year of tickets); then --crossing clocks cross their
    #    warning in the last minute, the rest cross nothing.
    now = fields.Datetime.now()
    env.cr.execute(
        """UPDATE msp_sla_clock SET warned = warn_at <= %(now)s,
                  breach_notified = deadline <= %(now)s,
                  breached = breached OR deadline <= %(now)s
            WHERE state = 'running'""",
        {"now": now},
    )
    env.cr.execute(
        """UPDATE msp_sla_clock SET warned = false,
                  warn_at = %(now)s - interval '30 seconds',
                  deadline = %(now)s + interval '1 hour'
            WHERE id IN (SELECT id FROM msp_sla_clock WHERE state = 'running'
                          ORDER BY id DESC LIMIT %(n)s)""",
        {"now": now, "n": opts.crossing},
    )
    env.invalidate_all()
    baseline = sql_time(
        env,
        """SELECT id FROM msp_sla_clock WHERE state = 'running'
              AND warned IS NOT TRUE AND warn_at <= %s;
           SELECT id FROM msp_sla_clock WHERE state = 'running'
              AND breach_notified IS NOT TRUE AND deadline <= %s""",
        (now, now),
    )
    seconds, queries, _ = measure(env, Clock._cron_check)
    report(f"cron pass, {opts.crossing} clocks cross", seconds, queries, baseline)
    seconds, queries, _ = measure(env, Clock._cron_check)
    report("cron pass, nothing crosses", seconds, queries, baseline)

    # 2. recompute deadlines + statuses of N open tickets
    tickets = Ticket.search(
        [("msp_sla_status", "in", ["running", "at_risk"])], limit=opts.recompute
    )

    def recompute():
        tickets.msp_sla_clock_ids._recompute_deadlines()
        tickets._msp_sla_sync_status()

    baseline = sql_time(
        env,
        """UPDATE msp_sla_clock SET deadline = start + target_hours * interval '1 hour'
            WHERE ticket_id = ANY(%s)""",
        (tickets.ids,),
    )
    seconds, queries, _ = measure(env, recompute)
    report(f"recompute {len(tickets)} tickets", seconds, queries, baseline)

    # 3. percentiles over every closed ticket
    env.cr.execute("SELECT min(stopped_at), max(stopped_at) FROM msp_sla_clock")
    low, high = env.cr.fetchone()
    companies = env["res.company"].search([]).ids
    baseline = sql_time(
        env,
        """SELECT priority, kind, count(*), avg(actual_hours) FROM msp_sla_clock
            WHERE state = 'stopped' AND stopped_at >= %s AND stopped_at <= %s
              AND company_id = ANY(%s) GROUP BY priority, kind""",
        (low, high, companies),
    )
    seconds, queries, rows = measure(
        env, lambda: Clock._percentiles(low, high, companies)
    )
    report(f"percentiles over {stopped} stopped clocks", seconds, queries, baseline)
    for row in rows:
        print(
            f"   P{4 - int(row['priority'])} {row['kind']:<10} n={row['count']:>8}"
            f"  p50={row['p50']:.2f} h  p75={row['p75']:.2f} h  p95={row['p95']:.2f} h",
            flush=True,
        )
    env.cr.rollback()


def main():
    argv, odoo_args = split_argv()
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-d", "--database", default="msp_bench")
    parser.add_argument("--recompute", type=int, default=10_000)
    parser.add_argument("--crossing", type=int, default=20)
    opts = parser.parse_args(argv)
    run_with_env(opts.database, odoo_args, run, opts)


if __name__ == "__main__":
    main()
