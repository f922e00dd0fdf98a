"""The one settings object: paths, base IRI and privacy switches, read from ``CLUSTERGRAPH_*`` variables."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal
from pathlib import Path

from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from clustergraph.generations import CURRENT, PERSONAL_STORE, STORE

DEFAULT_BASE_IRI = "https://w3id.org/clustergraph/"


class Settings(BaseSettings):
    """Where the inputs live, where the build goes, and what the public may see.

    Paths are relative to ``project_dir`` unless absolute, so a checkout works from its root and a
    deployment can point every path elsewhere.
    """

    model_config = SettingsConfigDict(env_prefix="CLUSTERGRAPH_")

    project_dir: Path = Path(".")
    source_file: Path = Path("data/source/eca-good-practices.txt")
    curation_dir: Path = Path("data/curation")
    ontology_dir: Path = Path("ontology")
    shapes_dir: Path = Path("shapes")
    queries_dir: Path = Path("queries")
    build_dir: Path = Path("data/build")
    base_iri: str = DEFAULT_BASE_IRI
    include_personal_data: bool = False
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str | None = None
    query_timeout: float = 10.0
    query_workers: int = 2
    max_query_bytes: int = 65_536
    max_query_depth: int = 64
    max_result_rows: int = 10_000
    result_cache_entries: int = 512
    result_cache_bytes: int = 64 * 1024 * 1024
    max_response_bytes: int = 32 * 1024 * 1024
    query_memory_mb: int = 2048
    max_queued_per_client: int = 8
    load_sources: tuple[str, ...] = ()
    update_token: SecretStr | None = None
    catalogue_file: Path = Path("data/catalogue.yaml")
    reference_dir: Path = Path("../shared/reference")
    dcat_ap_shapes_dir: Path = Path("../shared/reference/dcat-ap/3.0.1")
    eu_vocabularies_dir: Path = Path("../shared/reference/eu-vocabularies")
    nuts_file: Path = Path("../shared/reference/nuts/nuts2021.csv")
    store: str | None = None
    store_update_url: str | None = None
    store_graph_store_url: str | None = None
    store_user: str | None = None
    store_password: SecretStr | None = None
    store_auth: Literal["digest", "basic"] = "digest"
    store_timeout: float = 60.0

    @field_validator("base_iri")
    @classmethod
    def _base_iri_ends_with_separator(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")) or not value.endswith(("/", "#")):
            raise ValueError("base_iri must be an http(s) IRI ending in '/' or '#'")
        return value

    @field_validator("query_timeout", "store_timeout")
    @classmethod
    def _positive_timeout(cls, value: float) -> float:
        if value <= 0:
            raise ValueError("timeouts must be positive")
        return value

    def path(self, relative: Path) -> Path:
        """Resolve one of the path settings against ``project_dir``."""
        return relative if relative.is_absolute() else self.project_dir / relative

    @property
    def store_dir(self) -> Path:
        """The live public store: the ``store`` of the generation ``current`` points at (see ``generations``)."""
        return self.path(self.build_dir) / CURRENT / STORE

    @property
    def query_store_dir(self) -> Path:
        """The store queries run on: the public one, or the one with contacts when the operator opts in."""
        return self.path(self.build_dir) / CURRENT / (PERSONAL_STORE if self.include_personal_data else STORE)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
