"""Fuzzing the config loader: whatever a deployment.yaml holds, it either loads or is refused with the
product's config error (one short line per problem), never another exception. And the CLI, on a sample
of refused files, exits 2 with no traceback and without starting anything.

About 1,150 cases with a fixed seed (derandomize), so a failure reproduces on every machine. Inputs:
random bytes and text, the default config's text with bytes spliced in, and the default config's
document with values replaced by hostile ones (wrong types, huge numbers, deep nesting, odd strings,
alias bombs).
"""

from __future__ import annotations

import copy
import math
import tempfile
from ipaddress import ip_network
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from orchestrator.config import Deployment, rules
from orchestrator.config.loader import parse_config, parse_config_bytes, validate
from orchestrator.config.template import render_default_config
from orchestrator.errors import ConfigError
from tests.support.inprocess import run_main

TEXT = render_default_config()
DOC = yaml.safe_load(TEXT)
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # writing the input is not what is tested


def fuzz(examples: int) -> Any:
    return settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )


def loads_or_refuses(load: Any) -> bool:
    """True when it loaded (and is inside Azure's limits), False when it was refused the product's
    way, with one short line per problem; anything else fails the test."""
    try:
        config = load()
    except ConfigError as exc:
        lines = [str(p) for p in exc.problems]
        assert lines, "a refusal names at least one problem"
        for line in lines:
            assert len(line.splitlines()) == 1 and 0 < len(line) < 450, repr(line)
        return False
    assert_within_limits(config)
    return True


def assert_within_limits(config: Deployment) -> None:
    """What a loaded config promises the steps: finite numbers, Azure's tag limits, usable ranges."""
    assert all(math.isfinite(x) for x in _floats(config.model_dump()))
    assert 0 < config.budget.monthly_usd <= 1_000_000
    for cluster in config.clusters:
        price = cluster.spot_pool.max_price
        assert price == -1 or 0 < price <= rules.SPOT_PRICE_MAX
        for cidr in (cluster.pod_cidr, cluster.service_cidr):
            assert not any(ip_network(cidr).overlaps(r) for r, _ in (*rules.IP_RESERVED, *rules.AKS_RESERVED))
    assert len(config.tags) <= rules.TAGS_PER_RESOURCE - len(rules.PRODUCT_TAGS)
    for name, value in config.tags.items():
        assert 0 < len(name) <= rules.TAG_NAME_MAX and len(value) <= rules.TAG_VALUE_MAX
        assert not set(name) & rules.TAG_NAME_FORBIDDEN


def _floats(node: Any) -> list[float]:
    if isinstance(node, float):
        return [node]
    if isinstance(node, dict):
        return [x for v in node.values() for x in _floats(v)]
    if isinstance(node, list):
        return [x for v in node for x in _floats(v)]
    return []


# -- what goes in ---------------------------------------------------------------------------------
def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
    for key, child in children:
        out += _paths(child, (*prefix, key))
    return out


PATHS = _paths(DOC)

ODD_STRINGS = st.sampled_from(
    [
        "",
        " ",
        "~",
        "null",
        "yes",
        "-1",
        "1e308",
        "0x10",
        ".nan",
        "10.0.0.0/33",
        "127.0.0.1/8",
        "::1/128",
        "../../etc/passwd",
        "a\nb",
        "\x00",
        "\u202e",
        "日本語",
        "🙂" * 40,
        "x" * 5000,
        "{{ template }}",
        "*alias",
        "&anchor",
        "'quoted'",
        "[red]markup[/red]",
    ]
)
NUMBERS = st.one_of(
    st.integers(),
    st.sampled_from([0, -1, 1, 2**31, 2**63, -(2**63), 10**30, -(10**30), 10**300]),
    st.floats(),
    st.sampled_from([1e308, -1e308, 5e-324, float("inf"), float("-inf"), float("nan"), 0.123456, 1e-5]),
)
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, ODD_STRINGS, st.text(max_size=30))


