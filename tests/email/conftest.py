"""A real SMTP server for every email test, and the settings that send to it."""

from __future__ import annotations

import pytest

from amicable.db.session import make_engine, make_sessionmaker
from tests.conftest import EMAIL_SECRET
from tests.email.mail_server import MailServer
from tests.outreach.test_campaign import own_strategy  # noqa: F401 (a fixture the email tests use)

SECRET = EMAIL_SECRET


@pytest.fixture
def mail():
    with MailServer() as server:
        yield server


@pytest.fixture
def mailing(settings, mail):
    """The settings, sending to the local SMTP server and taking inbound mail with SECRET."""
    return settings.model_copy(
        update={
            "smtp_url": mail.url,
            "email_from": "Collections <collect@amicable.example>",
            "email_inbound_secret": SECRET,
        }
    )


@pytest.fixture
def factory(settings):
    return make_sessionmaker(make_engine(settings.database_url))
