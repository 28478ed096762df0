#!/usr/bin/env python3
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Fill an MSP database at a chosen scale, in batches, for benchmarks.

Run it with the Python that runs Odoo, against a database that has the msp
addons installed (``./msp run`` makes one), e.g.::

    python3 tests/bench/generate.py -d msp_bench --clients 500 \\
        --tickets 200000 --timesheets 1000000 -- --db_host=$PWD/.msp/pg/run

Everything after ``--`` goes to Odoo's own option parser (db host, user...).
Or inside ``odoo shell``: ``exec(open('tests/bench/generate.py').read());
generate(env, clients=50, tickets=10000)``.

Clients, contacts and technicians go through the ORM (business rules apply);
tickets and time entries, the bulk, are inserted with set-based SQL
(``INSERT ... SELECT`` over ``generate_series``) in batches, then the stored
aggregates the ORM would have computed are refreshed in SQL. No chatter
messages or followers are created for bulk rows. Rows are tagged so a second
run adds to them: tickets are numbered ``BENCH-<n>``, partners ``Bench ...``.

Each capability issue adds its own step to STEPS (SLA profiles, routing
rules, assets, contracts ...); ``--only`` picks steps.
"""

import argparse
import os
import random
import sys
import time
from datetime import date, timedelta

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import run_with_env, split_argv

BATCH = 50_000


def log(msg):
    print(f"[generate] {msg}", flush=True)


def timed(label, rows):
    def wrap(func):
        def run(env, opts):
            started = time.time()
            count = func(env, opts)
            elapsed = time.time() - started
            rate = (count or 0) / elapsed if elapsed else 0
            log(f"{label}: {count} rows in {elapsed:.1f} s ({rate:,.0f}/s)")
            return count

        run.label, run.rows_option = label, rows
        return run

    return wrap


# ------------------------------------------------------------------ steps


@timed("clients and contacts", "clients")
def gen_clients(env, opts):
    rng = random.Random(opts.seed)
    existing = env["res.partner"].search_count([("name", "=like", "Bench Client %")])
    partners = env["res.partner"].with_context(
        tracking_disable=True, mail_create_nolog=True
    )
    created = 0
    for start in range(existing, existing + opts.clients, 1000):
        stop = min(start + 1000, existing + opts.clients)
        companies = partners.create(
            [
                {
                    "name": f"Bench Client {n:05d}",
                    "is_company": True,
                    "msp_email_domain": f"bench-client-{n:05d}.example.com",
                }
                for n in range(start, stop)
            ]
        )
        contacts = [
            {
                "name": f"Contact {i} of {company.name}",
                "parent_id": company.id,
                "email": f"user{i}@{company.msp_email_domain}",
                "phone": f"+1 555 {rng.randint(1000000, 9999999)}",
            }
            for company in companies
            for i in range(opts.contacts_per_client)
        ]
        partners.create(contacts)
        created += len(companies) + len(contacts)
        env.cr.commit()
    return created


@timed("technicians", "technicians")
def gen_technicians(env, opts):
    group = env.ref("msp_base.group_msp_technician")
    existing = env["res.users"].search_count([("login", "=like", "bench.tech.%")])
    users = (
        env["res.users"]
        .with_context(no_reset_password=True, tracking_disable=True)
        .create(
            [
                {
                    "name": f"Bench Technician {n:03d}",
                    "login": f"bench.tech.{n:03d}",
                    "groups_id": [(6, 0, [env.ref("base.group_user").id, group.id])],
                }
                for n in range(existing, existing + opts.technicians)
            ]
        )
    )
    teams = env["helpdesk.ticket.team"].search([("name", "=like", "Bench %")])
    if not teams:
        env["helpdesk.ticket.team"].create(
            [
                {"name": f"Bench {name}", "user_ids": [(6, 0, users.ids)]}
                for name in ("Service Desk", "Network", "Projects")
            ]
        )
    if "hr.employee" in env:
        have = env["hr.employee"].search([("user_id", "in", users.ids)]).user_id
        env["hr.employee"].create(
            [{"name": u.name, "user_id": u.id} for u in users - have]
        )
    env.cr.commit()
    return len(users)


def _ids(env, query, *params):
    env.cr.execute(query, params)
    return [row[0] for row in env.cr.fetchall()]


@timed("tickets", "tickets")
def gen_tickets(env, opts):
    cr = env.cr
    contacts = _ids(
        env,
        "SELECT id FROM res_partner WHERE parent_id IS NOT NULL AND name LIKE %s",
        "Contact % of Bench Client %",
    )
    users = _ids(env, "SELECT id FROM res_users WHERE login LIKE 'bench.tech.%%'")
    teams = _ids(env, "SELECT id FROM helpdesk_ticket_team WHERE active ORDER BY id")
    stages = _ids(env, "SELECT id FROM helpdesk_ticket_stage ORDER BY sequence, id")
    closed = set(_ids(env, "SELECT id FROM helpdesk_ticket_stage WHERE closed"))
    categories = _ids(env, "SELECT id FROM helpdesk_ticket_category ORDER BY id")
    channels = _ids(env, "SELECT id FROM helpdesk_ticket_channel ORDER BY id")
    if not (contacts and users and teams and stages):
        sys.exit("generate: run the clients and technicians steps first")
    # Open tickets are a minority: most of a year's tickets are closed.
    open_stages = [s for s in stages if s not in closed] or stages
    closed_stages = [s for s in stages if s in closed] or stages
    has_project = _column_exists(env, "helpdesk_ticket", "project_id")
    cr.execute("SELECT count(*) FROM helpdesk_ticket WHERE number LIKE 'BENCH-%%'")
    offset = cr.fetchone()[0]
    company = env.company.id
    done = 0
    while done < opts.tickets:
        size = min(BATCH, opts.tickets - done)
        cr.execute(
            f"""
            WITH src AS (
                SELECT n,
                       (%(contacts)s::int[])[1 + floor(random() * %(nc)s)] AS partner,
                       (%(users)s::int[])[1 + floor(random() * %(nu)s)] AS uid,
                       (%(teams)s::int[])[1 + floor(random() * %(nt)s)] AS team,
                       (%(cats)s::int[])[1 + floor(random() * %(ncat)s)] AS cat,
                       (%(chans)s::int[])[1 + floor(random() * %(nch)s)] AS chan,
                       (ARRAY['0','1','1','1','2','2','3','0'])[1 + floor(random() * 8)]
                           AS prio,
                       random() < %(open_ratio)s AS is_open,
                       now() at time zone 'UTC'
                           - (random() * %(days)s) * interval '1 day' AS created
                  FROM generate_series(%(first)s, %(last)s) AS n
            )
            INSERT INTO helpdesk_ticket (
                number, name, description, partner_id, commercial_partner_id,
                company_id, user_id, team_id, category_id, channel_id, priority,
                stage_id, active, unattended, create_date, write_date,
                last_stage_update, assigned_date, closed_date, create_uid,
                write_uid, kanban_state
                {", project_id" if has_project else ""}
            )
            SELECT 'BENCH-' || lpad(src.n::text, 7, '0'),
                   'Bench ticket ' || src.n, '<p>Generated.</p>', src.partner,
                   p.commercial_partner_id, %(company)s, src.uid, src.team,
                   src.cat, src.chan, src.prio,
                   CASE WHEN src.is_open
                        THEN (%(open)s::int[])[1 + floor(random() * %(no)s)]
                        ELSE (%(closed)s::int[])[1 + floor(random() * %(ncl)s)]
                   END,
                   true, false, src.created, src.created, src.created, src.created,
                   CASE WHEN src.is_open THEN NULL
                        ELSE src.created + random() * interval '3 days' END,
                   1, 1, 'normal'
                   {", t.default_project_id" if has_project else ""}
              FROM src
              JOIN res_partner p ON p.id = src.partner
              {_team_project_join(env) if has_project else ""}
            """,
            {
                "contacts": contacts,
                "nc": len(contacts),
                "users": users,
                "nu": len(users),
                "teams": teams,
                "nt": len(teams),
                "cats": categories or [None],
                "ncat": len(categories) or 1,
                "chans": channels or [None],
                "nch": len(channels) or 1,
                "open": open_stages,
                "no": len(open_stages),
                "closed": closed_stages,
                "ncl": len(closed_stages),
                "open_ratio": opts.open_ratio,
                "days": opts.days,
                "first": offset + done + 1,
                "last": offset + done + size,
                "company": company,
            },
        )
        done += size
        cr.commit()
        log(f"  tickets {done}/{opts.tickets}")
    cr.execute("ANALYZE helpdesk_ticket")
    return done


def _team_project_join(env):
    """The team's default project (company-dependent jsonb in Odoo 18)."""
    company = int(env.company.id)
    return (
        f"LEFT JOIN LATERAL (SELECT (tt.default_project_id->>'{company}')::int"
        " AS default_project_id FROM helpdesk_ticket_team tt"
        " WHERE tt.id = src.team) t ON true"
    )


