"""Our training pipeline against d2l's, side by side in one process and one run.

For each network, the same model definition (``d2lhelpers.models``), the same batch size,
learning rate (the book's, plain SGD) and number of optimisation steps are trained twice:

- **d2l**: ``d2l.load_data_fashion_mnist`` (torchvision dataset, PIL resize, DataLoader with
  d2l's 4 workers) and ``d2l.train_ch6``, exactly as the book calls them (its plotting is
  replaced by a no-op so that neither side draws);
- **ours**: ``d2lhelpers.data`` (the whole set in memory as uint8, resized on the device per
  batch) and ``d2lhelpers.train.fit`` with the device's fast paths (bf16 autocast and
  channels_last on CUDA, and on CPUs with native bf16).

Printed and written as JSON under ``benchmarks/results/``: seconds per epoch (training and
evaluation), training examples per second, the share of time the data loop alone takes, peak
memory (process and DataLoader workers, PSS; GPU max allocated) and the test accuracy each side
reached. ``--breakdown`` trains each side once more with timers and splits its time into data,
forward, backward, optimiser step, evaluation and the rest. ``--repeat`` reports the median of
several runs (these machines are noisy); ``--epochs`` and ``--lr`` train longer or faster when
the accuracies are to be compared; ``--fp32``, ``--compile`` and ``--threads`` try our side's
options. ``--augment flip`` (the book's random horizontal flip) or ``--augment all`` (flip,
rotation, zoom, shift, brightness and contrast) trains both sides a second time with training
augmentation: d2l's way, each image a PIL image through torchvision transforms in the
``DataLoader``'s workers; ours, ``augment.Augmentation`` on whole batches on the device; the
figures give each side's cost of augmenting. Run ``python benchmarks/train_speed.py --help`` for
all of them.
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
from torch.optim.optimizer import register_optimizer_step_post_hook, register_optimizer_step_pre_hook

from d2lhelpers import augment, data, models, profile, recipes, train

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
#: per net: the book's batch size and learning rate (ZH edition's recipes, d2lhelpers.recipes.BOOK;
#: input sizes: models.BOOK_SIZE / QUICK_SIZE)
NETS = {name: (book.batch_size, book.lr) for name, book in recipes.BOOK["zh"].items()
        if name != "bn-lenet"}   # the networks of 05-08 and 11; BN-LeNet is LeNet's size


#: --augment: what each side applies to the training images, the same kinds of change on both
AUGMENTATIONS = {"flip": augment.Augmentation(flip=0.5),
                 "all": augment.Augmentation(flip=0.5, max_rotate=15, scale=(0.9, 1.1), max_shift=0.1,
                                             brightness=0.3, contrast=0.3)}


def torchvision_augmentation(kind: str) -> list:
    """The per-image transforms of d2l's side for ``--augment kind`` (applied to PIL images)."""
    import torchvision.transforms as T

    a = AUGMENTATIONS[kind]
    steps = [T.RandomHorizontalFlip(a.flip)]
    if kind == "all":
        steps += [T.RandomAffine(a.max_rotate, translate=(a.max_shift, a.max_shift), scale=a.scale),
                  T.ColorJitter(brightness=a.brightness, contrast=a.contrast)]
    return steps


class FirstBatches:
    """The first ``n`` batches of a loader, with a length (what ``train_ch6`` and ``fit`` need)."""

    def __init__(self, loader, n: int):
        self.loader, self.n = loader, min(n, len(loader))
        self.timer = None          # Breakdown.timed(part) while a breakdown is taken

    def __len__(self) -> int:
        return self.n

    def __iter__(self):
        batches = itertools.islice(self.loader, self.n)
        return self.timer(batches) if self.timer is not None else iter(batches)

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


