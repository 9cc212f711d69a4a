"""Passwords, roles and accounts against a real SQLite store."""

from __future__ import annotations

import time

import pytest

from soc import auth
from soc.errors import PermissionDenied
from soc.store.base import User


@pytest.fixture
def cheap_hashes(monkeypatch):
    """Accounts created through soc.auth hash with 4 rounds where the cost is not under test."""
    monkeypatch.setattr(auth, "DEFAULT_ROUNDS", 4)


def _user(role: str, name: str | None = None, password: str = "correct horse 1") -> User:
    return User(username=name or role, password_hash=auth.hash_password(password, rounds=4), role=role)


def test_hash_is_bcrypt_and_verifies_only_the_same_password():
    h = auth.hash_password("Mật-khẩu-đủ-dài")
    assert h.startswith(f"$2b${auth.DEFAULT_ROUNDS}$") and auth.DEFAULT_ROUNDS >= 12
    assert auth.verify_password("Mật-khẩu-đủ-dài", h)
    assert not auth.verify_password("Mật-khẩu-đủ-dàI", h)
    salted = {auth.hash_password("Mật-khẩu-đủ-dài", rounds=4) for _ in range(2)}
    assert len(salted) == 2


@pytest.mark.parametrize("bad", ["short", "123456789", " leading-space-pw", "x" * 73, "ư" * 40])
def test_password_policy_refuses_weak_or_unhashable(bad):
    with pytest.raises(auth.WeakPassword):
        auth.hash_password(bad)


def test_verify_never_raises_on_garbage():
    assert not auth.verify_password("whatever-long", "not-a-bcrypt-hash")
    assert not auth.verify_password("y" * 200, auth.hash_password("0123456789", rounds=4))


def test_permission_table():
    assert auth.can("analyst", "incident.triage") and auth.can("admin", "incident.triage")
    assert not auth.can("manager", "incident.triage")
    assert all(auth.can(r, "incident.view") and auth.can(r, "report.view") for r in auth.ROLES)
    assert [r for r in auth.ROLES if auth.can(r, "rule.edit")] == ["admin"]
    assert [r for r in auth.ROLES if auth.can(r, "user.manage")] == ["admin"]
    assert not auth.can("root", "incident.view") and not auth.can("admin", "no.such.action")


def test_authenticate_and_audit(sqlite_store):
    sqlite_store.save_user(_user("analyst", "lan"))
    assert auth.authenticate(sqlite_store, "lan", "correct horse 1").username == "lan"
    assert auth.authenticate(sqlite_store, "  LAN ", "correct horse 1").username == "lan"
    assert auth.authenticate(sqlite_store, "lan", "wrong horse 1") is None
    assert auth.authenticate(sqlite_store, "nobody", "correct horse 1") is None
    actions = [(e.actor, e.action) for e in reversed(sqlite_store.list_audit(None))]
    assert actions == [
        ("lan", "auth.login"),
        ("lan", "auth.login"),
        ("lan", "auth.login_failed"),
        ("nobody", "auth.login_failed"),
    ]
    assert all(e.incident_id is None for e in sqlite_store.list_audit(None))


def test_unknown_user_costs_a_bcrypt_check(sqlite_store):
    auth._dummy_hash()  # built once per process
    start = time.perf_counter()
    auth.authenticate(sqlite_store, "ghost", "some password")
    assert time.perf_counter() - start > 0.05  # a 12-round bcrypt, not an instant refusal


def test_repeated_failures_lock_the_username(sqlite_store):
    sqlite_store.save_user(_user("analyst", "lan"))
    sqlite_store.save_user(_user("analyst", "minh"))
    for _ in range(auth.LOCKOUT_FAILURES):
        assert auth.authenticate(sqlite_store, "lan", "guess-guess-guess") is None
    assert auth.authenticate(sqlite_store, "lan", "correct horse 1") is None  # right password, but locked
    assert sqlite_store.list_audit(None)[0].action == "auth.locked"
    assert auth.authenticate(sqlite_store, "minh", "correct horse 1") is not None  # others are not affected


def test_a_success_resets_the_failure_count(sqlite_store):
    sqlite_store.save_user(_user("analyst", "lan"))
    for _ in range(auth.LOCKOUT_FAILURES - 1):
        auth.authenticate(sqlite_store, "lan", "guess-guess-guess")
    assert auth.authenticate(sqlite_store, "lan", "correct horse 1") is not None
    for _ in range(auth.LOCKOUT_FAILURES - 1):
        auth.authenticate(sqlite_store, "lan", "guess-guess-guess")
    assert auth.authenticate(sqlite_store, "lan", "correct horse 1") is not None


