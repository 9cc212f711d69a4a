"""Every page of the console, registered in one place with who may open it."""

from __future__ import annotations

from dataclasses import dataclass

QUEUE = "pages/queue.py"
INCIDENT = "pages/incident.py"
AUDIT = "pages/audit.py"
USERS = "pages/users.py"


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
