"""The `full` profile's branch of every training notebook (the book's recipes, 224-pixel inputs)
runs: each notebook is executed on the CPU as a dry run, D2L_PROFILE=full D2L_DRY_RUN=1, where
every training epoch and every evaluation stops after one batch. The numbers mean nothing; the
test proves that no cell of the book's branch fails (a wrong shape, a missing name, a recipe
that does not fit its data), as an instructor's dry run before a class would."""
import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
TRAINING = ["05-lenet", "06-alexnet", "07-vgg", "08-nin", "10-batch-norm", "11-resnet", "12-augmentation",
            "13-fine-tuning"]


@pytest.mark.parametrize("name", TRAINING)
def test_the_full_profile_runs_as_a_dry_run(name, monkeypatch):
    for key, value in {"D2L_PROFILE": "full", "D2L_DRY_RUN": "1", "D2L_DEVICE": "cpu", "TQDM_DISABLE": "1",
                       "MPLBACKEND": "Agg"}.items():
        monkeypatch.setenv(key, value)
    path = ROOT / "notebooks" / f"{name}.ipynb"
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=900, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()   # raises on a failing cell
    printed = "".join(out.get("text", "") for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs)
    assert "profile 'full'" in printed and "Dry run (D2L_DRY_RUN=1)" in printed
    assert not list((ROOT / "checkpoints").glob("*-full.pt")) or os.environ.get("KEEP_FULL_CHECKPOINTS")
