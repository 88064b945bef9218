"""Log-in throttling (accounts.throttle) on the web log-in, /api/token/ and /admin/login/: 40 wrong
log-ins in a row are stopped at the limit, with a message saying how long, while other accounts
and other addresses still log in."""
import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts import throttle
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's
ATTACKER, OFFICE = "203.0.113.7", "198.51.100.20"


@pytest.fixture(autouse=True)
def limits(settings):
    settings.HOTPATH_LOGIN_MAX_FAILURES = 5
    settings.HOTPATH_LOGIN_MAX_FAILURES_PER_IP = 20
    settings.HOTPATH_LOGIN_LOCKOUT_S = 900
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # 40 log-ins a test: PBKDF2 would take minutes


def web_login(username, password, ip, **extra):
    return Client().post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip, **extra)


def token_login(username, password, ip, **extra):
    return APIClient().post("/api/token/", {"username": username, "password": password}, format="json", REMOTE_ADDR=ip, **extra)


def _locked(response) -> bool:
    return response.status_code == 429 and "Too many failed log-ins" in response.content.decode()


def test_web_login_locks_the_account_after_five_failures_of_forty():
    victim, other = UserFactory(), UserFactory()
    responses = [web_login(victim.username, f"guess-{n}", ATTACKER) for n in range(40)]
    assert [r.status_code for r in responses[:4]] == [200] * 4
    assert "Please enter a correct username and password" in responses[0].content.decode()
    assert all(_locked(r) for r in responses[4:]), [r.status_code for r in responses]
    assert "locked for 15 more minutes" in responses[-1].content.decode()
    # the account is locked from every address, even with its password (the lock-out checks no password) ...
    assert _locked(web_login(victim.username, PASSWORD, OFFICE))
    assert _locked(web_login(victim.username.upper(), PASSWORD, OFFICE))  # usernames count case-insensitively
    # ... while another account logs in, from the attacker's address too (5 failures < 20 per address)
    assert web_login(other.username, PASSWORD, OFFICE).status_code == 302
    assert web_login(other.username, PASSWORD, ATTACKER).status_code == 302


def test_web_login_locks_the_address_after_twenty_failures_over_many_usernames():
    real = UserFactory()
    responses = [web_login(f"nobody{n}", "guess", ATTACKER) for n in range(40)]
    assert [r.status_code for r in responses[:19]] == [200] * 19
    assert all(_locked(r) for r in responses[19:])
    assert "your network address" in responses[-1].content.decode()
    assert _locked(web_login(real.username, PASSWORD, ATTACKER))  # no password is checked from a locked address
    assert web_login(real.username, PASSWORD, OFFICE).status_code == 302


def test_token_endpoint_locks_after_five_failures_of_forty_with_retry_after():
    victim, other = UserFactory(), UserFactory()
    responses = [token_login(victim.username, f"guess-{n}", ATTACKER) for n in range(40)]
    assert [r.status_code for r in responses[:4]] == [400] * 4
    assert all(r.status_code == 429 for r in responses[4:]), [r.status_code for r in responses]
    last = responses[-1]
    assert "Too many failed log-ins for this account" in last.json()["detail"] and "15 more minutes" in last.json()["detail"]
    assert 0 < int(last["Retry-After"]) <= 900
    assert token_login(victim.username, PASSWORD, OFFICE).status_code == 429
    granted = token_login(other.username, PASSWORD, OFFICE)
    assert granted.status_code == 200 and granted.json()["token"]


def test_token_endpoint_locks_the_address_and_forged_forwarded_for_headers_do_not_help():
    real = UserFactory()
    responses = [token_login(f"nobody{n}", "guess", ATTACKER, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}") for n in range(40)]
    assert all(r.status_code == 429 for r in responses[19:])
    assert token_login(real.username, PASSWORD, ATTACKER, HTTP_X_FORWARDED_FOR="10.9.9.9").status_code == 429
    assert token_login(real.username, PASSWORD, OFFICE).status_code == 200


def test_behind_a_trusted_proxy_the_address_it_saw_counts(settings):
    settings.HOTPATH_TRUSTED_PROXIES = 1
    proxy = "10.0.0.1"
    for n in range(20):
        token_login(f"nobody{n}", "guess", proxy, HTTP_X_FORWARDED_FOR=f"1.2.3.4, {ATTACKER}")
    real = UserFactory()
    assert token_login(real.username, PASSWORD, proxy, HTTP_X_FORWARDED_FOR=ATTACKER).status_code == 429
    assert token_login(real.username, PASSWORD, proxy, HTTP_X_FORWARDED_FOR=OFFICE).status_code == 200


def test_the_lock_out_ends_and_a_success_clears_the_account_count(monkeypatch):
    victim = UserFactory()
    for n in range(5):
        web_login(victim.username, "guess", ATTACKER)
    assert _locked(web_login(victim.username, PASSWORD, ATTACKER))
    clock = throttle.time.time() + 901
    monkeypatch.setattr(throttle.time, "time", lambda: clock)
    assert web_login(victim.username, PASSWORD, ATTACKER).status_code == 302
    for n in range(4):  # a success cleared the account's failures: four more do not lock it
        web_login(victim.username, "guess", ATTACKER)
    assert web_login(victim.username, PASSWORD, ATTACKER).status_code == 302


def test_admin_login_is_throttled_too():
    staff = UserFactory(is_staff=True)
    responses = [Client().post("/admin/login/", {"username": staff.username, "password": "guess"}, REMOTE_ADDR=ATTACKER)
                 for _ in range(8)]
    assert "Too many failed log-ins" in responses[-1].content.decode()
    assert Client().post("/admin/login/?next=/admin/", {"username": staff.username, "password": PASSWORD},
                         REMOTE_ADDR=OFFICE).status_code == 200  # refused (locked), the form shown again
