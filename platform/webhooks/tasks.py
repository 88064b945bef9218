"""Celery entry point: send one webhook delivery, retrying with exponential backoff."""
from celery import shared_task

from webhooks import services

RETRIES_CEILING = 20  # the task's own bound; HOTPATH_WEBHOOK_RETRIES picks how many are used


@shared_task(bind=True, max_retries=RETRIES_CEILING, acks_late=True)
def deliver_webhook(self, delivery_id: str) -> str:
    try:
        services.delivery_send(delivery_id=delivery_id)
    except services.DeliveryFailed as exc:
        if self.request.retries >= services.max_retries():
            services.delivery_give_up(delivery_id=delivery_id)
            return "failed"
        raise self.retry(exc=exc, countdown=services.retry_delay(retries=self.request.retries))
    return "delivered"
