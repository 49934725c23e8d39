#!/usr/bin/env python3
"""Writes the committed seed inputs in fuzz/seeds/<target>/ (formats in fuzz/README.md).

Each seed's expected outcome is asserted by
crates/hookproof-core/tests/fuzz_regressions.rs; change both together.
"""
import base64
import hashlib
import hmac
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
NAMES = [
    "x-signature", "smile-signature", "smile-timestamp", "webhook-signature", "svix-signature",
    "webhook-timestamp", "svix-timestamp", "webhook-id", "svix-id", "x-hub-signature-256",
    "x-github-delivery", "stripe-signature", "x-slack-signature", "x-slack-request-timestamp",
    "x-shopify-hmac-sha256", "x-shopify-webhook-id",
]
PRESETS = ["smake", "smarter-launch", "smile", "standard-webhooks", "github", "stripe", "slack", "shopify"]
NOW = 1_700_000_000


def rec(name, value):
    if isinstance(value, str):
        value = value.encode()
    return bytes([NAMES.index(name)]) + struct.pack(">H", len(value)) + value


def write(target, name, data):
    os.makedirs(os.path.join(HERE, "seeds", target), exist_ok=True)
    with open(os.path.join(HERE, "seeds", target, name), "wb") as f:
        f.write(data)


def mac(key, msg, algo=hashlib.sha256):
    return hmac.new(key, msg, algo).digest()


def b64(raw):
    return base64.b64encode(raw).decode()


# header_parsing: records only; verified against every preset at NOW with body b"{}".
ts = str(NOW)
zero32 = b64(bytes(32))
hp = {
    "empty": b"",
    "duplicate_webhook_signature": rec("webhook-signature", "v1," + zero32) * 2
    + rec("webhook-id", "msg_1") + rec("webhook-timestamp", ts),
    "forged_fresh_signatures": b"".join([
        rec("x-signature", "sha1=" + "00" * 20),
        rec("smile-signature", zero32), rec("smile-timestamp", ts),
        rec("webhook-signature", "v1," + zero32), rec("webhook-timestamp", ts), rec("webhook-id", "msg_1"),
        rec("x-hub-signature-256", "sha256=" + "00" * 32), rec("x-github-delivery", "d-1"),
        rec("stripe-signature", f"t={ts},v1=" + "00" * 32),
        rec("x-slack-signature", "v0=" + "00" * 32), rec("x-slack-request-timestamp", ts),
        rec("x-shopify-hmac-sha256", zero32),
    ]),
    "stale_and_future": b"".join([
        rec("smile-signature", zero32), rec("smile-timestamp", str(NOW - 301)),
        rec("webhook-signature", "v1," + zero32), rec("webhook-timestamp", str(NOW + 301)), rec("webhook-id", "m"),
        rec("stripe-signature", f"t={NOW - 10_000},v1=" + "00" * 32),
        rec("x-slack-signature", "v0=" + "00" * 32), rec("x-slack-request-timestamp", str(NOW + 10_000)),
    ]),
    "hostile_bytes": b"".join([
        rec("x-signature", b"sha1=\x00\x01\n" + b"00" * 19),
        rec("smile-signature", "@@@"),
        rec("webhook-signature", b"A" * 5000), rec("webhook-timestamp", ts), rec("webhook-id", "m"),
        rec("x-hub-signature-256", b"sha256=\xff"),
        rec("stripe-signature", "t=1,t=2,v1=00"),
        rec("x-slack-signature", "v0=zz"),
        rec("x-shopify-hmac-sha256", b"\x7f"),
    ]),
    "too_many_signatures": b"".join([
        rec("webhook-signature", " ".join(["v1,AAAA"] * 17)), rec("webhook-timestamp", ts), rec("webhook-id", "m"),
        rec("stripe-signature", f"t={ts}," + ",".join(["v1=00"] * 17)),
    ]),
    "svix_aliases": rec("svix-signature", "v1," + zero32) + rec("svix-id", "msg_1") + rec("svix-timestamp", ts),
    "extreme_timestamps": b"".join([
        rec("smile-signature", zero32), rec("smile-timestamp", "-9223372036854775808"),
        rec("webhook-signature", "v1," + zero32), rec("webhook-timestamp", "99999999999999999999"),
        rec("webhook-id", "m"),
        rec("stripe-signature", "t=9223372036854775807,v1=" + "00" * 32),
        rec("x-slack-signature", "v0=" + "00" * 32), rec("x-slack-request-timestamp", "+1700000000"),
    ]),
}
for name, data in hp.items():
    write("header_parsing", name, data)


