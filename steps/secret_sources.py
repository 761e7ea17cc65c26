"""Where a secret lives, so a step can obtain it again in any process (`SecretKey.source`).

- `KubeSecretSource`: one key of a Secret in a cluster, read back through the Kubernetes API.
- `new_token`: a generated value (`secrets.token_urlsafe`), for the step that creates the secret
  (`steps.secret_values.Generated`): used only when the source does not hold a value yet.

Sources only read. The value never passes through the state file: a run that did not produce it
reads it back from the cluster.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from orchestrator.errors import NotFound
from orchestrator.kube.errors import call_kube
from orchestrator.secret import Secret

if TYPE_CHECKING:
    from orchestrator.engine.context import StepContext


@dataclass(frozen=True)
class KubeSecretSource:
    cluster: str
    namespace: str
    name: str
    key: str

    def describe(self) -> str:
        return f"key {self.key} of Secret {self.namespace}/{self.name} on {self.cluster}"

    def obtain(self, ctx: StepContext) -> Secret[str] | None:
        from kubernetes import client

        core = client.CoreV1Api(ctx.kube().api(self.cluster))
        try:
            found = call_kube(lambda: core.read_namespaced_secret(self.name, self.namespace))
        except NotFound:
            return None
        raw = (found.data or {}).get(self.key)
        return None if raw is None else Secret(base64.b64decode(raw).decode())


def new_token(nbytes: int = 32) -> Secret[str]:
    """A new random value (`nbytes` of randomness, URL-safe text about 1.3 times as long)."""
    return Secret(secrets.token_urlsafe(nbytes))
