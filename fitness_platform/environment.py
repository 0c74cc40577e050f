"""Builds the resources from Settings: the one place that decides local versus cloud."""

from __future__ import annotations

from dagster import EnvVar, FilesystemIOManager

from fitness_platform.delivery.reporters import (
    AnthropicReporterResource,
    BedrockReporterResource,
    OfflineReporterResource,
    OpenAIReporterResource,
)
from fitness_platform.resources.email import NoEmailResource, SesEmailResource
from fitness_platform.resources.hevy_api import HevyApiResource
from fitness_platform.resources.raw_files import RawFilesResource
from fitness_platform.resources.spool import SilverSpoolResource
from fitness_platform.resources.storage import LocalStorageResource
from fitness_platform.resources.warehouse import WarehouseResource
from fitness_platform.settings import Settings


def build_resources(settings: Settings) -> dict:
    return {
        "warehouse": WarehouseResource(
            # An EnvVar keeps the URL (and any password in it) out of the UI and run config.
            database_url=EnvVar("FITNESS_DATABASE_URL") if settings.database_url else None,
            embedded_dir=str(settings.embedded_dir),
            allow_mass_delete=settings.allow_deletions,
            load_workers=settings.load_workers,
        ),
        "raw_files": build_raw_files(settings),
        "silver_spool": SilverSpoolResource(base_dir=str(settings.state_dir / "spool")),
        "storage": build_storage(settings),
        "reporter": build_reporter(settings),
        "io_manager": build_io_manager(settings),
        "hevy_api": HevyApiResource(base_url=settings.hevy_api_url),
        "email": build_email(settings),
    }


def build_io_manager(settings: Settings):
    """Where the frames passed between steps are kept: under the state folder locally (never in
    the checkout or wherever an instance happens to live), beside the outputs in S3 in
    production (the same private bucket, under ``<prefix>/dagster-io``)."""
    if settings.storage == "s3":
        from dagster_aws.s3 import S3PickleIOManager

        prefix = "/".join(p for p in (settings.s3_prefix, "dagster-io") if p)
        return S3PickleIOManager(
            s3_resource=s3_resource(settings), s3_bucket=settings.s3_bucket, s3_prefix=prefix
        )
    return FilesystemIOManager(base_dir=str(settings.io_dir))


def warehouse_for(settings: Settings) -> WarehouseResource:
    """A warehouse resource with the URL itself (for code outside Dagster, such as the CLI)."""
    return WarehouseResource(
        database_url=settings.database_url,
        embedded_dir=str(settings.embedded_dir),
        allow_mass_delete=settings.allow_deletions,
        load_workers=settings.load_workers,
    )


def s3_resource(settings: Settings):
    """S3 through dagster-aws; credentials from the AWS default chain only (never configured here).
    dagster-aws is imported only here and in the S3 branches below: half a second saved on every
    command that uses no S3."""
    from dagster_aws.s3 import S3Resource

    return S3Resource(
        region_name=settings.aws_region, endpoint_url=settings.s3_endpoint_url, max_attempts=5
    )


def split_s3_uri(uri: str) -> tuple[str, str]:
    bucket, _, prefix = uri.removeprefix("s3://").partition("/")
    return bucket, prefix.strip("/")


def build_raw_files(settings: Settings):
    if settings.raw_s3_uri:
        from fitness_platform.resources.s3 import S3RawFilesResource

        bucket, prefix = split_s3_uri(settings.raw_s3_uri)
        return S3RawFilesResource(
            s3=s3_resource(settings),
            bucket=bucket,
            prefix=prefix,
            raw_dir=str(settings.raw_dir),
            scan_cache_dir=str(settings.state_dir / "scan"),
        )
    return RawFilesResource(
        raw_dir=str(settings.raw_dir), scan_cache_dir=str(settings.state_dir / "scan")
    )


def build_storage(settings: Settings):
    if settings.storage == "s3":
        from fitness_platform.resources.s3 import S3StorageResource

        return S3StorageResource(
            s3=s3_resource(settings), bucket=settings.s3_bucket, prefix=settings.s3_prefix
        )
    return LocalStorageResource(root=str(settings.output_dir))


def build_reporter(settings: Settings):
    """The report writer FITNESS_LLM names; keys only ever come from the environment (the
    variable's name is configured, never its value) or the AWS default chain."""
    common = {
        "model_id": settings.bedrock_model_id,
        "max_tokens": settings.bedrock_max_tokens,
        "prices_file": settings.llm_prices,
        "prompt_cache": settings.llm_prompt_cache,
    }
    keys = {"api_key_env": settings.llm_api_key_env} if settings.llm_api_key_env else {}
    if settings.llm == "bedrock":
        return BedrockReporterResource(region_name=settings.aws_region, **common)
    if settings.llm == "anthropic":
        return AnthropicReporterResource(base_url=settings.anthropic_base_url, **keys, **common)
    if settings.llm == "openai":
        return OpenAIReporterResource(base_url=settings.openai_base_url, **keys, **common)
    return OfflineReporterResource()


def build_email(settings: Settings):
    """E-mail off unless ``FITNESS_EMAIL=ses``; SES credentials from the AWS default chain."""
    if settings.email == "ses":
        return SesEmailResource(
            from_address=settings.email_from,
            region_name=settings.aws_region,
            endpoint_url=settings.ses_endpoint_url,
            configuration_set=settings.ses_configuration_set,
            link_expiry_hours=settings.email_link_hours,
        )
    return NoEmailResource()
