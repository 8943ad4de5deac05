"""Our training pipeline against d2l's, side by side in one process and one run.

For each network, the same model definition (``d2lhelpers.models``), the same batch size,
learning rate (the book's, plain SGD) and number of optimisation steps are trained twice:

- **d2l**: ``d2l.load_data_fashion_mnist`` (torchvision dataset, PIL resize, DataLoader with
  d2l's 4 workers) and ``d2l.train_ch6``, exactly as the book calls them (its plotting is
  replaced by a no-op so that neither side draws);
- **ours**: ``d2lhelpers.data`` (the whole set in memory as uint8, resized on the device per
  batch) and ``d2lhelpers.train.fit`` with the device's fast paths (bf16 autocast and
  channels_last on CUDA, and on CPUs with native bf16).

Printed and written as JSON under ``benchmarks/results/``: seconds for the run (training and
evaluation), training examples per second, the share of time the data loop alone takes, peak
memory (process and DataLoader workers, PSS; GPU max allocated) and the test accuracy each side
reached. Run ``python benchmarks/train_speed.py --help`` for the options.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import itertools
import json
import math
import os
import platform
import tempfile
import threading
import warnings
import time
from datetime import datetime, timezone
from pathlib import Path

import torch

from d2lhelpers import data, models, profile, train

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
#: per net: the book's batch size and learning rate (input sizes: models.BOOK_SIZE / QUICK_SIZE)
NETS = {"lenet": (256, 0.9), "alexnet": (128, 0.01), "vgg": (128, 0.05), "nin": (128, 0.1)}


class FirstBatches:
    """The first ``n`` batches of a loader, with a length (what ``train_ch6`` and ``fit`` need)."""

    def __init__(self, loader, n: int):
        self.loader, self.n = loader, min(n, len(loader))

    def __len__(self) -> int:
        return self.n

    def __iter__(self):
        return itertools.islice(iter(self.loader), self.n)

    def set_epoch(self, epoch: int) -> None:
        if hasattr(self.loader, "set_epoch"):
            self.loader.set_epoch(epoch)


class PeakMemory:
    """Peak memory of this process and its children (DataLoader workers), sampled every 0.5 s,
    and the GPU's peak allocation, over a ``with`` block.

    Each process counts its proportional set size (PSS: pages shared by forked workers are
    split between them, not counted once per worker), or its RSS where PSS is unavailable."""

    def __init__(self, device: torch.device):
        self.device, self.peak, self._stop = device, 0, threading.Event()

    @staticmethod
    def _rss(pid: int) -> int:
        with contextlib.suppress(OSError, ValueError):
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        return int(line.split()[1]) * 1024
        try:
            with open(f"/proc/{pid}/statm") as f:
                return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError):
            return 0

    def _sample(self) -> int:
        pids = [os.getpid()]
        with contextlib.suppress(OSError):
            for task in os.listdir(f"/proc/{os.getpid()}/task"):
                with contextlib.suppress(OSError), open(f"/proc/{os.getpid()}/task/{task}/children") as f:
                    pids += [int(p) for p in f.read().split()]
        return sum(self._rss(pid) for pid in set(pids))

    def _run(self) -> None:
        while not self._stop.wait(0.5):   # reading PSS costs the kernel a page walk: not too often
            self.peak = max(self.peak, self._sample())

    def __enter__(self):
        if self.device.type == "cuda":
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
        self.peak = self._sample()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._sample())
        self.gpu_peak = torch.cuda.max_memory_allocated() if self.device.type == "cuda" else None


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def time_data_loop(batches, device: torch.device) -> float:
    """Seconds to draw every batch and move it to the device, with no training."""
    start = time.perf_counter()
    for X, y in batches:
        X.to(device, non_blocking=True), y.to(device, non_blocking=True)
    _sync(device)
    return time.perf_counter() - start


def run_d2l(name: str, size: int, batch: int, lr: float, steps: int, test_batches: int,
            device: torch.device) -> dict:
    import d2l.torch as d2l

    root = data.torchvision_root()                   # verified files where torchvision looks
    here = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:       # d2l reads "../data": point that at root
        (Path(tmp) / "data").symlink_to(root.resolve(), target_is_directory=True)
        (Path(tmp) / "work").mkdir()
        os.chdir(Path(tmp) / "work")
        try:
            start = time.perf_counter()
            train_loader, test_loader = d2l.load_data_fashion_mnist(batch, resize=size if size != 28 else None)
            setup = time.perf_counter() - start
        finally:
            os.chdir(here)
    train_iter, test_iter = FirstBatches(train_loader, steps), FirstBatches(test_loader, test_batches)
    data_seconds = time_data_loop(train_iter, device)

    class NoPlot:                                     # the book's Animator draws in a notebook
        def __init__(self, *args, **kwargs):
            pass

        def add(self, *args, **kwargs):
            pass

    net = models.build(name)
    net(torch.zeros(2, 1, size, size))               # materialise lazy layers: train_ch6's init skips them
    real_animator, d2l.Animator = d2l.Animator, NoPlot
    torch.manual_seed(0)
    out = io.StringIO()
    try:
        with PeakMemory(device) as memory, contextlib.redirect_stdout(out):
            start = time.perf_counter()
            d2l.train_ch6(net, train_iter, test_iter, 1, lr, device)
            _sync(device)
            seconds = time.perf_counter() - start
    finally:
        d2l.Animator = real_animator
    printed = out.getvalue()
    test_acc = float(printed.split("test acc ")[1].split()[0])
    train_loss = float(printed.split("loss ")[1].split(",")[0])
    examples_per_sec = float(printed.split(" examples/sec")[0].split()[-1])
    return {"seconds": seconds, "setup_seconds": setup, "examples_per_sec": examples_per_sec,
            "data_seconds": data_seconds, "data_share": data_seconds / seconds, "train_loss": train_loss,
            "test_acc": test_acc, "peak_rss_mib": memory.peak / 2**20,
            "gpu_peak_mib": memory.gpu_peak / 2**20 if memory.gpu_peak is not None else None}


def run_ours(name: str, size: int, batch: int, lr: float, steps: int, test_batches: int,
             device: torch.device) -> dict:
    start = time.perf_counter()
    dataset = data.read_fashion_mnist()
    train_iter = FirstBatches(data.Batches(dataset.train_images.to(device), dataset.train_labels.to(device),
                                           batch, resize=size, shuffle=True), steps)
    n_test = min(test_batches * batch, len(dataset.test_labels))   # the same first test images as d2l's
    test_iter = data.Batches(dataset.test_images[:n_test].to(device), dataset.test_labels[:n_test].to(device),
                             batch, resize=size)
    setup = time.perf_counter() - start
    data_seconds = time_data_loop(train_iter, device)
    fast = device.type == "cuda" or (device.type == "cpu" and profile.cpu_has_fast_bf16())
    with PeakMemory(device) as memory:
        start = time.perf_counter()
        history = train.fit(models.build(name), train_iter, test_iter, 1, lr=lr, device=device,
                            amp=None if device.type == "cuda" else fast,
                            channels_last=None if device.type == "cuda" else fast,
                            progress=False, live_plot=False, verbose=False)
        _sync(device)
        seconds = time.perf_counter() - start
    row = history.iloc[-1]
    return {"seconds": seconds, "setup_seconds": setup, "examples_per_sec": float(row.examples_per_sec),
            "data_seconds": data_seconds, "data_share": data_seconds / seconds,
            "train_loss": float(row.train_loss), "test_acc": float(row.test_acc),
            "peak_rss_mib": memory.peak / 2**20,
            "gpu_peak_mib": memory.gpu_peak / 2**20 if memory.gpu_peak is not None else None,
            "bf16": bool(fast), "channels_last": bool(fast)}


def machine(device: torch.device) -> dict:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {"cpu": cpu, "cores": os.cpu_count(), "torch_threads": torch.get_num_threads(),
            "device": profile.describe_device(device), "torch": torch.__version__,
            "python": platform.python_version(), "platform": platform.platform()}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--nets", default=",".join(NETS),
                        help=f"comma-separated, from {', '.join(NETS)} (default: all)")
    parser.add_argument("--size", choices=("quick", "book"), default=None,
                        help="input sizes: the quick profile's (28/67/32/67 px) or the book's (28/224); "
                             "default: book on a GPU, quick elsewhere")
    parser.add_argument("--steps", type=int, default=None,
                        help="optimisation steps per net and side (default: one epoch)")
    parser.add_argument("--test-batches", type=int, default=None,
                        help="test batches evaluated after training (default: the whole test set)")
    parser.add_argument("--device", default=None, help="cpu, cuda, mps (default: the best there is)")
    parser.add_argument("--out", default=None, help="JSON file to write (default: benchmarks/results/<time>-<device>.json)")
    args = parser.parse_args(argv)
    args.nets = [n.strip() for n in args.nets.split(",") if n.strip()]
    unknown = [n for n in args.nets if n not in NETS]
    if unknown:
        parser.error(f"unknown net(s) {', '.join(unknown)}; choose from {', '.join(NETS)}")
    if args.steps is not None and args.steps < 5:
        parser.error("--steps must be 5 or more (d2l's train_ch6 reports every fifth of an epoch)")
    return args


def main(argv=None) -> dict:
    args = parse_args(argv)
    # d2l's loaders use 4 worker processes whatever the machine; torch warns on small ones
    warnings.filterwarnings("ignore", message="This DataLoader will create")
    device = torch.device(args.device) if args.device else profile.pick_device()
    size_kind = args.size or ("book" if device.type == "cuda" else "quick")
    report = {"machine": machine(device), "settings": {"size": size_kind, "steps": args.steps,
                                                       "test_batches": args.test_batches},
              "when": datetime.now(timezone.utc).isoformat(timespec="seconds"), "nets": {}}
    print(f"{report['machine']['cpu']}, {report['machine']['cores']} cores; device {report['machine']['device']}; "
          f"torch {torch.__version__}; {size_kind} sizes")
    header = (f"{'net':<8}{'px':>4}{'steps':>6} | {'side':<5}{'s':>8}{'ex/s':>9}{'data':>7}{'peak MiB':>10}"
              f"{'test acc':>9}")
    print(header)
    print("-" * len(header))
    for name in args.nets:
        batch, lr = NETS[name]
        size = (models.BOOK_SIZE if size_kind == "book" else models.QUICK_SIZE)[name]
        steps = args.steps or math.ceil(60_000 / batch)              # one epoch
        test_batches = args.test_batches or math.ceil(10_000 / batch)  # the whole test set
        result = {"input_size": size, "batch_size": batch, "lr": lr, "steps": steps, "test_batches": test_batches}
        for side, run in (("d2l", run_d2l), ("ours", run_ours)):
            profile.set_seed(0)
            result[side] = run(name, size, batch, lr, steps, test_batches, device)
            r = result[side]
            peak = r["gpu_peak_mib"] if r["gpu_peak_mib"] is not None else r["peak_rss_mib"]
            print(f"{name:<8}{size:>4}{steps:>6} | {side:<5}{r['seconds']:>8.1f}{r['examples_per_sec']:>9,.0f}"
                  f"{r['data_share']:>7.0%}{peak:>10,.0f}{r['test_acc']:>9.3f}", flush=True)
        result["speedup"] = result["d2l"]["seconds"] / result["ours"]["seconds"]
        print(f"{'':<18} | speed-up {result['speedup']:.2f}x, accuracy difference "
              f"{result['ours']['test_acc'] - result['d2l']['test_acc']:+.3f}", flush=True)
        report["nets"][name] = result
    out = Path(args.out) if args.out else RESULTS / (
        datetime.now().strftime("%Y%m%d-%H%M%S") + f"-{device.type}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1) + "\n")
    print(f"written: {out}")
    return report


if __name__ == "__main__":
    main()
