# The content API in a slim image: non-root, migrates and seeds on start, several workers.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HOST=0.0.0.0 \
    PORT=8000 \
    WORKERS=4

WORKDIR /app
RUN useradd --create-home --uid 10001 app

# Dependencies first (pinned by constraints.txt), so code changes do not reinstall them.
COPY pyproject.toml constraints.txt README.md ./
COPY api ./api
RUN pip install -c constraints.txt -e . && mkdir -p /app/data && chown app:app /app/data
COPY alembic.ini ./
COPY migrations ./migrations
COPY seed_data ./seed_data

USER app
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/livez' % os.environ.get('PORT', '8000'), timeout=2)"]

# Migrate and seed are idempotent; with several replicas, run them once as a job instead.
CMD ["sh", "-c", "content-api migrate && content-api seed && exec content-api serve"]
