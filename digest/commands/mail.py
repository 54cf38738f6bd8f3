"""The newsletter as mail: `compose` makes the message of an edition, `send` hands it to an SMTP server.

The message is `multipart/alternative`, its text part first and its HTML part second. Each
part is the UTF-8 of its string in base64, so a reader decodes exactly the string given,
line endings and all, and no line of the message is long, however long the string's lines.
`send` upgrades the connection with STARTTLS (unless the settings turn it off) and logs in
with `DIGEST_SMTP_USER` and `DIGEST_SMTP_PASSWORD` when the environment has them. Whatever
a user can get wrong (the host, the port, the certificate, the login, an address) comes
back as one `UsageError` sentence naming the server. This module never prints or exits.
"""

from __future__ import annotations

import contextlib
import datetime
import email.policy
import email.utils
import os
import smtplib
import socket
import ssl
from collections.abc import Mapping
from email.message import EmailMessage

from digest.model import SmtpSettings, UsageError

USER = "DIGEST_SMTP_USER"
PASSWORD = "DIGEST_SMTP_PASSWORD"


def compose(*, subject: str, sender: str, recipients: tuple[str, ...], html: str, text: str,
            date: datetime.datetime | None = None, message_id_domain: str | None = None) -> EmailMessage:
    """The newsletter as a complete message: headers, a text part and an HTML part.

    `To` is left out when there are no recipients. The `Message-ID` is made at the sender's
    domain, or at `message_id_domain`; `Date` is now, in UTC, unless given.
    """
    address = email.utils.parseaddr(sender)[1]
    if not address:
        raise UsageError(f"The newsletter's sender {sender!r} is not an address: give one such as "
                         "'World Digest <digest@example.org>'.")
    _, at, domain = address.rpartition("@")
    domain = message_id_domain or (domain if at else "") or "digest.invalid"
    message = EmailMessage(policy=email.policy.SMTP)
    try:
        message["From"] = sender
        if recipients:
            message["To"] = ", ".join(recipients)
        message["Subject"] = subject
        message["Date"] = email.utils.format_datetime(date or datetime.datetime.now(datetime.timezone.utc))
        message["Message-ID"] = email.utils.make_msgid(domain=domain.encode("idna").decode("ascii"))
    except (ValueError, UnicodeError) as error:
        raise UsageError(f"The newsletter's headers cannot be written: {error}.") from None
    message.set_content(text.encode("utf-8"), maintype="text", subtype="plain", cte="base64",
                        params={"charset": "utf-8"})
    message.add_alternative(html.encode("utf-8"), maintype="text", subtype="html", cte="base64",
                            params={"charset": "utf-8"})
    return message


def send(message: EmailMessage, settings: SmtpSettings, environ: Mapping[str, str] = os.environ,
         timeout: float = 30) -> tuple[str, ...]:
    """Send `message` through the server of `settings`; the recipients it went to.

    The envelope's sender is the address of `settings.sender`, else of the message's `From`;
    its recipients are `settings.recipients`, else the message's `To`.
    """
    server = f"{settings.host}:{settings.port}"
    sender = email.utils.parseaddr(settings.sender or str(message.get("From", "")))[1]
    named = settings.recipients or tuple(str(value) for value in message.get_all("To", []))
    recipients = tuple(address for _, address in email.utils.getaddresses(list(named)) if address)
    if not settings.host:
        raise UsageError("Mail needs a server: set `host:` under `smtp:` in digest.yaml.")
    if not sender:
        raise UsageError(f"Mail to {server} needs a sender: set `from:` under `smtp:` in digest.yaml.")
    if not recipients:
        raise UsageError(f"Mail to {server} needs a recipient: set `to:` under `smtp:` in digest.yaml.")
    user = environ.get(USER, "")
    password = environ.get(PASSWORD, "")
    if user and not password:
        raise UsageError(f"{USER} is set but {PASSWORD} is not: set both to log in to {server}, or neither.")
    try:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=timeout)
        try:
            refused = _deliver(smtp, message, settings, server, sender, recipients, user, password)
            with contextlib.suppress(smtplib.SMTPException, OSError):
                smtp.quit()
        finally:
            smtp.close()
    except (OSError, ValueError) as error:  # smtplib's and ssl's errors are OSErrors
        raise UsageError(_explain(error, server, timeout, user)) from None
    if refused:
        raise UsageError(f"The mail server {server} refused {_refusals(refused)}, though the others got the "
                         "message: correct `to:` under `smtp:` in digest.yaml.")
    return recipients


