#!/usr/bin/env python3
"""Writes tests/peers/*.json from the request bodies the peers' own tests build.

Inputs (made offline by the scripts beside this one, from the peers' repositories fetched as
read-only mirrors): gtm.js runs a server-side GTM template's own ___TESTS___ scenarios and
captures what each hands to sendHttpRequest; extract.js evaluates a test-fixture file (data only,
imports stubbed) and lists the Reddit request bodies in it; seg.js takes the `options.json`
bodies Segment's tests expect. PostHog's inline snapshots are copied by hand (posthog.json).

Each case gets the verdict the evidence table (docs/reddit-rules.md) predicts, decided here by
hand-written labels with their reasons, not by running the console's validator: the peer test
(tests/peers.rs) then checks the validator and the emulator against these labels.
Usage: collect.py INPUT_DIR OUTPUT_DIR
"""
import json, re, sys

src, out = sys.argv[1], sys.argv[2]
UUID = re.compile(r'^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-5][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$')

def load(name):
    with open(f"{src}/{name}") as f:
        return json.load(f)

def api_of(endpoint):
    return "v3" if "/api/v3/" in endpoint else "v2.0"

def millis(e):
    """An event's time in epoch milliseconds (v2 RFC 3339 `event_at`, `event_at_ms`, v3 `event_at`)."""
    from datetime import datetime
    at = e.get("event_at", e.get("event_at_ms"))
    if isinstance(at, (int, float)) and not isinstance(at, bool):
        return int(at)
    if isinstance(at, str):
        try:
            return int(datetime.fromisoformat(at.replace("Z", "+00:00")).timestamp() * 1000)
        except ValueError:
            return None
    return None

def label(api, body, quoted=None):
    """The verdict the table predicts: status, the refusal rules, and why."""
    rules, why = [], []
    events = (body.get("data") or {}).get("events", []) if api == "v3" else body.get("events", [])
    # Times are refreshed together (tests/peers.rs): an event a week or more older than the
    # newest stays too old. Observed: "event_at timestamp must be less than 168h0m0s old".
    stamps = [(i, millis(e)) for i, e in enumerate(events)]
    newest = max((t for _, t in stamps if t is not None), default=None)
    for i, t in stamps:
        if t is not None and newest - t >= 168 * 3600 * 1000:
            rules.append("event_at.age")
            why.append(f"events[{i}] is {(newest - t) // 86400000} days older than the newest event: Reddit answers `event_at timestamp must be less than 168h0m0s old` (observed, RudderStack's network fixture)")
    for i, e in enumerate(events):
        if api == "v3":
            uuid = (e.get("user") or {}).get("uuid")
            if isinstance(uuid, str) and uuid and not UUID.match(uuid):
                rules.append("v3.user.uuid")
                why.append(f"events[{i}].user.uuid {uuid!r} is not RFC 4122: Reddit answers `UUID must be RFC-4122 compliant` at user.UUID (spec's real v3 400 body)")
        else:
            at = e.get("event_at")
            if at is not None and not isinstance(at, str):
                rules.append("decode.type")
                why.append(f"events[{i}].event_at is a {type(at).__name__}: v2 event_at is an RFC 3339 string (documented); Reddit's strict decoder answers `JSON error unexpected type number on field events event_at` (wording inferred from the observed value refusal)")
            meta = e.get("event_metadata") or {}
            for key in meta:
                if key not in ("currency", "item_count", "value", "value_decimal", "products", "conversion_id"):
                    rules.append("decode.unknown_field")
                    why.append(f"events[{i}].event_metadata.{key} is not a field Reddit knows (strict decoder, observed for v3 test_id; inferred here)")
    if quoted:
        why.append(quoted["why"])
    if rules:
        return {"status": 400, "rules": sorted(set(rules)), "evidence": why}
    return {"status": 200, "rules": [], "evidence": ["the peer's test treats this body as sent to Reddit and the table has no refusal for it"]}

def case(provenance, api, body, quoted=None, note=None):
    c = {"provenance": provenance, "api": api, "body": body, "expected": label(api, body, quoted)}
    if quoted and "reply" in quoted:
        c["expected"]["reddit_reply"] = quoted["reply"]
    if note:
        c["note"] = note
    return c

files = {}

