"""The Celery app: queues are named `grade.<device-class>` (grade.cpu, grade.h100...)."""
import os
from pathlib import Path

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotpath.settings")

app = Celery("hotpath")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _make_filesystem_broker_dirs(sender, **kwargs) -> None:
    """kombu's filesystem transport (the no-server default) needs its folders to exist."""
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)


@worker_ready.connect
def _reap_stale_sandboxes(**kwargs) -> None:
    """Containers left by a killed worker are removed before this one takes jobs."""
    import sandbox

    sandbox.reap()
