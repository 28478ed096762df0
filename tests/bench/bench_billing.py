#!/usr/bin/env python3
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""MRR billing benchmark: prints figures, asserts nothing, rolls back.

In one process and one transaction: --contracts clients, each with a monthly
post-paid MSP contract (base fee, endpoints and servers counted from the
asset snapshot, overage over the included hours, T&M per ticket) and an
OCA contract with fixed lines only (base fee, endpoints, servers and backup
at fixed quantities); --assets-per-client assets per client (SQL, then
``msp.asset.snapshot.take`` at both cycle ends); three tickets per client.
The cycle before the measured one is billed for both kinds first (history
for the variance review, statistics for the planner, warm caches). Then
confirmed time entries in the measured cycle (SQL, like generate.py's
'time' step: included work, 10 % project, 5 % warranty and --tm-share
billable work, 0 by default as the issue's contracts have no T&M; a tenth
of the included work without a ticket), and:

1. our billing run (``msp.billing.run._bill``) of the MSP contracts with a
   tenth of --entries, rolled back to a savepoint;
2. the same run with all --entries, rolled back to a savepoint;
3. OCA contract's own recurring invoicing
   (``contract.contract._cron_recurring_create``) of the fixed contracts.

Each prints wall time, queries (total and per contract) and the invoices
and lines made; then the ratio of 2 to 3, and 1 against 2 (queries per
contract must not follow the entries). ``--profile`` adds a cProfile of
run 2. Everything is rolled back at the end.

Needs a database with msp_mrr_billing and a chart of accounts (installing
``account`` without a country loads the generic one), no demo needed; from
the repository root, with the private cluster running (``./msp test``)::

    python3 -m odoo -d msp_bench_billing -i msp_mrr_billing \\
        --without-demo=all --stop-after-init --addons-path=addons \\
        --db_host=$PWD/.msp/pg/run --db_user=odoo --data-dir .msp/data
    python3 tests/bench/bench_billing.py -d msp_bench_billing \\
        -- --addons-path=addons --db_host=$PWD/.msp/pg/run --db_user=odoo \\
        --data-dir .msp/data
