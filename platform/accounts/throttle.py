"""Log-in throttling, for the web log-in and /api/token/ alike (docs/security.md).

Failures are counted in the cache (settings.CACHES: shared across processes in production) per
username, from any address, and per client address, for any username. Once either count reaches
its limit within HOTPATH_LOGIN_LOCKOUT_S, log-ins for that username or from that address are
refused, without checking the password, until the lock-out ends."""
from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.core.exceptions import ValidationError

from ops.net import client_ip


@dataclass(frozen=True)
class Lockout:
    scope: str  # "account" or "address"
    retry_after_s: int

    @property
    def message(self) -> str:
        minutes = max(math.ceil(self.retry_after_s / 60), 1)
        who = "this account" if self.scope == "account" else "your network address"
        return (f"Too many failed log-ins for {who}. Log-ins are locked for {minutes} more minute{'s' if minutes != 1 else ''} "
                f"(until {self.retry_after_s} seconds from now); try again then, or reset your password.")


class LoginLocked(ValidationError):
    def __init__(self, lockout: Lockout):
        super().__init__(lockout.message, code="locked")
        self.lockout = lockout


def _keys(*, username: str, ip: str) -> list[tuple[str, str, int]]:
    name = hashlib.sha256(username.strip().lower().encode("utf-8", "backslashreplace")).hexdigest()[:32]
    return [("account", f"login:user:{name}", settings.HOTPATH_LOGIN_MAX_FAILURES),
            ("address", f"login:ip:{ip}", settings.HOTPATH_LOGIN_MAX_FAILURES_PER_IP)]


def login_lockout(*, username: str, ip: str) -> Lockout | None:
    """The lock-out in force for this username or address, or None."""
    now = time.time()
    for scope, key, _ in _keys(username=username, ip=ip):
        until = cache.get(f"{key}:locked")
        if until is not None and until > now:
            return Lockout(scope=scope, retry_after_s=max(math.ceil(until - now), 1))
    return None


def login_failed(*, username: str, ip: str) -> Lockout | None:
    """Count one failure; returns the lock-out it starts, if it reaches a limit."""
    window = settings.HOTPATH_LOGIN_LOCKOUT_S
    started = None
    for scope, key, limit in _keys(username=username, ip=ip):
        cache.add(key, 0, timeout=window)  # the window starts at the first failure
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window)
            count = 1
        if count >= limit:
            cache.set(f"{key}:locked", time.time() + window, timeout=window)
            cache.delete(key)
            started = started or Lockout(scope=scope, retry_after_s=window)
    return started


def login_succeeded(*, username: str, ip: str) -> None:
    """A correct password clears the account's failures (never the address's: one valid account
    must not buy an attacker more guesses at others)."""
    scope_key = _keys(username=username, ip=ip)[0][1]
    cache.delete(scope_key)


def throttled_authenticate(*, request, username: str, password: str):
    """django.contrib.auth.authenticate behind the throttle: the user, or None for a wrong
    username or password. Raises LoginLocked (with how long) during a lock-out."""
    ip = client_ip(request)
    username = username or ""
    lockout = login_lockout(username=username, ip=ip)
    if lockout is not None:
        raise LoginLocked(lockout)
    user = authenticate(request, username=username, password=password)
    if user is None:
        lockout = login_failed(username=username, ip=ip)
        if lockout is not None:
            raise LoginLocked(lockout)
        return None
    login_succeeded(username=username, ip=ip)
    return user