def _deliver(smtp: smtplib.SMTP, message: EmailMessage, settings: SmtpSettings, server: str, sender: str,
             recipients: tuple[str, ...], user: str, password: str) -> dict[str, tuple[int, bytes]]:
    """The conversation: EHLO, STARTTLS, login, the message; the recipients refused."""
    smtp.ehlo_or_helo_if_needed()
    if settings.starttls:
        if not smtp.has_extn("starttls"):
            raise UsageError(f"The mail server {server} does not offer STARTTLS, so the newsletter would travel "
                             "unencrypted: use a server or port that offers it, or set `starttls: false` under "
                             "`smtp:` in digest.yaml.")
        code, reply = smtp.starttls(context=ssl.create_default_context())
        if code != 220:
            raise UsageError(f"The mail server {server} refused STARTTLS ({code} {_text(reply)}): use a server or "
                             "port that offers it, or set `starttls: false` under `smtp:` in digest.yaml.")
        smtp.ehlo()
    if user:
        smtp.login(user, password)
    return smtp.send_message(message, from_addr=sender, to_addrs=list(recipients))


def _refusals(refused: Mapping[str, tuple[int, bytes]]) -> str:
    """Refused recipients and the server's reasons: "a@b (550 No such user)"."""
    return ", ".join(f"{address} ({code} {_text(reply)})" for address, (code, reply) in refused.items())


def _text(reply: bytes | str) -> str:
    """A server's reply as one line of text."""
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    return " ".join(text.split())


def _explain(error: Exception, server: str, timeout: float, user: str) -> str:
    """One sentence on what went wrong with the server, and what to do."""
    where = "check `host:` and `port:` under `smtp:` in digest.yaml"
    if isinstance(error, ssl.SSLCertVerificationError):
        return (f"The certificate of the mail server {server} is not trusted ({error.verify_message}): check "
                "`host:` under `smtp:` in digest.yaml, or name a file with its certificate authority in "
                "SSL_CERT_FILE.")
    if isinstance(error, ssl.SSLError):
        return f"TLS with the mail server {server} failed ({error.reason or error}): {where}."
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return (f"The mail server {server} refused the login of {user!r} ({error.smtp_code} "
                f"{_text(error.smtp_error)}): check {USER} and {PASSWORD}.")
    if isinstance(error, smtplib.SMTPNotSupportedError) and "AUTH" in str(error):
        return (f"The mail server {server} offers no login here, yet {USER} is set: unset it, or turn on "
                "`starttls:` under `smtp:` in digest.yaml if the server wants TLS first.")
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return (f"The mail server {server} refused every recipient, {_refusals(error.recipients)}: correct "
                "`to:` under `smtp:` in digest.yaml.")
    if isinstance(error, smtplib.SMTPSenderRefused):
        return (f"The mail server {server} refused the sender {error.sender} ({error.smtp_code} "
                f"{_text(error.smtp_error)}): set `from:` under `smtp:` in digest.yaml to an address it accepts.")
    if isinstance(error, smtplib.SMTPResponseException):
        return (f"The mail server {server} refused the newsletter ({error.smtp_code} {_text(error.smtp_error)}): "
                "see what its reply asks for.")
    if isinstance(error, TimeoutError) or isinstance(error.__context__, TimeoutError):
        return f"The mail server {server} did not answer within {timeout:g} seconds: {where}."
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return f"The mail server {server} closed the connection ({error}): {where}."
    if isinstance(error, smtplib.SMTPException):
        return f"Sending through the mail server {server} failed ({error}): {where}."
    if isinstance(error, socket.gaierror):
        return f"The mail server {server} is unknown ({error.strerror}): {where}."
    if isinstance(error, ConnectionRefusedError):
        return f"Nothing answers at {server}: {where}, and that the server is running."
    if isinstance(error, OSError):
        return f"The mail server {server} cannot be reached ({error.strerror or error}): {where}."
    if isinstance(error, UnicodeError):
        return (f"Sending through the mail server {server} needs plain ASCII where it got other characters: check "
                f"{USER}, {PASSWORD} and the addresses under `smtp:` in digest.yaml.")
    return f"The newsletter cannot be sent through the mail server {server} ({error})."