def _column_exists(env, table, column):
    env.cr.execute(
        "SELECT 1 FROM information_schema.columns"
        " WHERE table_name = %s AND column_name = %s",
        (table, column),
    )
    return bool(env.cr.fetchone())


@timed("time entries", "timesheets")
def gen_timesheets(env, opts):
    if "hr.employee" not in env or not _column_exists(
        env, "account_analytic_line", "ticket_id"
    ):
        log("time entries: msp_time is not installed, skipped")
        return 0
    cr = env.cr
    project = env["project.project"].search(
        [("allow_timesheets", "=", True), ("account_id", "!=", False)], limit=1
    )
    if not project:
        sys.exit("generate: no project with timesheets (install msp_time)")
    cr.execute(
        "SELECT min(id), max(id) FROM helpdesk_ticket WHERE number LIKE 'BENCH-%%'"
    )
    low, high = cr.fetchone()
    if low is None:
        sys.exit("generate: run the tickets step first")
    employees = _ids(
        env,
        "SELECT e.id FROM hr_employee e JOIN res_users u ON u.id = e.user_id"
        " WHERE u.login LIKE 'bench.tech.%%'",
    )
    uom = env.ref("uom.product_uom_hour").id
    done = 0
    while done < opts.timesheets:
        size = min(BATCH * 4, opts.timesheets - done)
        cr.execute(
            """
            WITH src AS (
                SELECT (%(low)s + floor(random() * (%(high)s - %(low)s + 1)))::int
                           AS ticket,
                       (%(emps)s::int[])[1 + floor(random() * %(ne)s)] AS emp,
                       (ARRAY[0.25, 0.25, 0.5, 0.5, 0.75, 1, 1.5, 2])
                           [1 + floor(random() * 8)] AS hours
                  FROM generate_series(1, %(size)s)
            )
            INSERT INTO account_analytic_line (
                name, date, date_time, amount, unit_amount, product_uom_id,
                company_id, account_id, project_id, ticket_id, ticket_partner_id,
                partner_id, employee_id, user_id, create_uid, write_uid,
                create_date, write_date
            )
            SELECT 'Bench work', t.create_date::date, t.create_date, 0, src.hours,
                   %(uom)s, t.company_id, %(account)s, %(project)s, t.id,
                   t.partner_id, t.commercial_partner_id, e.id, e.user_id, 1, 1,
                   t.create_date, t.create_date
              FROM src
              JOIN helpdesk_ticket t ON t.id = src.ticket
              JOIN hr_employee e ON e.id = src.emp
            """,
            {
                "low": low,
                "high": high,
                "emps": employees,
                "ne": len(employees),
                "size": size,
                "uom": uom,
                "account": project.account_id.id,
                "project": project.id,
            },
        )
        done += size
        cr.commit()
        log(f"  time entries {done}/{opts.timesheets}")
    _refresh_ticket_hours(env)
    cr.execute("ANALYZE account_analytic_line")
    return done


