"""The local cloud's chart repository, through the real helm and an HTTPS client trusting its CA."""

from __future__ import annotations

import hashlib
import os
import shutil
import ssl
import subprocess
import urllib.request
from pathlib import Path

import pytest
import yaml
from phase3_kit import HELM, helm_env

from emulator import LocalCloud, Settings
from emulator.charts import ChartRepository
from emulator.charts.repository import SOURCES

REPO = Path(__file__).resolve().parents[2]
LOCK = REPO / "manifests" / "charts.lock.yaml"


@pytest.fixture(scope="module")
def cloud(tmp_path_factory: pytest.TempPathFactory) -> LocalCloud:
    started = LocalCloud.start(tmp_path_factory.mktemp("repo") / "cloud", Settings())
    yield started  # type: ignore[misc]
    started.stop()


def _get(cloud: LocalCloud, path: str) -> tuple[int, bytes]:
    context = ssl.create_default_context(cafile=str(cloud.ca_path))
    try:
        with urllib.request.urlopen(f"{cloud.chart_repository}/{path}", context=context) as answer:
            return int(answer.status), answer.read()
    except urllib.error.HTTPError as err:
        return err.code, b""


def test_index_lists_each_chart_with_the_digest_of_the_archive_served(cloud: LocalCloud) -> None:
    status, body = _get(cloud, "charts/index.yaml")
    assert status == 200
    index = yaml.safe_load(body)
    assert index["apiVersion"] == "v1"
    (entry,) = index["entries"]["cilium"]
    assert (entry["version"], entry["appVersion"], entry["urls"]) == (
        "1.20.0",
        "1.20.0",
        ["cilium-1.20.0.tgz"],
    )
    status, archive = _get(cloud, "charts/cilium-1.20.0.tgz")
    assert status == 200 and hashlib.sha256(archive).hexdigest() == entry["digest"]
    assert _get(cloud, "charts/cilium-9.9.9.tgz")[0] == 404


def test_helm_pulls_the_chart_over_https_with_the_ca_and_renders_it(
    cloud: LocalCloud, tmp_path: Path
) -> None:
    env = helm_env(tmp_path)
    pull = [HELM, "pull", "cilium", "--repo", f"{cloud.chart_repository}/charts", "--version", "1.20.0",
            "--ca-file", str(cloud.ca_path), "--destination", str(tmp_path)]  # fmt: skip
    subprocess.run(pull, check=True, capture_output=True, env=env)
    pulled = (tmp_path / "cilium-1.20.0.tgz").read_bytes()
    index = yaml.safe_load(_get(cloud, "charts/index.yaml")[1])
    assert hashlib.sha256(pulled).hexdigest() == index["entries"]["cilium"][0]["digest"]
    values = tmp_path / "v.yaml"
    values.write_text("hubble: {tls: {auto: {method: cronJob}}}\n")
    out = subprocess.run([HELM, "template", "cilium", str(tmp_path / "cilium-1.20.0.tgz"), "-n", "kube-system",
                          "-f", str(values), "--include-crds"], check=True, capture_output=True, text=True, env=env)  # fmt: skip
    kinds = {(d["kind"], d["metadata"]["name"]) for d in yaml.safe_load_all(out.stdout) if d}
    assert {
        ("DaemonSet", "cilium"),
        ("Deployment", "cilium-operator"),
        ("ConfigMap", "cilium-config"),
    } <= kinds


def test_helm_refuses_the_repository_without_its_ca(cloud: LocalCloud, tmp_path: Path) -> None:
    env = {**helm_env(tmp_path), "SSL_CERT_FILE": os.devnull}
    pull = [
        HELM,
        "pull",
        "cilium",
        "--repo",
        f"{cloud.chart_repository}/charts",
        "--destination",
        str(tmp_path),
    ]
    assert subprocess.run(pull, capture_output=True, env=env).returncode != 0


def test_the_gateway_api_manifest_is_served_with_the_standard_channel_crds(cloud: LocalCloud) -> None:
    status, body = _get(cloud, "manifests/gateway-api-standard-v1.5.1.yaml")
    assert status == 200
    docs = [d for d in yaml.safe_load_all(body) if d]
    names = {d["metadata"]["name"] for d in docs}
    assert {"gatewayclasses.gateway.networking.k8s.io", "gateways.gateway.networking.k8s.io",
            "httproutes.gateway.networking.k8s.io", "referencegrants.gateway.networking.k8s.io",
            "grpcroutes.gateway.networking.k8s.io"} <= names  # fmt: skip
    assert {d["metadata"]["annotations"]["gateway.networking.k8s.io/channel"] for d in docs} == {"standard"}
    assert _get(cloud, "manifests/gateway-api-standard-v9.yaml")[0] == 404


def test_archives_are_deterministic_whatever_the_files_mtimes(tmp_path: Path) -> None:
    copy = tmp_path / "sources"
    shutil.copytree(SOURCES, copy, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    for path in copy.rglob("*"):
        os.utime(path, (1_000_000_000, 1_000_000_000))
    first, again = ChartRepository().digests(), ChartRepository(copy).digests()
    assert first == again == ChartRepository().digests()
    assert [(k, n, v) for k, n, v, _ in first] == [
        ("chart", "cilium", "1.20.0"),
        ("manifest", "gateway-api-standard", "v1.5.1"),
    ]


def test_the_digests_command_prints_what_the_repository_serves() -> None:
    out = subprocess.run(
        [str(REPO / ".venv" / "bin" / "python"), "-m", "emulator", "charts", "--digests"],
        check=True, capture_output=True, text=True, cwd=REPO,
    ).stdout  # fmt: skip
    expected = [f"{k} {n} {v} {d}" for k, n, v, d in ChartRepository().digests()]
    assert out.splitlines() == expected


def _lock_entries(node: object, key: str = "") -> list[dict[str, object]]:
    """Every mapping in the lock file that carries a local_digest, with its name (``chart``, ``name`` or
    the key it is filed under), whatever the nesting."""
    if isinstance(node, dict):
        found = (
            [{"name": node.get("chart") or node.get("name") or key, **node}] if "local_digest" in node else []
        )
        return found + [e for k, v in node.items() for e in _lock_entries(v, str(k))]
    if isinstance(node, list):
        return [e for v in node for e in _lock_entries(v, key)]
    return []


def test_the_lock_file_pins_what_the_local_repository_serves() -> None:
    if not LOCK.exists():
        pytest.skip(f"{LOCK.relative_to(REPO)} does not exist yet (the chart release step writes it)")
    served = {(n, str(v)): d for _, n, v, d in ChartRepository().digests()}
    entries = _lock_entries(yaml.safe_load(LOCK.read_text(encoding="utf-8")))
    assert entries, "the lock file has no local_digest"
    unfilled = [e for e in entries if e["local_digest"] is None]
    if unfilled:  # a placeholder the release engineer fills in from `python -m emulator charts --digests`
        names = ", ".join(f"{e['name']} {e.get('version')}" for e in unfilled)
        pytest.skip(f"local_digest not filled in yet for: {names} (python -m emulator charts --digests)")
    for entry in entries:
        key = (str(entry["name"]), str(entry.get("version")))
        assert key in served, f"lock pins {key}, which the local chart repository does not serve"
        digest = str(entry["local_digest"]).removeprefix("sha256:")
        assert digest == served[key], (
            f"{key}: lock {digest} != served {served[key]} (python -m emulator charts --digests)"
        )
