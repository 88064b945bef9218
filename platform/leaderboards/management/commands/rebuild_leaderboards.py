from django.core.management.base import BaseCommand

from leaderboards.services import leaderboards_rebuild


class Command(BaseCommand):
    help = "Recompute every leaderboard from the stored results (after a bulk import, or to repair)."

    def handle(self, *args, **options):
        counts = leaderboards_rebuild()
        self.stdout.write(f"{counts['entries']} best entries, {counts['totals']} user totals")
