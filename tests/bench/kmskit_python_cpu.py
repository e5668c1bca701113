#!/usr/bin/env python3
"""Client CPU per Encrypt of kmskit's Python face, measured exactly like official_python_cpu.py.

Run under the venv that has the `kmskit` package (scripts/bench-faces installs it):
    kmskit_python_cpu.py --port PORT [--calls N] [--warmup W]

Blocking kmskit.Client.encrypt with ACS3 signing against the trivial keep-alive server on
127.0.0.1:PORT (tests/bench/trivial_server.py, its own process). Prints one JSON line with the
same fields as the official peer: cpu = time.process_time() delta (user+sys of the whole
process, the face's runtime threads included); user/sys from getrusage(RUSAGE_SELF).
"""
from __future__ import annotations

import argparse
import json
import platform
import resource
import sys
import time

import kmskit

EXPECTED_BLOB_PREFIX = "ODZhOWVmZDktM2QxNi00ODk0"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--calls", type=int, default=3000)
    ap.add_argument("--warmup", type=int, default=200)
    a = ap.parse_args()

    client = kmskit.Client(
        endpoint=f"http://127.0.0.1:{a.port}",
        region="cn-hangzhou",
        credentials=kmskit.AccessKey("LTAI5tFakeAccessKeyId01", "FakeAccessKeySecretForVectors0123456789"),
    )
    plaintext = b"Hello world, this is a secret"
    ctx = {"app": "billing"}

    def one() -> None:
        r = client.encrypt("alias/app", plaintext, encryption_context=ctx)
        if not r.ciphertext_blob.startswith(EXPECTED_BLOB_PREFIX):
            raise SystemExit(f"unexpected response: {r!r}")

    for _ in range(a.warmup):
        one()
    ru0 = resource.getrusage(resource.RUSAGE_SELF)
    c0 = time.process_time()
    w0 = time.perf_counter()
    for _ in range(a.calls):
        one()
    w1 = time.perf_counter()
    c1 = time.process_time()
    ru1 = resource.getrusage(resource.RUSAGE_SELF)
    n = a.calls
    print(json.dumps({
        "client": "kmskit-python",
        "calls": n,
        "cpu_us_per_call": round((c1 - c0) * 1e6 / n, 2),
        "user_us_per_call": round((ru1.ru_utime - ru0.ru_utime) * 1e6 / n, 2),
        "sys_us_per_call": round((ru1.ru_stime - ru0.ru_stime) * 1e6 / n, 2),
        "wall_us_per_call": round((w1 - w0) * 1e6 / n, 2),
        "sdk": f"kmskit {kmskit.__version__}",
        "api": "kmskit.Client.encrypt (blocking, GIL released)",
        "signing": "ACS3-HMAC-SHA256",
        "runtime": f"{platform.python_implementation()} {platform.python_version()}",
        "warmup": a.warmup,
    }))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
