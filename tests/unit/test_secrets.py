"""The Secret type: shown as (sensitive), refused by every serialiser, copied only in memory."""

from __future__ import annotations

import copy
import io
import json
import logging
import pickle
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel

from orchestrator.output import emit_json
from orchestrator.secret import (
    SENSITIVE,
    Secret,
    SecretSerializationError,
    display_default,
    ensure_no_secrets,
    find_secrets,
    json_default,
    reveal_all,
)
from state.local import LocalBackend
from state.schema import StateDocument, StepRecord
from state.store import StateStore

VALUE = "correct-horse-battery-staple"


def test_it_prints_as_sensitive_everywhere_a_value_is_shown() -> None:
    secret = Secret(VALUE)
    shown = [repr(secret), str(secret), f"{secret}", f"{secret!r}", "%s %r" % (secret, secret)]  # noqa: UP031
    shown += [f"{secret:>20}", str([secret]), str({"password": secret})]
    assert all(VALUE not in text and SENSITIVE in text for text in shown)


def test_it_is_read_only_through_reveal() -> None:
    assert Secret(VALUE).reveal() == VALUE
    assert Secret(b"\x00key").reveal() == b"\x00key"
    assert Secret(VALUE).base64().reveal() == "Y29ycmVjdC1ob3JzZS1iYXR0ZXJ5LXN0YXBsZQ=="
    assert Secret(VALUE) == Secret(VALUE) and Secret(VALUE) != Secret("other") and Secret(VALUE) != VALUE
    with pytest.raises(TypeError):
        Secret(42)  # type: ignore[type-var]
    with pytest.raises(TypeError):
        hash(Secret(VALUE))


@pytest.mark.parametrize(
    "dump",
    [
        json.dumps,
        lambda v: json.dumps(v, default=json_default),
        lambda v: json.dumps(v, default=display_default),
        pickle.dumps,
        lambda v: pickle.dumps(v, protocol=0),
        yaml.dump,
        yaml.safe_dump,
    ],
    ids=["json", "json+state hook", "json+output hook", "pickle", "pickle v0", "yaml", "yaml safe"],
)
def test_every_serialiser_refuses_it_even_nested(dump: object) -> None:
    for value in (Secret(VALUE), {"outputs": [{"password": Secret(VALUE)}]}):
        with pytest.raises(Exception) as caught:
            dump(value)  # type: ignore[operator]
        assert VALUE not in str(caught.value)


def test_the_product_hooks_name_the_reason() -> None:
    with pytest.raises(SecretSerializationError, match=r"refusing to serialise a Secret .*in memory"):
        json.dumps({"a": Secret(VALUE)}, default=json_default)
    with pytest.raises(SecretSerializationError):
        pickle.dumps(Secret(VALUE))
    assert json.dumps({"when": Path("/x")}, default=display_default) == '{"when": "/x"}'


def test_copies_stay_in_memory_as_the_same_object() -> None:
    secret = Secret(VALUE)
    assert copy.copy(secret) is secret
    assert copy.deepcopy({"a": [secret]})["a"][0] is secret


def test_find_and_reveal_walk_nested_documents() -> None:
    doc = {"metadata": {"name": "x"}, "data": {"a": Secret("1"), "b": "plain"}, "list": [Secret(b"2")]}
    assert find_secrets(doc) == ["data.a", "list[0]"]
    assert reveal_all(doc) == {"metadata": {"name": "x"}, "data": {"a": "1", "b": "plain"}, "list": [b"2"]}
    ensure_no_secrets(reveal_all(doc), "here")
    with pytest.raises(SecretSerializationError, match=r"\(here: data\.a\)"):
        ensure_no_secrets(doc, "here")


def test_a_pydantic_model_cannot_declare_a_secret_field() -> None:
    with pytest.raises(SecretSerializationError, match="pydantic"):

        class Leaky(BaseModel):
            password: Secret[str]


def test_the_state_schema_refuses_it_on_construction_and_assignment() -> None:
    with pytest.raises(SecretSerializationError, match=r"\(state document: password\)"):
        StepRecord(outputs={"password": Secret(VALUE)})
    record = StepRecord()
    with pytest.raises(SecretSerializationError, match=r"db\[0\]"):
        record.outputs = {"db": [Secret(VALUE)]}
    doc = StateDocument(deployment="d", created_at=0, updated_at=0)
    with pytest.raises(SecretSerializationError):
        doc.applied_config = {"admin": {"password": Secret(VALUE)}}


def test_the_state_store_refuses_it_with_a_clear_error_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    store = StateStore(LocalBackend(path), "d", cloud="local")
    store.update_step("p3/a", outputs={"name": "db"})
    before = path.read_text()
    attempts = [
        lambda: store.update_step("p3/a", outputs={"name": "db", "password": Secret(VALUE)}),
        lambda: store.update_step("p3/a", error=Secret(VALUE)),
        lambda: store.set_applied_config({"x": [Secret(VALUE)]}),
        lambda: store.journal_intent("p3/a", Secret(VALUE)),  # type: ignore[arg-type]
    ]
    for attempt in attempts:
        with pytest.raises(
            SecretSerializationError, match=r"refusing to serialise a Secret \((state|journal|applied)"
        ):
            attempt()
    assert path.read_text() == before
    assert store.step("p3/a").outputs == {"name": "db"}


def test_the_json_output_refuses_it() -> None:
    stream = io.StringIO()
    with pytest.raises(SecretSerializationError):
        emit_json(stream, {"command": "run", "leak": Secret(VALUE)})
    assert VALUE not in stream.getvalue()


def test_log_records_show_sensitive(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="orchestrate"):
        logging.getLogger("orchestrate").debug("applying %s with %r", Secret(VALUE), {"p": Secret(VALUE)})
    assert VALUE not in caplog.text and "applying (sensitive) with {'p': (sensitive)}" in caplog.text
