"""scripts/student_edition.py: solutions out, questions and self-checks in, and the edition runs."""
import re
from pathlib import Path

import pytest

import script_module
from d2lhelpers.structure import (CHECK_CALL, EXERCISE, EXERCISES_SECTION, read_cells as cells, source,  # read one way
                                  tags)

ROOT = Path(__file__).resolve().parent.parent
ENGLISH = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
NOTEBOOKS = ENGLISH + sorted((ROOT / "notebooks").glob("*/[0-9][0-9]-*.ipynb"))     # and the Chinese edition's
WITH_EXERCISES = [p for p in NOTEBOOKS if any(EXERCISE.search(source(c)) for c in cells(p))]
BANNER = {"notebooks": "Student edition", "zh": "学生版"}
NOT_ANSWERED = {"notebooks": "… not answered yet", "zh": "… 尚未作答"}


def name(path):
    return str(path.relative_to(ROOT / "notebooks"))


def student_path(edition, path):
    """Where the student edition of a notebook is: student/NN.ipynb, or student/zh/NN.ipynb."""
    return edition / name(path)


def load_script():
    return script_module.load("scripts/student_edition.py")


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    out = tmp_path_factory.mktemp("student")
    written = load_script().main(["--out", str(out)])
    assert sorted(str(p.relative_to(out)) for p in written) == sorted(name(p) for p in NOTEBOOKS)
    return out


def test_exercise_notebooks_are_found():
    assert len([p for p in WITH_EXERCISES if p in ENGLISH]) >= 8, [p.name for p in WITH_EXERCISES]


@pytest.mark.parametrize("path", WITH_EXERCISES, ids=name)
def test_no_solution_survives(path, edition):
    original, student = cells(path), cells(student_path(edition, path))
    assert not [c for c in student if "solution" in tags(c)]
    kept = "\n".join(source(c) for c in original if "solution" not in tags(c))
    text = "\n".join(source(c) for c in student)
    for cell in (c for c in original if "solution" in tags(c)):
        assert source(cell).strip() not in text
        # every distinctive line of a solution (one the rest of the notebook does not share) is gone
        for line in source(cell).splitlines():
            line = line.strip()
            if len(line) >= 25 and line not in kept:
                assert line not in text, f"solution line kept: {line!r}"


@pytest.mark.parametrize("path", WITH_EXERCISES, ids=name)
def test_questions_placeholders_and_checks_remain(path, edition):
    original, student = cells(path), cells(student_path(edition, path))
    # every cell that is not a solution is kept, in order and with the same source
    assert [source(c) for c in original if "solution" not in tags(c)] == \
           [source(c) for c in student if not {"answer", "student-edition"} & set(tags(c))]
    headings = [int(m) for c in student for m in EXERCISE.findall(source(c))]
    assert headings == list(range(1, len(headings) + 1)) and headings
    # one answer cell per run of solution cells, each naming its exercise
    runs = sum(1 for i, c in enumerate(original)
               if "solution" in tags(c) and (i == 0 or "solution" not in tags(original[i - 1])))
    answers = [c for c in student if "answer" in tags(c)]
    assert len(answers) == runs
    named = {int(m) for c in answers for m in re.findall(r"(?:exercise|练习) (\d+)", source(c))}
    assert named == set(headings), "an exercise without a place for its answer"
    assert all(c["cell_type"] == "markdown" or c["outputs"] == [] for c in answers)
    banner = BANNER[path.parent.name]
    assert banner in source(student[1]) or banner in source(student[2])
    import nbformat

    nbformat.validate(nbformat.reads(student_path(edition, path).read_text(encoding="utf-8"), as_version=4))


@pytest.mark.parametrize("path", WITH_EXERCISES, ids=name)
def test_exercise_outputs_are_cleared_and_teaching_outputs_kept(path, edition):
    student = cells(student_path(edition, path))
    start = next(i for i, c in enumerate(student) if EXERCISES_SECTION.search(source(c)))
    assert all(not c.get("outputs") for c in student[start:]), "an exercise output survived"
    assert any(c.get("outputs") for c in student[:start]), "the teaching part lost its outputs"


def test_missing_notebook_is_refused(tmp_path, capsys):
    with pytest.raises(SystemExit):
        load_script().main(["--out", str(tmp_path), str(tmp_path / "nope.ipynb")])
    assert "no such notebook" in capsys.readouterr().err


