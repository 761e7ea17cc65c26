"""The run's SecretBroker: steps hand secrets over by typed key, in memory, obtained once per process."""

from __future__ import annotations

import pickle
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import pytest

from orchestrator.engine.context import StepContext
from orchestrator.engine.secrets import MissingSecret, SecretBroker, SecretKey
from orchestrator.errors import OrchestrateError
from orchestrator.secret import Secret
from state.local import LocalBackend
from state.store import StateStore
from steps.secret_sources import new_token


@dataclass
class Vault:
    """A source that holds what it was given: what a cluster Secret or a Key Vault is to the broker."""

    values: dict[str, str] = field(default_factory=dict)
    reads: int = 0

    def describe(self) -> str:
        return "the test vault"

    def obtain(self, ctx: StepContext) -> Secret[str] | None:
        self.reads += 1
        value = self.values.get("db")
        return None if value is None else Secret(value)


def _ctx(tmp_path: Path, services: object = None, broker: SecretBroker | None = None) -> StepContext:
    return StepContext(
        step_id="p3/x",
        deployment="d",
        config=None,
        store=StateStore(LocalBackend(tmp_path / "s.json"), "d", cloud="local"),
        services=services,
        cancel=threading.Event(),
        deadline=float("inf"),
        secrets=broker,
    )


def test_a_later_step_reads_what_an_earlier_one_put(tmp_path: Path) -> None:
    vault = Vault()
    key = SecretKey("db", vault)
    ctx = _ctx(tmp_path, broker=SecretBroker())
    ctx.secrets.put(key, Secret("s3cret-value"))
    assert ctx.secrets.get(key, ctx).reveal() == "s3cret-value"
    assert vault.reads == 0  # in memory: the source is not asked


def test_without_a_producer_in_this_process_the_value_comes_from_its_source_once(tmp_path: Path) -> None:
    vault = Vault({"db": "from-the-cluster"})
    key = SecretKey("db", vault)
    ctx = _ctx(tmp_path, broker=SecretBroker())
    assert [ctx.secrets.get(key, ctx).reveal() for _ in range(3)] == ["from-the-cluster"] * 3
    assert vault.reads == 1


def test_a_generated_value_is_generated_only_when_the_source_has_none(tmp_path: Path) -> None:
    held = SecretKey("db", Vault({"db": "already-there"}))
    ctx = _ctx(tmp_path, broker=SecretBroker())
    assert ctx.secrets.get(held, ctx, generate=new_token).reveal() == "already-there"

    fresh = SecretKey("db2", Vault())
    made: list[Secret[str]] = []

    def generate() -> Secret[str]:
        made.append(new_token())
        return made[-1]

    with ThreadPoolExecutor(8) as pool:
        got = list(pool.map(lambda _: ctx.secrets.get(fresh, ctx, generate=generate), range(16)))
    assert len(made) == 1 and all(g is made[0] for g in got)  # concurrent steps agree on one value
    assert len(made[0].reveal()) >= 40


def test_a_secret_nobody_holds_is_a_clear_error_without_a_value(tmp_path: Path) -> None:
    ctx = _ctx(tmp_path, broker=SecretBroker())
    with pytest.raises(MissingSecret, match=r"secret db \(the test vault\) is not available"):
        ctx.secrets.get(SecretKey("db", Vault()), ctx)


def test_the_broker_comes_from_the_services_of_the_command(tmp_path: Path) -> None:
    broker = SecretBroker()
    assert _ctx(tmp_path, services=SimpleNamespace(secrets=broker)).secrets is broker
    with pytest.raises(OrchestrateError, match="no secret broker"):
        _ = _ctx(tmp_path, services=SimpleNamespace()).secrets


def test_the_broker_never_leaves_memory(tmp_path: Path) -> None:
    broker = SecretBroker()
    broker.put(SecretKey("db", Vault()), Secret("hunter2-hunter2"))
    assert repr(broker) == "SecretBroker(['db'])"
    with pytest.raises(TypeError):
        pickle.dumps(broker)
