"""The Cilium CA every cluster of the mesh shares (`cilium-ca` in kube-system).

Generated once, on the first cluster (aks-mgmt), only when that cluster has none: otherwise its
certificate and key are read back and reused, so a re-run generates nothing and writes nothing. The
other clusters get a copy before Cilium is installed there, so certgen signs every cluster's Hubble
and clustermesh certificates with the same CA (mTLS between clusters needs that).

The key exists in this process only: the broker (`ctx.secrets`) holds the pair as one `Secret`
(certificate PEM + key PEM), read from the first cluster in a process that did not generate it. The
Secret objects are written by `KubeObjectStep`, whose `data` is compared by content hash and shown as
`(sensitive)`; nothing of the key reaches the state file, the plan, a log or the JSON output.
"""

from __future__ import annotations

import base64
import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from orchestrator.engine.graph import StepId
from orchestrator.engine.secrets import SecretKey
from orchestrator.engine.step import Document
from orchestrator.errors import NotFound
from orchestrator.kube.errors import call_kube
from orchestrator.secret import Secret
from steps.kube import KubeObjectStep

if TYPE_CHECKING:
    from orchestrator.engine.context import StepContext

NAMESPACE = "kube-system"
NAME = "cilium-ca"
CERT, KEY = "ca.crt", "ca.key"
COMMON_NAME = "Cilium CA"  # what Cilium's own certgen writes, so `cilium` CLI tooling recognises it
VALIDITY_DAYS = 3 * 365
_END_CERT = "-----END CERTIFICATE-----\n"


def new_ca() -> Secret[str]:
    """A self-signed CA (ECDSA P-256) as one Secret: certificate PEM followed by key PEM."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, COMMON_NAME)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=VALIDITY_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    pem_cert = cert.public_bytes(serialization.Encoding.PEM).decode()
    pem_key = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return Secret(pem_cert + pem_key)


def split(bundle: Secret[str]) -> tuple[Secret[str], Secret[str]]:
    """(certificate PEM, key PEM), each still a Secret."""
    text = bundle.reveal()
    cut = text.index(_END_CERT) + len(_END_CERT)
    return Secret(text[:cut]), Secret(text[cut:])


@dataclass(frozen=True)
class CaSecretSource:
    """The CA pair as the first cluster holds it (`cilium-ca` in kube-system)."""

    cluster: str

    def describe(self) -> str:
        return f"Secret {NAMESPACE}/{NAME} on {self.cluster}"

    def obtain(self, ctx: StepContext) -> Secret[str] | None:
        from kubernetes import client

        core = client.CoreV1Api(ctx.kube().api(self.cluster))
        try:
            found = call_kube(lambda: core.read_namespaced_secret(NAME, NAMESPACE))
        except NotFound:
            return None
        data = found.data or {}
        if CERT not in data or KEY not in data:
            return None
        return Secret(base64.b64decode(data[CERT]).decode() + base64.b64decode(data[KEY]).decode())


@dataclass(frozen=True)
class CaPartSource:
    """One half of the pair, from the pair in the broker (which reads it from the first cluster)."""

    pair: SecretKey[str]
    part: str  # CERT or KEY

    def describe(self) -> str:
        return f"{self.part} of {self.pair.source.describe()}"

    def obtain(self, ctx: StepContext) -> Secret[str] | None:
        cert, key = split(ctx.secrets.get(self.pair, ctx))
        return cert if self.part == CERT else key


@dataclass(frozen=True)
class CaKeys:
    """The broker keys of the shared CA whose home is `first` (the first cluster of the config)."""

    first: str

    @property
    def pair(self) -> SecretKey[str]:
        return SecretKey("cilium-ca", CaSecretSource(self.first))

    def part(self, name: str) -> SecretKey[str]:
        return SecretKey(f"cilium-ca/{name}", CaPartSource(self.pair, name))


def manifest(keys: CaKeys) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": NAME, "namespace": NAMESPACE},
        "type": "Opaque",
        "stringData": {CERT: keys.part(CERT), KEY: keys.part(KEY)},
    }


class CaSecretStep(KubeObjectStep):
    """`cilium-ca` on one cluster. On the first cluster it generates the pair when none exists."""

    def __init__(
        self, step_id: StepId, *, cluster: str, keys: CaKeys, depends_on: tuple[StepId, ...] = ()
    ) -> None:
        super().__init__(step_id, phase=3, cluster=cluster, manifest=manifest(keys), depends_on=depends_on)
        self.keys = keys

    def desired(self, ctx: StepContext) -> Document:
        if self.cluster == self.keys.first:
            ctx.secrets.get(self.keys.pair, ctx, generate=new_ca)  # read back, or made once, here only
        return super().desired(ctx)


def fingerprint(cert_pem: str) -> str:
    """SHA-256 of the CA certificate (public), as `openssl x509 -fingerprint -sha256` prints it."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    digest = x509.load_pem_x509_certificate(cert_pem.encode()).fingerprint(hashes.SHA256())
    return ":".join(f"{b:02X}" for b in digest)
