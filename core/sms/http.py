"""The HTTP backend: POST a small JSON document to the SMS provider's endpoint.

Settings: ``opengjj.sms.url`` (required), ``opengjj.sms.token`` (or the environment's
``OPENGJJ_SMS_TOKEN``; sent as ``Authorization: Bearer <token>``), ``opengjj.sms.timeout``
(seconds, default 5). The body is ``{"phone": ..., "text": ...}``; any 2xx answer is
success. The text is never logged.
"""
from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass

from core.centres import ConfigurationError
from core.sms.gateway import SmsError, sms_setting

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HttpGateway:
    url: str
    token: str | None = None
    timeout: float = 5.0

    def send(self, phone: str, text: str) -> None:
        body = json.dumps({"phone": phone, "text": text}, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            log.warning("sms gateway %s unreachable: %s", self.url, type(error).__name__)
            raise SmsError("SMS gateway unreachable") from None
        if not 200 <= status < 300:
            log.warning("sms gateway %s answered %s", self.url, status)
            raise SmsError(f"SMS gateway answered {status}")


def from_registry(registry) -> HttpGateway:
    url = sms_setting(registry, "url")
    if not url or not url.startswith(("http://", "https://")):
        raise ConfigurationError("opengjj.sms.backend = http needs opengjj.sms.url (an http(s) URL)")
    return HttpGateway(url=url, token=sms_setting(registry, "token"),
                       timeout=float(sms_setting(registry, "timeout", "5")))


def http_gateway(request) -> HttpGateway:
    return from_registry(request.registry)
