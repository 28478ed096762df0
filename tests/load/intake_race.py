#!/usr/bin/env python3
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Alert intake exactly once, against a real server: starts Odoo on the
given database (msp_routing installed), threaded and then with 2 workers,
and per mode fires N signed copies of one new alert at once (threads and a
barrier), then C clears at once, for a source that annotates on clear and
one that closes. Prints the figures; exits 1 on any violation:

- any answer other than 200 (a 4xx or 5xx caused by the race);
- more or less than one ticket for the alert, or a count other than N;
- a clear applied more than once or not at all (annotated/closed once,
  the others answered "already_cleared"/"ignored").

Committed data (sources, tickets, their notes) is deleted at the end::

    python3 tests/load/intake_race.py -d msp_ia --port 8380 \\
        -- --db_host=$PWD/.msp/pg/run --db_user=odoo
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter

import requests

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from bench.benchlib import split_argv

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SECRET = "intake-race-secret"


def signed(payload):
    import hashlib  # noqa: PLC0415
    import hmac  # noqa: PLC0415

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


def fire(url, payloads):
    """All at once: [(status, answer)]."""
    prepared = [signed(p) for p in payloads]
    barrier = threading.Barrier(len(prepared))
    results = [None] * len(prepared)

    def send(index, body, headers):
        barrier.wait(timeout=60)
        try:
            response = requests.post(url, data=body, headers=headers, timeout=180)
            try:
                answer = response.json()
            except ValueError:
                answer = {"raw": response.text[:200]}
            results[index] = (response.status_code, answer)
        except requests.RequestException as error:
            results[index] = (0, {"error": repr(error)})

    threads = [
        threading.Thread(target=send, args=(i, body, headers))
        for i, (body, headers) in enumerate(prepared)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


class Env:
    """Short transactions on the database, in this process."""

    def __init__(self, database, odoo_args):
        import odoo  # noqa: PLC0415

        addons = ["--addons-path", os.path.join(ROOT, "addons")]
        odoo.tools.config.parse_config(["-d", database, *addons, *odoo_args])
        self.registry = odoo.modules.registry.Registry(database)

    def __call__(self, func):
        from odoo import SUPERUSER_ID, api  # noqa: PLC0415

        with self.registry.cursor() as cr:
            return func(api.Environment(cr, SUPERUSER_ID, {}))


def start_server(opts, odoo_args, workers, log):
    # the installed odoo script, not "-m odoo": with workers, Odoo starts its
    # websocket (gevent) process again from sys.argv[0]
    script = os.path.join(os.path.dirname(sys.executable), "odoo")
    launcher = [script] if os.path.exists(script) else [sys.executable, "-m", "odoo"]
    cmd = [
        *launcher, "-d", opts.database,
        "--addons-path", os.path.join(ROOT, "addons"),
        "--http-port", str(opts.port), "--db-filter", f"^{opts.database}$",
        "--max-cron-threads", "0", "--log-level", "info",
        "--workers", str(workers), "--gevent-port", str(opts.port + 3),
        *odoo_args,
    ]  # fmt: skip
    if opts.data_dir:
        cmd += ["--data-dir", opts.data_dir]
    server = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 120
    while time.time() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with {server.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", opts.port), timeout=1):
                pass
            if requests.get(f"{opts.url}/web/health", timeout=5).ok:
                return server
        except (OSError, requests.RequestException):
            pass
        time.sleep(0.5)
    server.terminate()
    raise SystemExit("the server did not start in 120 s")


def stop_server(server):
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def state(env, source_id, key):
    tickets = env["helpdesk.ticket"].search(
        [("msp_alert_source_id", "=", source_id), ("msp_alert_key", "=", key)]
    )
    return [
        {
            "id": t.id,
            "count": t.msp_alert_count,
            "closed": t.stage_id.closed,
            "cleared_notes": sum("Alert cleared" in m.body for m in t.message_ids),
        }
        for t in tickets
    ]


def round_trip(opts, env, mode, source, problems):
    """N copies then C clears of one new alert: prints, collects problems."""
    key = f"RACE-{mode}-{source['on_clear']}-{uuid.uuid4().hex[:6]}"
    url = f"{opts.url}/msp/intake/{source['code']}"
    alert = {"id": key, "title": "Disk full on FS01"}
    started = time.time()
    results = fire(url, [{**alert, "message": f"copy {i}"} for i in range(opts.copies)])
    seconds = time.time() - started
    statuses = Counter(status for status, _answer in results)
    actions = Counter(answer.get("action") for _status, answer in results)
    tickets = env(lambda e: state(e, source["id"], key))
    counts = [t["count"] for t in tickets]
    print(
        f"[{mode}] {opts.copies} copies in {seconds:.1f} s: statuses "
        f"{dict(statuses)}, actions {dict(actions)}; tickets {len(tickets)}, "
        f"count {counts}",
        flush=True,
    )
    if statuses != {200: opts.copies}:
        bad = [r for r in results if r[0] != 200][:3]
        problems.append(f"[{mode}] non-200 answers to copies: {bad}")
    if len(tickets) != 1 or counts != [opts.copies]:
        problems.append(f"[{mode}] expected 1 ticket counting {opts.copies}: {counts}")
    results = fire(
        url,
        [
            {**alert, "status": "resolved", "message": f"clear {i}"}
            for i in range(opts.clears)
        ],
    )
    statuses = Counter(status for status, _answer in results)
    actions = Counter(answer.get("action") for _status, answer in results)
    tickets = env(lambda e: state(e, source["id"], key))
    applied = "closed" if source["on_clear"] == "close" else "annotated"
    repeat = "ignored" if source["on_clear"] == "close" else "already_cleared"
    print(
        f"[{mode}] {opts.clears} clears ({source['on_clear']}): statuses "
        f"{dict(statuses)}, actions {dict(actions)}; ticket closed "
        f"{[t['closed'] for t in tickets]}, clear notes "
        f"{[t['cleared_notes'] for t in tickets]}",
        flush=True,
    )
    if statuses != {200: opts.clears}:
        problems.append(f"[{mode}] non-200 answers to clears: {dict(statuses)}")
    if actions != {applied: 1, repeat: opts.clears - 1}:
        problems.append(f"[{mode}] clears not applied exactly once: {dict(actions)}")
    if [t["cleared_notes"] for t in tickets] != [1] or [
        t["closed"] for t in tickets
    ] != [source["on_clear"] == "close"]:
        problems.append(f"[{mode}] the ticket after the clears: {tickets}")


def setup(env):
    sources = env["msp.intake.source"]
    for on_clear in ("annotate", "close"):
        sources |= sources.create(
            {
                "name": f"Race {on_clear}",
                "code": f"race-{on_clear}-{uuid.uuid4().hex[:8]}",
                "auth_mode": "hmac",
                "secret": SECRET,
                "on_clear": on_clear,
            }
        )
    return [{"id": s.id, "code": s.code, "on_clear": s.on_clear} for s in sources]


def cleanup(env, source_ids):
    env = env(context={"active_test": False})
    sources = env["msp.intake.source"].browse(source_ids).exists()
    users = sources.user_id
    env["helpdesk.ticket"].search([("msp_alert_source_id", "in", sources.ids)]).unlink()
    env["mail.message"].search([("author_id", "in", users.partner_id.ids)]).unlink()
    partners = users.partner_id
    sources.unlink()
    users.unlink()
    partners.unlink()


def main():
    own, odoo_args = split_argv()
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--port", type=int, default=8380)
    parser.add_argument("--copies", type=int, default=30)
    parser.add_argument("--clears", type=int, default=5)
    parser.add_argument("--modes", default="threaded,workers", help="threaded,workers")
    parser.add_argument("--data-dir", default=os.path.join(ROOT, ".msp", "data"))
    opts = parser.parse_args(own)
    opts.url = f"http://127.0.0.1:{opts.port}"
    env = Env(opts.database, odoo_args)
    sources = env(setup)
    problems = []
    log_path = os.path.join(ROOT, ".msp", f"intake-race-{opts.database}.log")
    os.makedirs(os.path.dirname(log_path), exist_ok=True)
    try:
        with open(log_path, "w", encoding="utf-8") as log:
            for mode in opts.modes.split(","):
                workers = 2 if mode == "workers" else 0
                server = start_server(opts, odoo_args, workers, log)
                try:
                    for source in sources:
                        round_trip(opts, env, mode, source, problems)
                finally:
                    stop_server(server)
    finally:
        env(lambda e: cleanup(e, [s["id"] for s in sources]))
    # Odoo's own ERROR/CRITICAL lines (a request that failed); the websocket
    # (gevent) process's start-up failures are no request's and not counted
    with open(log_path, encoding="utf-8") as log:
        errors = [line for line in log if " ERROR " in line or " CRITICAL " in line]
    if errors:
        problems.append(f"{len(errors)} errors in the server log {log_path}")
    for problem in problems:
        print(f"VIOLATION: {problem}", flush=True)
    print("intake race: " + ("FAILED" if problems else "ok"), flush=True)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
