# VoteHall server image.
#   docker build -t votehall .
#   docker run -p 8000:8000 -v votehall-data:/data votehall        # SQLite in the /data volume
# With PostgreSQL and Redis: compose.yaml (`docker compose up --build`).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VOTEHALL_HOST=0.0.0.0 \
    VOTEHALL_PORT=8000 \
    VOTEHALL_DATABASE_URL=sqlite:////data/votehall.db

WORKDIR /app
# pyproject.toml names README.md as the package's readme; the rest is the code, the Alembic
# migrations and the pages (kiosk/, display/), which are served from beside the package.
# The runtime lock first (exact versions, hashes checked), so that the layer of dependencies is
# cached apart from the code.
COPY requirements/runtime.txt ./requirements/runtime.txt
RUN pip install --require-hashes -r requirements/runtime.txt
COPY pyproject.toml README.md ./
COPY server ./server
COPY migrations ./migrations
COPY kiosk ./kiosk
COPY display ./display
# Editable, so that the pages stay beside the package as in a checkout (server/pages.py).
# The service runs as an unprivileged user that owns only /data (the SQLite database) and the
# directory the worker processes share their metrics in (PROMETHEUS_MULTIPROC_DIR, compose.yaml).
RUN pip install --no-deps --no-build-isolation -e . \
    && useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin votehall \
    && mkdir -p /data /tmp/votehall-metrics \
    && chown votehall:votehall /data /tmp/votehall-metrics

USER votehall
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8000

# /readyz answers 200 once the live hub runs and the database answers, 503 otherwise
# (README "Operations"); the image has no curl, so Python asks.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/readyz' % os.environ.get('VOTEHALL_PORT', '8000'), timeout=2)" || exit 1

# `votehall serve` applies the database migrations (Alembic, to head) before it listens, then
# serves; SIGTERM (docker stop) drains the vote writer and exits 0 (README "Graceful shutdown").
CMD ["votehall", "serve"]
