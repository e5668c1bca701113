#!/usr/bin/env python3
"""Client CPU per Encrypt of the official Alibaba Cloud KMS Python SDK.

Run under .venv-interop/bin/python (see scripts/setup-interop):
    official_python_cpu.py --port PORT [--calls N] [--warmup W]

Uses alibabacloud-kms20160120's sync Client.encrypt_with_options(req, RuntimeOptions()) with
its default signing (V3, ACS3-HMAC-SHA256), fake AK credentials, protocol http against a
trivial keep-alive server on 127.0.0.1:PORT (tests/bench/trivial_server.py, its own process).
After W warm-up calls it times N sequential calls and prints one JSON line:
    {"client":"official-python","calls":N,"cpu_us_per_call":..,"user_us_per_call":..,
     "sys_us_per_call":..,"wall_us_per_call":..,...}
cpu = time.process_time() delta (user+sys of this whole process, all threads);
user/sys = resource.getrusage(RUSAGE_SELF) deltas; wall = time.perf_counter() delta.
"""
from __future__ import annotations

import argparse
import base64
import json
import os
import platform
import resource
import sys
import time
from importlib.metadata import version

for _k in list(os.environ):
    if _k.lower() in ("http_proxy", "https_proxy", "all_proxy"):
        del os.environ[_k]
os.environ["NO_PROXY"] = "127.0.0.1,localhost"

from alibabacloud_kms20160120 import models  # noqa: E402
from alibabacloud_kms20160120.client import Client  # noqa: E402
from alibabacloud_tea_openapi.utils_models import Config  # noqa: E402
from darabonba.runtime import RuntimeOptions  # noqa: E402

EXPECTED_BLOB_PREFIX = "ODZhOWVmZDktM2QxNi00ODk0"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--calls", type=int, default=3000)
    ap.add_argument("--warmup", type=int, default=200)
    a = ap.parse_args()

    client = Client(Config(
        access_key_id="LTAI5tFakeAccessKeyId01",
        access_key_secret="FakeAccessKeySecretForVectors0123456789",
        protocol="http",
        endpoint=f"127.0.0.1:{a.port}",
        region_id="cn-hangzhou",
        read_timeout=15000,
        connect_timeout=5000,
    ))
    plaintext = base64.b64encode(b"Hello world, this is a secret").decode()

    def one() -> None:
        req = models.EncryptRequest(key_id="alias/app", plaintext=plaintext,
                                    encryption_context={"app": "billing"})
        resp = client.encrypt_with_options(req, RuntimeOptions())
        if resp.status_code != 200 or not resp.body.ciphertext_blob.startswith(EXPECTED_BLOB_PREFIX):
            raise SystemExit(f"unexpected response: {resp.status_code} {resp.body.to_map()}")

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
        "client": "official-python",
        "calls": n,
        "cpu_us_per_call": round((c1 - c0) * 1e6 / n, 2),
        "user_us_per_call": round((ru1.ru_utime - ru0.ru_utime) * 1e6 / n, 2),
        "sys_us_per_call": round((ru1.ru_stime - ru0.ru_stime) * 1e6 / n, 2),
        "wall_us_per_call": round((w1 - w0) * 1e6 / n, 2),
        "sdk": f"alibabacloud-kms20160120=={version('alibabacloud-kms20160120')} "
               f"(alibabacloud-tea-openapi=={version('alibabacloud-tea-openapi')}, "
               f"darabonba-core=={version('darabonba-core')})",
        "api": "Client.encrypt_with_options (sync, requests.Session keep-alive)",
        "signing": "ACS3-HMAC-SHA256 (SDK default, V3)",
        "runtime": f"{platform.python_implementation()} {platform.python_version()}",
        "warmup": a.warmup,
    }))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
