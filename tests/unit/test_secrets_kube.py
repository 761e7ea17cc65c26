"""Kubernetes Secrets are compared on a content hash and shown as (sensitive), whatever their shape."""

from __future__ import annotations

import base64
import re

import pytest
from rich.console import Console

from orchestrator.engine.change import Action, FieldChange
from orchestrator.engine.results import Outcome, PhaseResult, StepResult
from orchestrator.errors import CloudError
from orchestrator.output import render_plan
from orchestrator.secret import Secret, find_secrets, reveal_all
from steps.kube_sensitive import (
    fold_string_data,
    plaintexts,
    sensitive_changes,
    sensitive_paths,
    without_plaintext,
    wrap,
)

SECRET_DATA = sensitive_paths("v1/Secret", ())
PASSWORD = "Zq9-generated-password-value"


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _manifest(**data: object) -> dict:
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db"}, **data}


def _live(**data: str) -> dict:
    """The Secret as the API server returns it: data only, base64, wrapped on read."""
    return wrap(_manifest(data={k: _b64(v) for k, v in data.items()}, type="Opaque"), SECRET_DATA)


def test_string_data_folds_into_base64_data_and_every_value_is_a_secret() -> None:
    desired = fold_string_data(_manifest(stringData={"password": Secret(PASSWORD), "user": "app"}))
    assert "stringData" not in desired and find_secrets(desired) == ["data.password", "data.user"]
    assert reveal_all(desired["data"]) == {"password": _b64(PASSWORD), "user": _b64("app")}


def test_a_secret_written_with_string_data_does_not_drift_against_what_the_server_stores() -> None:
    desired = fold_string_data(_manifest(stringData={"password": Secret(PASSWORD), "user": "app"}))
    assert sensitive_changes(desired, _live(password=PASSWORD, user="app"), SECRET_DATA) == []
    extra_key_someone_else_owns = _live(password=PASSWORD, user="app", rotated_at="2026")
    assert sensitive_changes(desired, extra_key_someone_else_owns, SECRET_DATA) == []


def test_a_changed_or_missing_key_is_reported_with_placeholders_only() -> None:
    desired = fold_string_data(_manifest(stringData={"password": Secret(PASSWORD), "user": "app"}))
    changes = sensitive_changes(desired, _live(password="edited-by-hand"), SECRET_DATA)
    assert changes == [
        FieldChange("data.password", "(sensitive)", "(sensitive, changed)"),
        FieldChange("data.user", None, "(sensitive)"),
    ]
    assert [c.describe() for c in changes] == [
        "data.password: (sensitive) -> (sensitive, changed)",
        "data.user: (absent) -> (sensitive)",
    ]
    created = sensitive_changes(desired, None, SECRET_DATA)
    assert [(c.path, c.after) for c in created] == [
        ("data.password", "(sensitive)"),
        ("data.user", "(sensitive)"),
    ]


def test_a_declared_sensitive_field_of_any_kind_is_compared_by_content() -> None:
    paths = sensitive_paths("argoproj.io/v1alpha1/Repository", ("spec.token",))
    desired = wrap({"spec": {"token": "abc-123-token", "url": "https://git"}}, paths)
    assert find_secrets(desired) == ["spec.token"]
    same = wrap({"spec": {"token": "abc-123-token"}}, paths)
    other = wrap({"spec": {"token": "rotated-token"}}, paths)
    assert sensitive_changes(desired, same, paths) == []
    assert sensitive_changes(desired, other, paths) == [
        FieldChange("spec.token", "(sensitive)", "(sensitive, changed)")
    ]


def test_the_plan_prints_sensitive_never_the_value_or_its_base64() -> None:
    desired = fold_string_data(_manifest(stringData={"password": Secret(PASSWORD)}))
    fields = (
        *sensitive_changes(desired, _live(password="old-value-here"), SECRET_DATA),
        FieldChange("metadata.annotations.raw", None, Secret(PASSWORD)),  # a Secret itself: shown masked
    )
    step = StepResult("p3/db", "Secret db", 3, Action.UPDATE, Outcome.PLANNED, 0.1, fields)
    console = Console(record=True, width=200, color_system=None)
    render_plan(console, [PhaseResult(3, "CNI", [step])])
    text = console.export_text()
    assert "data.password: (sensitive) -> (sensitive, changed)" in text
    assert re.search(r'metadata\.annotations\.raw: \(absent\) -> "?\(sensitive\)"?\n', text)
    assert PASSWORD not in text and _b64(PASSWORD) not in text and "old-value-here" not in text


def test_an_api_error_that_echoes_the_value_is_raised_without_it() -> None:
    desired = fold_string_data(_manifest(stringData={"password": Secret(PASSWORD)}))
    masked = plaintexts(desired)
    assert set(masked) == {PASSWORD, _b64(PASSWORD)}

    def refused() -> None:
        raise CloudError(
            f'Secret "db" is invalid: data[password]: Invalid value: "{_b64(PASSWORD)}"', code="Invalid"
        )

    with pytest.raises(CloudError) as caught:
        without_plaintext(refused, masked)
    assert PASSWORD not in str(caught.value) and _b64(PASSWORD) not in str(caught.value)
    assert 'Invalid value: "(sensitive)"' in str(caught.value) and caught.value.code == "Invalid"
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
