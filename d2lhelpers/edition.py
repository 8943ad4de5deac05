"""Other-language editions of the notebooks, built from one source (the Chinese edition first).

A translated notebook takes every code cell from the English notebook, byte for byte, and each
markdown cell from a stored translation: ``translations/<lang>/<notebook>.json`` maps a cell's
id to ``{"en_sha": ..., "text": ...}``, where ``en_sha`` is the hash of the English markdown the
translation was made from. Nobody edits code twice, and an English cell changed after its
translation is found (the hash no longer matches):

- :func:`problems` lists what is missing or stale, and code that differs from the English
  notebook's in an edition already built;
- :func:`build` writes the edition, with empty outputs (they come from executing it), and
  refuses to while any translation is missing or stale.

``scripts/build_edition.py`` calls them; the tests call them on every stored translation.
"""
from __future__ import annotations

import copy
import hashlib
import json
import re
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
LANGUAGES = ("zh",)
MARK = "d2l_edition"          # notebook metadata of every file :func:`build` writes: its language


def en_sha(text: str) -> str:
    """The hash that ties a translation to the English text it translates (16 hex digits)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _source(cell: dict) -> str:
    text = cell["source"]
    return "".join(text) if isinstance(text, list) else text


def _check_language(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValueError(f"no edition in {lang!r}; the languages are {', '.join(LANGUAGES)}.")


def translations_path(notebook: str | Path, lang: str = "zh") -> Path:
    """``translations/<lang>/<notebook name>.json``."""
    _check_language(lang)
    return TRANSLATIONS / lang / f"{Path(notebook).stem}.json"


def edition_path(notebook: str | Path, lang: str = "zh") -> Path:
    """Where the edition of an English notebook lives: ``notebooks/<lang>/<name>.ipynb``."""
    _check_language(lang)
    notebook = Path(notebook)
    return notebook.parent / lang / notebook.name


def load_translations(path: str | Path) -> dict:
    """``{cell id: {"en_sha", "text"}}`` from a translations file (empty when there is none)."""
    path = Path(path)
    if not path.exists():
        return {}
    try:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    except (json.JSONDecodeError, KeyError, TypeError) as err:
        raise ValueError(f"{path} is not a translations file ({err}); it holds {{\"cells\": {{id: "
                         f"{{\"en_sha\": ..., \"text\": ...}}}}}}.") from None
    bad = [cid for cid, entry in cells.items() if not isinstance(entry, dict) or set(entry) != {"en_sha", "text"}]
    if bad:
        raise ValueError(f"{path}: the entries of cells {', '.join(bad)} need exactly \"en_sha\" and \"text\".")
    return cells


def _punctuation(char: str) -> bool:
    return bool(char) and unicodedata.category(char).startswith(("P", "S"))


def unrendered_bold(text: str) -> list[str]:
    """Bold markers (``**``) that Markdown leaves as asterisks, with a few characters around them.

    CommonMark opens bold only where ``**`` is left-flanking and closes it only where it is
    right-flanking: ``是**[link](x)**`` shows its asterisks, because the opening ``**`` follows
    a letter (Chinese characters count as letters) and precedes punctuation. Chinese prose, with
    no spaces, meets this often; a space or punctuation before the opening ``**`` (or after the
    closing one) fixes it."""
    found = []
    for line in text.splitlines():
        if line.lstrip().startswith(("|", "    ")) and "**" not in line:
            continue
        plain = re.sub(r"`[^`]*`", lambda m: "x" * len(m.group(0)), line)     # code spans hold no emphasis
        marks = [m.start() for m in re.finditer(r"(?<!\*)\*\*(?!\*)", plain)]
        for i, at in enumerate(marks):
            before = plain[at - 1] if at else " "
            after = plain[at + 2] if at + 2 < len(plain) else " "
            left = not after.isspace() and (not _punctuation(after) or before.isspace() or _punctuation(before))
            right = not before.isspace() and (not _punctuation(before) or after.isspace() or _punctuation(after))
            if not (left if i % 2 == 0 else right):
                found.append(line[max(0, at - 8):at + 10])
    return found


def problems(english: dict, translations: dict, edition: dict | None = None) -> list[str]:
    """What keeps ``english`` (a notebook as a dict) from a correct edition: markdown cells with no
    translation or a stale one, translations of cells that no longer exist, and, given the
    ``edition`` already built, code cells that differ from the English ones. Empty when all is well."""
    found = [f"cell {cid}: no translation" if why == "missing" else
             f"cell {cid}: stale translation (the English text changed after it was translated)"
             for cid, why, _, _ in todo(english, translations)]
    markdown = {c["id"] for c in english["cells"] if c["cell_type"] == "markdown"}
    found += [f"cell {cid}: a translation of a cell the notebook no longer has" for cid in translations
              if cid not in markdown]
    found += [f"cell {cid}: Markdown will show the asterisks of {bad!r}: put a space or punctuation outside the **"
              for cid, entry in translations.items() for bad in unrendered_bold(entry["text"])]
    if edition is not None:
        ours, theirs = _code(english), _code(edition)
        if [cid for cid, _ in ours] != [cid for cid, _ in theirs]:
            found.append("the edition's code cells are not the English notebook's (ids or order differ): rebuild it")
        else:
            found += [f"cell {cid}: code differs from the English notebook's: rebuild the edition"
                      for (cid, a), (_, b) in zip(ours, theirs) if a != b]
    return found


def _code(nb: dict) -> list[tuple[str, str]]:
    return [(c.get("id"), _source(c)) for c in nb["cells"] if c["cell_type"] == "code"]


def build(english: dict, translations: dict, lang: str = "zh", previous: dict | None = None) -> dict:
    """The edition of ``english``: its cells in order, code cells as they are, markdown cells
    translated. The code cells' outputs are cleared (they come from executing the edition), unless
    ``previous``, the edition built before, has exactly the same code cells: then a change of
    prose keeps its outputs. Raises ``ValueError`` naming every missing or stale cell."""
    _check_language(lang)
    wrong = problems(english, translations)
    if wrong:
        raise ValueError("the edition cannot be built: " + "; ".join(wrong))
    nb = copy.deepcopy(english)
    executed = {}
    if previous is not None and _code(previous) == _code(english):
        executed = {c["id"]: c for c in previous["cells"] if c["cell_type"] == "code"}
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown" and cell["id"] in translations:
            cell["source"] = translations[cell["id"]]["text"].splitlines(keepends=True)
        elif cell["cell_type"] == "code":
            done = executed.get(cell["id"])
            cell["outputs"] = copy.deepcopy(done["outputs"]) if done else []
            cell["execution_count"] = done["execution_count"] if done else None
    nb.setdefault("metadata", {})[MARK] = lang
    return nb


def translation_entry(english_text: str, text: str) -> dict:
    """A stored translation of ``english_text``: what a translator's tool writes."""
    return {"en_sha": en_sha(english_text), "text": text}


