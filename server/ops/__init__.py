"""Operations: health and readiness, Prometheus metrics, structured logs, graceful shutdown."""
