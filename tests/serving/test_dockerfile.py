"""Static checks of the Dockerfile, .dockerignore and compose.yaml (no Docker engine here)."""
from __future__ import annotations

import re

import pytest
from conftest import ROOT, dockerfile_cmd, dockerfile_instructions, healthcheck_cmd, server_argv

pytestmark = pytest.mark.serving


def test_base_image_is_slim_python_311():
    froms = [rest for word, rest in dockerfile_instructions() if word == "FROM"]
    assert froms == ["python:3.11-slim"]


def test_requirements_are_installed_before_the_source_is_copied():
    steps = dockerfile_instructions()
    copies = [(i, rest) for i, (word, rest) in enumerate(steps) if word == "COPY"]
    req = next(i for i, rest in copies if rest.split()[0] == "requirements.txt")
    pip = next(i for i, (word, rest) in enumerate(steps) if word == "RUN" and "pip install -r requirements.txt" in rest)
    source = next(i for i, rest in copies if rest.split()[:2] == [".", "."])
    assert req < pip < source


def test_runs_as_a_non_root_user():
    users = [rest for word, rest in dockerfile_instructions() if word == "USER"]
    assert users and users[-1] not in ("root", "0", "0:0")
    steps = [word for word, _ in dockerfile_instructions()]
    assert steps.index("USER") > max(i for i, w in enumerate(steps) if w == "RUN")


def test_healthcheck_is_python_and_compares_the_body():
    argv = healthcheck_cmd()
    assert argv[0] == "python" and argv[1] == "-c"
    assert "b'OK'" in argv[2] and "health" in argv[2] and "timeout" in argv[2]


def test_cmd_is_exec_form_gunicorn_and_what_the_tests_run():
    argv = dockerfile_cmd()
    assert argv == ["gunicorn", "-c", "gunicorn.conf.py", "app:server"]
    assert server_argv()[1:] == argv[1:]  # the serving tests start exactly this command line
    text = (ROOT / "Dockerfile").read_text()
    assert not re.search(r"^\s*ENTRYPOINT", text, re.M)


def test_dockerignore_keeps_the_image_small_and_secret_free():
    ignored = {ln.strip() for ln in (ROOT / ".dockerignore").read_text().splitlines()
               if ln.strip() and not ln.startswith("#")}
    for needed in (".git", ".venv", "tests/", ".env", "**/__pycache__"):
        assert needed in ignored
    for kept in ("requirements.txt", "app.py", "serving", "gunicorn.conf.py"):
        assert kept not in ignored


def test_compose_has_app_redis_and_a_celery_worker_on_the_app_module():
    text = (ROOT / "compose.yaml").read_text()
    assert re.search(r"^  redis:$", text, re.M) and re.search(r"^  app:$", text, re.M)
    assert re.search(r"^  worker:$", text, re.M)
    assert '"celery", "-A", "app:celery_app", "worker"' in text
    assert "REDIS_URL: redis://redis:6379/0" in text
    assert "BACKGROUND: celery" in text and "CACHE_TYPE: RedisCache" in text
    assert '"--save", ""' in text and '"--appendonly", "no"' in text
