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
    # The embedded demo (`make run`): the local pay provider, console senders, SQLite. Every page
    # it affects says so; without it, start-up refuses settings that production lacks.
    amicable_demo: bool = False
    # The action server's own key: it opens only the conversation routes, and an account only
    # through a conversation whose identity check passed there.
    amicable_actions_key: str = ""
    # Signs what debtors carry (link tokens, web-chat conversation ids); never the API key.
    amicable_link_secret: str = ""
    database_url: str = f"sqlite:///{ROOT / 'var' / 'amicable.db'}"
    public_base_url: str = "http://localhost:8000"
    # One Rasa server, or several separated by commas (`make run-scaled`): each conversation
    # goes to one of them, the next when that one cannot be reached (they share the tracker
    # and lock stores, so any can go on with any conversation). `rasa_urls` reads it.
    rasa_url: str = "http://127.0.0.1:5005"
    # The secret Stripe signs payment events with (its webhook endpoint's whsec_...).
    stripe_webhook_secret: str = ""
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
    # Email: where it is sent (smtp://user:pass@host:587 upgrades with STARTTLS; smtps:// is TLS
    # from the start), who it is from, and the secret inbound replies are posted with.
    smtp_url: str = ""
    email_from: str = ""
    email_inbound_secret: str = ""
    # Where the embedded demo's mail server keeps what it receives (`make run`, /mailbox).
    mailbox_dir: Path = ROOT / "var" / "mailbox"
    policies_dir: Path = ROOT / "policies"
    # Trained late-payment models, one per creditor (`amicable model train`), and their reports.
    risk_models_dir: Path = ROOT / "var" / "risk-models"
    redis_url: str = ""
    # Throttles by rule name (amicable/ratelimit.py), e.g. RATE_LIMITS='{"webhook-source": "600/minute"}'
    # for a site whose debtors share one address; the benchmark raises them to measure speed.
    rate_limits: dict[str, str] = Field(default_factory=dict)
    # Shared with Rasa: its --auth-token (HTTP API) and the only key its REST channel takes
    # (bot/channels.py), so no other process on the network can speak to the bot.
    rasa_token: str = ""
    # Requests larger than this are refused with 413 before they are read into memory.
    max_body_bytes: int = 1_000_000
    max_import_bytes: int = 20_000_000
    # Inbound emails carry attachments: only their text is read, but the whole is received.
    max_email_bytes: int = 30_000_000
    # Messages longer than this are answered by the gateway without reaching the bot.
    max_message_chars: int = 2_000
    rasa_timeout_seconds: float = 30.0
    # Turns one web process has the bot work on at once; the others wait their turn in arrival
    # order (channels/outbox.py, BotGate). The bot is CPU-bound: dozens of turns interleaved
    # inside it all finish late, while a short queue in front of it finishes them in order.
    bot_concurrency: int = Field(default=4, ge=1, le=256)
    # Sites allowed to embed the web chat (comma-separated origins, or * for any).
    cors_origins: str = "*"

    @property
    def rasa_urls(self) -> list[str]:
        """The Rasa servers RASA_URL names, in its order."""
        return _listed(self.rasa_url)

    @field_validator("rasa_url")
    @classmethod
    def _some_bot(cls, value: str) -> str:
        """Every conversation needs a bot to go to: an empty or mistyped RASA_URL is said at start,
        not found at the first message."""
        urls = _listed(value)
        if not urls:
            raise ValueError("RASA_URL names no Rasa server (e.g. http://127.0.0.1:5005)")
        wrong = [url for url in urls if not url.startswith(("http://", "https://"))]
        if wrong:
            raise ValueError(f"RASA_URL must list http:// or https:// addresses, not {', '.join(wrong)}")
        return value

    @field_validator("database_url")
    @classmethod
    def _driver(cls, value: str) -> str:
        """Accept the URLs people paste (postgres://, postgresql://) and use psycopg 3."""
        for prefix in ("postgres://", "postgresql://"):
            if value.startswith(prefix):
                return "postgresql+psycopg://" + value[len(prefix) :]
        return value

    def production_problems(self) -> list[str]:
        """What production lacks: each item names the variable and why it matters. The demo is
        allowed to run without them; nothing ever falls back to a value written in the source."""
        if self.amicable_demo:
            return []
        problems = []
        secrets = {
            "AMICABLE_API_KEY": self.amicable_api_key,
            "AMICABLE_ACTIONS_KEY": self.amicable_actions_key,
            "AMICABLE_LINK_SECRET": self.amicable_link_secret,
            "RASA_TOKEN": self.rasa_token,
        }
        for name, value in secrets.items():
            if len(value) < 24:
                problems.append(f"{name} must be set to a random value of at least 24 characters")
        given = [v for v in secrets.values() if v]
        if len(set(given)) != len(given):
            problems.append(
                "AMICABLE_API_KEY, AMICABLE_ACTIONS_KEY, AMICABLE_LINK_SECRET and RASA_TOKEN must all differ"
            )
        if not self.stripe_api_key:
            problems.append("STRIPE_API_KEY must be set: outside the demo, debtors pay through Stripe")
        if self.smtp_url and "@" not in self.email_from:
            problems.append("EMAIL_FROM must be set with SMTP_URL: the address outreach emails come from")
        if self.email_inbound_secret and len(self.email_inbound_secret) < 24:
            problems.append("EMAIL_INBOUND_SECRET must be a random value of at least 24 characters")
        if not self.stripe_webhook_secret.startswith("whsec_"):
            problems.append("STRIPE_WEBHOOK_SECRET must be the webhook endpoint's signing secret (whsec_...)")
        return problems


class SettingsError(RuntimeError):
    """Production start-up refused: the message lists every missing setting."""


def _listed(urls: str) -> list[str]:
    """The addresses of a comma-separated setting, as RASA_URL is written."""
    return [url.strip().rstrip("/") for url in urls.split(",") if url.strip()]


def check_settings(settings: Settings) -> None:
    problems = settings.production_problems()
    if problems:
        raise SettingsError(
            "refusing to start outside the demo (set AMICABLE_DEMO=1 only for the embedded demo):\n  - "
            + "\n  - ".join(problems)
        )


@lru_cache
def get_settings() -> Settings:
    return Settings()
