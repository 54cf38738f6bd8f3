"""The newsletter as mail: `compose`'s message, and `send` to a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import datetime
import email
import email.policy
import email.utils
import os
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from digest.commands.mail import compose, send
from digest.model import SmtpSettings, UsageError

TEXT = "Netanyahu – Ya’alon, Путин\n\nA week of talks.\n" + "x" * 2000 + "\n"
HTML = "<!doctype html>\n<p>Netanyahu – Ya’alon, Путин</p>\n<p>" + "y" * 2000 + "</p>\n"
SENDER = "World Digest <digest@example.org>"
LIST = "list@example.org"
LOGIN = {"DIGEST_SMTP_USER": "curator", "DIGEST_SMTP_PASSWORD": "s3cret"}


def newsletter(recipients: tuple[str, ...] = (LIST,)) -> EmailMessage:
    return compose(subject="World Digest #12 – Путин", sender=SENDER, recipients=recipients, html=HTML, text=TEXT)


def parts(raw: bytes) -> tuple[EmailMessage, list[str], list[str]]:
    """A message's bytes parsed: the message, its parts' content types and their decoded text."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    found = list(message.iter_parts())
    return message, [p.get_content_type() for p in found], [p.get_content() for p in found]


# compose

@pytest.mark.parametrize(("text", "html"), [
    (TEXT, HTML),
    ("No final newline", "<p>none either</p>"),
    ("Windows\r\nlines\r\n", "<p>\r\n</p>"),
    ("", ""),
])
def test_compose_parts_decode_to_exactly_the_strings(text: str, html: str) -> None:
    message = compose(subject="S", sender=SENDER, recipients=(LIST,), html=html, text=text)
    raw = message.as_bytes()
    raw.decode("ascii")  # base64 parts and encoded headers: any server takes it
    assert max(len(line) for line in raw.split(b"\r\n")) <= 78
    parsed, types, contents = parts(raw)
    assert parsed.get_content_type() == "multipart/alternative"
    assert types == ["text/plain", "text/html"]
    assert contents == [text, html]
    assert [p.get_content_charset() for p in parsed.iter_parts()] == ["utf-8", "utf-8"]


def test_compose_headers() -> None:
    date = datetime.datetime(2015, 11, 30, 9, 0, tzinfo=datetime.timezone.utc)
    message = compose(subject="Netanyahu – Ya’alon, Путин", sender=SENDER, recipients=(LIST, "Ed <ed@example.net>"),
                      html=HTML, text=TEXT, date=date)
    raw = message.as_bytes()
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["From"] == SENDER
    assert parsed["To"] == "list@example.org, Ed <ed@example.net>"
    assert parsed["Subject"] == "Netanyahu – Ya’alon, Путин"
    assert b"=?utf-8?" in raw.split(b"\r\n\r\n")[0]  # the subject as encoded words
    assert parsed["Date"] == "Mon, 30 Nov 2015 09:00:00 +0000"
    assert parsed["Message-ID"].startswith("<") and parsed["Message-ID"].endswith("@example.org>")
    assert parsed["MIME-Version"] == "1.0"
    assert parsed.get_all("MIME-Version") == ["1.0"]
    assert "List-Unsubscribe" not in parsed


def test_compose_defaults_and_no_recipients() -> None:
    message = compose(subject="S", sender="digest", recipients=(), html=HTML, text=TEXT)
    assert "To" not in message
    assert message["Message-ID"].endswith("@digest.invalid>")
    date = email.utils.parsedate_to_datetime(message["Date"])
    assert date.utcoffset() == datetime.timedelta(0)
    assert abs((datetime.datetime.now(datetime.timezone.utc) - date).total_seconds()) < 60
    other = compose(subject="S", sender=SENDER, recipients=(), html=HTML, text=TEXT, message_id_domain="news.example")
    assert other["Message-ID"].endswith("@news.example>")


def test_compose_refuses_a_header_with_a_line_break_or_no_sender() -> None:
    with pytest.raises(UsageError, match="headers"):
        compose(subject="S\r\nBcc: victim@example.org", sender=SENDER, recipients=(), html=HTML, text=TEXT)
    with pytest.raises(UsageError, match="sender"):
        compose(subject="S", sender="", recipients=(), html=HTML, text=TEXT)


# send, to a real server

