"""benchmarks/train_speed.py in its shortest form: both pipelines train and the figures are sane.
(Speed is not asserted: these machines are noisy; the script's own run reports it.)"""
import json

import pytest

import script_module


def load_script():
    return script_module.load("benchmarks/train_speed.py")


def test_both_pipelines_train_and_report_sane_figures(fashion_files, tmp_path, capsys):
    bench = load_script()
    out = tmp_path / "result.json"
    report = bench.main(["--nets", "lenet", "--steps", "5", "--epochs", "2", "--test-batches", "2",
                         "--device", "cpu", "--breakdown", "--out", str(out)])
    assert json.loads(out.read_text()) == report
    assert report["machine"]["device"] == "cpu" and report["machine"]["torch"]
    lenet = report["nets"]["lenet"]
    assert (lenet["input_size"], lenet["batch_size"], lenet["lr"], lenet["steps"], lenet["epochs"]) == (28, 256, 0.9, 5, 2)
    for side in ("d2l", "ours"):
        r = lenet[side]
        assert r["seconds"] > 0 and r["examples_per_sec"] > 0 and r["peak_rss_mib"] > 50
        assert 0 < r["data_seconds"] < r["seconds"] * 5 and 0 <= r["data_share"]
        assert 0 <= r["test_acc"] <= 1 and 0 < r["train_loss"] < 10   # trained: a finite loss
        assert r["gpu_peak_mib"] is None
        assert r["epoch_seconds"] == pytest.approx(r["seconds"] / 2) and r["all_seconds"] == [r["seconds"]]
        # the breakdown's parts are all there and none is negative; the training parts took time
        parts = r["breakdown"]
        assert set(parts) == {"data", "forward", "backward", "optimizer", "evaluation", "other"}
        assert min(parts.values()) >= 0 and parts["forward"] > 0 and parts["backward"] > 0
        assert parts["evaluation"] > 0 and parts["data"] > 0
    assert lenet["speedup"] == pytest.approx(lenet["d2l"]["seconds"] / lenet["ours"]["seconds"])
    printed = capsys.readouterr().out
    assert "speed-up" in printed and f"written: {out}" in printed
    assert bench.main(["--table", str(out)]) == report             # the README's table from the JSON
    table = capsys.readouterr().out.splitlines()
    assert table[0].startswith("Measured ") and "cpu" in table[0]
    assert table[-1].startswith("| lenet | 28 px | 5 | ") and f"**{lenet['speedup']:.2f}×**" in table[-1]


def test_augment_trains_both_sides_again_with_augmentation(fashion_files, tmp_path, capsys):
    bench = load_script()
    out = tmp_path / "augmented.json"
    report = bench.main(["--nets", "lenet", "--steps", "5", "--test-batches", "2", "--device", "cpu",
                         "--augment", "all", "--out", str(out)])
    lenet = report["nets"]["lenet"]
    assert report["settings"]["augment"] == "all"
    for side in ("d2l", "ours", "d2l+aug", "ours+aug"):
        assert lenet[side]["examples_per_sec"] > 0 and 0 <= lenet[side]["test_acc"] <= 1
    assert "augmented" in lenet["ours+aug"]["recipe"] and "augmented" not in lenet["ours"]["recipe"]
    assert lenet["speedup_augmented"] == pytest.approx(lenet["d2l+aug"]["seconds"] / lenet["ours+aug"]["seconds"])
    for side in ("d2l", "ours"):
        assert lenet["augment_cost"][side] == pytest.approx(
            1 - lenet[f"{side}+aug"]["examples_per_sec"] / lenet[side]["examples_per_sec"])
    assert "with all augmentation: speed-up" in capsys.readouterr().out
    bench.main(["--table", str(out)])
    table = capsys.readouterr().out.splitlines()
    assert table[-2].startswith("| lenet | 28 px | 5 | ")
    assert table[-1].startswith("| lenet + all augmentation | 28 px | 5 | ")
    # the two sides apply the same kinds of change
    steps = [type(t).__name__ for t in bench.torchvision_augmentation("all")]
    assert steps == ["RandomHorizontalFlip", "RandomAffine", "ColorJitter"]
    assert bench.AUGMENTATIONS["all"].max_rotate == bench.torchvision_augmentation("all")[1].degrees[1] == 15


def test_bad_options_are_refused(capsys):
    bench = load_script()
    with pytest.raises(SystemExit):
        bench.parse_args(["--nets", "googlenet"])
    assert "unknown net(s) googlenet" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        bench.parse_args(["--steps", "3"])
    assert "--steps must be 5 or more" in capsys.readouterr().err
    for bad in (["--repeat", "0"], ["--epochs", "0"], ["--lr", "-1"], ["--device", "gpu"]):
        with pytest.raises(SystemExit):
            bench.parse_args(bad)
    err = capsys.readouterr().err
    assert "must be" in err and "--device gpu is not a device torch knows" in err
    assert bench.parse_args([]).nets == ["lenet", "alexnet", "vgg", "nin", "resnet"]
    with pytest.raises(SystemExit):
        bench.parse_args(["--augment", "cutout"])
    assert "invalid choice: 'cutout'" in capsys.readouterr().err