def _nested(depth: int) -> Any:
    value: Any = "deep"
    for i in range(depth):
        value = [value] if i % 2 else {"k": value}
    return value


HOSTILE = st.one_of(
    SCALARS,
    st.integers(1, 150).map(_nested),  # deeper than the loader allows; deeper still is in SPLICES
    st.lists(SCALARS, max_size=5),
    st.dictionaries(st.one_of(ODD_STRINGS, st.text(max_size=10)), SCALARS, max_size=4),
    st.just([{}] * 200),
)
CIDRS = st.builds(
    lambda address, prefix: str(ip_network((address, prefix), strict=False)),
    st.integers(0, 2**32 - 1),
    st.integers(0, 32),
)
TAGS = st.dictionaries(
    st.one_of(ODD_STRINGS, st.text(max_size=600), st.sampled_from(["Tier", "managed-by", "a/b", "x%"])),
    st.one_of(ODD_STRINGS, st.text(max_size=300)),
    max_size=60,
)


def _near(default: Any) -> st.SearchStrategy[Any]:
    """A value of the same kind as the default, but odd: what a user mistypes or pastes."""
    if isinstance(default, bool):
        return st.one_of(st.booleans(), SCALARS)
    if isinstance(default, int | float):
        return NUMBERS
    if isinstance(default, str) and "/" in default and default[0].isdigit():
        return CIDRS
    if isinstance(default, str):
        return st.one_of(ODD_STRINGS, st.text(max_size=80), CIDRS)
    if isinstance(default, dict) and all(isinstance(v, str) for v in default.values()):
        return TAGS
    if isinstance(default, list) and default:
        return st.lists(_near(default[0]), max_size=4)
    return HOSTILE


def _at(path: tuple[Any, ...]) -> Any:
    node = DOC
    for key in path:
        node = node[key]
    return node


# Where Azure's limits are checked: half the mutations land on one of these.
LIMITED = [
    p for p in PATHS if p[-1] in ("max_price", "monthly_usd", "tags", "pod_cidr", "service_cidr", "cidr")
]
MUTATION = st.one_of(st.sampled_from(PATHS), st.sampled_from(LIMITED)).flatmap(
    lambda path: st.tuples(
        st.just(path),
        st.sampled_from(["set"] * 6 + ["delete", "add"]),
        st.one_of(*[_near(_at(path))] * 3, HOSTILE),
    )
)


def _mutate(doc: Any, mutations: list[tuple[tuple[Any, ...], str, Any]]) -> Any:
    doc = copy.deepcopy(doc)
    for path, how, value in mutations:
        parent = doc
        for key in path[:-1]:
            if not isinstance(parent, dict | list) or _missing(parent, key):
                break
            parent = parent[key]
        else:
            _apply(parent, path[-1], how, value)
    return doc


def _missing(node: Any, key: Any) -> bool:
    return key not in node if isinstance(node, dict) else not (isinstance(key, int) and key < len(node))


def _apply(parent: Any, key: Any, how: str, value: Any) -> None:
    if not isinstance(parent, dict | list) or _missing(parent, key):
        return
    if how == "delete":
        del parent[key]
    elif how == "add" and isinstance(parent, dict):
        parent[f"{key}_extra"] = value
    elif how == "add":
        parent.append(value)
    else:
        parent[key] = value


def _splice(text: str, at: int, cut: int, insert: str) -> str:
    at = at % (len(text) + 1)
    return text[:at] + insert + text[at + cut :]


def _bomb(width: int, levels: int, where: str) -> str:
    lines = ["x0: &x0 [" + ", ".join(["lol"] * width) + "]"]
    lines += [f"x{i}: &x{i} [" + ", ".join([f"*x{i - 1}"] * width) + "]" for i in range(1, levels)]
    return "\n".join(lines) + f"\n{where}: *x{levels - 1}\n"


