"""``/openapi/v2`` and ``/openapi/v3``: what clients fetch, the caching headers, and CRD schemas."""

from __future__ import annotations

import json
from typing import Any

from kube_testkit import TOKEN, Kube

from emulator.k8s.openapi import crd, gnostic

V2_PROTOBUF = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"
WIDGETS: dict[str, Any] = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "widgets.demo.example.com"},
    "spec": {
        "group": "demo.example.com",
        "scope": "Namespaced",
        "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
        "versions": [
            {
                "name": "v1",
                "served": True,
                "storage": True,
                "schema": {
                    "openAPIV3Schema": {
                        "type": "object",
                        "properties": {
                            "spec": {
                                "type": "object",
                                "properties": {
                                    "size": {"type": "integer"},
                                    "note": {"type": "string", "nullable": True},
                                    "extra": {
                                        "type": "object",
                                        "x-kubernetes-preserve-unknown-fields": True,
                                        "properties": {"a": {"type": "string"}},
                                    },
                                },
                                "required": ["size", "note"],
                            }
                        },
                    }
                },
            }
        ],
    },
}


def _get(kube: Kube, path: str, accept: str = "application/json", **headers: str) -> Any:
    query = {}
    if "?" in path:
        path, _, raw = path.partition("?")
        query = {k: [v] for k, v in (p.split("=", 1) for p in raw.split("&"))}
    return kube.cluster.handle(
        "GET", path, query, {"Authorization": f"Bearer {TOKEN}", "Accept": accept, **headers}, b""
    )


def test_v2_as_protobuf_is_a_gnostic_document_with_every_kind(kube: Kube) -> None:
    reply = _get(kube, "/openapi/v2", V2_PROTOBUF)
    assert reply.status == 200
    assert reply.headers["Content-Type"] == "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"
    document: Any = gnostic.messages().message_class("Document")()
    document.ParseFromString(reply.body)
    assert document.swagger == "2.0" and document.info.version == "v1.33.0"
    schemas = {named.name: named.value for named in document.definitions.additionalProperties}
    deployment = schemas["io.k8s.api.apps.v1.Deployment"]
    extensions = {e.name: json.loads(e.value.yaml) for e in deployment.vendorExtension}
    assert extensions["x-kubernetes-group-version-kind"] == [
        {"group": "apps", "kind": "Deployment", "version": "v1"}
    ]
    spec = {
        p.name: p.value for p in schemas["io.k8s.api.apps.v1.DeploymentSpec"].properties.additionalProperties
    }
    assert list(spec["replicas"].type.value) == ["integer"] and spec["replicas"].format == "int32"
    assert spec["template"].ref == "#/definitions/io.k8s.api.core.v1.PodTemplateSpec"
    containers = {
        p.name: p.value for p in schemas["io.k8s.api.core.v1.PodSpec"].properties.additionalProperties
    }
    merge = {e.name: json.loads(e.value.yaml) for e in containers["containers"].vendorExtension}
    assert merge["x-kubernetes-patch-merge-key"] == "name"


