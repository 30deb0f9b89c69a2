"""Static checks of the Dockerfile, .dockerignore and compose.yaml (no Docker engine here)."""
from __future__ import annotations

import re

import pytest
from conftest import ROOT, dockerfile_cmd, dockerfile_instructions, healthcheck_cmd, server_argv

pytestmark = pytest.mark.serving


DIGEST = r"@sha256:[0-9a-f]{64}"


def test_base_image_is_slim_python_311_pinned_by_digest():
    froms = [rest for word, rest in dockerfile_instructions() if word == "FROM"]
    assert len(froms) == 1 and re.fullmatch(r"python:3\.11-slim" + DIGEST, froms[0]), froms


def test_hashed_requirements_are_installed_before_the_source_is_copied():
    steps = dockerfile_instructions()
    copies = [(i, rest) for i, (word, rest) in enumerate(steps) if word == "COPY"]
    req = next(i for i, rest in copies if "requirements.lock" in rest.split())
    pip = next(i for i, (word, rest) in enumerate(steps) if word == "RUN" and "pip install" in rest)
    assert "--require-hashes" in steps[pip][1] and "-r requirements.lock" in steps[pip][1]
    source = next(i for i, rest in copies if rest.split()[:2] == [".", "."])
    assert req < pip < source


def test_the_lock_pins_requirements_txt_with_hashes():
    """requirements.txt stays the source: every pin there is in the lock, and every lock entry has hashes."""
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[name.lower().replace("_", "-")] = version
    lock = (ROOT / "requirements.lock").read_text()
    hashes = r"((?:\s+--hash=sha256:[0-9a-f]{64}(?: \\)?\n)+)"
    entries = re.findall(r"^([A-Za-z0-9_.\-]+)==([^ \\]+) \\\n" + hashes, lock, re.M)
    locked = {n.lower().replace("_", "-"): v for n, v, _ in entries}
    assert len(entries) == len(re.findall(r"^[A-Za-z0-9_.\-]+==", lock, re.M)) >= len(pins)
    for name, version in pins.items():
        assert locked.get(name) == version, (name, version, locked.get(name))


def test_runs_as_a_non_root_user():
    users = [rest for word, rest in dockerfile_instructions() if word == "USER"]
    assert users and users[-1] not in ("root", "0", "0:0")
    steps = [word for word, _ in dockerfile_instructions()]
    assert steps.index("USER") > max(i for i, w in enumerate(steps) if w == "RUN")


def test_healthcheck_is_python_and_compares_the_body():
    argv = healthcheck_cmd()
    assert argv == ["python", "-m", "serving.healthcheck"]
    source = (ROOT / "serving" / "healthcheck.py").read_text()
    assert "== b\"OK\"" in source and "timeout" in source


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


def _compose() -> str:
    return (ROOT / "compose.yaml").read_text()


def _service(name: str) -> str:
    text = _compose()
    start = text.index(f"\n  {name}:\n")
    nxt = re.search(r"\n  [a-z]+:\n|\nvolumes:", text[start + 3:])
    return text[start: start + 3 + (nxt.start() if nxt else len(text))]


def test_compose_has_proxy_app_redis_and_a_celery_worker_on_the_app_module():
    text = _compose()
    for name in ("redis", "app", "worker", "proxy"):
        assert re.search(rf"^  {name}:$", text, re.M), name
    assert '"celery", "-A", "app:celery_app", "worker"' in text
    assert "REDIS_URL: redis://redis:6379/0" in text
    assert "BACKGROUND: celery" in text and "CACHE_TYPE: RedisCache" in text
    assert "--save ''" in text and "--appendonly no" in text  # no persistence (docs/serving.md)


def test_compose_publishes_only_the_proxy_and_redis_needs_a_password():
    assert "ports:" not in _service("app") and "expose:" in _service("app")
    assert "ports:" not in _service("redis") and "ports:" not in _service("worker")
    assert "ports:" in _service("proxy") and "8443" in _service("proxy")
    assert "--requirepass" in _service("redis")
    assert "REDIS_PASSWORD: ${REDIS_PASSWORD:?" in _compose()  # compose refuses to start without it
    assert "deploy/nginx/explorer.conf.template:/etc/nginx/templates/" in _service("proxy")


def test_compose_images_are_pinned_by_digest():
    images = re.findall(r"^\s+image: (\S+)$", _compose(), re.M)
    external = [i for i in images if not i.startswith("xray-explorer:")]
    assert len(external) == 2 and all(re.search(DIGEST + "$", i) for i in external), images


def test_compose_limits_logs_and_restart_on_unhealthy():
    text = _compose()
    for name in ("redis", "app", "worker", "proxy"):
        block = _service(name)
        limited = "cpus:" in block and "mem_limit:" in block and "pids_limit:" in block
        assert limited or "<<: *hardening" in block, name
        assert "restart: unless-stopped" in block or "<<: *hardening" in block, name
        assert "logging:" in block or "<<: *hardening" in block, name
    hardening = text[text.index("x-hardening:"):text.index("services:")]
    assert "max-size:" in hardening and "max-file:" in hardening and "init: true" in hardening
    for name in ("app", "worker"):
        assert "cpus:" in _service(name) and "mem_limit:" in _service(name) and "pids_limit:" in _service(name)
    assert 'HEALTH_RESTART: "1"' in text  # unhealthy -> the check stops PID 1 -> restart policy
    assert "serving.healthcheck" in _service("worker")


def test_healthcheck_never_signals_outside_its_container(tmp_path, monkeypatch):
    """HEALTH_RESTART on a machine whose PID 1 is not gunicorn/celery: counts, never kills PID 1."""
    from serving import healthcheck

    monkeypatch.setattr(healthcheck, "COUNTER", tmp_path / "failures")
    monkeypatch.setenv("HEALTH_RESTART", "1")
    monkeypatch.setenv("PORT", "1")  # nothing listens there
    killed = []
    monkeypatch.setattr(healthcheck.os, "kill", lambda pid, sig: killed.append((pid, sig)))
    assert [healthcheck.main([]) for _ in range(4)] == [1, 1, 1, 1]
    assert (tmp_path / "failures").read_text() == "4"
    assert killed == [] or not healthcheck._main_process_is_ours()
    monkeypatch.setattr(healthcheck, "_main_process_is_ours", lambda: True)
    assert healthcheck.main([]) == 1 and killed == [(1, 15)]  # inside the container: SIGTERM to PID 1
