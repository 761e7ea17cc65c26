"""Address allocation: service cluster IPs, pod IPs, node IPs and fake load-balancer ingress IPs."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from .errors import KubeError


def allocate(cidr: str, used: Iterable[str], skip: int = 1) -> str:
    """The first free host address of ``cidr`` after the first ``skip`` hosts."""
    taken = set(used)
    network = ipaddress.ip_network(cidr, strict=False)
    for index, host in enumerate(network.hosts()):
        if index < skip:
            continue
        if str(host) not in taken:
            return str(host)
    raise KubeError(500, f"range {cidr} is full", "InternalError")


LOAD_BALANCER_CIDR = "20.200.0.0/16"
NODE_CIDR = "10.224.0.0/16"
