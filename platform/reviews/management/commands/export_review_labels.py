import json
from pathlib import Path

from django.core.management.base import BaseCommand

from reviews.selectors import override_training_labels


class Command(BaseCommand):
    help = ("Write reviewed written answers (final per-criterion points) as JSONL in the graders/rubric/data shape, "
            "for `python -m graders.rubric train --extra-labels FILE`.")

    def add_arguments(self, parser):
        parser.add_argument("--slug", help="only this challenge")
        parser.add_argument("--out", type=Path, help="file to write (default: standard output)")

    def handle(self, *args, **options):
        rows = override_training_labels(slug=options.get("slug"))
        text = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
        if options.get("out"):
            options["out"].write_text(text, encoding="utf-8")
            self.stderr.write(f"{len(rows)} reviewed answers written to {options['out']}")
        else:
            self.stdout.write(text, ending="")
