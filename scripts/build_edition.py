"""Build (or check) other-language editions of the notebooks from their stored translations.

    python scripts/build_edition.py NB.ipynb ...            # notebooks/zh/NB.ipynb from translations/zh/NB.json
    python scripts/build_edition.py --check NB.ipynb ...    # list missing or stale translations, differing code
    python scripts/build_edition.py --todo NB.ipynb         # the English text of each cell to (re)translate
    python scripts/build_edition.py --set CELL FILE NB.ipynb   # store FILE's text as cell CELL's translation

An edition takes the English notebook's code cells as they are and each markdown cell from its
translation (``d2lhelpers.edition``); its outputs come from executing it afterwards
(``scripts/execute_notebooks.py``), and a rebuild that changes only prose keeps them. The builder stops (exit 1), naming every cell, when a
translation is missing or stale, and never overwrites a file it did not write.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from d2lhelpers import edition


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="+", help="English notebooks (notebooks/NN-name.ipynb)")
    parser.add_argument("--lang", default="zh", choices=edition.LANGUAGES)
    parser.add_argument("--check", action="store_true", help="only report what is missing, stale or differs")
    parser.add_argument("--todo", action="store_true",
                        help="print each cell still to translate: its English text (and the old translation)")
    parser.add_argument("--set", nargs=2, metavar=("CELL", "FILE"),
                        help="store the text of FILE (UTF-8) as the translation of markdown cell CELL")
    args = parser.parse_args(argv)
    if args.set and len(args.notebooks) != 1:
        parser.error("--set stores one cell of one notebook: name one notebook")
    failed = False
    for name in args.notebooks:
        path = Path(name)
        if not path.is_file():
            print(f"{path}: no such notebook", file=sys.stderr)
            failed = True
            continue
        english = json.loads(path.read_text(encoding="utf-8"))
        translations = edition.load_translations(edition.translations_path(path, args.lang))
        out = edition.edition_path(path, args.lang)
        built = json.loads(out.read_text(encoding="utf-8")) if out.exists() else None
        if args.todo:
            for cell_id, why, text, old in edition.todo(english, translations):
                print(f"===== cell {cell_id} ({why}) =====\n{text}")
                if old is not None:
                    print(f"----- its translation, made from an earlier English text -----\n{old}")
            continue
        if args.set:
            cell_id, file = args.set
            try:
                text = Path(file).read_text(encoding="utf-8")
                edition.store_translation(english, edition.translations_path(path, args.lang), cell_id, text)
            except (OSError, ValueError) as err:
                print(f"{path.name}: {err}", file=sys.stderr)
                failed = True
                continue
            print(f"stored: the translation of cell {cell_id} in {edition.translations_path(path, args.lang)}; "
                  f"rebuild the edition to use it")
            continue
        if args.check:
            wrong = edition.problems(english, translations, built)
            for line in wrong:
                print(f"{path.name}: {line}")
            failed |= bool(wrong)
            continue
        if built is not None and built.get("metadata", {}).get(edition.MARK) != args.lang:
            print(f"{out} was not written by this builder: move it away to build the edition there", file=sys.stderr)
            failed = True
            continue
        try:
            nb = edition.build(english, translations, args.lang, previous=built)
        except ValueError as err:
            print(f"{path.name}: {err}", file=sys.stderr)
            failed = True
            continue
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        kept = built is not None and any(c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code")
        print(f"written: {out}" + (" (prose only: the code is unchanged, so its outputs are kept)" if kept
                                   else " (execute it to fill its outputs)"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
