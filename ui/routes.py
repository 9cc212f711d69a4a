"""Every page of the console, registered in one place with who may open it."""

from __future__ import annotations

from dataclasses import dataclass

QUEUE = "views/queue.py"
INCIDENT = "views/incident.py"
AUDIT = "views/audit.py"
USERS = "views/users.py"
POSTURE = "views/posture.py"
RULES = "views/rules.py"
RUNS = "views/runs.py"
SOURCES = "views/sources.py"


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
    Route(POSTURE, "nav.posture", ":material/monitoring:", "posture.view", "posture"),
    Route(RULES, "nav.rules", ":material/rule:", "rule.view", "rules"),
    Route(RUNS, "nav.runs", ":material/schedule:", "rule.view", "runs"),
    Route(SOURCES, "nav.sources", ":material/sensors:", "source.view", "sources"),
    Route(AUDIT, "nav.audit", ":material/history:", "audit.view", "audit"),
    Route(USERS, "nav.users", ":material/group:", "user.manage", "users"),
)


def permission(path: str) -> str:
    return next(r.permission for r in ROUTES if r.path == path)
