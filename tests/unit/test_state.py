from __future__ import annotations

import json
from pathlib import Path

import pytest

from orchestrator.errors import StateError
from state.local import LocalBackend
from state.redact import REDACTED, is_secret_key, redact
from state.schema import SCHEMA_VERSION, StepStatus
from state.store import StateStore


def _store(path: Path) -> StateStore:
    return StateStore(LocalBackend(path), "demo", cloud="local")


def test_writes_are_atomic_and_private(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    store = _store(path)
    store.update_step("p1/rg", status=StepStatus.DONE, outputs={"id": "/subscriptions/x"})
    assert json.loads(path.read_text())["steps"]["p1/rg"]["outputs"] == {"id": "/subscriptions/x"}
    assert path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["s.json"]  # no temp file left behind


def test_an_open_journal_entry_marks_the_step_to_be_observed_first(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    store = _store(path)
    store.update_step("p2/cluster", status=StepStatus.RUNNING)
    store.journal_intent("p2/cluster", "PUT managed cluster")
    reloaded = _store(path)
    record = reloaded.step("p2/cluster")
    assert record.status == StepStatus.INTERRUPTED and record.needs_observe
    reloaded.close_open_mutations("p2/cluster", "resolved: noop")
    assert _store(path).step("p2/cluster").journal[0].outcome == "resolved: noop"


def test_unversioned_files_are_migrated_and_newer_ones_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text(
        json.dumps(
            {
                "deployment": "demo",
                "created_at": 1,
                "updated_at": 1,
                "progress": {"p1/rg": {"status": "done"}},
            }
        )
    )
    store = _store(path)
    assert store.document.schema_version == SCHEMA_VERSION
    assert store.step("p1/rg").status == StepStatus.DONE
    path.write_text(json.dumps({"schema_version": SCHEMA_VERSION + 1, "deployment": "demo"}))
    with pytest.raises(StateError, match="newer orchestrate"):
        _store(path)


def test_a_version_1_file_loses_last_command_on_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text(
        json.dumps(
            {
                "schema_version": 1,
                "deployment": "demo",
                "created_at": 1,
                "updated_at": 1,
                "last_command": "run",
                "steps": {"p1/rg": {"status": "done"}},
            }
        )
    )
    store = _store(path)
    assert store.document.schema_version == 2 and store.step("p1/rg").status == StepStatus.DONE


def test_a_file_that_does_not_fit_the_schema_is_a_state_error(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text(
        json.dumps(
            {
                "schema_version": 2,
                "deployment": "demo",
                "created_at": 1,
                "updated_at": 1,
                "steps": {"p1/rg": {"status": "sideways"}},
            }
        )
    )
    with pytest.raises(StateError, match=r"does not match the state schema \(steps.p1/rg.status"):
        _store(path)


def test_corrupt_state_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text("{not json")
    with pytest.raises(StateError, match="not valid JSON"):
        _store(path)


def test_secrets_never_reach_the_file(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    store = _store(path)
    pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----"
    store.update_step(
        "p2/c",
        outputs={
            "fqdn": "c.hcp.koreacentral.azmk8s.io",
            "admin_password": "hunter2",
            "kubeconfig": "apiVersion: v1",
            "note": pem,
            "conn": "DefaultEndpointsProtocol=https;AccountKey=abc123==",
        },
    )
    text = path.read_text()
    for secret in ("hunter2", "BEGIN RSA", "AccountKey=abc", "apiVersion: v1"):
        assert secret not in text
    assert "c.hcp.koreacentral.azmk8s.io" in text


def test_redact_keeps_structure() -> None:
    assert redact({"a": [{"token": "x"}], "b": 1}) == {"a": [{"token": REDACTED}], "b": 1}


@pytest.mark.parametrize(
    "key",
    [
        "password",
        "adminPassword",
        "client_secret",
        "accessToken",
        "account_key",
        "primaryKey",
        "client-key-data",
        "connection_string",
        "kubeconfig",
        "sas",
    ],
)
def test_secret_keys(key: str) -> None:
    assert is_secret_key(key)


@pytest.mark.parametrize(
    "key",
    [
        "external_secrets_refresh",
        "secret_names",
        "key_vault_uri",
        "token_endpoint_url",
        "continuation",
        "ssh_key_path_hint",
        "keys_count",
        "tokenizer",
    ],
)
def test_keys_that_only_mention_a_secret_are_kept(key: str) -> None:
    assert not is_secret_key(key)


def test_the_secret_scanner_used_on_state_files_does_find_secrets() -> None:
    from tests.support.secrets import find_secrets

    kubeconfig = "apiVersion: v1\nclusters:\n- cluster: {certificate-authority-data: LS0t}\nusers:\n- user: {client-key-data: x}"
    assert set(find_secrets(kubeconfig)) >= {"kubeconfig", "kubeconfig credential"}
    assert find_secrets('{"access_token": "abc"}') == ["token field"]
    assert find_secrets("DefaultEndpointsProtocol=https;AccountKey=abc") == ["storage key"]
    assert (
        find_secrets('{"fqdn": "aks-demo-aks-mgmt.hcp.koreacentral.azmk8s.io", "id": "/subscriptions/x"}')
        == []
    )
