from django.core.management.base import BaseCommand

from graders.rubric.cli import add_evaluate_arguments, evaluate_options, run_evaluate


class Command(BaseCommand):
    help = ("Agreement of the written-answer grader with human scores (QWK, Pearson, exact and adjacent "
            "agreement) on the held-out part of graders/rubric/data, and on held-out Mohler questions in "
            "reference-answer mode beside the human-human figure.")

    def add_arguments(self, parser):
        add_evaluate_arguments(parser)

    def handle(self, *args, **options):
        run_evaluate(**evaluate_options(options), out=self.stdout)