class Breakdown:
    """Where a training run's time goes, taken without changing either side's code: timers
    around the data iterators (``FirstBatches.timer``), the network's forward pass (hooks; in
    evaluation mode it counts as evaluation), ``Tensor.backward`` and the optimiser's step
    (global hooks). The rest is each loop's bookkeeping: loss, metrics, logging, scheduler.
    On a GPU every boundary synchronises, so the parts add up (and the run is a little slower)."""

    PARTS = ("data", "forward", "backward", "optimizer", "evaluation", "other")

    def __init__(self, net: torch.nn.Module, device: torch.device):
        self.net, self.device, self.seconds = net, device, dict.fromkeys(self.PARTS, 0.0)
        self._started: dict[str, float] = {}

    def _start(self, key: str) -> None:
        _sync(self.device)
        self._started[key] = time.perf_counter()

    def _stop(self, key: str, part: str) -> None:
        _sync(self.device)
        self.seconds[part] += time.perf_counter() - self._started.pop(key)

    def timed(self, part: str):
        def timer(batches):
            self._start(part)
            batches = iter(batches)                   # d2l: starting the workers counts as data
            self._stop(part, part)
            while True:
                self._start(part)
                try:
                    batch = next(batches)
                except StopIteration:
                    self._stop(part, part)
                    return
                self._stop(part, part)
                yield batch
        return timer

    def __enter__(self):
        def forward_part():
            return "forward" if self.net.training else "evaluation"

        hooks = [self.net.register_forward_pre_hook(lambda module, args: self._start("forward")),
                 self.net.register_forward_hook(lambda module, args, out: self._stop("forward", forward_part())),
                 register_optimizer_step_pre_hook(
                     lambda opt, args, kwargs: self._start("optimizer")),
                 register_optimizer_step_post_hook(
                     lambda opt, args, kwargs: self._stop("optimizer", "optimizer"))]
        self._hooks, self._backward = hooks, torch.Tensor.backward
        original = self._backward

        def backward(tensor, *args, **kwargs):
            self._start("backward")
            try:
                return original(tensor, *args, **kwargs)
            finally:
                self._stop("backward", "backward")

        torch.Tensor.backward = backward
        self._start("total")
        return self

    def __exit__(self, *exc):
        _sync(self.device)
        total = time.perf_counter() - self._started.pop("total")
        torch.Tensor.backward = self._backward
        for hook in self._hooks:
            hook.remove()
        self.seconds["other"] = max(0.0, total - sum(v for k, v in self.seconds.items() if k != "other"))
        self.total = total

    def shares(self) -> dict:
        return {part: seconds / self.total for part, seconds in self.seconds.items()}


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


@contextlib.contextmanager
def measured(net: torch.nn.Module, device: torch.device, train_iter: FirstBatches, test_iter: FirstBatches,
             epochs: int, data_seconds: float, breakdown: bool):
    """The figures both sides report of the training run inside the block, in the dict it
    yields: seconds (per epoch too), the data loop's share, peak memory, and with
    ``breakdown`` the seconds of each part (timers on the two loaders and on ``net``)."""
    parts = Breakdown(net, device) if breakdown else contextlib.nullcontext()
    if breakdown:
        train_iter.timer, test_iter.timer = parts.timed("data"), parts.timed("evaluation")
    result: dict = {}
    with PeakMemory(device) as memory, parts:
        start = time.perf_counter()
        yield result
        _sync(device)
        seconds = time.perf_counter() - start
    result.update(seconds=seconds, epoch_seconds=seconds / epochs, data_seconds=data_seconds,
                  data_share=data_seconds * epochs / seconds, peak_rss_mib=memory.peak / 2**20,
                  gpu_peak_mib=memory.gpu_peak / 2**20 if memory.gpu_peak is not None else None)
    if breakdown:
        result["breakdown"] = parts.seconds


def run_d2l(name: str, size: int, batch: int, lr: float, steps: int, test_batches: int,
            device: torch.device, breakdown: bool = False, epochs: int = 1, seed: int = 0,
            augment: str | None = None, **_) -> dict:
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
            if augment:       # the book's way (EN §14.1.2, ZH §13.1.2): transforms in the data set
                train_loader = d2l_augmented_loader(d2l, batch, size, augment)
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
    torch.manual_seed(seed)                          # train_ch6 initialises the weights: from the seed
    out = io.StringIO()
    try:
        with measured(net, device, train_iter, test_iter, epochs, data_seconds, breakdown) as result, \
                contextlib.redirect_stdout(out):
            d2l.train_ch6(net, train_iter, test_iter, epochs, lr, device)
    finally:
        d2l.Animator = real_animator
    printed = out.getvalue()
    return {**result, "setup_seconds": setup,
            "examples_per_sec": float(printed.split(" examples/sec")[0].split()[-1]),
            "train_loss": float(printed.split("loss ")[1].split(",")[0]),
            "test_acc": float(printed.split("test acc ")[1].split()[0])}


