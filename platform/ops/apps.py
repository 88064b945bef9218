from django.apps import AppConfig

GRADING_TASK = "submissions.tasks.grade_submission"


class OpsConfig(AppConfig):
    name = "ops"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from celery.signals import task_postrun, task_prerun

        task_prerun.connect(_task_started, weak=False, dispatch_uid="ops-submission-context-start")
        task_postrun.connect(_task_ended, weak=False, dispatch_uid="ops-submission-context-end")


_tokens: dict[str, object] = {}


def _task_started(task_id=None, task=None, args=None, kwargs=None, **_):
    """Log lines written while a grading runs carry its submission id (ops.logging)."""
    if getattr(task, "name", None) != GRADING_TASK:
        return
    from ops import context

    submission_id = (kwargs or {}).get("submission_id") or next(iter(args or ()), None)
    if submission_id is not None:
        _tokens[task_id] = context.submission_id.set(str(submission_id))


def _task_ended(task_id=None, **_):
    from ops import context

    token = _tokens.pop(task_id, None)
    if token is not None:
        context.submission_id.reset(token)
