"""Serving infrastructure of the Explorer, one module per concern.  Every piece is a factory
that takes the :class:`serving.settings.Settings`; nothing is created at import time.

* ``settings`` - the app's settings, read once from the environment (12-factor).
* ``logs``     - logging to stdout.
* ``cache``    - the shared physics cache (file cache on one host, Redis with a local fallback).
* ``jobs``     - background callbacks on diskcache (embedded) or Celery (scale-out).
* ``security`` - headers, CSP, strict request checks, clean error answers.
* ``warmup``   - Dash's one-time setup before a worker takes traffic.
* ``worker``   - the Celery worker's entry point (``celery -A serving.worker worker``).
"""
