"""``/openapi/v2`` and ``/openapi/v3``: the documents kubectl and helm validate and explain with.

* ``GET /openapi/v2``: every definition; protobuf (gnostic) when asked for it, as client-go always does,
  JSON otherwise.
* ``GET /openapi/v3``: the index of group-version documents, each URL carrying its content hash;
  ``GET /openapi/v3/api/v1`` and ``/openapi/v3/apis/<group>/<version>``: one document (JSON).

Every answer has an ``ETag``; ``If-None-Match`` with it gives 304. A v3 document fetched with its current
``hash`` is ``Cache-Control: public, immutable``, as kube-apiserver marks it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..errors import KubeError
from ..negotiation import JSON, Encoded
from ..objects import Objects
from ..resources import CRD_KEY
from . import documents, gnostic
from .build import Resource
from .documents import Body, Inputs

__all__ = ["Inputs", "inputs_of", "serve"]
_IMMUTABLE = {"Cache-Control": "public, immutable", "Expires": "Thu, 31 Dec 2099 23:59:59 GMT"}
_REVALIDATE = {"Cache-Control": "no-cache, private"}


def _not_found() -> KubeError:
    return KubeError(404, "the server could not find the requested resource", "NotFound")


def _reply(
    body: Body, content_type: str, if_none_match: str, extra: Mapping[str, str]
) -> tuple[int, Encoded]:
    headers = {"ETag": body.etag, "Vary": "Accept", **extra}
    if body.etag in (t.strip() for t in if_none_match.split(",")):
        return 304, Encoded(content_type, b"", headers)
    return 200, Encoded(content_type, body.data, headers)


def _v2(inputs: Inputs, accept: str, if_none_match: str) -> tuple[int, Encoded]:
    if any(media in accept for media in gnostic.MEDIA_TYPES):
        return _reply(documents.v2_proto(inputs), gnostic.CONTENT_TYPE, if_none_match, _REVALIDATE)
    return _reply(documents.v2_json(inputs), JSON, if_none_match, _REVALIDATE)


def inputs_of(objects: Objects, kubernetes_version: str) -> Inputs:
    """What a cluster's documents depend on: its version, served group versions and CRDs."""
    served = [
        Resource(rt.group, version, rt.plural, rt.kind, rt.namespaced)
        for rt in objects.registry().types
        for version in rt.versions
    ]
    return Inputs.of(kubernetes_version, served, objects.list(objects.rt(CRD_KEY), None))


def serve(
    parts: Sequence[str], header: Callable[[str], str], query_hash: str | None, inputs: Inputs
) -> tuple[int, Any]:
    """Answer ``/openapi/<parts...>``; ``header`` reads a request header ("" when absent)."""
    accept, if_none_match = header("Accept"), header("If-None-Match")
    if list(parts) == ["v2"]:
        return _v2(inputs, accept, if_none_match)
    if list(parts) == ["v3"]:
        return _reply(documents.v3_index(inputs), JSON, if_none_match, _REVALIDATE)
    if parts[:1] != ["v3"]:
        raise _not_found()
    rest = list(parts[1:])
    if rest[:1] == ["api"] and len(rest) == 2:
        group, version = "", rest[1]
    elif rest[:1] == ["apis"] and len(rest) == 3:
        group, version = rest[1], rest[2]
    else:
        raise _not_found()
    if (group, version) not in inputs.group_versions:
        raise _not_found()
    body = documents.v3_group_version(inputs, group, version)
    fresh = query_hash is not None and f'"{query_hash}"' == body.etag
    return _reply(body, JSON, if_none_match, _IMMUTABLE if fresh else _REVALIDATE)
