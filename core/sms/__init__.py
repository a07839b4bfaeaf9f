"""SMS: a gateway chosen by settings, and one-time codes (``request.sms``).

Include with ``config.include("core.sms")`` (idempotent: core and a plugin may both
include it). ``request.sms.send_code(phone, purpose)`` issues a code, rate limited per
phone and per client address, and sends it; ``request.sms.verify(phone, purpose, code)``
checks it once. With the ``outbox`` backend the page ``/_outbox`` (route ``sms_outbox``)
lists the latest messages for the demo. See docs/sms.md.
"""
from __future__ import annotations

import logging

from core.sms.codes import CodeBook, RateLimited, parse_limits
from core.sms.gateway import (
    SmsError,
    SmsGateway,
    backend_name,
    no_gateway,
    resolve_backend,
    sms_setting,
)
from core.web.display import mask_phone

__all__ = ["RateLimited", "SmsError", "SmsGateway", "SmsService"]

log = logging.getLogger(__name__)


class SmsService:
    """The request's view of SMS: the gateway, and the codes of this centre."""

    def __init__(self, request):
        self.request = request
        registry = request.registry
        self.gateway: SmsGateway = registry.sms_factory(request)
        key = (sms_setting(registry, "code_key") or registry.settings.get("opengjj.session_secret") or "")
        self.codes = CodeBook(request.db, (key + "|" + registry.runtime.centre.name).encode("utf-8"),
                              parse_limits(sms_setting(registry, "limits.phone")),
                              parse_limits(sms_setting(registry, "limits.address")))

    def send(self, phone: str, text: str) -> None:
        """Send ``text`` now; :class:`SmsError` when the gateway refuses. Never logs the text."""
        self.gateway.send(phone, text)
        log.info("sms sent to %s via %s", mask_phone(phone), type(self.gateway).__name__)

    def send_code(self, phone: str, purpose: str, deliver: bool = True) -> None:
        """Issue a code (:class:`RateLimited` when too soon) and send it if ``deliver``.

        A request whose details match nobody still issues (and so counts) a code that is
        never sent, so the answer and the limits are the same either way.
        """
        code = self.codes.issue(phone, purpose, self.request.client_addr)
        if deliver:
            self.send(phone, self.code_text(code))

    def verify(self, phone: str, purpose: str, code: str, consume: bool = True) -> bool:
        return self.codes.verify(phone, purpose, code, consume=consume)

    def code_text(self, code: str) -> str:
        sign = sms_setting(self.request.registry, "sign") or self.request.registry.runtime.centre.title
        return f"【{sign}】您的验证码为{code}，5分钟内有效，请勿告诉他人。如非本人操作，请忽略本短信。"


def includeme(config) -> None:
    registry = config.registry
    if getattr(registry, "sms_factory", None) is not None:
        return
    name = backend_name(registry)
    registry.sms_factory = resolve_backend(name) if name else no_gateway
    if name == "http":
        from core.sms.http import from_registry

        from_registry(registry)  # a missing URL fails at start-up, not at the first code
    config.add_request_method(SmsService, "sms", reify=True)
    if name == "outbox":
        from core.sms.outbox import outbox_view
        from core.web.security import Public

        config.add_route("sms_outbox", "/_outbox", factory=Public)
        config.add_view(outbox_view, route_name="sms_outbox", renderer="core.sms:templates/outbox.pt",
                        permission="view", request_method="GET")