class Recorder:
    """An aiosmtpd handler that keeps what it is sent, and refuses addresses at nowhere.example."""

    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []
        self.sessions: list[Session] = []

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str,
                          rcpt_options: list[str]) -> str:
        if address.endswith("@nowhere.example"):
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.envelopes.append(envelope)
        self.sessions.append(session)
        return "250 Message accepted"


def authenticate(server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any) -> AuthResult:
    if isinstance(data, LoginPassword) and data == (b"curator", b"s3cret"):
        return AuthResult(success=True, auth_data=data)
    return AuthResult(success=False, handled=False)  # the server answers 535


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost, and its key."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    return cert, key


Server = Callable[..., tuple[SmtpSettings, Recorder]]


@pytest.fixture
def server(certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    """Start an SMTP server on 127.0.0.1: with STARTTLS (its certificate trusted through SSL_CERT_FILE) unless
    `tls=False`, and with `login=True` a login required; all are stopped after the test."""
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    started: list[Controller] = []

    def start(*, tls: bool = True, login: bool = False) -> tuple[SmtpSettings, Recorder]:
        options: dict[str, Any] = {}
        if tls:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*certificate)
            options.update(tls_context=context, require_starttls=True)
        if login:
            options.update(authenticator=authenticate, auth_require_tls=True, auth_required=True)
        recorder = Recorder()
        controller = Controller(recorder, hostname="127.0.0.1", port=free_port(), **options)
        controller.start()
        started.append(controller)
        return SmtpSettings(host="127.0.0.1", port=controller.port, sender=SENDER, recipients=(LIST,),
                            starttls=tls), recorder

    yield start
    for controller in started:
        controller.stop()


def test_send_delivers_the_message_over_tls(server: Server) -> None:
    settings, recorder = server()
    assert send(newsletter(), settings, environ={}) == (LIST,)
    [envelope] = recorder.envelopes
    assert envelope.mail_from == "digest@example.org"
    assert envelope.rcpt_tos == [LIST]
    assert recorder.sessions[0].ssl is not None  # STARTTLS came first
    assert isinstance(envelope.content, bytes)
    parsed, types, contents = parts(envelope.content)
    assert types == ["text/plain", "text/html"]
    assert contents == [TEXT, HTML]
    assert parsed["Subject"] == "World Digest #12 – Путин"


def test_send_takes_recipients_and_sender_from_the_message(server: Server) -> None:
    settings, recorder = server()
    bare = SmtpSettings(host=settings.host, port=settings.port)
    assert send(newsletter(("A <a@example.org>", "b@example.org")), bare, environ={}) == ("a@example.org",
                                                                                         "b@example.org")
    [envelope] = recorder.envelopes
    assert envelope.mail_from == "digest@example.org"
    assert envelope.rcpt_tos == ["a@example.org", "b@example.org"]


def test_send_logs_in_with_the_environment(server: Server) -> None:
    settings, recorder = server(login=True)
    assert send(newsletter(), settings, environ=LOGIN) == (LIST,)
    assert recorder.sessions[0].authenticated
    assert recorder.sessions[0].auth_data == LoginPassword(b"curator", b"s3cret")


def test_send_wrong_password_names_the_server(server: Server) -> None:
    settings, recorder = server(login=True)
    with pytest.raises(UsageError, match=rf"127\.0\.0\.1:{settings.port} refused the login of 'curator'.*"
                                         "DIGEST_SMTP_PASSWORD"):
        send(newsletter(), settings, environ={**LOGIN, "DIGEST_SMTP_PASSWORD": "wrong"})
    assert recorder.envelopes == []


def test_send_user_without_password_is_an_error(server: Server) -> None:
    settings, _ = server(login=True)
    with pytest.raises(UsageError, match="DIGEST_SMTP_PASSWORD is not"):
        send(newsletter(), settings, environ={"DIGEST_SMTP_USER": "curator"})


def test_send_refuses_a_server_without_starttls(server: Server) -> None:
    settings, recorder = server(tls=False)
    with pytest.raises(UsageError, match=rf"127\.0\.0\.1:{settings.port} does not offer STARTTLS"):
        send(newsletter(), SmtpSettings(host=settings.host, port=settings.port, sender=SENDER, recipients=(LIST,)),
             environ={})
    assert recorder.envelopes == []
    assert send(newsletter(), settings, environ={}) == (LIST,)  # starttls: false
    assert len(recorder.envelopes) == 1


