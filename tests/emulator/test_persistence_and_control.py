"""State survives restarts, LROs complete across processes, settings.json, CLI and /_emulator/."""

from __future__ import annotations

import json
import os
import ssl
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from arm_testkit import LOC, SUB, StaticToken, client_kwargs
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.resource.resources import ResourceManagementClient

from emulator import FaultKind, FaultRule, LocalCloud, Settings

BODY = {"location": LOC, "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}}


def _net(cloud: LocalCloud) -> NetworkManagementClient:
    return NetworkManagementClient(StaticToken(cloud.token), SUB, **client_kwargs(cloud))


def _rg(cloud: LocalCloud) -> None:
    ResourceManagementClient(
        StaticToken(cloud.token), SUB, **client_kwargs(cloud)
    ).resource_groups.create_or_update("rg1", {"location": LOC})


def test_lro_started_before_a_restart_completes_after_it(tmp_path: Path) -> None:
    state = tmp_path / "cloud"
    settings = Settings(time_scale=0.1)  # vnet: 5 s * 0.1
    with LocalCloud.start(state, settings) as first:
        _rg(first)
        token = _net(first).virtual_networks.begin_create_or_update("rg1", "v1", BODY).continuation_token()
        port, ca, secret = first.port, first.ca_path.read_bytes(), first.token
    with LocalCloud.start(state, settings) as second:
        assert (second.port, second.ca_path.read_bytes(), second.token) == (port, ca, secret)
        net = _net(second)
        assert net.virtual_networks.get("rg1", "v1").provisioning_state == "Creating"
        vnet = net.virtual_networks.begin_create_or_update(
            "rg1", "v1", None, continuation_token=token
        ).result()
        assert vnet.provisioning_state == "Succeeded"


def test_time_scale_keeps_the_resource_busy(tmp_path: Path) -> None:
    with LocalCloud.start(tmp_path / "c", Settings(time_scale=0.1)) as cloud:
        _rg(cloud)
        net = _net(cloud)
        net.virtual_networks.begin_create_or_update("rg1", "v1", BODY)
        from azure.core.exceptions import ResourceExistsError

        try:
            net.virtual_networks.begin_create_or_update("rg1", "v1", BODY)
            raise AssertionError("expected 409")
        except ResourceExistsError as exc:
            assert exc.error is not None and exc.error.code == "AnotherOperationInProgress"
        time.sleep(0.6)
        assert net.virtual_networks.get("rg1", "v1").provisioning_state == "Succeeded"


def test_settings_json_is_read_at_start(tmp_path: Path) -> None:
    state = tmp_path / "c"
    Settings(faults=(FaultRule(FaultKind.INTERNAL, "Microsoft.Network/*", "GET"),)).save(state)
    with LocalCloud.start(state) as cloud:
        assert cloud.settings.faults[0].kind == FaultKind.INTERNAL


def _admin(cloud: LocalCloud, method: str, path: str, body: Any = None) -> Any:
    ctx = ssl.create_default_context(cafile=str(cloud.ca_path))
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(cloud.arm_url + path, data=data, method=method)
    req.add_header("Authorization", f"Bearer {cloud.token}")
    with urllib.request.urlopen(req, context=ctx) as resp:
        raw = resp.read()
        return json.loads(raw) if raw else None


def test_introspection_endpoints(local_cloud: LocalCloud) -> None:
    _rg(local_cloud)
    counts = _admin(local_cloud, "GET", "/_emulator/requests")
    assert (
        counts["total"] == 1 and counts["counts"][0]["resourceType"] == "Microsoft.Resources/resourceGroups"
    )
    assert _admin(local_cloud, "GET", "/_emulator/resources")["value"][0]["id"].endswith(
        "/resourceGroups/rg1"
    )
    _admin(local_cloud, "POST", "/_emulator/requests/reset")
    assert _admin(local_cloud, "GET", "/_emulator/requests")["total"] == 0
    new = Settings(time_scale=2.0, faults=(FaultRule(FaultKind.THROTTLE, "*", "GET", count=1),))
    _admin(local_cloud, "PUT", "/_emulator/settings", new.to_json())
    assert local_cloud.settings == new


def test_cli_serve_keeps_resources_across_restart(tmp_path: Path) -> None:
    state = tmp_path / "cli"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    for attempt in range(2):
        proc = subprocess.Popen(
            [sys.executable, "-m", "emulator", "serve", "--dir", str(state)],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        try:
            assert proc.stdout is not None
            url = proc.stdout.readline().split()[-1]
            assert "CA bundle" in proc.stdout.readline() and "Token file" in proc.stdout.readline()
            token = (state / "token").read_text().strip()
            kwargs = {"base_url": url, "connection_verify": str(state / "ca.pem"), "polling_interval": 0}
            res = ResourceManagementClient(StaticToken(token), SUB, **kwargs)
            if attempt == 0:
                res.resource_groups.create_or_update("kept", {"location": LOC})
            else:
                assert res.resource_groups.get("kept").name == "kept"
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def test_cli_configure_writes_settings(tmp_path: Path) -> None:
    from emulator.cli import main

    state = tmp_path / "conf"
    assert (
        main(
            [
                "configure",
                "--dir",
                str(state),
                "--time-scale",
                "0.5",
                "--fault",
                "kind=lro_failure,type=Microsoft.ContainerService/*,method=PUT,code=QuotaExceeded",
            ]
        )
        == 0
    )
    settings = Settings.load(state)
    assert settings is not None and settings.time_scale == 0.5
    assert (
        settings.faults[0].error_code == "QuotaExceeded" and settings.faults[0].kind == FaultKind.LRO_FAILURE
    )


def test_two_instances_share_one_state_dir(tmp_path: Path) -> None:
    state = tmp_path / "shared"
    with LocalCloud.start(state) as a, LocalCloud.start(state) as b:
        assert a.port != b.port
        _rg(a)
        _net(b).virtual_networks.begin_create_or_update("rg1", "v1", BODY).result()
        assert _net(a).virtual_networks.get("rg1", "v1").provisioning_state == "Succeeded"
        assert {r["type"] for r in a.resources()} == {
            "Microsoft.Resources/resourceGroups",
            "Microsoft.Network/virtualNetworks",
        }


def test_route_faults_and_labels(local_cloud: LocalCloud) -> None:
    from azure.core.exceptions import HttpResponseError
    from azure.mgmt.compute import ComputeManagementClient

    compute = ComputeManagementClient(
        StaticToken(local_cloud.token), SUB, **client_kwargs(local_cloud, retry_total=0)
    )
    local_cloud.set_settings(
        Settings(faults=(FaultRule(FaultKind.UNAVAILABLE, "Microsoft.Compute/skus", "GET", count=1),))
    )
    try:
        list(compute.resource_skus.list())
        raise AssertionError("expected 503")
    except HttpResponseError as exc:
        assert exc.status_code == 503
    assert len(list(compute.resource_skus.list())) >= 5
    outcomes = {(c["resourceType"], c["outcome"]) for c in local_cloud.request_counts()}
    assert outcomes == {("Microsoft.Compute/skus", "503"), ("Microsoft.Compute/skus", "200")}


def test_delete_preempts_a_running_create(tmp_path: Path) -> None:
    from azure.core.exceptions import HttpResponseError

    with LocalCloud.start(tmp_path / "c", Settings(time_scale=0.1)) as cloud:
        _rg(cloud)
        net = _net(cloud)
        creating = net.virtual_networks.begin_create_or_update("rg1", "v1", BODY)
        first = net.virtual_networks.begin_delete("rg1", "v1")
        again = net.virtual_networks.begin_delete("rg1", "v1")  # same operation, not a 409
        first.result()
        again.result()
        try:
            creating.result()
            raise AssertionError("the create should end Canceled")
        except HttpResponseError as exc:
            assert exc.error is not None and exc.error.code == "OperationCanceled"
        assert cloud.resources("Microsoft.Network/virtualNetworks") == []


def test_settings_json_rewritten_at_runtime_is_applied(local_cloud: LocalCloud) -> None:
    from azure.core.exceptions import HttpResponseError

    _rg(local_cloud)
    net = NetworkManagementClient(
        StaticToken(local_cloud.token), SUB, **client_kwargs(local_cloud, retry_total=0)
    )
    Settings(faults=(FaultRule(FaultKind.INTERNAL, "Microsoft.Network/*", "GET"),)).save(
        local_cloud.state_dir
    )
    try:
        net.virtual_networks.get("rg1", "v1")
        raise AssertionError("expected the injected 500")
    except HttpResponseError as exc:
        assert exc.status_code == 500
    assert local_cloud.settings.faults[0].kind == FaultKind.INTERNAL
