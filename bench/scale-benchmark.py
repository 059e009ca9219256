#!/usr/bin/env python3
"""One Baton node against thousands of simulated servers: probe throughput, staleness, CPU, memory, SQLite, and
detection + recovery time when primaries die at once. See docs/scale.md.

Usage: bench/scale-benchmark.py [--sizes 1000 5000 10000] [--poll 1 5] [--kills 1 10 100] [--window 30]
                                [--baton PATH] [--fleet PATH] [--json FILE]

Per size and InstancePollSeconds it starts `baton-fleet` (clusters of 1 primary + 4 replicas, MariaDB with GTID,
one loopback address per server, all on one port; two fleet processes of at most 5,000 servers each, because a
fleet needs two descriptors per server and containers often cap them at 20,000), then `baton serve` with every
primary as a DiscoverySeed and RecoverMasterClusterFilters ["*"]; it waits until every server is discovered and
its last check is valid, warms up, and measures over --window seconds:

  probes/s    increase of Baton's baton_probes_total (/metrics) per second; the target is servers / poll
  staleness   time since each server's last successful check (its last_seen), at every half second of the
              window, over all servers: p50, p99, max. The probe times are read from Baton's SQLite file every
              0.25 s (each distinct last_seen is one successful probe), so the write-behind delay does not count
  CPU         (utime + stime) of the baton process over the window / window, in cores (fleet processes apart)
  RSS         VmRSS of the baton process at the end of the window
  SQLite      instance rows written per second (baton_store_instance_writes_total), bytes the process wrote to
              storage per second (/proc/PID/io write_bytes: WAL and checkpoints), file size (+ WAL) at the end

Then for each count in --kills it kills that many primaries of untouched clusters at once through the fleet's
control port and reads Baton's SQLite: detection = failure_detection.detected_at - kill, recovery =
topology_recovery.ended_at - kill (p50 and max over the killed primaries), and how many were successful.

The load average of the machine is printed with each row: the fleet runs on the same cores as Baton.
"""
import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
FLEET_PROCESS_LIMIT = 5000


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values, fraction):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def rss_mb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def write_bytes(pid):
    try:
        for line in open(f"/proc/{pid}/io"):
            if line.startswith("write_bytes:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def load_average():
    return float(open("/proc/loadavg").read().split()[0])


def metrics(api):
    text = urllib.request.urlopen(f"{api}/metrics", timeout=30).read().decode()
    values = {}
    for line in text.splitlines():
        match = re.match(r"^([a-z_]+)(\{[^}]*\})? ([0-9.eE+-]+)$", line)
        if match:
            values[match.group(1)] = values.get(match.group(1), 0) + float(match.group(3))
    return values


class Fleet:
    """One baton-fleet process."""

    def __init__(self, binary, work, index, clusters, base_address, port):
        self.control = ("127.0.0.1", free_port())
        self.instances_file = f"{work}/fleet-{index}.json"
        self.log = open(f"{work}/fleet-{index}.log", "w")
        self.process = subprocess.Popen(
            [binary, "--clusters", str(clusters), "--replicas-per-cluster", "4", "--flavor", "mariadb",
             "--base-address", base_address, "--port", str(port), "--control", "%s:%d" % self.control,
             "--instances-json", self.instances_file],
            stdout=subprocess.PIPE, stderr=self.log, text=True)
        for line in self.process.stdout:
            if line.startswith("baton-fleet ready"):
                break
        else:
            self.process.wait()
            raise RuntimeError(f"baton-fleet {index} did not start; see {work}/fleet-{index}.log")
        self.instances = json.load(open(self.instances_file))
        for server in self.instances:
            server["keyText"] = "%s:%d" % (server["key"]["Hostname"], server["key"]["Port"])

    def command(self, line):
        with socket.create_connection(self.control, timeout=60) as s:
            s.sendall((line + "\n").encode())
            answer = b""
            while not answer.endswith(b"\n"):
                chunk = s.recv(65536)
                if not chunk:
                    break
                answer += chunk
        return json.loads(answer)

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def wait(condition, timeout, interval=0.5):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            value = condition()
            if value:
                return value
        except Exception:
            pass
        time.sleep(interval)
    return None


def run(args, size, poll):
    work = tempfile.mkdtemp(prefix="baton-scale-bench-")
    fleets, daemon = [], None
    row = {"servers": size, "poll": poll}
    try:
        # One loopback address per server (127.B.x.y), one port for all: like a real fleet on host:3306. A port
        # some other program listens on for every address is taken: try another.
        processes = (size + FLEET_PROCESS_LIMIT - 1) // FLEET_PROCESS_LIMIT
        for attempt in range(5):
            port = random.randrange(20000, 30000)
            first_block = random.randrange(20, 150)
            try:
                for index in range(processes):
                    servers = min(FLEET_PROCESS_LIMIT, size - index * FLEET_PROCESS_LIMIT)
                    fleets.append(Fleet(args.fleet, work, index, servers // 5, f"127.{first_block + 50 * index}.0.1",
                                        port))
                break
            except RuntimeError:
                for fleet in fleets:
                    fleet.stop()
                fleets = []
        else:
            raise RuntimeError(f"baton-fleet did not start in 5 attempts; see {work}/fleet-*.log")
        primaries = [s for fleet in fleets for s in fleet.instances if s.get("source") is None]

        api_port = free_port()
        api = f"http://127.0.0.1:{api_port}"
        config = {
            "ListenAddress": f"127.0.0.1:{api_port}", "BackendDB": "sqlite", "SQLite3DataFile": f"{work}/baton.sqlite3",
            "MySQLTopologyUser": "baton", "MySQLTopologyPassword": "baton_pw", "InstancePollSeconds": poll,
            "DefaultInstancePort": port, "DiscoverySeeds": [p["keyText"] for p in primaries],
            "RecoverMasterClusterFilters": ["*"],
        }
        json.dump(config, open(f"{work}/baton.conf.json", "w"))
        log = open(f"{work}/baton.log", "w")
        started = time.time()
        daemon = subprocess.Popen([args.baton, "serve", "--config", f"{work}/baton.conf.json"], stdout=log,
                                  stderr=log)
        if not wait(lambda: urllib.request.urlopen(f"{api}/api/lb-check", timeout=5).status == 200, 60, 0.1):
            raise RuntimeError(f"baton serve did not start; see {work}/baton.log")
        db = sqlite3.connect(f"file:{work}/baton.sqlite3?mode=ro", uri=True, timeout=30)

        def valid():
            return db.execute("SELECT COUNT(*) FROM instance WHERE last_seen IS NOT NULL "
                              "AND last_checked <= last_seen").fetchone()[0]

        if not wait(lambda: valid() >= size, 600):
            raise RuntimeError(f"only {valid()} of {size} servers discovered; see {work}/baton.log")
        row["discovered_s"] = time.time() - started
        time.sleep(max(10, 3 * poll))

        # The measurement window.
        pid = daemon.pid
        before = metrics(api)
        cpu0, io0, t0 = cpu_seconds(pid), write_bytes(pid), time.time()
        fleet_cpu0 = sum(cpu_seconds(f.process.pid) for f in fleets)
        load0 = load_average()
        seen = {}  # key -> set of last_seen values
        profiler = None
        if args.perf:
            profiler = subprocess.Popen(
                ["perf", "record", "-F", "499", "-g", "-p", str(pid), "-o", f"{args.perf}-{size}-{poll}.data"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while time.time() < t0 + args.window:
            for host, port_, last_seen in db.execute("SELECT hostname, port, last_seen FROM instance"):
                if last_seen is not None:
                    seen.setdefault((host, port_), set()).add(last_seen)
            time.sleep(0.25)
        t1 = time.time()
        cpu1, io1 = cpu_seconds(pid), write_bytes(pid)
        if profiler is not None:
            profiler.send_signal(signal.SIGINT)
            profiler.wait()
        fleet_cpu1 = sum(cpu_seconds(f.process.pid) for f in fleets)
        after = metrics(api)
        elapsed = t1 - t0
        # Every probe finished before t1 - 1 s has been written (write-behind every 200 ms): judge up to there.
        staleness = []
        grid = [t0 + poll + i * 0.5 for i in range(int((elapsed - poll - 1) / 0.5) + 1)]
        for times in seen.values():
            ordered = sorted(times)
            index = 0
            for at in grid:
                while index + 1 < len(ordered) and ordered[index + 1] <= at:
                    index += 1
                if ordered[index] <= at:
                    staleness.append(at - ordered[index])
        row.update({
            "probes_per_s": (after.get("baton_probes_total", 0) - before.get("baton_probes_total", 0)) / elapsed,
            "target_per_s": size / poll,
            "probe_errors": after.get("baton_probe_errors_total", 0) - before.get("baton_probe_errors_total", 0),
            "staleness_p50": percentile(staleness, 0.5), "staleness_p99": percentile(staleness, 0.99),
            "staleness_max": max(staleness) if staleness else float("nan"),
            "cpu_cores": (cpu1 - cpu0) / elapsed, "fleet_cpu_cores": (fleet_cpu1 - fleet_cpu0) / elapsed,
            "rss_mb": rss_mb(pid),
            "rows_per_s": (after.get("baton_store_instance_writes_total", 0)
                           - before.get("baton_store_instance_writes_total", 0)) / elapsed,
            "write_mb_per_s": (io1 - io0) / elapsed / 1e6,
            "db_mb": sum(os.path.getsize(f"{work}/baton.sqlite3{suffix}") for suffix in ("", "-wal")
                         if os.path.exists(f"{work}/baton.sqlite3{suffix}")) / 1e6,
            "load": (load0 + load_average()) / 2,
        })

        # Primaries of untouched clusters die at once.
        untouched = list(range(len(primaries)))
        random.shuffle(untouched)
        row["failures"] = []
        for count in args.kills:
            chosen = [primaries[untouched.pop()] for _ in range(min(count, len(untouched)))]
            byfleet = {}
            for server in chosen:
                fleet = next(f for f in fleets if server in f.instances)
                byfleet.setdefault(fleet, []).append(server["name"])
            killed_at = time.time()
            for fleet, names in byfleet.items():
                fleet.command("kill " + " ".join(names))
            keys = [(s["key"]["Hostname"], s["key"]["Port"]) for s in chosen]
            marks = ",".join("(?, ?)" for _ in keys)
            flat = [v for key in keys for v in key]

            def resolved():
                rows = db.execute(f"SELECT hostname, port, ended_at, is_successful FROM topology_recovery "
                                  f"WHERE (hostname, port) IN (VALUES {marks}) AND ended_at IS NOT NULL", flat).fetchall()
                return rows if len({(h, p) for h, p, _, _ in rows}) >= len(keys) else None

            recoveries = wait(resolved, 300 + 3 * count, 0.2) or []
            detections = db.execute(f"SELECT hostname, port, MIN(detected_at) FROM failure_detection "
                                    f"WHERE (hostname, port) IN (VALUES {marks}) GROUP BY hostname, port", flat).fetchall()
            detection = [at - killed_at for _, _, at in detections]
            first_end = {}
            for host, port_, ended, _ in recoveries:
                first_end[(host, port_)] = min(ended, first_end.get((host, port_), ended))
            recovery = [ended - killed_at for ended in first_end.values()]
            row["failures"].append({
                "killed": len(keys), "detected": len(detection), "recovered": len(first_end),
                "successful": len({(h, p) for h, p, _, ok in recoveries if ok}), "registered": len(recoveries),
                "detection_p50": percentile(detection, 0.5), "detection_max": max(detection, default=float("nan")),
                "recovery_p50": percentile(recovery, 0.5), "recovery_max": max(recovery, default=float("nan")),
                "load": load_average(),
            })
            time.sleep(max(5, 2 * poll))
        db.close()
        return row
    finally:
        if daemon is not None and daemon.poll() is None:
            daemon.send_signal(signal.SIGTERM)
            try:
                daemon.wait(timeout=60)
            except subprocess.TimeoutExpired:
                daemon.kill()
                daemon.wait()
        for fleet in fleets:
            fleet.stop()
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


def print_tables(rows):
    print("\n| servers | poll s | discovered in s | probes/s (target) | staleness p50 / p99 / max s | baton CPU cores "
          "| RSS MB | SQLite rows/s | written MB/s | SQLite MB | fleet CPU cores | load avg |")
    print("|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['servers']:,} | {r['poll']} | {r['discovered_s']:.1f} | {r['probes_per_s']:,.0f} "
              f"({r['target_per_s']:,.0f}) | {r['staleness_p50']:.2f} / {r['staleness_p99']:.2f} / "
              f"{r['staleness_max']:.2f} | {r['cpu_cores']:.2f} | {r['rss_mb']:.0f} | {r['rows_per_s']:,.0f} | "
              f"{r['write_mb_per_s']:.1f} | {r['db_mb']:.1f} | {r['fleet_cpu_cores']:.2f} | {r['load']:.1f} |")
    print("\n| servers | poll s | primaries killed | detection p50 / max ms | recovered p50 / max ms "
          "| successful | recoveries registered | load avg |")
    print("|---:|---:|---:|---|---|---:|---:|---:|")
    for r in rows:
        for f in r["failures"]:
            print(f"| {r['servers']:,} | {r['poll']} | {f['killed']} | {f['detection_p50'] * 1000:.0f} / "
                  f"{f['detection_max'] * 1000:.0f} | {f['recovery_p50'] * 1000:.0f} / {f['recovery_max'] * 1000:.0f} "
                  f"| {f['successful']}/{f['killed']} | {f['registered']} | {f['load']:.1f} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 10000])
    parser.add_argument("--poll", type=int, nargs="+", default=[1, 5])
    parser.add_argument("--kills", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--window", type=float, default=30)
    parser.add_argument("--baton", default=os.path.join(ROOT, ".build", "release", "baton"))
    parser.add_argument("--fleet", default=os.path.join(ROOT, ".build", "release", "baton-fleet"))
    parser.add_argument("--json", help="also write the rows as JSON to this file")
    parser.add_argument("--keep", action="store_true", help="keep each run's directory (logs, SQLite file)")
    parser.add_argument("--perf", metavar="PREFIX",
                        help="record the baton process with `perf record -g` during each window to PREFIX-SIZE-POLL.data")
    args = parser.parse_args()
    print(f"baton: {args.baton}\nbaton-fleet: {args.fleet}\ncores: {os.cpu_count()}, load average at start: "
          f"{open('/proc/loadavg').read().strip()}", flush=True)
    rows = []
    for size in args.sizes:
        for poll in args.poll:
            row = run(args, size, poll)
            rows.append(row)
            print(json.dumps(row), flush=True)
            if args.json:
                json.dump(rows, open(args.json, "w"), indent=1)
    print_tables(rows)


if __name__ == "__main__":
    main()
