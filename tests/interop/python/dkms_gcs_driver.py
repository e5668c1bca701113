"""Runs operations with the official KMS Instance API client (alibabacloud-dkms-gcs 1.0.2).

It runs in its own venv (.venv-interop-dkms): that client needs pyOpenSSL<23.3 and so
cryptography<42, which cannot share the main interop venv. test_dkms_gcs.py starts it with one JSON
document on stdin:

    {"config": {"endpoint": "127.0.0.1:PORT", "client_key_file": ..., "password": ...,
                "ca_file_path": ...},
     "ops": [{"api": "Encrypt", "request": {"KeyId": "...", "Plaintext": {"b64": "..."}}}, ...]}

and reads one JSON list back: per op {"ok": <response to_map()>} or {"error": {"code", "message",
"data"}}. Bytes travel as {"b64": ...} both ways. A request value {"from": [i, "Field"]} takes a field
of an earlier op's response, so a round trip needs one process start.
"""
from __future__ import annotations

import base64
import json
import re
import sys

from openapi.models import Config
from sdk import models
from sdk.client import Client


def decode(v, results):
    if isinstance(v, dict):
        if set(v) == {"b64"}:
            return base64.b64decode(v["b64"])
        if set(v) == {"from"}:
            i, field = v["from"]
            return decode(results[i]["ok"][field], results)
        return {k: decode(x, results) for k, x in v.items()}
    if isinstance(v, list):
        return [decode(x, results) for x in v]
    return v


def encode(v):
    if isinstance(v, (bytes, bytearray)):
        return {"b64": base64.b64encode(bytes(v)).decode()}
    if isinstance(v, dict):
        return {k: encode(x) for k, x in v.items()}
    if isinstance(v, list):
        return [encode(x) for x in v]
    return v


def snake(api: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", api).lower()


def main() -> None:
    doc = json.load(sys.stdin)
    client = Client(Config(protocol="https", **doc["config"]))
    results = []
    for op in doc["ops"]:
        api = op["api"]
        try:
            req = getattr(models, api + "Request")().from_map(decode(op.get("request", {}), results))
            resp = getattr(client, snake(api))(req)
            results.append({"ok": encode(resp.to_map())})
        except Exception as e:  # the official client's exceptions carry code/message/data
            results.append({"error": {
                "type": type(e).__name__,
                "code": getattr(e, "code", None),
                "message": str(getattr(e, "message", e)),
                "data": encode(getattr(e, "data", None)),
            }})
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
