# The Rasa server: the `rasa` process of the Procfile. Build from the repository root:
#   docker build -f docker/rasa.Dockerfile .
# The official image has Rasa and the libraries of its NLU (scikit-learn, joblib, numpy,
# scipy) but none of the project's code, and a model that names a project component cannot
# load without it ("GraphSchemaException ... Can't find class ...LinearIntentClassifier").
FROM rasa/rasa:3.6.21-full

# The image's entrypoint is `rasa`; `rasa` puts its working directory on sys.path, so
# /app/bot imports as `bot`. The base image runs as 1001 and these files only need reading.
WORKDIR /app

# The intent classifier's state is a joblib file written by the training environment's joblib
# (.venv-rasa); joblib 1.1 cannot read it (KeyError: 0) while 1.2 and later can, so the image
# has at least that whatever the base image's lock holds (a no-op when it already does).
USER root
RUN pip install --no-cache-dir "joblib>=1.2,<2"
USER 1001

# What the model and credentials.yml name by class path: the NLU components of config.yml
# (bot.components.linear_intent, bot.components.expected_answer, which reads bot/answers.py)
# and the gateway-only REST channel (bot.channels.GatewayInput). bot/ imports nothing else of
# the project (pyproject.toml's import contracts keep it so).
COPY bot/ bot/
COPY credentials.yml ./
COPY docker/endpoints.yml endpoints.yml

# The model is copied in, not mounted: it was trained against the bot/ code above (the graph
# names its classes and the classifier's saved state is theirs), so one image holds the pair
# that belongs together, and the image runs where no checkout of the repository exists.
# Train it first (`make train`): without models/amicable.tar.gz the build stops here.
COPY models/amicable.tar.gz models/amicable.tar.gz

EXPOSE 5005
