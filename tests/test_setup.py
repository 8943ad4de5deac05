"""The environment the two set-up commands build: d2l without its stale pins, the
lab command serving the notebooks, and CI calling the README's test command."""
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_d2l_torch_imports_beside_current_packages():
    import d2l
    import numpy
    from d2l import torch as d2l_torch

    assert d2l.__version__ == "1.0.3"
    assert hasattr(d2l_torch, "train_ch6") and hasattr(d2l_torch, "load_data_fashion_mnist")
    # the stale pins were not installed: d2l sits beside whatever numpy the platform has
    assert numpy.__version__ != "1.23.5" or sys.version_info < (3, 12)


def test_readme_test_command_is_what_ci_runs():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in readme and "make lab" in readme
    assert re.search(r"^make test$", ci, flags=re.MULTILINE)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(not os.access(Path(sys.prefix) / "bin" / "jupyter", os.X_OK), reason="JupyterLab is not installed")
def test_lab_command_serves_the_notebook_list(tmp_path):
    """`make lab` (set-up already done) starts JupyterLab on notebooks/ and lists them."""
    port, token = free_port(), "test-token"
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path), JUPYTER_CONFIG_DIR=str(tmp_path / "config"))
    args = f"--no-browser --ip=127.0.0.1 --port={port} --IdentityProvider.token={token} --ServerApp.port_retries=0"
    lab = subprocess.Popen(["make", "--no-print-directory", "lab", f"VENV={sys.prefix}", f"LAB_ARGS={args}"],
                           cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           start_new_session=True)
    try:
        listing, deadline = None, time.monotonic() + 60
        while listing is None and time.monotonic() < deadline and lab.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/contents?token={token}", timeout=5) as r:
                    listing = json.load(r)
            except OSError:
                time.sleep(0.5)
        page = ""
        if listing is not None:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/lab?token={token}", timeout=10) as r:
                page = r.read().decode()
    finally:
        os.killpg(lab.pid, signal.SIGTERM)
        output = lab.communicate(timeout=30)[0].decode(errors="replace")
    assert listing is not None, f"JupyterLab did not serve the notebook list within 60 s:\n{output[-3000:]}"
    names = {item["name"] for item in listing["content"]}
    expected = {p.name for p in (ROOT / "notebooks").glob("*.ipynb")}
    assert expected and expected <= names
    assert "JupyterLab" in page


def test_committed_notebooks_are_executed_and_clean():
    """Outputs are committed (readers see results), with no errors, no unexecuted
    code cells and no noise (timings, widget state, machine paths)."""
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted((ROOT / "notebooks").glob("*/*.ipynb"))
    assert notebooks, "notebooks/ holds no notebook"
    for path in notebooks:
        nb = json.loads(path.read_text())
        assert "widgets" not in nb["metadata"], path.name
        for cell in nb["cells"]:
            if cell["cell_type"] != "code" or not "".join(cell["source"]).strip():
                continue
            where = f"{path.name}: {''.join(cell['source'])[:60]!r}"
            assert cell["execution_count"] is not None, f"never executed: {where}"
            assert "execution" not in cell["metadata"], f"timing metadata: {where}"
            for out in cell["outputs"]:
                assert out["output_type"] != "error", f"error output: {where}"
                assert str(ROOT) not in json.dumps(out), f"machine path in output: {where}"


def test_make_clean_removes_only_an_environment_make_created(tmp_path):
    """`make clean VENV=$CONDA_PREFIX` must never delete a conda environment (or anything else)."""
    import shutil
    import subprocess

    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    foreign = tmp_path / "my conda env"          # a space in the path, too
    (foreign / "bin").mkdir(parents=True)
    (foreign / "bin" / "python").write_text("a user's interpreter")
    result = subprocess.run(["make", "-s", "clean", f"VENV={foreign}"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode != 0 and "was not created by this Makefile" in result.stderr
    assert (foreign / "bin" / "python").read_text() == "a user's interpreter"
    ours = tmp_path / "made by make"
    ours.mkdir()
    (ours / ".made-by-make").write_text("created by make")
    result = subprocess.run(["make", "-s", "clean", f"VENV={ours}"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0 and not ours.exists(), result.stderr
    assert foreign.exists() and (tmp_path / "my conda env" / "bin").exists()
