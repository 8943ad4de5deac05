"""Build the student edition of the notebooks: the exercises without their solutions.

Every run of consecutive cells tagged ``solution`` becomes one empty cell that says where the
answer goes (tagged ``answer``); every output from the "## Exercises" heading on is cleared
(the committed self-check outputs would give the answers away). The teaching part keeps its
outputs, and the questions, answer placeholders (``answer_N = ...``) and self-check cells stay.

    python scripts/student_edition.py                 # notebooks/*.ipynb -> student/
    python scripts/student_edition.py --out DIR NB.ipynb ...

``student/`` is git-ignored: the edition is built from the notebooks whenever it is needed, so
it can never be stale.
"""
from __future__ import annotations

import argparse
import copy
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXERCISE = re.compile(r"^### Exercise (\d+)", flags=re.MULTILINE)
BANNER = ("> **Student edition.** The exercises' solutions are left out: write yours in the cells "
          "marked *your answer here*. Where an answer is a number or a shape, the self-check cell "
          "below it tells you whether it is right (and says *not answered yet* until you replace "
          "the `...`).")


def _source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _tags(cell: dict) -> list:
    return cell.get("metadata", {}).get("tags", [])


def _lines(text: str) -> list:
    return text.splitlines(keepends=True)


def _placeholder(group: list, exercise, number: int) -> dict:
    """One empty cell for a run of solution cells: code if the run had code, else markdown."""
    where = f"exercise {exercise}" if exercise is not None else "this exercise"
    cell_id = f"answer-{number}"
    if any(c["cell_type"] == "code" for c in group):
        return {"cell_type": "code", "execution_count": None, "id": cell_id, "metadata": {"tags": ["answer"]},
                "outputs": [], "source": _lines(f"# Your answer here ({where}): code, and markdown cells for prose.\n")}
    return {"cell_type": "markdown", "id": cell_id, "metadata": {"tags": ["answer"]},
            "source": _lines(f"*Your answer here ({where}).*")}


def student_notebook(nb: dict) -> dict:
    """The student edition of one notebook (a new dict; ``nb`` is not changed)."""
    nb = copy.deepcopy(nb)
    cells, group, exercise, in_exercises = [], [], None, False

    def flush():
        if group:
            cells.append(_placeholder(group, exercise, sum("answer" in _tags(c) for c in cells) + 1))
            group.clear()

    for cell in nb["cells"]:
        text = _source(cell)
        if cell["cell_type"] == "markdown" and re.search(r"^## Exercises", text, flags=re.MULTILINE):
            in_exercises = True
        if "solution" in _tags(cell):
            group.append(cell)
            continue
        flush()
        heading = EXERCISE.search(text) if cell["cell_type"] == "markdown" else None
        if heading:
            exercise = int(heading.group(1))
        if in_exercises and cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
        cells.append(cell)
    flush()
    if any("answer" in _tags(c) for c in cells):
        title = next((i for i, c in enumerate(cells) if c["cell_type"] == "markdown"), -1)
        cells.insert(title + 1, {"cell_type": "markdown", "id": "student-edition",
                                 "metadata": {"tags": ["student-edition"]},
                                 "source": _lines(BANNER)})
    nb["cells"] = cells
    return nb


def build(paths, out: Path) -> list:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in paths:
        nb = json.loads(Path(path).read_text(encoding="utf-8"))
        target = out / Path(path).name
        target.write_text(json.dumps(student_notebook(nb), indent=1, ensure_ascii=False, sort_keys=True) + "\n",
                          encoding="utf-8")
        written.append(target)
    return written


def main(argv=None) -> list:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/*.ipynb")
    parser.add_argument("--out", type=Path, default=ROOT / "student", help="default: student/")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    if not paths:
        parser.error("no notebooks found")
    missing = [str(p) for p in paths if not Path(p).is_file()]
    if missing:
        parser.error(f"no such notebook: {', '.join(missing)}")
    written = build(paths, args.out)
    for target in written:
        print(f"written: {target}")
    return written


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
