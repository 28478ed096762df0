#!/usr/bin/env python3
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Load test: two Odoo servers over one database, both with workers and the
queue_job runner; prints figures, asserts nothing timed.

Not part of the test suite. Loopback only, bounded in count and time. It
starts (or reuses, ``--db``) a database in the private cluster
(``.msp/pg/run``, user odoo) with the msp addons, then starts TWO Odoo
servers on different ports over it, each ``--workers N`` with
``--load=base,web,queue_job`` and ODOO_QUEUE_JOB_CHANNELS, and drives:

(a) alerts: signed webhooks (``POST /msp/intake/<source>``) at increasing
    rates, every distinct alert sent ``--copies`` times at once by as many
    clients, the copies spread over both servers; at 1, 2 and 4 workers per
    server: alerts/s, p50/p95/p99 latency, 5xx answers (must be 0), tickets
    created vs distinct alerts (must be equal: dedup across servers);
(b) billing: a run of ``--contracts`` contracts started with the button
    method (``action_run``) over JSON-RPC, wall time until the run is done
    with one server's runner, then a second set of contracts with both
    servers; invoices per contract and period (must be exactly one);
(c) sync: a ``--devices``-device sync against a loopback fake NinjaOne
    (the tests' fake_rmm), started with *Sync Now* over RPC, wall time.

Which server ran which job: queue_job stores the ``worker_pid`` of the
process that ran each job; the script samples the process tree of each
server while it runs and maps the pids. In queue_job 18.0 one runner
dispatches for the database (advisory lock) and calls
``/queue_job/runjob`` on its own server: to spread jobs over both, the
runners of the two-server phases are pointed (ODOO_QUEUE_JOB_HOST/PORT) at a
round-robin TCP proxy on 127.0.0.1 in this script, as the README's
Production section says to do with the real proxy.

Run it with the Python that runs Odoo, from the repository root::

    python3 tests/load/load_test.py --quick
    python3 tests/load/load_test.py            # full size (~10 min, 2 cores)

Server logs: ``.msp/load-<db>-<server>.log``.
"""

import argparse
import hashlib
import hmac
import importlib.util
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import psutil
import requests
from dateutil.relativedelta import relativedelta

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.path.insert(0, os.path.join(ROOT, "tests", "bench"))
import msp_cli  # noqa: E402

SECRET = "load-test-secret"
ADDONS = "msp_routing,msp_mrr_billing,msp_assets,msp_sla"
ACTIVE_SYNC = ("queued", "running")


def log(msg):
    print(msg, flush=True)


def load_module(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ------------------------------------------------------------ database


class Env:
    """Short transactions on the database, in this process."""

    def __init__(self, database, odoo_args):
        import odoo  # noqa: PLC0415

        odoo.tools.config.parse_config(["-d", database, *odoo_args])
        self.registry = odoo.modules.registry.Registry(database)

    def __call__(self, func, *args):
        from odoo import SUPERUSER_ID, api  # noqa: PLC0415

        with self.registry.cursor() as cr:
            return func(api.Environment(cr, SUPERUSER_ID, {}), *args)

    def sql(self, query, params=None):
        with self.registry.cursor() as cr:
            cr.execute(query, params)
            return cr.fetchall() if cr.description else None


def ensure_database(opts, db_settings):
    rows = msp_cli.psql_query(
        sys.executable,
        db_settings,
        opts.db,
        "SELECT name FROM ir_module_module WHERE state = 'installed'",
    )
    wanted = ADDONS.split(",")
    if rows is not None and all(m in rows for m in wanted):
        log(f"[setup] reusing database {opts.db}")
        return
    log(f"[setup] installing {ADDONS} in {opts.db} (without demo)")
    started = time.time()
    cmd = msp_cli.odoo_cmd(
        sys.executable,
        db_settings,
        opts.db,
        "-i",
        ADDONS,
        "--without-demo=all",
        "--stop-after-init",
        "--log-level=warn",
    )
    path = os.path.join(ROOT, ".msp", f"install-{opts.db}.log")
    with open(path, "w", encoding="utf-8") as out:
        if subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT).returncode:
            raise SystemExit(f"installing failed, see {path}")
    log(f"[setup] installed in {time.time() - started:.0f} s")


# -------------------------------------------------------------- servers


class Server:
    """One Odoo server (multi-process, queue_job runner) on ``port``."""

    def __init__(self, opts, db_settings, name, port, workers, env_extra):
        self.name, self.port, self.workers = name, port, workers
        self.url = f"http://127.0.0.1:{port}"
        cmd = msp_cli.odoo_cmd(sys.executable, db_settings, opts.db)
        cmd += ["--http-port", str(port), "--gevent-port", str(port + 3)]
        cmd += ["--http-interface", "127.0.0.1"]
        cmd += ["--db-filter", f"^{opts.db}$", "--workers", str(workers)]
        cmd += ["--max-cron-threads", "0", "--log-level", "info"]
        cmd += [f"--load={msp_cli.SERVER_WIDE_MODULES}"]
        cmd += ["--limit-time-real", "600", "--limit-time-cpu", "300"]
        env = dict(os.environ, **env_extra)
        self.log_path = os.path.join(ROOT, ".msp", f"load-{opts.db}-{name}.log")
        self.log = open(self.log_path, "a", encoding="utf-8")
        self.log.write(f"\n===== start {name} workers={workers} {env_extra}\n")
        self.log.flush()
        self.proc = subprocess.Popen(
            cmd, stdout=self.log, stderr=subprocess.STDOUT, env=env
        )
        self.pids = {self.proc.pid}

    def wait_ready(self, timeout=180):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"server {self.name} exited, see {self.log_path}")
            try:
                if requests.get(f"{self.url}/web/health", timeout=5).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.5)
        raise SystemExit(f"server {self.name} did not start in {timeout} s")

    def sample_pids(self):
        try:
            proc = psutil.Process(self.proc.pid)
            self.pids.update(p.pid for p in proc.children(recursive=True))
        except psutil.Error:
            pass

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


class PidSampler:
    """Samples the servers' process trees (workers are recycled)."""

    def __init__(self, servers):
        self.servers = servers
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self):
        while not self.stop_event.is_set():
            for server in self.servers:
                server.sample_pids()
            self.stop_event.wait(0.3)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop_event.set()
        self.thread.join()


