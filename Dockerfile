# VoteHall server image: `docker build -t votehall . && docker run -p 8000:8000 votehall`
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    VOTEHALL_HOST=0.0.0.0 \
    VOTEHALL_PORT=8000 \
    VOTEHALL_DATABASE_URL=sqlite+aiosqlite:////data/votehall.db

WORKDIR /app
COPY pyproject.toml README.md ./
COPY server ./server
COPY migrations ./migrations
COPY kiosk ./kiosk
COPY display ./display
# Editable: the pages (kiosk/, display/) are served from beside the package, as in a checkout.
RUN pip install -e . \
    && useradd --system --uid 10001 --home-dir /data votehall \
    && mkdir -p /data && chown votehall /data

USER votehall
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s \
    CMD python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:8000/openapi.json', timeout=2)" || exit 1

# `votehall serve` applies the migrations before it listens.
CMD ["votehall", "serve"]
