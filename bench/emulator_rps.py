"""Requests per second the local ARM emulator sustains on loopback (not a test).

Usage: .venv/bin/python bench/emulator_rps.py [--requests 400] [--threads 1 4]

Measures, over raw keep-alive HTTPS connections (so client SDK overhead is excluded):
- GET of one virtual network;
- PUT of a virtual network as a full LRO (PUT 201 + Azure-AsyncOperation poll + final GET),
  reported both as HTTP requests/s and as completed LROs/s;
and, for reference, the same GET through the real azure-mgmt-network client.
"""

from __future__ import annotations

import argparse
import http.client
import json
import ssl
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from emulator import LocalCloud, Settings

SUB = "00000000-0000-0000-0000-0000000000be"
RG = f"/subscriptions/{SUB}/resourceGroups/bench"
VNET_PATH = f"{RG}/providers/Microsoft.Network/virtualNetworks"
API = "?api-version=2026-03-01"


class Conn:
    def __init__(self, cloud: LocalCloud) -> None:
        ctx = ssl.create_default_context(cafile=str(cloud.ca_path))
        self._http = http.client.HTTPSConnection("127.0.0.1", cloud.port, context=ctx)
        self._auth = {"Authorization": f"Bearer {cloud.token}", "Content-Type": "application/json"}

    def call(self, method: str, url: str, body: Any = None) -> tuple[int, dict[str, str], Any]:
        path = urlsplit(url).path + ("?" + urlsplit(url).query if urlsplit(url).query else "")
        data = json.dumps(body).encode() if body is not None else None
        self._http.request(method, path, body=data, headers=self._auth)
        resp = self._http.getresponse()
        raw = resp.read()
        return resp.status, dict(resp.getheaders()), json.loads(raw) if raw else None


def _vnet(i: int) -> dict[str, Any]:
    return {
        "location": "koreacentral",
        "properties": {"addressSpace": {"addressPrefixes": [f"10.{i % 250}.0.0/16"]}},
    }


def get_loop(cloud: LocalCloud, n: int) -> int:
    conn = Conn(cloud)
    for _ in range(n):
        status, _, _ = conn.call("GET", f"{VNET_PATH}/v0{API}")
        assert status == 200
    return n


def put_lro_loop(cloud: LocalCloud, n: int, worker: int) -> int:
    conn = Conn(cloud)
    requests = 0
    for i in range(n):
        url = f"{VNET_PATH}/w{worker}-{i}{API}"
        status, headers, _ = conn.call("PUT", url, _vnet(i))
        requests += 1
        assert status in (200, 201), status
        while True:
            _, _, op = conn.call("GET", headers["Azure-AsyncOperation"])
            requests += 1
            if op["status"] != "InProgress":
                break
        conn.call("GET", url)
        requests += 1
    return requests


def run(threads: int, work: Callable[[int], int]) -> tuple[int, float]:
    counts = [0] * threads

    def target(k: int) -> None:
        counts[k] = work(k)

    started = time.perf_counter()
    pool = [threading.Thread(target=target, args=(k,)) for k in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return sum(counts), time.perf_counter() - started


def sdk_get_loop(cloud: LocalCloud, n: int) -> tuple[int, float]:
    from azure.core.credentials import AccessToken
    from azure.mgmt.network import NetworkManagementClient

    class Token:
        def get_token(self, *scopes: str, **kw: Any) -> AccessToken:
            return AccessToken(cloud.token, int(time.time()) + 3600)

    net = NetworkManagementClient(
        Token(), SUB, base_url=cloud.arm_url, connection_verify=str(cloud.ca_path), polling_interval=0
    )
    started = time.perf_counter()
    for _ in range(n):
        net.virtual_networks.get("bench", "v0")
    return n, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=400, help="GETs per thread (PUT LROs: a quarter)")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 4])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, LocalCloud.start(Path(tmp), Settings()) as cloud:
        setup = Conn(cloud)
        setup.call("PUT", f"{RG}?api-version=2025-04-01", {"location": "koreacentral"})
        setup.call("PUT", f"{VNET_PATH}/v0{API}", _vnet(0))
        rows = []
        for threads in args.threads:
            n, secs = run(threads, lambda k: get_loop(cloud, args.requests))
            rows.append((f"GET vnet (raw, {threads} thr)", n, secs, n / secs, "-"))
            lros = max(1, args.requests // 4)
            n, secs = run(threads, lambda k, lros=lros, t=threads: put_lro_loop(cloud, lros, k + t * 1000))
            rows.append(
                (f"PUT vnet LRO (raw, {threads} thr)", n, secs, n / secs, f"{lros * threads / secs:.1f}")
            )
        n, secs = sdk_get_loop(cloud, max(1, args.requests // 2))
        rows.append(("GET vnet (azure-mgmt-network SDK)", n, secs, n / secs, "-"))
        print(f"{'scenario':<36}{'requests':>10}{'seconds':>10}{'req/s':>10}{'LRO/s':>10}")
        for name, count, secs, rps, lro in rows:
            print(f"{name:<36}{count:>10}{secs:>10.2f}{rps:>10.0f}{lro:>10}")


if __name__ == "__main__":
    main()
