"""The Django project. `platform/` is a source root; no package here is named `platform`."""
from hotpath.celery import app as celery_app

__all__ = ["celery_app"]
