"""benchmarks/train_speed.py in its shortest form: both pipelines train and the figures are sane.
(Speed is not asserted: these machines are noisy; the script's own run reports it.)"""
import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def load_script():
    spec = importlib.util.spec_from_file_location("train_speed", ROOT / "benchmarks" / "train_speed.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_both_pipelines_train_and_report_sane_figures(fashion_files, tmp_path, capsys):
    bench = load_script()
    out = tmp_path / "result.json"
    report = bench.main(["--nets", "lenet", "--steps", "5", "--test-batches", "2", "--device", "cpu",
                         "--out", str(out)])
    assert json.loads(out.read_text()) == report
    assert report["machine"]["device"] == "cpu" and report["machine"]["torch"]
    lenet = report["nets"]["lenet"]
    assert (lenet["input_size"], lenet["batch_size"], lenet["lr"], lenet["steps"]) == (28, 256, 0.9, 5)
    for side in ("d2l", "ours"):
        r = lenet[side]
        assert r["seconds"] > 0 and r["examples_per_sec"] > 0 and r["peak_rss_mib"] > 50
        assert 0 < r["data_seconds"] < r["seconds"] * 5 and 0 <= r["data_share"]
        assert 0 <= r["test_acc"] <= 1 and 0 < r["train_loss"] < 10   # trained: a finite loss
        assert r["gpu_peak_mib"] is None
    assert lenet["speedup"] == pytest.approx(lenet["d2l"]["seconds"] / lenet["ours"]["seconds"])
    printed = capsys.readouterr().out
    assert "speed-up" in printed and f"written: {out}" in printed


def test_bad_options_are_refused(capsys):
    bench = load_script()
    with pytest.raises(SystemExit):
        bench.parse_args(["--nets", "resnet"])
    assert "unknown net(s) resnet" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        bench.parse_args(["--steps", "3"])
    assert "--steps must be 5 or more" in capsys.readouterr().err
    assert bench.parse_args([]).nets == ["lenet", "alexnet", "vgg", "nin"]
