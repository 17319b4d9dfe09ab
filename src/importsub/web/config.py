"""Settings of the web service, from the environment (prefix ``IMPORTSUB_``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Service settings.

    Every field can be set as an environment variable ``IMPORTSUB_<NAME>``
    (e.g. ``IMPORTSUB_DB``, ``IMPORTSUB_SECURE_COOKIES=true``).
    """

    model_config = SettingsConfigDict(env_prefix="IMPORTSUB_", extra="ignore")

    db: str | None = Field(default=None, description="Store URL or SQLite path; default: the CLI's default store")
    secure_cookies: bool = Field(default=False, description="Mark cookies Secure (set when served behind TLS)")
    session_hours: float = Field(default=12.0, gt=0, description="Session lifetime [hours]")
    login_max_failures: int = Field(default=5, ge=1, description="Failed logins per user and IP before a pause")
    login_window_minutes: float = Field(default=5.0, gt=0, description="Window of the login rate limit [minutes]")
    default_language: str = Field(default="en", pattern="^(en|ru)$")
    default_dataset: str = Field(default="by-ru-auto", description="Dataset shown first when it exists")
    worker: bool = Field(default=True, description="Run the in-process background job worker")
    worker_poll_seconds: float = Field(default=0.5, gt=0)
    dask_scheduler: str | None = Field(
        default=None, description="Dask scheduler address (tcp://host:8786) for sweeps and Monte Carlo of jobs"
    )
    dask_workers: int = Field(
        default=0, ge=0, le=256, description="Without a scheduler: local Dask worker processes per job (0 = in-process)"
    )
    max_versions_per_hour: int = Field(
        default=30, ge=1, description="New versions a user other than an admin may write per hour through the web"
    )
    max_versions_per_organization_hour: int | None = Field(
        default=None,
        ge=1,
        description="New versions the users of one organisation may write per hour together, contributions "
        "accepted from it included (unset: only the per-user cap)",
    )
    max_open_drafts_per_organization: int | None = Field(
        default=20,
        ge=1,
        description="Drafts one organisation (a user without one: that user) may have waiting for the programme's "
        "decision, over every dataset; admins are not capped (unset: no cap)",
    )
    max_upload_mb: float = Field(default=50.0, gt=0, description="Largest upload [MB]")
    page_size: int = Field(default=50, ge=1, le=1000)
    response_cache: int = Field(
        default=512,
        ge=0,
        description="Answers of read-only routes kept per server process until the store changes (0: none)",
    )