def d2l_augmented_loader(d2l, batch: int, size: int, kind: str):
    """d2l's load_data_fashion_mnist training loader with ``kind``'s augmentation before its resize
    and ToTensor, read from "../data" as d2l does."""
    import torchvision
    import torchvision.transforms as T

    trans = torchvision_augmentation(kind) + ([T.Resize(size)] if size != 28 else []) + [T.ToTensor()]
    dataset = torchvision.datasets.FashionMNIST(root="../data", train=True, transform=T.Compose(trans), download=True)
    return torch.utils.data.DataLoader(dataset, batch, shuffle=True, num_workers=d2l.get_dataloader_workers())


def run_ours(name: str, size: int, batch: int, lr: float, steps: int, test_batches: int,
             device: torch.device, breakdown: bool = False, fast: bool | None = None,
             compile: bool = False, epochs: int = 1, seed: int = 0, augment: str | None = None) -> dict:
    start = time.perf_counter()
    dataset = data.read_fashion_mnist()
    augmentation = AUGMENTATIONS[augment] if augment else None
    train_iter = FirstBatches(data.Batches(dataset.train_images.to(device), dataset.train_labels.to(device),
                                           batch, resize=size, shuffle=True, seed=seed, augment=augmentation), steps)
    n_test = min(test_batches * batch, len(dataset.test_labels))   # the same first test images as d2l's
    test_iter = FirstBatches(data.Batches(dataset.test_images[:n_test].to(device),
                                          dataset.test_labels[:n_test].to(device), batch, resize=size), test_batches)
    setup = time.perf_counter() - start
    data_seconds = time_data_loop(train_iter, device)
    bf16, channels_last = profile.fast_paths(device) if fast is None else (fast, fast)
    # the book's recipe with this run's steps and rate; like train_ch6, the test set is evaluated
    # after every epoch (passed as the validation batches), and nothing is held out of training
    recipe = recipes.BOOK["zh"][name].replace(lr=lr, batch_size=batch, epochs=epochs, input_size=size, seed=seed,
                                              validation=0, bf16=bf16, channels_last=channels_last,
                                              init="none" if compile else "xavier", augment=augmentation)
    net = models.build(name)
    if compile:        # initialised as fit would, then compiled (compiling counts in the time)
        train.init_weights(net, torch.zeros(2, 1, size, size))
        net = torch.compile(net)
    with measured(net, device, train_iter, test_iter, epochs, data_seconds, breakdown) as result:
        history = train.fit(net, train_iter, test_iter, recipe, device=device, progress=False, live_plot=False,
                            verbose=False)
    row = history.iloc[-1]
    return {**result, "setup_seconds": setup, "examples_per_sec": float(history.examples_per_sec.mean()),
            "train_loss": float(row.train_loss), "test_acc": float(row.val_acc),
            "bf16": bool(bf16), "channels_last": bool(channels_last), "compiled": compile,
            "recipe": recipe.describe(device)}


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