def _refresh_ticket_hours(env):
    """Stored ticket aggregates of helpdesk_mgmt_timesheet, set-based."""
    env.cr.execute(
        """
        UPDATE helpdesk_ticket t
           SET total_hours = agg.hours,
               last_timesheet_activity = agg.last_date,
               remaining_hours = COALESCE(t.planned_hours, 0) - agg.hours
          FROM (SELECT ticket_id, sum(unit_amount) AS hours, max(date) AS last_date
                  FROM account_analytic_line
                 WHERE ticket_id IS NOT NULL
                 GROUP BY ticket_id) agg
         WHERE agg.ticket_id = t.id AND t.number LIKE 'BENCH-%%'
        """
    )
    env.cr.commit()


@timed("msp_time entries", "time_entries")
def gen_time_entries(env, opts):
    """``--time-entries`` time entries as msp_time stores them (work type,
    client, billed hours in 15-minute increments, confirmed), set-based:
    entries start between 08:00 and 18:00 on any of the last ``--days``
    days, last 5 to 180 minutes, by a random bench technician on a random
    bench ticket."""
    if not _column_exists(env, "account_analytic_line", "msp_billed_hours"):
        log("msp_time entries: msp_time is not installed, skipped")
        return 0
    cr = env.cr
    cr.execute(
        "SELECT min(id), max(id) FROM helpdesk_ticket WHERE number LIKE 'BENCH-%%'"
    )
    low, high = cr.fetchone()
    if low is None:
        sys.exit("generate: run the tickets step first")
    project = env["project.project"].search(
        [("allow_timesheets", "=", True), ("account_id", "!=", False)], limit=1
    )
    employees = _ids(
        env,
        "SELECT e.id FROM hr_employee e JOIN res_users u ON u.id = e.user_id"
        " WHERE u.login LIKE 'bench.tech.%%' ORDER BY e.id",
    )
    kinds = ["included", "billable", "project", "warranty", "internal"]
    types = [env.ref(f"msp_time.work_type_{kind}").id for kind in kinds]
    uom = env.ref("uom.product_uom_hour").id
    done = 0
    while done < opts.time_entries:
        size = min(BATCH * 4, opts.time_entries - done)
        cr.execute(
            """
            WITH src AS (
                SELECT (%(low)s + floor(random() * (%(high)s - %(low)s + 1)))::int
                           AS ticket,
                       (%(emps)s::int[])[1 + floor(random() * %(ne)s)] AS emp,
                       (current_date - floor(random() * %(days)s)::int) AS day,
                       (8 * 60 + floor(random() * 600))::int AS start_min,
                       (5 + floor(random() * 176))::int AS minutes,
                       1 + (floor(random() * 10))::int %% 5 AS kind
                  FROM generate_series(1, %(size)s)
            )
            INSERT INTO account_analytic_line (
                name, date, date_time, amount, unit_amount, product_uom_id,
                company_id, account_id, project_id, ticket_id, ticket_partner_id,
                partner_id, employee_id, user_id, create_uid, write_uid,
                create_date, write_date, msp_work_type_id, msp_work_kind,
                msp_work_type_reason, msp_client_id, msp_billed_hours,
                msp_rounding_hours, msp_state, msp_timer_running
            )
            SELECT 'Bench work', src.day,
                   src.day + make_interval(mins => src.start_min), 0,
                   src.minutes / 60.0, %(uom)s, t.company_id, %(account)s,
                   %(project)s, t.id, t.partner_id, t.commercial_partner_id,
                   e.id, e.user_id, 1, 1, now(), now(),
                   (%(types)s::int[])[src.kind], (%(kinds)s::varchar[])[src.kind],
                   'Bench', t.commercial_partner_id,
                   ceil(src.minutes / 15.0) * 15 / 60.0,
                   (ceil(src.minutes / 15.0) * 15 - src.minutes) / 60.0,
                   'confirmed', false
              FROM src
              JOIN helpdesk_ticket t ON t.id = src.ticket
              JOIN hr_employee e ON e.id = src.emp
            """,
            {
                "low": low,
                "high": high,
                "emps": employees,
                "ne": len(employees),
                "days": opts.days,
                "size": size,
                "uom": uom,
                "account": project.account_id.id,
                "project": project.id,
                "types": types,
                "kinds": kinds,
            },
        )
        done += size
        cr.commit()
        log(f"  msp_time entries {done}/{opts.time_entries}")
    _refresh_ticket_hours(env)
    cr.execute("ANALYZE account_analytic_line")
    cr.commit()
    return done


