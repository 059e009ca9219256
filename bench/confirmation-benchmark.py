#!/usr/bin/env python3
"""What the group's confirmation round costs a failover: kill -9 of a real MariaDB primary watched by a three-node
Raft group of `baton serve` processes on loopback (127.0.0.1, .2, .3), then the leader's recovery read back.

Usage: bench/confirmation-benchmark.py [--trials 10] [--baton PATH]

Per trial: a fresh sandbox of 1 primary + 3 replicas, three nodes with RaftSharedSecret, InstancePollSeconds 1 and
MySQLConnectTimeoutSeconds 1, kill -9 of the primary. From the leader's audit (`audit-recovery`, its `Confirmation`
document, and the audit steps with millisecond timestamps):
  round      the confirmation round as the leader measured it (every voter asked in parallel, each re-probing the
             primary and its replicas; what the round adds before the recovery is registered)
  slowest    the slowest voter's own look (its re-probes), as it reported it
  detection  kill → failure detection registered
  decision   detection → execution started (gate, the round, registration, ranking, pre-failover)
  total      kill → recovery resolved
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
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchkit import ROOT, SANDBOX, api, sandbox_down, sandbox_up, stop, wait  # noqa: E402


def trial(baton):
    work = tempfile.mkdtemp(prefix="baton-confirmation-bench-")
    daemons = []
    try:
        base_port = sandbox_up(work)
        api_port, raft_port = base_port + 8, base_port + 9
        raft_nodes = [f"127.0.0.{n}:{raft_port}" for n in (1, 2, 3)]
        bases = []
        for n in (1, 2, 3):
            node = f"{work}/node{n}"
            os.makedirs(node)
            config = {
                "ListenAddress": f"127.0.0.{n}:{api_port}", "SQLite3DataFile": f"{node}/baton.sqlite3",
                "MySQLTopologyUser": "baton", "MySQLTopologyPassword": "baton_pw", "InstancePollSeconds": 1,
                "DiscoverByShowSlaveHosts": True, "MySQLHostnameResolveMethod": "@@report_host",
                "MySQLConnectTimeoutSeconds": 1, "RecoverMasterClusterFilters": ["*"], "RaftEnabled": True,
                "RaftBind": raft_nodes[n - 1], "RaftNodes": raft_nodes, "RaftDataDir": f"{node}/raft",
                "RaftSharedSecret": "confirmation benchmark",
            }
            with open(f"{node}/baton.conf.json", "w") as f:
                json.dump(config, f)
            log = open(f"{node}/baton.log", "w")
            daemons.append(subprocess.Popen([baton, "serve", "--config", f"{node}/baton.conf.json"], stdout=log,
                                            stderr=log))
            bases.append(f"http://127.0.0.{n}:{api_port}")
        for base in bases:
            if not wait(lambda: api(base, "lb-check"), 30):
                raise RuntimeError("baton serve did not start")

        def leader():
            for base in bases:
                try:
                    urllib.request.urlopen(f"{base}/api/leader-check", timeout=2)
                    return base
                except Exception:
                    continue
            return None

        lead = wait(leader, 30)
        if not lead:
            raise RuntimeError("no leader")
        api(lead, f"discover/127.0.0.1/{base_port + 1}")
        for base in bases:
            if not wait(lambda: len([i for i in api(base, "all-instances") if i["IsLastCheckValid"]]) == 4, 60):
                raise RuntimeError("discovery incomplete")
        # every follower has reported its API to the leader (the round asks it)
        time.sleep(4)
        killed_at = time.time()
        subprocess.run([SANDBOX, "kill", "--dir", f"{work}/sandbox", "1"], check=True, stdout=subprocess.DEVNULL)
        recovery = wait(lambda: next((r for r in api(lead, "audit-recovery") if r.get("RecoveryEndTimestamp")), None),
                        120)
        if not recovery:
            raise RuntimeError("no recovery within 120 s; see " + work)
        if not recovery.get("IsSuccessful"):
            raise RuntimeError(f"recovery failed: {recovery.get('AllErrors')}")
        confirmation = recovery.get("Confirmation") or {}
        if confirmation.get("decision") != "confirmed":
            raise RuntimeError(f"no confirmed round: {confirmation}")
        node_dir = f"{work}/node{bases.index(lead) + 1}"

        def audit():
            db = sqlite3.connect(f"file:{node_dir}/baton.sqlite3?mode=ro", uri=True)
            try:
                detected = db.execute("SELECT MIN(detected_at) FROM failure_detection").fetchone()[0]
                steps = db.execute("SELECT audit_at, message FROM topology_recovery_step WHERE recovery_uid = ? "
                                   "ORDER BY id", (recovery["UID"],)).fetchall()
            finally:
                db.close()
            # the audit trail is written behind the recovery: wait for its last lines
            return (detected, steps) if any(m.startswith("resolved:") for _, m in steps) else None

        audited = wait(audit, 30)
        if not audited:
            raise RuntimeError("the audit trail has no resolution; see " + work)
        detected, steps = audited
        executing = next(at for at, message in steps if message.startswith("executing"))
        resolved = next(at for at, message in steps if message.startswith("resolved:"))
        voters = [v for v in confirmation.get("votes", []) if v.get("answered")]
        return {
            "round": confirmation.get("milliseconds", 0) / 1000,
            "slowest": max((v.get("milliseconds") or 0) for v in voters) / 1000 if voters else 0,
            "voters": len(voters),
            "detection": detected - killed_at, "decision": executing - detected, "total": resolved - killed_at,
        }
    finally:
        stop(daemons)
        sandbox_down(work)
        shutil.rmtree(work, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--baton", default=os.path.join(ROOT, ".build", "release", "baton"))
    args = parser.parse_args()
    columns = ["round", "slowest", "detection", "decision", "total"]
    print(f"baton: {args.baton}")
    results = []
    for number in range(1, args.trials + 1):
        result = trial(args.baton)
        results.append(result)
        print(f"trial {number}: voters {result['voters']}  "
              + "  ".join(f"{c} {result[c] * 1000:.0f} ms" for c in columns), flush=True)
    print(f"\n{len(results)} trials (ms):")
    print("  " + " ".join(f"{c:>10}" for c in ["", *columns]))
    for name, func in [("p50", statistics.median), ("p90", lambda v: sorted(v)[int(0.9 * (len(v) - 1))]),
                       ("max", max)]:
        print("  " + f"{name:>10}" + " ".join(f"{func([r[c] for r in results]) * 1000:>10.0f}" for c in columns))


if __name__ == "__main__":
    sys.exit(main())
