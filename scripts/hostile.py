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

Then the security attacks of issue 25 (`--security-only` runs just these): a mapping name with a
line break run through `curl … > c.sh; sh c.sh`; an endpoint echoing the token in a header and
its body; secret destination and subscription settings through import-segment/export-segment;
a history, lock or data directory that is a symlink, a shared (1777) or another user's data
directory, a planted 0666 workspace; an abort during a send with core dumps on; a token with
CR/LF on the import path; `ulimit -f` reached by the history append; malformed --endpoint URLs.

Exits 1 if a bound is not met (ceilings below) or a security check fails. Loopback only.
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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="target/release/reddit-capi-console")
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--skip-input", action="store_true")
    ap.add_argument("--security-only", action="store_true", help="only the security attacks (issue 25)")
    args = ap.parse_args()
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
    ok &= security(binary)
    print("all bounds met" if ok else "a bound was not met")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
