"""The chapter notebooks' structure: exercises with solutions a student edition can strip,
and self-checks that survive the stripping (read by d2lhelpers.structure, as the builder does)."""
from pathlib import Path

import pytest

from d2lhelpers import structure
from d2lhelpers.structure import read_cells as cells, source, tags  # noqa: F401  (shared with other tests)

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted(p for p in (ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb") if not p.name.startswith("00-"))
CHAPTERS += sorted(p for p in (ROOT / "notebooks").glob("*/[0-9][0-9]-*.ipynb") if not p.name.startswith("00-"))


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: str(p.relative_to(ROOT / "notebooks")))
def test_every_exercise_has_a_tagged_solution(path):
    exercises = structure.exercises(cells(path))
    assert exercises, f"{path.name} has no '### Exercise N' headings"
    assert list(exercises) == list(range(1, len(exercises) + 1)), f"exercises out of order: {list(exercises)}"
    assert all(exercises.values()), f"exercises without a solution cell: {[n for n, c in exercises.items() if not c]}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: str(p.relative_to(ROOT / "notebooks")))
def test_notebook_is_well_formed_for_a_student_edition(path):
    """No solution that would survive stripping, no check that would lose its placeholder."""
    assert structure.problems(cells(path)) == []
    checks = sum(len(structure.CHECK_CALL.findall(source(c))) for c in cells(path) if "solution" not in tags(c))
    assert checks, f"{path.name} has no self-check"


def nb(*specs):
    """Cells from (type, source) or (type, source, tags) tuples."""
    return [{"cell_type": spec[0], "source": spec[1], "metadata": {"tags": list(spec[2]) if len(spec) > 2 else []}}
            for spec in specs]


def test_problems_names_each_malformed_exercise():
    good = nb(("markdown", "## Exercises\n"), ("markdown", "### Exercise 1\nQ?"), ("code", "x = 1", ("solution",)),
              ("code", "answer_1 = ..."), ("code", "check.value(answer_1, 1, what='x')"))
    assert structure.problems(good) == []
    untagged = good[:2] + [{"cell_type": "code", "source": "x = 1", "metadata": {}}] + good[3:]
    assert structure.problems(untagged) == ["exercise 1: no cell tagged solution (its answer would reach students)"]
    no_placeholder = good[:3] + good[4:]
    assert structure.problems(no_placeholder) == [
        "exercise 1: answer_1 is checked before a placeholder 'answer_1 = ...' defines it"]
    check_in_solution = good[:2] + nb(("code", "check.value(1, 1, what='x')", ("solution",)))
    assert "exercise 1: a solution cell calls a self-check" in structure.problems(check_in_solution)[0]
    text_before = nb(("markdown", "## Exercises\n"), ("markdown", "answer of 0\n### Exercise 1\nQ"),
                     ("code", "y", ("solution",)))
    assert "exercise 1: text before its heading" in structure.problems(text_before)[0]
    order = nb(("markdown", "## Exercises"), ("markdown", "### Exercise 2"), ("code", "y", ("solution",)))
    assert structure.problems(order) == ["exercises out of order: [2]"]
