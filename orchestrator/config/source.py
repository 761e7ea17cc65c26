"""Read deployment.yaml as a user's file: bounded in size, UTF-8, and YAML with limits on depth and on
what aliases expand to, so no file can crash, hang or exhaust the process. Every refusal is a
`ConfigError` with one line that says what is wrong and what to do.

This module knows nothing about the settings themselves (that is `model.py` and `checks.py`); `status`
uses it to read the deployment's name from a file that may be invalid otherwise.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from orchestrator.config.checks import Problem
from orchestrator.errors import ConfigError

MAX_BYTES = 1024 * 1024  # the seed's file is about 6 KiB
MAX_DEPTH = 32  # the settings nest 6 levels (clusters[0].spot_pool.fallback_vm_sizes[0])
MAX_NODES = 100_000  # values after aliases are expanded
MAX_CHARS = 4 * MAX_BYTES  # characters of all scalars after aliases are expanded

_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)
_SAVE_AS_UTF8 = "save it as UTF-8 (e.g. `iconv -t UTF-8`)"


def refuse(source: str, message: str) -> ConfigError:
    return ConfigError([Problem(source, message)])


def read_bytes(path: Path) -> bytes:
    """At most MAX_BYTES + 1 bytes: enough to tell a file is too large without reading all of it."""
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_BYTES + 1)
    except OSError as exc:
        raise refuse(str(path), f"cannot read the file: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise refuse(str(path), f"the file is larger than {MAX_BYTES // 2**20} MiB; is it the right file?")
    return data


def decode(data: bytes, source: str) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            raise refuse(source, f"the file is {encoding} text; {_SAVE_AS_UTF8}")
    data = data.removeprefix(b"\xef\xbb\xbf")
    nul = data.find(b"\x00")
    if nul >= 0:
        raise refuse(
            source,
            f"the file has a NUL byte at offset {nul}: it is binary or UTF-16/32 without a byte-order"
            f" mark; {_SAVE_AS_UTF8}",
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise refuse(
            source,
            f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); {_SAVE_AS_UTF8}",
        ) from None


def parse_yaml(text: str, source: str) -> Any:
    """The YAML document in `text`, with depth and alias expansion bounded; None for an empty one."""
    if len(text) > MAX_BYTES:
        raise refuse(
            source, f"the text is longer than {MAX_BYTES // 2**20} Mi characters; is it the right file?"
        )
    try:
        loader = _BoundedLoader(text, source)
    except yaml.reader.ReaderError as exc:  # the reader checks every character up front
        raise refuse(
            source,
            f"not valid YAML: character #x{exc.character:04x} at position {exc.position} is not allowed"
            " (control characters must be quoted and escaped)",
        ) from None
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_expansion(node, source)
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        raise _yaml_problem(exc, source) from None
    except (ValueError, OverflowError, TypeError) as exc:  # a timestamp or integer YAML cannot build
        raise refuse(source, f"not valid YAML: a value cannot be read ({exc})") from None
    finally:
        loader.dispose()


def read_mapping(text: str, source: str) -> dict[str, Any]:
    """The top-level mapping of settings; an empty file or another kind of document is refused."""
    data = parse_yaml(text, source)
    if data is None:
        raise refuse(
            source,
            "the file has no settings (it is empty or only comments); run `orchestrate init` to write one"
            " with every setting and its default",
        )
    if not isinstance(data, dict):
        raise refuse(source, f"the top level must be a mapping of settings, not {_kind(data)}")
    return data


def load_mapping(path: Path) -> dict[str, Any]:
    """read_bytes, decode and read_mapping in one: what `status` needs to find the deployment name."""
    source = str(path)
    return read_mapping(decode(read_bytes(path), source), source)


class _TooDeep(Exception):
    def __init__(self, mark: Any) -> None:
        self.mark = mark


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader whose composer stops at MAX_DEPTH instead of recursing until Python gives up."""

    def __init__(self, text: str, source: str) -> None:
        super().__init__(text)
        self.name = source
        self._depth = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _TooDeep(self.peek_event().start_mark)  # type: ignore[no-untyped-call]
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def get_single_node(self) -> Node | None:
        try:
            return super().get_single_node()
        except _TooDeep as exc:
            where = f"{self.name}:{exc.mark.line + 1}" if exc.mark else self.name
            raise ConfigError(
                [Problem(where, f"values are nested more than {MAX_DEPTH} levels deep (the settings need 6)")]
            ) from None


def _check_expansion(root: Node, source: str) -> None:
    """What the document becomes once every alias is expanded, counted without expanding it: a
    "billion laughs" file is a few hundred bytes that would expand to gigabytes."""
    sizes: dict[int, tuple[int, int]] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if key in sizes:
            continue
        kids = _children(node)
        if not children_done:
            if key in open_nodes:
                raise refuse(source, "not valid YAML here: an alias refers to a value that contains it")
            open_nodes.add(key)
            stack.append((node, True))
            stack.extend((kid, False) for kid in kids if id(kid) not in sizes)
            continue
        own = len(node.value) if isinstance(node, ScalarNode) else 0
        count = 1 + sum(sizes[id(k)][0] for k in kids)
        chars = own + sum(sizes[id(k)][1] for k in kids)
        if count > MAX_NODES or chars > MAX_CHARS:
            raise refuse(
                source,
                "YAML aliases expand this file to more than"
                f" {MAX_NODES:,} values or {MAX_CHARS // MAX_BYTES} Mi characters; write the values out",
            )
        sizes[key] = (count, chars)
        open_nodes.discard(key)


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _yaml_problem(exc: yaml.YAMLError, source: str) -> ConfigError:
    mark = getattr(exc, "problem_mark", None)
    where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
    reason = getattr(exc, "problem", None) or getattr(exc, "context", None) or str(exc)
    if reason == "but found another document":
        reason = "the file holds more than one document (a second `---`); keep one"
    return refuse(where, f"not valid YAML: {reason}")


def _kind(value: object) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    return f"a single value ({type(value).__name__})"
