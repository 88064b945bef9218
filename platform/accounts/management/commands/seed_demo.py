from django.core.management.base import BaseCommand

from accounts.services import demo_seed


class Command(BaseCommand):
    help = "Create demo log-ins and the demo organisations acme and globex (idempotent) and print them."

    def handle(self, *args, **options):
        from assessments.demo import demo_assessments_seed  # hiring: organisations, assessments, graded candidates

        for login in demo_seed() + demo_assessments_seed():
            state = "created" if login["new"] else "exists "
            role = " (staff)" if login["staff"] else f" ({login['role']})" if login.get("role") else ""
            self.stdout.write(f"{state} {login['username']} / {login['password']}{role}")
        self.stdout.write("organisations: /orgs/acme/ and /orgs/globex/ (log in as their owner, recruiter or reviewer)")
