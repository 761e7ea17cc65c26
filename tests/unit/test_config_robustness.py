"""A deployment.yaml that is unreadable, hostile or outside Azure's limits is refused with one line per
problem (`path: message`) and exit code 2, never a traceback, a hang or a half-made change."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml

from orchestrator.config import load_config, parse_config, rules
from orchestrator.config.loader import parse_config_bytes
from orchestrator.config.source import MAX_BYTES
from orchestrator.config.template import render_default_config
from orchestrator.engine.step import ownership_tags
from orchestrator.errors import ConfigError
from tests.support.cli import run_cli

DEFAULT = render_default_config()


def _doc() -> dict:
    return yaml.safe_load(DEFAULT)


def _dump(doc: dict) -> str:
    return yaml.safe_dump(doc, allow_unicode=True)


def _set(path: str, value: object) -> str:
    doc = _doc()
    *parents, last = path.replace("]", "").replace("[", ".").split(".")
    node = doc
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    node[int(last) if last.isdigit() else last] = value
    return _dump(doc)


def _tags(tags: dict[str, str]) -> str:
    doc = _doc()
    doc["tags"] = tags
    return _dump(doc)


def _refusal(load: object) -> list[str]:
    assert callable(load)
    with pytest.raises(ConfigError) as info:
        load()
    lines = [str(p) for p in info.value.problems]
    assert lines
    for line in lines:
        assert len(line.splitlines()) == 1 and len(line) < 450, line
    return lines


def _says(lines: list[str], path: str, fragment: str) -> bool:
    return any(line.startswith(f"{path}") and fragment in line for line in lines)


def _bomb(width: int = 9, levels: int = 9) -> str:
    lines = ["a0: &a0 [" + ", ".join(["lol"] * width) + "]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    return "\n".join(lines) + f"\ntags: *a{levels - 1}\n"


# -- files that are not text, not YAML, or not settings -------------------------------------------
UNREADABLE_BYTES = [
    ("binary", bytes(range(256)) * 4, "NUL byte"),
    ("UTF-16 with a byte-order mark", DEFAULT.encode("utf-16"), "UTF-16"),
    ("UTF-16 without a byte-order mark", DEFAULT.encode("utf-16-le"), "NUL byte"),
    ("UTF-32", DEFAULT.encode("utf-32"), "UTF-32"),
    ("Latin-1", "name: caf\xe9\n".encode("latin-1"), "not UTF-8"),
    ("a truncated UTF-8 sequence", "name: 한국".encode()[:-1], "not UTF-8"),
]


@pytest.mark.parametrize(("case", "data", "fragment"), UNREADABLE_BYTES, ids=[c[0] for c in UNREADABLE_BYTES])
def test_bytes_that_are_not_utf8_text_are_refused_with_what_to_do(
    case: str, data: bytes, fragment: str
) -> None:
    lines = _refusal(lambda: parse_config_bytes(data))
    assert _says(lines, "deployment.yaml", fragment) and "UTF-8" in lines[0], lines


def test_a_utf8_byte_order_mark_is_accepted() -> None:
    assert parse_config_bytes(b"\xef\xbb\xbf" + DEFAULT.encode()).name == "aks-demo"


HOSTILE_TEXT = [
    ("empty", "", "deployment.yaml", "orchestrate init"),
    ("only comments", "# nothing here\n\n   # at all\n", "deployment.yaml", "orchestrate init"),
    ("a YAML null", "~\n", "deployment.yaml", "orchestrate init"),
    ("a list", "- name: x\n", "deployment.yaml", "mapping of settings, not a list"),
    ("a scalar", "just words\n", "deployment.yaml", "mapping of settings, not a string"),
    ("nested 500 levels (flow)", "name: " + "[" * 500 + "]" * 500 + "\n", "deployment.yaml:1", "nested"),
    (
        "nested 500 levels (block)",
        "".join(" " * i + f"k{i}:\n" for i in range(500)),
        "deployment.yaml",
        "nested",
    ),
    ("a billion laughs", _bomb(), "deployment.yaml", "aliases expand"),
    ("an alias inside itself", "tags: &loop {a: *loop}\n", "deployment.yaml", "alias refers to a value"),
    ("a control character", "name: a\x07b\n", "deployment.yaml", "#x0007"),
    ("an impossible date", "name: 2024-13-45\n", "deployment.yaml", "cannot be read"),
    ("an integer of 5000 digits", "name: " + "9" * 5000 + "\n", "deployment.yaml", "cannot be read"),
    ("two documents", "name: a\n---\nname: b\n", "deployment.yaml:2", "more than one document"),
    ("an unhashable key", "? [a, b]\n: c\n", "deployment.yaml", "not valid YAML"),
    ("a tab for indentation", "network:\n\tvnet_cidr: 10.0.0.0/8\n", "deployment.yaml:", "not valid YAML"),
]


@pytest.mark.parametrize(("case", "text", "path", "fragment"), HOSTILE_TEXT, ids=[c[0] for c in HOSTILE_TEXT])
def test_hostile_yaml_is_refused_in_one_line(case: str, text: str, path: str, fragment: str) -> None:
    started = time.monotonic()
    lines = _refusal(lambda: parse_config(text))
    assert _says(lines, path, fragment), lines
    assert time.monotonic() - started < 2  # a bomb is counted, never expanded


def test_a_wide_alias_bomb_is_refused_without_building_it() -> None:
    started = time.monotonic()
    lines = _refusal(lambda: parse_config(_bomb(width=50, levels=6)))  # 50**6 = 15 billion values
    assert _says(lines, "deployment.yaml", "aliases expand"), lines
    assert time.monotonic() - started < 2


def test_a_few_aliases_are_fine() -> None:
    doc = _doc()
    text = _dump(doc).replace("spot_pool:", "spot_pool: &spot", 1)
    assert parse_config(text).clusters[0].spot_pool.count == 1


def test_a_file_over_the_size_cap_is_refused_before_it_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "deployment.yaml"
    path.write_text(DEFAULT + "#" * MAX_BYTES)
    lines = _refusal(lambda: load_config(path))
    assert _says(lines, str(path), "larger than 1 MiB"), lines


def test_a_directory_or_an_unreadable_file_is_refused(tmp_path: Path) -> None:
    assert _says(_refusal(lambda: load_config(tmp_path)), str(tmp_path), "cannot read the file")
    locked = tmp_path / "locked.yaml"
    locked.write_text(DEFAULT)
    locked.chmod(0)
    try:
        if not _readable(locked):
            assert _says(_refusal(lambda: load_config(locked)), str(locked), "cannot read the file")
    finally:
        locked.chmod(0o600)


def _readable(path: Path) -> bool:
    try:
        path.read_bytes()
    except OSError:
        return False
    return True  # root reads anything


def test_hundreds_of_problems_are_cut_to_what_anyone_reads() -> None:
    doc = _doc()
    doc["policy"]["allowed_image_registries"] = [[i] for i in range(500)]
    lines = _refusal(lambda: parse_config(_dump(doc)))
    assert len(lines) == 51 and lines[-1].startswith("(more): 450 more problems")


def test_a_huge_value_is_quoted_short() -> None:
    lines = _refusal(lambda: parse_config(_set("name", "x" * 100_000)))
    assert _says(lines, "name", "deployment names are") and len(lines[0]) < 300, lines


# -- Azure's and AKS's real limits ----------------------------------------------------------------
BOUNDS = [
    ("tag value of 257", _tags({"environment": "v" * 257}), "tags.environment", "Azure allows 256"),
    ("tag name of 513", _tags({"n" * 513: "v"}), "tags[", "Azure allows 512"),
    ("tag name with /", _tags({"team/owner": "v"}), "tags['team/owner']", "cannot contain"),
    ("tag name with %", _tags({"100%": "v"}), "tags['100%']", "cannot contain"),
    ("tag name with <", _tags({"<b>": "v"}), "tags['<b>']", "cannot contain"),
    ("tag name with \\", _tags({"a\\b": "v"}), "tags[", "cannot contain"),
    ("tag name with ?", _tags({"why?": "v"}), "tags['why?']", "cannot contain"),
    ("tag name with &", _tags({"r&d": "v"}), "tags['r&d']", "cannot contain"),
    ("empty tag name", _tags({"": "v"}), "tags['']", "cannot be empty"),
    ("48 tags", _tags({f"t{i}": "v" for i in range(48)}), "tags", "at most 47"),
    (
        "the ownership tag",
        _tags({"orchestrate-deployment": "x"}),
        "tags.orchestrate-deployment",
        "sets itself",
    ),
    ("tier, any case", _tags({"Tier": "1"}), "tags.Tier", "sets itself"),
    ("names that differ in case", _tags({"Env": "a", "env": "b"}), "tags.env", "ignore case"),
    ("a tag value that is a number", _tags({"year": 2026}), "tags.year", "valid string"),
    ("loopback pod CIDR", _set("clusters[0].pod_cidr", "127.0.0.0/16"), "clusters[0].pod_cidr", "loopback"),
    (
        "link-local service CIDR",
        _set("clusters[1].service_cidr", "169.254.0.0/16"),
        "clusters[1].service_cidr",
        "link-local",
    ),
    (
        "multicast subnet",
        _set("network.subnets[0].cidr", "224.1.0.0/16"),
        "network.subnets[0].cidr",
        "multicast",
    ),
    ("class E VNet", _set("network.vnet_cidr", "240.0.0.0/4"), "network.vnet_cidr", "reserved"),
    ("0.0.0.0/8 VNet", _set("network.vnet_cidr", "0.0.0.0/8"), "network.vnet_cidr", "'this network'"),
    (
        "a VNet of everything",
        _set("network.vnet_cidr", "0.0.0.0/0"),
        "network.vnet_cidr",
        "other reserved ranges",
    ),
    (
        "Azure's platform address",
        _set("clusters[2].pod_cidr", "168.63.0.0/16"),
        "clusters[2].pod_cidr",
        "168.63.129.16/32",
    ),
    (
        "the Docker bridge",
        _set("clusters[0].service_cidr", "172.17.0.0/16"),
        "clusters[0].service_cidr",
        "Docker bridge",
    ),
    (
        "an AKS range as a subnet",
        _set("network.subnets[3].cidr", "172.31.0.0/24"),
        "network.subnets[3].cidr",
        "AKS",
    ),
    (
        "Spot price nan",
        _set("clusters[0].spot_pool.max_price", float("nan")),
        "clusters[0].spot_pool.max_price",
        "finite",
    ),
    (
        "Spot price inf",
        _set("clusters[0].spot_pool.max_price", float("inf")),
        "clusters[0].spot_pool.max_price",
        "finite",
    ),
    (
        "Spot price 1e308",
        _set("clusters[1].spot_pool.max_price", 1e308),
        "clusters[1].spot_pool.max_price",
        "above",
    ),
    (
        "Spot price zero",
        _set("clusters[1].spot_pool.max_price", 0),
        "clusters[1].spot_pool.max_price",
        "use -1",
    ),
    (
        "Spot price -2",
        _set("clusters[1].spot_pool.max_price", -2),
        "clusters[1].spot_pool.max_price",
        "use -1",
    ),
    (
        "Spot price with 6 decimals",
        _set("clusters[2].spot_pool.max_price", 0.123456),
        "clusters[2].spot_pool.max_price",
        "5 decimal places",
    ),
    ("budget .inf", _set("budget.monthly_usd", float("inf")), "budget.monthly_usd", "finite"),
    ("budget .nan", _set("budget.monthly_usd", float("nan")), "budget.monthly_usd", "finite"),
    ("budget 1e308", _set("budget.monthly_usd", 1e308), "budget.monthly_usd", "less than or equal"),
    ("budget zero", _set("budget.monthly_usd", 0), "budget.monthly_usd", "greater than 0"),
    ("budget negative", _set("budget.monthly_usd", -80), "budget.monthly_usd", "greater than 0"),
    (
        "a float threshold of .inf",
        _set("monitoring.alerts[0].threshold", float("inf")),
        "monitoring.alerts[0]",
        "finite",
    ),
]


@pytest.mark.parametrize(("case", "text", "path", "fragment"), BOUNDS, ids=[c[0] for c in BOUNDS])
def test_values_outside_azures_limits_are_refused_with_their_path(
    case: str, text: str, path: str, fragment: str
) -> None:
    lines = _refusal(lambda: parse_config(text))
    assert _says(lines, path, fragment), lines


ACCEPTED = [
    ("tag value of 256", _tags({"environment": "v" * 256})),
    ("tag name of 512", _tags({"n" * 512: "v"})),
    ("an empty tag value", _tags({"note": ""})),
    ("47 tags", _tags({f"t{i}": "v" for i in range(47)})),
    ("tag names with spaces, dots and colons", _tags({"Cost Center": "a", "app.kubernetes.io:x": "b"})),
    ("Spot price -1", _set("clusters[0].spot_pool.max_price", -1)),
    ("Spot price with 5 decimals", _set("clusters[0].spot_pool.max_price", 0.98765)),
    ("Spot price of a tenth of a cent", _set("clusters[0].spot_pool.max_price", 0.001)),
    ("a budget with cents", _set("budget.monthly_usd", 120.5)),
    ("pods in 100.64.0.0/10 (shared address space)", _set("clusters[0].pod_cidr", "100.64.0.0/16")),
]


@pytest.mark.parametrize(("case", "text"), ACCEPTED, ids=[c[0] for c in ACCEPTED])
def test_values_inside_the_limits_load(case: str, text: str) -> None:
    parse_config(text)


def test_a_vnet_may_hold_the_aks_ranges_that_no_subnet_or_pod_range_may_use() -> None:
    assert rules.check_vnet_cidr("172.16.0.0/12") == "172.16.0.0/12"
    with pytest.raises(ValueError, match="Docker bridge on AKS nodes"):
        rules.check_cidr("172.16.0.0/12")


def test_the_tags_orchestrate_sets_are_the_ones_users_may_not() -> None:
    assert set(ownership_tags("aks-demo")) <= set(rules.PRODUCT_TAGS)


# -- the same through the CLI, as a user runs it -----------------------------------------------------
CLI_CASES = [
    ("empty", b"", "orchestrate init"),
    ("UTF-16", DEFAULT.encode("utf-16"), "UTF-16"),
    ("nested 500 levels", ("name: " + "[" * 500 + "]" * 500).encode(), "nested more than"),
    ("a billion laughs", _bomb().encode(), "aliases expand"),
]


@pytest.mark.parametrize(("case", "data", "fragment"), CLI_CASES, ids=[c[0] for c in CLI_CASES])
def test_the_cli_exits_2_with_one_line_and_no_traceback(
    tmp_path: Path, case: str, data: bytes, fragment: str
) -> None:
    (tmp_path / "deployment.yaml").write_bytes(data)
    result = run_cli(["plan", "--cloud", "local"], cwd=tmp_path)
    assert result.code == 2, result
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and fragment in errors[0], result
    assert not (tmp_path / ".orchestrate").exists()
