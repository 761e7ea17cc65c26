"""Values in a manifest that are known only at apply time, resolved by `KubeObjectStep.desired`.

- a `SecretKey`: the secret itself, from the run's broker (`ctx.secrets`), e.g. a Secret's
  `stringData` entry; it stays a `Secret` until the request body is built;
- `Generated(key)`: the same, in the step that creates the secret: when the key's source does not
  hold a value yet (the Kubernetes Secret does not exist), a new one is generated, once; when it does,
  its value is reused, so a re-run generates nothing and writes nothing;
- a `SecretDigest`: a fingerprint of a secret (`sha256:<hex>`), for what may be shown and recorded,
  such as a `checksum/...` pod-template annotation that rolls the pods when the secret changes. Use it
  for generated, high-entropy values; a digest of a short human password can be guessed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from orchestrator.engine.secrets import SecretKey
from orchestrator.secret import Secret
from steps.secret_sources import new_token

if TYPE_CHECKING:
    from orchestrator.engine.context import StepContext


@dataclass(frozen=True)
class Generated:
    key: SecretKey[str]
    nbytes: int = 32

    def resolve(self, ctx: StepContext) -> Secret[str]:
        return ctx.secrets.get(self.key, ctx, generate=lambda: new_token(self.nbytes))


@dataclass(frozen=True)
class SecretDigest:
    key: SecretKey[str]

    def resolve(self, ctx: StepContext) -> str:
        value = ctx.secrets.get(self.key, ctx).reveal()
        return "sha256:" + hashlib.sha256(value.encode()).hexdigest()


def resolve(doc: Any, ctx: StepContext) -> Any:
    """A copy of `doc` with every SecretKey, Generated and SecretDigest in it resolved."""
    if isinstance(doc, SecretKey):
        return ctx.secrets.get(doc, ctx)
    if isinstance(doc, Generated | SecretDigest):
        return doc.resolve(ctx)
    if isinstance(doc, Mapping):
        return {k: resolve(v, ctx) for k, v in doc.items()}
    if isinstance(doc, list):
        return [resolve(v, ctx) for v in doc]
    return doc