@timed("sla profiles and clocks", "profiles")
def gen_sla(env, opts):
    """5 calendars, ``--profiles`` profiles spread over the bench clients, and
    two clocks per bench ticket without clocks (set-based SQL): stopped with
    an actual time for closed tickets, running for open ones."""
    if "msp.sla.clock" not in env:
        log("sla: msp_sla is not installed, skipped")
        return 0
    cr = env.cr
    zones = [
        "UTC",
        "Europe/Brussels",
        "America/New_York",
        "America/Chicago",
        "Asia/Singapore",
    ]
    std = env.ref("resource.resource_calendar_std")
    calendars = [std.copy({"name": f"Bench hours {tz}", "tz": tz}) for tz in zones]
    profiles = env["msp.sla.profile"].create(
        [
            {
                "name": f"Bench profile {n:02d}",
                "calendar_id": calendars[n % len(calendars)].id,
                "target_ids": [
                    (
                        0,
                        0,
                        {
                            "priority": p,
                            "response_hours": r,
                            "resolution_hours": h,
                            "around_the_clock": p == "3" and n % 2 == 0,
                        },
                    )
                    for p, r, h in (
                        ("3", 0.25, 4),
                        ("2", 1, 8),
                        ("1", 4, 16),
                        ("0", 8, 40),
                    )
                ],
            }
            for n in range(opts.profiles)
        ]
    )
    cr.execute(
        """
        UPDATE res_partner p SET msp_sla_profile_id = (%s::int[])[1 + p.id %% %s]
         WHERE p.is_company AND p.name LIKE 'Bench Client %%'
        """,
        (profiles.ids, len(profiles)),
    )
    cr.execute(
        """
        INSERT INTO msp_sla_clock (
            ticket_id, company_id, kind, profile_id, priority, target_hours,
            calendar_id, warning_ratio, start, deadline, warn_at, paused_hours,
            state, stopped_at, actual_hours, breached, at_risk, warned,
            breach_notified, create_uid, write_uid, create_date, write_date)
        SELECT t.id, t.company_id, k.kind, pr.id, t.priority, k.hours,
               CASE WHEN tg.around_the_clock THEN NULL ELSE pr.calendar_id END,
               0.8, t.create_date,
               t.create_date + k.hours * interval '1 hour' * 2.5,
               t.create_date + k.hours * interval '1 hour' * 2,
               0,
               CASE WHEN t.closed_date IS NULL THEN 'running' ELSE 'stopped' END,
               t.closed_date,
               CASE WHEN t.closed_date IS NULL THEN 0
                    ELSE k.hours * random() * 1.3 END,
               false, false, false, false, 1, 1, t.create_date, t.create_date
          FROM helpdesk_ticket t
          JOIN res_partner cp ON cp.id = t.commercial_partner_id
          JOIN msp_sla_profile pr ON pr.id = cp.msp_sla_profile_id
          JOIN msp_sla_target tg ON tg.profile_id = pr.id AND tg.priority = t.priority
          CROSS JOIN LATERAL (VALUES ('response', tg.response_hours),
                                     ('resolution', tg.resolution_hours)) k(kind, hours)
         WHERE t.number LIKE 'BENCH-%%'
           AND NOT EXISTS (SELECT 1 FROM msp_sla_clock c WHERE c.ticket_id = t.id)
        """
    )
    count = cr.rowcount
    cr.execute(
        """
        UPDATE msp_sla_clock SET breached = stopped_at > deadline,
                                 breach_notified = stopped_at > deadline
         WHERE state = 'stopped' AND profile_id = ANY(%s)
        """,
        (profiles.ids,),
    )
    cr.execute(
        """
        UPDATE helpdesk_ticket t
           SET msp_sla_profile_id = c.profile_id,
               msp_sla_status = CASE WHEN c.breached THEN 'breached'
                                     WHEN c.state = 'running' THEN 'running'
                                     ELSE 'met' END,
               msp_sla_deadline = CASE WHEN c.state = 'running' THEN c.deadline END
          FROM msp_sla_clock c
         WHERE c.ticket_id = t.id AND c.kind = 'resolution'
           AND t.number LIKE 'BENCH-%%'
        """
    )
    cr.execute("ANALYZE msp_sla_clock")
    cr.execute("ANALYZE helpdesk_ticket")
    cr.commit()
    return count


