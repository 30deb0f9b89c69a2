"""A tiny Explorer-like Dash app for the serving tests, wired with the real ``serving`` package.

It has one analytic callback (cached physics, like the sliders) and one Maxwell-Bloch
background callback, so the diskcache and Celery paths can be tested end to end whatever
state the dashboard's panels are in.  gunicorn serves ``mini_app:server``; Celery runs
``celery -A mini_app:celery_app worker`` (with tests/serving on the path).
"""
from __future__ import annotations

import math

import dash
from dash import Input, Output, dcc, html

from physics import maxwell_bloch, model, parameters
from serving import cache as cache_module
from serving import jobs, logs, security, warmup
from serving import settings as settings_module


def create_app(config: settings_module.Settings, celery_app=None) -> dash.Dash:
    logs.configure_logging(config)
    app = dash.Dash(
        __name__,
        url_base_pathname=config.url_base_pathname,
        health_endpoint="health",
        background_callback_manager=jobs.background_manager(config, celery_app),
        enable_mcp=False,
    )
    app.server.config["SECRET_KEY"] = config.secret_key
    cache = cache_module.make_cache(app.server, config)

    @cache.memoize()
    def _peak(fluence: float) -> float:
        return model.summary(model.evaluate({"fluence_mj_cm2": fluence}))["stim_rixs_peak"]

    @cache.memoize()
    def _gain(duration_fs: float) -> float:
        g = maxwell_bloch.gain_curve(duration_fs, n_pulses=1, seed=1, propagation="thin")
        return float(max(g.efficiency))

    app.layout = html.Div([
        dcc.Slider(id="fluence", min=0.1, max=10000, value=100.0),
        html.Div(id="analytic"),
        dcc.Input(id="duration", type="number", value=25.0),
        html.Div(id="mb"),
    ])

    @app.callback(Output("analytic", "children"), Input("fluence", "value"))
    def analytic(fluence):
        try:
            f = parameters.validate("fluence_mj_cm2", fluence)
        except (parameters.ParameterError, OverflowError):
            return "invalid fluence"
        return f"peak {_peak(parameters.quantize('fluence_mj_cm2', f)):.6g}"

    @app.callback(Output("mb", "children"), Input("duration", "value"), background=True)
    def mb(duration):
        try:
            d = parameters.validate("duration_fs", duration)
        except (parameters.ParameterError, OverflowError):
            return "invalid duration"
        value = _gain(parameters.quantize("duration_fs", d))
        return f"MB gain {value:.6g}" if math.isfinite(value) else "MB gain n/a"

    security.harden(app, config)
    warmup.warm_up(app, config)
    return app


_settings = settings_module.from_env()
celery_app = jobs.make_celery(_settings) if _settings.background == "celery" else None
app = create_app(_settings, celery_app)
server = app.server