@pytest.mark.parametrize("path", WITH_EXERCISES, ids=name)
def test_student_edition_runs_and_checks_say_not_answered(path, edition):
    """Executed top to bottom (in the notebook's own folder, as a student would), nothing fails
    and every self-check says 'not answered yet'."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(student_path(edition, path), as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" and CHECK_CALL.search(c.source) for o in c.outputs]
    texts = ["".join(o.get("text", "")) for o in outputs]
    assert texts and all(t.startswith(NOT_ANSWERED[path.parent.name]) for t in texts), texts


def test_an_output_folder_holding_the_notebooks_is_refused(tmp_path, capsys):
    notebook = tmp_path / "05-x.ipynb"
    notebook.write_text((ROOT / "notebooks" / "04-pooling.ipynb").read_text(encoding="utf-8"), encoding="utf-8")
    before = notebook.read_bytes()
    with pytest.raises(SystemExit) as exit_info:
        load_script().main(["--out", str(tmp_path), str(notebook)])
    assert exit_info.value.code == 1 and "holds the notebooks it is built from" in capsys.readouterr().err
    assert notebook.read_bytes() == before


def test_a_malformed_exercise_stops_the_build_naming_it(tmp_path, capsys):
    import json

    nb = json.loads((ROOT / "notebooks" / "04-pooling.ipynb").read_text(encoding="utf-8"))
    for i in structure_exercises(nb)[2]:  # untag exercise 2's solutions: they would reach students
        nb["cells"][i]["metadata"]["tags"].remove("solution")
    bad = tmp_path / "in" / "04-pooling.ipynb"
    bad.parent.mkdir()
    bad.write_text(json.dumps(nb), encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        load_script().main(["--out", str(tmp_path / "out"), str(bad)])
    err = capsys.readouterr().err
    assert exit_info.value.code == 1 and "04-pooling.ipynb: exercise 2:" in err, err
    assert not (tmp_path / "out").exists()


def test_a_notebook_it_did_not_write_is_never_overwritten(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    mine = out / "04-pooling.ipynb"
    mine.write_text("my own notes", encoding="utf-8")
    with pytest.raises(SystemExit):
        load_script().main(["--out", str(out), str(ROOT / "notebooks" / "04-pooling.ipynb")])
    assert "is not a student edition this builder wrote" in capsys.readouterr().err
    assert mine.read_text(encoding="utf-8") == "my own notes"
    mine.unlink()
    load_script().main(["--out", str(out), str(ROOT / "notebooks" / "04-pooling.ipynb")])
    load_script().main(["--out", str(out), str(ROOT / "notebooks" / "04-pooling.ipynb")])  # its own: rebuilt


def structure_exercises(nb):
    from d2lhelpers.structure import exercises

    return exercises(nb["cells"])


def test_a_students_answers_are_never_overwritten_by_a_rebuild(tmp_path, capsys):
    import json

    out, source = tmp_path / "student", str(ROOT / "notebooks" / "04-pooling.ipynb")
    load_script().main(["--out", str(out), source])
    edition = out / "04-pooling.ipynb"
    load_script().main(["--out", str(out), source])            # unchanged: rebuilt freely
    nb = json.loads(edition.read_text(encoding="utf-8"))
    answer = next(c for c in nb["cells"] if "answer" in tags(c))
    answer["source"] = ["my answer: 14 x 14"]
    edition.write_text(json.dumps(nb), encoding="utf-8")
    before = edition.read_bytes()
    with pytest.raises(SystemExit):
        load_script().main(["--out", str(out), source])
    assert "has been edited since it was built" in capsys.readouterr().err
    assert edition.read_bytes() == before


def test_inputs_that_would_collide_or_are_not_notebooks_are_refused(tmp_path, capsys):
    other = tmp_path / "copy" / "04-pooling.ipynb"
    other.parent.mkdir()
    other.write_text((ROOT / "notebooks" / "04-pooling.ipynb").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(SystemExit):
        load_script().main(["--out", str(tmp_path / "out"), str(ROOT / "notebooks" / "04-pooling.ipynb"), str(other)])
    assert "share the name 04-pooling.ipynb" in capsys.readouterr().err
    broken = tmp_path / "broken.ipynb"
    broken.write_text("not json")
    with pytest.raises(SystemExit):
        load_script().main(["--out", str(tmp_path / "out"), str(broken)])
    assert "is not a notebook" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        load_script().main(["--out", str(broken), str(ROOT / "notebooks" / "04-pooling.ipynb")])
    assert "is a file; give a folder" in capsys.readouterr().err


@pytest.mark.parametrize("path", WITH_EXERCISES, ids=name)
def test_no_check_cell_shows_its_answer(path, edition):
    """Every self-check of the student edition names its question's numbers or an exercise key, never
    the expected value or its worked reasoning (and its committed output is cleared)."""
    from d2lhelpers import check

    student = cells(student_path(edition, path))
    check_cells = [c for c in student if c["cell_type"] == "code" and CHECK_CALL.search(source(c))]
    assert check_cells
    for cell in check_cells:
        text = source(cell)
        assert "check.value(" not in text, f"a literal expected value in a check cell: {text!r}"
        assert "why=" not in text and not cell.get("outputs"), text
        for key in re.findall(r'check\.exercise\("([^"]+)"', text):
            entry = check.entry(key)
            assert entry["why"] not in text and f"{entry['expected']}" not in text
