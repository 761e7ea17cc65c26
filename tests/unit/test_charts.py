"""Chart releases without a cluster: the lock loader, digest-checked sources and their cache, the
hook and apply order, the determinism check (with the real helm), and the render folder layout."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from orchestrator.charts.digest import ChartError, DigestCache, DigestMismatch, sha256_of
from orchestrator.charts.export import file_name, write_release
from orchestrator.charts.helm import HelmCli, find_helm, helm_problem, parse_version
from orchestrator.charts.hooks import BEFORE_CREATION, Stage
from orchestrator.charts.lock import DEFAULT_LOCK, ChartPin, LockError, ManifestPin, load_lock, parse_lock
from orchestrator.charts.objects import ObjectRef, parse_render, to_yaml
from orchestrator.charts.order import delete_order, stages
from orchestrator.charts.render import Renderer, check_deterministic
from orchestrator.charts.source import ChartSource, Mirror, Upstream
from orchestrator.errors import exit_code_for
from tests.support.tiny_chart import VALUES, publish

HELM = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "helm"
needs_helm = pytest.mark.skipif(not HELM.exists(), reason="run `python tools/install_kube_clients.py` first")
D1, D2 = "sha256:" + "1" * 64, "sha256:" + "2" * 64


# -- lock -----------------------------------------------------------------------------------------
def test_the_product_lock_pins_cilium_1_20_0_by_its_upstream_digest() -> None:
    lock = load_lock(DEFAULT_LOCK)
    cilium = lock.chart("cilium")
    assert (cilium.repository, cilium.version) == ("https://helm.cilium.io", "1.20.0")
    assert cilium.digest == "sha256:c5f013912360d1a334f44ef25f36da59ba3414cdb48f466ee12d0c4fdff27883"
    assert lock.manifest("gateway-api-standard").url.endswith("/v1.5.1/standard-install.yaml")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("charts: [", "not valid YAML"),
        ("- a", "expected a mapping"),
        ("charts: {x: {repository: http://a, chart: x, version: 1.0.0}}", "charts.x.repository"),
        ("charts: {x: {repository: https://a, chart: x, version: 1.0.0, digest: md5:1}}", "charts.x.digest"),
        ("charts: {}\nextra: 1", "extra"),
    ],
)
def test_a_bad_lock_file_is_a_clear_error_with_exit_2(text: str, message: str) -> None:
    with pytest.raises(LockError) as caught:
        parse_lock(text, source="lock.yaml")
    assert message in str(caught.value) and exit_code_for(caught.value) == 2


def test_an_unpinned_chart_names_the_known_ones() -> None:
    lock = parse_lock("charts: {}\nmanifests: {}", source="lock.yaml")
    with pytest.raises(LockError, match=r"chart 'cilium' is not pinned"):
        lock.chart("cilium")


# -- sources: digest verification and the cache ----------------------------------------------------
class Repository:
    """An in-memory chart repository: URL -> bytes, counting fetches."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files, self.fetched = files, 0

    def __call__(self, url: str) -> bytes:
        self.fetched += 1
        if url not in self.files:
            raise ChartError(f"cannot fetch {url}: HTTP 404")
        return self.files[url]


ARCHIVE = b"a chart archive"
INDEX = yaml.safe_dump({"entries": {"demo": [{"version": "0.1.0", "urls": ["demo-0.1.0.tgz"]}]}}).encode()


def _pin(digest: str | None = None, local: str | None = None) -> ChartPin:
    return ChartPin(
        repository="https://charts.example", chart="demo", version="0.1.0", digest=digest, local_digest=local
    )


def _source(
    tmp_path: Path, layout: Upstream | Mirror, files: dict[str, bytes]
) -> tuple[ChartSource, Repository]:
    repo = Repository(files)
    return ChartSource(layout, repo, DigestCache(tmp_path / "charts")), repo


def test_a_verified_archive_is_cached_by_digest_and_not_fetched_again(tmp_path: Path) -> None:
    files = {"https://charts.example/index.yaml": INDEX, "https://charts.example/demo-0.1.0.tgz": ARCHIVE}
    source, repo = _source(tmp_path, Upstream(), files)
    path = source.chart(_pin(digest=sha256_of(ARCHIVE)))
    assert path == tmp_path / "charts" / sha256_of(ARCHIVE).removeprefix("sha256:") / "demo-0.1.0.tgz"
    assert path.read_bytes() == ARCHIVE and repo.fetched == 2
    assert source.chart(_pin(digest=sha256_of(ARCHIVE))) == path and repo.fetched == 2


