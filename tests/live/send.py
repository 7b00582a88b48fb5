"""Sends track, identify and page calls and a batch of N Order Completed events to the console's
collection endpoint with Segment's own segment-analytics-python, gzipped.
Usage: python send.py HOST KEY TAG N"""
import sys

import segment.analytics as analytics

host, write_key, tag, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
errors = []
analytics.write_key = write_key
analytics.host = host
analytics.gzip = True
analytics.on_error = lambda error, batch: errors.append(repr(error))

analytics.identify(f"{tag}-identify", {"email": " Jane.Doe@Example.com ", "phone": "+1 415 555 0132"})
analytics.track(
    f"{tag}-track",
    "Order Completed",
    {"order_id": f"{tag}-order", "revenue": 42.5, "currency": "USD"},
    context={"traits": {"email": "jane.doe@example.com"}, "ip": "203.0.113.7"},
)
analytics.page(f"{tag}-page", None, "Home", {"url": "https://shop.example.com/"})
for i in range(count):
    analytics.track(f"{tag}-batch-{i}", "Order Completed", {"order_id": f"{tag}-{i}", "revenue": 10 + i, "currency": "USD"})
analytics.flush()
analytics.shutdown()
if errors:
    print("analytics-python errors:", errors, file=sys.stderr)
    sys.exit(1)
