"""Fixtures for the dashboard tests: a test app wired like app.py, and headless Chromium.

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


def build_app(tmp: Path, *, background: bool = True, cache_type: str = "FileSystemCache"):
    """A Dash app wired exactly like app.py (layout + register_callbacks) in a temp directory."""
    import dash
    import diskcache
    from flask_caching import Cache

    import components

    kwargs = {}
    if background:
        kwargs["background_callback_manager"] = dash.DiskcacheManager(diskcache.Cache(str(tmp / "jobs")))
    app = dash.Dash("explorer_test", assets_folder=str(ROOT / "assets"), title="Nonlinear X-ray Spectra Explorer",
                    **kwargs)
    app.server.config["SECRET_KEY"] = "test-secret"
    config = {"CACHE_TYPE": cache_type, "CACHE_DEFAULT_TIMEOUT": 3600}
    if cache_type == "FileSystemCache":
        config["CACHE_DIR"] = str(tmp / "cache")
    cache = Cache(app.server, config=config)
    app.layout = components.layout()
    components.register_callbacks(app, cache)
    return app, cache


@pytest.fixture(scope="module")
def app_and_cache(tmp_path_factory):
    """No background manager and a per-process cache: the synchronous fallback path."""
    return build_app(tmp_path_factory.mktemp("app"), background=False, cache_type="SimpleCache")


@pytest.fixture(scope="module")
def client(app_and_cache):
    app, _ = app_and_cache
    return app.server.test_client()


@pytest.fixture(scope="session")
def shared_cache_dir(tmp_path_factory):
    """One physics cache for all browser tests: the Maxwell-Bloch curves are computed once."""
    return tmp_path_factory.mktemp("explorer-cache")


@pytest.fixture
def browser_app(tmp_path, shared_cache_dir):
    import dash
    import diskcache
    from flask_caching import Cache

    import components

    app = dash.Dash("explorer_browser", assets_folder=str(ROOT / "assets"),
                    background_callback_manager=dash.DiskcacheManager(diskcache.Cache(str(tmp_path / "jobs"))))
    app.server.config["SECRET_KEY"] = "test-secret"
    cache = Cache(app.server, config={"CACHE_TYPE": "FileSystemCache", "CACHE_DIR": str(shared_cache_dir),
                                      "CACHE_DEFAULT_TIMEOUT": 3600})
    app.layout = components.layout()
    components.register_callbacks(app, cache)
    return app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
