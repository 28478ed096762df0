#!/usr/bin/env python3
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Time capture benchmark: prints figures, asserts nothing, changes nothing
(rolls back).

Prepare a database with msp_time installed (a copy of the demo one) and a
million time entries, e.g. 200 technicians (about 14 entries each per
working day over a year)::

    createdb -h $PWD/.msp/pg/run -U odoo -T msp msp_bench_time
    python3 tests/bench/generate.py -d msp_bench_time \\
        --only clients,technicians,tickets,time --clients 500 \\
        --technicians 200 --tickets 100000 --time-entries 1000000 \\
        -- --db_host=$PWD/.msp/pg/run --db_user=odoo
    python3 tests/bench/bench_time.py -d msp_bench_time \\
        -- --db_host=$PWD/.msp/pg/run --db_user=odoo

Measures (1) the "My day" figures of one technician (entries, running
timer, gaps, tickets touched without time) as the technician, (2) the
billing increment effect per client for a month (billed minus actual, the
rounding report's read_group) and per technician, each against plain SQL.
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import run_with_env, split_argv


def measure(env, func, repeat=3):
    """Best of ``repeat`` cold runs (caches dropped): seconds, queries."""
    best = None
    for _run in range(repeat):
        env.flush_all()
        env.invalidate_all()
        queries = env.cr.sql_log_count
        started = time.perf_counter()
        result = func()
        elapsed = time.perf_counter() - started
        count = env.cr.sql_log_count - queries
        if best is None or elapsed < best[0]:
            best = (elapsed, count, result)
    return best


def sql_time(env, query, params=None):
    started = time.perf_counter()
    env.cr.execute(query, params)
    env.cr.fetchall()
    return time.perf_counter() - started


def report(label, seconds, queries, baseline):
    print(
        f"{label:<52} {seconds * 1000:8.1f} ms {queries:4d} queries"
        f"   plain SQL {baseline * 1000:7.1f} ms",
        flush=True,
    )


def run(env, opts):
    from odoo import fields  # noqa: PLC0415

    cr = env.cr
    cr.execute(
        "SELECT count(*) FROM account_analytic_line WHERE project_id IS NOT NULL"
    )
    total = cr.fetchone()[0]
    cr.execute(
        "SELECT user_id, date, count(*) FROM account_analytic_line"
        " WHERE project_id IS NOT NULL AND user_id IS NOT NULL"
        " GROUP BY user_id, date ORDER BY count(*) DESC, date DESC LIMIT 1"
    )
    uid, day, busiest = cr.fetchone()
    print(f"time entries: {total:,}; busiest day: user {uid} on {day}, {busiest}")

    # 1. My day, as the technician (record rules apply)
    user = env["res.users"].browse(uid)
    Review = env["msp.time.review"].with_user(user)
    review = Review.sudo()._msp_review_for(user, day).with_user(user)
    seconds, queries, data = measure(env, review._msp_day_data)
    baseline = sql_time(
        env,
        "SELECT id, date_time, unit_amount, msp_billed_hours, ticket_id"
        " FROM account_analytic_line WHERE user_id = %s AND date = %s"
        " AND project_id IS NOT NULL ORDER BY date_time",
        (uid, day),
    )
    report(
        f"My day figures ({len(data['lines'])} entries, {len(data['gaps'])} gaps)",
        seconds,
        queries,
        baseline,
    )
    names = [
        "entry_ids",
        "running_timer_id",
        "total_hours",
        "billed_hours",
        "gap_minutes",
        "gaps_text",
        "untimed_ticket_ids",
        "state",
    ]
    seconds, queries, _ = measure(env, lambda: review.read(names))
    report("My day form read (computed fields)", seconds, queries, baseline)

    # 2. The rounding report for a month
    month_start = (day or fields.Date.today()).replace(day=1)
    cr.execute("SELECT (%s::date + interval '1 month')::date", (month_start,))
    month_end = cr.fetchone()[0]
    Line = env["account.analytic.line"]
    domain = [
        ("date", ">=", month_start),
        ("date", "<", month_end),
        ("project_id", "!=", False),
        ("msp_state", "=", "confirmed"),
    ]
    aggregates = ["unit_amount:sum", "msp_billed_hours:sum", "msp_rounding_hours:sum"]
    for groupby, label in (("msp_client_id", "client"), ("user_id", "technician")):
        seconds, queries, groups = measure(
            env, lambda groupby=groupby: Line._read_group(domain, [groupby], aggregates)
        )
        baseline = sql_time(
            env,
            f"SELECT {groupby}, sum(unit_amount), sum(msp_billed_hours),"
            " sum(msp_rounding_hours) FROM account_analytic_line"
            " WHERE date >= %s AND date < %s AND project_id IS NOT NULL"
            f" AND msp_state = 'confirmed' GROUP BY {groupby}",
            (month_start, month_end),
        )
        cr.execute(
            "SELECT count(*) FROM account_analytic_line WHERE date >= %s"
            " AND date < %s AND project_id IS NOT NULL",
            (month_start, month_end),
        )
        rows = cr.fetchone()[0]
        report(
            f"rounding per {label}, {month_start:%Y-%m} ({rows:,} rows, "
            f"{len(groups)} groups)",
            seconds,
            queries,
            baseline,
        )
    env.cr.rollback()


def main():
    argv, odoo_args = split_argv()
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-d", "--database", default="msp_bench_time")
    opts = parser.parse_args(argv)
    run_with_env(opts.database, odoo_args, run, opts)


if __name__ == "__main__":
    main()
