"""Operations: health and readiness probes, Prometheus metrics, request limits, JSON logs and the
GPU health each worker reports (docs/deployment.md, docs/security.md)."""
