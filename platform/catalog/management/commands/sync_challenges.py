from django.conf import settings
from django.core.management.base import BaseCommand

from catalog.services import catalog_sync
from graders.catalog import challenge_roots


class Command(BaseCommand):
    help = "Load every challenge package from the catalog roots into the database (idempotent)."

    def handle(self, *args, **options):
        report = catalog_sync(roots=challenge_roots(settings.HOTPATH_CHALLENGE_DIRS))
        for slug in report.created:
            self.stdout.write(f"created  {slug}")
        for slug in report.updated:
            self.stdout.write(f"updated  {slug} (new version)")
        for slug in report.deactivated:
            self.stdout.write(f"retired  {slug} (package no longer on disk)")
        for error in report.errors:
            self.stderr.write(f"invalid  {error}")
        self.stdout.write(report.summary())
