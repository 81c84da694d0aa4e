"""Outgoing mail: an outbox row in the same transaction, logged, and sent by SMTP after commit."""
import logging
import smtplib
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import insert

from workspace.accounts.models import OutboxMessage
from workspace.database import utcnow
from workspace.events import run_after_commit
from workspace.extensions import db

log = logging.getLogger("convene.mail")


def send_mail(to: str, subject: str, body: str) -> OutboxMessage:
    """Queue a message; it exists only if the action that sent it commits."""
    message = OutboxMessage(to_address=to, subject=subject, body=body)
    db.session.add(message)
    db.session.flush()
    log.info("mail to %s: %s\n%s", to, subject, body)
    host = current_app.config.get("MAIL_SMTP_HOST")
    if host:
        app = current_app._get_current_object()
        run_after_commit(lambda: _deliver(app, message.id))
    return message


# --- notifications: many messages in one flush (digests) -------------------------------------
def send_mails(messages: list[tuple[str, str, str]]) -> list[int]:
    """Queue many (to, subject, body) messages at once; like send_mail, they exist only if the action commits.

    A Core multi-row INSERT … RETURNING id: the ORM would insert row by row on SQLite (it wants the ids
    back in order, which SQLite's rowids do not promise), and these ids are only needed as a set.
    """
    if not messages:
        return []
    now = utcnow()
    ids = list(db.session.scalars(
        insert(OutboxMessage).returning(OutboxMessage.id, sort_by_parameter_order=False),
        [{"to_address": to, "subject": subject, "body": body, "created_at": now} for to, subject, body in messages]))
    log.info("queued %d messages", len(ids))
    if current_app.config.get("MAIL_SMTP_HOST"):
        app = current_app._get_current_object()
        run_after_commit(lambda: [_deliver(app, message_id) for message_id in ids])
    return ids


def _deliver(app, message_id: int) -> None:
    with app.app_context():
        message = db.session.get(OutboxMessage, message_id)
        email = EmailMessage()
        email["From"] = app.config["MAIL_FROM"]
        email["To"] = message.to_address
        email["Subject"] = message.subject
        email.set_content(message.body)
        try:
            with smtplib.SMTP(app.config["MAIL_SMTP_HOST"], app.config["MAIL_SMTP_PORT"], timeout=10) as smtp:
                smtp.send_message(email)
            message.sent_at = utcnow()
            db.session.commit()
        except (OSError, smtplib.SMTPException):
            log.exception("SMTP delivery failed for outbox message %s; it stays unsent", message_id)
            db.session.rollback()