class RoundRobinProxy:
    """A TCP proxy on 127.0.0.1 sending each connection to the next
    upstream port in turn (the job runner's /queue_job/runjob calls)."""

    def __init__(self, ports):
        self.ports = ports
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.port = self.sock.getsockname()[1]
        self.count = 0
        self.sent = Counter()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _addr = self.sock.accept()
            except OSError:
                return
            port = self.ports[self.count % len(self.ports)]
            self.count += 1
            self.sent[port] += 1
            threading.Thread(
                target=self._serve, args=(client, port), daemon=True
            ).start()

    @staticmethod
    def _pipe(src, dst):
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def _serve(self, client, port):
        try:
            upstream = socket.create_connection(("127.0.0.1", port), timeout=10)
            upstream.settimeout(None)
        except OSError:
            client.close()
            return
        threading.Thread(
            target=self._pipe, args=(upstream, client), daemon=True
        ).start()
        self._pipe(client, upstream)

    def close(self):
        self.sock.close()


def channels(capacity):
    return ",".join(
        [
            f"root:{capacity}",
            f"root.msp.billing:{capacity}",
            f"root.msp.sync:{capacity}",
            "root.msp.reports:1",
        ]
    )


def start_servers(opts, db_settings, count, workers, job_capacity=None, proxy=None):
    env_extra = {}
    if job_capacity:
        env_extra[msp_cli.JOB_CHANNELS_ENV] = channels(job_capacity)
    if proxy:
        env_extra["ODOO_QUEUE_JOB_HOST"] = "127.0.0.1"
        env_extra["ODOO_QUEUE_JOB_PORT"] = str(proxy.port)
    servers = [
        Server(opts, db_settings, name, opts.port + 10 * n, workers, env_extra)
        for n, name in enumerate(["A", "B"][:count])
    ]
    try:
        for server in servers:
            server.wait_ready()
    except BaseException:
        for server in servers:
            server.stop()
        raise
    return servers


def stop_servers(servers):
    for server in servers:
        server.stop()


