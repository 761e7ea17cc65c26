"""Who a bearer token is: the cluster admin of the AKS admin kubeconfig, or a ServiceAccount.

AKS's local admin credential authenticates as ``masterclient`` in ``system:masters``; tokens the
cluster issued to ServiceAccounts authenticate as ``system:serviceaccount:<ns>:<name>``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ADMIN_USER = "masterclient"
AUTHENTICATED = "system:authenticated"
MASTERS = "system:masters"


@dataclass(frozen=True)
class UserInfo:
    username: str
    uid: str = ""
    groups: tuple[str, ...] = (AUTHENTICATED,)
    extra: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"username": self.username, "groups": list(self.groups)}
        if self.uid:
            out["uid"] = self.uid
        if self.extra:
            out["extra"] = {k: list(v) for k, v in self.extra}
        return out


ADMIN = UserInfo(ADMIN_USER, "", (MASTERS, AUTHENTICATED))


def service_account(claims: dict[str, Any]) -> UserInfo:
    ref = claims.get("kubernetes.io") or {}
    account = ref.get("serviceaccount") or {}
    ns = str(ref.get("namespace", ""))
    groups = ("system:serviceaccounts", f"system:serviceaccounts:{ns}", AUTHENTICATED)
    extra: tuple[tuple[str, tuple[str, ...]], ...] = ()
    if ref.get("pod"):
        extra = (("authentication.kubernetes.io/pod-name", (str(ref["pod"].get("name", "")),)),)
    return UserInfo(
        f"system:serviceaccount:{ns}:{account.get('name', '')}", str(account.get("uid", "")), groups, extra
    )
