#!/usr/bin/env python3
"""Raft leadership with real `baton serve` processes: kill -9 of the leader → another node answers `leader-check` 200,
and `raft-yield` (leadership transfer) → the named node answers 200.

Usage: bench/raft-election-benchmark.py [--trials 30] [--tick-ms 100] [--baton PATH]

Per trial: three fresh `baton serve` on 127.0.0.1, 127.0.0.2, 127.0.0.3 (no database needed), wait for a leader, yield
leadership to another node (timed), then kill -9 the leader and poll `leader-check` on the other two every 10 ms
(timed). Prints each trial and p50/p99/max.
"""
import argparse
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def status(url):
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except Exception:
        return None


def leaders(apis):
    return [i for i, api in enumerate(apis) if status(f"{api}/api/leader-check") == 200]


def wait_for(condition, timeout, interval=0.01):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = condition()
        if value is not None:
            return value
        time.sleep(interval)
    return None


def trial(baton, tick_ms):
    work = tempfile.mkdtemp(prefix="baton-raft-bench-")
    raft_port = random.randrange(20000, 40000)
    http_ports = [raft_port + 1 + i for i in range(3)]
    addresses = [f"127.0.0.{i + 1}:{raft_port}" for i in range(3)]
    processes = []
    try:
        for i in range(3):
            config = {
                "ListenAddress": f"127.0.0.1:{http_ports[i]}", "BackendDB": "sqlite",
                "SQLite3DataFile": f"{work}/node{i}.sqlite3", "RaftEnabled": True, "RaftBind": addresses[i],
                "RaftNodes": addresses, "RaftDataDir": f"{work}/raft{i}", "RaftSharedSecret": "bench",
                "RaftTickMilliseconds": tick_ms,
            }
            with open(f"{work}/node{i}.json", "w") as f:
                json.dump(config, f)
            log = open(f"{work}/node{i}.log", "w")
            processes.append(subprocess.Popen([baton, "serve", "--config", f"{work}/node{i}.json"], stdout=log,
                                              stderr=log))
        apis = [f"http://127.0.0.1:{port}" for port in http_ports]
        leader = wait_for(lambda: (lambda found: found[0] if len(found) == 1 else None)(leaders(apis)), 60, 0.05)
        if leader is None:
            raise RuntimeError("no leader within 60 s")
        time.sleep(1)  # let the leader publish its API and settle

        target = (leader + 1) % 3
        started = time.time()
        code = status(f"{apis[leader]}/api/raft-yield/{addresses[target]}")
        moved = wait_for(lambda: target if status(f"{apis[target]}/api/leader-check") == 200 else None, 30)
        transfer = time.time() - started
        if code != 200 or moved is None:
            raise RuntimeError(f"raft-yield answered {code}; target leads: {moved is not None}")
        leader = target
        time.sleep(1)

        others = [i for i in range(3) if i != leader]
        killed_at = time.time()
        processes[leader].send_signal(signal.SIGKILL)
        new_leader = wait_for(
            lambda: next((i for i in others if status(f"{apis[i]}/api/leader-check") == 200), None), 60)
        failover = time.time() - killed_at
        if new_leader is None:
            kept = shutil.copytree(work, work + "-failed", ignore=shutil.ignore_patterns("*.sqlite3*", "raft*"))
            raise RuntimeError(f"no new leader within 60 s (logs kept in {kept})")
        return transfer, failover
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(work, ignore_errors=True)


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--tick-ms", type=int, default=100)
    parser.add_argument("--baton", default=os.path.join(ROOT, ".build", "debug", "baton"))
    args = parser.parse_args()
    transfers, failovers, failures = [], [], []
    for number in range(1, args.trials + 1):
        try:
            transfer, failover = trial(args.baton, args.tick_ms)
        except RuntimeError as error:
            # Reported, not hidden: e.g. a transfer the leader abandoned after an election timeout under load.
            failures.append(str(error))
            print(f"trial {number}: FAILED: {error}", flush=True)
            continue
        transfers.append(transfer)
        failovers.append(failover)
        print(f"trial {number}: raft-yield → target leads {transfer * 1000:.0f} ms; "
              f"kill -9 of the leader → new leader-check 200 {failover * 1000:.0f} ms", flush=True)
    print(f"\nRaftTickMilliseconds {args.tick_ms}, {len(failovers)} trials of {args.trials} (ms); "
          f"{len(failures)} failed" + (f": {sorted(set(failures))}" if failures else ""))
    for name, values in [("kill -9 → new leader", failovers), ("raft-yield → target leads", transfers)]:
        print(f"  {name:28} p50 {statistics.median(values) * 1000:6.0f}  p99 {percentile(values, 0.99) * 1000:6.0f}  "
              f"max {max(values) * 1000:6.0f}")


if __name__ == "__main__":
    sys.exit(main())
