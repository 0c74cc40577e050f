"""One place decides the environment: the variables of DESIGN.md, read when ``defs`` is built."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from fitness_platform.errors import ConfigurationError

# Early enough for any real tracker history (Strong and Hevy exports begin in the mid-2010s; older
# logs imported into them keep their dates); data before it is warned about, never silently lost.
DEFAULT_PARTITION_START = "2010-01-04"
STATE_DIR_NAME = ".fitness"
# Minutes between Hevy API syncs that a cron schedule can express evenly.
SYNC_INTERVALS = {5, 10, 15, 20, 30, 60, 120, 180, 240, 360, 720, 1440}
LLM_PROVIDERS = ("offline", "bedrock", "anthropic", "openai")
# A presigned S3 URL (SigV4) lasts at most 7 days.
MAX_LINK_HOURS = 168
EMAIL_ADDRESS = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")


@dataclass(frozen=True)
class Settings:
    state_dir: Path
    """Where local state lives (embedded database, outputs, Dagster home): ``.fitness``."""
    database_url: str | None
    embedded_dir: Path
    raw_dir: Path
    storage: str
    output_dir: Path
    s3_bucket: str | None
    s3_prefix: str
    s3_endpoint_url: str | None
    llm: str
    bedrock_model_id: str | None
    aws_region: str | None
    partition_start: str
    allow_deletions: bool
    bedrock_max_tokens: int
    load_workers: int
    raw_s3_uri: str | None
    hevy_api_url: str = "https://api.hevyapp.com"
    hevy_sync_minutes: int = 60
    anthropic_base_url: str = "https://api.anthropic.com"
    openai_base_url: str = "https://api.openai.com/v1"
    llm_api_key_env: str | None = None
    llm_prices: str | None = None
    llm_prompt_cache: bool = True
    email: str = "off"
    email_from: str | None = None
    email_link_hours: int = 72
    ses_endpoint_url: str | None = None
    ses_configuration_set: str | None = None

    @property
    def raw_location(self) -> str:
        return self.raw_s3_uri or str(self.raw_dir)

    @property
    def dagster_home(self) -> Path:
        """The persistent Dagster instance shared by ``make run``, the CLI and ``make dev``."""
        return self.state_dir / "dagster_home"

    @property
    def io_dir(self) -> Path:
        """Where Dagster's IO manager keeps the frames passed between steps (local storage)."""
        return self.state_dir / "io"

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, *, root: Path | None = None
    ) -> Settings:
        env = os.environ if environ is None else environ
        base = root or Path.cwd()

        def path(name: str, default: Path) -> Path:
            value = env.get(name)
            return Path(value).expanduser() if value else default

        state = path("FITNESS_STATE_DIR", base / STATE_DIR_NAME).absolute()

        storage = env.get("FITNESS_STORAGE", "local").strip().lower() or "local"
        if storage not in {"local", "s3"}:
            raise ConfigurationError(f"FITNESS_STORAGE must be 'local' or 's3', not {storage!r}")
        llm = env.get("FITNESS_LLM", "offline").strip().lower() or "offline"
        if llm not in LLM_PROVIDERS:
            raise ConfigurationError(
                f"FITNESS_LLM must be one of {', '.join(LLM_PROVIDERS)}, not {llm!r}"
            )
        start = env.get("FITNESS_PARTITION_START", DEFAULT_PARTITION_START)
        try:
            start_day = date.fromisoformat(start)
        except ValueError as exc:
            raise ConfigurationError(f"FITNESS_PARTITION_START is not a date: {start!r}") from exc
        if start_day.weekday() != 0:
            raise ConfigurationError(f"FITNESS_PARTITION_START must be a Monday, not {start}")
        if storage == "s3" and not env.get("FITNESS_S3_BUCKET"):
            raise ConfigurationError("FITNESS_STORAGE=s3 needs FITNESS_S3_BUCKET")
        model = (env.get("FITNESS_LLM_MODEL") or "").strip() or None
        if llm == "bedrock":
            model = model or env.get("FITNESS_BEDROCK_MODEL_ID") or None
            if not model:
                raise ConfigurationError(
                    "FITNESS_LLM=bedrock needs FITNESS_LLM_MODEL (or FITNESS_BEDROCK_MODEL_ID), a "
                    "Bedrock model or inference profile id"
                )
        elif llm in {"anthropic", "openai"} and not model:
            raise ConfigurationError(f"FITNESS_LLM={llm} needs FITNESS_LLM_MODEL, the model name")
        workers = env.get("FITNESS_LOAD_WORKERS", "0").strip() or "0"
        if not workers.isdigit() or int(workers) > 32:
            raise ConfigurationError(
                "FITNESS_LOAD_WORKERS must be a whole number from 0 (one per CPU core) to 32"
            )
        max_tokens = (
            env.get("FITNESS_LLM_MAX_TOKENS") or env.get("FITNESS_BEDROCK_MAX_TOKENS") or "4000"
        ).strip()
        if not max_tokens.isdigit() or int(max_tokens) < 100:
            raise ConfigurationError("FITNESS_LLM_MAX_TOKENS must be a whole number ≥ 100")
        for name in ("FITNESS_ANTHROPIC_BASE_URL", "FITNESS_OPENAI_BASE_URL"):
            value = env.get(name)
            if value and not value.startswith(("http://", "https://")):
                raise ConfigurationError(f"{name} must be an http(s) URL")
        key_env = (env.get("FITNESS_LLM_API_KEY_ENV") or "").strip() or None
        if key_env is not None and not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", key_env):
            raise ConfigurationError(
                "FITNESS_LLM_API_KEY_ENV must be the name of the variable holding the key "
                "(such as ANTHROPIC_API_KEY), never the key itself"
            )
        sync_minutes = (env.get("FITNESS_HEVY_SYNC_MINUTES") or "60").strip()
        if not sync_minutes.isdigit() or int(sync_minutes) not in SYNC_INTERVALS:
            raise ConfigurationError(
                "FITNESS_HEVY_SYNC_MINUTES must be one of "
                + ", ".join(str(m) for m in sorted(SYNC_INTERVALS))
                + " (minutes between Hevy API syncs)"
            )
        hevy_url = (env.get("FITNESS_HEVY_API_URL") or "https://api.hevyapp.com").strip()
        if not hevy_url.startswith(("http://", "https://")):
            raise ConfigurationError("FITNESS_HEVY_API_URL must be an http(s) URL")
        email = (env.get("FITNESS_EMAIL") or "off").strip().lower()
        if email not in {"off", "ses"}:
            raise ConfigurationError(f"FITNESS_EMAIL must be 'ses' or unset, not {email!r}")
        email_from = (env.get("FITNESS_EMAIL_FROM") or "").strip() or None
        if email == "ses" and not (email_from and EMAIL_ADDRESS.match(email_from)):
            raise ConfigurationError(
                "FITNESS_EMAIL=ses needs FITNESS_EMAIL_FROM, the sender address (an identity "
                "verified in SES), such as coach@example.com"
            )
        link_hours = (env.get("FITNESS_EMAIL_LINK_HOURS") or "72").strip()
        if not link_hours.isdigit() or not 1 <= int(link_hours) <= MAX_LINK_HOURS:
            raise ConfigurationError(
                f"FITNESS_EMAIL_LINK_HOURS must be a whole number of hours from 1 to "
                f"{MAX_LINK_HOURS} (presigned links last at most 7 days)"
            )
        raw_value = env.get("FITNESS_RAW_DIR", "")
        raw_s3 = raw_value if raw_value.startswith("s3://") else None
        return cls(
            state_dir=state,
            database_url=env.get("FITNESS_DATABASE_URL") or None,
            embedded_dir=path("FITNESS_EMBEDDED_PG_DIR", state / "pg"),
            raw_dir=state / "raw_cache"
            if raw_s3
            else path("FITNESS_RAW_DIR", base / "data" / "raw"),
            storage=storage,
            output_dir=path("FITNESS_OUTPUT_DIR", state / "out"),
            s3_bucket=env.get("FITNESS_S3_BUCKET") or None,
            s3_prefix=(env.get("FITNESS_S3_PREFIX") or "").strip("/"),
            s3_endpoint_url=env.get("FITNESS_S3_ENDPOINT_URL") or None,
            llm=llm,
            bedrock_model_id=model,
            aws_region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or None,
            partition_start=start,
            allow_deletions=env.get("FITNESS_ALLOW_MASS_DELETE", "").lower()
            in {"1", "true", "yes"},
            bedrock_max_tokens=int(max_tokens),
            load_workers=int(workers),
            raw_s3_uri=raw_s3,
            hevy_api_url=hevy_url,
            hevy_sync_minutes=int(sync_minutes),
            anthropic_base_url=env.get("FITNESS_ANTHROPIC_BASE_URL") or "https://api.anthropic.com",
            openai_base_url=env.get("FITNESS_OPENAI_BASE_URL") or "https://api.openai.com/v1",
            llm_api_key_env=key_env,
            llm_prices=env.get("FITNESS_LLM_PRICES") or None,
            llm_prompt_cache=(env.get("FITNESS_LLM_PROMPT_CACHE") or "1").strip().lower()
            not in {"0", "false", "no", "off"},
            email=email,
            email_from=email_from,
            email_link_hours=int(link_hours),
            ses_endpoint_url=env.get("FITNESS_SES_ENDPOINT_URL") or None,
            ses_configuration_set=env.get("FITNESS_SES_CONFIGURATION_SET") or None,
        )