def test_send_untrusted_certificate(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    settings, recorder = server()
    monkeypatch.delenv("SSL_CERT_FILE")
    with pytest.raises(UsageError, match=rf"certificate of the mail server 127\.0\.0\.1:{settings.port} is not "
                                         "trusted") as caught:
        send(newsletter(), settings, environ=LOGIN)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert recorder.envelopes == []


def test_send_refused_recipient(server: Server) -> None:
    settings, recorder = server()
    with pytest.raises(UsageError, match=r"refused every recipient, x@nowhere\.example \(550 5\.1\.1 No such user\)"):
        send(newsletter(), SmtpSettings(host=settings.host, port=settings.port, recipients=("x@nowhere.example",)),
             environ={})
    with pytest.raises(UsageError, match=r"refused x@nowhere\.example .*though the others got"):
        send(newsletter(), SmtpSettings(host=settings.host, port=settings.port,
                                        recipients=(LIST, "x@nowhere.example")), environ={})
    assert [e.rcpt_tos for e in recorder.envelopes] == [[LIST]]


def test_send_closed_port() -> None:
    port = free_port()
    with pytest.raises(UsageError, match=rf"^Nothing answers at 127\.0\.0\.1:{port}: check"):
        send(newsletter(), SmtpSettings(host="127.0.0.1", port=port), environ={})


def test_send_silent_server_times_out() -> None:
    with socket.socket() as silent:  # listens, but never greets
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        started = time.monotonic()
        with pytest.raises(UsageError, match=rf"127\.0\.0\.1:{port} did not answer within 0\.3 seconds"):
            send(newsletter(), SmtpSettings(host="127.0.0.1", port=port), environ={}, timeout=0.3)
        assert time.monotonic() - started < 2


def test_send_needs_a_sender_and_recipients() -> None:
    message = compose(subject="S", sender=SENDER, recipients=(), html=HTML, text=TEXT)
    with pytest.raises(UsageError, match="needs a recipient"):
        send(message, SmtpSettings(host="127.0.0.1", port=free_port()), environ={})


def test_send_unknown_host() -> None:
    with pytest.raises(UsageError, match=r"^The mail server nonexistent\.invalid:587 is unknown"):
        send(newsletter(), SmtpSettings(host="nonexistent.invalid"), environ={}, timeout=2)


def test_digest_edition_send_delivers_the_built_newsletter(server: Server, make_site: Any, tmp_path: Path) -> None:
    """`digest edition N --send --email FILE`: the server receives the message written to FILE, whose parts are
    the files the build wrote, over STARTTLS, logged in with the environment's credentials."""
    settings, recorder = server(login=True)
    article = "---\ntitle: {0}\ndate: 2015-11-0{1}\npeople: [Ada Lovelace]\ntopics: [Engines]\n---\n\nOn {0}.\n"
    site = make_site({
        "digest.yaml": f"title: Engine News\nbase_url: https://news.example.org/\neditions: weekly\n"
                       f"smtp:\n  host: 127.0.0.1\n  port: {settings.port}\n  from: {SENDER}\n  to: [{LIST}]\n",
        "content/2015-11-03-a.md": article.format("Looms", 3),
        "content/2015-11-04-b.md": article.format("Engines", 4),
    })
    eml = tmp_path / "1.eml"
    done = subprocess.run([sys.executable, "-m", "digest", "edition", str(site), "1", "--email", str(eml), "--send"],
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120,
                          env={**os.environ, **LOGIN})
    assert done.returncode == 0, done.stderr
    assert done.stdout.endswith(f"Wrote {eml}\nSent to {LIST} through 127.0.0.1:{settings.port}\n")
    [envelope] = recorder.envelopes
    assert recorder.sessions[0].ssl is not None and envelope.rcpt_tos == [LIST]
    assert isinstance(envelope.content, bytes)
    received, written = parts(envelope.content), parts(eml.read_bytes())
    assert received[2] == written[2] and received[0]["Message-ID"] == written[0]["Message-ID"]
    built = subprocess.run([sys.executable, "-m", "digest", "build", str(site), "--no-cache", "-q"],
                           capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120)
    assert built.returncode == 0, built.stderr
    assert received[2] == [(site / "output/editions/1" / name).read_text(encoding="utf-8")
                           for name in ("email.txt", "email.html")]
