"""Fixtures for the dashboard tests: the real app (app.create_app) and headless Chromium.

Self-sufficient on purpose (the shared pytest.ini belongs to the lead): browser tests default
to ``--webdriver Chrome --headless`` with Debian's chromium/chromedriver and the flags a root
container needs, without anyone passing options on the command line.
"""
from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("DASH_TEST_CHROMEPATH", "/usr/bin/chromium")
if "/usr/bin" not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = os.environ.get("PATH", "") + os.pathsep + "/usr/bin"

CHROME_FLAGS = (
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1280,900",
)


def pytest_configure(config):
    # Headless by default: there is no display on CI or on the build machines.
    if hasattr(config.option, "headless"):
        config.option.headless = True
    if hasattr(config.option, "webdriver") and not config.option.webdriver:
        config.option.webdriver = "Chrome"


def pytest_setup_options():
    """dash.testing hook: the selenium Options for Chrome (dash adds --headless and prefs)."""
    from selenium.webdriver.chrome.options import Options

    options = Options()
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    if os.path.exists(os.environ["DASH_TEST_CHROMEPATH"]):
        options.binary_location = os.environ["DASH_TEST_CHROMEPATH"]
    return options


def app_env(tmp: Path, *, background: str = "pool", cache_type: str = "FileSystemCache",
            cache_dir: Path | None = None, jobs_dir: Path | None = None) -> dict[str, str]:
    return {"EXPLORER_DATA_DIR": str(tmp), "SECRET_KEY": "test-secret", "BACKGROUND": background,
            "CACHE_TYPE": cache_type, "CACHE_DIR": str(cache_dir or tmp / "cache"), "LOG_LEVEL": "WARNING",
            "JOBS_DIR": str(jobs_dir or tmp / "jobs")}


def build_app(tmp: Path, *, background: str = "pool", cache_type: str = "FileSystemCache",
              cache_dir: Path | None = None, jobs_dir: Path | None = None):
    """The real app, built by ``app.create_app`` (as gunicorn does) in a temp directory."""
    import app as app_module
    from serving import settings

    env = app_env(tmp, background=background, cache_type=cache_type, cache_dir=cache_dir, jobs_dir=jobs_dir)
    dash_app = app_module.create_app(settings.from_env(env))
    return dash_app, next(iter(dash_app.server.extensions["cache"]))


@pytest.fixture(scope="module")
def top():
    """The model at the paper's top point (the defaults)."""
    from physics import model, parameters

    return model.evaluate(parameters.defaults())


@pytest.fixture(scope="module")
def shifted():
    """The model for the 'shifted pulse' preset (781 eV, 3 eV: no α)."""
    from components import presets
    from pages.spectra import SPEC
    from physics import model

    return model.evaluate(presets.preset_params(SPEC, "shifted"))


@pytest.fixture(scope="module")
def app_and_cache(tmp_path_factory):
    """Inline jobs and a per-process cache: the synchronous path."""
    return build_app(tmp_path_factory.mktemp("app"), background="inline", cache_type="SimpleCache")


@pytest.fixture(scope="module")
def client(app_and_cache):
    app, _ = app_and_cache
    return app.server.test_client()


@pytest.fixture(scope="session")
def shared_cache_dir(tmp_path_factory):
    """One physics cache for all browser tests: the Maxwell-Bloch curves are computed once."""
    return tmp_path_factory.mktemp("explorer-cache")


@pytest.fixture(scope="session")
def job_manager(tmp_path_factory, shared_cache_dir):
    """The host job pool's manager (``python -m serving.pool``, as gunicorn.conf.py starts it) for the
    browser tests' apps: one job table and one physics cache for the session.  Yields the jobs dir."""
    import subprocess
    import time

    tmp = tmp_path_factory.mktemp("jobs")
    env = {**os.environ, **app_env(tmp, cache_dir=shared_cache_dir, jobs_dir=tmp / "jobs"),
           "PYTHONPATH": str(ROOT), "JOB_POOL_SIZE": "2"}
    log = open(tmp / "manager.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "serving.pool", "--parent", str(os.getpid())], cwd=ROOT, env=env,
                            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        from serving.pool import JobTable

        table, started = JobTable(str(tmp / "jobs")), time.time()
        deadline = time.monotonic() + 60

        def beating() -> bool:
            with table.tx(write=False) as db:
                return table.counter(db, "heartbeat") >= started

        while not beating():  # the manager's heartbeat in the job table
            assert proc.poll() is None and time.monotonic() < deadline, (tmp / "manager.log").read_text()
            time.sleep(0.1)
        yield tmp / "jobs"
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture
def browser_app(tmp_path, shared_cache_dir, job_manager):
    return build_app(tmp_path, cache_dir=shared_cache_dir, jobs_dir=job_manager)[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