def test_old_failures_do_not_lock(sqlite_store):
    from soc.incidents import AuditEntry

    sqlite_store.save_user(_user("analyst", "lan"))
    for minute in range(auth.LOCKOUT_FAILURES):
        at = f"2020-01-01T00:0{minute}:00.000Z"
        sqlite_store.append_audit(AuditEntry(at=at, actor="lan", action="auth.login_failed"))
    assert auth.authenticate(sqlite_store, "lan", "correct horse 1") is not None


def test_inactive_user_is_refused(sqlite_store):
    u = _user("analyst", "binh")
    u.active = False
    sqlite_store.save_user(u)
    assert auth.authenticate(sqlite_store, "binh", "correct horse 1") is None


def test_create_user_by_admin_is_audited(sqlite_store, cheap_hashes):
    admin = _user("admin")
    sqlite_store.save_user(admin)
    created = auth.create_user(sqlite_store, admin, "Nguyen.Van.An", "mat-khau-moi-2026", "analyst", "Nguyễn Văn An")
    assert created.username == "nguyen.van.an" and created.role == "analyst"
    stored = sqlite_store.get_user("nguyen.van.an")
    assert stored.display_name == "Nguyễn Văn An" and stored.active
    assert auth.authenticate(sqlite_store, "nguyen.van.an", "mat-khau-moi-2026") is not None
    entry = [e for e in sqlite_store.list_audit(None) if e.action == "user.create"][0]
    assert entry.actor == "admin" and entry.incident_id is None
    assert entry.detail == {"username": "nguyen.van.an", "role": "analyst"}


@pytest.mark.parametrize("role", ["analyst", "manager"])
def test_only_admins_create_users(sqlite_store, role):
    with pytest.raises(PermissionDenied):
        auth.create_user(sqlite_store, _user(role), "someone", "mat-khau-moi-2026", "analyst")
    assert sqlite_store.get_user("someone") is None


@pytest.mark.parametrize(
    "username,role,password,error",
    [
        ("a", "analyst", "mat-khau-moi-2026", auth.InvalidUser),
        ("bad name", "analyst", "mat-khau-moi-2026", auth.InvalidUser),
        ("<script>", "analyst", "mat-khau-moi-2026", auth.InvalidUser),
        ("valid", "root", "mat-khau-moi-2026", auth.InvalidUser),
        ("valid", "analyst", "short", auth.WeakPassword),
        ("admin", "analyst", "mat-khau-moi-2026", auth.InvalidUser),  # exists
    ],
)
def test_create_user_refuses_bad_accounts(sqlite_store, cheap_hashes, username, role, password, error):
    admin = _user("admin")
    sqlite_store.save_user(admin)
    with pytest.raises(error):
        auth.create_user(sqlite_store, admin, username, password, role)
    assert [u.username for u in sqlite_store.list_users()] == ["admin"]


def test_disable_and_enable(sqlite_store):
    admin = _user("admin")
    sqlite_store.save_user(admin)
    sqlite_store.save_user(_user("analyst", "lan"))
    auth.set_active(sqlite_store, admin, "lan", False)
    assert auth.authenticate(sqlite_store, "lan", "correct horse 1") is None
    auth.set_active(sqlite_store, admin, "lan", True)
    assert auth.authenticate(sqlite_store, "lan", "correct horse 1") is not None
    with pytest.raises(auth.InvalidUser):
        auth.set_active(sqlite_store, admin, "admin", False)
    assert [e.action for e in reversed(sqlite_store.list_audit(None)) if e.action.startswith("user.")] == [
        "user.disable",
        "user.enable",
    ]


def test_set_password_own_or_admin(sqlite_store, cheap_hashes):
    lan, other = _user("analyst", "lan"), _user("analyst", "minh")
    sqlite_store.save_user(lan)
    sqlite_store.save_user(other)
    auth.set_password(sqlite_store, lan, "lan", "mat-khau-thu-hai")
    assert auth.authenticate(sqlite_store, "lan", "mat-khau-thu-hai") is not None
    with pytest.raises(PermissionDenied):
        auth.set_password(sqlite_store, lan, "minh", "mat-khau-thu-ba")


def test_demo_users_are_created_once(sqlite_store, cheap_hashes):
    first = auth.ensure_demo_users(sqlite_store)
    assert sorted(first) == ["admin", "analyst", "manager"]
    for name, password in first.items():
        user = auth.authenticate(sqlite_store, name, password)
        assert user is not None and user.role == name
    assert auth.ensure_demo_users(sqlite_store) == {}