"""

import argparse
import cProfile
import os
import pstats
import sys
import time
from datetime import date

from dateutil.relativedelta import relativedelta

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import run_with_env, split_argv

TICKETS_PER_CLIENT = 3
KINDS = ["included", "billable", "project", "warranty"]
STATS_TABLES = [
    "account_move",
    "account_move_line",
    "account_partial_reconcile",
    "account_analytic_line",
    "contract_contract",
    "contract_line",
    "msp_billing_run_line",
    "msp_asset_snapshot",
    "helpdesk_ticket",
    "mail_message",
    "mail_followers",
]


def log(msg):
    print(msg, flush=True)


def step(label, func, *args):
    started = time.perf_counter()
    result = func(*args)
    log(f"[setup] {label} in {time.perf_counter() - started:.1f} s")
    return result


def measure(env, func):
    """Cold ORM caches: seconds, queries, result (flushed at the end)."""
    env.flush_all()
    env.invalidate_all()
    queries = env.cr.sql_log_count
    started = time.perf_counter()
    result = func()
    env.flush_all()
    return time.perf_counter() - started, env.cr.sql_log_count - queries, result


# ------------------------------------------------------------------ set-up


def check_chart(env):
    company = env.company
    journal = env["account.journal"].search(
        [("type", "=", "sale"), ("company_id", "=", company.id)], limit=1
    )
    if not journal:
        log("[setup] no sale journal: loading the generic chart of accounts")
        env["account.chart.template"].try_loading("generic_coa", company)
        journal = env["account.journal"].search(
            [("type", "=", "sale"), ("company_id", "=", company.id)], limit=1
        )
    log(
        f"[setup] company {company.name}: chart {company.chart_template or '-'}, "
        f"sale journal {journal.code}"
    )


def make_clients(env, opts):
    partners = env["res.partner"].with_context(
        tracking_disable=True, mail_create_nolog=True
    )
    clients = partners.browse()
    for start in range(0, opts.contracts, 500):
        stop = min(start + 500, opts.contracts)
        clients |= partners.create(
            [
                {"name": f"Bench Billing Client {n:05d}", "is_company": True}
                for n in range(start, stop)
            ]
        )
    return clients


def make_products(env):
    Product = env["product.product"]
    names = {
        "base": "Bench managed services",
        "endpoint": "Bench managed endpoint",
        "server": "Bench managed server",
        "overage": "Bench overage hour",
        "tm": "Bench T&M hour",
        "backup": "Bench backup",
    }
    return {
        key: Product.create({"name": name, "type": "service"})
        for key, name in names.items()
    }


def make_contracts(env, clients, products, start, msp):
    Contract = env["contract.contract"].with_context(
        tracking_disable=True, mail_create_nolog=True, mail_notrack=True
    )
    p = products
    if msp:
        lines = [
            {"product_id": p["base"].id, "name": "Managed services #START# - #END#",
             "quantity": 1, "price_unit": 500.0},
            {"product_id": p["endpoint"].id, "name": "Managed endpoints",
             "quantity": 0, "price_unit": 40.0, "msp_qty_source": "assets",
             "msp_billing_class": "endpoint"},
            {"product_id": p["server"].id, "name": "Managed servers",
             "quantity": 0, "price_unit": 90.0, "msp_qty_source": "assets",
             "msp_billing_class": "server"},
            {"product_id": p["overage"].id, "name": "Hours over the included",
             "quantity": 0, "price_unit": 150.0, "msp_qty_source": "overage"},
        ]  # fmt: skip
        terms = {
            "msp_billing": True,
            "msp_included_hours": 40.0,
            "msp_tm_product_id": p["tm"].id,
            "msp_tm_rate": 120.0,
        }
    else:
        lines = [
            {"product_id": p["base"].id, "name": "Managed services #START# - #END#",
             "quantity": 1, "price_unit": 500.0},
            {"product_id": p["endpoint"].id, "name": "Managed endpoints",
             "quantity": 16, "price_unit": 40.0},
            {"product_id": p["server"].id, "name": "Managed servers",
             "quantity": 4, "price_unit": 90.0},
            {"product_id": p["backup"].id, "name": "Backup",
             "quantity": 1, "price_unit": 60.0},
        ]  # fmt: skip
        # OCA: lines created in code take neither the header's start nor
        # its invoicing type; give them the contract's
        for line in lines:
            line.update(
                date_start=start,
                recurring_rule_type="monthly",
                recurring_invoicing_type="post-paid",
                recurring_interval=1,
            )
        terms = {"msp_billing": False}
    contracts = Contract.browse()
    for first in range(0, len(clients), 250):
        contracts |= Contract.create(
            [
                {
                    "name": f"{'MSP' if msp else 'Fixed'} {client.name}",
                    "partner_id": client.id,
                    "date_start": start,
                    "recurring_rule_type": "monthly",
                    "recurring_invoicing_type": "post-paid",
                    "line_recurrence": False,
                    "contract_line_fixed_ids": [(0, 0, dict(line)) for line in lines],
                    **terms,
                }
                for client in clients[first : first + 250]
            ]
        )
    return contracts


def make_technicians(env, count=20):
    users = (
        env["res.users"]
        .with_context(no_reset_password=True, tracking_disable=True)
        .create(
            [
                {"name": f"Bench Billing Tech {n:02d}", "login": f"bench.bill.{n:02d}"}
                for n in range(count)
            ]
        )
    )
    employees = env["hr.employee"].create(
        [{"name": user.name, "user_id": user.id} for user in users]
    )
    return employees


def insert_assets(env, clients, per_client):
    """``per_client`` active assets per client: endpoints (workstations and
    laptops) and 2 to 6 servers, in one INSERT ... SELECT."""
    types = {
        xmlid: env.ref(f"msp_assets.asset_type_{xmlid}")
        for xmlid in ("workstation", "laptop", "server")
    }
    env.cr.execute(
        """
        INSERT INTO msp_asset (name, client_id, company_id, type_id, billing_class,
                               serial_number, state, active, stale, install_date,
                               create_uid, write_uid, create_date, write_date)
        SELECT 'BENCH-' || c.n || '-' || a.n, c.id, %(company)s,
               CASE WHEN a.n <= 2 + c.n %% 5 THEN %(server)s
                    WHEN a.n %% 2 = 0 THEN %(workstation)s ELSE %(laptop)s END,
               CASE WHEN a.n <= 2 + c.n %% 5 THEN 'server' ELSE 'endpoint' END,
               'SNB' || c.n || '-' || a.n, 'active', true, false, '2020-01-01',
               %(uid)s, %(uid)s, now() at time zone 'UTC', now() at time zone 'UTC'
          FROM unnest(%(clients)s::int[]) WITH ORDINALITY AS c(id, n)
    CROSS JOIN generate_series(1, %(per)s) AS a(n)
        """,
        {
            "company": env.company.id,
            "uid": env.uid,
            "clients": clients.ids,
            "per": per_client,
            **{key: rec.id for key, rec in types.items()},
        },
    )
    env["msp.asset"].invalidate_model()
    return env.cr.rowcount


def insert_tickets(env, clients, project):
    """TICKETS_PER_CLIENT tickets per client; returns their ids ordered so
    that ticket k of client i is at i * TICKETS_PER_CLIENT + k."""
    stage = env["helpdesk.ticket.stage"].search([], order="sequence, id", limit=1)
    env.cr.execute(
        """
        INSERT INTO helpdesk_ticket (number, name, description, partner_id,
               commercial_partner_id, company_id, stage_id, priority, active,
               unattended, kanban_state, project_id, create_uid, write_uid,
               create_date, write_date, last_stage_update)
        SELECT 'BENCHBILL-' || lpad((c.n * 10 + k)::text, 7, '0'),
               'Bench billed ticket ' || c.n || '/' || k, '<p>Generated.</p>',
               c.id, c.id, %(company)s, %(stage)s, '1', true, false, 'normal',
               %(project)s, 1, 1, now() at time zone 'UTC',
               now() at time zone 'UTC', now() at time zone 'UTC'
          FROM unnest(%(clients)s::int[]) WITH ORDINALITY AS c(id, n)
    CROSS JOIN generate_series(1, %(per)s) AS k
      ORDER BY c.n, k
     RETURNING id
        """,
        {
            "company": env.company.id,
            "stage": stage.id,
            "project": project.id,
            "clients": clients.ids,
            "per": TICKETS_PER_CLIENT,
        },
    )
    return sorted(row[0] for row in env.cr.fetchall())


def insert_entries(env, data, count, batch=100_000):
    """``count`` confirmed time entries of the bench clients, dated in the
    cycle, set-based (no ORM)."""
    env.flush_all()
    kinds = KINDS
    types = [env.ref(f"msp_time.work_type_{kind}").id for kind in kinds]
    done = 0
    while done < count:
        size = min(batch, count - done)
        env.cr.execute(
            """
            WITH src AS (
                SELECT floor(random() * %(nc)s)::int AS ci,
                       floor(random() * %(days)s)::int AS day_offset,
                       (8 * 60 + floor(random() * 600))::int AS start_min,
                       (5 + floor(random() * 176))::int AS minutes,
                       random() AS pick, random() AS no_ticket,
                       floor(random() * %(tpc)s)::int AS tk,
                       (%(emps)s::int[])[1 + floor(random() * %(ne)s)] AS emp
                  FROM generate_series(1, %(size)s)
            ), k AS (
                SELECT src.*, (%(clients)s::int[])[1 + src.ci] AS client,
                       %(start)s::date + src.day_offset AS day,
                       CASE WHEN pick < %(tm)s THEN 2 WHEN pick < 0.85 THEN 1
                            WHEN pick < 0.95 THEN 3 ELSE 4 END AS kind
                  FROM src
            ), t AS (
                SELECT k.*,
                       CASE WHEN k.kind = 1 AND k.no_ticket < 0.1 THEN NULL
                            ELSE (%(tickets)s::int[])[1 + k.ci * %(tpc)s + k.tk]
                       END AS ticket
                  FROM k
            )
            INSERT INTO account_analytic_line (
                name, date, date_time, amount, unit_amount, product_uom_id,
                company_id, account_id, project_id, ticket_id, ticket_partner_id,
                partner_id, employee_id, user_id, create_uid, write_uid,
                create_date, write_date, msp_work_type_id, msp_work_kind,
                msp_work_type_reason, msp_client_id, msp_billed_hours,
                msp_rounding_hours, msp_state, msp_timer_running
            )
            SELECT 'Bench work', t.day, t.day + make_interval(mins => t.start_min),
                   0, t.minutes / 60.0, %(uom)s, %(company)s, %(account)s,
                   %(project)s, t.ticket,
                   CASE WHEN t.ticket IS NOT NULL THEN t.client END,
                   t.client, e.id, e.user_id, 1, 1, now(), now(),
                   (%(types)s::int[])[t.kind], (%(kinds)s::varchar[])[t.kind],
                   'Bench', t.client, ceil(t.minutes / 15.0) * 15 / 60.0,
                   (ceil(t.minutes / 15.0) * 15 - t.minutes) / 60.0,
                   'confirmed', false
              FROM t JOIN hr_employee e ON e.id = t.emp
            """,
            {
                "nc": len(data["clients"]),
                "clients": data["clients"].ids,
                "tickets": data["tickets"],
                "tpc": TICKETS_PER_CLIENT,
                "days": (data["period_end"] - data["period_start"]).days + 1,
                "start": data["period_start"],
                "emps": data["employees"].ids,
                "ne": len(data["employees"]),
                "size": size,
                "uom": env.ref("uom.product_uom_hour").id,
                "company": env.company.id,
                "account": data["project"].account_id.id,
                "project": data["project"].id,
                "types": types,
                "kinds": kinds,
                "tm": data["tm_share"],
            },
        )
        done += size
    env.cr.execute("ANALYZE account_analytic_line")
    env["account.analytic.line"].invalidate_model()
    return done


def setup(env, opts):
    check_chart(env)
    if env.company.msp_time_lock_date:
        env.company.msp_time_lock_date = False
    period_start = opts.period_start
    if period_start is None:
        today = date.today()
        month = today.month - 2
        period_start = date(today.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
    # contracts start a cycle earlier: that cycle is billed first (history)
    first_start = period_start - relativedelta(months=1)
    clients = step("clients", make_clients, env, opts)
    products = make_products(env)
    msp = step(
        "MSP contracts", make_contracts, env, clients, products, first_start, True
    )
    fixed = step(
        "fixed (OCA) contracts",
        make_contracts,
        env,
        clients,
        products,
        first_start,
        False,
    )
    env.flush_all()
    period_end = period_start + relativedelta(months=1, days=-1)
    assets = step("assets", insert_assets, env, clients, opts.assets_per_client)
    for day in (period_start - relativedelta(days=1), period_end):
        snapshot = step(
            f"snapshot of {day}", env["msp.asset.snapshot"].take, day, clients
        )
    log(f"[setup] {assets} assets, {len(snapshot)} snapshot rows per date")
    project = env["project.project"].create(
        {"name": "Bench Billed Managed Services", "allow_timesheets": True}
    )
    employees = make_technicians(env)
    tickets = step("tickets", insert_tickets, env, clients, project)
    data = {
        "clients": clients,
        "msp": msp,
        "fixed": fixed,
        "period_start": period_start,
        "period_end": period_end,
        "project": project,
        "employees": employees,
        "tickets": tickets,
        "tm_share": opts.tm_share,
    }
    step("previous cycle billed (both kinds)", bill_history, env, data)
    data["billing_date"] = billing_date = min(msp.mapped("recurring_next_date"))
    due_fixed = env["contract.contract"].search_count(
        env["contract.contract"]._get_contracts_to_invoice_domain(billing_date)
    )
    log(
        f"[setup] measured cycle {period_start} - {period_end}, billing date "
        f"{billing_date}; MSP contracts due {len(msp)}, fixed contracts due "
        f"{due_fixed}"
    )
    return data


def analyze(env):
    env.flush_all()
    for table in STATS_TABLES:
        env.cr.execute(f"ANALYZE {table}")


def bill_history(env, data):
    """Bill the cycle before the measured one, for both kinds of contracts:
    the measured runs then find a previous cycle (variance review) and the
    planner finds statistics on invoice tables that are no longer empty (a
    fresh database has none: ``account.move``'s payment-state query then
    nests loops over every invoice line of the transaction, per invoice).
    It also warms the code paths and caches."""
    date_ref = data["period_start"]
    run = env["msp.billing.run"].create({"billing_date": date_ref})
    Contract = env["contract.contract"].with_company(env.company)
    run._bill(data["msp"][:20])
    data["fixed"][:20].with_env(Contract.env)._recurring_create_invoice(date_ref)
    analyze(env)
    run._bill(data["msp"][20:])
    Contract._cron_recurring_create(date_ref)
    analyze(env)
    env.cr.execute("SELECT count(*) FROM account_move WHERE move_type = 'out_invoice'")
    log(f"[setup] {env.cr.fetchone()[0]} invoices of the previous cycle")


# ------------------------------------------------------------------ runs


def bill_ours(env, data, contracts):
    run = env["msp.billing.run"].create({"billing_date": data["billing_date"]})
    run._bill(contracts.with_env(env))
    return run


def bill_oca(env, data):
    env["contract.contract"]._cron_recurring_create(data["billing_date"])


def invoice_figures(env, where, params):
    env.cr.execute(
        f"""
        SELECT count(DISTINCT m.id), count(l.id)
          FROM account_move m
          LEFT JOIN account_move_line l
            ON l.move_id = m.id AND l.display_type = 'product'
         WHERE m.move_type = 'out_invoice' AND {where}
        """,
        params,
    )
    return env.cr.fetchone()


def report(label, seconds, queries, contracts, invoices, lines, extra=""):
    log(
        f"{label:<34} {seconds:7.2f} s  {queries:7d} queries  "
        f"{queries / max(contracts, 1):6.1f} queries/contract  "
        f"{invoices} invoices, {lines / max(invoices, 1):.1f} lines each{extra}"
    )


class StampClock:
    """Time spent in the run's one INSERT of stamps per invoice (the
    stamping OCA has no counterpart of), by wrapping the method in
    process."""

    def __init__(self, env):
        self.Run = type(env["msp.billing.run"])
        self.seconds = 0.0

    def __enter__(self):
        original = self.Run._stamp_entries

        def timed(run, *args, **kwargs):
            started = time.perf_counter()
            try:
                return original(run, *args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started

        self.Run._stamp_entries = timed
        return self

    def __exit__(self, *exc):
        del self.Run._stamp_entries


def run_ours(env, data, label, profile=None):
    savepoint = env.cr.savepoint()
    try:
        if profile is not None:
            profile.enable()
        with StampClock(env) as clock:
            seconds, queries, run = measure(
                env, lambda: bill_ours(env, data, data["msp"])
            )
        if profile is not None:
            profile.disable()
        env.cr.execute(
            "SELECT state, count(*), min(error) FROM msp_billing_run_line"
            " WHERE run_id = %s GROUP BY state",
            [run.id],
        )
        states = {state: (n, error) for state, n, error in env.cr.fetchall()}
        invoices, lines = invoice_figures(
            env,
            "m.id IN (SELECT move_id FROM msp_billing_run_line WHERE run_id = %s)",
            [run.id],
        )
        env.cr.execute("SELECT count(*) FROM msp_billed_time")
        stamped = env.cr.fetchone()[0]
        report(
            label,
            seconds,
            queries,
            len(data["msp"]),
            invoices,
            lines,
            f"; {stamped:,} entries stamped in {clock.seconds:.2f} s",
        )
        for state, (n, error) in sorted(states.items()):
            if state != "invoiced":
                log(f"{'':<35}{n} {state}, e.g. {error}")
        return seconds, queries, clock.seconds
    finally:
        savepoint.close(rollback=True)


def run_oca(env, data, label):
    savepoint = env.cr.savepoint()
    try:
        env.cr.execute("SELECT coalesce(max(id), 0) FROM account_move")
        before = env.cr.fetchone()[0]
        seconds, queries, _result = measure(env, lambda: bill_oca(env, data))
        invoices, lines = invoice_figures(env, "m.id > %s", [before])
        report(label, seconds, queries, len(data["fixed"]), invoices, lines)
        return seconds, queries
    finally:
        savepoint.close(rollback=True)


def run(env, opts):
    started = time.perf_counter()
    data = setup(env, opts)
    tenth = opts.entries // 10
    count = step("time entries (a tenth)", insert_entries, env, data, tenth)
    assets = opts.assets_per_client * len(data["clients"])
    log(f"\n{len(data['msp'])} MSP contracts, {assets:,} assets, {count:,} entries:")
    small = run_ours(env, data, f"ours, {count:,} entries")
    count += step(
        "time entries (the rest)", insert_entries, env, data, opts.entries - tenth
    )
    log(f"\nwith {count:,} time entries:")
    profile = cProfile.Profile() if opts.profile else None
    ours = run_ours(env, data, f"ours, {count:,} entries", profile)
    oca = run_oca(env, data, "OCA _cron_recurring_create, fixed")
    log(
        f"\nratio ours / OCA: {ours[0] / oca[0]:.2f}x wall time, "
        f"{ours[1] / oca[1]:.2f}x queries (target: within 1.2x); "
        f"without the stamping of time entries: "
        f"{(ours[0] - ours[2]) / oca[0]:.2f}x"
    )
    per_small = small[1] / len(data["msp"])
    per_full = ours[1] / len(data["msp"])
    log(
        f"queries per contract: {per_small:.1f} with {tenth:,} entries, "
        f"{per_full:.1f} with {count:,} ({per_full - per_small:+.1f})"
    )
    log(f"total bench time {time.perf_counter() - started:.0f} s (rolled back)")
    if profile is not None:
        stats = pstats.Stats(profile)
        stats.sort_stats("cumulative").print_stats(40)
        stats.sort_stats("tottime").print_stats(25)
    env.cr.rollback()


def main():
    own, odoo_args = split_argv()
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-d", "--database", default="msp_bench_billing")
    parser.add_argument("--contracts", type=int, default=1000)
    parser.add_argument("--assets-per-client", type=int, default=20)
    parser.add_argument("--entries", type=int, default=300_000)
    parser.add_argument(
        "--period-start",
        type=date.fromisoformat,
        help="first day of the billed cycle (default: the 1st, two months ago)",
    )
    parser.add_argument(
        "--tm-share",
        type=float,
        default=0.0,
        help="share of the entries that is billable (T&M) work, invoiced per "
        "ticket on lines OCA's fixed contracts do not have (default 0; at most "
        "0.85)",
    )
    parser.add_argument("--profile", action="store_true", help="cProfile run 2")
    opts = parser.parse_args(own)
    run_with_env(opts.database, odoo_args, run, opts)


if __name__ == "__main__":
    main()