def test_a_mismatch_names_both_digests_and_nothing_is_cached(tmp_path: Path) -> None:
    files = {"https://charts.example/index.yaml": INDEX, "https://charts.example/demo-0.1.0.tgz": ARCHIVE}
    source, _ = _source(tmp_path, Upstream(), files)
    with pytest.raises(DigestMismatch) as caught:
        source.chart(_pin(digest=D1))
    assert D1 in str(caught.value) and sha256_of(ARCHIVE) in str(caught.value)
    assert exit_code_for(caught.value) == 1 and not (tmp_path / "charts").exists()


def test_a_damaged_cached_copy_is_an_error_never_a_silent_download(tmp_path: Path) -> None:
    source, repo = _source(tmp_path, Mirror("https://local"), {})
    DigestCache(tmp_path / "charts").put(D1, "demo-0.1.0.tgz", b"damaged")
    with pytest.raises(DigestMismatch, match="the cached copy"):
        source.chart(_pin(local=D1))
    assert repo.fetched == 0


def test_the_local_layout_reads_the_local_digest_and_the_mirror_paths(tmp_path: Path) -> None:
    manifest = b"kind: List\nitems: []\n"
    files = {
        "https://local/charts/index.yaml": INDEX,
        "https://local/charts/demo-0.1.0.tgz": ARCHIVE,
        "https://local/manifests/gw-v1.0.0.yaml": manifest,
    }
    source, _ = _source(tmp_path, Mirror("https://local/"), files)
    assert source.chart(_pin(digest=D1, local=sha256_of(ARCHIVE))).read_bytes() == ARCHIVE
    pin = ManifestPin(url="https://upstream/gw.yaml", version="v1.0.0", local_digest=sha256_of(manifest))
    assert source.manifest("gw", pin).read_bytes() == manifest


def test_a_pin_without_the_sources_digest_is_refused(tmp_path: Path) -> None:
    source, repo = _source(tmp_path, Upstream(), {})
    pin = ManifestPin(url="https://upstream/gw.yaml", version="v1.0.0", local_digest=D1)
    with pytest.raises(ChartError, match=r"no `digest` for the upstream source"):
        source.manifest("gw", pin)
    assert repo.fetched == 0


def test_a_chart_missing_from_the_index_says_where_it_looked(tmp_path: Path) -> None:
    source, _ = _source(tmp_path, Upstream(), {"https://charts.example/index.yaml": b"entries: {}"})
    with pytest.raises(ChartError, match=r"chart demo 0.1.0 is not in https://charts.example/index.yaml"):
        source.chart(_pin(digest=D1))


# -- parsing, hooks and order ---------------------------------------------------------------------
def _doc(
    kind: str, name: str, api: str = "v1", annotations: dict[str, str] | None = None, **extra: object
) -> str:
    meta: dict[str, object] = {"name": name, **({"annotations": annotations} if annotations else {})}
    return yaml.safe_dump({"apiVersion": api, "kind": kind, "metadata": meta, **extra})


def _render(*docs: str) -> str:
    return "".join(f"---\n# Source: demo/templates/{i}.yaml\n{d}" for i, d in enumerate(docs))


def test_objects_get_the_release_namespace_cluster_scoped_ones_none_and_nulls_are_dropped() -> None:
    objects = parse_render(
        _render(_doc("ConfigMap", "a", data={"k": None, "v": "1"}), _doc("ClusterRole", "r"), "# empty\n"),
        namespace="demo",
        origin="test",
    )
    assert [o.ref for o in objects] == [
        ObjectRef("v1", "ConfigMap", "demo", "a"),
        ObjectRef("v1", "ClusterRole", "", "r"),
    ]
    assert objects[0].body["data"] == {"v": "1"} and objects[0].source == "demo/templates/0.yaml"


def test_an_object_rendered_twice_is_an_error() -> None:
    with pytest.raises(ChartError, match=r"ConfigMap/demo/a is rendered twice"):
        parse_render(_render(_doc("ConfigMap", "a"), _doc("ConfigMap", "a")), namespace="demo", origin="t")


def _hook(kind: str, name: str, hook: str, weight: str = "0", policy: str = "") -> str:
    annotations = {"helm.sh/hook": hook, "helm.sh/hook-weight": weight}
    if policy:
        annotations["helm.sh/hook-delete-policy"] = policy
    return _doc(kind, name, "batch/v1" if kind == "Job" else "v1", annotations)


