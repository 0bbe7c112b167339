"""Sending through a real mail server over TLS, as `SMTP_URL` says: `smtp://user:pass@host:587`
upgrades with STARTTLS, `smtps://user:pass@host:465` is TLS from the first byte. The servers
here are aiosmtpd with a certificate made for the test, signed by a test CA that the sending
code trusts through OpenSSL's `SSL_CERT_FILE` (the code takes the system's trust store and has
no setting of its own for a CA). Each server records every byte the client sends and whether
TLS protected it, so the tests can say the password never crossed the wire in clear."""

from __future__ import annotations

import base64
import datetime as dt
import ipaddress
import logging
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from urllib.parse import quote

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from amicable.providers import email as email_provider
from amicable.providers.errors import NotSent
from amicable.settings import Settings
from tests.conftest import LINK_SECRET
from tests.email.mail_server import Inbox, free_port

USER = "billing@brightwater.example"
# Characters a URL must escape, so the test also shows the password is read back decoded.
PASSWORD = "s3cr@t:p/ss%w0rd"
NOT_LOCAL = "127.0.0.2"  # a loopback address the sending code does not treat as "this machine"


@dataclass(frozen=True)
class Certificates:
    ca: Path
    chain: Path
    key: Path


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    """A test CA and a server certificate it signs, for 127.0.0.1, 127.0.0.2 and localhost."""
    folder = tmp_path_factory.mktemp("tls")
    now = dt.datetime.now(dt.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Amicable test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mail.test")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName("localhost"),
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                    x509.IPAddress(ipaddress.ip_address(NOT_LOCAL)),
                ]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    (folder / "ca.pem").write_bytes(ca.public_bytes(pem))
    (folder / "chain.pem").write_bytes(leaf.public_bytes(pem) + ca.public_bytes(pem))
    (folder / "key.pem").write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return Certificates(folder / "ca.pem", folder / "chain.pem", folder / "key.pem")


@pytest.fixture
def trusted(certificates: Certificates, monkeypatch: pytest.MonkeyPatch) -> Certificates:
    """The sending code trusts the test CA (and only it), as it would a public one."""
    monkeypatch.setenv("SSL_CERT_FILE", str(certificates.ca))
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    return certificates


def server_context(certificates: Certificates) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificates.chain, certificates.key)
    return context


@dataclass
class Wire:
    """What one server saw: each chunk the clients sent, with whether TLS protected it, and
    each login attempt with whether it came over TLS."""

    chunks: list[tuple[bool, bytes]] = field(default_factory=list)
    logins: list[tuple[bool, str, str]] = field(default_factory=list)

    def clear(self) -> bytes:
        return b"".join(data for secure, data in self.chunks if not secure)

    def everything(self) -> bytes:
        return b"".join(data for _, data in self.chunks)


