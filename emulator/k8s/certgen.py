"""Cilium's certgen Job (``clustermesh-apiserver-generate-certs``, the chart's cronJob TLS method).

Its pod runs until this model decides, like the real ``cilium-certgen``: it reuses the Secret
``cilium-ca`` (``--ca-reuse-secret``), or creates a CA of its own for this cluster when there is none
and ``--ca-generate=true`` (``certgen.generateCA``), or exits 1 when there is none and generation is
off. Then it issues the clustermesh-apiserver server, admin and remote (client) certificates as
``kubernetes.io/tls`` Secrets carrying that CA in ``ca.crt``. The certificates are placeholders: the
mesh model compares which CA issued them, nothing more.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from .extensions import ControllerContext
from .kubelet import EXIT_CODE, TERMINATION

Obj = dict[str, Any]
CERTGEN_LABEL = ("k8s-app", "clustermesh-apiserver-generate-certs")
CERT_SECRETS = (
    "clustermesh-apiserver-server-cert",
    "clustermesh-apiserver-admin-cert",
    "clustermesh-apiserver-remote-cert",
)


def _args(pod: Obj) -> dict[str, str]:
    found: dict[str, str] = {}
    for container in pod["spec"].get("containers") or []:
        for arg in container.get("args") or []:
            key, _, value = str(arg).lstrip("-").partition("=")
            found[key] = value or "true"
    return found


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _pem(kind: str, body: str) -> str:
    return f"-----BEGIN {kind}-----\n{_b64(body)}\n-----END {kind}-----\n"


class CertgenModel:
    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config

    def __call__(self, ctx: ControllerContext) -> None:
        key, value = CERTGEN_LABEL
        for pod in ctx.list("v1", "Pod", labels={key: value}):
            annotations = pod["metadata"].setdefault("annotations", {})
            if EXIT_CODE in annotations or pod["status"].get("phase") != "Running":
                continue
            code, message = self._run(ctx, pod)
            annotations[EXIT_CODE], annotations[TERMINATION] = str(code), message
            ctx.replace(pod)

    def _run(self, ctx: ControllerContext, pod: Obj) -> tuple[int, str]:
        args = _args(pod)
        ns = args.get("ca-secret-namespace") or pod["metadata"]["namespace"]
        name = args.get("ca-secret-name") or "cilium-ca"
        ca = ctx.get("v1", "Secret", ns, name)
        if ca is None:
            if args.get("ca-generate", "false").lower() != "true":
                return 1, f"secret {ns}/{name} not found and CA generation is disabled (--ca-generate=false)"
            seed = hashlib.sha256(pod["metadata"]["uid"].encode()).hexdigest()[:16]
            data = {
                "ca.crt": _b64(_pem("CERTIFICATE", f"Cilium CA {seed}")),
                "ca.key": _b64(_pem("EC PRIVATE KEY", seed)),
            }
            ca = ctx.create(
                {
                    "apiVersion": "v1",
                    "kind": "Secret",
                    "metadata": {"name": name, "namespace": ns},
                    "data": data,
                }
            )
        ca_crt = str((ca.get("data") or {}).get("ca.crt", ""))
        for secret in CERT_SECRETS:
            self._issue(ctx, ns, secret, ca_crt)
        return 0, f"issued {', '.join(CERT_SECRETS)} with CA {ns}/{name}"

    @staticmethod
    def _issue(ctx: ControllerContext, ns: str, name: str, ca_crt: str) -> None:
        digest = hashlib.sha256(f"{name}/{ca_crt}".encode()).hexdigest()[:16]
        data = {
            "ca.crt": ca_crt,
            "tls.crt": _b64(_pem("CERTIFICATE", f"{name} {digest}")),
            "tls.key": _b64(_pem("EC PRIVATE KEY", digest)),
        }
        current = ctx.get("v1", "Secret", ns, name)
        if current is None:
            body = {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
                    "metadata": {"name": name, "namespace": ns}, "data": data}  # fmt: skip
            ctx.create(body)
        elif current.get("data") != data:
            current["data"] = data
            ctx.replace(current)