def rpc(url, db, model, method, *args):
    payload = {
        "jsonrpc": "2.0",
        "method": "call",
        "params": {
            "service": "object",
            "method": "execute_kw",
            "args": [db, 2, "admin", model, method, list(args)],
        },
    }
    answer = requests.post(f"{url}/jsonrpc", json=payload, timeout=300).json()
    if "error" in answer:
        data = answer["error"].get("data", {})
        raise SystemExit(f"RPC {model}.{method}: {data.get('message') or answer}")
    return answer["result"]


def jobs_by_server(env, servers, where, params):
    rows = env.sql(
        "SELECT worker_pid, state, count(*) FROM queue_job WHERE "
        + where
        + " GROUP BY 1, 2",
        params,
    )
    ran, states = Counter(), Counter()
    for pid, state, count in rows:
        states[state] += count
        owner = next(
            (s.name for s in servers if pid in s.pids), "?" if pid else "not run"
        )
        ran[owner] += count
    return ran, states


# ------------------------------------------------------------- (a) alerts


def signed(payload):
    body = json.dumps(payload).encode()
    timestamp = str(int(time.time()))
    digest = hmac.new(
        SECRET.encode(), timestamp.encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    return body, {
        "Content-Type": "application/json",
        "X-MSP-Timestamp": timestamp,
        "X-MSP-Signature": f"sha256={digest}",
    }


def make_source(env):
    source = env["msp.intake.source"].create(
        {
            "name": "Load test",
            "code": f"load-{uuid.uuid4().hex[:8]}",
            "auth_mode": "hmac",
            "secret": SECRET,
            "on_clear": "annotate",
        }
    )
    return source.id, source.code


def percentile(values, pct):
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def alert_step(opts, servers, source, rate, seconds, prefix):
    """Open loop: ``rate`` requests/s for ``seconds``; every distinct alert
    is sent ``opts.copies`` times at once, the copies over both servers."""
    _source_id, code = source
    distinct = max(1, round(rate * seconds / opts.copies))
    interval = opts.copies / rate
    results = []
    lock = threading.Lock()
    local = threading.local()

    def send(url, body, headers):
        session = getattr(local, "session", None) or requests.Session()
        local.session = session
        started = time.perf_counter()
        try:
            status = session.post(
                url, data=body, headers=headers, timeout=120
            ).status_code
        except requests.RequestException:
            status = 0
        with lock:
            results.append((status, time.perf_counter() - started))

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=opts.clients) as pool:
        for n in range(distinct):
            due = started + n * interval
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            alert = {"id": f"{prefix}-{n}", "title": f"Load alert {prefix}-{n}"}
            for copy in range(opts.copies):
                server = servers[(n + copy) % len(servers)]
                body, headers = signed({**alert, "message": f"copy {copy}"})
                pool.submit(send, f"{server.url}/msp/intake/{code}", body, headers)
    wall = time.perf_counter() - started
    return distinct, results, wall


