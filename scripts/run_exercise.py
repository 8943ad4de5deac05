"""Run one exercise of a notebook from the command line, and print what its cells show.

The notebook's teaching part (every cell before "## Exercises") runs first, since exercises use
its functions and data; then the cells shared by all exercises (the exercise section's set-up)
and the chosen exercise's cells, from its "### Exercise N" heading to the next heading. Text
outputs are printed; figures are saved as PNG files when ``--figures DIR`` is given. Nothing is
written back to the notebook.

    python scripts/run_exercise.py notebooks/04-pooling.ipynb 8
    D2L_PROFILE=quick python scripts/run_exercise.py notebooks/05-lenet.ipynb 3 --figures out/
    python scripts/run_exercise.py student/04-pooling.ipynb 8     # what a student starts from
"""
from __future__ import annotations

import argparse
import base64
import re
import sys
import time
from pathlib import Path

from d2lhelpers.structure import exercise_number, opens_exercises


def select(nb, number: int):
    """The cells to run: the teaching part, the exercises' shared set-up, exercise ``number``.
    Returns (cells, index of the first cell of the exercise within them)."""
    cells, keep, start, found, in_exercises = [], True, None, False, False
    for cell in nb.cells:
        markdown = cell.cell_type == "markdown"
        heading = exercise_number(cell)
        if opens_exercises(cell):
            in_exercises = True
            cells.append(cell)                            # the section's introduction: always shown
            if heading is not None:                       # ... which may open exercise 1 as well
                keep = heading == number
                found, start = (True, len(cells) - 1) if keep else (found, start)
            continue
        if heading is not None:
            keep = heading == number
            if keep:
                found, start = True, len(cells)
        elif markdown and in_exercises and re.match(r"^## ", cell.source):
            keep = False                                  # "## Further reading" and the like
        if keep:
            cells.append(cell)
    if not found:
        numbers = [n for n in map(exercise_number, nb.cells) if n is not None]
        raise SystemExit(f"no exercise {number} here; the exercises are {numbers or 'none'}")
    return cells, start


def main(argv=None) -> int:
    import nbformat
    from nbclient import NotebookClient

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebook", type=Path)
    parser.add_argument("exercise", type=int)
    parser.add_argument("--figures", type=Path, default=None, help="folder for the exercise's figures (PNG)")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds one cell may take (default 1800)")
    args = parser.parse_args(argv)
    if not args.notebook.is_file():
        parser.error(f"no such notebook: {args.notebook}")
    nb = nbformat.read(args.notebook, as_version=4)
    nb.cells, start = select(nb, args.exercise)
    print(f"{args.notebook}: running the teaching part and "
          f"exercise {args.exercise} ({len(nb.cells)} cells)", flush=True)
    began = time.perf_counter()
    NotebookClient(nb, timeout=args.timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(args.notebook.resolve().parent)}}).execute()
    figures = 0
    for cell in nb.cells[start:]:
        if cell.cell_type == "markdown":
            print("\n" + cell.source.strip())
            continue
        print("\n>>> " + cell.source.strip().replace("\n", "\n... "))
        for out in cell.get("outputs", []):
            text = out.get("text") or out.get("data", {}).get("text/plain")
            if out.get("data", {}).get("image/png"):
                figures += 1
                if args.figures:
                    args.figures.mkdir(parents=True, exist_ok=True)
                    target = args.figures / f"exercise-{args.exercise}-{figures}.png"
                    target.write_bytes(base64.b64decode(out["data"]["image/png"]))
                    print(f"[figure saved: {target}]")
                else:
                    print("[figure: give --figures DIR to save it]")
            elif text:
                print(text.rstrip())
    print(f"\ndone in {time.perf_counter() - began:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
