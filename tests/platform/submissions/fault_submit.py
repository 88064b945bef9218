"""Run as a script by test_faults.py: wait until a worker of the class announced itself, then
submit N copies of a trivial solution through submission_create (each with its own marker
file), one transaction each, and print one JSON line: the ids, by marker. With --refused CLASS,
try one submission for a class with no worker and print the refusal instead."""
import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path[:0] = [str(ROOT / "platform"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotpath.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402

from catalog.models import Challenge  # noqa: E402
from submissions.services import DeviceClassUnavailable, submission_create  # noqa: E402
from workers.selectors import live_device_class  # noqa: E402

SOLUTION = "def add(a, b):\n    return a + b\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("slug")
    parser.add_argument("--count", type=int, default=1)
    parser.add_argument("--device-class", default="cpu")
    parser.add_argument("--prefix", default="s")
    parser.add_argument("--refused")
    args = parser.parse_args()
    user, _ = User.objects.get_or_create(username=f"faults-{args.prefix}")
    challenge = Challenge.objects.get(slug=args.slug)
    if args.refused:
        try:
            submission_create(user=user, challenge=challenge, files={"solution.py": SOLUTION}, device_class=args.refused)
        except DeviceClassUnavailable as exc:
            print(json.dumps({"refused": exc.messages}))
            return
        sys.exit(f"a submission for {args.refused} was accepted")
    deadline = time.monotonic() + 120
    while live_device_class(name=args.device_class) is None:
        if time.monotonic() > deadline:
            sys.exit(f"no {args.device_class} worker announced itself within 120 s")
        time.sleep(0.3)
    ids = {}
    for n in range(args.count):
        marker = f"{args.prefix}{n:04d}"
        files = {"solution.py": SOLUTION, "marker.txt": marker}
        ids[marker] = str(submission_create(user=user, challenge=challenge, files=files, device_class=args.device_class).pk)
    print(json.dumps({"ids": ids}))


if __name__ == "__main__":
    main()
