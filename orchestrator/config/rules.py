"""Single-field rules shared by the model: formats Azure, AKS and Cilium enforce."""

from __future__ import annotations

import ipaddress
import re

_POOL_NAME = re.compile(r"^[a-z][a-z0-9]{0,11}$")
_CLUSTER_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$")
_DEPLOYMENT_NAME = re.compile(r"^[a-z][a-z0-9-]{1,18}[a-z0-9]$")


def check_cidr(value: str) -> str:
    try:
        net = ipaddress.IPv4Network(value, strict=True)
    except ValueError as exc:
        raise ValueError(f"{value!r} is not an IPv4 CIDR with no host bits set ({exc})") from None
    if "/" not in value:
        raise ValueError(f"{value!r} needs a prefix length, e.g. {net.network_address}/16")
    return value


def check_ip(value: str) -> str:
    try:
        ipaddress.IPv4Address(value)
    except ValueError:
        raise ValueError(f"{value!r} is not an IPv4 address") from None
    return value


def check_authorized_range(value: str) -> str:
    try:
        ipaddress.IPv4Network(value, strict=False)
    except ValueError:
        raise ValueError(f"{value!r} is not an IPv4 address or CIDR") from None
    return value


def check_pool_name(value: str) -> str:
    if not _POOL_NAME.match(value):
        raise ValueError(
            f"{value!r}: AKS pool names are 1-12 lowercase letters and digits, starting with a letter"
        )
    return value


def check_cluster_name(value: str) -> str:
    if value == "default" or not _CLUSTER_NAME.match(value):
        raise ValueError(
            f"{value!r}: cluster names are 1-32 lowercase letters, digits and '-', not starting or ending"
            " with '-' and not 'default' (Cilium Cluster Mesh rule; AKS allows a superset)"
        )
    return value


def check_deployment_name(value: str) -> str:
    if not _DEPLOYMENT_NAME.match(value):
        raise ValueError(
            f"{value!r}: deployment names are 3-20 lowercase letters, digits and '-', starting with a letter"
        )
    return value
