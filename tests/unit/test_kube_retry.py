"""The Kubernetes client's retries (orchestrator.kube.retry): transient answers to requests that are
safe to send twice are retried; a create is not; and every PATCH the product sends is a server-side
apply, the one kind of PATCH that is idempotent."""

from __future__ import annotations

import ast
from pathlib import Path

from orchestrator.azure.retry import RetrySettings
from orchestrator.kube.retry import kube_retry

REPO = Path(__file__).resolve().parents[2]


def test_transient_answers_are_retried_for_idempotent_requests_only() -> None:
    retry = kube_retry(RetrySettings())
    for method in ("GET", "HEAD", "PUT", "DELETE", "PATCH"):
        for status in (429, 500, 502, 503, 504):
            assert retry.is_retry(method, status, has_retry_after=status == 429), (method, status)
    assert not retry.is_retry("POST", 503)  # a create that landed would be refused the second time
    for status in (400, 404, 409, 422):
        assert not retry.is_retry("GET", status)
    assert retry.total == RetrySettings().kube_total and retry.respect_retry_after_header


def _calls(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.func.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
    ]


def test_the_product_sends_no_patch_but_server_side_apply() -> None:
    patches = {}
    for folder in ("orchestrator", "steps"):
        for path in (REPO / folder).rglob("*.py"):
            found = [c for c in _calls(path) if c == "patch" or c.startswith("patch_")]
            if found:
                patches[str(path.relative_to(REPO))] = found
    assert patches == {}, f"a non-apply PATCH is not idempotent; retrying it is unsafe: {patches}"


def test_a_request_without_a_timeout_gets_the_default_and_one_with_a_timeout_keeps_it() -> None:
    from orchestrator.kube.retry import DEFAULT_TIMEOUT_S, with_default_timeout

    seen: list[object] = []

    class Rest:
        def request(self, method: str, url: str, **kwargs: object) -> None:
            seen.append(kwargs.get("_request_timeout"))

    rest = Rest()
    with_default_timeout(rest)
    rest.request("GET", "https://api/version")
    rest.request("GET", "https://api/version", _request_timeout=None)
    rest.request("GET", "https://api/version", _request_timeout=5)
    assert seen == [DEFAULT_TIMEOUT_S, DEFAULT_TIMEOUT_S, 5]
