from celery import shared_task

from booking import reminders, services


@shared_task
def expire_stale_requests() -> int:
    """Run in every active satker by beat: requests nobody decided before their start expire."""
    return services.expire_stale_requests()


@shared_task
def send_reminders() -> int:
    """Run in every active satker by beat: reminders before consultations and of waiting requests."""
    return reminders.send_consultation_reminders() + reminders.remind_officers_of_waiting_requests()
