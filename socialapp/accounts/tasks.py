from celery import shared_task
from django.core.mail import EmailMultiAlternatives


@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_backoff_max=600, max_retries=5)
def email_send(subject: str, body: str, to: list[str], html_body: str | None = None) -> None:
    """Send one e-mail; SMTP hiccups (OSError) are retried with backoff."""
    message = EmailMultiAlternatives(subject, body, to=to)
    if html_body:
        message.attach_alternative(html_body, "text/html")
    message.send()
