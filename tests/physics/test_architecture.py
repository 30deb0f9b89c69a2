"""physics/ is a plain scientific library: no web or plotting imports, no module-level mutable state."""
import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = ("dash", "flask", "flask_caching", "plotly", "celery", "redis")


def test_physics_imports_nothing_from_web_or_plotting():
    code = (
        "import sys, importlib, pkgutil, physics\n"
        "for m in pkgutil.iter_modules(physics.__path__):\n"
        "    if m.name != '__main__': importlib.import_module('physics.' + m.name)\n"
        f"bad = [m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""


def test_no_module_level_mutable_containers():
    for path in (ROOT / "physics").glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in tree.body:
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, (ast.List, ast.Dict, ast.Set)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names = [t.id for t in targets if isinstance(t, ast.Name)]
                assert all(n == "__all__" for n in names), f"{path.name}: module-level mutable {names}"
