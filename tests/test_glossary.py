"""docs/glossary.md: every term has a Chinese name and is linked from a notebook, and every
link from a notebook lands on a term."""
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = ROOT / "docs" / "glossary.md"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
LINK = re.compile(r"\]\(\.\./docs/glossary\.md#([a-z0-9-]+)\)")


def rows():
    return [line for line in GLOSSARY.read_text(encoding="utf-8").splitlines() if line.startswith("| <a id=")]


def markdown(path):
    return "\n".join("".join(c["source"]) for c in json.loads(path.read_text(encoding="utf-8"))["cells"]
                     if c["cell_type"] == "markdown")


def test_every_term_has_english_chinese_and_a_meaning():
    assert len(rows()) >= 30
    for row in rows():
        english, chinese, meaning, first = (cell.strip() for cell in row.strip("|").split("|"))
        assert re.search(r"[\u4e00-\u9fff]", chinese), f"no Chinese term: {row}"
        assert re.search(r"[A-Za-z]", english) and len(meaning) > 5 and first.startswith("[")


def test_links_from_notebooks_and_terms_match():
    anchors = [re.search(r'<a id="([a-z0-9-]+)"></a>', row).group(1) for row in rows()]
    assert len(anchors) == len(set(anchors)), "a term is listed twice"
    linked = {}
    for path in NOTEBOOKS:
        for anchor in LINK.findall(markdown(path)):
            assert anchor in anchors, f"{path.name} links to a term the glossary lacks: #{anchor}"
            linked.setdefault(anchor, []).append(path.name)
    assert set(anchors) == set(linked), f"terms no notebook links: {sorted(set(anchors) - set(linked))}"
    # each term links once, from the notebook the glossary names as its first
    for row, anchor in zip(rows(), anchors):
        assert len(linked[anchor]) == 1, f"#{anchor} linked from {linked[anchor]}"
        assert f"(../notebooks/{linked[anchor][0]})" in row, f"#{anchor}: the 'first in' column is wrong"


def test_each_chapter_notebook_links_the_glossary():
    for path in NOTEBOOKS:
        if path.name[:2] in {"01", "02", "03", "04", "05", "06", "07", "08", "10"}:
            assert LINK.search(markdown(path)), f"{path.name} never links the glossary"


@pytest.mark.parametrize("path", sorted((ROOT / "notebooks").glob("*/[0-9][0-9]-*.ipynb")),
                         ids=lambda p: str(p.relative_to(ROOT / "notebooks")))
def test_an_edition_links_the_terms_its_english_notebook_links(path):
    """A translated notebook, one folder deeper, links the same terms (../../docs/glossary.md#...)."""
    english = ROOT / "notebooks" / path.name
    deeper = re.compile(r"\]\(\.\./\.\./docs/glossary\.md#([a-z0-9-]+)\)")
    assert sorted(deeper.findall(markdown(path))) == sorted(LINK.findall(markdown(english)))
    assert not LINK.findall(markdown(path)), "a link one folder too shallow for notebooks/zh/"


def test_links_in_readme_and_docs_lead_somewhere():
    """Every relative link or picture in README.md and docs/ names a file in the repository
    (the README's picture included), and every #anchor into the glossary exists."""
    anchors = {re.search(r'<a id="([a-z0-9-]+)"></a>', row).group(1) for row in rows()}
    pages = [ROOT / "README.md", *sorted(ROOT.glob("README.*.md")), *sorted((ROOT / "docs").glob("*.md"))]
    checked = 0
    for page in pages:
        text = re.sub(r"`[^`\n]*`", "", page.read_text(encoding="utf-8"))    # code shows links, is none
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if target.startswith(("http://", "https://", "#", "mailto:")):
                continue
            path, _, anchor = target.partition("#")
            assert (page.parent / path).exists(), f"{page.name} links to a missing {target}"
            if path.endswith("glossary.md") and anchor:
                assert anchor in anchors, f"{page.name} links to a missing term #{anchor}"
            checked += 1
    assert checked >= 10
