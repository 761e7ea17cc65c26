"""docs/COST-ANALYSIS.md must show what the model computes from the shipped price table."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from orchestrator.config.model import Deployment
from orchestrator.cost import estimate

DOC = Path(__file__).resolve().parents[2] / "docs" / "COST-ANALYSIS.md"


def marked(pattern: str) -> str:
    found = re.findall(pattern, DOC.read_text(encoding="utf-8"))
    if not found:
        pytest.fail(f"{DOC.name} has no line matching {pattern!r}")
    assert len(set(found)) == 1, f"{DOC.name} gives different values for {pattern!r}: {found}"
    return str(found[0])


def test_doc_demo_total_matches_the_estimator() -> None:
    total = Decimal(marked(r"\*\*시연 환경 월 합계: \$([0-9,]+\.[0-9]{2})\*\*").replace(",", ""))
    assert total == estimate(Deployment()).demo.monthly_total


def test_doc_budget_hours_and_stopped_floor_match_the_estimator() -> None:
    report = estimate(Deployment())
    hours = int(marked(r"\*\*예산 내 월 가동 시간: ([0-9]+)시간\*\*"))
    floor = Decimal(marked(r"\*\*정지 상태 월 합계\*\* \| \*\*\$([0-9,]+\.[0-9]{2})\*\*"))
    assert hours == report.budget.hours_per_month_within_budget
    assert floor == report.budget.stopped_monthly
    if report.budget.schedule is not None:  # none when the stopped floor alone is over the budget
        assert report.budget.schedule.label in DOC.read_text(encoding="utf-8")
    destroyed = int(marked(r"\*\*삭제 후 재생성 시 월 가동 시간: ([0-9]+)시간\*\*"))
    assert destroyed == report.budget.hours_if_destroyed_between_runs
