"""Bearer keys for writes: from HEADROOM_API_KEYS or a file of SHA-256 hashes, compared in constant time.

Keys are never stored in clear by the service (only their hashes) and never logged. A caller is
identified in logs and sources by `key_id`, the first 12 hex digits of its hash.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path

DEV_KEY_FILE = "dev_api_key"


class UnauthorizedError(PermissionError):
    """A write without a valid bearer key; the message says how to get one, never the key."""


@dataclass(frozen=True)
class Caller:
    """Who wrote: the id of the key used (never the key)."""

    key_id: str


def key_hash(key: str) -> str:
    """Hex SHA-256 of a key, the only form in which keys are kept."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def read_key_hashes(env_keys: str, keys_file: Path) -> list[str]:
    """Hashes of the configured keys: the clear keys of HEADROOM_API_KEYS plus the keys file's hashes."""
    hashes = [key_hash(k.strip()) for k in env_keys.split(",") if k.strip()]
    if keys_file.exists():
        for line in keys_file.read_text(encoding="utf-8").splitlines():
            # A line is `<64 hex digits>[ comment]`; anything else is ignored (e.g. '# ...').
            token = line.split("#", 1)[0].split()
            if token and len(token[0]) == 64 and all(c in "0123456789abcdef" for c in token[0].lower()):
                hashes.append(token[0].lower())
    return hashes


def authenticate(key: str | None, hashes: list[str]) -> Caller:
    """The caller presenting bearer `key` (None when the header is absent), or UnauthorizedError."""
    if not hashes:
        raise UnauthorizedError(
            "writes are closed: no API key is configured; set HEADROOM_API_KEYS or run "
            "`python -m service.security` to create a development key under HEADROOM_HOME"
        )
    if not key or not key.strip():
        raise UnauthorizedError("this endpoint needs an `Authorization: Bearer <key>` header")
    presented = key_hash(key.strip())
    # Compare with every hash, without stopping early, so timing says nothing about which matched.
    matched = False
    for known in hashes:
        matched |= hmac.compare_digest(presented, known)
    if not matched:
        raise UnauthorizedError("the bearer key is not valid")
    return Caller(key_id=presented[:12])


def create_dev_key(home: Path, keys_file: str = "api_keys.sha256") -> tuple[str, Path]:
    """A development key under `home` (created once): returns the key and the file holding it."""
    home.mkdir(parents=True, exist_ok=True)
    key_path, hashes_path = home / DEV_KEY_FILE, home / keys_file
    if key_path.exists():
        key = key_path.read_text(encoding="utf-8").strip()
    else:
        key = "hr_dev_" + secrets.token_urlsafe(32)
        key_path.touch(mode=0o600)
        key_path.write_text(key + "\n", encoding="utf-8")
    digest = key_hash(key)
    known = hashes_path.read_text(encoding="utf-8") if hashes_path.exists() else ""
    if digest not in known:
        with hashes_path.open("a", encoding="utf-8") as out:
            out.write(f"{digest} development key ({key_path.name})\n")
    return key, key_path


def main() -> None:
    """`python -m service.security`: create (once) the development key and print where it is."""
    from pipelines.config.settings import get_settings
    from service.options import get_options

    settings, options = get_settings(), get_options()
    _, path = create_dev_key(settings.home, options.keys_file)
    sys.stdout.write(
        f"development API key in {path} (use: Authorization: Bearer $(cat {path}))\n"
    )


if __name__ == "__main__":
    main()
