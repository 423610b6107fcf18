"""pip installs the package offline (Debian's pip and setuptools, no build
isolation), with its type hints, and the installed copy finds libnax."""

import os
import shutil
import subprocess
import sys

import pytest

from conftest import PKG_ROOT

import nax
from nax import _lib


def copy_source(dst):
    # a copy, so the build leaves nothing in the source tree
    shutil.copytree(PKG_ROOT / "nax", dst / "nax",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for f in ("pyproject.toml", "README.md"):
        shutil.copy(PKG_ROOT / f, dst / f)
    return dst


def run_python(code, cwd, **env):
    full = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    full.update(env)
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, env=full, capture_output=True,
                          text=True, timeout=120)


def test_pip_install_offline_into_a_target(tmp_path):
    src = copy_source(tmp_path / "src")
    target = tmp_path / "site"
    p = subprocess.run([sys.executable, "-m", "pip", "install", "--no-build-isolation",
                        "--no-index", "--no-deps", "--disable-pip-version-check",
                        "--no-cache-dir", "--target", str(target), str(src)],
                       capture_output=True, text=True, timeout=300,
                       env=dict(os.environ, PIP_NO_INPUT="1"))
    assert p.returncode == 0, p.stdout + p.stderr
    assert (target / "nax" / "py.typed").exists()
    assert (target / "nax" / "models.py").exists()
    assert list(target.glob("nax-0.1.0*.dist-info"))
    r = run_python("import nax, decimal; print(nax.__file__); print(nax.library_version);"
                   "print(nax.Client('http://127.0.0.1:1').closed)",
                   cwd=tmp_path, PYTHONPATH=str(target), NAX_LIBRARY=_lib.path)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.split()
    assert lines[0].startswith(str(target)) and lines[1] == nax.library_version
    assert lines[2] == "False"


def test_missing_library_is_a_clear_import_error(tmp_path):
    r = run_python("import nax", cwd=tmp_path, PYTHONPATH=str(PKG_ROOT),
                   NAX_LIBRARY=str(tmp_path / "nowhere" / "libnax.so.1"))
    assert r.returncode != 0
    assert "ImportError" in r.stderr and "NAX_LIBRARY" in r.stderr


def test_search_order(monkeypatch, tmp_path):
    monkeypatch.setenv("NAX_LIBRARY", str(tmp_path))
    c = _lib._candidates()
    assert c[0] == str(tmp_path / "libnax.so.1")  # a directory names the file inside
    assert c.index(os.path.join(sys.prefix, "lib", "libnax.so.1")) < \
        c.index("/usr/local/lib/libnax.so.1")
    build = [p for p in c if "/build" in p and p.startswith(str(PKG_ROOT.parents[1]))]
    for p in build:
        assert c.index(p) > c.index("/usr/local/lib/libnax.so.1")
    monkeypatch.setenv("NAX_LIBRARY", "/x/libnax.so.0.1.0")
    assert _lib._candidates()[0] == "/x/libnax.so.0.1.0"


@pytest.mark.parametrize("mod", ["nax", "nax.models", "nax.errors", "nax.client", "nax.stream",
                                 "nax.webhook"])
def test_modules_have_docstrings(mod):
    import importlib
    assert importlib.import_module(mod).__doc__
