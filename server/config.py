"""Settings, read once from options and `VOTEHALL_*` environment variables (SPEC 4.5)."""

from __future__ import annotations

from functools import lru_cache
from ipaddress import ip_network
from typing import Literal

from pydantic import SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./votehall.db"
PLACEHOLDER_SECRETS = frozenset({"changeme", "change-me", "secret", "admin", "password", "token", "test"})
MIN_SECRET_LENGTH = 24


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VOTEHALL_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    redis_url: str | None = None
    # The pub/sub channel the processes of one installation share (one per installation).
    redis_channel: str = "votehall"
    admin_token: SecretStr | None = None
    env: Literal["development", "production"] = "production"
    host: str = "127.0.0.1"
    port: int = 8000
    # The address handhelds reach the server at, for the pairing QR codes (e.g.
    # https://stemmen.example.nl); unset, the address the desk's request came in on.
    public_url: str | None = None
    hello_timeout: float = 10.0  # SPEC 4.2: a kiosk says hello within 10 s
    desk_checkins_per_minute: int = 120  # per desk token and per client address
    # Hostile input (README "Hostile input"). Request bodies: any route, and the three imports
    # (members, e-mail addresses, a meeting archive), whose files are larger.
    max_body_bytes: int = 2 * 1024 * 1024
    max_import_bytes: int = 32 * 1024 * 1024
    # Open connections per client address and process, on every route (0 turns the limit off):
    # counted on the socket for a client that connects directly, and per forwarded address for
    # requests through a trusted proxy. Handhelds behind one NAT share an address: raise it for a
    # hall with more of them. The exempt networks (comma-separated) are not counted; none by
    # default (`votehall loadtest`, which opens 10,000 kiosks from one address, exempts its own).
    max_connections_per_address: int = 1000
    connection_limit_exempt: str = ""
    # Slow and idle clients (README "Hostile input"): seconds for a request's headers to arrive
    # (from the connection or the request's first byte), for its body to arrive after them, and
    # for an idle keep-alive connection to stay open.
    header_timeout: float = 5.0
    body_timeout: float = 60.0
    keepalive_timeout: float = 5.0
    # The reverse proxies (addresses or networks, comma-separated) whose X-Forwarded-For and
    # X-Forwarded-Proto are believed; none by default, so no client can name its own address.
    trusted_proxies: str = ""
    # The kiosk socket's token bucket: messages per second, and the burst allowed above it.
    kiosk_messages_per_second: float = 5.0
    kiosk_message_burst: int = 20
    # Mailing the voting cards to the municipal secretaries (SPEC 2.2, `votehall cards send`).
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False  # upgrade a plain connection with STARTTLS (port 587)
    smtp_ssl: bool = False  # TLS from the first byte (port 465)
    smtp_from: str | None = None  # e.g. "VNG ALV <alv@vng.nl>"
    smtp_timeout: float = 30.0  # seconds per SMTP command
    # Operations (README "Operations"): a bearer token that /metrics then asks for, and the log
    # format and level of `votehall serve` (json: one object per line; debug shows every frame
    # of every socket, redacted as server/log_redaction.py says).
    metrics_token: SecretStr | None = None
    log_format: Literal["text", "json"] = "text"
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    # SQLite: how long a write waits for the database's lock held by another process (the
    # writers of one process queue among themselves, server.write_lock).
    sqlite_busy_timeout_ms: int = 10_000

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        """Accept the everyday spellings and pick the async driver the stack uses."""
        for plain, driver in (
            ("postgres://", "postgresql+asyncpg://"),
            ("postgresql://", "postgresql+asyncpg://"),
            ("sqlite://", "sqlite+aiosqlite://"),
        ):
            if value.startswith(plain):
                return driver + value[len(plain) :]
        return value

    @field_validator("connection_limit_exempt", "trusted_proxies")
    @classmethod
    def _networks(cls, value: str) -> str:
        """Addresses or networks, comma-separated: refused at start, not at the first request."""
        for part in value.split(","):
            if part.strip():
                try:
                    ip_network(part.strip(), strict=False)
                except ValueError:
                    raise ValueError(f"{part.strip()!r} is not an IP address or network") from None
        return value

    @model_validator(mode="after")
    def _refuse_placeholder_secret(self) -> Settings:
        """A guessable admin token is only acceptable on a developer's machine."""
        if self.admin_token is None or self.env == "development":
            return self
        secret = self.admin_token.get_secret_value()
        if secret.lower() in PLACEHOLDER_SECRETS or len(secret) < MIN_SECRET_LENGTH:
            raise ValueError(
                f"VOTEHALL_ADMIN_TOKEN is a placeholder or shorter than {MIN_SECRET_LENGTH} characters; "
                "use `votehall token create --role admin` or a long random value "
                "(or set VOTEHALL_ENV=development on a developer's machine)"
            )
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
