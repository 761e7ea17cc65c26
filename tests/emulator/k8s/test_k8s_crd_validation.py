"""Custom resources against their CRD's openAPIV3Schema, fieldValidation on every write, 422 causes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from http_kit import call
from kube_testkit import Kube, deployment
from kubernetes import client
from kubernetes.client import ApiException

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "spec": {
            "type": "object",
            "required": ["schedule"],
            "properties": {
                "schedule": {"type": "string", "pattern": "^[0-9*/ ,-]+$"},
                "mode": {"type": "string", "enum": ["full", "incremental"], "default": "full"},
                "keep": {"type": "integer", "minimum": 1, "maximum": 30},
                "port": {"x-kubernetes-int-or-string": True},
                "name": {"type": "string", "maxLength": 8},
                "targets": {"type": "array", "maxItems": 2, "items": {"type": "string"}},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "extra": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
            },
        },
        "status": {"type": "object", "properties": {"phase": {"type": "string"}}},
    },
}
CRD = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "schedules.velero.io"},
    "spec": {
        "group": "velero.io",
        "scope": "Namespaced",
        "names": {"kind": "Schedule", "plural": "schedules"},
        "versions": [{"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": SCHEMA}}],
    },
}
PATH = "/apis/velero.io/v1/namespaces/default/schedules"


def _schedule(spec: dict[str, Any], name: str = "daily", **extra: Any) -> dict[str, Any]:
    return {
        "apiVersion": "velero.io/v1",
        "kind": "Schedule",
        "metadata": {"name": name},
        "spec": spec,
        **extra,
    }


@pytest.fixture
def crd(kube: Kube) -> Kube:
    client.ApiextensionsV1Api(kube.api).create_custom_resource_definition(CRD)
    return kube


def test_valid_resources_are_pruned_and_defaulted(crd: Kube) -> None:
    body = _schedule(
        {
            "schedule": "0 1 * * *",
            "keep": 7,
            "port": "http",
            "labels": {"team": "a"},
            "extra": {"anything": {"goes": 1}},
            "typo": True,
        },
        unknownTop={"x": 1},
    )
    reply = call(crd.url, "POST", PATH, body)
    assert reply.status == 201, reply.body
    stored = reply.body
    assert "typo" not in stored["spec"] and "unknownTop" not in stored  # pruned, as the real server does
    assert stored["spec"]["mode"] == "full"  # defaulted
    assert stored["spec"]["extra"] == {"anything": {"goes": 1}}  # preserve-unknown-fields
    assert stored["spec"]["labels"] == {"team": "a"} and stored["spec"]["port"] == "http"


def test_invalid_resources_are_refused_with_every_field_named(crd: Kube) -> None:
    spec = {
        "schedule": "daily!",
        "mode": "weekly",
        "keep": 0,
        "name": "far-too-long",
        "targets": ["a", "b", "c"],
        "port": True,
    }
    reply = call(crd.url, "POST", PATH, _schedule(spec))
    assert reply.status == 422
    assert reply.body["reason"] == "Invalid"
    assert reply.body["message"].startswith('Schedule.velero.io "daily" is invalid: [')
    causes = {c["field"]: (c["reason"], c["message"]) for c in reply.body["details"]["causes"]}
    assert causes["spec.schedule"][0] == "FieldValueInvalid" and "should match" in causes["spec.schedule"][1]
    assert causes["spec.mode"] == (
        "FieldValueNotSupported",
        'Unsupported value: "weekly": supported values: "full", "incremental"',
    )
    assert "greater than or equal to 1" in causes["spec.keep"][1]
    assert causes["spec.name"][0] == "FieldValueTooLong"
    assert causes["spec.targets"][0] == "FieldValueTooMany"
    assert "integer,string" in causes["spec.port"][1]
    missing = call(crd.url, "POST", PATH, _schedule({"keep": 2}))
    assert missing.status == 422
    assert missing.body["details"]["causes"] == [
        {"reason": "FieldValueRequired", "message": "Required value", "field": "spec.schedule"}
    ]
    wrong_type = call(crd.url, "POST", PATH, _schedule({"schedule": "1 * * * *", "keep": "seven"}))
    assert wrong_type.body["details"]["causes"][0]["message"] == (
        'Invalid value: "string": spec.keep in body must be of type integer: "string"'
    )


def test_updates_are_validated_too(crd: Kube) -> None:
    assert call(crd.url, "POST", PATH, _schedule({"schedule": "0 1 * * *"})).status == 201
    patch = {"spec": {"keep": 99}}
    reply = call(crd.url, "PATCH", f"{PATH}/daily", patch, content_type="application/merge-patch+json")
    assert reply.status == 422 and reply.body["details"]["causes"][0]["field"] == "spec.keep"


def test_strict_field_validation_refuses_unknown_and_duplicate_fields(crd: Kube) -> None:
    strict = call(
        crd.url, "POST", PATH, _schedule({"schedule": "0 1 * * *", "typo": 1}), fieldValidation="Strict"
    )
    assert strict.status == 400
    assert strict.body["message"] == (
        'Schedule in version "v1" cannot be handled as a Schedule: strict decoding error: unknown field "spec.typo"'
    )
    body = deployment("web", 1)
    body["spec"]["template"]["spec"]["containers"][0]["imagePullPolcy"] = "Always"
    refused = call(
        crd.url, "POST", "/apis/apps/v1/namespaces/default/deployments", body, fieldValidation="Strict"
    )
    assert refused.status == 400
    assert 'unknown field "spec.template.spec.containers[0].imagePullPolcy"' in refused.body["message"]
    raw = b'{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "dup"}, "data": {"a": "1", "a": "2"}}'
    duplicate = call(
        crd.url, "POST", "/api/v1/namespaces/default/configmaps", raw=raw, fieldValidation="Strict"
    )
    assert duplicate.status == 400 and 'duplicate field "data.a"' in duplicate.body["message"]


def test_warn_field_validation_answers_with_warning_headers(crd: Kube) -> None:
    body = deployment("web", 1)
    body["spec"]["replicaz"] = 3
    reply = call(
        crd.url, "POST", "/apis/apps/v1/namespaces/default/deployments", body, fieldValidation="Warn"
    )
    assert reply.status == 201
    assert reply.headers["Warning"] == '299 - "unknown field \\"spec.replicaz\\""'
    ignored = call(
        crd.url, "POST", PATH, _schedule({"schedule": "0 1 * * *", "typo": 1}), fieldValidation="Ignore"
    )
    assert ignored.status == 201 and "Warning" not in ignored.headers
    assert call(crd.url, "POST", PATH, {}, fieldValidation="Loose").status == 400


def test_builtin_422_errors_carry_causes(kube: Kube) -> None:
    body = deployment("web", 1)
    body["spec"]["template"]["metadata"]["labels"] = {"app": "other"}
    with pytest.raises(ApiException) as raised:
        kube.apps.create_namespaced_deployment("default", body)
    status = json.loads(raised.value.body)
    assert raised.value.status == 422
    (cause,) = status["details"]["causes"]
    assert cause["field"] == "spec.template.metadata.labels" and cause["reason"] == "FieldValueInvalid"
