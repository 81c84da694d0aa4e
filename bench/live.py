"""The live core at meeting scale, measured from outside with third-party Yjs clients.

`python -m bench.live` (options: `--sizes 25x100,50x200,100x400 --seconds 30 --servers convene,relay`)
runs, for each size E x R, E typists (5 keys a second at random places, each keystroke also moving
their cursor, so awareness flows as from the real editor) and R readers on one document, all in ONE
Node process (`bench/live_clients.mjs`: yjs + y-protocols + socket.io-client from node_modules), first
against a bare Node socket.io relay (`bench/live_relay.mjs`: no auth, no storage, one emit per
message) and then against Convene (gunicorn as `make run` starts it, on a fresh SQLite database, or
PostgreSQL + Redis under TEST_DATABASE_URL / SOCKETIO_MESSAGE_QUEUE), so both are measured in the
same run on the same machine load. It prints one JSON object: p50/p99 keystroke -> every other
screen, the delivered fraction, whether every copy ended equal, the acks, refusals, CPU and the
1-minute load average (the machine is shared: compare with the relay of the same run).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EDITOR_ACCOUNTS = ["lee@policing.test", "sam@socialwork.test", "priya@psychiatry.test", "jo@policing.test",
                   "maria@socialwork.test"]
READER_ACCOUNTS = ["omar@psychiatry.test", "admin@convene.test"]


def log(*args) -> None:
    print(*args, file=sys.stderr, flush=True)


def loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def cpu_seconds(pid: int) -> float:
    total = 0.0
    for p in [pid] + _children(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (FileNotFoundError, IndexError, ProcessLookupError):
            pass
    return total


def _children(pid: int) -> list[int]:
    out = []
    for path in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = path.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                out.append(int(path.parent.name))
        except (FileNotFoundError, IndexError, ValueError, ProcessLookupError):
            pass
    return out


def run_clients(options: dict, timeout: float) -> dict:
    options = {"root": str(ROOT), **options}
    result = subprocess.run(["node", str(ROOT / "bench" / "live_clients.mjs"), json.dumps(options)], cwd=ROOT,
                            capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f"the Node clients failed:\n{result.stderr[-4000:]}")
    lines = result.stderr.splitlines()
    for line in [l for l in lines if "could not read" in l][:3] + lines[-5:]:
        log("  node:", line)
    return json.loads(result.stdout.strip().splitlines()[-1])


def relay_run(size: tuple[int, int], seconds: float, common: dict) -> dict:
    relay = subprocess.Popen(["node", str(ROOT / "bench" / "live_relay.mjs"), str(ROOT)], cwd=ROOT,
                             stdout=subprocess.PIPE, text=True)
    try:
        port = int(relay.stdout.readline().split()[1])
        before = cpu_seconds(relay.pid)
        started = time.monotonic()
        result = run_clients({**common, "url": f"http://127.0.0.1:{port}", "documentId": 1,
                              "editors": size[0], "readers": size[1], "seconds": seconds},
                             timeout=seconds + 300)
        result["server_cpu_percent_of_one_core"] = round(
            100 * (cpu_seconds(relay.pid) - before) / (time.monotonic() - started), 1)
        return result
    finally:
        relay.terminate()
        relay.wait(timeout=10)


def convene_run(servers: list, size: tuple[int, int], seconds: float, common: dict) -> dict:
    import requests
    server = servers[0]
    tokens = server.tokens
    response = requests.post(
        f"{server.url}/api/v1/spaces/{server.space_id('Crisis response policy 2027')}/documents",
        json={"title": f"Load {size[0]}+{size[1]}", "text": "Typing test.\n" * 40},
        headers={"Authorization": f"Bearer {tokens[EDITOR_ACCOUNTS[0]]}"}, timeout=60)
    assert response.status_code == 201, response.text
    document_id = response.json()["id"]
    pids = [each.process.pid for each in servers]
    before = sum(cpu_seconds(pid) for pid in pids)
    started = time.monotonic()
    result = run_clients({**common, "url": server.url, "urls": [each.url for each in servers], "documentId": document_id,
                          "editorTokens": [tokens[e] for e in EDITOR_ACCOUNTS],
                          "readerTokens": [tokens[r] for r in READER_ACCOUNTS],
                          "editors": size[0], "readers": size[1], "seconds": seconds}, timeout=seconds + 300)
    result["server_cpu_percent_of_one_core"] = round(
        100 * (sum(cpu_seconds(pid) for pid in pids) - before) / (time.monotonic() - started), 1)
    result["document_id"] = document_id
    result["processes"] = len(servers)
    logs = "".join(each.log() for each in servers)
    Path(tempfile.gettempdir(), "convene-live-server.log").write_text(logs)  # kept for a look afterwards
    errors = [line for line in logs.splitlines() if " ERROR " in line]
    result["server_errors"] = len(errors)
    if errors:
        log("  server errors (first 3):\n    " + "\n    ".join(errors[:3]))
        log(logs[logs.find("Traceback"):][:3000])
    # The durable truth: what a fresh reader gets from the API must equal the clients' copies.
    stored = requests.get(f"{server.url}/api/v1/documents/{document_id}",
                          headers={"Authorization": f"Bearer {tokens[EDITOR_ACCOUNTS[0]]}"}, timeout=60)
    if stored.status_code == 200:
        body = stored.json()
        result["stored_length"] = len(body.get("text", "")) if isinstance(body.get("text"), str) else None
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="25x100,50x200,100x400", help="typists x readers, comma-separated")
    parser.add_argument("--seconds", type=float, default=30, help="typing time per size")
    parser.add_argument("--servers", default="relay,convene", help="relay, convene or both (in this order)")
    parser.add_argument("--no-cursors", action="store_true", help="typists do not move their cursor")
    parser.add_argument("--worker", choices=("gevent", "gthread"), default="gevent",
                        help="gunicorn's worker: gevent (make run's) or gthread (threads, to compare)")
    parser.add_argument("--threads", type=int, default=int(os.environ.get("THREADS", 600)),
                        help="gunicorn threads for --worker gthread (each WebSocket holds one)")
    parser.add_argument("--processes", type=int, default=1,
                        help="Convene app processes on one database (clients spread over them; use "
                             "PostgreSQL + Redis: TEST_DATABASE_URL and SOCKETIO_MESSAGE_QUEUE)")
    parser.add_argument("--app", default=os.environ.get("BENCH_APP_MODULE", "wsgi:app"))
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    sizes = [tuple(int(n) for n in s.split("x")) for s in args.sizes.split(",")]
    servers = args.servers.split(",")
    common = {"cursors": not args.no_cursors, "keysPerSecond": 5}
    report = {"benchmark": "live", "cpus": os.cpu_count(), "loadavg_start": loadavg(),
              "database": "postgresql" if os.environ.get("TEST_DATABASE_URL") else "sqlite",
              "message_queue": bool(os.environ.get("SOCKETIO_MESSAGE_QUEUE")), "worker": args.worker, "processes": args.processes, "runs": []}
    server, processes = None, []
    with tempfile.TemporaryDirectory(prefix="convene-live-") as tmp:
        try:
            if "convene" in servers:
                from tests.realtime.restartable import make_restartable
                log(f"starting Convene (gunicorn {args.worker} worker; load {loadavg()})…")
                server = make_restartable(Path(tmp), emails=EDITOR_ACCOUNTS + READER_ACCOUNTS,
                                          threads=args.threads, app_module=args.app,
                                          extra_env={"CONVENE_WORKER_CLASS": args.worker})
                from tests.realtime.restartable import another_process
                processes = [server] + [another_process(server, Path(tmp) / f"server{n}.log")
                                        for n in range(2, args.processes + 1)]
            for size in sizes:
                for kind in servers:
                    load = loadavg()
                    log(f"{kind}: {size[0]} typists + {size[1]} readers for {args.seconds:.0f}s (load {load})…")
                    if kind == "relay":
                        result = relay_run(size, args.seconds, common)
                    else:
                        result = convene_run(processes, size, args.seconds, common)
                    result.update(server=kind, size=f"{size[0]}+{size[1]}", loadavg_before=load,
                                  loadavg_after=loadavg())
                    log(f"  p50 {result['latency_ms']['p50']} ms, p99 {result['latency_ms']['p99']} ms, "
                        f"delivered {result['delivered_fraction']}, converged {result['converged']}, "
                        f"refused {result['refused']}, server CPU {result['server_cpu_percent_of_one_core']}%, "
                        f"node CPU {result['node_cpu_percent_of_one_core_typing']}%")
                    report["runs"].append(result)
                    time.sleep(2)
        finally:
            for extra in processes[1:]:
                extra.stop()
            if server is not None:
                from tests.realtime.restartable import drop
                drop(server)
    report["loadavg_end"] = loadavg()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