PHASES = ["Discovery", "Design", "Build", "Test", "Cutover", "Hypercare"]


@timed("client projects", "projects")
def gen_projects(env, opts):
    """``--projects`` client projects of the bench clients (managed by bench
    technicians), each with the six phases of the default template (hour
    budgets), ``--tasks-per-project`` estimated tasks spread over the
    phases, ``--project-entries`` time entries on those tasks (by bench
    technicians, at their hourly cost, 1 in 10 without a task: on the
    project only) and one posted customer invoice line per project, all
    set-based SQL. Bench technicians without an hourly cost get one (40 to
    60), except 1 in 20 (the margin report's warning has something to say)."""
    if "msp.project.analysis" not in env:
        log("projects: msp_ticket_project is not installed, skipped")
        return 0
    cr = env.cr
    clients = _ids(
        env,
        "SELECT id FROM res_partner WHERE is_company AND name LIKE 'Bench Client %%'",
    )
    users = _ids(env, "SELECT id FROM res_users WHERE login LIKE 'bench.tech.%%'")
    if not (clients and users):
        sys.exit("generate: run the clients and technicians steps first")
    cr.execute(
        """
        UPDATE hr_employee e SET hourly_cost = 40 + (e.id * 7) %% 21
          FROM res_users u
         WHERE u.id = e.user_id AND u.login LIKE %s
           AND coalesce(e.hourly_cost, 0) = 0 AND e.id %% 20 != 0
        """,
        ("bench.tech.%",),
    )
    employees = _ids(
        env,
        "SELECT e.id FROM hr_employee e JOIN res_users u ON u.id = e.user_id"
        " WHERE u.login LIKE 'bench.tech.%%' ORDER BY e.id",
    )
    account = (
        env["project.project"]
        .search([("allow_timesheets", "=", True), ("account_id", "!=", False)], limit=1)
        .account_id
    )
    cr.execute(
        "SELECT count(*) FROM project_project"
        " WHERE name->>'en_US' LIKE 'Bench Project %%'"
    )
    offset = cr.fetchone()[0]
    first, last = offset + 1, offset + opts.projects
    # projects through the ORM (each needs its mail alias), in batches
    states = ["proposed", "in_flight", "in_flight", "hypercare", "done"]
    billing = ["tm", "tm", "fixed", "milestone"]
    today = date.today()
    Project = env["project.project"].with_context(
        tracking_disable=True, mail_create_nolog=True, mail_create_nosubscribe=True
    )
    projects = []
    for start in range(first, last + 1, 200):
        stop = min(start + 200, last + 1)
        projects += Project.create(
            [
                {
                    "name": f"Bench Project {n:06d}",
                    "partner_id": clients[n % len(clients)],
                    "user_id": users[(n * 7) % len(users)],
                    "account_id": account.id,
                    "allow_milestones": True,
                    "allow_timesheets": bool(account),
                    "msp_state": states[n % len(states)],
                    "msp_billing_type": billing[n % len(billing)],
                    "msp_hourly_rate": 150.0,
                    "msp_fixed_price": 15000.0,
                    "date_start": today - timedelta(days=n % 300),
                    "date": today - timedelta(days=n % 300) + timedelta(days=90),
                }
                for n in range(start, stop)
            ]
        ).ids
        cr.commit()
    # six phases each: budgets 8/12/40/12/8/10 h, milestone amounts
    cr.execute(
        """
        INSERT INTO project_milestone (
            name, project_id, msp_sequence, msp_budget_hours, msp_amount,
            msp_is_hypercare, is_reached, create_uid, write_uid, create_date,
            write_date
        )
        SELECT ph.name, p.id, ph.seq * 10, ph.budget, ph.budget * 150,
               ph.name = 'Hypercare', false, 1, 1, now(), now()
          FROM unnest(%(projects)s::int[]) AS p(id)
         CROSS JOIN (VALUES ('Discovery', 1, 8), ('Design', 2, 12),
                            ('Build', 3, 40), ('Test', 4, 12),
                            ('Cutover', 5, 8), ('Hypercare', 6, 10))
               AS ph(name, seq, budget)
        """,
        {"projects": projects},
    )
    # tasks spread over the phases, estimates of 1 to 8 h
    cr.execute(
        """
        INSERT INTO project_task (
            name, project_id, milestone_id, company_id, partner_id,
            allocated_hours, active, display_in_project, state, priority,
            sequence, create_uid, write_uid, create_date, write_date
        )
        SELECT 'Bench task ' || k, p.id, m.id, p.company_id, p.partner_id,
               1 + (k * 3 + p.id) %% 8, true, true, '01_in_progress', '0', k,
               1, 1, now(), now()
          FROM project_project p
         CROSS JOIN generate_series(1, %(tasks)s) AS k
          JOIN project_milestone m
            ON m.project_id = p.id
           AND m.msp_sequence = 10 * (1 + (k - 1) * 6 / %(tasks)s)
         WHERE p.id = ANY(%(projects)s)
        """,
        {"projects": projects, "tasks": opts.tasks_per_project},
    )
    tasks_made = cr.rowcount
    cr.commit()
    log(f"  {len(projects)} projects, {len(projects) * 6} phases, {tasks_made} tasks")
    cr.execute(
        "SELECT min(id), max(id) FROM project_task WHERE project_id = ANY(%s)",
        (projects,),
    )
    low, high = cr.fetchone()
    uom = env.ref("uom.product_uom_hour").id
    work_type = env.ref("msp_time.work_type_project").id
    done = 0
    while done < opts.project_entries:
        size = min(BATCH * 4, opts.project_entries - done)
        cr.execute(
            """
            WITH src AS (
                SELECT (%(low)s + floor(random() * (%(high)s - %(low)s + 1)))::int
                           AS task,
                       (%(emps)s::int[])[1 + floor(random() * %(ne)s)] AS emp,
                       (current_date - floor(random() * %(days)s)::int) AS day,
                       (ARRAY[0.25, 0.5, 0.5, 0.75, 1, 1, 1.5, 2, 3])
                           [1 + floor(random() * 9)] AS hours,
                       random() < 0.1 AS no_task
                  FROM generate_series(1, %(size)s)
            )
            INSERT INTO account_analytic_line (
                name, date, date_time, amount, unit_amount, product_uom_id,
                company_id, account_id, project_id, task_id, partner_id,
                employee_id, user_id, create_uid, write_uid, create_date,
                write_date, msp_work_type_id, msp_work_kind,
                msp_work_type_reason, msp_client_id, msp_billed_hours,
                msp_rounding_hours, msp_state, msp_timer_running
            )
            SELECT 'Bench project work', src.day, src.day + time '09:00',
                   -src.hours * coalesce(e.hourly_cost, 0), src.hours, %(uom)s,
                   coalesce(t.company_id, e.company_id), %(account)s, t.project_id,
                   CASE WHEN src.no_task THEN NULL ELSE t.id END,
                   t.partner_id, e.id, e.user_id, 1, 1, now(), now(),
                   %(work_type)s, 'project', 'Bench', t.partner_id, src.hours,
                   0, 'confirmed', false
              FROM src
              JOIN project_task t ON t.id = src.task
              JOIN hr_employee e ON e.id = src.emp
            """,
            {
                "low": low,
                "high": high,
                "emps": employees,
                "ne": len(employees),
                "days": opts.days,
                "size": size,
                "uom": uom,
                "account": account.id or None,
                "work_type": work_type,
            },
        )
        done += size
        cr.commit()
        log(f"  project time entries {done}/{opts.project_entries}")
    _gen_project_invoices(env, projects)
    for table in (
        "project_project",
        "project_milestone",
        "project_task",
        "account_analytic_line",
        "account_move",
        "account_move_line",
    ):
        cr.execute(f"ANALYZE {table}")
    cr.commit()
    return len(projects) + tasks_made + done


