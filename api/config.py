"""Settings, read once from the environment (12-factor); the README has the table."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "data" / "content.db"
DEFAULT_CURSOR_SECRET = "osce-content-api"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    database_url: str = Field(
        default=f"sqlite:///{DEFAULT_SQLITE_PATH}",
        description="sqlite:///path/to/file.db or postgresql://user:password@host:port/db",
    )
    database_replica_url: str | None = Field(
        default=None,
        description="PostgreSQL only: a streaming replica that serves reads once caught up.",
    )
    replica_max_lag_ms: int = Field(
        default=5000, ge=0, le=3_600_000, description="Past this lag reads go to the primary."
    )
    host: str = Field(default="127.0.0.1", description="Interface `serve` binds to.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port `serve` listens on.")
    workers: int = Field(default=1, ge=1, le=64, description="uvicorn worker processes.")
    log_level: Literal["critical", "error", "warning", "info", "debug"] = "info"
    access_log: bool = Field(
        default=False, description="Log every request (uvicorn; it halves the hot path)."
    )
    db_pool_size: int = Field(default=5, ge=1, le=100, description="PostgreSQL pool per worker.")
    db_statement_timeout_ms: int = Field(
        default=2000, ge=10, le=60_000, description="A query running longer fails with a 503."
    )
    statement_cache_size: int = Field(
        default=512,
        ge=16,
        le=100_000,
        description="Compiled SQL statements kept per worker (least recently used go first).",
    )
    count_cap: int = Field(
        default=1_000,
        ge=100,
        le=1_000_000,
        description="`meta.total` is exact up to this many items, flagged as a lower bound beyond.",
    )
    cache_max_age: int = Field(
        default=60, ge=0, le=86_400, description="Cache-Control max-age, in seconds."
    )
    cache_stale_while_revalidate: int = Field(
        default=300, ge=0, le=604_800, description="Cache-Control stale-while-revalidate, seconds."
    )
    response_cache_mb: int = Field(
        default=16, ge=0, le=4096, description="In-process response cache per worker (0: off)."
    )
    max_body_bytes: int = Field(
        default=65_536, ge=0, le=100_000_000, description="Larger request bodies get a 413."
    )
    rate_limit_per_minute: int = Field(
        default=0, ge=0, le=1_000_000, description="Requests a minute per client; 0: no limit."
    )
    rate_limit_burst: int = Field(
        default=0, ge=0, le=1_000_000, description="Burst size; 0: the per-minute figure."
    )
    rate_limit_storage_url: str = Field(
        default="memory://",
        pattern=r"^(memory://|rediss?://.+)$",
        description="Where rate-limit counts live: memory:// (per worker) or redis://host:port "
        "(shared by every worker and instance).",
    )
    max_header_bytes: int = Field(
        default=16_384, ge=1024, le=1_048_576, description="A larger request head gets a 431."
    )
    max_url_bytes: int = Field(
        default=8192, ge=256, le=1_048_576, description="A longer request URL gets a 414."
    )
    max_headers: int = Field(
        default=100, ge=10, le=1000, description="More request header fields get a 431."
    )
    max_query_parameters: int = Field(
        default=100, ge=10, le=10_000, description="More query parameters get a 422."
    )
    max_pipelined: int = Field(
        default=16, ge=1, le=1024, description="Requests a connection may have waiting."
    )
    max_connections: int = Field(
        default=1000, ge=1, le=100_000, description="Open connections per worker; then 503."
    )
    request_timeout_s: float = Field(
        default=10, gt=0, le=600, description="A request must arrive whole within this time."
    )
    keep_alive_s: int = Field(
        default=5, ge=1, le=600, description="An idle connection is closed after this time."
    )
    cursor_secret: str = Field(
        default=DEFAULT_CURSOR_SECRET,
        min_length=8,
        description="Key that signs paging cursors; the same on every worker behind a balancer.",
    )
    forwarded_allow_ips: str = Field(
        default="",
        description="Proxies whose X-Forwarded-* headers are trusted (comma-separated).",
    )
    surrogate_keys: bool = Field(
        default=False,
        description="Name the collection and items of each response in `Surrogate-Key`, for a "
        "cache in front that purges by key.",
    )
    proxy_purge_urls: str = Field(
        default="",
        description="`purge-proxy`: the caches in front to purge by surrogate key "
        "(comma-separated URLs, e.g. http://varnish:80).",
    )
    trusted_hosts: str = Field(
        default="localhost,127.0.0.1,[::1]",
        description="Host names the API answers for (comma-separated, `*.example.org` for "
        "subdomains, `*` for any); links are built from them only.",
    )
    website_url_pattern: str = Field(
        default="https://www.osce.org/{collection}/{slug}",
        pattern=r"^https?://[^/\s]+/.*\{slug\}",
        description="An item's page on the public website, linked from feeds, calendars and "
        "the sitemap: `{collection}` and `{slug}` are replaced.",
    )
    website_url_patterns: dict[str, str] = Field(
        default_factory=dict,
        description='Per collection, as JSON: `{"news": "https://www.osce.org/news/{slug}"}`; '
        "the others use WEBSITE_URL_PATTERN.",
    )
    media_dir: Path | None = Field(
        default=None,
        description="Where image originals and renditions are kept; data/media by default.",
    )
    max_image_bytes: int = Field(
        default=20_000_000, ge=1000, le=1_000_000_000, description="A larger image gets a 413."
    )
    max_image_pixels: int = Field(
        default=40_000_000,
        ge=10_000,
        le=80_000_000,
        description="An image of more pixels (a decompression bomb) gets a 413.",
    )
    max_concurrent_renders: int = Field(
        default=2, ge=1, le=64, description="Image renditions rendered at once per worker."
    )
    sitemap_max_urls: int = Field(
        default=50_000,
        ge=10,
        le=50_000,
        description="URLs per sitemap file; past it /sitemap.xml is an index of files.",
    )

    @field_validator("website_url_patterns")
    @classmethod
    def _item_patterns(cls, patterns: dict[str, str]) -> dict[str, str]:
        for collection, pattern in patterns.items():
            if not pattern.startswith(("http://", "https://")) or "{slug}" not in pattern:
                raise ValueError(f"{collection}: a pattern is an http(s) URL with {{slug}}")
        return patterns

    auth_failures_per_minute: int = Field(
        default=20,
        ge=1,
        le=10_000,
        description="Failed API-key authentications a client may make in a minute (then 429).",
    )
    webhook_allow_private: bool = Field(
        default=False,
        description="Let webhooks target private, loopback and link-local addresses.",
    )
    locale_fallbacks: str = Field(
        default="",
        pattern=r"^([a-z]{2}:[a-z]{2}(\|[a-z]{2})*(,[a-z]{2}:[a-z]{2}(\|[a-z]{2})*)*)?$",
        description="Fallback languages before English, per language: `it:fr,es:fr|it` "
        "(a text missing in Italian is taken in French, then English). Default: English only.",
    )

    @field_validator("database_url")
    @classmethod
    def _normalise_database_url(cls, url: str) -> str:
        """Accept the usual URL forms and pick this project's drivers for them."""
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url.removeprefix(prefix)
        if url.startswith(("sqlite:///", "postgresql+psycopg://")):
            return url
        raise ValueError(
            "DATABASE_URL must look like sqlite:///path/to/file.db or "
            "postgresql://user:password@host:port/db"
        )

    @field_validator("database_replica_url")
    @classmethod
    def _postgresql_replica(cls, url: str | None) -> str | None:
        if url and not url.startswith(("postgres://", "postgresql://")):
            raise ValueError("DATABASE_REPLICA_URL must be a postgresql:// URL")
        return url or None

    @property
    def fallbacks(self) -> dict[str, list[str]]:
        """`locale_fallbacks` as a dict: {"it": ["fr"], "es": ["fr", "it"]}."""
        pairs = (item.split(":") for item in self.locale_fallbacks.split(",") if item)
        return {lang: chain.split("|") for lang, chain in pairs}

    @property
    def media_path(self) -> Path:
        return self.media_dir or PROJECT_ROOT / "data" / "media"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
