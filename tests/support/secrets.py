"""What a leaked secret looks like in a state file (the issue's list: PEM blocks, tokens, passwords,
kubeconfig client keys, storage keys), independent of the product's own redaction rules."""

from __future__ import annotations

import re

PATTERNS = {
    "PEM block": re.compile(r"-----BEGIN [A-Z ]+-----"),
    "token field": re.compile(r'"[A-Za-z_-]*token"\s*:', re.IGNORECASE),
    "password": re.compile(r"password", re.IGNORECASE),
    "kubeconfig credential": re.compile(r"client-(key|certificate)-data|certificate-authority-data"),
    "storage key": re.compile(r"AccountKey=|[A-Za-z0-9+/]{86}=="),
    "JWT": re.compile(r"eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\."),
    "kubeconfig": re.compile(r"apiVersion: v1\s+clusters:"),
}


def find_secrets(text: str) -> list[str]:
    return [name for name, pattern in PATTERNS.items() if pattern.search(text)]
