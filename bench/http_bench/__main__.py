"""`make bench`: wrk against the real server and its baselines, on PostgreSQL and SQLite.

    .venv/bin/python -m bench.http_bench [--duration 5] [--rounds 2] [--databases postgresql,sqlite]

Per database: start the server on a fresh database (timing spawn -> /health-check 200), restart
it three times (best time kept), seed patients, start the baselines, then alternate server and
baseline measurements (64 connections) for `--rounds` rounds, reversing the order each round; best
round per target. Each server row then runs once at 16 and once at 256 connections to look for
errors and stalls. Server and baselines share the server CPUs; wrk runs on the others (taskset).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path
from typing import Any

import asyncpg
from bench.http_bench import served
from bench.http_bench.processes import (
    AUTH,
    Process,
    create_key,
    import_floor,
    start_baseline,
    start_server,
    status_of,
)
from bench.http_bench.report import table, targets_text, write_json
from bench.http_bench.scenarios import GRAPHQL_PATIENT_QUERY, SCENARIOS, Scenario
from bench.http_bench.wrk import WrkResult, run_wrk

PG_ADMIN_URL = os.environ.get(
    "API_SERVER_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
SEED_PATIENTS = 200
STARTUP_RATIO = 1.2  # start to ready, against the import floor (SPEC 12)
RSS_OVER_FLOOR_MIB = 25.0  # per worker after load, over the import floor
RESTARTS = 3
QUEUE_DEADLINE_S = 1.0  # the server's default API_SERVER_QUEUE_DEADLINE, which the bench keeps
COMPARED = "compared"  # a row's rounds of the scenario it is compared with (`compare_to`)


def cpu_split() -> tuple[str | None, str | None, str]:
    cpus = sorted(os.sched_getaffinity(0))
    if shutil.which("taskset") is None or len(cpus) < 2:
        return None, None, "not pinned (needs taskset and 2+ CPUs)"
    half = max(1, len(cpus) // 2)
    server = ",".join(map(str, cpus[:half]))
    load = ",".join(map(str, cpus[half:]))
    return server, load, f"server+baselines on CPU {server}, wrk on CPU {load}"


def seed(server: Process) -> str:
    body = (
        '{"first_name":"Seed","last_name":"Patient","date_of_birth":"1970-01-01",'
        '"sex":"male","conditions":[],"allergies":[]}'
    )
    for _ in range(SEED_PATIENTS):
        assert status_of(server.port, "/api/v1/patients", "POST", body) == 201
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    connection.request("GET", "/api/v1/patients?limit=1", headers=AUTH)
    patient_id: str = json.loads(connection.getresponse().read())["items"][0]["id"]
    connection.close()
    return patient_id


BASELINES = (
    ("bare", "bare_app"),
    ("minimal_db", "minimal_db_app"),
    ("strawberry", "strawberry_app"),
)


def graphql_answers(server: Process, patient_id: str) -> str | None:
    """None when the GraphQL row can run, else why it is skipped."""
    if status_of(server.port, "/graphql", "POST", '{"query":"{ __typename }"}') != 200:
        return "no /graphql on this server yet"
    body = json.dumps({"query": GRAPHQL_PATIENT_QUERY, "variables": {"id": patient_id}})
    if status_of(server.port, "/graphql", "POST", body) != 200:
        return "/graphql does not answer the patient(id) query"
    return None


def measure(
    scenario: Scenario,
    patient_id: str,
    processes: dict[str, Process],
    args: argparse.Namespace,
    load_cpus: str | None,
) -> dict[str, Any]:
    # Authentication on, as deployed: every request carries the run's API key.
    auth = f'wrk.headers["Authorization"] = "{AUTH["Authorization"]}"\n'
    lua = auth + scenario.lua.replace("{patient_id}", patient_id)
    sides = [("server", processes["server"], scenario.path, lua)]
    if scenario.baseline is not None:
        b = scenario.baseline
        sides.append((b.process, processes[b.process], b.path, lua))
    if scenario.compare_to is not None:
        # The row it is compared with runs again, interleaved with this one, so the ratio is
        # not skewed by the machine's speed drifting between rows (seen: 2x within a run).
        other = next(s for s in SCENARIOS if s.name == scenario.compare_to[0])
        other_lua = auth + other.lua.replace("{patient_id}", patient_id)
        sides.append((COMPARED, processes["server"], other.path, other_lua))
    best: dict[str, WrkResult] = {}
    errors_64: dict[str, int] = {}
    failures_64 = 0
    for round_index in range(args.rounds):
        for name, process, path, side_lua in sides if round_index % 2 == 0 else reversed(sides):
            url = process.url + path.replace("{patient_id}", patient_id)
            result = run_wrk(
                url, lua=side_lua, connections=64, duration=args.duration, cpus=load_cpus
            )
            errors_64[name] = errors_64.get(name, 0) + result.errors
            failures_64 += result.failures if name in ("server", COMPARED) else 0
            if name not in best or result.rps > best[name].rps:
                best[name] = result
    url = processes["server"].url + scenario.path.replace("{patient_id}", patient_id)
    light = run_wrk(url, lua=lua, connections=16, duration=args.stress_duration, cpus=load_cpus)
    server, route = processes["server"], scenario.path.partition("?")[0]
    before = served.scrape(server.port, AUTH["Authorization"], route)
    stress = run_wrk(url, lua=lua, connections=256, duration=args.stress_duration, cpus=load_cpus)
    after = served.scrape(server.port, AUTH["Authorization"], route)
    served_p99_s, served_count = served.quantile(before, after, 0.99)
    return {
        "best": best,
        "errors_64": errors_64,
        "failures_64": failures_64,
        "light_16": light,
        "stress_256": stress,
        "served_256": {"p99_s": served_p99_s, "requests": served_count},
    }


def rows_for(database: str, scenario: Scenario, measured: dict[str, Any]) -> list[dict[str, Any]]:
    best: dict[str, WrkResult] = measured["best"]
    server = best["server"]
    rows = [
        {
            "database": database,
            "endpoint": scenario.name,
            "target": "server",
            **server.as_dict(),
            "errors_16": measured["light_16"].errors,
            "errors_64": measured["errors_64"]["server"],
            "errors_256": measured["stress_256"].errors,
            "failures_16_64_256": measured["light_16"].failures
            + measured["failures_64"]
            + measured["stress_256"].failures,
            "shed_256": measured["stress_256"].non_2xx,
            "p99_256_us": measured["stress_256"].p99_us,
            "served_p99_256_s": measured["served_256"]["p99_s"],
            "served_256": measured["served_256"]["requests"],
            "light_16": measured["light_16"].as_dict(),
            "stress_256": measured["stress_256"].as_dict(),
        }
    ]
    if COMPARED in best:
        rows[0]["compared_rps"] = best[COMPARED].rps
    if scenario.baseline is not None:
        base = best[scenario.baseline.process]
        rows[0]["ratio"] = server.rps / base.rps
        rows.append(
            {
                "database": database,
                "endpoint": scenario.name,
                "target": scenario.baseline.process,
                **base.as_dict(),
                "errors_64": measured["errors_64"][scenario.baseline.process],
            }
        )
    return rows


async def create_pg_database() -> str:
    name = f"api_server_bench_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(PG_ADMIN_URL, timeout=3)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return PG_ADMIN_URL.rpartition("/")[0] + "/" + name


async def drop_pg_database(url: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN_URL, timeout=3)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{url.rpartition("/")[2]}" WITH (FORCE)')
    finally:
        await conn.close()


def bench_database(
    database: str, url: str, workdir: Path, args: argparse.Namespace
) -> dict[str, Any]:
    server_cpus, load_cpus, _ = cpu_split()
    log = workdir / f"{database}.log"
    cold = start_server(url, cpus=server_cpus, log=log)  # fresh database: includes migrations
    cold.stop()
    # Noise only ever adds time: the best of a few restarts is the start-up's cost.
    restarts = []
    for _ in range(RESTARTS - 1):
        again = start_server(url, cpus=server_cpus, log=log)
        restarts.append(again.ready_s)
        again.stop()
    processes = {"server": start_server(url, cpus=server_cpus, log=log)}
    restarts.append(processes["server"].ready_s)
    try:
        create_key(url)
        patient_id = seed(processes["server"])
        for name, module in BASELINES:
            processes[name] = start_baseline(
                name, module, database_url=url, cpus=server_cpus, log=log
            )
        # The same server with events in process only: what the outbox costs a write.
        processes["no_outbox"] = start_server(
            url,
            cpus=server_cpus,
            log=log,
            name="no_outbox",
            settings={"API_SERVER_OUTBOX_ENABLED": "false"},
        )
        rows: list[dict[str, Any]] = []
        for scenario in SCENARIOS:
            skip = graphql_answers(processes["server"], patient_id) if scenario.requires else None
            if skip is not None:
                rows.append({"database": database, "endpoint": scenario.name, "skipped": skip})
                continue
            print(f"  {database}: {scenario.name}", flush=True)
            rows += rows_for(
                database, scenario, measure(scenario, patient_id, processes, args, load_cpus)
            )
        rss = {name: p.rss_mib() for name, p in processes.items()}
    finally:
        for process in processes.values():
            process.stop()
    return {
        "rows": rows,
        "import_floor": import_floor(server_cpus),
        "startup_s": {"fresh_database": cold.ready_s, "restart": min(restarts)},
        "restarts_s": restarts,
        "rss_mib": rss,
    }


def _server_row(rows: list[dict[str, Any]], endpoint: str) -> dict[str, Any] | None:
    return next(
        (r for r in rows if r["endpoint"] == endpoint and r.get("target") == "server"), None
    )


def evaluate(results: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    targets = []
    for database, result in results.items():
        rows = result["rows"]
        for scenario in SCENARIOS:
            row = _server_row(rows, scenario.name)
            if row is None:
                continue
            if scenario.baseline is not None:
                targets.append(
                    {
                        "name": f"{database} {scenario.name} vs {scenario.baseline.process}"
                        + ("" if scenario.baseline.spec else " (bench check, not SPEC 12)"),
                        "value": f"{row['ratio']:.2f}x",
                        "target": f">= {scenario.baseline.target}x",
                        "met": row["ratio"] >= scenario.baseline.target,
                    }
                )
            if scenario.compare_to is not None:
                other = _server_row(rows, scenario.compare_to[0])
                if other is not None:
                    # Against the rounds interleaved with this row's (older results: its row).
                    ratio = row["rps"] / row.get("compared_rps", other["rps"])
                    row["ratio_to"] = {scenario.compare_to[0]: ratio}
                    if scenario.baseline is None:
                        row["ratio"] = ratio
                    targets.append(
                        {
                            "name": f"{database} {scenario.name} vs REST",
                            "value": f"{ratio:.2f}x",
                            "target": f">= {scenario.compare_to[1]}x",
                            "met": ratio >= scenario.compare_to[1],
                        }
                    )
        server_rows = [r for r in rows if "rps" in r and r.get("target") == "server"]
        failures = sum(r.get("failures_16_64_256", 0) for r in server_rows)
        shed = sum(r.get("shed_256", 0) for r in server_rows)
        slowest = max((r.get("p99_256_us", 0) for r in server_rows), default=0)
        targets.append(
            {
                "name": f"{database} client timeouts and socket errors at 16, 64 and 256 conns "
                f"(fast 503s at 256: {shed}; worst p99 of all answers at 256: "
                f"{slowest / 1000:.0f} ms)",
                "value": str(failures),
                "target": "0",
                "met": failures == 0,
            }
        )
        p99s = [
            (r["served_p99_256_s"], r["endpoint"])
            for r in server_rows
            if not math.isnan(r.get("served_p99_256_s", math.nan))
        ]
        worst, endpoint = max(p99s, default=(math.nan, "none"))
        targets.append(
            {
                "name": f"{database} p99 of the served (2xx) requests at 256 conns, worst row "
                f"({endpoint}; server's histogram) vs the queue deadline",
                "value": f"{worst * 1000:.0f} ms",
                "target": f"< {QUEUE_DEADLINE_S * 1000:.0f} ms",
                "met": worst < QUEUE_DEADLINE_S,
            }
        )
    for database, result in results.items():
        floor_s, floor_rss = result["import_floor"]
        restart = result["startup_s"]["restart"]
        targets.append(
            {
                "name": f"{database} start to ready (best of {RESTARTS}) vs import floor "
                f"{floor_s:.3f} s",
                "value": f"{restart:.3f} s = {restart / floor_s:.2f}x",
                "target": f"<= {STARTUP_RATIO}x",
                "met": restart <= STARTUP_RATIO * floor_s,
            }
        )
        worker = max(result["rss_mib"]["server"])
        targets.append(
            {
                "name": f"{database} RSS per worker after load vs import floor {floor_rss:.1f} MiB",
                "value": f"{worker:.1f} MiB = floor + {worker - floor_rss:.1f}",
                "target": f"<= floor + {RSS_OVER_FLOOR_MIB:g}",
                "met": worker <= floor_rss + RSS_OVER_FLOOR_MIB,
            }
        )
    return targets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per measurement")
    parser.add_argument("--stress-duration", type=float, default=3.0, help="256-connection run")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--databases", default="postgresql,sqlite")
    args = parser.parse_args()
    _, _, pinning = cpu_split()
    print(f"wrk: 1 thread, 64 connections x {args.duration:g} s, {args.rounds} rounds; {pinning}")
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="api-server-bench-") as tmp:
        workdir = Path(tmp)
        for database in args.databases.split(","):
            if database == "postgresql":
                url = asyncio.run(create_pg_database())
                try:
                    results[database] = bench_database(database, url, workdir, args)
                finally:
                    asyncio.run(drop_pg_database(url))
            else:
                url = f"sqlite:///{workdir / 'bench.db'}"
                results[database] = bench_database(database, url, workdir, args)
    targets = evaluate(results)
    rows = [row for result in results.values() for row in result["rows"]]
    print()
    print(table(rows))
    print()
    for database, result in results.items():
        startup = ", ".join(f"{k} {v:.3f} s" for k, v in result["startup_s"].items())
        rss = ", ".join(
            f"{k} {'/'.join(f'{m:.0f}' for m in v)} MiB" for k, v in result["rss_mib"].items()
        )
        print(f"{database}: start to ready: {startup}; RSS per worker: {rss}")
    print("\nTargets:")
    print(targets_text(targets))
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.splitlines()
    path = write_json(
        {
            "settings": {**vars(args), "pinning": pinning, "wrk": wrk_version[:1]},
            "rows": rows,
            "startup_s": {d: r["startup_s"] for d, r in results.items()},
            "rss_mib": {d: r["rss_mib"] for d, r in results.items()},
            "targets": targets,
        }
    )
    print(f"\nJSON: {path}")


if __name__ == "__main__":
    main()