def phase_alerts(opts, db_settings, env, figures):
    source = env(make_source)
    log(
        f"\n== (a) alert intake: 2 servers, rates {opts.rates} req/s, "
        f"{opts.copies} copies per alert, {opts.clients} clients, "
        f"{opts.step_seconds} s per step"
    )
    log(
        f"{'workers':>7} {'rate':>5} {'sent':>5} {'alerts/s':>8} {'req/s':>6} "
        f"{'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'5xx':>4} {'err':>4} "
        f"{'distinct':>8} {'tickets':>7} {'count ok':>8}"
    )
    for workers in opts.worker_counts:
        servers = start_servers(opts, db_settings, 2, workers)
        try:
            # warm both servers' workers (registry load) before measuring
            alert_step(
                opts,
                servers,
                source,
                4 * workers,
                1,
                f"warm-{workers}-{uuid.uuid4().hex[:4]}",
            )
            for rate in opts.rates:
                prefix = f"L{workers}-{rate}-{uuid.uuid4().hex[:6]}"
                distinct, results, wall = alert_step(
                    opts, servers, source, rate, opts.step_seconds, prefix
                )
                statuses = Counter(status for status, _lat in results)
                lat = [latency * 1000 for status, latency in results if status]
                rows = env.sql(
                    "SELECT count(*), coalesce(sum(msp_alert_count), 0)"
                    " FROM helpdesk_ticket WHERE msp_alert_source_id = %s"
                    " AND msp_alert_key LIKE %s",
                    [source[0], prefix + "-%"],
                )
                tickets, counted = rows[0]
                five = sum(n for status, n in statuses.items() if status >= 500)
                errors = statuses.get(0, 0)
                row = {
                    "workers": workers,
                    "rate": rate,
                    "sent": len(results),
                    "alerts_s": distinct / wall,
                    "req_s": len(results) / wall,
                    "p50": percentile(lat, 50),
                    "p95": percentile(lat, 95),
                    "p99": percentile(lat, 99),
                    "5xx": five,
                    "errors": errors,
                    "distinct": distinct,
                    "tickets": tickets,
                    "counted": counted == statuses.get(200, 0),
                    "statuses": dict(statuses),
                }
                figures["alerts"].append(row)
                log(
                    f"{workers:>7} {rate:>5} {row['sent']:>5} {row['alerts_s']:>8.1f} "
                    f"{row['req_s']:>6.1f} {row['p50']:>7.0f} {row['p95']:>7.0f} "
                    f"{row['p99']:>7.0f} {five:>4} {errors:>4} {distinct:>8} "
                    f"{tickets:>7} {row['counted']!s:>8}"
                    + ("" if set(statuses) <= {200} else f"  statuses {dict(statuses)}")
                )
        finally:
            stop_servers(servers)
    top = {}
    for row in figures["alerts"]:
        top[row["workers"]] = max(top.get(row["workers"], 0), row["req_s"])
    base = top.get(min(top)) if top else 0
    log(
        "best throughput (requests/s) per workers per server: "
        + ", ".join(f"{w}: {v:.1f} (x{v / base:.2f})" for w, v in top.items())
    )
    figures["alerts_top"] = top


# ------------------------------------------------------------ (b) billing


