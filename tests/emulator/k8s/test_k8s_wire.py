"""The protobuf codec (``emulator.k8s.wire``) and the content negotiation around it."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from kube_testkit import TOKEN, Kube

from emulator.k8s import wire
from emulator.k8s.wire.schema import message_class

PROTOBUF_FIRST = "application/vnd.kubernetes.protobuf, application/json"
DEPLOYMENT: dict[str, Any] = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {
        "name": "web",
        "namespace": "shop",
        "uid": "0b6f5c1e-3f0a-4c1e-9a55-2f2b7b0c9d11",
        "resourceVersion": "42",
        "generation": 3,
        "creationTimestamp": "2026-05-01T10:20:30Z",
        "labels": {"app": "web"},
        "annotations": {"note": "x"},
        "managedFields": [
            {
                "manager": "kubectl",
                "operation": "Apply",
                "apiVersion": "apps/v1",
                "time": "2026-05-01T10:20:30Z",
                "fieldsType": "FieldsV1",
                "fieldsV1": {"f:spec": {"f:replicas": {}}},
            }
        ],
    },
    "spec": {
        "replicas": 0,
        "selector": {"matchLabels": {"app": "web"}},
        "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 1}},
        "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {
                "automountServiceAccountToken": False,
                "containers": [
                    {
                        "name": "web",
                        "image": "nginx:1.27",
                        "ports": [{"containerPort": 80, "protocol": "TCP"}],
                        "env": [
                            {"name": "MODE", "valueFrom": {"configMapKeyRef": {"name": "cfg", "key": "mode"}}}
                        ],
                        "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {"cpu": "1"}},
                        "readinessProbe": {"httpGet": {"path": "/", "port": "http"}, "periodSeconds": 5},
                        "volumeMounts": [{"name": "conf", "mountPath": "/etc/conf"}],
                    }
                ],
                "volumes": [{"name": "conf", "configMap": {"name": "cfg", "defaultMode": 420}}],
                "tolerations": [{"key": "spot", "operator": "Exists", "effect": "NoSchedule"}],
            },
        },
    },
    "status": {
        "replicas": 2,
        "conditions": [{"type": "Available", "status": "True", "lastUpdateTime": "2026-05-01T10:21:00Z"}],
    },
}


def _headers(**extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKEN}", **extra}


def test_a_deployment_round_trips_through_the_envelope() -> None:
    body = wire.encode_object(copy.deepcopy(DEPLOYMENT))
    assert body is not None and body.startswith(b"k8s\x00")
    assert wire.decode_object(body) == DEPLOYMENT


def test_field_numbers_on_the_wire_are_kubernetes_ones() -> None:
    body = wire.encode_object({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x"}})
    assert body is not None
    envelope: Any = message_class("Unknown")()
    envelope.ParseFromString(body[4:])
    assert (envelope.typeMeta.apiVersion, envelope.typeMeta.kind) == ("v1", "Namespace")
    assert envelope.raw == b"\x0a\x03\x0a\x01x"  # Namespace.metadata = 1, ObjectMeta.name = 1
    request = {
        "apiVersion": "authentication.k8s.io/v1",
        "kind": "TokenRequest",
        "spec": {"expirationSeconds": 600},
    }
    encoded = wire.encode_object(request)
    assert encoded is not None and encoded.endswith(
        b"\x12\x03\x20\xd8\x04"
    )  # spec = 2, expirationSeconds = 4


def test_decoding_drops_go_zero_values_but_keeps_pointer_zeros() -> None:
    """Go writes every non-pointer field, zero or not; its JSON leaves the omitempty ones out."""
    msg: Any = message_class("Deployment")()
    msg.metadata.name = "web"
    msg.metadata.resourceVersion = ""
    msg.spec.replicas = 0  # *int32: explicit zero
    msg.spec.paused = False  # bool, omitempty
    msg.spec.minReadySeconds = 0  # int32, omitempty
    msg.spec.template.spec.dnsPolicy = ""
    msg.spec.template.spec.automountServiceAccountToken = False  # *bool
    msg.spec.template.metadata.creationTimestamp.SetInParent()  # zero time: an empty message
    container = msg.spec.template.spec.containers.add()
    container.name = "web"
    container.ports.add().containerPort = 0  # no omitempty: kept
    envelope: Any = message_class("Unknown")()
    envelope.typeMeta.apiVersion, envelope.typeMeta.kind = "apps/v1", "Deployment"
    envelope.raw = msg.SerializeToString()
    decoded = wire.decode_object(b"k8s\x00" + envelope.SerializeToString())
    assert decoded == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {
            "replicas": 0,
            "template": {
                "metadata": {},
                "spec": {
                    "automountServiceAccountToken": False,
                    "containers": [{"name": "web", "ports": [{"containerPort": 0}]}],
                },
            },
        },
    }


def test_times_int_or_strings_and_bytes_keep_their_json_forms() -> None:
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "s", "deletionTimestamp": "2026-01-02T03:04:05Z"},
        "data": {"password": "czNjcmV0", "empty": ""},
        "type": "Opaque",
    }
    body = wire.encode_object(copy.deepcopy(secret))
    assert body is not None and wire.decode_object(body) == secret
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "a"}}
    service["spec"] = {"ports": [{"port": 80, "targetPort": 8080}, {"port": 443, "targetPort": "https"}]}
    body = wire.encode_object(copy.deepcopy(service))
    assert body is not None and wire.decode_object(body) == service


def test_an_object_with_a_field_the_tables_lack_is_not_encoded() -> None:
    odd = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "surprise": 1}
    assert wire.encode_object(odd) is None
    assert wire.encode_object({"apiVersion": "v1", "kind": "ConfigMapList", "items": []}) is None
    assert wire.encode_object({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass"}) is None


def test_a_protobuf_create_is_stored_and_answered_in_protobuf(kube: Kube) -> None:
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "pb"}, "data": {"k": "v"}}
    body = wire.encode_object(cm)
    assert body is not None
    headers = _headers(**{"Content-Type": wire.MEDIA_TYPE, "Accept": PROTOBUF_FIRST})
    reply = kube.cluster.handle("POST", "/api/v1/namespaces/default/configmaps", {}, headers, body)
    assert reply.status == 201 and reply.headers["Content-Type"] == wire.MEDIA_TYPE
    created = wire.decode_object(reply.body)
    assert created["data"] == {"k": "v"} and created["metadata"]["uid"]
    assert kube.core.read_namespaced_config_map("pb", "default").data == {"k": "v"}


def test_lists_and_unmapped_kinds_fall_back_to_json_or_406(kube: Kube) -> None:
    path = "/api/v1/namespaces/default/configmaps"
    listed = kube.cluster.handle("GET", path, {}, _headers(Accept=PROTOBUF_FIRST), b"")
    assert listed.status == 200 and listed.headers["Content-Type"] == "application/json"
    assert json.loads(listed.body)["kind"] == "ConfigMapList"
    only = kube.cluster.handle("GET", path, {}, _headers(Accept=wire.MEDIA_TYPE), b"")
    assert only.status == 406 and json.loads(only.body)["reason"] == "NotAcceptable"
    error = kube.cluster.handle("GET", path + "/nope", {}, _headers(Accept=PROTOBUF_FIRST), b"")
    assert error.status == 404 and error.headers["Content-Type"] == wire.MEDIA_TYPE
    assert wire.decode_object(error.body)["message"] == 'configmaps "nope" not found'


def test_a_body_that_cannot_be_decoded_gets_a_clear_status(kube: Kube) -> None:
    storage_class = message_class("Unknown")()
    storage_class.typeMeta.apiVersion, storage_class.typeMeta.kind = "storage.k8s.io/v1", "StorageClass"  # type: ignore[attr-defined]
    body = b"k8s\x00" + storage_class.SerializeToString()
    headers = _headers(**{"Content-Type": wire.MEDIA_TYPE})
    refused = kube.cluster.handle("POST", "/apis/storage.k8s.io/v1/storageclasses", {}, headers, body)
    assert refused.status == 415
    status = json.loads(refused.body)
    assert status["reason"] == "UnsupportedMediaType"
    assert (
        "cannot decode storage.k8s.io/v1 StorageClass from application/vnd.kubernetes.protobuf"
        in status["message"]
    )
    garbage = kube.cluster.handle("POST", "/api/v1/namespaces", {}, headers, b"\xff\xfe not protobuf")
    assert garbage.status == 400 and "protobuf magic" in json.loads(garbage.body)["message"]
    cbor = kube.cluster.handle(
        "POST", "/api/v1/namespaces", {}, _headers(**{"Content-Type": "application/cbor"}), b"\xa0"
    )
    assert cbor.status == 415 and "unknown format (application/cbor)" in json.loads(cbor.body)["message"]


@pytest.mark.parametrize(
    "kind", ["Namespace", "ServiceAccount", "Job", "Role", "PodDisruptionBudget", "Eviction"]
)
def test_every_kind_the_clients_write_has_a_message(kind: str) -> None:
    api = {"Job": "batch/v1", "Role": "rbac.authorization.k8s.io/v1"}.get(kind, "v1")
    api = "policy/v1" if kind in ("PodDisruptionBudget", "Eviction") else api
    body = wire.encode_object({"apiVersion": api, "kind": kind, "metadata": {"name": "n"}})
    assert body is not None
    assert wire.decode_object(body) == {"apiVersion": api, "kind": kind, "metadata": {"name": "n"}}
