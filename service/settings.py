"""The HTTP service's settings: defaults, overridden by ``BUNRUI_*`` environment variables.

Shared by the app and by `bunrui serve`, which validates its options with them and hands
them to the worker processes.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from .bundled import default_model


class Settings(BaseSettings):
    """Where the model is, where to listen, and the limits of a request.

    Every field can be set from the environment with the ``BUNRUI_`` prefix, for example
    ``BUNRUI_MODEL=models/other BUNRUI_MAX_BATCH=16``.
    """

    model_config = SettingsConfigDict(env_prefix="BUNRUI_", extra="ignore")

    model: str = Field(default_factory=default_model,
                       description="the model folder, loaded at start-up; clients can never "
                                   "choose another")
    host: str = Field("127.0.0.1", description="address to bind (loopback by default)")
    port: int = Field(8000, ge=0, le=65535)
    workers: int = Field(1, ge=1, le=64, description="uvicorn worker processes")
    # One: MeCab's parse holds the GIL, so a second thread adds no speed, only a second
    # tagger whose mapping of the 260 MB dictionary counts again in the worker's RSS.
    threads: int = Field(
        1, ge=1, le=64,
        description="threads per worker that compute suggestions; tokenizing holds Python's "
                    "GIL, so more threads add memory (a MeCab tagger each), not speed")
    max_body_bytes: int = Field(1024 * 1024, ge=1024,
                                description="larger request bodies get 413")
    max_batch: int = Field(32, ge=1, le=1000, description="documents per batch request")
    explain: int = Field(5, ge=0, le=20, description="default number of 'why' terms per label")
    taxonomy: str | None = Field(
        None, description="a bunrui.toml that checks and suggestions follow; unset: the "
                          "model card's labels are the taxonomy")
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="origins allowed to call the API from a browser (comma-separated); "
                    "empty: cross-origin requests are refused")
    admin_token: SecretStr | None = Field(
        None, description="bearer token for POST /v1/model/reload; unset: reload is disabled")
    run_dir: str | None = Field(
        None, description="a folder the worker processes share (metrics, reload signal); "
                          "`bunrui serve --workers N` sets it")

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [o.strip() for o in value.split(",") if o.strip()]
        return value

    @field_validator("admin_token", mode="before")
    @classmethod
    def _empty_token_is_none(cls, value: object) -> object:
        # BUNRUI_ADMIN_TOKEN= (empty) must not enable reload with an empty password.
        return None if isinstance(value, str) and not value.strip() else value