def test_v2_as_json_and_its_etag(kube: Kube) -> None:
    reply = _get(kube, "/openapi/v2")
    assert reply.status == 200 and reply.headers["Content-Type"] == "application/json"
    document = json.loads(reply.body)
    port = document["definitions"]["io.k8s.api.core.v1.ServicePort"]["properties"]["targetPort"]
    assert port["$ref"] == "#/definitions/io.k8s.apimachinery.pkg.util.intstr.IntOrString"
    intstr = document["definitions"]["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]
    assert intstr == {"type": "string", "format": "int-or-string"}
    etag = reply.headers["ETag"]
    again = _get(kube, "/openapi/v2", **{"If-None-Match": etag})
    assert again.status == 304 and again.body == b"" and again.headers["ETag"] == etag


def test_v3_index_points_at_hashed_group_version_documents(kube: Kube) -> None:
    index = json.loads(_get(kube, "/openapi/v3").body)["paths"]
    assert {"api/v1", "apis/apps/v1", "apis/batch/v1", "apis/apiextensions.k8s.io/v1"} <= set(index)
    url = index["apis/apps/v1"]["serverRelativeURL"]
    assert url.startswith("/openapi/v3/apis/apps/v1?hash=")
    fresh = _get(kube, url)
    assert fresh.status == 200 and fresh.headers["Cache-Control"] == "public, immutable"
    assert fresh.headers["ETag"] == f'"{url.split("hash=")[1]}"'
    document = json.loads(fresh.body)
    assert document["openapi"] == "3.0.0"
    deployment = document["components"]["schemas"]["io.k8s.api.apps.v1.Deployment"]
    assert deployment["properties"]["spec"]["allOf"] == [
        {"$ref": "#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec"}
    ]
    get = document["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["get"]
    assert get["x-kubernetes-group-version-kind"] == {"group": "apps", "kind": "Deployment", "version": "v1"}
    assert not any("patch" in item for item in document["paths"].values())  # kubectl validates client-side
    assert _get(kube, "/openapi/v3/apis/apps/v1").headers["Cache-Control"] == "no-cache, private"
    assert _get(kube, "/openapi/v3/apis/nothing.example.com/v1").status == 404


def test_a_crd_gets_its_schemas_and_only_its_group_version_changes(kube: Kube) -> None:
    before = json.loads(_get(kube, "/openapi/v3").body)["paths"]
    kube.dynamic().resources.get(
        api_version="apiextensions.k8s.io/v1", kind="CustomResourceDefinition"
    ).create(WIDGETS)
    after = json.loads(_get(kube, "/openapi/v3").body)["paths"]
    assert set(after) - set(before) == {"apis/demo.example.com/v1"}
    assert after["apis/apps/v1"] == before["apis/apps/v1"]
    v3 = json.loads(_get(kube, after["apis/demo.example.com/v1"]["serverRelativeURL"]).body)
    widget = v3["components"]["schemas"]["com.example.demo.v1.Widget"]
    assert widget["x-kubernetes-group-version-kind"] == [
        {"group": "demo.example.com", "kind": "Widget", "version": "v1"}
    ]
    assert widget["properties"]["metadata"]["allOf"] == [
        {"$ref": "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"}
    ]
    assert widget["properties"]["spec"]["properties"]["note"] == {"type": "string", "nullable": True}
    assert "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta" in v3["components"]["schemas"]
    assert "/apis/demo.example.com/v1/namespaces/{namespace}/widgets/{name}" in v3["paths"]
    v2 = json.loads(_get(kube, "/openapi/v2").body)["definitions"]
    spec = v2["com.example.demo.v1.Widget"]["properties"]["spec"]
    assert spec["properties"]["note"] == {} and spec["required"] == ["size"]
    assert spec["properties"]["extra"] == {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
    assert v2["com.example.demo.v1.WidgetList"]["properties"]["items"]["items"] == {
        "$ref": "#/definitions/com.example.demo.v1.Widget"
    }


def test_v2_conversion_of_structural_schemas() -> None:
    schema = {
        "type": "object",
        "properties": {
            "port": {"x-kubernetes-int-or-string": True, "anyOf": [{"type": "integer"}, {"type": "string"}]},
            "tags": {"type": "array", "nullable": True, "items": {"type": "string"}},
            "free": {
                "type": "array",
                "x-kubernetes-preserve-unknown-fields": True,
                "items": {"type": "string"},
            },
        },
    }
    assert crd.to_v2(schema) == {
        "type": "object",
        "properties": {
            "port": {"x-kubernetes-int-or-string": True},
            "tags": {},
            "free": {"x-kubernetes-preserve-unknown-fields": True},
        },
    }
    assert (
        crd.definition_name("stable.example.com", "v1beta1", "CronTab")
        == "com.example.stable.v1beta1.CronTab"
    )
