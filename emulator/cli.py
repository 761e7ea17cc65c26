"""`python -m emulator serve|configure`: run the local cloud as a process, or write its settings.json."""

from __future__ import annotations

import argparse
import dataclasses
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from emulator.charts import ChartRepository
from emulator.cloud import LocalCloud
from emulator.settings import FaultKind, FaultRule, KubeFaultRule, Settings

_FAULT_KEYS = {
    "kind",
    "type",
    "method",
    "rate",
    "count",
    "code",
    "retry_after",
    "multiplier",
    "resource",
    "message",
}


def parse_fault(spec: str) -> FaultRule:
    """'kind=throttle,type=Microsoft.Network/*,method=PUT,rate=0.5,count=3,code=QuotaExceeded'.

    Final state of one resource's operation: 'kind=lro_failure,type=Microsoft.ContainerService/
    managedClusters/agentPools,resource=*/aks-app1/agentPools/spot,code=OverconstrainedAllocationRequest,
    count=1' (`resource` globs the resource ID, or its name when it has no '/'; `message` cannot hold
    a comma)."""
    pairs = dict(item.split("=", 1) for item in spec.split(",") if item)
    unknown = set(pairs) - _FAULT_KEYS
    if unknown or "kind" not in pairs:
        raise argparse.ArgumentTypeError(
            f"bad fault spec {spec!r}: keys are {sorted(_FAULT_KEYS)}, kind required"
        )
    values: dict[str, Any] = {"kind": FaultKind(pairs["kind"])}
    converters: dict[str, tuple[str, Any]] = {
        "type": ("resource_type", str),
        "method": ("method", str),
        "rate": ("rate", float),
        "count": ("count", int),
        "code": ("error_code", str),
        "retry_after": ("retry_after", int),
        "multiplier": ("multiplier", float),
        "resource": ("resource", str),
        "message": ("message", str),
    }
    for key, (name, conv) in converters.items():
        if key in pairs:
            values[name] = conv(pairs[key])
    return FaultRule(**values)


_KUBE_FAULT_CONVERTERS: dict[str, Any] = {
    "status": int,
    "rate": float,
    "method": str,
    "path": str,
    "cluster": str,
    "count": int,
    "retry_after": int,
}


def parse_kube_fault(spec: str) -> KubeFaultRule:
    """'status=503,rate=0.05' or 'status=429,method=PATCH,path=/apis/apps/*,cluster=aks-app1,count=2'."""
    pairs = dict(item.split("=", 1) for item in spec.split(",") if item)
    unknown = set(pairs) - set(_KUBE_FAULT_CONVERTERS)
    if unknown:
        raise argparse.ArgumentTypeError(
            f"bad Kubernetes fault spec {spec!r}: keys are {sorted(_KUBE_FAULT_CONVERTERS)}"
        )
    try:
        return KubeFaultRule(**{k: _KUBE_FAULT_CONVERTERS[k](v) for k, v in pairs.items()})
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"bad Kubernetes fault spec {spec!r}: {exc}") from exc


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m emulator", description="Local ARM emulator")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve HTTPS on 127.0.0.1 until interrupted")
    serve.add_argument("--dir", type=Path, required=True, help="state directory")
    serve.add_argument("--port", type=int, default=0, help="0 picks a free port")
    serve.add_argument("--time-scale", type=float, default=None)
    conf = sub.add_parser("configure", help="write <dir>/settings.json (merged with the current one)")
    conf.add_argument("--dir", type=Path, required=True)
    conf.add_argument("--time-scale", type=float, default=None)
    conf.add_argument("--seed", type=int, default=None)
    conf.add_argument("--retry-after", type=int, default=None, help="Retry-After seconds on LRO answers")
    conf.add_argument("--page-size", type=int, default=None)
    conf.add_argument("--quota", action="append", default=[], metavar="NAME=LIMIT")
    conf.add_argument("--fault", action="append", type=parse_fault, default=[], metavar="SPEC")
    conf.add_argument("--clear-faults", action="store_true")
    conf.add_argument(
        "--kube-fault", action="append", type=parse_kube_fault, default=[], metavar="SPEC",
        help="a fault of every cluster's Kubernetes API, e.g. 'status=503,rate=0.05'",
    )  # fmt: skip
    charts = sub.add_parser("charts", help="the model charts and manifests the chart repository serves")
    charts.add_argument("--digests", action="store_true", help="print kind, name, version, sha256 of each")
    return parser


def _configure(args: argparse.Namespace) -> int:
    current = Settings.load(args.dir) or Settings()
    changes: dict[str, Any] = {}
    for name in ("time_scale", "seed", "page_size"):
        if getattr(args, name) is not None:
            changes[name] = getattr(args, name)
    if args.retry_after is not None:
        changes["retry_after_s"] = args.retry_after
    if args.quota:
        changes["quotas"] = {
            **current.quotas,
            **{k: int(v) for k, v in (q.split("=", 1) for q in args.quota)},
        }
    faults = () if args.clear_faults else current.faults
    changes["faults"] = tuple(faults) + tuple(args.fault)
    kube_faults = () if args.clear_faults else current.kube_faults
    changes["kube_faults"] = tuple(kube_faults) + tuple(args.kube_fault)
    path = dataclasses.replace(current, **changes).save(args.dir)
    print(f"wrote {path}")
    return 0


def _serve(args: argparse.Namespace) -> int:
    settings = Settings.load(args.dir) or Settings()
    if args.time_scale is not None:
        settings = dataclasses.replace(settings, time_scale=args.time_scale)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    with LocalCloud.start(args.dir, settings, port=args.port) as cloud:
        print(f"ARM endpoint: {cloud.arm_url}")
        print(f"CA bundle:    {cloud.ca_path}")
        print(f"Token file:   {cloud.token_path}")
        print(
            f"Charts:       {cloud.chart_repository}/charts  (manifests: {cloud.chart_repository}/manifests)"
        )
        sys.stdout.flush()
        stop.wait()
    return 0


def _charts(args: argparse.Namespace) -> int:
    """One line per artifact: ``<kind> <name> <version> <sha256>`` (the lock file's local_digest)."""
    for kind, name, version, digest in ChartRepository().digests():
        print(f"{kind} {name} {version} {digest}" if args.digests else f"{kind} {name} {version}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    commands = {"configure": _configure, "serve": _serve, "charts": _charts}
    return commands[args.command](args)
