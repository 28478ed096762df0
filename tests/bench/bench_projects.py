#!/usr/bin/env python3
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Project rollup and margin benchmark: prints figures, asserts nothing,
changes nothing (rolls back).

Prepare a database with msp_ticket_project installed (a copy of the demo
one) and 2,000 client projects, 60,000 tasks, 1,000,000 time entries::

    createdb -h $PWD/.msp/pg/run -U odoo -T msp msp_bench_projects
    python3 tests/bench/generate.py -d msp_bench_projects \\
        --only clients,technicians,projects --clients 500 --technicians 100 \\
        --projects 2000 --tasks-per-project 30 --project-entries 1000000 \\
        -- --db_host=$PWD/.msp/pg/run --db_user=odoo
    python3 tests/bench/bench_projects.py -d msp_bench_projects \\
        -- --db_host=$PWD/.msp/pg/run --db_user=odoo

Measures, each the best of 3 cold runs (caches dropped) with its query
count and the plain-SQL floor next to it:

1. the phase rollup (planned, actual, burn) of one project's phases (the
   Phases page) and of every phase at once;
2. the project rollup (budget, planned, actual, burn, accuracy) of a page
   of 80 projects and of every project, and the margin fields of a page;
3. the client rollup and the margin report: the project analysis grouped
   per client, per project manager, and its first list page.

The query count must not grow with the time entries: the same figures for
a project with 10 entries and one with 1,000 entries cost the same number
of queries (printed last).
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import run_with_env, split_argv

TARGET = 2.0  # seconds


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


def sql_time(env, query, params=None, repeat=3):
    best = None
    for _run in range(repeat):
        started = time.perf_counter()
        env.cr.execute(query, params)
        env.cr.fetchall()
        elapsed = time.perf_counter() - started
        best = elapsed if best is None else min(best, elapsed)
    return best


def report(label, seconds, queries, baseline=None):
    floor = f"   plain SQL {baseline * 1000:7.1f} ms" if baseline is not None else ""
    flag = "" if seconds < TARGET else "   OVER 2 s"
    print(
        f"{label:<58} {seconds * 1000:8.1f} ms {queries:4d} queries{floor}{flag}",
        flush=True,
    )


PHASE_FLOOR = """
    SELECT coalesce(t.milestone_id, k.milestone_id), sum(l.unit_amount)
      FROM account_analytic_line l
 LEFT JOIN project_task t ON t.id = l.task_id
 LEFT JOIN helpdesk_ticket k ON k.id = l.ticket_id
     WHERE l.project_id = ANY(%s)
  GROUP BY 1
"""
PROJECT_FLOOR = """
    SELECT project_id, sum(unit_amount) FROM account_analytic_line
     WHERE project_id = ANY(%s) GROUP BY project_id
"""
CLIENT_FLOOR = """
    SELECT p.partner_id, sum(l.unit_amount), sum(-l.amount)
      FROM account_analytic_line l JOIN project_project p ON p.id = l.project_id
     WHERE p.partner_id IS NOT NULL GROUP BY p.partner_id
"""


