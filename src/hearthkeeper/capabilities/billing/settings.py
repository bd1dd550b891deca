"""The `[billing]` table of hearth.toml: which environment variables hold the payment
providers' webhook secrets (never the playbook, never the file itself)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

ENV_STRIPE_SECRET = "HEARTH_STRIPE_WEBHOOK_SECRET"
ENV_WEBHOOK_SECRET = "HEARTH_BILLING_WEBHOOK_SECRET"


class BillingTable(BaseModel):
    """`[billing]`: the names of the environment variables with the webhook secrets."""

    model_config = ConfigDict(extra="forbid")

    stripe_webhook_secret_env: str = Field(
        ENV_STRIPE_SECRET,
        description="Environment variable with Stripe's signing secret (whsec_...).",
    )
    webhook_secret_env: str = Field(
        ENV_WEBHOOK_SECRET,
        description="Environment variable with the generic webhook's HMAC secret.",
    )


@dataclass(frozen=True)
class BillingSecrets:
    """The secrets read from the environment at start; None: that webhook is off."""

    stripe: str | None = None
    webhook: str | None = None

    @classmethod
    def read(cls, table: BillingTable, env: Mapping[str, str]) -> BillingSecrets:
        return cls(stripe=env.get(table.stripe_webhook_secret_env) or None,
                   webhook=env.get(table.webhook_secret_env) or None)  # fmt: skip
