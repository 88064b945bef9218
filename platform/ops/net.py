"""The client's address, as far as the site can trust it."""
from __future__ import annotations

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    """REMOTE_ADDR, or with HOTPATH_TRUSTED_PROXIES = N the address N hops back in
    X-Forwarded-For (what the nearest trusted proxy saw): a client can prepend anything there,
    but not what the proxies append."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    hops = settings.HOTPATH_TRUSTED_PROXIES
    if hops > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= hops:
            remote = forwarded[-hops]
    try:
        return str(ipaddress.ip_address(remote))
    except ValueError:
        return "unknown"


def ip_allowed(ip: str, networks: list[str]) -> bool:
    """Whether `ip` lies in one of `networks` (addresses or CIDR blocks; bad entries never match)."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    for network in networks:
        try:
            if address in ipaddress.ip_network(network.strip(), strict=False):
                return True
        except ValueError:
            continue
    return False
