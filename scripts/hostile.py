#!/usr/bin/env python3
"""Memory bounds under hostile use (issues 11 and 25), measured from outside on a built binary.

    scripts/hostile.py [--bin target/release/reddit-capi-console] [--events 100000] [--skip-input]
                       [--only NAME,NAME…] [--ids 1200000]

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

Then the security attacks of issue 25 (`--security-only` runs just these): a mapping name with a
line break run through `curl … > c.sh; sh c.sh`; an endpoint echoing the token in a header and
its body; secret destination and subscription settings through import-segment/export-segment;
a history, lock or data directory that is a symlink, a shared (1777) or another user's data
directory, a planted 0666 workspace; an abort during a send with core dumps on; a token with
CR/LF on the import path; `ulimit -f` reached by the history append; malformed --endpoint URLs.

Third pass (issue 25), each attack a function of its own, against a local server on loopback
(a few lines of Python answering as told) or the emulator, the command under /usr/bin/time -v:

  endless-response   send to a server answering 200 with an endless chunked body (--timeout 5);
  huge-error         send to a server answering 500 with a 50 MB body, four attempts: the
                     history's lines, every attempt kept, stdout;
  retry-after-far    send to a server answering 429 with Retry-After in the year 9999;
  jobs-16384         preview --jobs 16384;
  slow-bodies-16/64  16 (64) connections to the emulator sending their body a byte every 2 s,
                     then a normal POST: its latency;
  full-dedup-index   report of --ids distinct conversion ids (past the index's 1,048,576);
  pipe-line          report of one 100 MB line, from a file and from a pipe;
  report-600mb-line  report of a 600 MB line from a pipe;
  curl-98mb          curl of 98 MB of events;
  import-245mib      import-segment / export-segment of 245 MiB;
  preview-stdin-300mb  preview of 300 MB from a pipe (over the 256 MiB cap);
  growing-file       preview of a file another process keeps appending to.

Exits 1 if a bound is not met (ceilings below) or a security check fails. Loopback only.
"""

import argparse
import json
import os
import shutil
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


# ---------------------------------------------------------------------------------------------
# Security attacks (issue 25, items 1-7): each prints what leaked or was followed, the command's
# exit code, peak RSS and wall time. Run alone with --security-only.

SECURITY_TOKEN = "tok_HOSTILE_secret_value_7788"


def cli(binary, home, args, env=None, stdin=None, preexec=None, cwd=None):
    """Runs the CLI with its data directory at `home` under /usr/bin/time -v: (exit code,
    stdout, stderr, peak RSS MiB, wall s)."""
    fd, timing = tempfile.mkstemp(prefix="rcc-time-")
    os.close(fd)
    full = dict(os.environ, REDDIT_CAPI_CONSOLE_HOME=home, REDDIT_CAPI_CONSOLE_KEYCHAIN="off")
    full.pop("REDDIT_CONVERSION_TOKEN", None)
    full.update(env or {})
    started = time.time()
    p = subprocess.run(["/usr/bin/time", "-v", "-o", timing, binary] + args, input=stdin, capture_output=True,
                       env=full, preexec_fn=preexec, cwd=cwd, timeout=300)
    wall = time.time() - started
    with open(timing) as f:
        peak = next((int(l.split()[-1]) / 1024 for l in f if "Maximum resident set size" in l), -1)
    os.remove(timing)
    code = p.returncode
    return code, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace"), peak, wall


def http_server(answer):
    """A loopback server: answer(head) -> response bytes, or None to hold the connection. Returns
    (base URL, list of request heads seen)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    seen, held = [], []

    def serve():
        while True:
            conn, _ = listener.accept()
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                data += chunk
            head, _, body = data.partition(b"\r\n\r\n")
            head = head.decode(errors="replace")
            length = next((int(l.split(":", 1)[1]) for l in head.split("\r\n")
                           if l.lower().startswith("content-length:")), 0)
            while len(body) < length:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                body += chunk
            seen.append(head)
            response = answer(head)
            if response is None:
                held.append(conn)
            else:
                conn.sendall(response)
                conn.close()

    threading.Thread(target=serve, daemon=True).start()
    return f"http://127.0.0.1:{listener.getsockname()[1]}", seen


def security_files(tmp):
    """A workspace (pixel a2_hostile, v2 test mode), one Purchase event, Segment's subscriptions."""
    ws = os.path.join(tmp, "ws.json")
    with open(ws, "w") as f:
        json.dump({"format": "reddit-capi-console/workspace", "version": 1,
                   "settings": {"pixel_id": "a2_hostile", "api_version": "v2.0", "test_mode": True,
                                "profile": "segment"},
                   "mappings": [{"name": "Purchase", "preset": "Purchase"}]}, f)
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    sample = json.load(open(os.path.join(root, "assets", "samples", "purchase.json")))
    sample["timestamp"] = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
    events = os.path.join(tmp, "events.jsonl")
    with open(events, "w") as f:
        f.write(json.dumps(sample) + "\n")
    subs = json.load(open(os.path.join(root, "tests", "fixtures", "segment", "subscriptions.json")))
    return ws, events, subs


