"""Build the student edition of the notebooks: the exercises without their solutions.

Every run of consecutive cells tagged ``solution`` becomes one empty cell that says where the
answer goes (tagged ``answer``); every output from the "## Exercises" heading on is cleared
(the committed self-check outputs would give the answers away). The teaching part keeps its
outputs, and the questions, answer placeholders (``answer_N = ...``) and self-check cells stay.

    python scripts/student_edition.py                 # notebooks/*.ipynb -> student/, notebooks/zh/ -> student/zh/
    python scripts/student_edition.py --out DIR NB.ipynb ...

``student/`` is git-ignored: the edition is built from the notebooks whenever it is needed, so
it can never be stale. The builder refuses an output folder that holds its input notebooks, never
overwrites a notebook it did not write, and stops (exit 1) on a malformed exercise, naming the
notebook and the exercise: a student edition must never ship a solution.
"""
from __future__ import annotations

import argparse
import copy
import hashlib
import json
import sys
from pathlib import Path

from d2lhelpers.structure import exercise_number, is_solution, opens_exercises, problems, tags

ROOT = Path(__file__).resolve().parent.parent
MARK = "d2l_student_edition"  # notebook metadata of every file this builder writes
EDITION = "d2l_edition"       # notebook metadata of a translated edition: its language
BANNER = {
    "en": ("> **Student edition.** The exercises' solutions are left out: write yours in the cells "
           "marked *your answer here*. Where an answer is a number or a shape, the self-check cell "
           "below it tells you whether it is right (and says *not answered yet* until you replace "
           "the `...`)."),
    "zh": ("> **学生版。** 练习的解答已经去掉：请把你的答案写在标有 *在这里写你的答案* 的单元格中。"
           "答案是一个数或一个形状时，它下面的自测单元格会告诉你是否正确（在你替换掉 `...` 之前，"
           "它会显示 *尚未作答*）。"),
}
ANSWER = {"en": ("# Your answer here ({where}): code, and markdown cells for prose.\n", "*Your answer here ({where}).*",
                 "exercise {n}", "this exercise"),
          "zh": ("# 在这里写你的答案（{where}）：代码写在这里，文字说明写在 Markdown 单元格中。\n",
                 "*在这里写你的答案（{where}）。*", "练习 {n}", "本练习")}


class MalformedNotebook(ValueError):
    """A notebook whose student edition would be wrong."""


def _lines(text: str) -> list:
    return text.splitlines(keepends=True)


def _placeholder(group: list, exercise, number: int, lang: str = "en") -> dict:
    """One empty cell for a run of solution cells: code if the run had code, else markdown."""
    code, prose, named, unnamed = ANSWER[lang]
    where = named.format(n=exercise) if exercise is not None else unnamed
    cell_id = f"answer-{number}"
    if any(c["cell_type"] == "code" for c in group):
        return {"cell_type": "code", "execution_count": None, "id": cell_id, "metadata": {"tags": ["answer"]},
                "outputs": [], "source": _lines(code.format(where=where))}
    return {"cell_type": "markdown", "id": cell_id, "metadata": {"tags": ["answer"]},
            "source": _lines(prose.format(where=where))}


def student_notebook(nb: dict) -> dict:
    """The student edition of one notebook (a new dict; ``nb`` is not changed)."""
    nb = copy.deepcopy(nb)
    lang = nb.get("metadata", {}).get(EDITION, "en")
    lang = lang if lang in BANNER else "en"
    cells, group, exercise, in_exercises = [], [], None, False

    def flush():
        if group:
            cells.append(_placeholder(group, exercise, sum("answer" in tags(c) for c in cells) + 1, lang))
            group.clear()

    for cell in nb["cells"]:
        if opens_exercises(cell):
            in_exercises = True
        if is_solution(cell):
            group.append(cell)
            continue
        flush()
        if exercise_number(cell) is not None:
            exercise = exercise_number(cell)
        if in_exercises and cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
        cells.append(cell)
    flush()
    if any("answer" in tags(c) for c in cells):
        title = next((i for i, c in enumerate(cells) if c["cell_type"] == "markdown"), -1)
        cells.insert(title + 1, {"cell_type": "markdown", "id": "student-edition",
                                 "metadata": {"tags": ["student-edition"]},
                                 "source": _lines(BANNER[lang])})
    nb["cells"] = cells
    nb.setdefault("metadata", {})[MARK] = _fingerprint(cells)
    return nb


