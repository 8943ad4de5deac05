"""The chapter notebooks' structure: exercises with solutions a student edition can strip,
and self-checks that survive the stripping."""
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted(p for p in (ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb") if not p.name.startswith("00-"))


def cells(path):
    return json.loads(path.read_text())["cells"]


def source(cell):
    return "".join(cell["source"])


def tags(cell):
    return cell.get("metadata", {}).get("tags", [])


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_every_exercise_has_a_tagged_solution(path):
    exercises, current = {}, None
    for cell in cells(path):
        heading = re.search(r"^### Exercise (\d+)", source(cell), flags=re.MULTILINE)
        if cell["cell_type"] == "markdown" and heading:
            # a heading opens its cell: text before it would be the previous answer, untagged
            assert source(cell).startswith(("### Exercise", "## Exercises")), f"text before {heading.group(0)!r}"
            current = int(heading.group(1))
            exercises[current] = 0
        elif current is not None and "solution" in tags(cell):
            exercises[current] += 1
    assert exercises, f"{path.name} has no '### Exercise N' headings"
    assert list(exercises) == list(range(1, len(exercises) + 1)), f"exercises out of order: {list(exercises)}"
    assert all(exercises.values()), f"exercises without a solution cell: {[n for n, c in exercises.items() if not c]}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_self_checks_stay_in_the_student_edition(path):
    """Checks and answer placeholders are untagged; solutions never call a check."""
    placeholders, checks = set(), 0
    for cell in cells(path):
        text = source(cell)
        if "solution" in tags(cell):
            assert "check." not in text, f"a solution cell calls a check: {text[:60]!r}"
            continue
        placeholders |= set(re.findall(r"^(answer_\w+) = \.\.\.", text, flags=re.MULTILINE))
        for name in re.findall(r"check\.\w+\((answer_\w+)", text):
            checks += 1
            assert name in placeholders, f"{name} is checked before a placeholder '{name} = ...' defines it"
    assert checks, f"{path.name} has no self-check"
