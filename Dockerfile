# The content API in a slim image: non-root (numeric, so that a cluster can verify it), several
# workers; migrates and seeds on start (replicas starting together migrate one at a time: the
# migration takes a lock), or runs as compose.yaml's jobs.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HOST=0.0.0.0 \
    PORT=8000 \
    WORKERS=4

WORKDIR /app
RUN groupadd --gid 10001 app && useradd --create-home --uid 10001 --gid 10001 app

# Dependencies first, from pyproject.toml alone and pinned by constraints.txt: a change to the
# code does not reinstall them (this layer is rebuilt only when these two files change).
COPY pyproject.toml constraints.txt ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install -c constraints.txt -r /tmp/requirements.txt && rm /tmp/requirements.txt

# Then the code: the package itself installs without touching its dependencies.
COPY README.md alembic.ini ./
COPY api ./api
COPY migrations ./migrations
COPY seed_data ./seed_data
RUN pip install --no-deps -e . && mkdir -p /app/data && chown 10001:10001 /app/data

USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/livez' % os.environ.get('PORT', '8000'), timeout=2)"]

CMD ["sh", "-c", "content-api migrate && content-api seed && exec content-api serve"]