def billing_setup(env, opts):
    bench = load_module(
        "bench_billing", os.path.join(ROOT, "tests/bench/bench_billing.py")
    )
    bench.log = lambda msg: None
    bench.check_chart(env)
    if env.company.msp_time_lock_date:
        env.company.msp_time_lock_date = False
    today = date.today()
    month = today.month - 2
    period_start = date(today.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
    period_end = period_start + relativedelta(months=1, days=-1)

    class Opts:
        contracts = opts.contracts

    tag = uuid.uuid4().hex[:6]
    sets = []
    products = bench.make_products(env)
    for label in ("one", "two"):
        clients = bench.make_clients(env, Opts)
        env.cr.execute(
            "UPDATE res_partner SET name = %s || lpad(c.n::text, 5, '0')"
            "  FROM unnest(%s::int[]) WITH ORDINALITY AS c(id, n)"
            " WHERE res_partner.id = c.id",
            [f"Load {tag} {label} ", clients.ids],
        )
        clients.invalidate_recordset(["name"])
        contracts = bench.make_contracts(env, clients, products, period_start, True)
        sets.append((clients, contracts))
    env.flush_all()
    insert_assets(env, sets[0][0] | sets[1][0], opts.assets_per_client, tag)
    every = sets[0][0] | sets[1][0]
    for day in (period_start - relativedelta(days=1), period_end):
        env["msp.asset.snapshot"].take(day, every)
    billing_date = min((sets[0][1] | sets[1][1]).mapped("recurring_next_date"))
    # the second set waits its turn: not an MSP contract until phase two
    env.cr.execute(
        "UPDATE contract_contract SET msp_billing = false WHERE id = ANY(%s)",
        [sets[1][1].ids],
    )
    return [c.ids for _cl, c in sets], billing_date


def insert_assets(env, clients, per_client, tag):
    """``per_client`` active assets per client, 2 to 6 of them servers (as
    bench_billing's, with serial numbers of this run's own)."""
    types = {
        xmlid: env.ref(f"msp_assets.asset_type_{xmlid}").id
        for xmlid in ("workstation", "laptop", "server")
    }
    env.cr.execute(
        """
        INSERT INTO msp_asset (name, client_id, company_id, type_id, billing_class,
                               serial_number, state, active, stale, install_date,
                               create_uid, write_uid, create_date, write_date)
        SELECT 'LOAD-' || c.n || '-' || a.n, c.id, %(company)s,
               CASE WHEN a.n <= 2 + c.n %% 5 THEN %(server)s
                    WHEN a.n %% 2 = 0 THEN %(workstation)s ELSE %(laptop)s END,
               CASE WHEN a.n <= 2 + c.n %% 5 THEN 'server' ELSE 'endpoint' END,
               %(tag)s || c.n || '-' || a.n, 'active', true, false, '2020-01-01',
               1, 1, now() at time zone 'UTC', now() at time zone 'UTC'
          FROM unnest(%(clients)s::int[]) WITH ORDINALITY AS c(id, n)
    CROSS JOIN generate_series(1, %(per)s) AS a(n)
        """,
        {
            "company": env.company.id,
            "clients": clients.ids,
            "per": per_client,
            "tag": f"LOAD{tag}-",
            **types,
        },
    )
    env["msp.asset"].invalidate_model()


def make_run(env, billing_date, contract_ids, other_ids):
    env.cr.execute(
        "UPDATE contract_contract SET msp_billing = (id = ANY(%s)) WHERE id = ANY(%s)",
        [contract_ids, contract_ids + other_ids],
    )
    return env["msp.billing.run"].create({"billing_date": billing_date}).id


def billing_once(opts, db_settings, env, label, count, billing_date, ids, others):
    proxy = RoundRobinProxy([opts.port, opts.port + 10]) if count == 2 else None
    capacity = (opts.job_workers - 1) * count
    servers = start_servers(opts, db_settings, count, opts.job_workers, capacity, proxy)
    try:
        run_id = env(make_run, billing_date, ids, others)
        with PidSampler(servers):
            since = env.sql("SELECT now() at time zone 'UTC'")[0][0]
            started = time.perf_counter()
            rpc(servers[0].url, opts.db, "msp.billing.run", "action_run", [run_id])
            returned = time.perf_counter() - started
            deadline = started + opts.timeout
            state = None
            while time.perf_counter() < deadline:
                state = env.sql(
                    "SELECT job_state FROM msp_billing_run WHERE id = %s", [run_id]
                )[0][0]
                if state != "queued":
                    break
                time.sleep(0.5)
            wall = time.perf_counter() - started
        key = f"msp-billing-run-{run_id}-%"
        ran, states = jobs_by_server(env, servers, "identity_key LIKE %s", [key])
        batches = env.sql(
            "SELECT count(*), extract(epoch FROM max(date_done) - %s)"
            " FROM queue_job WHERE identity_key LIKE %s"
            " AND method_name = '_job_bill_batch'",
            [since, key],
        )[0]
    finally:
        stop_servers(servers)
        if proxy:
            proxy.close()
    lines = dict(
        env.sql(
            "SELECT state, count(*) FROM msp_billing_run_line WHERE run_id = %s"
            " GROUP BY state",
            [run_id],
        )
    )
    batch_wall = float(batches[1] or 0)
    log(
        f"[{label}] {len(ids)} contracts: button returned in {returned:.2f} s; "
        f"{batches[0]} batch jobs all done after {batch_wall:.1f} s "
        f"({len(ids) / max(batch_wall, 1e-6):.1f} contracts/s); run {state} after "
        f"{wall:.1f} s (its outcome job polls every 10 s); run lines "
        f"{lines}; job states {dict(states)}; jobs ran by server {dict(ran)}"
        + (f"; proxy sent runjob calls {dict(proxy.sent)}" if proxy else "")
    )
    return {
        "wall": wall,
        "batch_wall": batch_wall,
        "state": state,
        "ran": dict(ran),
        "lines": lines,
    }


def invoices_per_period(env, contract_ids):
    """{invoices per (contract, period): number of such pairs}, over the
    invoice lines of these contracts (cancelled invoices left out)."""
    rows = env.sql(
        """
        SELECT n, count(*) FROM (
            SELECT cl.contract_id, aml.msp_period_start,
                   count(DISTINCT aml.move_id) AS n
              FROM account_move_line aml
              JOIN contract_line cl ON cl.id = aml.contract_line_id
              JOIN account_move m ON m.id = aml.move_id
             WHERE cl.contract_id = ANY(%s) AND m.state != 'cancel'
               AND m.move_type = 'out_invoice'
          GROUP BY 1, 2) per
      GROUP BY n ORDER BY n
        """,
        [contract_ids],
    )
    contracts = env.sql(
        """
        SELECT count(DISTINCT cl.contract_id)
          FROM account_move_line aml
          JOIN contract_line cl ON cl.id = aml.contract_line_id
          JOIN account_move m ON m.id = aml.move_id
         WHERE cl.contract_id = ANY(%s) AND m.state != 'cancel'
        """,
        [contract_ids],
    )[0][0]
    return dict(rows), contracts


def phase_billing(opts, db_settings, env, figures):
    log(
        f"\n== (b) billing: {opts.contracts} contracts per run, "
        f"{opts.job_workers} workers per server"
    )
    started = time.perf_counter()
    (one, two), billing_date = env(billing_setup, opts)
    log(
        f"[setup] 2 x {opts.contracts} contracts, billing date {billing_date}, "
        f"in {time.perf_counter() - started:.1f} s"
    )
    runs = {}
    runs[1] = billing_once(
        opts, db_settings, env, "1 server ", 1, billing_date, one, two
    )
    runs[2] = billing_once(
        opts, db_settings, env, "2 servers", 2, billing_date, two, one
    )
    per, invoiced = invoices_per_period(env, one + two)
    log(
        f"invoices per (contract, period): {per} (count of pairs by invoices); "
        f"{invoiced} of {len(one) + len(two)} contracts invoiced"
    )
    for key, what in (("batch_wall", "batch jobs"), ("wall", "run done")):
        ratio = runs[1][key] / runs[2][key] if runs[2][key] else 0
        log(
            f"billing wall time ({what}): 1 server {runs[1][key]:.1f} s, "
            f"2 servers {runs[2][key]:.1f} s (speed-up x{ratio:.2f})"
        )
    figures["billing"] = {"runs": runs, "per_period": per, "invoiced": invoiced}


# --------------------------------------------------------------- (c) sync


def sync_setup(env, data, url):
    env["res.partner"].create(
        [{"name": o["name"], "is_company": True} for o in data["organizations"]]
    )
    source = env["msp.asset.source"].create(
        {
            "name": f"Load NinjaOne {uuid.uuid4().hex[:4]}",
            "kind": "ninjaone",
            "base_url": url,
            "oauth_client_id": "load",
            "api_secret": "ninja-secret",
            "page_size": 1000,
        }
    )
    return source.id


def phase_sync(opts, db_settings, env, figures):
    log(
        f"\n== (c) asset sync: {opts.devices} devices over {opts.orgs} "
        f"organisations, 2 servers x {opts.job_workers} workers"
    )
    bench = load_module(
        "bench_assets", os.path.join(ROOT, "tests/bench/bench_assets.py")
    )
    fake_rmm = bench.load_fake_rmm()
    template = fake_rmm.load_fixture("ninjaone")["devices"][0]
    first_org = 300000 + int(time.time()) % 100000 * 10
    data = bench.fleet(template, opts.devices, opts.orgs, first_org=first_org)
    proxy = RoundRobinProxy([opts.port, opts.port + 10])
    capacity = (opts.job_workers - 1) * 2
    with fake_rmm.FakeServer(fake_rmm.FakeNinjaOne(data)) as fake:
        source_id = env(sync_setup, data, fake.url)
        servers = start_servers(opts, db_settings, 2, opts.job_workers, capacity, proxy)
        try:
            with PidSampler(servers):
                started = time.perf_counter()
                since = env.sql("SELECT now() at time zone 'UTC'")[0][0]
                rpc(
                    servers[0].url,
                    opts.db,
                    "msp.asset.source",
                    "action_sync_now",
                    [source_id],
                )
                returned = time.perf_counter() - started
                deadline = started + opts.timeout
                row = None
                while time.perf_counter() < deadline:
                    rows = env.sql(
                        "SELECT state, job_total, created, updated"
                        " FROM msp_asset_sync_run WHERE source_id = %s"
                        " AND parent_id IS NULL ORDER BY id DESC LIMIT 1",
                        [source_id],
                    )
                    row = rows[0] if rows else None
                    if row and row[0] not in ACTIVE_SYNC:
                        break
                    time.sleep(0.5)
                wall = time.perf_counter() - started
            ran, states = jobs_by_server(
                env,
                servers,
                "model_name = 'msp.asset.source' AND date_created >= %s",
                [since],
            )
        finally:
            stop_servers(servers)
            proxy.close()
    assets = env.sql(
        "SELECT count(*) FROM msp_asset WHERE source_id = %s", [source_id]
    )[0][0]
    # plan, one per client, one finish: no job left behind the run
    kinds = dict(
        env.sql(
            "SELECT method_name, count(*) FROM queue_job"
            " WHERE model_name = 'msp.asset.source' AND date_created >= %s"
            " GROUP BY 1",
            [since],
        )
    )
    log(f"sync: jobs by kind {kinds}")
    log(
        f"sync: button returned in {returned:.2f} s; run {row and row[0]} after "
        f"{wall:.1f} s ({opts.devices / wall:.0f} devices/s); client jobs "
        f"{row and row[1]}, created {row and row[2]}, assets {assets} of "
        f"{opts.devices}; job states {dict(states)}; jobs ran by server {dict(ran)}; "
        f"proxy sent runjob calls {dict(proxy.sent)}"
    )
    figures["sync"] = {
        "wall": wall,
        "state": row and row[0],
        "assets": assets,
        "ran": dict(ran),
        "kinds": kinds,
    }


# ------------------------------------------------------------------ main


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default="msp_load")
    parser.add_argument("--port", type=int, default=8600, help="A; B is +10")
    parser.add_argument("--quick", action="store_true", help="small counts")
    parser.add_argument("--phases", default="alerts,billing,sync")
    parser.add_argument("--workers", default="1,2,4", help="alert phase")
    parser.add_argument("--job-workers", type=int, default=3)
    parser.add_argument("--rates", default=None, help="requests/s per step")
    parser.add_argument("--step-seconds", type=float, default=None)
    parser.add_argument("--copies", type=int, default=4, help="of each alert")
    parser.add_argument("--clients", type=int, default=32, help="HTTP clients")
    parser.add_argument("--contracts", type=int, default=None)
    parser.add_argument("--assets-per-client", type=int, default=10)
    parser.add_argument("--devices", type=int, default=None)
    parser.add_argument("--orgs", type=int, default=None)
    parser.add_argument("--timeout", type=float, default=300, help="per run, s")
    opts = parser.parse_args()
    quick = opts.quick
    opts.rates = [
        int(r) for r in (opts.rates or ("4,8" if quick else "10,20,40,80")).split(",")
    ]
    opts.step_seconds = opts.step_seconds or (3 if quick else 5)
    opts.contracts = opts.contracts or (20 if quick else 1000)
    opts.devices = opts.devices or (500 if quick else 20000)
    opts.orgs = opts.orgs or (10 if quick else 200)
    opts.worker_counts = [int(w) for w in opts.workers.split(",")]
    if opts.quick:
        opts.timeout = min(opts.timeout, 120)
    return opts


def main():
    opts = parse_args()
    started = time.time()
    db_settings = msp_cli.ensure_postgres()
    ensure_database(opts, db_settings)
    odoo_args = [f"--{k}={v}" for k, v in db_settings.items() if v]
    odoo_args += ["--addons-path", str(msp_cli.ADDONS)]
    odoo_args += ["--data-dir", str(msp_cli.STATE / "data")]
    env = Env(opts.db, odoo_args)
    now = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    log(
        f"load test on {opts.db}, {now}, "
        f"{os.cpu_count()} CPUs{' (quick)' if opts.quick else ''}"
    )
    figures = {"alerts": []}
    phases = opts.phases.split(",")
    if "alerts" in phases:
        phase_alerts(opts, db_settings, env, figures)
    if "billing" in phases:
        phase_billing(opts, db_settings, env, figures)
    if "sync" in phases:
        phase_sync(opts, db_settings, env, figures)
    log(f"\nload test done in {time.time() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
