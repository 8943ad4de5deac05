"""scripts/run_exercise.py: one exercise with the teaching part it needs, from the command line."""
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "run_exercise.py"
sys.path.insert(0, str(ROOT / "scripts"))
import run_exercise  # noqa: E402


def test_selects_teaching_part_shared_setup_and_one_exercise():
    nb = nbformat.read(ROOT / "notebooks" / "05-lenet.ipynb", as_version=4)
    cells, start = run_exercise.select(nb, 3)
    sources = [c.source for c in cells]
    assert sources[start].startswith("### Exercise 3")
    assert any(s.startswith("exercise_recipe = recipes.QUICK") for s in sources[:start]), "shared set-up left out"
    assert not any(s.startswith(("### Exercise 1", "### Exercise 2", "### Exercise 4")) for s in sources)
    assert not any(s.startswith("## Further reading") for s in sources)
    teaching = next(i for i, c in enumerate(nb.cells) if c.source.startswith("## Exercises"))
    assert sources[:teaching] == [c.source for c in nb.cells[:teaching]], "the teaching part must run whole"


def test_exercise_one_in_the_section_heading_cell():
    nb = nbformat.read(ROOT / "notebooks" / "04-pooling.ipynb", as_version=4)
    cells, start = run_exercise.select(nb, 1)
    assert "### Exercise 1" in cells[start].source and "### Exercise 2" not in "".join(c.source for c in cells)


def test_unknown_exercise_names_the_ones_there_are():
    nb = nbformat.read(ROOT / "notebooks" / "04-pooling.ipynb", as_version=4)
    with pytest.raises(SystemExit, match=r"no exercise 42 here; the exercises are \[1, 2"):
        run_exercise.select(nb, 42)


def test_runs_one_exercise_and_prints_its_check(tmp_path):
    env = dict(os.environ, D2L_PROFILE="ci", TQDM_DISABLE="1")
    done = subprocess.run([sys.executable, str(SCRIPT), str(ROOT / "notebooks" / "04-pooling.ipynb"), "8"],
                          env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    assert "### Exercise 8" in out and "### Exercise 7" not in out and "### Exercise 9" not in out
    assert "✓" in out and "not answered yet" not in out     # the solution ran, then its check
    assert "done in" in out
