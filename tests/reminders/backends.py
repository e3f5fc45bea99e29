"""The mail server, the one boundary reminders cross: a local-memory backend that refuses
the addresses a test names, as an SMTP server would."""

from django.core import mail
from django.core.mail.backends.locmem import EmailBackend

REFUSED = set()


class RefusingBackend(EmailBackend):
    def send_messages(self, messages):
        for message in messages:
            refused = [address for address in message.to if address in REFUSED]
            if refused:
                raise OSError(f"550 mailbox unavailable: {refused[0]}")
        return super().send_messages(messages)


def outbox_to(address):
    return [message for message in mail.outbox if address in message.to]
