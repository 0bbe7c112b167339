"""Every setting the app reads from its environment, in one place.

Nothing else reads `os.environ`: code receives a `Settings` object, so tests build their own
instead of patching globals. A `.env` file at the project root is read too (`make run`
keeps the generated API key there).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=ROOT / ".env", extra="ignore")

    amicable_api_key: str = Field(default="", description="Bearer key for the admin API")
    database_url: str = f"sqlite:///{ROOT / 'var' / 'amicable.db'}"
    public_base_url: str = "http://localhost:8000"
    rasa_url: str = "http://127.0.0.1:5005"
    # The secret that signs payment events; the local provider signs its own events with it.
    stripe_webhook_secret: str = "whsec_amicable_local_provider"
    # With a key, payment links are Stripe Checkout Sessions; without, the local provider.
    stripe_api_key: str = ""
    # Where the Stripe API is reached (a stripe-mock or test server); Stripe's own by default.
    stripe_api_base: str = ""
    # Twilio (SMS, WhatsApp, voice): the token validates X-Twilio-Signature over
    # PUBLIC_BASE_URL + path, the URL Twilio was configured with.
    twilio_account_sid: str = ""
    twilio_auth_token: str = ""
    # The number texts and calls come from, Twilio's API address (a test server), and the
    # agents' line a caller is put through to on hand-over.
    twilio_from_number: str = ""
    twilio_api_base: str = "https://api.twilio.com"
    agent_phone_number: str = ""
    # An approved WhatsApp template (Twilio Content SID) inviting the debtor to reply: the only
    # message allowed more than 24 hours after they last wrote.
    whatsapp_reopen_template_sid: str = ""
    # Telegram: the bot's token, the secret Telegram echoes in X-Telegram-Bot-Api-Secret-Token,
    # the bot's @name for deep links, and where the Bot API is reached (a test server).
    telegram_bot_token: str = ""
    telegram_webhook_secret: str = ""
    telegram_bot_username: str = ""
    telegram_api_base: str = "https://api.telegram.org"
    policies_dir: Path = ROOT / "policies"
    # Trained late-payment models, one per creditor (`amicable model train`), and their reports.
    risk_models_dir: Path = ROOT / "var" / "risk-models"
    redis_url: str = ""
    # Requests larger than this are refused with 413 before they are read into memory.
    max_body_bytes: int = 1_000_000
    max_import_bytes: int = 20_000_000
    # Messages longer than this are answered by the gateway without reaching the bot.
    max_message_chars: int = 2_000
    rasa_timeout_seconds: float = 30.0
    # Sites allowed to embed the web chat (comma-separated origins, or * for any).
    cors_origins: str = "*"

    @field_validator("database_url")
    @classmethod
    def _driver(cls, value: str) -> str:
        """Accept the URLs people paste (postgres://, postgresql://) and use psycopg 3."""
        for prefix in ("postgres://", "postgresql://"):
            if value.startswith(prefix):
                return "postgresql+psycopg://" + value[len(prefix) :]
        return value


@lru_cache
def get_settings() -> Settings:
    return Settings()
