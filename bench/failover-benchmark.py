#!/usr/bin/env python3
"""End-to-end failover time: kill -9 of a real MariaDB primary → new primary writable, replicas repointed,
post-failover hook finished. One Baton node (`baton serve`), a fresh sandbox of 1 primary + 3 replicas per trial.

Usage: bench/failover-benchmark.py [--trials 10] [--poll 1 5] [--baton PATH]

Per trial it kills the primary, waits for the recovery and its post-failover hook, then reads the split from
Baton's SQLite file (failure detection time, audit steps with millisecond timestamps) and from the hook's own
clock:
  detection  kill → failure detection registered
  decision   detection → plan decided and execution started (gate, registration, ranking, policy, pre hooks)
  promotion  execution start → candidate promoted (writable)
  repoint    promotion → recovery resolved (followers repointed and replicating)
  hooks      resolution → PostFailoverProcesses hook finished
  total      kill → hook finished
"""
import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchkit import ROOT, SANDBOX, api, sandbox_down, sandbox_up, stop, wait  # noqa: E402


def trial(baton, poll):
    work = tempfile.mkdtemp(prefix="baton-failover-bench-")
    daemon = None
    try:
        base_port = sandbox_up(work)
        api_port = base_port + 9
        config = {
            "ListenAddress": f"127.0.0.1:{api_port}", "BackendDB": "sqlite",
            "SQLite3DataFile": f"{work}/baton.sqlite3", "MySQLTopologyUser": "baton",
            "MySQLTopologyPassword": "baton_pw", "InstancePollSeconds": poll, "DiscoverByShowSlaveHosts": True,
            "MySQLHostnameResolveMethod": "@@report_host", "MySQLConnectTimeoutSeconds": 1,
            "RecoverMasterClusterFilters": ["*"],
            "PostFailoverProcesses": [f"python3 -c 'import time; print(time.time())' > {work}/hook-done"],
        }
        with open(f"{work}/baton.conf.json", "w") as f:
            json.dump(config, f)
        log = open(f"{work}/baton.log", "w")
        daemon = subprocess.Popen([baton, "serve", "--config", f"{work}/baton.conf.json"], stdout=log, stderr=log)
        base = f"http://127.0.0.1:{api_port}"
        if not wait(lambda: api(base, "lb-check"), 30):
            raise RuntimeError("baton serve did not start")
        api(base, f"discover/127.0.0.1/{base_port + 1}")
        if not wait(lambda: len([i for i in api(base, "all-instances") if i["IsLastCheckValid"]]) == 4, 60):
            raise RuntimeError("discovery incomplete")
        primary = f"127.0.0.1/{base_port + 1}"
        wait(lambda: api(base, f"replication-analysis/instance/{primary}")["Details"][0]["Analysis"] == "NoProblem", 30)
        time.sleep(poll)  # let every replica be probed once more in the steady state

        killed_at = time.time()
        subprocess.run([SANDBOX, "kill", "--dir", f"{work}/sandbox", "1"], check=True, stdout=subprocess.DEVNULL)
        if not wait(lambda: os.path.exists(f"{work}/hook-done") and os.path.getsize(f"{work}/hook-done") > 0, 120):
            raise RuntimeError("no successful recovery within 120 s; see " + f"{work}/baton.log")
        hook_done = float(open(f"{work}/hook-done").read().strip())

        db = sqlite3.connect(f"file:{work}/baton.sqlite3?mode=ro", uri=True)
        detected = db.execute("SELECT MIN(detected_at) FROM failure_detection").fetchone()[0]
        uid, success = db.execute("SELECT uid, is_successful FROM topology_recovery ORDER BY id LIMIT 1").fetchone()
        steps = db.execute("SELECT audit_at, message FROM topology_recovery_step WHERE recovery_uid = ? ORDER BY id",
                           (uid,)).fetchall()
        db.close()

        def step(prefix):
            return next(at for at, message in steps if message.startswith(prefix))

        executing = step("executing")
        promoted = step("promote ")
        resolved = step("resolved:")
        # the new primary really is writable
        successor = api(base, "audit-recovery")[0]["SuccessorKey"]["Port"] - base_port
        read_only = subprocess.run([SANDBOX, "sql", "--dir", f"{work}/sandbox", str(successor), "SELECT @@read_only"],
                                   check=True, capture_output=True, text=True).stdout.strip()
        if not success or read_only != "0":
            raise RuntimeError(f"recovery not successful (is_successful={success}, read_only={read_only})")
        return {
            "detection": detected - killed_at, "decision": executing - detected, "promotion": promoted - executing,
            "repoint": resolved - promoted, "hooks": hook_done - resolved, "total": hook_done - killed_at,
        }
    finally:
        stop([daemon] if daemon is not None else [])
        sandbox_down(work)
        shutil.rmtree(work, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--poll", type=int, nargs="+", default=[1, 5])
    parser.add_argument("--baton", default=os.path.join(ROOT, ".build", "debug", "baton"))
    args = parser.parse_args()
    columns = ["detection", "decision", "promotion", "repoint", "hooks", "total"]
    print(f"baton: {args.baton}")
    for poll in args.poll:
        results = []
        for number in range(1, args.trials + 1):
            result = trial(args.baton, poll)
            results.append(result)
            print(f"InstancePollSeconds {poll} trial {number}: "
                  + "  ".join(f"{c} {result[c] * 1000:.0f} ms" for c in columns), flush=True)
        print(f"\nInstancePollSeconds {poll}, {len(results)} trials (ms):")
        print("  " + " ".join(f"{c:>10}" for c in ["", *columns]))
        for name, func in [("p50", statistics.median), ("max", max)]:
            print("  " + f"{name:>10}" + " ".join(f"{func([r[c] for r in results]) * 1000:>10.0f}" for c in columns))
        print(flush=True)


if __name__ == "__main__":
    sys.exit(main())