def _gen_project_invoices(env, projects):
    """One posted customer invoice per project: a revenue line carrying the
    project (what the margin reads) and its receivable line, set-based. Not
    a valid accounting entry beyond that (no taxes, no sequence check)."""
    cr = env.cr
    journal = env["account.journal"].search(
        [("type", "=", "sale"), ("company_id", "=", env.company.id)], limit=1
    )
    income = journal.default_account_id
    receivable = env["account.account"].search(
        [("account_type", "=", "asset_receivable")], limit=1
    )
    if not (journal and income and receivable):
        log("  project invoices: no sale journal or accounts, skipped")
        return
    currency = env.company.currency_id.id
    cr.execute(
        """
        WITH moves AS (
            INSERT INTO account_move (
                name, move_type, state, date, invoice_date, journal_id,
                company_id, currency_id, partner_id, commercial_partner_id,
                auto_post, create_uid, write_uid, create_date, write_date
            )
            SELECT 'BENCH/PRJ/' || p.id, 'out_invoice', 'posted', current_date,
                   current_date, %(journal)s, %(company)s, %(currency)s,
                   p.partner_id, p.partner_id, 'no', 1, 1, now(), now()
              FROM project_project p WHERE p.id = ANY(%(projects)s)
         RETURNING id, partner_id, company_id,
                   substring(name FROM 11)::int AS project_id
        ),
        amounts AS (
            SELECT m.*, 1000 + (m.project_id * 37) %% 9000 AS amount FROM moves m
        )
        INSERT INTO account_move_line (
            move_id, account_id, partner_id, company_id, currency_id,
            display_type, name, quantity, price_unit, balance, debit, credit,
            amount_currency, msp_project_id, date, parent_state, create_uid,
            write_uid, create_date, write_date
        )
        SELECT a.id, %(income)s, a.partner_id, a.company_id, %(currency)s,
               'product', 'Bench project work', 1, a.amount, -a.amount, 0,
               a.amount, -a.amount, a.project_id, current_date, 'posted', 1, 1,
               now(), now()
          FROM amounts a
        UNION ALL
        SELECT a.id, %(receivable)s, a.partner_id, a.company_id, %(currency)s,
               'payment_term', 'Bench project work', 1, 0, a.amount, a.amount,
               0, a.amount, NULL, current_date, 'posted', 1, 1, now(), now()
          FROM amounts a
        """,
        {
            "journal": journal.id,
            "company": env.company.id,
            "currency": currency,
            "projects": projects,
            "income": income.id,
            "receivable": receivable.id,
        },
    )
    log(f"  project invoice lines: {cr.rowcount}")
    cr.commit()


