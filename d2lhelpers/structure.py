"""The chapter notebooks' structure, read in one place: the exercises section, the
``### Exercise N`` headings (``### 练习 N`` in the Chinese edition), the cells tagged ``solution``, answer placeholders and self-checks.

The student-edition builder, the one-exercise runner and the tests all read notebooks through
these functions, so that they agree on what an exercise is. :func:`problems` lists what would
make a student edition wrong (a solution that would survive, an exercise without a place for
its answer), each naming the exercise.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

#: the headings, in English and in the Chinese edition ("## 练习", "### 练习 N")
EXERCISE = re.compile(r"^### (?:Exercise|练习) (\d+)", flags=re.MULTILINE)
EXERCISES_SECTION = re.compile(r"^## (?:Exercises|练习)(?!\w)", flags=re.MULTILINE)
HEADINGS = ("### Exercise", "## Exercises", "### 练习", "## 练习")
PLACEHOLDER = re.compile(r"^(answer_\w+) = \.\.\.", flags=re.MULTILINE)
CHECK_CALL = re.compile(r"check\.\w+\((?:\"[^\"]*\",\s*)?(answer_\w+)")


def read_cells(path: str | Path) -> list[dict]:
    return json.loads(Path(path).read_text(encoding="utf-8"))["cells"]


def source(cell) -> str:
    text = cell["source"]
    return "".join(text) if isinstance(text, list) else text


def tags(cell) -> list:
    return cell.get("metadata", {}).get("tags", [])


def is_solution(cell) -> bool:
    return "solution" in tags(cell)


def opens_exercises(cell) -> bool:
    """The markdown cell that starts the "## Exercises" section."""
    return cell["cell_type"] == "markdown" and bool(EXERCISES_SECTION.search(source(cell)))


def exercise_number(cell) -> int | None:
    """N for a markdown cell holding a "### Exercise N" heading, else None."""
    if cell["cell_type"] != "markdown":
        return None
    match = EXERCISE.search(source(cell))
    return int(match.group(1)) if match else None


def exercises(cells) -> dict[int, list[int]]:
    """Each exercise's number and the indices of its solution cells, in order."""
    found: dict[int, list[int]] = {}
    current = None
    for i, cell in enumerate(cells):
        number = exercise_number(cell)
        if number is not None:
            current = number
            found.setdefault(number, [])
        elif current is not None and is_solution(cell):
            found[current].append(i)
    return found


def problems(cells) -> list[str]:
    """What is malformed, each as 'exercise N: ...' (empty when the notebook is well formed)."""
    found: list[str] = []
    current, in_exercises, placeholders, numbers = None, False, set(), []
    for i, cell in enumerate(cells):
        text = source(cell)
        where = f"exercise {current}" if current is not None else f"cell {i}"
        if opens_exercises(cell):
            in_exercises = True
        number = exercise_number(cell)
        if number is not None:
            if not text.startswith(HEADINGS):
                found.append(f"exercise {number}: text before its heading in the same cell (it would be "
                             f"kept as a question, even if it is an answer)")
            if is_solution(cell):
                found.append(f"exercise {number}: the heading's cell is tagged solution")
            current = number
            numbers.append(number)
            continue
        if is_solution(cell):
            if not in_exercises or current is None:
                found.append(f"{where}: a cell tagged solution outside the exercises")
            if "check." in text:
                found.append(f"{where}: a solution cell calls a self-check (it would vanish with the solution)")
            if PLACEHOLDER.search(text):
                found.append(f"{where}: an answer placeholder inside a solution cell (it would vanish)")
            continue
        placeholders |= set(PLACEHOLDER.findall(text))
        for name in CHECK_CALL.findall(text):
            if name not in placeholders:
                found.append(f"{where}: {name} is checked before a placeholder '{name} = ...' defines it")
    if numbers != list(range(1, len(numbers) + 1)):
        found.append(f"exercises out of order: {numbers}")
    for number, solutions in exercises(cells).items():
        if not solutions:
            found.append(f"exercise {number}: no cell tagged solution (its answer would reach students)")
    return found
