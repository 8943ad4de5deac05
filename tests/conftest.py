"""Shared test set-up: a headless plotting backend, the ci profile, no progress
bars (their text would be compared by nbval), and the real Fashion-MNIST files."""
import os
from pathlib import Path

# Set before any kernel or test starts: nbval's kernels inherit the environment.
os.environ.setdefault("D2L_PROFILE", "ci")
os.environ.setdefault("TQDM_DISABLE", "1")

import matplotlib  # noqa: E402

matplotlib.use("Agg")

import pytest  # noqa: E402

from d2lhelpers import data  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def pytest_collection_modifyitems(items):
    for item in items:
        if hasattr(item, "output_timeout"):  # nbval cells: training cells print slowly
            item.output_timeout = 120


@pytest.fixture(scope="session")
def fashion_files() -> dict:
    """The four real Fashion-MNIST files found on this machine (never downloaded)."""
    try:
        files, _ = data.locate(download=False)
    except data.DataNotFoundError as err:
        pytest.skip(f"no local Fashion-MNIST ({err}); .ci/run installs Debian's dataset-fashion-mnist")
    return files
