"""The official Python side of tests/interop.rs for Slack.

    python slack_peer.py <cases.json>

For every case slack_sdk's SignatureVerifier signs the body
(generate_signature) and gives its verdict on four deliveries: hookproof's
headers and its own, each with the body and with the tampered body. Verdicts
are "accept", "reject" or "error: ..." (anything else, which the Rust side
counts as a disagreement). Prints {"library", "versions", "results"} as JSON.
"""

import base64
import json
import sys
from importlib.metadata import version

from slack_sdk.signature import Clock, SignatureVerifier


class FixedClock(Clock):
    """The test's "now", so the freshness window is the same on both sides."""

    def __init__(self, now: float) -> None:
        self._now = now

    def now(self) -> float:
        return self._now


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as file:
        data = json.load(file)
    clock = FixedClock(float(data["now"]))
    results = []
    for case in data["cases"]:
        body = base64.b64decode(case["body_b64"])
        tampered = base64.b64decode(case["tampered_b64"])
        verifier = SignatureVerifier(case["secret"], clock=clock)
        result = {"signed": None, "sign_error": None, "verdicts": {}}
        timestamp = str(case["timestamp"])
        try:
            # What Slack sends: the timestamp header and v0= signature over raw bytes.
            signature = verifier.generate_signature(timestamp=timestamp, body=body)
            result["signed"] = {"x-slack-request-timestamp": timestamp, "x-slack-signature": signature}
        except Exception as error:  # noqa: BLE001 - reported, never hidden
            result["sign_error"] = f"error: {type(error).__name__}: {error}"
        deliveries = [
            ("hookproof_body", case["hookproof_headers"], body),
            ("hookproof_tampered", case["hookproof_headers"], tampered),
            ("official_body", result["signed"], body),
            ("official_tampered", result["signed"], tampered),
        ]
        for name, headers, payload in deliveries:
            if headers is None:
                continue
            try:
                # Headers as a framework hands them over (any case).
                valid = verifier.is_valid_request(payload, headers)
                result["verdicts"][name] = "accept" if valid else "reject"
            except Exception as error:  # noqa: BLE001 - reported, never hidden
                result["verdicts"][name] = f"error: {type(error).__name__}: {error}"
        results.append(result)
    json.dump({"library": "slack_sdk", "versions": {"slack_sdk": version("slack_sdk")}, "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
