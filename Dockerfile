# The app image: the `web` process of the Procfile (API, gateway, pay page, web chat).
# Rasa and the action server run from their own images (see docker-compose.yml).
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
COPY web/ web/
COPY server/ server/
COPY locales.yml ./
COPY migrations/ migrations/
COPY alembic.ini ./
COPY policies/ policies/
# The bot's training sentences: the care-cue model learns ordinary talk from them (amicable/text/care.py).
COPY data/nlu/ data/nlu/

# The only directory the app may write to (the SQLite default lives there; production uses PostgreSQL).
RUN mkdir -p /app/var && chown amicable:amicable /app/var

USER amicable

EXPOSE 8000

# python:3.11-slim has no curl; urlopen raises (exit 1) on a refused connection or non-2xx.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://localhost:8000/health', timeout=4)"]

CMD ["sh", "-c", "python -m amicable migrate && python -m amicable serve"]
