"""deployment.yaml validation: every invalid file gets one line per problem with its YAML path, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from orchestrator.config import parse_config
from orchestrator.config.template import render_default_config
from orchestrator.errors import ConfigError
from tests.support.cli import run_cli


def _default() -> dict:
    return yaml.safe_load(render_default_config())


def _with(path: str, value: object) -> str:
    doc = _default()
    *parents, last = path.replace("]", "").replace("[", ".").split(".")
    node = doc
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    if value is _DELETE:
        del node[int(last) if last.isdigit() else last]
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return yaml.safe_dump(doc)


_DELETE = object()

INVALID = [
    ("bad CIDR", _with("network.vnet_cidr", "10.0.0.0/33"), "network.vnet_cidr", "not an IPv4 CIDR"),
    (
        "host bits set",
        _with("network.subnets[0].cidr", "10.1.0.1/16"),
        "network.subnets[0].cidr",
        "host bits",
    ),
    (
        "overlapping subnets",
        _with("network.subnets[1].cidr", "10.1.128.0/17"),
        "network.subnets[1].cidr",
        "overlaps network.subnets[0]",
    ),
    (
        "subnet outside the VNet",
        _with("network.vnet_cidr", "10.0.0.0/16"),
        "network.subnets[0].cidr",
        "not inside the VNet",
    ),
    ("unknown key", _with("network.subnet_list", []), "network.subnet_list", "unknown setting"),
    ("unknown top-level key", _with("colour", "blue"), "colour", "unknown setting"),
    (
        "wrong type",
        _with("clusters[1].spot_pool.count", "two"),
        "clusters[1].spot_pool.count",
        "valid integer",
    ),
    ("missing field", _with("clusters[0].pod_cidr", _DELETE), "clusters[0].pod_cidr", "required setting"),
    (
        "pool name too long",
        _with("clusters[0].system_pool.name", "systempool123"),
        "clusters[0].system_pool.name",
        "1-12 lowercase",
    ),
    (
        "pool name with a dash",
        _with("clusters[2].spot_pool.name", "spot-1"),
        "clusters[2].spot_pool.name",
        "1-12 lowercase",
    ),
    (
        "pool name upper case",
        _with("clusters[1].spot_pool.name", "Spot"),
        "clusters[1].spot_pool.name",
        "1-12 lowercase",
    ),
    (
        "pod CIDR inside the VNet",
        _with("clusters[1].pod_cidr", "10.200.0.0/16"),
        "clusters[1].pod_cidr",
        "overlaps the VNet",
    ),
    (
        "pod CIDRs overlap",
        _with("clusters[2].pod_cidr", "192.168.16.0/21"),
        "clusters[2].pod_cidr",
        "overlaps clusters[1].pod_cidr",
    ),
    (
        "service CIDR in a reserved range",
        _with("clusters[0].service_cidr", "172.30.0.0/16"),
        "clusters[0].service_cidr",
        "AKS reserves",
    ),
    (
        "DNS IP outside the service CIDR",
        _with("clusters[0].dns_service_ip", "172.17.0.10"),
        "clusters[0].dns_service_ip",
        "not inside service_cidr",
    ),
    (
        "autoscaler bounds",
        _with("clusters[1].spot_pool.count", 7),
        "clusters[1].spot_pool.count",
        "outside the autoscaler bounds",
    ),
    ("unknown subnet", _with("clusters[0].subnet", "nowhere"), "clusters[0].subnet", "no subnet named"),
    (
        "duplicate mesh id",
        _with("clusters[2].cilium_cluster_id", 2),
        "clusters[2].cilium_cluster_id",
        "already used",
    ),
    ("cluster name not allowed", _with("clusters[0].name", "default"), "clusters[0].name", "not 'default'"),
    (
        "B-series system pool",
        _with("clusters[0].system_pool.vm_size", "Standard_B2s"),
        "clusters[0].system_pool.vm_size",
        "B-series",
    ),
    (
        "remote state not built yet",
        _with("state_backend.kind", "azure_blob"),
        "state_backend.kind",
        "not available in this version",
    ),
    (
        "retention too short",
        _with("monitoring.retention_days", 7),
        "monitoring.retention_days",
        "greater than or equal to 30",
    ),
    ("not YAML", "name: [unclosed", "deployment.yaml:1", "not valid YAML"),
    ("not a mapping", "- just\n- a list\n", "deployment.yaml", "must be a mapping"),
]


@pytest.mark.parametrize(("case", "text", "path", "fragment"), INVALID, ids=[c[0] for c in INVALID])
def test_invalid_config_names_the_path(case: str, text: str, path: str, fragment: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(text)
    lines = [str(p) for p in info.value.problems]
    assert any(line.startswith(f"{path}") and fragment in line for line in lines), lines
    assert all("\n" not in line for line in lines)


def test_the_default_config_is_valid_and_matches_the_seed() -> None:
    config = parse_config(render_default_config())
    assert [c.name for c in config.clusters] == ["aks-mgmt", "aks-app1", "aks-app2"]
    assert [s.cidr for s in config.network.subnets] == [
        "10.0.0.0/8"[:0] + c for c in ("10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16", "10.4.0.0/24")
    ]
    assert [c.spot_pool.count for c in config.clusters] == [1, 2, 2]
    assert config.monitoring.retention_days == 30 and config.monitoring.daily_cap_gb == 5
    assert config.budget.monthly_usd == 80


@pytest.mark.parametrize(("case", "text", "path", "fragment"), INVALID[::4], ids=[c[0] for c in INVALID[::4]])
def test_cli_exits_2_with_one_line_per_problem_and_no_traceback(
    tmp_path: Path, case: str, text: str, path: str, fragment: str
) -> None:
    (tmp_path / "deployment.yaml").write_text(text)
    result = run_cli(["--cloud", "local", "plan"], cwd=tmp_path)
    assert result.code == 2, result
    assert "Traceback" not in result.stderr
    assert any(line.startswith(f"error: {path}") and fragment in line for line in result.stderr.splitlines())
    assert not (tmp_path / ".orchestrate").exists()  # nothing started, no cloud, no state


def test_init_writes_a_commented_file_and_refuses_to_overwrite(tmp_path: Path) -> None:
    assert run_cli(["init"], cwd=tmp_path).code == 0
    text = (tmp_path / "deployment.yaml").read_text()
    assert text.startswith("#") and "# -1 = up to the on-demand price" in text
    parse_config(text)
    again = run_cli(["init"], cwd=tmp_path)
    assert again.code == 2 and "--force" in again.stderr