def report(name, ok, code, peak, wall, what):
    rss = f"{peak:6.1f} MiB" if peak >= 0 else "   n/a    "
    print(f"{name:18} {'ok  ' if ok else 'FAIL'} exit {code}  peak RSS {rss}  {wall:6.2f} s  {what}")
    return ok


def sec_file_size_limit(binary, tmp, ws, events):
    """`ulimit -f` reached by the history append: an error and no torn line, not a silent kill."""
    import resource
    home = os.path.join(tmp, "home-fsize")
    os.mkdir(home, 0o700)
    history = os.path.join(home, "history.jsonl")
    open(history, "w").write("\n" * 40_000)
    code, out, err, peak, wall = cli(binary, home, ["send", "--endpoint", "emulator", "--workspace", ws, events],
                                     preexec=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (40_960, 40_960)))
    size = os.path.getsize(history)
    return report("ulimit-f-history", code == 1 and size == 40_000, code, peak, wall,
                  f"history {size} bytes (was 40000); " + (err.strip().splitlines() or [""])[-1][:80])


def sec_bad_endpoint(binary, tmp, ws, events):
    ok = True
    for url in ("http://[::1", "http://127.0.0.1:99999"):
        code, out, err, peak, wall = cli(binary, os.path.join(tmp, "home-endpoint"),
                                         ["send", "--endpoint", url, "--workspace", ws, events],
                                         env={"REDDIT_CONVERSION_TOKEN": SECURITY_TOKEN})
        ok &= report("bad-endpoint", code == 2, code, peak, wall,
                     f"{url}: " + ((err.strip().splitlines() or [""])[-1] or out.strip())[:90])
    return ok


def sec_curl_injection(binary, tmp, ws, events, subs):
    subs = json.loads(json.dumps(subs))
    subs["data"]["subscriptions"][0]["name"] = "Buy\ntouch pwned #"
    path = os.path.join(tmp, "subs-inject.json")
    json.dump(subs, open(path, "w"))
    home = os.path.join(tmp, "home-inject")
    imported = os.path.join(tmp, "imported.json")
    cli(binary, home, ["import-segment", "--output", imported, path])
    code, script, _, peak, wall = cli(binary, home, ["curl", "--workspace", imported, events])
    work = tempfile.mkdtemp(prefix="rcc-sh-", dir=tmp)
    fake = os.path.join(work, "bin")
    os.mkdir(fake)
    with open(os.path.join(fake, "curl"), "w") as f:
        f.write("#!/bin/sh\nexit 0\n")
    os.chmod(os.path.join(fake, "curl"), 0o755)
    open(os.path.join(work, "c.sh"), "w").write(script)
    subprocess.run(["sh", "c.sh"], cwd=work, env=dict(os.environ, PATH=f"{fake}:/usr/bin:/bin"),
                   capture_output=True)
    ran = os.path.exists(os.path.join(work, "pwned"))
    return report("curl-injection", not ran, code, peak, wall,
                  "sh c.sh ran `touch pwned`" if ran else "the name stays in one comment line; nothing ran")


