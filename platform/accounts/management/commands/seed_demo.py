from django.core.management.base import BaseCommand

from accounts.services import demo_seed


class Command(BaseCommand):
    help = "Create demo log-ins (idempotent) and print them."

    def handle(self, *args, **options):
        for login in demo_seed():
            state = "created" if login["new"] else "exists "
            role = " (staff)" if login["staff"] else ""
            self.stdout.write(f"{state} {login['username']} / {login['password']}{role}")
