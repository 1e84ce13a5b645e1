from celery import shared_task

from booking import services


@shared_task
def expire_stale_requests() -> int:
    """Run in every active satker by beat: requests nobody decided before their start expire."""
    return services.expire_stale_requests()
