"""Notifications of high and critical incidents: webhook and e-mail (see docs/notify.md).

`dispatch_from(settings, store)` is the hook to hand to `detection.engine.run_once(notify=...)`
or `ServeContext(notify=...)`; it is None when no notifier is configured.
"""

from __future__ import annotations

from detection.notify.base import Dispatch, Notifier, NotifyError, decide
from detection.notify.email import EmailNotifier
from detection.notify.webhook import WebhookNotifier
from soc.config import Settings
from soc.store.base import Store

__all__ = ["Dispatch", "EmailNotifier", "Notifier", "NotifyError", "WebhookNotifier", "decide",
           "dispatch_from", "notifiers_from"]


def notifiers_from(settings: Settings) -> list[Notifier]:
    """One notifier per configured channel: the webhook (`notify.webhook_url`) and e-mail (`notify.smtp_host`)."""
    n = settings.notify
    out: list[Notifier] = []
    if n.webhook_url:
        out.append(WebhookNotifier(url=n.webhook_url, secret=n.webhook_secret, console_url=n.console_url,
                                   timeout_seconds=n.timeout_seconds))
    if n.smtp_host and n.smtp_from and n.smtp_to:
        out.append(EmailNotifier(host=n.smtp_host, port=n.smtp_port, sender=n.smtp_from, recipients=n.smtp_to,
                                 starttls=n.smtp_starttls, username=n.smtp_username, password=n.smtp_password,
                                 timeout_seconds=n.timeout_seconds, tz=settings.timezone, console_url=n.console_url))
    return out


def dispatch_from(settings: Settings, store: Store) -> Dispatch | None:
    """The notify hook for detection runs on `store`, or None when nothing is configured."""
    notifiers = notifiers_from(settings)
    if not notifiers:
        return None
    return Dispatch(store=store, notifiers=notifiers, min_severity=settings.notify.min_severity,
                    attempts=settings.notify.attempts)
