from django.core.management.base import BaseCommand

from submissions.reaper import submission_reap_stuck


class Command(BaseCommand):
    help = ("Put back gradings stuck in `running` (lease over, or their worker stopped announcing itself) "
            "and publish queued submissions whose message never reached the broker. One pass; celery beat runs it every "
            "HOTPATH_REAPER_INTERVAL_S.")

    def handle(self, *args, **options):
        counts = submission_reap_stuck()
        self.stdout.write(f"re-queued {counts['requeued']}, failed {counts['failed']}, republished {counts['republished']}")
