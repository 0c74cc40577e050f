"""E-mail delivery of weekly reports: off by default, Amazon SES (v2 API) when ``FITNESS_EMAIL=ses``."""

from __future__ import annotations

from abc import abstractmethod

from dagster import ConfigurableResource

from fitness_platform.errors import EmailFailed


class EmailResource(ConfigurableResource):
    """Where weekly reports are e-mailed to; ``enabled`` is False when e-mail is off."""

    link_expiry_hours: int = 72
    """How long the presigned link to the online report (S3 storage only) stays valid."""

    @property
    @abstractmethod
    def enabled(self) -> bool: ...

    @property
    @abstractmethod
    def sender(self) -> str | None: ...

    @abstractmethod
    def send_raw(self, recipients: list[str], message: bytes) -> str:
        """Send one MIME message; returns the provider's message id, raises EmailFailed."""
        ...

    def identity(self) -> dict:
        return {"email": "off"}


class NoEmailResource(EmailResource):
    """E-mail off (``FITNESS_EMAIL`` unset): nothing is ever sent."""

    @property
    def enabled(self) -> bool:
        return False

    @property
    def sender(self) -> str | None:
        return None

    def send_raw(self, recipients: list[str], message: bytes) -> str:
        raise EmailFailed("e-mail is off (set FITNESS_EMAIL=ses to send reports)")


class SesEmailResource(EmailResource):
    """Amazon SES through boto3's ``sesv2`` client, credentials from the AWS default chain.

    Throttling and transient errors are retried by botocore (standard mode, ``max_attempts``);
    what still fails raises EmailFailed with SES's error code, never the credentials."""

    from_address: str
    region_name: str | None = None
    endpoint_url: str | None = None
    configuration_set: str | None = None
    max_attempts: int = 5

    @property
    def enabled(self) -> bool:
        return True

    @property
    def sender(self) -> str | None:
        return self.from_address

    def identity(self) -> dict:
        return {"email": "ses", "email_sender": self.from_address}

    def _client(self):
        import boto3  # here: a command that sends no e-mail never imports the SDK
        from botocore.config import Config

        return boto3.client(
            "sesv2",
            region_name=self.region_name,
            endpoint_url=self.endpoint_url,
            config=Config(retries={"mode": "standard", "max_attempts": self.max_attempts}),
        )

    def send_raw(self, recipients: list[str], message: bytes) -> str:
        from botocore.exceptions import BotoCoreError, ClientError

        request = {
            "FromEmailAddress": self.from_address,
            "Destination": {"ToAddresses": recipients},
            "Content": {"Raw": {"Data": message}},
        }
        if self.configuration_set:
            request["ConfigurationSetName"] = self.configuration_set
        try:
            return self._client().send_email(**request)["MessageId"]
        except ClientError as exc:
            error = exc.response.get("Error", {})
            code, text = error.get("Code", "error"), error.get("Message", "")
            raise EmailFailed(
                f"SES refused the message ({code}{': ' + text if text else ''})"
            ) from None
        except BotoCoreError as exc:
            raise EmailFailed(f"SES could not be reached ({type(exc).__name__}: {exc})") from None