# Reddit's own server-side GTM template: v3 (HEAD) and its last v2 version run with the same scenarios.
G = "reddit/reddit-ss-gtm-template"
for name, commit, how in [
    ("reddit_v3.json", "40245ecf1b61e860ac40ac3030ff4b84278e67d8", "the template's own ___TESTS___ scenario, run offline (scripts/peers/gtm.js); every scenario's assertions pass"),
    ("reddit_v2.json", "43503b21c3e04030ad31552ce0048606855b513b", "the last v2 template's code (it has no tests) run with the inputs of the v3 template's scenario of this name (scripts/peers/gtm.js, CAPTURE_ONLY)"),
]:
    cases = []
    for sc in load(name):
        for sent in sc["sent"]:
            api = api_of(sent["url"])
            cases.append(case(f"{G}@{commit}:template.tpl :: {sc['name']}", api, json.loads(sent["body"])))
    files[f"reddit-sgtm-{'v3' if 'v3' in name else 'v2'}.json"] = {"peer": "Reddit sGTM template", "how": how, "cases": cases}

# Stape's Reddit tag: v3 (HEAD) and its last v2 version, each with its own tests.
S = "stape-io/reddit-tag"
for name, commit in [("stape_v3.json", "ca26b67d1f1935d1a7df7830c9ca672586e2ab19"), ("stape_v2.json", "7ad1eaf2d04d93867a8d057893ba76c455b1d42f")]:
    cases = []
    for sc in load(name):
        for sent in sc["sent"]:
            cases.append(case(f"{S}@{commit}:template.tpl :: {sc['name']}", api_of(sent["url"]), json.loads(sent["body"])))
    files[f"stape-{'v3' if 'v3' in name else 'v2'}.json"] = {"peer": "Stape", "how": "the tag's own ___TESTS___ scenario, run offline (scripts/peers/gtm.js)", "cases": cases}

# RudderStack: request bodies of the transformer's fixtures, and the network mocks' quoted replies.
R, RC = "rudderlabs/rudder-transformer", "c98d160cfaddc5fe5ddee7891c4f4a23014b9aa8"
base = "test/integrations/destinations/reddit"
for fname, path in [("rs_processor_data.json", "processor/data.ts"), ("rs_router_data.json", "router/data.ts"), ("rs_network.json", "network.ts"), ("rs_dataDelivery_business.json", "dataDelivery/business.ts")]:
    cases = []
    for n, x in enumerate(load(fname)):
        api = api_of(x["endpoint"])
        quoted, note = None, None
        reply = x.get("reply") or {}
        data = reply.get("data")
        if isinstance(data, dict) and "invalid_events" in data:
            quoted = {"rule": "event_at.age", "why": "the fixture quotes Reddit's 400 for this body: `event_at timestamp must be less than 168h0m0s old` on the 2018 event (times are shifted together, so it stays a year older than the newest)",
                      "reply": {"message": data["message"], "error_messages": [e["error_message"] for e in data["invalid_events"]]}}
        elif reply:
            note = f"the mock answers {reply.get('status')} {json.dumps(data)[:160]}: an authorization mock (or a pasted reply about a field this body does not have), not a verdict on this body"
        test = x["test"] if x["test"] != "networkCallsData" else f"networkCallsData[{n}] ({x['endpoint'].rsplit('/', 1)[-1]})"
        cases.append(case(f"{R}@{RC}:{base}/{path} :: {test}", api, x["body"], quoted, note))
    files[f"rudderstack-{path.replace('/', '-').replace('.ts', '')}.json"] = {"peer": "RudderStack", "how": "the fixture file evaluated as data (scripts/peers/extract.js)", "cases": cases}

# PostHog: inline snapshots of the request body (copied by hand).
cases = []
for x in load("posthog.json"):
    cases.append(case(f"PostHog/posthog@{x['commit']}:{x['path']} :: {x['test']}", api_of(x["endpoint"]), x["body"]))
files["posthog.json"] = {"peer": "PostHog", "how": "the test's inline snapshot of the request body", "cases": cases}

# Segment: the bodies the destination's tests expect (toMatchObject: the test's own object).
A, AC = "segmentio/action-destinations", "970a17ee8d064501db7ae555f4d90f17befadfc0"
cases = []
for x in load("seg.json"):
    cases.append(case(f"{A}@{AC}:packages/destination-actions/src/destinations/reddit-conversions-api/__tests__/index.test.ts :: {x['test']}", "v2.0", x["body"]))
files["segment.json"] = {"peer": "Segment", "how": "the object the test expects the request's json to match (scripts/peers/seg.js)", "cases": cases}

total = 0
for name, f in files.items():
    with open(f"{out}/{name}", "w") as fh:
        json.dump(f, fh, indent=1, ensure_ascii=False)
        fh.write("\n")
    total += len(f["cases"])
    print(f"{name}: {len(f['cases'])} bodies, {sum(c['expected']['status'] == 400 for c in f['cases'])} refused")
print(total, "bodies")
