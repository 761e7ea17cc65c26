"""ServiceAccount tokens: JWT-shaped, HMAC-signed with a per-cluster key, accepted as bearer tokens.

Two ways to get one, as on a real cluster: the TokenRequest subresource
(``POST .../serviceaccounts/<name>/token``) and long-lived ``kubernetes.io/service-account-token``
Secrets, whose ``data.token`` the token controller fills in. Tokens authenticate only while their
ServiceAccount (and, for Secret tokens, the Secret) exists. No RBAC is enforced on what they do.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import math
from typing import Any

from .errors import KubeError
from .objects import Objects
from .store import Obj, Store, rfc3339

SA_TOKEN_TYPE = "kubernetes.io/service-account-token"
SA_NAME = "kubernetes.io/service-account.name"
ISSUER = "https://kubernetes.default.svc.cluster.local"
FAKE_CA = base64.b64encode(b"-----BEGIN CERTIFICATE-----\nemulated\n-----END CERTIFICATE-----\n").decode()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def issue(store: Store, claims: dict[str, Any]) -> str:
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = _b64(json.dumps({"iss": ISSUER, **claims}, sort_keys=True).encode())
    signature = hmac.new(store.signing_key.encode(), f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{_b64(signature)}"


def verify(store: Store, token: str) -> bool:
    """True for an unexpired token of this cluster whose ServiceAccount (and Secret) still exist."""
    return claims_of(store, token) is not None


def claims_of(store: Store, token: str) -> dict[str, Any] | None:
    """The claims of a valid ServiceAccount token of this cluster (see ``verify``), else None."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    expected = hmac.new(
        store.signing_key.encode(), f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256
    ).digest()
    try:
        if not hmac.compare_digest(expected, _unb64(parts[2])):
            return None
        claims: dict[str, Any] = json.loads(_unb64(parts[1]))
    except (ValueError, TypeError):
        return None
    ref = claims.get("kubernetes.io") or {}
    account = ref.get("serviceaccount") or {}
    sa = store.get("serviceaccounts", ref.get("namespace", ""), account.get("name", ""))
    if sa is None or sa["metadata"]["uid"] != account.get("uid"):
        return None
    if "exp" in claims and claims["exp"] < store.clock():
        return None
    secret = ref.get("secret")
    if secret is not None and store.get("secrets", ref.get("namespace", ""), secret.get("name", "")) is None:
        return None
    return claims


def _claims(
    sa: Obj, audiences: list[str], expires: float | None, secret: Obj | None, now: float
) -> dict[str, Any]:
    ns, name = sa["metadata"]["namespace"], sa["metadata"]["name"]
    ref: dict[str, Any] = {"namespace": ns, "serviceaccount": {"name": name, "uid": sa["metadata"]["uid"]}}
    if secret is not None:
        ref["secret"] = {"name": secret["metadata"]["name"], "uid": secret["metadata"]["uid"]}
    claims: dict[str, Any] = {
        "sub": f"system:serviceaccount:{ns}:{name}",
        "aud": audiences,
        "iat": math.floor(now),
        "kubernetes.io": ref,
    }
    if expires is not None:
        claims["exp"] = math.floor(expires)
    return claims


def token_request(objects: Objects, ns: str, name: str, body: Any) -> Obj:
    """The TokenRequest subresource of a ServiceAccount."""
    sa = objects.get(objects.rt("serviceaccounts"), ns, name)
    spec = dict((body or {}).get("spec") or {}) if isinstance(body, dict) else {}
    seconds = int(spec.get("expirationSeconds") or 3600)
    if seconds < 600:
        raise KubeError(
            422, "spec.expirationSeconds: Invalid value: may not specify a duration less than 10 minutes"
        )
    audiences = list(spec.get("audiences") or [ISSUER])
    now = objects.store.clock()
    token = issue(objects.store, _claims(sa, audiences, now + seconds, None, now))
    return {
        "kind": "TokenRequest",
        "apiVersion": "authentication.k8s.io/v1",
        "metadata": {"name": name, "namespace": ns, "creationTimestamp": rfc3339(now)},
        "spec": {
            "audiences": audiences,
            "expirationSeconds": seconds,
            "boundObjectRef": spec.get("boundObjectRef"),
        },
        "status": {"token": token, "expirationTimestamp": rfc3339(now + seconds)},
    }


class TokenController:
    """Fills ``data.token`` of service-account-token Secrets whose ServiceAccount exists."""

    def __init__(self, objects: Objects) -> None:
        self.store = objects.store

    def run(self) -> None:
        for secret in self.store.items("secrets"):
            if secret.get("type") != SA_TOKEN_TYPE or (secret.get("data") or {}).get("token"):
                continue
            meta = secret["metadata"]
            sa = self.store.get(
                "serviceaccounts", meta["namespace"], (meta.get("annotations") or {}).get(SA_NAME, "")
            )
            if sa is None:
                continue
            token = issue(self.store, _claims(sa, [ISSUER], None, secret, self.store.clock()))
            updated = copy.deepcopy(secret)
            updated["metadata"].setdefault("annotations", {})["kubernetes.io/service-account.uid"] = sa[
                "metadata"
            ]["uid"]
            updated["data"] = {
                **(secret.get("data") or {}),
                "token": base64.b64encode(token.encode()).decode(),
                "ca.crt": FAKE_CA,
                "namespace": base64.b64encode(meta["namespace"].encode()).decode(),
            }
            self.store.update("secrets", updated)
