"""The keyword and pattern redaction, the second line of defence behind the Secret type.

Each case is a credential in the shape it really takes (a kubeconfig, an Argo CD cluster secret, a
SAS URL, a Key Vault secret bundle, an HTTP header), as it could reach the state file or JSON output
through an error message or an output by mistake."""

from __future__ import annotations

import base64
import datetime
import io
import json

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from orchestrator.output import emit_json
from state.redact import REDACTED, is_secret_key, looks_secret, redact, scrub

JWT = (
    "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJpc3MiOiJrdWJlcm5ldGVzL3NlcnZpY2VhY2NvdW50Iiwic3ViIjoiYXJnbyJ9"
    ".c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU"
)


@pytest.fixture(scope="module")
def ca() -> tuple[bytes, bytes]:
    """A CA certificate and its private key (DER), as AKS puts them in a kubeconfig."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ca")])
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    der_key = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return cert.public_bytes(serialization.Encoding.DER), der_key


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _pem(der: bytes, label: str) -> bytes:
    body = "\n".join(_b64(der)[i : i + 64] for i in range(0, len(_b64(der)), 64))
    return f"-----BEGIN {label}-----\n{body}\n-----END {label}-----\n".encode()


def test_certificate_authority_data_is_redacted_by_key_and_by_content(ca: tuple[bytes, bytes]) -> None:
    cert, _ = ca
    pem_b64 = _b64(_pem(cert, "CERTIFICATE"))  # what a kubeconfig holds
    assert redact({"certificate-authority-data": pem_b64}) == {"certificate-authority-data": REDACTED}
    assert redact({"caData": pem_b64, "certData": "x", "keyData": "y"}) == dict.fromkeys(
        ("caData", "certData", "keyData"), REDACTED
    )
    # Under an innocent key, or inside a message, the blob is recognised by what it decodes to.
    for blob in (pem_b64, _b64(cert)):
        assert redact({"ca": blob}) == {"ca": REDACTED}
        assert (
            scrub(f"TLS handshake failed for CA {blob} (expired)")
            == f"TLS handshake failed for CA {REDACTED} (expired)"
        )


def test_base64_private_keys_and_kubeconfigs_are_redacted(ca: tuple[bytes, bytes]) -> None:
    _, key = ca
    kubeconfig = b"apiVersion: v1\nkind: Config\nclusters:\n- cluster: {server: https://x}\n"
    for blob in (_b64(key), _b64(_pem(key, "PRIVATE KEY")), _b64(kubeconfig)):
        assert looks_secret(blob), blob[:20]
    credential_result = {"kubeconfigs": [{"name": "clusterAdmin", "value": _b64(kubeconfig)}]}
    assert redact(credential_result) == {"kubeconfigs": [{"name": "clusterAdmin", "value": REDACTED}]}


def test_other_base64_and_ids_are_kept() -> None:
    kept = [
        _b64(b"just some configuration text that is long enough to look like a blob"),
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Authorization/roleAssignments/x",
        "sha256:" + "ab" * 32,
        "aks-demo-aks-mgmt-1a2b3c4d.hcp.koreacentral.azmk8s.io",
    ]
    assert [redact(v) for v in kept] == kept


def test_a_bearer_token_inside_a_json_string_is_redacted_and_the_rest_kept() -> None:
    config = json.dumps(
        {"bearerToken": JWT, "tlsClientConfig": {"insecure": False, "caData": "LS0tLS1CRUdJTi"}}
    )
    argocd_cluster_secret = {"name": "aks-app1", "server": "https://app1:443", "config": config}
    out = redact(argocd_cluster_secret)
    assert json.loads(out["config"]) == {
        "bearerToken": REDACTED,
        "tlsClientConfig": {"insecure": False, "caData": REDACTED},
    }
    assert out["server"] == "https://app1:443" and JWT not in json.dumps(out)
    assert redact('{"kept": "as it was"}') == '{"kept": "as it was"}'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"Authorization: Bearer {JWT}", f"Authorization: Bearer {REDACTED}"),
        ("authorization: Bearer sk-live-abcdefgh12345678", f"authorization: Bearer {REDACTED}"),
        (
            'headers={"Authorization": "Basic dXNlcjpwYXNzd29yZA=="}',
            f'headers={{"Authorization": "Basic {REDACTED}"}}',
        ),
        (
            "request failed with bearer abcdEFGH1234ijkl.mnop: 401",
            f"request failed with bearer {REDACTED}: 401",
        ),
        (f"token {JWT} expired", f"token {REDACTED} expired"),
    ],
)
def test_authorization_headers_bearer_tokens_and_jwts_are_redacted_where_they_stand(
    text: str, expected: str
) -> None:
    assert redact(text) == expected


def test_sas_urls_lose_their_signature_only() -> None:
    sas = (
        "https://velerobackups.blob.core.windows.net/velero?sv=2022-11-02&ss=b&srt=co&sp=rwdlac"
        "&se=2026-12-31T00:00:00Z&st=2026-01-01T00:00:00Z&spr=https&sig=pX8%2Bq1Yv%2FzK3j0aZb%3D"
    )
    out = redact({"backup_location": sas})["backup_location"]
    assert out.endswith(f"&sig={REDACTED}") and "pX8" not in out and "sv=2022-11-02" in out
    assert redact("a short sig=abc") == f"a short sig={REDACTED}"


def test_key_vault_secret_values_are_redacted() -> None:
    bundle = {
        "value": "p4ss-from-key-vault",
        "id": "https://kv-aks-demo.vault.azure.net/secrets/db-password/4387e9f3d6e14c459867679a90fd0f79",
        "attributes": {"enabled": True},
    }
    assert redact(bundle) == {**bundle, "value": REDACTED}
    arm = {
        "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv/secrets/db",
        "type": "Microsoft.KeyVault/vaults/secrets",
        "properties": {"value": "p4ss-from-key-vault", "contentType": "text/plain"},
    }
    assert redact(arm)["properties"] == {"value": REDACTED, "contentType": "text/plain"}
    assert redact({"name": "replicas", "value": "3"}) == {"name": "replicas", "value": "3"}


@pytest.mark.parametrize(
    "key",
    [
        "password",
        "adminPassword",
        "clientSecret",
        "client_secret",
        "bearerToken",
        "Authorization",
        "certificate-authority-data",
        "caData",
        "tls.key",
        "storage_account_key",
    ],
)
def test_secret_keys(key: str) -> None:
    assert is_secret_key(key) and redact({key: "v"}) == {key: REDACTED}


@pytest.mark.parametrize(
    "key", ["authorizedIpRanges", "password_length", "client_id", "ca_bundle_configmap", "data", "value"]
)
def test_keys_that_only_mention_a_secret_are_kept(key: str) -> None:
    assert not is_secret_key(key)


def test_redaction_is_idempotent() -> None:
    text = f"Authorization: Bearer {JWT} sig=abcdefghijabcdefghij AccountKey=abc=="
    once = scrub(text)
    assert scrub(once) == once and JWT not in once and "AccountKey" not in once


def test_the_json_output_redacts_a_credential_quoted_in_an_error() -> None:
    stream = io.StringIO()
    error = f"(AuthenticationFailed) Server failed to authenticate the request: Authorization: Bearer {JWT}"
    emit_json(stream, {"command": "run", "phases": [{"steps": [{"id": "p6/blob", "error": error}]}]})
    printed = json.loads(stream.getvalue())
    assert JWT not in stream.getvalue()
    assert printed["phases"][0]["steps"][0]["error"].endswith(f"Authorization: Bearer {REDACTED}")
