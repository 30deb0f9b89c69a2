"""Helpers shared by the benchmarks: timing, the real app in a temp directory, headless Chromium.

Benchmarks print figures; they are not tests (``make bench`` runs every ``bench_*.py``).
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CHROME_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run")


def timings_ms(fn, repeat: int) -> list[float]:
    """``repeat`` wall times of ``fn()`` in ms, after one warm-up call, sorted."""
    fn()
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1e3)
    return sorted(out)


def median_ms(fn, repeat: int = 200) -> float:
    return statistics.median(timings_ms(fn, repeat))


def median_p90_ms(fn, repeat: int) -> tuple[float, float]:
    times = timings_ms(fn, repeat)
    return statistics.median(times), times[int(0.9 * (len(times) - 1))]


def build_app(tmp: Path, background: str = "inline", log_level: str = "WARNING"):
    """The real app (``app.create_app``, as gunicorn builds it) with its file cache in ``tmp``."""
    import app as app_module
    from serving import settings

    env = {"EXPLORER_DATA_DIR": str(tmp), "SECRET_KEY": "bench", "LOG_LEVEL": log_level,
           "BACKGROUND": background, "CACHE_DIR": str(tmp / "cache")}
    return app_module.create_app(settings.from_env(env))


def chrome(width: int = 1280, height: int = 900):
    """Debian's Chromium, headless, with the flags a root container on a closed network needs."""
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options

    opts = Options()
    for flag in (*CHROME_FLAGS, f"--window-size={width},{height}"):
        opts.add_argument(flag)
    opts.binary_location = "/usr/bin/chromium"
    return webdriver.Chrome(options=opts)


def wait_repainted(driver, n_graphs: int, timeout_s: float) -> dict:
    """Poll the page's ``window.__bench.done`` ({graph id: ms after the key press}, filled by the
    bench's plotly_afterplot handlers) until ``n_graphs`` figures have repainted or the time is up."""
    end = time.time() + timeout_s
    done: dict = {}
    while time.time() < end:
        done = driver.execute_script("return window.__bench.done;") or {}
        if len(done) >= n_graphs:
            break
        time.sleep(0.01)
    return done
