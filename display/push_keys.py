"""The hub's VAPID keys for Web Push (issue 22 point 2), made once by `totem-display push-keys`.

The private key is a PEM file beside the hub's data (`vapid-private.pem`, mode 0600, never
printed); the public key, which the follow page hands to the browser's push service, is
derived from it. Making new keys ends every subscription made with the old ones (a browser
subscribes with one public key), so `push-keys` refuses to replace them without `--force`.
"""

from __future__ import annotations

import base64
import functools
import os
from pathlib import Path
from typing import Any

from config.errors import TotemError

FILENAME = "vapid-private.pem"


class PushKeysExist(TotemError):
    """Keys are there already: replacing them would silence every open subscription."""


class PushNotInstalled(TotemError, ImportError):
    """This release was installed without the Web Push extra (pywebpush and cryptography)."""


INSTALL_HINT = ("Web Push is an optional part of Totem: set `web_push = true` under [hub] in the site file, "
                "then run `sudo systemd/install.sh` again (it adds pywebpush from PyPI), or "
                "`pip install 'totem[push]'` in a checkout")


@functools.cache
def available() -> bool:
    """Whether this release can send Web Push (the `push` extra is installed)."""
    import importlib.util

    try:
        return all(importlib.util.find_spec(name) is not None for name in ("pywebpush", "cryptography"))
    except (ImportError, ValueError):
        return False


def key_path(data_dir: Path) -> Path:
    return Path(data_dir) / FILENAME


def generate(data_dir: Path, *, force: bool = False) -> str:
    """Make the keys (mode 0600 from the first byte); the public key, base64url."""
    path = key_path(data_dir)
    if path.exists() and not force:
        raise PushKeysExist(f"{path} exists: new keys end every subscription made with it (use --force to replace)")
    if not available():
        raise PushNotInstalled(f"cannot make Web Push keys: {INSTALL_HINT}")
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    path.parent.mkdir(parents=True, exist_ok=True)
    private = ec.generate_private_key(ec.SECP256R1())
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    tmp = path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    return _public(private)


def public_key(data_dir: Path) -> str | None:
    """The public key (base64url, uncompressed point) the browsers subscribe with, or None (no keys)."""
    try:
        pem = key_path(data_dir).read_bytes()
    except FileNotFoundError:
        return None
    if not available():
        return None  # keys without the extra (a release installed before web_push was set): push stays off
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    private = serialization.load_pem_private_key(pem, password=None)
    assert isinstance(private, ec.EllipticCurvePrivateKey)
    return _public(private)


def _public(private: Any) -> str:  # an ec.EllipticCurvePrivateKey
    from cryptography.hazmat.primitives import serialization

    raw = private.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")
