# The action server: the `actions` process of the Procfile. Build from the repository root:
#   docker build -f docker/actions.Dockerfile .
FROM rasa/rasa-sdk:3.6.2

WORKDIR /app

# What actions/ imports beyond rasa-sdk: the extras of requirements/rasa.txt, and aiohttp,
# which the local environment gets from rasa (same range as rasa 3.6.21) but the SDK image lacks.
# The base image runs as 1001; installing needs root, running must not.
USER root
# python-dateutil comes with dateparser locally and pyyaml with rasa; they are named because
# actions/ imports them (pyyaml reads locales.yml).
RUN pip install --no-cache-dir "dateparser>=1.2,<2" "babel>=2.12" "text2num>=3.0.1,<4" \
    "python-dateutil>=2.8,<3" "aiohttp>=3.9,<3.10" "pyyaml>=6,<7"
USER 1001

COPY actions/ /app/actions/
COPY locales.yml /app/locales.yml
# The shapes of answers (no Rasa import), shared with the bot's NLU component.
COPY bot/__init__.py bot/answers.py /app/bot/

EXPOSE 5055

# The image's entrypoint turns `start ...` into `python -m rasa_sdk ...`.
# rasa_sdk binds 0.0.0.0 unless SANIC_HOST says otherwise (the Procfile pins 127.0.0.1 locally).
CMD ["start", "--actions", "actions", "--port", "5055"]