def test_hooks_map_to_ordered_stages_as_argo_cd_maps_them() -> None:
    text = _render(
        _doc("Deployment", "web", "apps/v1"),
        _hook("Job", "migrate-late", "pre-install,pre-upgrade", "5"),
        _hook("Job", "migrate-early", "pre-upgrade", "-1"),
        _hook("ConfigMap", "pre-config", "pre-install", "5"),
        _hook("Job", "smoke", "post-install", policy="hook-succeeded,hook-failed"),
        _hook("Pod", "test-connection", "test"),
        _hook("Job", "cleanup", "pre-delete"),
        _doc("CustomResourceDefinition", "w.example.io", "apiextensions.k8s.io/v1"),
        _doc("Namespace", "demo"),
        _doc("ServiceAccount", "sa"),
    )
    st = stages(parse_render(text, namespace="demo", origin="t"))
    assert [o.ref.name for o in st.crds] == ["w.example.io"]
    assert [o.ref.name for o in st.namespaces] == ["demo"]
    assert [o.ref.name for o in st.pre_hooks] == [
        "migrate-early",
        "pre-config",
        "migrate-late",
    ]  # weight, kind
    assert [o.ref.name for o in st.main] == ["sa", "web"]  # Helm's install order by kind
    assert [o.ref.name for o in st.post_hooks] == ["smoke"]
    assert sorted(o.ref.name for o in st.skipped) == ["cleanup", "test-connection"]
    assert st.pre_hooks[0].hook is not None and st.pre_hooks[0].hook.delete_policies == {BEFORE_CREATION}
    assert st.post_hooks[0].hook is not None and st.post_hooks[0].hook.stage is Stage.POST
    assert {o.ref.name for o in st.kept} == {"w.example.io", "demo", "sa", "web"}


@pytest.mark.parametrize(
    ("hook", "weight", "message"),
    [("install", "0", "unknown helm hook"), ("post-install", "x", "not an integer")],
)
def test_a_bad_hook_annotation_is_an_error(hook: str, weight: str, message: str) -> None:
    with pytest.raises(ChartError, match=message):
        parse_render(_render(_hook("Job", "j", hook, weight)), namespace="demo", origin="t")


def test_destroy_deletes_custom_resources_first_and_crds_last() -> None:
    refs = [
        ObjectRef("apiextensions.k8s.io/v1", "CustomResourceDefinition", "", "w.example.io"),
        ObjectRef("v1", "Namespace", "", "demo"),
        ObjectRef("v1", "ConfigMap", "demo", "a"),
        ObjectRef("apps/v1", "Deployment", "demo", "web"),
        ObjectRef("example.io/v1", "Widget", "demo", "w"),
    ]
    assert [r.kind for r in delete_order(refs)] == [
        "Widget",
        "Deployment",
        "ConfigMap",
        "Namespace",
        "CustomResourceDefinition",
    ]


# -- determinism --------------------------------------------------------------------------------------
def test_an_object_that_differs_between_two_renders_is_named() -> None:
    first = parse_render(
        _render(_doc("Secret", "tls", data={"k": "a"}), _doc("ConfigMap", "c")), namespace="d", origin="t"
    )
    second = parse_render(
        _render(_doc("Secret", "tls", data={"k": "b"}), _doc("ConfigMap", "c")), namespace="d", origin="t"
    )
    check_deterministic(first, first, "release x")
    with pytest.raises(ChartError, match=r"release x does not render deterministically: Secret/d/tls differ"):
        check_deterministic(first, second, "release x")


def _renderer(repo: Path, tmp_path: Path) -> Renderer:
    lock = load_lock(repo / "lock.yaml")
    source = ChartSource(Mirror(repo.as_uri()), _file_fetch, DigestCache(tmp_path / "cache"))
    return Renderer(lock, source, lambda: HelmCli(HELM))


def _file_fetch(url: str) -> bytes:
    return Path(url.removeprefix("file://")).read_bytes()


def _render_demo(renderer: Renderer, **values: object) -> str:
    render = renderer.chart(
        release="demo", chart="demo", namespace="demo", kube_version="1.34", values={**VALUES, **values}
    )
    return to_yaml(render.objects)


