#!/usr/bin/env python3
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Asset sync benchmark: prints figures, asserts nothing, rolls back.

A NinjaOne-shaped fake server on 127.0.0.1 serves --devices devices over
--clients organisations in pages of --page-size; the sync runs twice (first
run, then an unchanged run), then once more under tracemalloc for the memory
peak, on a second source with a quarter of the devices for comparison. The
floor is one raw ``INSERT ... ON CONFLICT`` of the same rows.

Needs a database with msp_assets (no demo needed)::

    python3 -m odoo -d msp_bench_assets -i msp_assets --without-demo=all \\
        --stop-after-init --addons-path=addons --db_host=$PWD/.msp/pg/run \\
        --db_user=odoo
    python3 tests/bench/bench_assets.py -d msp_bench_assets \\
        -- --addons-path=addons --db_host=$PWD/.msp/pg/run --db_user=odoo
"""

import argparse
import copy
import importlib.util
import json
import os
import sys
import time
import tracemalloc

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import run_with_env, split_argv


def load_fake_rmm():
    """The tests' fake vendor servers, without importing the test package
    (which would load Odoo's test framework outside a test run)."""
    path = os.path.join(
        os.path.dirname(os.path.abspath(__file__)),
        "../../addons/msp_assets/tests/fake_rmm.py",
    )
    spec = importlib.util.spec_from_file_location("fake_rmm", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def fleet(template, devices, clients, first_org=100000):
    """``devices`` devices spread over ``clients`` organisations."""
    orgs = [
        {"id": first_org + n, "name": f"Bench Client {first_org + n}"}
        for n in range(clients)
    ]
    rows = []
    for n in range(devices):
        device = copy.deepcopy(template)
        device.update(
            id=first_org * 10 + n,
            uid=f"bench-{first_org}-{n}",
            organizationId=first_org + n % clients,
            locationId=None,
            systemName=f"BENCH-{first_org}-{n:06d}",
            displayName=f"BENCH-{first_org}-{n:06d}",
        )
        device["system"] = dict(device["system"], serialNumber=f"SN{first_org}{n:07d}")
        rows.append(device)
    return {"organizations": orgs, "locations": [], "devices": rows}


def measure(env, func):
    env.flush_all()
    queries = env.cr.sql_log_count
    started = time.perf_counter()
    result = func()
    env.flush_all()
    return result, time.perf_counter() - started, env.cr.sql_log_count - queries


def floor(env, data):
    """The same rows through one INSERT ... ON CONFLICT, twice."""
    env.cr.execute(
        "CREATE TEMP TABLE bench_floor (LIKE msp_asset INCLUDING DEFAULTS)"
        " ON COMMIT DROP;"
        "CREATE UNIQUE INDEX ON bench_floor (source_id, external_id)"
    )
    values = json.dumps(
        [
            {
                "external_id": str(d["id"]),
                "name": d["systemName"],
                "serial_number": d["system"]["serialNumber"],
                "model": d["system"]["model"],
            }
            for d in data["devices"]
        ]
    )
    sql = """
        INSERT INTO bench_floor (source_id, external_id, name, serial_number, model,
                                 client_id, company_id, state, active)
        SELECT 0, r.external_id, r.name, r.serial_number, r.model, 1, 1, 'active', true
          FROM json_to_recordset(%s::json)
               AS r(external_id text, name text, serial_number text, model text)
        ON CONFLICT (source_id, external_id) DO UPDATE
           SET name = EXCLUDED.name, serial_number = EXCLUDED.serial_number,
               model = EXCLUDED.model
         WHERE (bench_floor.name, bench_floor.serial_number, bench_floor.model)
               IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.serial_number, EXCLUDED.model)
    """
    times = []
    for _run in range(2):
        started = time.perf_counter()
        env.cr.execute(sql, [values])
        times.append(time.perf_counter() - started)
    return times


def run(env, opts):
    fake_rmm = load_fake_rmm()
    FakeNinjaOne, FakeServer = fake_rmm.FakeNinjaOne, fake_rmm.FakeServer
    template = fake_rmm.load_fixture("ninjaone")["devices"][0]
    data = fleet(template, opts.devices, opts.clients)
    env["res.partner"].create(
        [{"name": o["name"], "is_company": True} for o in data["organizations"]]
    )
    floor_first, floor_again = floor(env, data)
    print(
        f"floor: INSERT ... ON CONFLICT of {opts.devices} rows: "
        f"{floor_first:.2f} s, unchanged {floor_again:.2f} s",
        flush=True,
    )
    Source = env["msp.asset.source"]
    app = FakeNinjaOne(data)
    with FakeServer(app) as server:
        source = Source.create(
            {
                "name": "Bench NinjaOne",
                "kind": "ninjaone",
                "base_url": server.url,
                "oauth_client_id": "bench",
                "api_secret": "ninja-secret",
                "page_size": opts.page_size,
            }
        )
        for label, floor_seconds in (
            ("first run", floor_first),
            ("unchanged", floor_again),
        ):
            run_, seconds, queries = measure(env, source._sync)
            print(
                f"{label:<10} {seconds:7.2f} s  {queries / opts.devices:5.2f} "
                f"queries/device  {queries} queries  pages {run_.pages}  "
                f"created {run_.created} updated {run_.updated} "
                f"unchanged {run_.unchanged}  state {run_.state}  "
                f"x{seconds / max(floor_seconds, 1e-6):.0f} the floor",
                flush=True,
            )
            if label == "unchanged":
                env.cr.execute(
                    "SELECT count(*) FROM msp_asset WHERE write_date >= %s",
                    [run_.started],
                )
                written = env.cr.fetchone()[0]
                print(f"{'':<11}assets written by the unchanged run: {written}")

    for devices in (opts.devices // 4, opts.devices):
        small = fleet(template, devices, opts.clients, first_org=200000 + devices)
        env["res.partner"].create(
            [{"name": o["name"], "is_company": True} for o in small["organizations"]]
        )
        with FakeServer(FakeNinjaOne(small)) as server:
            other = Source.create(
                {
                    "name": f"Bench memory {devices}",
                    "kind": "ninjaone",
                    "base_url": server.url,
                    "oauth_client_id": "bench",
                    "api_secret": "ninja-secret",
                    "page_size": opts.page_size,
                }
            )
            env.invalidate_all()
            tracemalloc.start()
            other._sync()
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        print(
            f"memory peak, first run of {devices:>6} devices: {peak / 2**20:6.1f} MiB",
            flush=True,
        )
    env.cr.rollback()


def main():
    own, odoo_args = split_argv()
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-d", "--database", default="msp_bench_assets")
    parser.add_argument("--devices", type=int, default=20000)
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--page-size", type=int, default=1000)
    opts = parser.parse_args(own)
    run_with_env(opts.database, odoo_args, run, opts)


if __name__ == "__main__":
    main()