def markdown_table(report: dict) -> str:
    """The README's table for one report: per net, both sides' seconds per epoch, examples/s,
    data-loop share, peak memory and test accuracy, and the speed-up."""
    m, s = report["machine"], report["settings"]
    gpu = m["device"] != "cpu"
    lines = [f"Measured {report['when'][:10]} on {m['cpu']} ({m['cores']} cores), device {m['device']}, "
             f"torch {m['torch']}; {s['size']} sizes, {s.get('epochs', 1)} epoch(s)"
             + (f" of {s['steps']} steps" if s["steps"] else "") + ".",
             "",
             "| net | input | steps | d2l s/epoch | ours s/epoch | speed-up | d2l ex/s | ours ex/s "
             "| data share d2l / ours | peak MiB d2l / ours | test acc d2l / ours |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    augmented = s.get("augment")
    for name, r in report["nets"].items():
        key = "gpu_peak_mib" if gpu else "peak_rss_mib"
        rows = [(name, r["d2l"], r["ours"], r["speedup"])]
        if augmented and "d2l+aug" in r:
            rows.append((f"{name} + {augmented} augmentation", r["d2l+aug"], r["ours+aug"], r["speedup_augmented"]))
        for label, d, o, speedup in rows:
            lines.append(f"| {label} | {r['input_size']} px | {r['steps']} | {d['epoch_seconds']:.1f} | "
                         f"{o['epoch_seconds']:.1f} | **{speedup:.2f}×** | {d['examples_per_sec']:,.0f} | "
                         f"{o['examples_per_sec']:,.0f} | {d['data_share']:.0%} / {o['data_share']:.0%} | "
                         f"{d[key]:,.0f} / {o[key]:,.0f} | {d['test_acc']:.3f} / {o['test_acc']:.3f} |")
    return "\n".join(lines)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--nets", default=",".join(NETS),
                        help=f"comma-separated, from {', '.join(NETS)} (default: all)")
    parser.add_argument("--size", choices=("quick", "book"), default=None,
                        help="input sizes: the quick profile's ("
                             + "/".join(str(models.QUICK_SIZE[n]) for n in NETS) + " px) or the book's ("
                             + "/".join(str(models.BOOK_SIZE[n]) for n in NETS) + " px); "
                             "default: book on a GPU, quick elsewhere")
    parser.add_argument("--steps", type=int, default=None,
                        help="optimisation steps per net and side (default: one epoch)")
    parser.add_argument("--epochs", type=int, default=1,
                        help="epochs per net and side (of --steps each; default: 1)")
    parser.add_argument("--lr", type=float, default=None,
                        help="one learning rate for every net and both sides (default: the book's per net)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs per side; the run of median time is reported (default: 1)")
    parser.add_argument("--seed", type=int, default=0, help="random seed of every run (default: 0)")
    parser.add_argument("--test-batches", type=int, default=None,
                        help="test batches evaluated after training (default: the whole test set)")
    parser.add_argument("--device", default=None, help="cpu, cuda, mps (default: the best there is)")
    parser.add_argument("--breakdown", action="store_true",
                        help="train each side once more with timers: data, forward, backward, optimiser, "
                             "evaluation, other")
    parser.add_argument("--fp32", action="store_true",
                        help="our side without bf16 autocast and channels_last (to see what they bring)")
    parser.add_argument("--compile", action="store_true",
                        help="our side with torch.compile (compiling counts in its time)")
    parser.add_argument("--augment", choices=tuple(AUGMENTATIONS), default=None,
                        help="train both sides again with training augmentation: flip (the book's random "
                             "horizontal flip) or all (flip, rotation, zoom, shift, brightness, contrast); "
                             "d2l's per image in its DataLoader, ours on whole batches on the device")
    parser.add_argument("--threads", type=int, default=None, help="torch.set_num_threads (default: torch's)")
    parser.add_argument("--table", default=None, metavar="JSON",
                        help="print the markdown table of an earlier run's JSON and stop")
    parser.add_argument("--out", default=None, help="JSON file to write (default: benchmarks/results/<time>-<device>.json)")
    args = parser.parse_args(argv)
    args.nets = [n.strip() for n in args.nets.split(",") if n.strip()]
    unknown = [n for n in args.nets if n not in NETS]
    if unknown:
        parser.error(f"unknown net(s) {', '.join(unknown)}; choose from {', '.join(NETS)}")
    for option in ("threads", "epochs", "repeat"):
        if getattr(args, option) is not None and getattr(args, option) < 1:
            parser.error(f"--{option} must be 1 or more")
    if args.lr is not None and not args.lr > 0:
        parser.error("--lr must be positive")
    if args.steps is not None and args.steps < 5:
        parser.error("--steps must be 5 or more (d2l's train_ch6 reports every fifth of an epoch)")
    if args.device:
        try:
            profile.usable_device(args.device, f"--device {args.device}")
        except ValueError as err:
            parser.error(str(err))
    return args


