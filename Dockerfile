# The Hotpath image: web (gunicorn), grading workers and celery beat all run it (compose.yaml).
# Built on a host with PyPI access: `docker compose build`. docs/deployment.md.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY requirements.txt pyproject.toml ./
RUN pip install -r requirements.txt

COPY . .
RUN pip install --no-deps --no-build-isolation -e . \
 && SECRET_KEY=build-only-collectstatic-key-never-served-0123456789abcdef ALLOWED_HOSTS=build \
    DJANGO_SETTINGS_MODULE=hotpath.settings_production python manage.py collectstatic --noinput \
 && useradd --uid 10001 --create-home hotpath && mkdir -p var && chown -R hotpath var

# The web runs as `hotpath`; grading workers run as root of their container, which the sandbox's
# supervisor needs to start each candidate's code under another uid (docs/sandbox.md).
USER hotpath
EXPOSE 8000
CMD ["gunicorn", "hotpath.wsgi:application", "--chdir", "platform", "--bind", "0.0.0.0:8000"]
