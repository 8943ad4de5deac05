"""The training doctor: what went wrong in a run, in a sentence or two, and where it is taught.

``train.fit`` calls :func:`diagnose` after training and prints what it finds (it raises at once
on a loss that is no longer a number, quoting the optimiser's real learning rate). Each
diagnosis names the symptom with the run's own numbers, its usual causes, and the notebook
section that shows the cause. A healthy run gets none.

    for d in doctor.diagnose(history, net):
        print(d)

First explained in ``notebooks/00-setup-check.ipynb``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
from torch import nn

#: how far above chance accuracy a run must get to count as learning (a share of 1 - chance)
LEARNING = 0.1
#: training accuracy this far above validation accuracy is overfitting
OVERFIT_GAP = 0.10
#: validation accuracy this far above training accuracy is worth explaining
ABOVE_GAP = 0.03
#: a final training loss this many times its best is a run going the wrong way
RISING = 1.25


@dataclass(frozen=True)
class Diagnosis:
    kind: str      # stuck, diverging, dead-classes, overfitting, validation-above-training
    message: str

    def __str__(self) -> str:
        return f"Doctor ({self.kind}): {self.message}"


def divergence_message(loss_value: float, epoch: int, optimizer) -> str:
    """The error for a loss that became inf or nan, with the learning rate the optimiser really used."""
    rates = sorted({float(group["lr"]) for group in optimizer.param_groups})
    rate = " and ".join(f"{r:g}" for r in rates)
    return (f"the training loss became {loss_value} in epoch {epoch}: {type(optimizer).__name__} was stepping "
            f"with learning rate {rate}, too high for this net. Lower the recipe's lr (e.g. "
            f"recipe.replace(lr=...) ten times smaller); 01-convolution, exercise 3, shows why a step "
            f"too large makes gradient descent diverge.")


def _has(net: nn.Module | None, kinds) -> bool:
    return net is not None and any(isinstance(m, kinds) for m in net.modules())


def diagnose(history: pd.DataFrame, net: nn.Module | None = None) -> list[Diagnosis]:
    """Diagnoses of a finished run from its history (``fit``'s) and, optionally, the net.

    Reads ``history.attrs``: ``classes`` (their number sets chance level) and
    ``val_never_predicted`` (classes the net never predicted on the validation set in the
    last epoch)."""
    if history.empty:
        return []
    found: list[Diagnosis] = []
    classes = history.attrs.get("classes") or ()
    chance = 1 / len(classes) if classes else 0.1
    learning = chance + LEARNING * (1 - chance)
    last = history.iloc[-1]
    train_acc, val_acc = float(last.train_acc), float(last.val_acc)
    has_val = not math.isnan(val_acc)
    shown = f"training accuracy {train_acc:.3f}" + (f", validation {val_acc:.3f}" if has_val else "")

    if train_acc < learning and (not has_val or val_acc < learning):
        found.append(Diagnosis("stuck", (
            f"{shown} after {len(history)} epoch(s): still at chance ({chance:.3f} for {len(classes) or 10} "
            f"classes), the loss near ln {len(classes) or 10} = {math.log(len(classes) or 10):.3f}. The weights "
            f"barely move: sigmoid activations with a small learning rate (05-lenet, section 2 'Training'), or the "
            f"book's plain SGD on a deep net at low resolution (06-alexnet, section 2 'Training'). Raise the "
            f"learning rate, train longer, use ReLU, or Adam.")))
        return found  # the other symptoms mean nothing for a net that has not learned

    best = float(history.train_loss.min())
    if len(history) >= 3 and float(last.train_loss) > RISING * best:
        found.append(Diagnosis("diverging", (
            f"the training loss rose to {float(last.train_loss):.3f} from its best, {best:.3f}: the steps are "
            f"too large late in training. Lower the learning rate or use a schedule that anneals it "
            f"(recipe schedule='onecycle' or 'cosine').")))

    never = list(history.attrs.get("val_never_predicted") or ())
    if never:
        found.append(Diagnosis("dead-classes", (
            f"the net never predicts {', '.join(map(str, never))} on the validation set. Either it has not "
            f"learned {'that class' if len(never) == 1 else 'those classes'} yet, or the units that carry "
            f"{'it are' if len(never) == 1 else 'them are'} dead: a ReLU whose input is negative for every image "
            f"passes no gradient, and comes back only if the layers below happen to move its input. 08-nin, "
            f"section 3.4, tells the two apart (a dead channel is 0 for every image) and shows why He "
            f"initialisation helps; if nothing is dead, train longer.")))

    if has_val and train_acc - val_acc > OVERFIT_GAP:
        found.append(Diagnosis("overfitting", (
            f"{shown}: the net fits its training images far better than new ones, it is memorising them. "
            f"More data, augmentation, dropout or weight decay, or fewer epochs help (06-alexnet, "
            f"exercise 8).")))

    regularised = _has(net, (nn.Dropout, nn.Dropout2d, nn.BatchNorm1d, nn.BatchNorm2d))
    if has_val and regularised and len(history) >= 2 and val_acc - train_acc > ABOVE_GAP:
        causes = []
        if _has(net, (nn.Dropout, nn.Dropout2d)):
            causes.append("dropout is active in training and off in evaluation, so the training figures "
                          "come from a weaker net")
        if _has(net, (nn.BatchNorm1d, nn.BatchNorm2d)):
            causes.append("batch normalization uses batch statistics in training and running averages in "
                          "evaluation")
        causes.append("and the training accuracy is averaged over the epoch while the weights were still "
                      "improving (augmented training images, harder than plain ones, do the same)")
        found.append(Diagnosis("validation-above-training", (
            f"{shown}: validation is above training, which is not a bug: " + "; ".join(causes) + ".")))
    return found
