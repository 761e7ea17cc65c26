"""Settings' kube_faults: which requests a rule hits, how often, and the Status each answers."""

from __future__ import annotations

from emulator.k8s.faults import RuleFaults
from emulator.settings import KubeFaultRule, Settings


def test_a_rule_hits_only_matching_requests_at_most_count_times() -> None:
    faults = RuleFaults(
        [KubeFaultRule(status=503, method="GET", path="/apis/apps/v1/*", cluster="aks-app*", count=2)]
    )
    assert faults.take("aks-mgmt", "GET", "/apis/apps/v1/daemonsets") is None
    assert faults.take("aks-app1", "PATCH", "/apis/apps/v1/daemonsets") is None
    assert faults.take("aks-app1", "GET", "/api/v1/pods") is None
    hits = [faults.take("aks-app1", "GET", "/apis/apps/v1/daemonsets") for _ in range(4)]
    assert [h.code if h else None for h in hits] == [503, 503, None, None]
    assert hits[0] is not None and hits[0].reason == "ServiceUnavailable"


def test_a_rate_is_seeded_so_a_run_is_repeatable() -> None:
    def pattern(seed: int) -> list[bool]:
        faults = RuleFaults([KubeFaultRule(status=500, rate=0.2)], seed=seed)
        return [faults.take("c", "GET", "/api/v1") is not None for _ in range(200)]

    assert pattern(1) == pattern(1) != pattern(2)
    assert 20 <= sum(pattern(1)) <= 60


def test_429_carries_retry_after_and_rules_survive_the_settings_file() -> None:
    rule = KubeFaultRule(status=429, retry_after=3)
    fault = RuleFaults([rule]).take("c", "GET", "/api")
    assert fault is not None and fault.code == 429 and fault.details == {"retryAfterSeconds": 3}
    settings = Settings(kube_faults=(rule,))
    assert Settings.from_json(settings.to_json()).kube_faults == (rule,)
