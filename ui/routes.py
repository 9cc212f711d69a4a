"""Every page of the console, registered in one place with who may open it."""

from __future__ import annotations

from dataclasses import dataclass

QUEUE = "views/queue.py"
INCIDENT = "views/incident.py"
AUDIT = "views/audit.py"
USERS = "views/users.py"


@dataclass(frozen=True)
class Route:
    path: str  # relative to ui/app.py
    title_key: str
    icon: str
    permission: str
    url_path: str


ROUTES: tuple[Route, ...] = (
    Route(QUEUE, "nav.queue", ":material/inbox:", "incident.view", "queue"),
    Route(INCIDENT, "nav.incident", ":material/policy:", "incident.view", "incident"),
    Route(AUDIT, "nav.audit", ":material/history:", "audit.view", "audit"),
    Route(USERS, "nav.users", ":material/group:", "user.manage", "users"),
)


def permission(path: str) -> str:
    return next(r.permission for r in ROUTES if r.path == path)