def run(env, opts):
    cr = env.cr
    Project = env["project.project"]
    Phase = env["project.milestone"]
    Analysis = env["msp.project.analysis"]
    cr.execute(
        "SELECT count(*) FROM project_project p WHERE NOT coalesce(is_template, false)"
        " AND EXISTS (SELECT 1 FROM project_milestone m WHERE m.project_id = p.id)"
    )
    projects_with_phases = cr.fetchone()[0]
    cr.execute("SELECT count(*) FROM project_milestone")
    phases_total = cr.fetchone()[0]
    cr.execute("SELECT count(*) FROM project_task")
    tasks_total = cr.fetchone()[0]
    cr.execute(
        "SELECT count(*) FROM account_analytic_line WHERE project_id IS NOT NULL"
    )
    entries_total = cr.fetchone()[0]
    print(
        f"projects with phases: {projects_with_phases:,}; phases: "
        f"{phases_total:,}; tasks: {tasks_total:,}; time entries: "
        f"{entries_total:,}",
        flush=True,
    )
    cr.execute(
        "SELECT project_id, count(*) FROM account_analytic_line"
        " WHERE project_id IN (SELECT project_id FROM project_milestone)"
        " GROUP BY project_id ORDER BY count(*) DESC LIMIT 1"
    )
    busiest, busiest_entries = cr.fetchone()
    project = Project.browse(busiest)
    all_projects = Project.search([("milestone_ids", "!=", False)])
    page = all_projects[:80]
    hours = [
        "msp_budget_hours",
        "msp_planned_hours",
        "msp_actual_hours",
        "msp_burn_pct",
        "msp_burn_state",
        "msp_estimate_accuracy",
    ]
    money = ["msp_revenue", "msp_cost", "msp_margin", "msp_cost_warning"]
    phase_fields = [
        "msp_planned_hours",
        "msp_actual_hours",
        "msp_burn_pct",
        "msp_burn_state",
    ]

    print("-- phase rollup")
    phases = project.milestone_ids
    page.read(hours)  # warm the registry's caches (access rights, rules)
    seconds, queries, _ = measure(env, lambda: phases.read(phase_fields))
    baseline = sql_time(env, PHASE_FLOOR, ([project.id],))
    report(
        f"phases of the busiest project ({len(phases)}, {busiest_entries:,} entries)",
        seconds,
        queries,
        baseline,
    )
    every_phase = Phase.search(
        [("project_id", "in", all_projects.ids)], order="project_id, msp_sequence"
    )
    # a list page, one ORM batch (PREFETCH_MAX), everything (the ORM computes
    # it in batches of 1,000)
    for size in (80, 1000, len(every_phase)):
        batch = every_phase[:size]
        seconds, queries, _ = measure(env, lambda batch=batch: batch.read(phase_fields))
        baseline = sql_time(env, PHASE_FLOOR, (batch.project_id.ids,))
        label = (
            f"all {size:,} phases" if size == len(every_phase) else f"{size:,} phases"
        )
        report(
            f"{label} ({len(batch.project_id):,} projects)", seconds, queries, baseline
        )

    print("-- project rollup")
    seconds, queries, _ = measure(env, lambda: page.read(hours))
    baseline = sql_time(env, PROJECT_FLOOR, (page.ids,))
    report(f"a page of {len(page)} projects: hours, burn", seconds, queries, baseline)
    seconds, queries, _ = measure(env, lambda: all_projects.read(hours))
    baseline = sql_time(env, PROJECT_FLOOR, (all_projects.ids,))
    report(
        f"all {len(all_projects):,} projects: hours, burn", seconds, queries, baseline
    )
    seconds, queries, _ = measure(env, lambda: page.read(money))
    report(f"a page of {len(page)} projects: margin fields", seconds, queries)

    print("-- client rollup and margin report (project analysis)")
    measures = [
        "budget_hours:sum",
        "planned_hours:sum",
        "actual_hours:sum",
        "burn_pct",
        "revenue:sum",
        "cost:sum",
        "margin:sum",
        "margin_pct",
    ]
    baseline = sql_time(env, CLIENT_FLOOR)
    for groupby in ("client_id", "user_id", "project_id"):
        seconds, queries, groups = measure(
            env,
            lambda groupby=groupby: Analysis.read_group(
                [], measures, [groupby], lazy=False
            ),
        )
        report(
            f"analysis per {groupby} ({len(groups):,} groups)",
            seconds,
            queries,
            baseline if groupby == "client_id" else None,
        )
    seconds, queries, _ = measure(
        env,
        lambda: Analysis.search_read(
            [],
            ["project_id", "client_id", "actual_hours", "margin", "cost_warning"],
            limit=80,
        ),
    )
    report("analysis list, first page (80 rows)", seconds, queries)

    print("-- queries vs entries")
    cr.execute(
        "SELECT project_id FROM account_analytic_line"
        " WHERE project_id IN (SELECT project_id FROM project_milestone)"
        " GROUP BY project_id ORDER BY count(*) ASC LIMIT 1"
    )
    quietest = Project.browse(cr.fetchone()[0])
    for label, prj in (("quietest", quietest), ("busiest", project)):
        cr.execute(
            "SELECT count(*) FROM account_analytic_line WHERE project_id = %s",
            (prj.id,),
        )
        count = cr.fetchone()[0]
        seconds, queries, _ = measure(
            env,
            lambda prj=prj: (
                prj.milestone_ids.read(phase_fields),
                prj.read(hours + money),
            ),
        )
        report(f"project form figures, {label} ({count:,} entries)", seconds, queries)
    env.cr.rollback()


def main():
    argv, odoo_args = split_argv()
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-d", "--database", default="msp_bench_projects")
    opts = parser.parse_args(argv)
    run_with_env(opts.database, odoo_args, run, opts)


if __name__ == "__main__":
    main()
