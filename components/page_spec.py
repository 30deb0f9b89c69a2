"""What the shared page machinery (controls, URL state, presets) needs to know about a page.

A page of the Explorer is a science area with its own parameter definition in ``physics`` (a
``physics.parameters.ParameterTable``: ``physics.parameters.TABLE`` for the nonlinear spectra,
``physics.scattering_parameters.TABLE`` for magnetic scattering).
Everything else - slider ranges, URL parsing, presets, validation of what the browser sends -
is generated from that definition by ``controls``, ``url_state`` and ``presets``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

from physics.parameters import ParameterTable

from . import ids


@dataclass(frozen=True)
class Preset:
    """A named set of parameter overrides on top of the defaults, with what to look for."""

    label: str
    overrides: Mapping[str, Any]
    description: str


@dataclass(frozen=True)
class ViewOption:
    """A display switch that is part of the page's URL state (not a physics parameter)."""

    component_id: str
    choices: tuple[str, ...]  # the first is the default

    @property
    def default(self) -> str:
        return self.choices[0]


@dataclass(frozen=True)
class ControlGroup:
    """A titled, collapsible group of controls (a long sidebar stays readable)."""

    title: str
    names: tuple[str, ...]  # parameter names, in display order
    open: bool = True  # shown expanded when the page opens


@dataclass(frozen=True)
class PageSpec:
    name: str  # the id namespace of the page's controls and stores
    params: ParameterTable  # the page's parameter definition
    presets: Mapping[str, Preset] = field(default_factory=lambda: MappingProxyType({}))
    view_options: Mapping[str, ViewOption] = field(default_factory=lambda: MappingProxyType({}))
    choice_labels: Mapping[str, Mapping[str, str]] = field(default_factory=lambda: MappingProxyType({}))
    controls_title: str = "Parameters"
    advanced_title: str = "Advanced"
    # Optional grouping of the controls; parameters in no group follow as basic/advanced.
    groups: tuple[ControlGroup, ...] = ()
    # Slider step in the slider's own (log10/asinh) space, per parameter: arrow keys move by one
    # step (the default, controls.LOG_STEP, keeps every 4-digit value exact but is too fine for keys).
    slider_steps: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def params_store(self) -> str:
        return ids.params_store(self.name)

    def parameters(self) -> tuple:
        """The parameters in the order their controls appear (groups, then basic, then advanced)."""
        ps = tuple(self.params.parameters)
        grouped = [self.params.by_name[n] for g in self.groups for n in g.names]
        rest = [p for p in ps if p.name not in {g.name for g in grouped}]
        return tuple(grouped) + tuple(p for p in rest if not p.advanced) + tuple(p for p in rest if p.advanced)

    def label_of(self, name: str, choice: str) -> str:
        return self.choice_labels.get(name, {}).get(choice, choice)