def sec_reflected_token(binary, tmp, ws, events):
    def echo(head):
        auth = next((l.split(":", 1)[1].strip() for l in head.split("\r\n")
                     if l.lower().startswith("authorization:")), "")
        body = json.dumps({"message": f"echo {auth}", "auth": auth}).encode()
        return (f"HTTP/1.1 200 OK\r\nX-Echo-Auth: {auth}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode() + body

    url, _ = http_server(echo)
    home = os.path.join(tmp, "home-echo")
    code, out, err, peak, wall = cli(binary, home, ["send", "--format", "json", "--endpoint", url, "--workspace",
                                                    ws, events], env={"REDDIT_CONVERSION_TOKEN": SECURITY_TOKEN})
    history = open(os.path.join(home, "history.jsonl")).read() if os.path.exists(
        os.path.join(home, "history.jsonl")) else ""
    listed = cli(binary, home, ["history", "--format", "json"])[1]
    counts = {name: text.count(SECURITY_TOKEN) for name, text in
              [("stdout", out + err), ("history.jsonl", history), ("history --format json", listed)]}
    leaked = sum(counts.values())
    return report("reflected-token", leaked == 0, code, peak, wall,
                  "token copies: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


def sec_import_secrets(binary, tmp, subs):
    values = {"conversionToken": "hs_camel_0001", "CONVERSION_TOKEN": "hs_upper_0002", "api_Key": "hs_key_0003",
              "auth": {"conversion_token": "hs_nested_0004"}}
    dest = os.path.join(tmp, "dest.json")
    json.dump({"data": {"destination": {"id": "d1", "settings": dict(values, ad_account_id="a2_hostile")}}},
              open(dest, "w"))
    subs = json.loads(json.dumps(subs))
    subs["data"]["subscriptions"][0]["settings"]["conversion_token"] = "hs_sub_0005"
    subs["data"]["subscriptions"][2]["settings"]["auth"] = {"token": "hs_unsupported_0006"}
    path = os.path.join(tmp, "subs-secret.json")
    json.dump(subs, open(path, "w"))
    home = os.path.join(tmp, "home-import")
    imported = os.path.join(tmp, "imported-secret.json")
    code, out, err, peak, wall = cli(binary, home, ["import-segment", "--destination", dest, "--output", imported,
                                                    path])
    texts = {"stderr": err, "workspace": open(imported).read() if os.path.exists(imported) else ""}
    for fmt in ("json", "curl"):
        texts[f"export {fmt}"] = cli(binary, home, ["export-segment", "--format", fmt, "--workspace", imported])[1]
    secrets = ["hs_camel_0001", "hs_upper_0002", "hs_key_0003", "hs_nested_0004", "hs_sub_0005",
               "hs_unsupported_0006"]
    counts = {k: sum(t.count(s) for s in secrets) for k, t in texts.items()}
    return report("import-secrets", sum(counts.values()) == 0, code, peak, wall,
                  "secret values shown: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


def sec_crlf_token(binary, tmp, subs):
    dest = os.path.join(tmp, "dest-crlf.json")
    json.dump({"data": {"destination": {"settings": {"ad_account_id": "a2_hostile",
                                                     "conversion_token": "tok_x\r\nX-Evil: 1"}}}}, open(dest, "w"))
    path = os.path.join(tmp, "subs-plain.json")
    json.dump(subs, open(path, "w"))
    code, out, err, peak, wall = cli(binary, os.path.join(tmp, "home-crlf"),
                                     ["import-segment", "--destination", dest, path])
    return report("crlf-token", code == 2, code, peak, wall, (err.strip().splitlines() or [""])[-1][:110])


def mode_of(path):
    return oct(os.lstat(path).st_mode & 0o7777)


def sec_data_dir(binary, tmp, ws, events):
    """Symlinks and other users' files in the data directory: (name, set-up, check)."""
    ok = True
    root = os.geteuid() == 0

    def home_with(name):
        home = os.path.join(tmp, f"home-{name}")
        os.mkdir(home, 0o700)
        return home

    def attack(name, home, check):
        nonlocal ok
        code, out, err, peak, wall = cli(binary, home, ["send", "--endpoint", "emulator", "--workspace", ws, events])
        held, what = check()
        message = (err.strip().splitlines() or [""])[-1].replace(tmp, "…")[:100]
        ok &= report(name, held and code == 2, code, peak, wall, f"{what}; {message}")

    victim = os.path.join(tmp, "victim.txt")
    open(victim, "w").write("keep\n")
    os.chmod(victim, 0o644)
    home = home_with("history-link")
    os.symlink(victim, os.path.join(home, "history.jsonl"))
    attack("history-symlink", home, lambda: (open(victim).read() == "keep\n" and mode_of(victim) == "0o644",
                                            f"victim {len(open(victim).read())} bytes, mode {mode_of(victim)}"))

    home = home_with("lock-link")
    target = os.path.join(tmp, "made-through-lock")
    os.symlink(target, os.path.join(home, "history.lock"))
    attack("lock-symlink", home, lambda: (not os.path.exists(target),
                                         "lock target created" if os.path.exists(target) else "no file created"))

    real = os.path.join(tmp, "real-dir")
    os.mkdir(real)
    os.chmod(real, 0o755)
    link = os.path.join(tmp, "home-dir-link")
    os.symlink(real, link)
    attack("dir-symlink", link, lambda: (mode_of(real) == "0o755" and not os.listdir(real),
                                        f"target mode {mode_of(real)}, {len(os.listdir(real))} files"))

    shared = os.path.join(tmp, "home-shared")
    os.mkdir(shared)
    os.chmod(shared, 0o1777)
    attack("shared-1777-dir", shared, lambda: (mode_of(shared) == "0o1777" and not os.listdir(shared),
                                              f"mode {mode_of(shared)}, {len(os.listdir(shared))} files"))
    if root:
        other = os.path.join(tmp, "home-other")
        os.mkdir(other)
        os.chmod(other, 0o1777)
        os.chown(other, 65534, 65534)
        attack("other-users-1777", other, lambda: (mode_of(other) == "0o1777",
                                                  f"mode {mode_of(other)}, {len(os.listdir(other))} files"))
        mine = home_with("planted")
        planted = os.path.join(mine, "workspace.json")
        open(planted, "w").write(open(ws).read())
        os.chmod(planted, 0o666)
        os.chown(planted, 65534, 65534)
        code, out, err, peak, wall = cli(binary, mine, ["preview", events])
        ok &= report("planted-0666-ws", code == 2, code, peak, wall,
                     f"mode {mode_of(planted)}; " + (err.strip().splitlines() or [""])[-1].replace(tmp, "…")[:100])
    else:
        print("other-users-*      skipped (needs root to give a file away)")
    return ok


def sec_core_dump(binary, tmp, ws, events):
    """An abort during a send with core dumps on (RLIMIT_CORE unlimited, core_pattern in the
    working directory): is a core written, and how many copies of the token does it hold?"""
    pattern = open("/proc/sys/kernel/core_pattern").read().strip()
    arrived = threading.Event()

    def hold(head):
        arrived.set()
        return None

    url, _ = http_server(hold)
    work = tempfile.mkdtemp(prefix="rcc-core-", dir=tmp)
    env = dict(os.environ, REDDIT_CAPI_CONSOLE_HOME=os.path.join(tmp, "home-core"),
               REDDIT_CAPI_CONSOLE_KEYCHAIN="off", REDDIT_CONVERSION_TOKEN=SECURITY_TOKEN)
    import resource
    started = time.time()
    child = subprocess.Popen([binary, "send", "--timeout", "60", "--endpoint", url, "--workspace", ws, events],
                             cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_CORE, (-1, -1)))
    arrived.wait(30)
    limits = open(f"/proc/{child.pid}/limits").read()
    core_limit = next((l.split()[4:6] for l in limits.splitlines() if l.startswith("Max core file size")), [])
    child.send_signal(6)
    child.wait()
    wall = time.time() - started
    time.sleep(0.5)
    cores = [f for f in os.listdir(work) if f.startswith("core")]
    copies = sum(open(os.path.join(work, f), "rb").read().count(SECURITY_TOKEN.encode()) for f in cores)
    held = not cores and copies == 0
    where = f"core_pattern {pattern!r}"
    return report("core-dump", held, child.returncode, -1, wall,
                  f"{len(cores)} core file(s), {copies} token copies; core limit in the process {core_limit}; {where}")


def security(binary):
    tmp = tempfile.mkdtemp(prefix="rcc-hostile-sec-")
    os.chmod(tmp, 0o755)
    ws, events, subs = security_files(tmp)
    ok = True
    ok &= sec_curl_injection(binary, tmp, ws, events, subs)
    ok &= sec_reflected_token(binary, tmp, ws, events)
    ok &= sec_import_secrets(binary, tmp, subs)
    ok &= sec_data_dir(binary, tmp, ws, events)
    ok &= sec_core_dump(binary, tmp, ws, events)
    ok &= sec_crlf_token(binary, tmp, subs)
    ok &= sec_file_size_limit(binary, tmp, ws, events)
    ok &= sec_bad_endpoint(binary, tmp, ws, events)
    subprocess.run(["rm", "-rf", tmp])
    return ok


# --- Third pass (issue 25): memory, time and lost work ------------------------------------------

CEILING_THIRD_MB = 300  # peak RSS of any command below (the 256 MiB input cap plus a little)


def now_iso():
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())


def run_measured(cmd, feed=None, timeout=900, env=None):
    """Runs cmd under /usr/bin/time -v; `feed` is an iterable of bytes written to its stdin (a pipe)
    until it ends or the command stops reading. Returns exit code, peak RSS MiB, wall s, stdout
    bytes (counted, not kept), stdout's first MiB and stderr's first console line."""
    started = time.time()
    p = subprocess.Popen(["/usr/bin/time", "-v"] + cmd, stdin=subprocess.PIPE if feed else subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         env=dict(os.environ, REDDIT_CAPI_CONSOLE_KEYCHAIN="off", **(env or {})))
    if feed:
        def write():
            try:
                for chunk in feed:
                    p.stdin.write(chunk)
                p.stdin.close()
            except (BrokenPipeError, ValueError, OSError):
                pass
        threading.Thread(target=write, daemon=True).start()
    counted, head = [0], bytearray()

    def read():
        while True:
            chunk = p.stdout.read(1 << 16)
            if not chunk:
                return
            counted[0] += len(chunk)
            if len(head) < 1 << 20:
                head.extend(chunk[: (1 << 20) - len(head)])
    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    err = p.stderr.read().decode(errors="replace")
    p.wait(timeout=timeout)
    reader.join()
    wall = time.time() - started
    peak = next((int(l.split()[-1]) / 1024 for l in err.splitlines() if "Maximum resident set size" in l), -1)
    first = next((l for l in err.splitlines() if l.startswith("reddit-capi-console:")), "")
    return p.returncode, peak, wall, counted[0], bytes(head), first


def report_line(name, code, peak, wall, detail, ok):
    print(f"{name:19} exit {code}  peak RSS {peak:7.1f} MiB  {wall:7.2f} s  {detail}  {'ok' if ok else 'NOT MET'}")
    return ok


class Answering:
    """A loopback server answering every request with `head`, then `body` bytes (chunked and
    endless when body is None), until the client goes away."""

    def __init__(self, head, body):
        self.head, self.body = head, body
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.requests = 0
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.answer, args=(conn,), daemon=True).start()

    def answer(self, conn):
        try:
            data = b""
            while b"\r\n\r\n" not in data:
                more = conn.recv(65536)
                if not more:
                    return
                data += more
            head, rest = data.split(b"\r\n\r\n", 1)
            length = next((int(l.split(b":")[1]) for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")), 0)
            while len(rest) < length:
                more = conn.recv(65536)
                if not more:
                    return
                rest += more
            self.requests += 1
            piece = b"x" * 65536
            if self.body is None:
                conn.sendall(self.head.encode() + b"\r\nTransfer-Encoding: chunked\r\n\r\n")
                while True:
                    conn.sendall(b"10000\r\n" + piece + b"\r\n")
            conn.sendall(self.head.encode() + f"\r\nContent-Length: {self.body}\r\n\r\n".encode())
            sent = 0
            while sent < self.body:
                n = min(len(piece), self.body - sent)
                conn.sendall(piece[:n])
                sent += n
        except OSError:
            pass
        finally:
            conn.close()

    def close(self):
        self.sock.close()


def send_setup(tmp):
    """A v2.0 test-mode workspace with the Purchase preset, and one Purchase stamped now."""
    ws = os.path.join(tmp, "workspace.json")
    json.dump({"format": "reddit-capi-console/workspace", "version": 1,
               "settings": {"pixel_id": "a2_hostile", "api_version": "v2.0", "test_mode": True, "profile": "segment"},
               "mappings": [{"name": "Purchase", "preset": "Purchase"}]}, open(ws, "w"))
    sample = json.load(open(os.path.join(os.path.dirname(__file__), "..", "assets", "samples", "purchase.json")))
    sample["timestamp"] = now_iso()
    events = os.path.join(tmp, "one.jsonl")
    open(events, "w").write(json.dumps(sample) + "\n")
    return ws, events, sample


def send_to(binary, url, ws, events, home, *extra):
    return run_measured([binary, "send", "--format", "json", "--endpoint", url, "--workspace", ws, *extra, events],
                        env={"REDDIT_CAPI_CONSOLE_HOME": home, "REDDIT_CONVERSION_TOKEN": "hostile-token-1234"})


def endless_response(binary, tmp):
    ws, events, _ = send_setup(tmp)
    server = Answering("HTTP/1.1 200 OK", None)
    code, peak, wall, out, head, _ = send_to(binary, server.url, ws, events, os.path.join(tmp, "h-endless"), "--timeout", "5")
    server.close()
    line = next((json.loads(l) for l in head.decode(errors="replace").splitlines() if '"outcome"' in l and l.endswith("}")), {})
    cut = (line.get("attempts") or [{}])[0].get("response_body_cut", False)
    ok = peak <= 64 and wall < 10 and cut
    return report_line("endless-response", code, peak, wall, f"stdout {out / 1024:.0f} KiB, body cut and reported: {cut}", ok)


def huge_error(binary, tmp):
    ws, events, _ = send_setup(tmp)
    server = Answering("HTTP/1.1 500 Internal Server Error", 50_000_000)
    home = os.path.join(tmp, "h-error")
    code, peak, wall, out, _, _ = send_to(binary, server.url, ws, events, home)
    server.close()
    lines = open(os.path.join(home, "history.jsonl"), "rb").read().splitlines()
    completed = [json.loads(l) for l in lines if b'"completed"' in l]
    numbers = [e["attempt"]["number"] for e in completed]
    longest = max(len(l) for l in lines)
    ok = peak <= 64 and numbers == [1, 2, 3, 4] and longest < 1 << 20 and out < 1 << 20 and server.requests == 4
    detail = (f"{server.requests} attempts sent, in history {numbers}, longest line {longest / 1024:.0f} KiB, "
              f"rotated: {os.path.exists(os.path.join(home, 'history.1.jsonl'))}, stdout {out / 1024:.0f} KiB")
    return report_line("huge-error", code, peak, wall, detail, ok)


def retry_after_far(binary, tmp):
    ws, events, _ = send_setup(tmp)
    server = Answering("HTTP/1.1 429 Too Many Requests\r\nRetry-After: Fri, 31 Dec 9999 23:59:59 GMT", 2)
    code, peak, wall, _, head, _ = send_to(binary, server.url, ws, events, os.path.join(tmp, "h-retry"), "--timeout", "5")
    server.close()
    return report_line("retry-after-far", code, peak, wall, f"{server.requests} attempt(s)", wall < 5 and server.requests == 1)


def jobs_huge(binary, tmp):
    _, events, _ = send_setup(tmp)
    code, peak, wall, _, _, first = run_measured([binary, "preview", "--jobs", "16384", events])
    err = subprocess.run([binary, "preview", "--jobs", "16384", events], capture_output=True).stderr.decode()
    message = next((l for l in err.splitlines() if "--jobs" in l), err.strip()[:100])
    return report_line("jobs-16384", code, peak, wall, message.strip()[:100], code == 2)


def slow_bodies(port, token, now, connections):
    def run(seconds):
        head = (f"POST /api/v2.0/conversions/events/a2_h HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
                f"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{{").encode()
        socks, stop = [], threading.Event()
        for _ in range(connections):
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(head)
            socks.append(s)

        def trickle():
            while not stop.wait(2):
                for s in socks:
                    try:
                        s.send(b" ")
                    except OSError:
                        pass
        threading.Thread(target=trickle, daemon=True).start()
        time.sleep(0.5)
        started = time.time()
        try:
            status, _ = request(f"http://127.0.0.1:{port}", "POST", "/api/v2.0/conversions/events/a2_h",
                                json.dumps({"events": [event(10**9 + connections, now)]}), token)
        except OSError as e:
            status = f"no answer ({e})"
        latency = time.time() - started
        stop.set()
        for s in socks:
            s.close()
        slow_bodies.latency[connections] = latency
        return f"normal POST with {connections} slow bodies: {status} in {latency * 1000:.0f} ms"
    return run


slow_bodies.latency = {}


def full_dedup_index(binary, tmp, ids):
    ws, _, _ = send_setup(tmp)
    path = os.path.join(tmp, "ids.jsonl")
    stamp = now_iso()
    with open(path, "w") as f:
        for i in range(ids):
            f.write('{"type":"track","event":"Order Completed","messageId":"id-%09d","timestamp":"%s",'
                    '"properties":{"order_id":"o-%09d","revenue":1},"context":{"traits":{"email":"a@b.co"}}}\n' % (i, stamp, i))
    code, peak, wall, _, head, _ = run_measured([binary, "report", "--format", "json", "--workspace", ws, path], timeout=3600)
    os.remove(path)
    dedup = json.loads(head.decode(errors="replace") or "{}").get("dedup", {}) if len(head) < 1 << 20 else {}
    checked = f"capacity {dedup.get('capacity')}, not checked {dedup.get('unchecked')}"
    return report_line("full-dedup-index", code, peak, wall, f"{ids} distinct ids; {checked}",
                       peak <= CEILING_THIRD_MB and code in (0, 1))


def one_line(size):
    """One event whose padding makes its line `size` bytes, in 1 MiB pieces."""
    start = b'{"type":"track","event":"Order Completed","messageId":"long","properties":{"pad":"'
    yield start
    left = size - len(start) - 3
    piece = b"x" * (1 << 20)
    while left > 0:
        yield piece[:left]
        left -= len(piece)
    yield b'"}}\n'


def pipe_line(binary, tmp):
    ws, _, _ = send_setup(tmp)
    path = os.path.join(tmp, "line.jsonl")
    with open(path, "wb") as f:
        for chunk in one_line(100_000_000):
            f.write(chunk)
    code_f, peak_f, wall_f, _, _, _ = run_measured([binary, "report", "--workspace", ws, path])

    def cat():
        with open(path, "rb") as f:
            while chunk := f.read(1 << 16):
                yield chunk
    code_p, peak_p, wall_p, _, _, _ = run_measured([binary, "report", "--workspace", ws, "-"], feed=cat())
    os.remove(path)
    return report_line("pipe-line", code_p, peak_p, wall_p,
                       f"from a pipe; from the file: {wall_f:.2f} s, peak {peak_f:.1f} MiB, exit {code_f}",
                       wall_p < 4 * wall_f + 2 and peak_p <= CEILING_THIRD_MB)


def report_600mb_line(binary, tmp):
    ws, _, _ = send_setup(tmp)
    code, peak, wall, _, _, first = run_measured([binary, "report", "--workspace", ws, "-"], feed=one_line(600_000_000))
    return report_line("report-600mb-line", code, peak, wall, first[:110], code == 2 and peak <= CEILING_THIRD_MB + 64)


def events_text(size, sample):
    """JSON Lines of Purchase events, about `size` bytes, in pieces."""
    made, i, lines = 0, 0, []
    while made < size:
        sample["messageId"] = f"hostile-{i:09d}"
        line = (json.dumps(sample, separators=(",", ":")) + "\n").encode()
        lines.append(line)
        made += len(line)
        i += 1
        if len(lines) == 1000:
            yield b"".join(lines)
            lines = []
    yield b"".join(lines)


def events_file(path, size, sample, mode="wb"):
    with open(path, mode) as f:
        for chunk in events_text(size, sample):
            f.write(chunk)
    return path


def curl_98mb(binary, tmp):
    ws, _, sample = send_setup(tmp)
    path = events_file(os.path.join(tmp, "curl.jsonl"), 98_000_000, sample)
    code, peak, wall, out, _, _ = run_measured([binary, "curl", "--workspace", ws, path])
    os.remove(path)
    return report_line("curl-98mb", code, peak, wall, f"{out / 2**20:.0f} MiB of commands written", peak <= 64)


def import_245mib(binary, tmp):
    sub = {"name": "Purchase", "actionSlug": "standardEvent", "trigger": 'type = "track"', "settings": {}}

    def subscriptions():
        yield b'{"data": {"subscriptions": ['
        one = len(json.dumps(dict(sub, unknown="u" * 4000)))
        for i in range(245 * 2**20 // (one + 12)):
            yield (b"," if i else b"") + json.dumps(dict(sub, name=f"Purchase {i}", unknown="u" * 4000)).encode()
        yield b"]}}"
    code, peak, wall, _, _, first = run_measured([binary, "import-segment", "-"], feed=subscriptions())
    ok = report_line("import-245mib", code, peak, wall, first[:110], code == 2 and peak <= 64)
    ws = os.path.join(tmp, "big-workspace.json")
    with open(ws, "wb") as f:
        f.write(b'{"format": "reddit-capi-console/workspace", "version": 1, "mappings": []' + b" " * (245 * 2**20) + b"}")
    code, peak, wall, _, _, first = run_measured([binary, "export-segment", "--workspace", ws])
    os.remove(ws)
    return ok & report_line("export-245mib", code, peak, wall, first[:110], code == 2 and peak <= 64)


def preview_stdin_300mb(binary, tmp):
    _, _, sample = send_setup(tmp)
    code, peak, wall, _, _, first = run_measured([binary, "preview", "-"], feed=events_text(300_000_000, sample))
    return report_line("preview-stdin-300mb", code, peak, wall, first[:110], code == 2 and peak <= CEILING_THIRD_MB)


def growing_file(binary, tmp):
    _, _, sample = send_setup(tmp)
    path = events_file(os.path.join(tmp, "growing.jsonl"), 1_000_000, sample)
    at_open = sum(1 for _ in open(path, "rb"))
    stop = threading.Event()

    # About 100 MB/s (faster than a debug build checks), up to 400 MB more, from before preview starts.
    block = b"".join(events_text(4_000_000, sample))

    def grow():
        with open(path, "ab") as f:
            for _ in range(100):
                if stop.is_set():
                    return
                f.write(block)
                f.flush()
                time.sleep(0.04)
    writer = threading.Thread(target=grow, daemon=True)
    writer.start()
    time.sleep(0.05)
    code, peak, wall, out, _, first = run_measured([binary, "preview", "--format", "json", path])
    stop.set()
    writer.join()
    total = sum(1 for _ in open(path, "rb"))
    os.remove(path)
    return report_line("growing-file", code, peak, wall, f"{total} events at the end, {at_open} before it started; "
                       f"output {out / 2**20:.1f} MiB {first[:80]}", code == 0 and peak <= CEILING_THIRD_MB and wall < 60)


THIRD = {
    "endless-response": endless_response, "huge-error": huge_error, "retry-after-far": retry_after_far,
    "jobs-16384": jobs_huge, "pipe-line": pipe_line, "report-600mb-line": report_600mb_line,
    "curl-98mb": curl_98mb, "import-245mib": import_245mib, "preview-stdin-300mb": preview_stdin_300mb,
    "growing-file": growing_file,
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="target/release/reddit-capi-console")
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--skip-input", action="store_true")
    ap.add_argument("--security-only", action="store_true", help="only the security attacks (issue 25)")
    ap.add_argument("--only", default="", help="comma-separated attack names (default: all)")
    ap.add_argument("--ids", type=int, default=1_200_000, help="distinct ids for full-dedup-index")
    args = ap.parse_args()
    only = set(filter(None, args.only.split(",")))
    wanted = lambda name: not only or name in only
    binary = os.path.abspath(args.bin)
    if args.security_only:
        ok = security(binary)
        print("all security checks held" if ok else "a security check failed")
        sys.exit(0 if ok else 1)
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
        emulator_attacks = {"control-cap", "control-slow", "listing", "delay", "slow-bodies-16", "slow-bodies-64"}
        for b in range(args.events // 1000 if not only or only & emulator_attacks else 0):
            body = json.dumps({"events": [event(b * 1000 + i, now) for i in range(1000)]})
            status, answer = request(base, "POST", "/api/v2.0/conversions/events/a2_h", body, token)
            assert status == 200, answer
        stats = json.loads(request(base, "GET", "/_emulator/stats")[1])
        started = time.time()
        listed = len(request(base, "GET", "/_emulator/events")[1])
        print(f"store: {stats['stored_events']} events, listing {listed / 2**20:.1f} MiB in "
              f"{time.time() - started:.2f} s, emulator RSS {rss_mb(emu.pid):.1f} MiB")
        for name, fn, seconds in [("control-cap", control_cap(port), 5), ("control-slow", control_slow(port), 5),
                                  ("listing", listing(port), 5), ("delay", delay(base, port, token, now), 0),
                                  ("slow-bodies-16", slow_bodies(port, token, now, 16), 0),
                                  ("slow-bodies-64", slow_bodies(port, token, now, 64), 0)]:
            if wanted(name):
                ok &= attack(emu.pid, name, fn, seconds=seconds)
        # Slow bodies: a normal request answered within 3 s whatever their number.
        ok &= all(latency < 3 for latency in slow_bodies.latency.values())
    finally:
        emu.kill()
        emu.wait()
    if not args.skip_input and (not only or only & {"dev-zero", "nul-100mb", "array-200mb"}):
        ok &= inputs(binary, home)
    if wanted("security"):
        ok &= security(binary)
    tmp = tempfile.mkdtemp(prefix="rcc-hostile-third-")
    for name, fn in THIRD.items():
        if wanted(name):
            ok &= fn(binary, tmp)
    if wanted("full-dedup-index"):
        ok &= full_dedup_index(binary, tmp, args.ids)
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.rmtree(home, ignore_errors=True)
    print("all bounds met" if ok else "a bound was not met")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
