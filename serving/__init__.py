"""Serving infrastructure of the Explorer, one module per concern.  Every piece is a factory
that takes the :class:`serving.settings.Settings`; nothing is created at import time.

* ``settings`` - the app's settings, read once from the environment (12-factor).
* ``logs``     - logging to stdout.
* ``cache``    - the shared physics cache (file cache on one host, Redis with a local fallback).
* ``jobs``     - the job service: host pool (``pool``: SQLite table + one manager process),
               Celery (``celery_jobs``) or inline; ``budget`` - the per-job cost budget.
* ``metrics``  - ``/metrics`` in the Prometheus text format.
* ``healthcheck`` - the container health check (restarts an unhealthy container).
* ``security`` - headers, CSP, strict request checks, clean error answers.
* ``warmup``   - Dash's one-time setup before a worker takes traffic.
The Celery worker runs ``celery -A app:celery_app worker`` (app.py builds the app, which
registers the job task).
"""