class RecordingSMTP(SMTP):
    def __init__(self, handler, wire: Wire, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(handler, **kwargs)
        self.wire = wire

    def secure(self) -> bool:
        transport = self.transport
        return self._tls_protocol is not None or (
            transport is not None and transport.get_extra_info("ssl_object") is not None
        )

    def data_received(self, data: bytes) -> None:
        self.wire.chunks.append((self.secure(), bytes(data)))
        super().data_received(data)


class RecordingController(Controller):
    def __init__(self, handler, wire: Wire, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(handler, **kwargs)
        self.wire = wire

    def factory(self) -> SMTP:
        return RecordingSMTP(self.handler, self.wire, **self.SMTP_kwargs)


class MailServer:
    """aiosmtpd with STARTTLS (`mode="starttls"`), TLS from the start (`"implicit"`) or no
    encryption at all (`"plain"`), asking for a login. AUTH is offered before STARTTLS too, so
    a client that logged in too early would succeed in clear, and be seen doing it."""

    def __init__(self, mode: str, certificates: Certificates, host: str = "127.0.0.1") -> None:
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        self.inbox = Inbox()
        self.wire = Wire()
        self.host = host
        options: dict = {"auth_require_tls": False, "authenticator": self._authenticate}
        if mode == "starttls":
            options["tls_context"] = server_context(certificates)
        elif mode == "implicit":
            options["ssl_context"] = server_context(certificates)
        self.controller = RecordingController(self.inbox, self.wire, hostname=host, port=free_port(), **options)

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:  # type: ignore[no-untyped-def]
        assert isinstance(auth_data, LoginPassword)
        login, password = auth_data.login.decode(), auth_data.password.decode()
        self.wire.logins.append((server.secure(), login, password))
        return AuthResult(success=(login, password) == (USER, PASSWORD))

    def url(self, scheme: str, user: str | None = USER, password: str = PASSWORD) -> str:
        credentials = f"{quote(user, safe='')}:{quote(password, safe='')}@" if user else ""
        return f"{scheme}://{credentials}{self.host}:{self.controller.port}"

    def __enter__(self) -> MailServer:
        self.controller.start()
        self.wire.chunks.clear()  # the controller's own check that the server is up
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


def settings_for(url: str) -> Settings:
    return Settings(
        smtp_url=url,
        email_from=f"Brightwater Energy <{USER}>",
        amicable_link_secret=LINK_SECRET,
        _env_file=None,
    )


def reminder() -> EmailMessage:
    message = EmailMessage()
    message["From"] = f"Brightwater Energy <{USER}>"
    message["To"] = "lou.martin@example.org"
    message["Subject"] = "A reminder about your Brightwater Energy bill"
    message["Message-ID"] = make_msgid(domain="brightwater.example")
    message.set_content("Hello Lou, your bill of €84.20 was due on 3 December.\n")
    return message


def no_wait(seconds: float) -> None:
    pass


def password_forms() -> list[bytes]:
    """The password as each SASL mechanism smtplib may use would carry it on the wire."""
    plain = f"\0{USER}\0{PASSWORD}".encode()
    return [
        PASSWORD.encode(),
        base64.b64encode(PASSWORD.encode()),
        base64.b64encode(plain),
        base64.b64encode(USER.encode()),
    ]


def assert_never_in_clear(wire: Wire) -> None:
    clear = wire.clear()
    for form in password_forms():
        assert form not in clear, f"{form!r} was sent before TLS"
    assert b"AUTH" not in clear.upper(), clear
    assert b"MAIL FROM" not in clear.upper(), clear


def test_starttls_on_an_smtp_url_encrypts_before_the_login_and_the_message(trusted):
    with MailServer("starttls", trusted) as server:
        message = reminder()
        sent = email_provider.send(settings_for(server.url("smtp")), message, sleep=no_wait)
    assert sent == message["Message-ID"]
    [received] = server.inbox.messages
    assert received["Subject"] == message["Subject"] and received["Message-ID"] == message["Message-ID"]
    assert "€84.20" in received.get_content()
    assert server.inbox.envelopes == [(USER, ["lou.martin@example.org"])]
    # In clear: the greeting exchange and STARTTLS, nothing more.
    assert b"STARTTLS" in server.wire.clear().upper()
    assert_never_in_clear(server.wire)
    # The login happened once, over TLS, with the password as the URL gave it (decoded).
    assert server.wire.logins == [(True, USER, PASSWORD)]
    assert any(secure and b"MAIL FROM" in data.upper() for secure, data in server.wire.chunks)


def test_smtps_is_tls_from_the_first_byte(trusted):
    with MailServer("implicit", trusted) as server:
        message = reminder()
        sent = email_provider.send(settings_for(server.url("smtps")), message, sleep=no_wait)
    assert sent == message["Message-ID"]
    [received] = server.inbox.messages
    assert received["Message-ID"] == message["Message-ID"]
    assert server.wire.chunks and all(secure for secure, _ in server.wire.chunks)
    assert server.wire.logins == [(True, USER, PASSWORD)]


def test_an_smtp_url_without_a_login_still_upgrades_when_the_server_offers_it(trusted):
    with MailServer("starttls", trusted) as server:
        email_provider.send(settings_for(server.url("smtp", user=None)), reminder(), sleep=no_wait)
    assert len(server.inbox.messages) == 1
    assert server.wire.logins == []
    assert b"STARTTLS" in server.wire.clear().upper()
    assert b"MAIL FROM" not in server.wire.clear().upper()


def test_a_remote_server_that_offers_no_encryption_never_gets_the_password(trusted):
    with MailServer("plain", trusted, host=NOT_LOCAL) as server, pytest.raises(NotSent, match="no encryption"):
        email_provider.send(settings_for(server.url("smtp")), reminder(), sleep=no_wait)
    assert server.inbox.messages == []
    assert server.wire.logins == []
    for form in password_forms():
        assert form not in server.wire.everything()


@pytest.mark.parametrize(("mode", "scheme"), [("starttls", "smtp"), ("implicit", "smtps")])
def test_a_certificate_nobody_trusts_stops_the_send_before_the_password(certificates, monkeypatch, mode, scheme):
    """Not the test CA: the system's store only. The certificate is checked, not just used."""
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    waits: list[float] = []
    with MailServer(mode, certificates) as server, pytest.raises(NotSent, match="certificate is not trusted"):
        email_provider.send(settings_for(server.url(scheme)), reminder(), sleep=waits.append)
    assert waits == []  # not tried again: waiting does not make a certificate trusted
    assert server.inbox.messages == []
    assert server.wire.logins == []
    assert_never_in_clear(server.wire)