@needs_helm
def test_the_tiny_chart_renders_to_identical_bytes_twice(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    publish(repo, HELM)
    renderer = _renderer(repo, tmp_path)
    text = _render_demo(renderer, clusterName="aks-mgmt")
    assert text == _render_demo(renderer, clusterName="aks-mgmt")
    assert "widgets.demo.orchestrate.io" in text and "cluster: aks-mgmt" in text


@needs_helm
def test_a_template_generating_a_password_is_refused_naming_the_object(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    random = "apiVersion: v1\nkind: Secret\nmetadata: {name: random}\nstringData: {password: {{ randAlphaNum 16 | quote }}}\n"
    publish(repo, HELM, {"random.yaml": random})
    with pytest.raises(ChartError, match=r"Secret/demo/random differ between two renders"):
        _render_demo(_renderer(repo, tmp_path), clusterName="x")


# -- helm -------------------------------------------------------------------------------------------
def _runs(stdout: str, code: int = 0) -> Callable[..., subprocess.CompletedProcess[str]]:
    return lambda args, **kw: subprocess.CompletedProcess(args, code, stdout, "")


def test_helm_missing_or_too_old_says_how_to_install_it(tmp_path: Path) -> None:
    assert find_helm(path_env=str(tmp_path), beside=tmp_path) is None
    assert "helm is not installed" in (helm_problem(None) or "")
    old = helm_problem(tmp_path / "helm", run=_runs("v3.12.3+g3a31588\n"))
    assert old is not None and "3.12.3, older than 3.14.0" in old and "install helm 3.14" in old
    assert helm_problem(tmp_path / "helm", run=_runs("v3.17.2+gcc0bbbd\n")) is None
    assert parse_version('version.BuildInfo{Version:"v3.14.0"}') == (3, 14, 0)


def test_helm_is_found_beside_the_running_python(tmp_path: Path) -> None:
    binary = tmp_path / "helm"
    binary.write_text("#!/bin/sh\n")
    binary.chmod(0o755)
    assert find_helm(path_env="", beside=tmp_path) == binary


def test_values_reach_helm_in_a_file_never_on_the_command_line(tmp_path: Path) -> None:
    seen: list[list[str]] = []

    def run(args: list[str], **kw: object) -> subprocess.CompletedProcess[str]:
        seen.append(args)
        values = Path(args[args.index("-f") + 1])
        assert yaml.safe_load(values.read_text()) == {"token": "visible-only-in-the-file"}
        return subprocess.CompletedProcess(args, 0, "", "")

    from orchestrator.charts.helm import TemplateRequest

    HelmCli(tmp_path / "helm", run=run).template(
        TemplateRequest(
            "r", tmp_path / "c.tgz", "ns", "1.34", {"token": "visible-only-in-the-file"}, ("b/v1", "a/v1")
        )
    )
    (args,) = seen
    assert "visible-only-in-the-file" not in " ".join(args)
    assert args[args.index("--kube-version") + 1] == "v1.34.0" and "--include-crds" in args
    assert [args[i + 1] for i, a in enumerate(args) if a == "--api-versions"] == ["a/v1", "b/v1"]


# -- render folder layout -----------------------------------------------------------------------------
def test_render_writes_one_numbered_file_per_object_and_never_a_secret_value(tmp_path: Path) -> None:
    objects = [
        (
            ObjectRef("v1", "Namespace", "", "demo"),
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "demo"}},
        ),
        (
            ObjectRef("v1", "Secret", "demo", "creds"),
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "metadata": {"name": "creds"},
                "data": {"password": "c2VjcmV0"},
            },
        ),
    ]
    (tmp_path / "aks-mgmt" / "demo").mkdir(parents=True)
    (tmp_path / "aks-mgmt" / "demo" / "stale.yaml").write_text("old")
    written = write_release(tmp_path, "aks-mgmt", "demo", objects)
    assert [p.name for p in written] == ["001-namespace-demo.yaml", "002-secret-demo-creds.yaml"]
    assert sorted(p.name for p in (tmp_path / "aks-mgmt" / "demo").iterdir()) == [p.name for p in written]
    assert yaml.safe_load(written[1].read_text())["data"] == {"password": ""}
    assert file_name(7, ObjectRef("v1", "ClusterRole", "", "system:x")) == "007-clusterrole-system_x.yaml"


def test_an_output_not_known_yet_reaches_helm_as_its_placeholder(tmp_path: Path) -> None:
    from orchestrator.charts.helm import TemplateRequest
    from orchestrator.engine.graph import KNOWN_AFTER_APPLY

    def run(args: list[str], **kw: object) -> subprocess.CompletedProcess[str]:
        values = yaml.safe_load(Path(args[args.index("-f") + 1]).read_text())
        assert values == {"k8sServiceHost": "(known after apply)", "peers": ["(known after apply)"]}
        return subprocess.CompletedProcess(args, 0, "", "")

    values = {"k8sServiceHost": KNOWN_AFTER_APPLY, "peers": (KNOWN_AFTER_APPLY,)}
    HelmCli(tmp_path / "helm", run=run).template(
        TemplateRequest("r", tmp_path / "c.tgz", "ns", "1.34", values)
    )
