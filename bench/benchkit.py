"""What the benchmarks against real MariaDB share: the API caller, polling, and a sandbox on free ports."""
import json
import os
import random
import signal
import subprocess
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SANDBOX = os.path.join(ROOT, "scripts", "sandbox")


def api(base, path):
    """GET /api/<path> on a Baton node, decoded."""
    with urllib.request.urlopen(f"{base}/api/{path}", timeout=10) as response:
        return json.loads(response.read())


def wait(condition, timeout, interval=0.05):
    """Polls `condition` until it returns something true (its value) or `timeout` seconds pass (None)."""
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


def sandbox_up(work, topology="1 2:1 3:1 4:1"):
    """Starts scripts/sandbox in `work`/sandbox on a random port range (another program may hold one: five tries).
    Returns the base port; server N listens on base + N."""
    for _ in range(5):
        base_port = random.randrange(26000, 40000, 10)
        started = subprocess.run([SANDBOX, "up", "--dir", f"{work}/sandbox", "--base-port", str(base_port),
                                  "--topology", topology], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if started.returncode == 0:
            return base_port
        sandbox_down(work)
    raise RuntimeError("the sandbox did not start in 5 attempts")


def sandbox_down(work):
    subprocess.run([SANDBOX, "down", "--dir", f"{work}/sandbox"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop(processes):
    """Stops `baton serve` processes as an operator would (SIGTERM), killing any that do not exit within 30 s."""
    for process in processes:
        process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