def todo(english: dict, translations: dict) -> list[tuple[str, str, str, str | None]]:
    """The markdown cells still to translate, in order: ``(id, "missing" or "stale", English text,
    the old translation or None)``."""
    found = []
    for cell in english["cells"]:
        text = _source(cell)
        if cell["cell_type"] != "markdown" or not text.strip():
            continue
        entry = translations.get(cell["id"])
        if entry is None:
            found.append((cell["id"], "missing", text, None))
        elif entry["en_sha"] != en_sha(text):
            found.append((cell["id"], "stale", text, entry["text"]))
    return found


def store_translation(english: dict, path: str | Path, cell_id: str, text: str) -> None:
    """Store ``text`` as the translation of markdown cell ``cell_id`` of ``english`` (tied to its
    English text as it is now) in the translations file ``path``, in the notebook's cell order."""
    markdown = [c for c in english["cells"] if c["cell_type"] == "markdown"]
    cell = next((c for c in markdown if c["id"] == cell_id), None)
    if cell is None:
        raise ValueError(f"the notebook has no markdown cell {cell_id!r}; its markdown cells are "
                         f"{', '.join(c['id'] for c in markdown[:5])}{', ...' if len(markdown) > 5 else ''}.")
    if not text.strip():
        raise ValueError(f"the translation of cell {cell_id} is empty.")
    cells = load_translations(path)
    cells[cell_id] = translation_entry(_source(cell), text.strip("\n"))
    order = {c["id"]: i for i, c in enumerate(english["cells"])}
    cells = dict(sorted(cells.items(), key=lambda item: order.get(item[0], len(order))))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"cells": cells}, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
