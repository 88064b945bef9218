from django.apps import AppConfig


class WorkersConfig(AppConfig):
    name = "workers"

    def ready(self) -> None:
        from celery.signals import worker_ready, worker_shutdown

        from workers.heartbeat import on_worker_ready, on_worker_shutdown

        # Only a Celery worker sends these: the web process never announces itself.
        worker_ready.connect(on_worker_ready, dispatch_uid="workers.heartbeat.start", weak=False)
        worker_shutdown.connect(on_worker_shutdown, dispatch_uid="workers.heartbeat.stop", weak=False)