SPLICES = st.tuples(
    st.integers(0, len(TEXT)),
    st.integers(0, 12),
    st.one_of(
        st.text(max_size=8),
        st.sampled_from([":", "- ", "\n  ", "&a", "*a", "!!binary", "!!python/object", "[", "{", '"', "\t"]),
        st.integers(100, 1000).map(lambda n: "[" * n),
        st.integers(100, 600).map(lambda n: "".join(f"\n{' ' * i}k{i}:" for i in range(n))),
    ),
)
BOMBS = st.tuples(
    st.integers(2, 40), st.integers(1, 8), st.sampled_from(["tags", "clusters", "name", "policy"])
)


# -- every case loads or is refused ---------------------------------------------------------------
@fuzz(250)
@given(st.binary(max_size=600))
def test_random_bytes(data: bytes) -> None:
    loads_or_refuses(lambda: parse_config_bytes(data))


@fuzz(150)
@given(st.text(max_size=400))
def test_random_text(text: str) -> None:
    loads_or_refuses(lambda: parse_config(text))


@fuzz(200)
@given(st.lists(SPLICES, min_size=1, max_size=3), st.booleans())
def test_the_default_file_with_bytes_spliced_in(splices: list[tuple[int, int, str]], as_bytes: bool) -> None:
    text = TEXT
    for at, cut, insert in splices:
        text = _splice(text, at, cut, insert)
    if as_bytes:
        loads_or_refuses(lambda: parse_config_bytes(text.encode("utf-8", "surrogatepass")))
    else:
        loads_or_refuses(lambda: parse_config(text))


@fuzz(400)
@given(st.lists(MUTATION, min_size=1, max_size=2))
def test_the_default_document_with_hostile_values(mutations: list[tuple[tuple[Any, ...], str, Any]]) -> None:
    doc = _mutate(DOC, mutations)
    loads_or_refuses(lambda: validate(doc))


@fuzz(100)
@given(st.lists(MUTATION, min_size=1, max_size=2))
def test_the_same_written_as_yaml(mutations: list[tuple[tuple[Any, ...], str, Any]]) -> None:
    text = yaml.dump(_mutate(DOC, mutations), Dumper=_DUMPER, allow_unicode=True)
    loads_or_refuses(lambda: parse_config(text))


@fuzz(50)
@given(BOMBS)
def test_alias_bombs(bomb: tuple[int, int, str]) -> None:
    loads_or_refuses(lambda: parse_config(_bomb(*bomb)))


# -- and the CLI refuses the same files with exit 2, before anything starts -----------------------
CLI_INPUTS = st.one_of(
    st.binary(max_size=300),
    st.lists(SPLICES, min_size=1, max_size=2).map(
        lambda splices: _spliced(splices).encode("utf-8", "surrogatepass")
    ),
    st.lists(MUTATION, min_size=1, max_size=2).map(
        lambda m: yaml.dump(_mutate(DOC, m), Dumper=_DUMPER, allow_unicode=True).encode()
    ),
    BOMBS.map(lambda b: _bomb(*b).encode()),
)


def _spliced(splices: list[tuple[int, int, str]]) -> str:
    text = TEXT
    for at, cut, insert in splices:
        text = _splice(text, at, cut, insert)
    return text


@fuzz(30)
@given(CLI_INPUTS)
def test_the_cli_refuses_what_the_loader_refuses_with_exit_2_and_no_traceback(data: bytes) -> None:
    assume(not loads_or_refuses(lambda: parse_config_bytes(data)))  # a valid file would go on to the cloud
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "deployment.yaml").write_bytes(data)
        result = run_main(["plan", "--cloud", "local", "--output", "json"], cwd=root)
        assert result.code == 2, result
        assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result
        document = result.json
        assert document["error"] == "ConfigError" and document["exit_code"] == 2
        assert not (root / ".orchestrate").exists()  # no state, no local cloud
