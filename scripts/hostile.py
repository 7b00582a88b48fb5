#!/usr/bin/env python3
"""Memory bounds under hostile use (issue 11), measured from outside on a built binary.

    scripts/hostile.py [--bin target/release/reddit-capi-console] [--events 100000] [--skip-input]

Runs `emulate` as a child process, fills its store, then for each attack samples the emulator's
VmRSS from /proc/PID/status every 100 ms and prints the peak:

  control-cap   150 sockets POST /_emulator/faults declaring Content-Length: 8388000 and never
                finishing the body (413 before reading expected);
  control-slow  150 sockets POST /_emulator/faults declaring 60,000 bytes (under the cap) and
                sending one byte a second (at most 4 read at once);
  listing       12 clients GET /_emulator/events and never read;
  delay         {"delay_ms": 60000, "count": 16} with 16 clients connected, then an unrelated
                API request: its latency.

Then the command line's input, with /usr/bin/time -v (peak RSS, wall time, exit code):

  preview /dev/zero; preview of a 100 MB file of NULs; preview of a 200 MB single-line JSON
  array of Purchase events (output to /dev/null).

Exits 1 if a bound is not met (ceilings below). Loopback only.
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

CEILING_EMULATOR_GROWTH_MB = 64  # over the filled store, for every attack
CEILING_INPUT_MB = {"dev-zero": 64, "nul-100mb": 64, "array-200mb": 700}


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class Sampler:
    def __init__(self, pid):
        self.pid, self.peak, self.stop = pid, 0.0, False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stop:
            self.peak = max(self.peak, rss_mb(self.pid))
            time.sleep(0.1)

    def done(self):
        self.stop = True
        self.thread.join()
        return self.peak


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def request(base, method, path, body=None, token=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = body.encode() if isinstance(body, str) else body
    req = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def event(i, now):
    h = lambda s: (s * 64)[:64]
    return {
        "event_at": now,
        "event_type": {"tracking_type": "Purchase"},
        "click_id": "t2_abc123clickid",
        "event_metadata": {
            "currency": "USD", "item_count": 3, "value_decimal": 129.9, "conversion_id": f"{i:064x}",
            "products": [{"id": "sku-trail-42", "name": "Trail Runner 42", "category": "Footwear"},
                         {"id": "sku-sock-3pk", "name": "Merino Socks (3-pack)", "category": "Apparel"}],
        },
        "user": {"email": h("a1"), "external_id": h("b2"), "ip_address": h("c3"), "phone_number": h("d4"),
                 "user_agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
                 "uuid": "1704721970212.9b2f5c1e-7d4a-4e8b-a1c3-5f6e7d8c9b0a",
                 "screen_dimensions": {"height": 1117, "width": 1728}},
    }


def attack(pid, name, fn, seconds=5):
    before = rss_mb(pid)
    sampler = Sampler(pid)
    detail = fn(seconds)
    peak = sampler.done()
    growth = peak - before
    ok = growth <= CEILING_EMULATOR_GROWTH_MB
    print(f"{name:13} RSS before {before:7.1f} MiB  peak {peak:7.1f} MiB  growth {growth:6.1f} MiB  {detail}"
          f"  {'ok' if ok else 'OVER ' + str(CEILING_EMULATOR_GROWTH_MB) + ' MiB'}")
    return ok


def fault_posts(port, length, first):
    """150 connections that each start a POST /_emulator/faults of `length` bytes with `first`."""
    socks = []
    for _ in range(150):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(b"POST /_emulator/faults HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                  + f"Content-Length: {length}\r\n\r\n".encode() + first)
        socks.append(s)
    return socks


def control_cap(port):
    def run(seconds):
        socks, answered = fault_posts(port, 8388000, b"{" + b" " * 65536), 0
        time.sleep(seconds)
        for s in socks:
            s.settimeout(0.5)
            try:
                if s.recv(12).startswith(b"HTTP/1.1 413"):
                    answered += 1
            except OSError:
                pass
            s.close()
        return f"413 answers: {answered}/150"
    return run


def control_slow(port):
    def run(seconds):
        socks = fault_posts(port, 60000, b"{")
        for _ in range(seconds):
            for s in socks:
                try:
                    s.send(b" ")
                except OSError:
                    pass
            time.sleep(1)
        for s in socks:
            s.close()
        return "150 slow senders"
    return run


def listing(port):
    def run(seconds):
        socks = []
        for _ in range(12):
            s = socket.create_connection(("127.0.0.1", port))
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.sendall(b"GET /_emulator/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            socks.append(s)
        time.sleep(seconds)
        for s in socks:
            s.close()
        return "12 clients that never read"
    return run


def delay(base, port, token, now):
    def run(seconds):
        request(base, "POST", "/_emulator/faults", json.dumps({"delay_ms": 60000, "count": 16}))
        body = json.dumps({"events": [event(10**9, now)]}).encode()
        head = (f"POST /api/v2.0/conversions/events/a2_h HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode()
        socks = []
        for _ in range(16):
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(head + body)
            socks.append(s)
        time.sleep(0.5)
        started = time.time()
        status, _ = request(base, "POST", "/api/v2.0/conversions/events/a2_h",
                            json.dumps({"events": [event(10**9 + 1, now)]}), token)
        latency = (time.time() - started) * 1000
        for s in socks:
            s.close()
        request(base, "DELETE", "/_emulator/faults")
        return f"unrelated request: {status} in {latency:.0f} ms"
    return run


def timed(cmd, stdin=None, timeout=900):
    """Runs cmd under /usr/bin/time -v; returns (exit code, peak RSS MiB, wall s, stderr tail)."""
    started = time.time()
    p = subprocess.run(["/usr/bin/time", "-v"] + cmd, stdin=stdin, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, timeout=timeout, env=dict(os.environ, REDDIT_CAPI_CONSOLE_KEYCHAIN="off"))
    wall = time.time() - started
    err = p.stderr.decode(errors="replace")
    peak = next((int(l.split()[-1]) / 1024 for l in err.splitlines() if "Maximum resident set size" in l), -1)
    first = next((l for l in err.splitlines() if l.startswith("reddit-capi-console:")), "")
    return p.returncode, peak, wall, first


def inputs(binary, home):
    ok = True
    tmp = tempfile.mkdtemp(prefix="rcc-hostile-")
    nul = os.path.join(tmp, "nul.json")
    with open(nul, "wb") as f:
        f.truncate(100 * 1024 * 1024)
    sample = json.load(open(os.path.join(os.path.dirname(__file__), "..", "assets", "samples", "purchase.json")))
    array = os.path.join(tmp, "array.json")
    with open(array, "w") as f:
        f.write("[")
        size, i = 0, 0
        while size < 200 * 1024 * 1024:
            sample["messageId"] = f"hostile-{i:09d}"
            text = json.dumps(sample, separators=(",", ":"))
            f.write(("," if i else "") + text)
            size += len(text) + 1
            i += 1
        f.write("]")
    events = i
    for name, cmd in [("dev-zero", ["preview", "/dev/zero"]), ("nul-100mb", ["preview", nul]),
                      ("array-200mb", ["preview", "--format", "json", array])]:
        code, peak, wall, first = timed([binary] + cmd)
        within = peak <= CEILING_INPUT_MB[name]
        ok &= within
        extra = f" ({events} events, {os.path.getsize(array) / 2**20:.0f} MiB)" if name == "array-200mb" else ""
        print(f"{name:13} exit {code}  peak RSS {peak:7.1f} MiB  {wall:6.2f} s{extra}  "
              f"{'ok' if within else 'OVER ' + str(CEILING_INPUT_MB[name]) + ' MiB'}  {first[:110]}")
    for path in (nul, array):
        os.remove(path)
    os.rmdir(tmp)
    return ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="target/release/reddit-capi-console")
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--skip-input", action="store_true")
    args = ap.parse_args()
    binary = os.path.abspath(args.bin)
    home = tempfile.mkdtemp(prefix="rcc-hostile-home-")
    os.environ["REDDIT_CAPI_CONSOLE_HOME"] = home
    token = "hostile-token"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    emu = subprocess.Popen([binary, "emulate", "--bind", f"127.0.0.1:{port}", "--token-env", "HOSTILE_TOKEN"],
                           stdout=subprocess.PIPE, env=dict(os.environ, HOSTILE_TOKEN=token))
    emu.stdout.readline()
    ok = True
    try:
        now = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
        for b in range(args.events // 1000):
            body = json.dumps({"events": [event(b * 1000 + i, now) for i in range(1000)]})
            status, answer = request(base, "POST", "/api/v2.0/conversions/events/a2_h", body, token)
            assert status == 200, answer
        stats = json.loads(request(base, "GET", "/_emulator/stats")[1])
        started = time.time()
        listed = len(request(base, "GET", "/_emulator/events")[1])
        print(f"store: {stats['stored_events']} events, listing {listed / 2**20:.1f} MiB in "
              f"{time.time() - started:.2f} s, emulator RSS {rss_mb(emu.pid):.1f} MiB")
        ok &= attack(emu.pid, "control-cap", control_cap(port))
        ok &= attack(emu.pid, "control-slow", control_slow(port))
        ok &= attack(emu.pid, "listing", listing(port))
        ok &= attack(emu.pid, "delay", delay(base, port, token, now), seconds=0)
    finally:
        emu.kill()
        emu.wait()
    if not args.skip_input:
        ok &= inputs(binary, home)
    print("all bounds met" if ok else "a bound was not met")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
