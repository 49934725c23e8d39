#!/usr/bin/env python3
"""Prints the `verify` bench as a Markdown table, with ratios against the
peers and the bare-HMAC floor measured in the same criterion run."""
import json
import pathlib
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "target/criterion")
names = ["hookproof", "svix", "standardwebhooks", "bare-hmac"]
print("| body | hookproof | svix | standardwebhooks | bare hmac+sha2 | svix / hookproof | standardwebhooks / hookproof | hookproof / bare |")
print("|---|---|---|---|---|---|---|---|")
for size in ["1KiB", "64KiB", "1MiB"]:
    times = {}
    for name in names:
        path = root / f"verify_{size}" / name / "new" / "estimates.json"
        times[name] = json.loads(path.read_text())["median"]["point_estimate"]  # ns
    fmt = lambda ns: f"{ns / 1000:.1f} µs"
    h = times["hookproof"]
    print(f"| {size} | {fmt(h)} | {fmt(times['svix'])} | {fmt(times['standardwebhooks'])} | {fmt(times['bare-hmac'])} "
          f"| {times['svix'] / h:.2f}x | {times['standardwebhooks'] / h:.2f}x | {h / times['bare-hmac']:.3f} |")
