# The app image: the `web` process of the Procfile (API, gateway, pay page, web chat), and with
# another command the scheduler, the Celery workers and the one-shot migrations.
# Rasa and the action server run from their own images (docker/; see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Paths in the app are relative to the package's parent (amicable/paths.py), so the
# package, alembic.ini, migrations/ and policies/ all live side by side under /app.
WORKDIR /app

RUN groupadd --system --gid 1000 amicable \
    && useradd --system --uid 1000 --gid amicable --create-home --home-dir /home/amicable amicable

# Dependencies first, so code changes don't reinstall them.
COPY requirements/app.txt requirements/app.txt
RUN pip install --no-cache-dir -r requirements/app.txt

COPY amicable/ amicable/
COPY api/ api/
COPY channels/ channels/
# What the bot's question expects is one rule, shared with the Rasa side (bot/answers.py).
COPY bot/__init__.py bot/answers.py bot/
COPY web/ web/
COPY server/ server/
COPY locales.yml ./
COPY migrations/ migrations/
COPY alembic.ini ./
COPY policies/ policies/
# The bot's training sentences: the care-cue model learns ordinary talk from them (amicable/text/care.py).
COPY data/nlu/ data/nlu/

# The only directory the app may write to (the SQLite default lives there; production uses PostgreSQL).
# risk-models/ exists in the image so that a named volume mounted there starts as a copy of it,
# owner included: the unprivileged user can then write the late-payment models into it.
RUN mkdir -p /app/var/risk-models && chown -R amicable:amicable /app/var

USER amicable

EXPOSE 8000

# python:3.11-slim has no curl; urlopen raises (exit 1) on a refused connection or non-2xx.
# The start period covers the web process training its care-cue model at start (40-80 s measured).
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://localhost:8000/health', timeout=4)"]

# Migrations are a step of their own, run once before any process of a release starts (the
# `migrate` service in docker-compose.yml: `python -m amicable migrate` with this image), not
# by each web container: two replicas starting together would race to apply the same one.
CMD ["python", "-m", "amicable", "serve"]
