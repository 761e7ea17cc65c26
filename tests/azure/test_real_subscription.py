"""`plan` for phases 1-2 against a real subscription. Skipped unless you ask for it and have credentials:

    ORCHESTRATE_AZURE_TESTS=1 AZURE_SUBSCRIPTION_ID=<id> az login   # or a service principal's AZURE_* variables
    .venv/bin/pytest -m azure tests/azure

It only reads: plan makes no write call, which the test checks from the JSON request counts. A
preflight refusal (quota, providers, permissions) fails the test with the problems preflight named:
a subscription that cannot build phases 1-2 is not a pass.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from orchestrator.config.template import render_default_config
from tests.support.cli import run_cli

pytestmark = pytest.mark.azure


def _credentials_available() -> bool:
    service_principal = all(os.environ.get(k) for k in ("AZURE_CLIENT_ID", "AZURE_TENANT_ID")) and any(
        os.environ.get(k) for k in ("AZURE_CLIENT_SECRET", "AZURE_FEDERATED_TOKEN_FILE")
    )
    return service_principal or shutil.which("az") is not None


requires_azure = pytest.mark.skipif(
    not (
        os.environ.get("ORCHESTRATE_AZURE_TESTS") == "1"
        and os.environ.get("AZURE_SUBSCRIPTION_ID")
        and _credentials_available()
    ),
    reason="needs ORCHESTRATE_AZURE_TESTS=1, AZURE_SUBSCRIPTION_ID and Azure credentials",
)


@requires_azure
def test_plan_phases_1_and_2_against_a_real_subscription_makes_no_writes(tmp_path: Path) -> None:
    (tmp_path / "deployment.yaml").write_text(render_default_config())
    result = run_cli(["--cloud", "azure", "--output", "json", "plan"], cwd=tmp_path, timeout=600)
    doc = result.json
    if result.code != 0:  # a preflight refusal too: a subscription that cannot build phases 1-2 fails
        pytest.fail(f"plan exited {result.code}:\n" + "\n".join(doc.get("messages", [str(result)])))
    assert [p["number"] for p in doc["phases"]] == [1, 2]
    assert doc["api_requests"]["azure"]["write"] == 0
    assert doc["api_requests"]["azure"]["read"] > 0