# verify_path: [preset][flags][small limit][time i64 LE][secret u8-len][body u16-len][id u8-len][records]
def vp(preset, secret, body, id_, records, time=NOW, flags=0, small_limit=0):
    return (bytes([PRESETS.index(preset), flags, small_limit]) + struct.pack("<q", time)
            + bytes([len(secret)]) + secret + struct.pack(">H", len(body)) + body
            + bytes([len(id_)]) + id_ + b"".join(records))


gh_secret, gh_body = b"It's a Secret to Everybody", b"Hello, World!"
sw_secret = base64.b64decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
sw_body, sw_id, sw_ts = b'{"test": 2432232314}', b"msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330
st_secret, st_body = b"whsec_test", b'{"id":"evt_1","object":"event"}'
smile_secret, smile_body = b"smile-secret", b'{"account_id":1,"topic":"ping","data":{}}'
pretty = b'{\n  "event": "launch",\n  "ok": true\n}'
compact = b'{"event":"launch","ok":true}'
vpath = {
    "github_valid": vp("github", gh_secret, gh_body, b"delivery-1", [
        rec("x-hub-signature-256", "sha256=" + mac(gh_secret, gh_body).hex()),
        rec("x-github-delivery", "delivery-1")]),
    "standard_webhooks_public_vector": vp("standard-webhooks", sw_secret, sw_body, sw_id, [
        rec("webhook-id", sw_id), rec("webhook-timestamp", str(sw_ts)),
        rec("webhook-signature", "v1," + b64(mac(sw_secret, sw_id + b"." + str(sw_ts).encode() + b"." + sw_body)))],
        time=sw_ts),
    "stripe_valid_second_v1": vp("stripe", st_secret, st_body, b"", [
        rec("stripe-signature", f"t={NOW},v1={'ab' * 32},v1={mac(st_secret, str(NOW).encode() + b'.' + st_body).hex()},v0=00")]),
    "smile_stale": vp("smile", smile_secret, smile_body, b"", [
        rec("smile-timestamp", str(NOW - 301)),
        rec("smile-signature", b64(mac(smile_secret, str(NOW - 301).encode() + b"." + smile_body)))]),
    "smake_tampered": vp("smake", b"smake", b'{"amount":100}', b"", [
        rec("x-signature", "sha1=" + mac(b"smake", b'{"amount":1}', hashlib.sha1).hex())]),
    "slack_small_limit": vp("slack", b"slack", b"0123456789", b"", [], flags=2, small_limit=4),
    "smarter_launch_pretty_fallback": vp("smarter-launch", b"launch", pretty, b"", [
        rec("x-signature", mac(b"launch", compact).hex())], flags=1),
    "smarter_launch_pretty_no_fallback": vp("smarter-launch", b"launch", pretty, b"", [
        rec("x-signature", mac(b"launch", compact).hex())], flags=0),
    "shopify_duplicate_ids": vp("shopify", b"shop", b"{}", b"id-1", [
        rec("x-shopify-hmac-sha256", b64(mac(b"shop", b"{}"))),
        rec("x-shopify-webhook-id", "id-1"), rec("x-shopify-webhook-id", "id-2")]),
    "empty_secret_and_body": vp("shopify", b"", b"", b"", []),
}
for name, data in vpath.items():
    write("verify_path", name, data)
