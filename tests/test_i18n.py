"""The helpers' messages in Chinese: every message has its translation, with the same fields, and
the setting (set_language, D2L_LANG, the Chinese edition's folder) chooses the language."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pandas as pd
import pytest
import torch
from torch import nn

from d2lhelpers import check, data, doctor, i18n, recipes, train, widgets

PACKAGE = Path(i18n.__file__).resolve().parent
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def _constants(node) -> list[str]:
    """The string constants a message argument can be (a literal, or either side of `a if c else b`)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _constants(node.body) + _constants(node.orelse)
    return []


def _marked() -> dict[str, str]:
    """Every message the package passes to tr(...) or marks with N_(...), with where it is."""
    found = {}
    for path in sorted(PACKAGE.glob("*.py")):
        if path.name == "i18n.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("tr", "N_", "tr_figure")
                    and node.args):
                for text in _constants(node.args[0]):
                    found.setdefault(text, f"{path.name}:{node.lineno}")
    return found


def _exercise_texts() -> set[str]:
    """The registered exercises' texts, which check.exercise translates when it shows them."""
    texts = set()
    for key in check.EXERCISES:
        entry = check.entry(key)
        texts |= {entry["what"], entry["hint"], entry.get("why_template", entry["why"])}
        texts |= {name for _, name in entry["slips"]}
    return texts


@pytest.fixture(autouse=True)
def english_afterwards(monkeypatch):
    monkeypatch.delenv(i18n.LANG_ENV, raising=False)
    yield
    i18n.set_language(None)


def test_every_message_has_its_chinese():
    wanted = set(_marked()) | _exercise_texts()
    missing = sorted(wanted - set(i18n.ZH))
    assert not missing, f"messages without a Chinese version in i18n.ZH: {missing[:5]}"


def test_no_chinese_for_a_message_nobody_uses():
    used = set(_marked()) | _exercise_texts()
    assert not sorted(set(i18n.ZH) - used), "i18n.ZH translates messages the package no longer has"


@pytest.mark.parametrize("english", sorted(i18n.ZH))
def test_translation_keeps_the_fields_and_is_chinese(english):
    chinese = i18n.ZH[english]
    assert i18n.fields(chinese) == i18n.fields(english)
    assert CJK.search(chinese), f"not Chinese: {chinese!r}"
    assert not re.search(r"[\u4e00-\u9fff][,;:](?!/)", chinese), f"half-width punctuation after Chinese: {chinese!r}"


def test_the_setting_chooses_the_language(monkeypatch, tmp_path):
    assert i18n.language() == "en"
    zh = tmp_path / "notebooks" / "zh"
    zh.mkdir(parents=True)
    monkeypatch.chdir(zh)                    # where Jupyter starts the Chinese edition's kernels
    assert i18n.language() == "zh"
    (tmp_path / "student" / "zh").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "student" / "zh")     # and its student edition's
    assert i18n.language() == "zh"
    monkeypatch.chdir(zh)
    monkeypatch.setenv(i18n.LANG_ENV, "en")  # the environment wins over the folder
    assert i18n.language() == "en"
    i18n.set_language("zh")                  # and set_language over both
    assert i18n.language() == "zh"
    i18n.set_language(None)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(i18n.LANG_ENV, "ZH ")
    assert i18n.language() == "zh"


def test_an_unknown_language_is_named(monkeypatch):
    monkeypatch.setenv(i18n.LANG_ENV, "fr")
    with pytest.raises(ValueError, match="D2L_LANG is 'fr': the languages are en, zh"):
        i18n.language()
    with pytest.raises(ValueError, match="the languages are en, zh"):
        i18n.set_language("english")


def test_a_message_without_fields_keeps_its_braces():
    assert i18n.tr("{not a field}") == "{not a field}"


def test_self_checks_in_chinese(capsys):
    i18n.set_language("zh")
    check.output_shape((4, 3), n=8, k=(3, 5), p=(0, 1), s=(3, 4))
    check.exercise("02-8", 6)
    check.conv_params(None, c_in=1, c_out=1, k=5)
    out = capsys.readouterr().out
    assert "✓ 正确：输出形状（高，宽）是 (2, 2)" not in out        # (4, 3) is wrong
    assert out.startswith("✗ 不太对：输出形状（高，宽）不是 (4, 3)。")
    assert "这是两侧填充的总和；题目问的是一侧。" in out
    assert "… 尚未作答：把 ... 换成参数个数。" in out
    i18n.set_language("en")
    check.exercise("02-8", 3)
    assert capsys.readouterr().out.startswith("✓ right: the padding per side for a 7×7 kernel is 3.")


def test_a_computed_worked_answer_is_translated_with_its_numbers(capsys):
    i18n.set_language("zh")
    check.exercise("09-2", None, reveal=True)
    out = capsys.readouterr().out
    assert "吞吐量与每张图像的浮点运算次数成反比：600 ×" in out and "{" not in out


def test_doctor_in_chinese():
    i18n.set_language("zh")
    history = pd.DataFrame({"train_loss": [0.3, 0.2, 0.1], "train_acc": [0.9, 0.95, 0.99],
                            "val_loss": [0.4, 0.4, 0.5], "val_acc": [0.8, 0.8, 0.8]})
    history.attrs["classes"] = tuple("abcdefghij")
    found = doctor.diagnose(history)
    assert [d.kind for d in found] == ["overfitting"]           # the kind stays a name for code
    assert str(found[0]).startswith("诊断（过拟合）：训练精度 0.990，验证精度 0.800：")


def test_widget_labels_in_chinese():
    i18n.set_language("zh")
    box = widgets.output_size_explorer()
    labels = [w.description for row in box.children[0].children for w in row.children]
    assert labels == ["输入 n", "卷积核 k", "填充 p", "步幅 s", "空洞 d"]
    with pytest.raises(ValueError, match="mode 必须是 'max' 或 'avg'"):
        widgets.pool(torch.zeros(4, 4), 2, 2, mode="mean")


def test_main_errors_in_chinese(tmp_path):
    i18n.set_language("zh")
    with pytest.raises(data.DataNotFoundError, match=r"中没有 Fashion-MNIST 的 4 个 idx 文件.*可以用以下任一方式获得"):
        data.locate(tmp_path, download=False)
    recipe = recipes.Recipe(epochs=1, lr=0.1, batch_size=4, input_size=8, validation=0)
    images = torch.randint(0, 255, (8, 1, 8, 8)).float()       # 0-255 pixels: the error names the fix
    batches = [(images[:4], torch.zeros(4, dtype=torch.long)), (images[4:], torch.zeros(4, dtype=torch.long))]
    with pytest.raises(ValueError, match="训练图像的值达到 .*请除以 255"):
        train.fit(nn.Sequential(nn.Flatten(), nn.LazyLinear(10)), batches, None, recipe, progress=False,
                  live_plot=False, verbose=False)
