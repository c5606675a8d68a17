"""The address of a ticket's "follow your turn" page (issue 14).

The key in the address is an HMAC of the ticket id with the site's shared secret
(`hub.token`): the totem computes it offline when it prints, the hub when it stores the
ticket, and nothing public (code, id, time) lets anyone derive another ticket's key.
128 bits, base32, lowercase: 26 characters that survive a QR code and a typed URL.
"""

from __future__ import annotations

import re

from config.model import Config

KEY_RE = re.compile(r"[a-z2-7]{26}")


def follow_key(token: str, ticket_id: str) -> str:
    import base64  # here: a site without public_url never needs them (hashlib loads OpenSSL: ~3 ms)
    import hashlib
    import hmac

    digest = hmac.new(token.encode(), b"follow:" + ticket_id.encode(), hashlib.sha256).digest()[:16]
    return base64.b32encode(digest).decode().rstrip("=").lower()


def follow_url(config: Config, ticket_id: str) -> str | None:
    """The page's address as printed, or None when `hub.public_url` is not set (no QR)."""
    if not config.hub.public_url:
        return None
    return f"{config.hub.public_url}/t/{follow_key(config.hub.token, ticket_id)}"