def _fingerprint(cells) -> str:
    """A hash of the cells' sources: a student edition whose cells were edited (a student's
    answers) no longer matches the fingerprint it was written with."""
    text = json.dumps([(c["cell_type"], "".join(c["source"]) if isinstance(c["source"], list) else c["source"])
                       for c in cells], ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _unchanged_edition(target: Path) -> str | None:
    """None when ``target`` is a student edition this builder wrote, unchanged since; else why not."""
    try:
        nb = json.loads(target.read_text(encoding="utf-8"))
        mark = nb.get("metadata", {}).get(MARK)
    except (OSError, ValueError, AttributeError):
        return "is not a student edition this builder wrote"
    if not mark:
        return "is not a student edition this builder wrote"
    if mark is not True and mark != _fingerprint(nb.get("cells", [])):
        return "has been edited since it was built (answers written in it?)"
    return None


def build(paths, out: Path) -> list:
    """Write the student edition of each notebook in ``paths`` into ``out``; every check comes
    before the first file is written."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise MalformedNotebook(f"--out {out} is a file; give a folder (default: student/).")
    names = [Path(p).name for p in paths]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise MalformedNotebook(f"two input notebooks share the name {', '.join(repeated)}: their student "
                                f"editions would overwrite each other in {out}.")
    inputs = {Path(p).resolve() for p in paths}
    if any(p.parent == out.resolve() for p in inputs):
        raise MalformedNotebook(f"the output folder {out} holds the notebooks it is built from; the student "
                                f"edition would overwrite them. Choose another --out (default: student/).")
    editions = []
    for path in paths:
        try:
            nb = json.loads(Path(path).read_text(encoding="utf-8"))
            cells = nb["cells"]
        except (ValueError, KeyError, TypeError):
            raise MalformedNotebook(f"{path} is not a notebook (JSON with a list of cells).") from None
        found = problems(cells)
        if found:
            raise MalformedNotebook(f"{Path(path).name}: " + "; ".join(found)
                                    + ". Fix the notebook before building its student edition.")
        target = out / Path(path).name
        why = _unchanged_edition(target) if target.exists() else None
        if why:
            raise MalformedNotebook(f"{target} {why}; it is left alone. Move it, or choose another --out.")
        editions.append((target, student_notebook(nb)))
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for target, nb in editions:
        target.write_text(json.dumps(nb, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
        written.append(target)
    return written


def main(argv=None) -> list:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="default: notebooks/*.ipynb, and each edition's notebooks/<lang>/*.ipynb into <out>/<lang>/")
    parser.add_argument("--out", type=Path, default=ROOT / "student", help="default: student/")
    args = parser.parse_args(argv)
    if args.notebooks:
        batches = [(args.notebooks, args.out)]
    else:
        batches = [(sorted((ROOT / "notebooks").glob("*.ipynb")), args.out)]
        batches += [(sorted(folder.glob("*.ipynb")), args.out / folder.name)
                    for folder in sorted((ROOT / "notebooks").iterdir()) if folder.is_dir() and folder.name in BANNER]
    paths = [p for batch, _ in batches for p in batch]
    if not paths:
        parser.error("no notebooks found")
    missing = [str(p) for p in paths if not Path(p).is_file()]
    if missing:
        parser.error(f"no such notebook: {', '.join(missing)}")
    try:
        written = [target for batch, out in batches if batch for target in build(batch, out)]
    except MalformedNotebook as err:
        print(f"error: {err}", file=sys.stderr)
        raise SystemExit(1) from None
    for target in written:
        print(f"written: {target}")
    return written


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