STEPS = {
    "clients": gen_clients,
    "technicians": gen_technicians,
    "tickets": gen_tickets,
    "timesheets": gen_timesheets,
    "sla": gen_sla,
    "time": gen_time_entries,
    "projects": gen_projects,
}


def generate(env, **options):
    """Entry point for ``odoo shell``: generate(env, clients=10, tickets=1000)."""
    opts = parse_args([])
    for key, value in options.items():
        setattr(opts, key, value)
    return run_steps(env, opts)


def run_steps(env, opts):
    started = time.time()
    wanted = opts.only.split(",") if opts.only else list(STEPS)
    for name in wanted:
        step = STEPS[name]
        if getattr(opts, step.rows_option, 1):
            step(env, opts)
    log(f"done in {time.time() - started:.1f} s")


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-d", "--database", default="msp_bench")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--contacts-per-client", type=int, default=3)
    parser.add_argument("--technicians", type=int, default=20)
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--timesheets", type=int, default=30_000)
    parser.add_argument("--profiles", type=int, default=50, help="SLA profiles")
    parser.add_argument(
        "--time-entries",
        type=int,
        default=0,
        help="msp_time entries (step 'time'; 0 skips it)",
    )
    parser.add_argument(
        "--projects",
        type=int,
        default=0,
        help="client projects with phases (step 'projects'; 0 skips it)",
    )
    parser.add_argument("--tasks-per-project", type=int, default=30)
    parser.add_argument(
        "--project-entries",
        type=int,
        default=1_000_000,
        help="time entries on the projects' tasks (step 'projects')",
    )
    parser.add_argument("--days", type=int, default=365, help="spread of dates")
    parser.add_argument("--open-ratio", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", help=f"comma-separated steps of {list(STEPS)}")
    return parser.parse_args(argv)


def main():
    argv, odoo_args = split_argv()
    opts = parse_args(argv)
    run_with_env(opts.database, odoo_args, run_steps, opts)


if __name__ == "__main__":
    main()
