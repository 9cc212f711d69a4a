"""Users of the console: password hashing, roles and what each role may do.

Pure logic over the Store; the console (ui/) calls it, nothing here knows about Streamlit.
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta
from functools import lru_cache

import bcrypt

from soc.errors import PermissionDenied, SocError
from soc.events import now_utc, parse_ts
from soc.incidents import AuditEntry
from soc.store.base import Store, User

ANALYST = "analyst"
ADMIN = "admin"
MANAGER = "manager"
ROLES: tuple[str, ...] = (ANALYST, ADMIN, MANAGER)

# action -> roles allowed to do it
PERMISSIONS: dict[str, frozenset[str]] = {
    "incident.view": frozenset({ANALYST, ADMIN, MANAGER}),
    "incident.triage": frozenset({ANALYST, ADMIN}),  # status, assignee, comments
    "rule.view": frozenset({ANALYST, ADMIN, MANAGER}),  # rules, their tests, backtests and runs
    "rule.edit": frozenset({ADMIN}),  # edit a rule's YAML, enable or disable it
    "source.view": frozenset({ANALYST, ADMIN, MANAGER}),  # collector sources, datasets, dead letters
    "posture.view": frozenset({ADMIN, MANAGER}),
    "user.manage": frozenset({ADMIN}),
    "audit.view": frozenset({ADMIN, MANAGER}),
    "report.view": frozenset({ANALYST, ADMIN, MANAGER}),
}

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_BYTES = 72  # bcrypt ignores (bcrypt>=5: refuses) anything longer
DEFAULT_ROUNDS = 12
LOCKOUT_FAILURES = 5
LOCKOUT_SECONDS = 15 * 60
LOCKOUT_SCAN = 1000  # audit entries read to count recent failures
LANGUAGES = ("vi", "en")
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,31}$")


class WeakPassword(SocError):
    """A new password does not meet the policy."""


class InvalidUser(SocError):
    """A username, role or language that cannot be used for an account."""


def can(role: str, action: str) -> bool:
    """Whether `role` may do `action`; unknown roles and actions are refused."""
    return role in PERMISSIONS.get(action, frozenset())


def require(user: User, action: str) -> None:
    if not user.active or not can(user.role, action):
        raise PermissionDenied(f"user '{user.username}' ({user.role}) may not do {action}")


def check_password_policy(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(f"password must have at least {MIN_PASSWORD_LENGTH} characters")
    if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        raise WeakPassword(f"password must be at most {MAX_PASSWORD_BYTES} bytes long")
    if password.strip() != password or not password.strip():
        raise WeakPassword("password must not start or end with spaces")


def hash_password(password: str, rounds: int | None = None) -> str:
    """bcrypt hash of a password that passes the policy (DEFAULT_ROUNDS unless given)."""
    check_password_policy(password)
    salt = bcrypt.gensalt(rounds or DEFAULT_ROUNDS)
    return bcrypt.hashpw(password.encode("utf-8"), salt).decode("ascii")


def verify_password(password: str, password_hash: str) -> bool:
    """True when `password` matches; a malformed hash or over-long password is a mismatch."""
    data = password.encode("utf-8")
    if len(data) > MAX_PASSWORD_BYTES:
        return False
    try:
        return bcrypt.checkpw(data, password_hash.encode("ascii"))
    except ValueError:
        return False


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return bcrypt.hashpw(secrets.token_hex(16).encode(), bcrypt.gensalt(DEFAULT_ROUNDS)).decode("ascii")


def authenticate(store: Store, username: str, password: str) -> User | None:
    """The user when the password matches and the account is active, else None.

    An unknown username still costs one bcrypt check, so timing does not tell which
    usernames exist. After LOCKOUT_FAILURES failed tries within LOCKOUT_SECONDS, a
    username is refused without checking the password until the window has passed.
    """
    name = username.strip().lower()[:64]
    if _locked(store, name):
        verify_password(password, _dummy_hash())
        store.append_audit(AuditEntry.now(name or "?", "auth.locked", None))
        return None
    user = store.get_user(name)
    if user is None:
        verify_password(password, _dummy_hash())
    ok = user is not None and verify_password(password, user.password_hash) and user.active
    action = "auth.login" if ok else "auth.login_failed"
    store.append_audit(AuditEntry.now(name or "?", action, None))
    return user if ok else None


def _locked(store: Store, name: str) -> bool:
    """Whether `name` has LOCKOUT_FAILURES failed logins since its last success, all
    within the last LOCKOUT_SECONDS (read from the most recent audit entries)."""
    since = now_utc() - timedelta(seconds=LOCKOUT_SECONDS)
    failures = 0
    for entry in store.list_audit(None, limit=LOCKOUT_SCAN):
        if entry.actor != name or parse_ts(entry.at) < since:
            continue
        if entry.action == "auth.login":
            break
        if entry.action in ("auth.login_failed", "auth.locked"):
            failures += 1
    return failures >= LOCKOUT_FAILURES


def _validate_account(username: str, role: str, language: str) -> str:
    name = username.strip().lower()
    if not _USERNAME.match(name):
        raise InvalidUser(
            f"username {username!r} must be 3-32 characters of a-z, 0-9, '.', '_', '-', starting with a letter or digit"
        )
    if role not in ROLES:
        raise InvalidUser(f"role {role!r} is not one of {', '.join(ROLES)}")
    if language not in LANGUAGES:
        raise InvalidUser(f"language {language!r} is not one of {', '.join(LANGUAGES)}")
    return name


def _add_user(
    store: Store, actor_name: str, username: str, password: str, role: str, display_name: str, language: str
) -> User:
    name = _validate_account(username, role, language)
    if store.get_user(name) is not None:
        raise InvalidUser(f"user '{name}' already exists")
    user = User(
        username=name,
        password_hash=hash_password(password),
        role=role,
        display_name=display_name.strip() or name,
        language=language,
    )
    store.save_user(user)
    store.append_audit(AuditEntry.now(actor_name, "user.create", None, username=name, role=role))
    return user


def create_user(
    store: Store,
    actor: User,
    username: str,
    password: str,
    role: str,
    display_name: str = "",
    language: str = "vi",
) -> User:
    """Create an account (admins only); the creation goes to the audit trail."""
    require(actor, "user.manage")
    return _add_user(store, actor.username, username, password, role, display_name, language)


def set_active(store: Store, actor: User, username: str, active: bool) -> User:
    """Enable or disable an account (admins only; nobody disables their own account)."""
    require(actor, "user.manage")
    user = store.get_user(username)
    if user is None:
        raise InvalidUser(f"user '{username}' does not exist")
    if user.username == actor.username and not active:
        raise InvalidUser("you cannot disable your own account")
    if user.active != active:
        user.active = active
        store.save_user(user)
        action = "user.enable" if active else "user.disable"
        store.append_audit(AuditEntry.now(actor.username, action, None, username=user.username))
    return user


def set_password(store: Store, actor: User, username: str, password: str) -> User:
    """Change a password: one's own, or anyone's for an admin."""
    if actor.username != username:
        require(actor, "user.manage")
    user = store.get_user(username)
    if user is None:
        raise InvalidUser(f"user '{username}' does not exist")
    user.password_hash = hash_password(password)
    store.save_user(user)
    store.append_audit(AuditEntry.now(actor.username, "user.password", None, username=user.username))
    return user


DEMO_USERS: tuple[tuple[str, str, str], ...] = (
    ("admin", ADMIN, "Quản trị viên"),
    ("analyst", ANALYST, "Chuyên viên phân tích"),
    ("manager", MANAGER, "Lãnh đạo"),
)


def ensure_demo_users(store: Store) -> dict[str, str]:
    """Create the demo accounts that are missing, with fresh random passwords.

    Returns {username: password} for the accounts created now (existing ones keep theirs).
    """
    created: dict[str, str] = {}
    for username, role, display in DEMO_USERS:
        if store.get_user(username) is not None:
            continue
        password = secrets.token_urlsafe(12)
        _add_user(store, "system", username, password, role, display, "vi")
        created[username] = password
    return created