def main(argv=None) -> dict:
    args = parse_args(argv)
    if args.table:
        report = json.loads(Path(args.table).read_text())
        print(markdown_table(report))
        return report
    # d2l's loaders use 4 worker processes whatever the machine; torch warns on small ones
    warnings.filterwarnings("ignore", message="This DataLoader will create")
    if args.threads:
        torch.set_num_threads(args.threads)
    device = profile.usable_device(args.device) if args.device else profile.pick_device()
    size_kind = args.size or ("book" if device.type == "cuda" else "quick")
    ours_options = {"fast": False if args.fp32 else None, "compile": args.compile}
    report = {"machine": machine(device), "settings": {"size": size_kind, "steps": args.steps, "epochs": args.epochs,
                                                       "lr": args.lr, "repeat": args.repeat, "seed": args.seed,
                                                       "test_batches": args.test_batches, "fp32": args.fp32,
                                                       "compile": args.compile, "threads": args.threads,
                                                       "augment": args.augment},
              "when": datetime.now(timezone.utc).isoformat(timespec="seconds"), "nets": {}}
    print(f"{report['machine']['cpu']}, {report['machine']['cores']} cores; device {report['machine']['device']}; "
          f"torch {torch.__version__}; {size_kind} sizes")
    header = (f"{'net':<8}{'px':>4}{'steps':>6} | {'side':<8}{'s/epoch':>8}{'ex/s':>9}{'data':>7}{'peak MiB':>10}"
              f"{'test acc':>9}")
    print(header)
    print("-" * len(header))
    for name in args.nets:
        batch, lr = NETS[name]
        lr = args.lr or lr
        size = (models.BOOK_SIZE if size_kind == "book" else models.QUICK_SIZE)[name]
        steps = args.steps or math.ceil(60_000 / batch)              # one epoch
        test_batches = args.test_batches or math.ceil(10_000 / batch)  # the whole test set
        result = {"input_size": size, "batch_size": batch, "lr": lr, "steps": steps, "epochs": args.epochs,
                  "test_batches": test_batches}
        sides = [("d2l", run_d2l, None), ("ours", run_ours, None)]
        if args.augment:
            sides += [("d2l+aug", run_d2l, args.augment), ("ours+aug", run_ours, args.augment)]
        for side, run, augmentation in sides:
            runs = []
            for _ in range(args.repeat):
                profile.set_seed(args.seed)
                runs.append(run(name, size, batch, lr, steps, test_batches, device, epochs=args.epochs,
                                seed=args.seed, augment=augmentation, **ours_options))
            runs.sort(key=lambda r: r["seconds"])
            result[side] = r = dict(runs[len(runs) // 2], all_seconds=[r["seconds"] for r in runs])
            peak = r["gpu_peak_mib"] if r["gpu_peak_mib"] is not None else r["peak_rss_mib"]
            print(f"{name:<8}{size:>4}{steps:>6} | {side:<8}{r['epoch_seconds']:>8.1f}{r['examples_per_sec']:>9,.0f}"
                  f"{r['data_share']:>7.0%}{peak:>10,.0f}{r['test_acc']:>9.3f}", flush=True)
        result["speedup"] = result["d2l"]["seconds"] / result["ours"]["seconds"]
        gap = result["ours"]["test_acc"] - result["d2l"]["test_acc"]
        chance = max(result["ours"]["test_acc"], result["d2l"]["test_acc"]) < 0.2
        print(f"{'':<18} | speed-up {result['speedup']:.2f}x, accuracy difference {gap:+.3f}"
              + (" (both near chance: train longer to compare accuracy)" if chance else ""), flush=True)
        if args.augment:
            result["speedup_augmented"] = result["d2l+aug"]["seconds"] / result["ours+aug"]["seconds"]
            # the share of each side's training throughput that augmenting costs
            result["augment_cost"] = {side: 1 - result[f"{side}+aug"]["examples_per_sec"]
                                      / result[side]["examples_per_sec"] for side in ("d2l", "ours")}
            print(f"{'':<18} | with {args.augment} augmentation: speed-up {result['speedup_augmented']:.2f}x; "
                  f"augmenting costs d2l {result['augment_cost']['d2l']:.0%} of its examples/s, ours "
                  f"{result['augment_cost']['ours']:.0%}", flush=True)
        if args.breakdown:
            for side, run, augmentation in sides:
                profile.set_seed(args.seed)
                timed = run(name, size, batch, lr, steps, test_batches, device, breakdown=True, epochs=args.epochs,
                            seed=args.seed, augment=augmentation, **ours_options)
                result[side]["breakdown"] = timed["breakdown"]
                total = sum(timed["breakdown"].values())
                print(f"{'':<18} | {side:<8}" + "  ".join(f"{part} {seconds / total:.0%}" for part, seconds
                                                          in timed["breakdown"].items())
                      + f"  (of {total:.1f} s)", flush=True)
        report["nets"][name] = result
    out = Path(args.out) if args.out else RESULTS / (
        datetime.now().strftime("%Y%m%d-%H%M%S") + f"-{device.type}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1) + "\n")
    print(f"written: {out}")
    return report


if __name__ == "__main__":
    main()
