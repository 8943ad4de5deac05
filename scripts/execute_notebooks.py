"""Execute notebooks in place, the way their committed outputs are made.

    .venv/bin/python scripts/execute_notebooks.py [--profile quick] [notebooks/NN-*.ipynb ...]
    (no notebooks named: every notebook, the Chinese edition's in notebooks/zh/ too)

Runs every cell top to bottom in a fresh kernel started in the notebook's
folder (as JupyterLab and nbval do; in notebooks/zh/ the helpers speak Chinese), then removes what would only be noise in a diff:
per-cell timing metadata and saved widget state. Execution counts are kept
(nbval needs them), and consecutive prints are joined into one output.
Progress bars are off (a frozen bar says nothing). The profile defaults to
this machine's (quick on a CPU, full on a GPU).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent


def execute(path: Path, timeout: int) -> float:
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}},
                   record_timing=False, store_widget_state=True).execute()  # state is dropped below
    seconds = time.perf_counter() - start
    nbformat.write(tidy(nb), path)
    return seconds


def tidy(nb):
    """Drop widget state and timing metadata; join consecutive stream outputs of one kind
    (how a print is cut into messages varies from run to run)."""
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        joined = []
        for out in cell.outputs:
            if (out.output_type == "stream" and joined and joined[-1].output_type == "stream"
                    and joined[-1].name == out.name):
                joined[-1].text += out.text
            else:
                joined.append(out)
        cell.outputs = joined
    return nb


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--profile", choices=["full", "quick", "ci"], help="default: this machine's")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds per cell")
    args = parser.parse_args()
    os.environ["TQDM_DISABLE"] = "1"
    if args.profile:
        os.environ["D2L_PROFILE"] = args.profile
    paths = args.notebooks or (sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
                               + sorted((ROOT / "notebooks").glob("*/[0-9]*.ipynb")))   # and the editions
    for path in paths:
        print(f"{path.name}: {execute(path.resolve(), args.timeout):.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
