"""d2lhelpers.edition and scripts/build_edition.py: an edition takes its code from the English
notebook and its prose from stored translations, and a missing or stale translation is found."""
import json
import re
from pathlib import Path

import pytest

import script_module

from d2lhelpers import edition

ROOT = Path(__file__).resolve().parent.parent


def notebook(*cells):
    """A notebook from (type, id, source) triples."""
    out = []
    for kind, cid, text in cells:
        cell = {"cell_type": kind, "id": cid, "metadata": {}, "source": text.splitlines(keepends=True)}
        if kind == "code":
            cell.update(outputs=[{"output_type": "stream", "name": "stdout", "text": ["4\n"]}], execution_count=1)
        out.append(cell)
    return {"cells": out, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


ENGLISH = notebook(("markdown", "m1", "# 01 · Convolution\n\nThe kernel slides."), ("code", "c1", "print(2 + 2)"),
                   ("markdown", "m2", "## Exercises"))
TRANSLATIONS = {"m1": edition.translation_entry("# 01 · Convolution\n\nThe kernel slides.", "# 01 · 卷积\n\n卷积核滑动。"),
                "m2": edition.translation_entry("## Exercises", "## 练习")}


def test_an_edition_has_the_english_code_and_the_translated_prose():
    assert edition.problems(ENGLISH, TRANSLATIONS) == []
    nb = edition.build(ENGLISH, TRANSLATIONS)
    assert [c["cell_type"] for c in nb["cells"]] == ["markdown", "code", "markdown"]
    assert "".join(nb["cells"][0]["source"]) == "# 01 · 卷积\n\n卷积核滑动。"
    assert nb["cells"][1]["source"] == ENGLISH["cells"][1]["source"] and nb["cells"][1]["outputs"] == []
    assert nb["metadata"][edition.MARK] == "zh"
    assert ENGLISH["cells"][1]["outputs"]                        # the English notebook is left as it was
    assert edition.problems(ENGLISH, TRANSLATIONS, nb) == []


def test_missing_stale_and_orphaned_translations_are_named():
    changed = json.loads(json.dumps(ENGLISH))
    changed["cells"][0]["source"] = ["# 01 · Convolution\n\nThe kernel slides over the input."]
    wrong = edition.problems(changed, {**TRANSLATIONS, "gone": edition.translation_entry("x", "y")})
    assert wrong == ["cell m1: stale translation (the English text changed after it was translated)",
                     "cell gone: a translation of a cell the notebook no longer has"]
    assert edition.problems(ENGLISH, {"m2": TRANSLATIONS["m2"]}) == ["cell m1: no translation"]
    with pytest.raises(ValueError, match="cannot be built: cell m1: no translation"):
        edition.build(ENGLISH, {"m2": TRANSLATIONS["m2"]})


def test_code_that_differs_from_the_english_notebook_is_found():
    built = edition.build(ENGLISH, TRANSLATIONS)
    built["cells"][1]["source"] = ["print(2 + 3)"]
    assert edition.problems(ENGLISH, TRANSLATIONS, built) == [
        "cell c1: code differs from the English notebook's: rebuild the edition"]
    built["cells"].pop(1)
    assert "ids or order differ" in edition.problems(ENGLISH, TRANSLATIONS, built)[0]


def test_bad_translation_files_and_languages_are_refused(tmp_path):
    bad = tmp_path / "01-x.json"
    bad.write_text('{"cells": {"m1": {"text": "卷积"}}}', encoding="utf-8")
    with pytest.raises(ValueError, match="need exactly \"en_sha\" and \"text\""):
        edition.load_translations(bad)
    bad.write_text("not json", encoding="utf-8")
    with pytest.raises(ValueError, match="is not a translations file"):
        edition.load_translations(bad)
    assert edition.load_translations(tmp_path / "none.json") == {}
    with pytest.raises(ValueError, match="no edition in 'fr'"):
        edition.translations_path("notebooks/01-convolution.ipynb", "fr")
    assert edition.edition_path("notebooks/01-convolution.ipynb") == Path("notebooks/zh/01-convolution.ipynb")


def load_script():
    return script_module.load("scripts/build_edition.py")


def test_the_builder_writes_checks_and_never_overwrites_a_file_it_did_not_write(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(edition, "TRANSLATIONS", tmp_path / "translations")
    english = tmp_path / "01-x.ipynb"
    english.write_text(json.dumps(ENGLISH), encoding="utf-8")
    store = tmp_path / "translations" / "zh" / "01-x.json"
    store.parent.mkdir(parents=True)
    store.write_text(json.dumps({"cells": {"m1": TRANSLATIONS["m1"]}}, ensure_ascii=False), encoding="utf-8")
    script = load_script()
    assert script.main([str(english)]) == 1                                 # m2 has no translation
    assert "cell m2: no translation" in capsys.readouterr().err
    store.write_text(json.dumps({"cells": TRANSLATIONS}, ensure_ascii=False), encoding="utf-8")
    assert script.main([str(english)]) == 0
    out = tmp_path / "zh" / "01-x.ipynb"
    assert json.loads(out.read_text(encoding="utf-8"))["metadata"][edition.MARK] == "zh"
    assert script.main(["--check", str(english)]) == 0
    english.write_text(json.dumps(notebook(("markdown", "m1", "# changed"), ("code", "c1", "print(2 + 2)"),
                                           ("markdown", "m2", "## Exercises"))), encoding="utf-8")
    assert script.main(["--check", str(english)]) == 1
    assert "01-x.ipynb: cell m1: stale translation" in capsys.readouterr().out
    mine = tmp_path / "zh" / "01-x.ipynb"
    mine.write_text(json.dumps(notebook(("markdown", "m1", "a student's own notebook"))), encoding="utf-8")
    english.write_text(json.dumps(ENGLISH), encoding="utf-8")
    assert script.main([str(english)]) == 1
    assert "was not written by this builder" in capsys.readouterr().err
    assert "a student's own notebook" in mine.read_text(encoding="utf-8")


@pytest.mark.parametrize("store", sorted((ROOT / "translations").glob("*/*.json")), ids=lambda p: p.name)
def test_every_stored_translation_is_complete_and_fresh(store):
    english = ROOT / "notebooks" / f"{store.stem}.ipynb"
    assert english.exists(), f"{store} translates a notebook that does not exist"
    built = edition.edition_path(english, store.parent.name)
    assert built.exists(), f"{built} is missing: build it (scripts/build_edition.py) and execute it"
    assert edition.problems(json.loads(english.read_text(encoding="utf-8")), edition.load_translations(store),
                            json.loads(built.read_text(encoding="utf-8"))) == []


@pytest.mark.parametrize("text, bad", [
    ("答案是**[残差块](x)**。", True),          # opens after a letter, before punctuation: shown as asterisks
    ("答案是 **[残差块](x)**。", False),
    ("这是**重点**内容", False),
    ("**配方**（recipe）：", False),
    ("前面**“引号”**后面", True),              # closes after punctuation, before a letter
    ("前面 **“引号”**，后面", False),
    ("`a**b` and **c**", False),               # a code span holds no emphasis
])
def test_bold_that_markdown_would_not_render_is_found(text, bad):
    assert bool(edition.unrendered_bold(text)) == bad
    translations = {"m1": edition.translation_entry(ENGLISH["cells"][0]["source"][0] + "The kernel slides.",
                                                    text), "m2": TRANSLATIONS["m2"]}
    assert any("will show the asterisks" in p for p in edition.problems(ENGLISH, translations)) == bad


def test_a_rebuild_that_changes_only_prose_keeps_the_outputs():
    executed = edition.build(ENGLISH, TRANSLATIONS)
    executed["cells"][1].update(outputs=[{"output_type": "stream", "name": "stdout", "text": ["4\n"]}],
                                execution_count=3)
    reworded = {**TRANSLATIONS, "m2": edition.translation_entry("## Exercises", "## 习题")}
    again = edition.build(ENGLISH, reworded, previous=executed)
    assert again["cells"][1]["outputs"] == executed["cells"][1]["outputs"] and again["cells"][1]["execution_count"] == 3
    assert "".join(again["cells"][2]["source"]) == "## 习题"
    changed = json.loads(json.dumps(ENGLISH))
    changed["cells"][1]["source"] = ["print(2 + 3)"]
    fresh = edition.build(changed, TRANSLATIONS, previous=executed)     # new code: its outputs must come anew
    assert fresh["cells"][1]["outputs"] == [] and fresh["cells"][1]["execution_count"] is None


def test_a_translator_lists_what_to_do_and_stores_one_cell(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(edition, "TRANSLATIONS", tmp_path / "translations")
    english = tmp_path / "01-x.ipynb"
    english.write_text(json.dumps(ENGLISH), encoding="utf-8")
    script = load_script()
    assert script.main(["--todo", str(english)]) == 0
    out = capsys.readouterr().out
    assert "===== cell m1 (missing) =====\n# 01 · Convolution" in out and "cell m2 (missing)" in out
    text = tmp_path / "m2.md"
    text.write_text("## 练习\n", encoding="utf-8")
    assert script.main(["--set", "m2", str(text), str(english)]) == 0
    assert edition.load_translations(tmp_path / "translations" / "zh" / "01-x.json") == {
        "m2": edition.translation_entry("## Exercises", "## 练习")}
    assert script.main(["--set", "c1", str(text), str(english)]) == 1          # a code cell is never translated
    assert "no markdown cell 'c1'" in capsys.readouterr().err
    # the English changes: the cell is stale, shown with its old translation, and stored anew
    changed = json.loads(json.dumps(ENGLISH))
    changed["cells"][2]["source"] = ["## Exercises (ours)"]
    english.write_text(json.dumps(changed), encoding="utf-8")
    capsys.readouterr()
    script.main(["--todo", str(english)])
    out = capsys.readouterr().out
    assert "cell m2 (stale)" in out and "## Exercises (ours)" in out and "## 练习" in out
    text.write_text("## 练习（补充题）", encoding="utf-8")
    script.main(["--set", "m2", str(text), str(english)])
    assert edition.todo(changed, edition.load_translations(tmp_path / "translations" / "zh" / "01-x.json")) == [
        ("m1", "missing", "# 01 · Convolution\n\nThe kernel slides.", None)]


NUMBER = re.compile(r"(?<![\w.])-?\d[\d,]*(?:\.\d+)?")


def _output_numbers(nb: dict) -> set[str]:
    texts = []
    for cell in nb["cells"]:
        for out in cell.get("outputs", []) if cell["cell_type"] == "code" else []:
            if out["output_type"] == "stream":
                texts.append("".join(out["text"]))
            elif "data" in out and "image/png" not in out["data"]:
                texts += ["".join(out["data"][kind]) for kind in ("text/plain", "text/html") if kind in out["data"]]
    return {n.replace(",", "") for n in NUMBER.findall("\n".join(texts))}


@pytest.mark.parametrize("store", sorted((ROOT / "translations").glob("*/*.json")), ids=lambda p: p.name)
def test_an_edition_quotes_its_own_outputs(store):
    """The edition's prose quotes the figures of its own run: a number of three or more digits that
    the English run printed and the edition's run did not (a timing, which changes from run to run)
    must not appear in the translation; it should give the edition's own figure."""
    english = json.loads((ROOT / "notebooks" / f"{store.stem}.ipynb").read_text(encoding="utf-8"))
    built = json.loads(edition.edition_path(ROOT / "notebooks" / f"{store.stem}.ipynb", store.parent.name)
                       .read_text(encoding="utf-8"))
    only_english = _output_numbers(english) - _output_numbers(built)
    quoted = []
    for cell_id, entry in edition.load_translations(store).items():
        text = re.sub(r"\]\([^)]*\)", "]", entry["text"])                 # not the link targets
        quoted += [f"cell {cell_id}: {n}" for n in NUMBER.findall(text)
                   if n.replace(",", "") in only_english and sum(ch.isdigit() for ch in n) >= 3]
    assert not quoted, f"the English run's figures, not this edition's: {quoted}"
