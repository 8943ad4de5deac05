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

from .i18n import N_, tr

#: how far above chance accuracy a run must get to count as learning (a share of 1 - chance)
LEARNING = 0.1
#: training accuracy this far above validation accuracy is overfitting
OVERFIT_GAP = 0.10
#: validation accuracy this far above training accuracy is worth explaining
ABOVE_GAP = 0.03
#: a final training loss this many times its best is a run going the wrong way
RISING = 1.25


#: the kinds of diagnosis (each has its name in Chinese too)
KINDS = (N_("stuck"), N_("diverging"), N_("dead-classes"), N_("overfitting"), N_("validation-above-training"))


@dataclass(frozen=True)
class Diagnosis:
    kind: str      # one of KINDS
    message: str

    def __str__(self) -> str:
        return tr("Doctor ({kind}): {message}", kind=tr(self.kind), message=self.message)


def divergence_message(loss_value: float, epoch: int, optimizer) -> str:
    """The error for a loss that became inf or nan, with the learning rate the optimiser really used."""
    rates = sorted({float(group["lr"]) for group in optimizer.param_groups})
    rate = " and ".join(f"{r:g}" for r in rates)
    return tr("the training loss became {loss} in epoch {epoch}: {optimizer} was stepping with learning rate "
              "{rate}, too high for this net. Lower the recipe's lr (e.g. recipe.replace(lr=...) ten times "
              "smaller); 01-convolution, exercise 3, shows why a step too large makes gradient descent diverge.",
              loss=loss_value, epoch=epoch, optimizer=type(optimizer).__name__, rate=rate)


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
    shown = (tr("training accuracy {train_acc:.3f}, validation {val_acc:.3f}", train_acc=train_acc, val_acc=val_acc)
             if has_val else tr("training accuracy {train_acc:.3f}", train_acc=train_acc))

    if train_acc < learning and (not has_val or val_acc < learning):
        n = len(classes) or 10
        found.append(Diagnosis("stuck", tr(
            "{shown} after {epochs} epoch(s): still at chance ({chance:.3f} for {classes} classes), the loss near "
            "ln {classes} = {log:.3f}. The weights barely move: sigmoid activations with a small learning rate "
            "(05-lenet, section 2 'Training'), or the book's plain SGD on a deep net at low resolution (06-alexnet, "
            "section 2 'Training'). Raise the learning rate, train longer, use ReLU, or Adam.",
            shown=shown, epochs=len(history), chance=chance, classes=n, log=math.log(n))))
        return found  # the other symptoms mean nothing for a net that has not learned

    best = float(history.train_loss.min())
    if len(history) >= 3 and float(last.train_loss) > RISING * best:
        found.append(Diagnosis("diverging", tr(
            "the training loss rose to {last:.3f} from its best, {best:.3f}: the steps are too large late in "
            "training. Lower the learning rate or use a schedule that anneals it (recipe schedule='onecycle' or "
            "'cosine').", last=float(last.train_loss), best=best)))

    never = list(history.attrs.get("val_never_predicted") or ())
    if never:
        one = tr("the net never predicts {classes} on the validation set. Either it has not learned that class yet, "
                 "or the units that carry it are dead: a ReLU whose input is negative for every image passes no "
                 "gradient, and comes back only if the layers below happen to move its input. 08-nin, section 3.4, "
                 "tells the two apart (a dead channel is 0 for every image) and shows why He initialisation helps; "
                 "if nothing is dead, train longer.", classes=", ".join(map(str, never)))
        many = tr("the net never predicts {classes} on the validation set. Either it has not learned those classes "
                  "yet, or the units that carry them are dead: a ReLU whose input is negative for every image passes "
                  "no gradient, and comes back only if the layers below happen to move its input. 08-nin, section "
                  "3.4, tells the two apart (a dead channel is 0 for every image) and shows why He initialisation "
                  "helps; if nothing is dead, train longer.", classes=", ".join(map(str, never)))
        found.append(Diagnosis("dead-classes", one if len(never) == 1 else many))

    if has_val and train_acc - val_acc > OVERFIT_GAP:
        found.append(Diagnosis("overfitting", tr(
            "{shown}: the net fits its training images far better than new ones, it is memorising them. More data, "
            "augmentation, dropout or weight decay, or fewer epochs help (06-alexnet, exercise 8).", shown=shown)))

    regularised = _has(net, (nn.Dropout, nn.Dropout2d, nn.BatchNorm1d, nn.BatchNorm2d))
    if has_val and regularised and len(history) >= 2 and val_acc - train_acc > ABOVE_GAP:
        causes = []
        if _has(net, (nn.Dropout, nn.Dropout2d)):
            causes.append(tr("dropout is active in training and off in evaluation, so the training figures "
                             "come from a weaker net"))
        if _has(net, (nn.BatchNorm1d, nn.BatchNorm2d)):
            causes.append(tr("batch normalization uses batch statistics in training and running averages in "
                             "evaluation"))
        causes.append(tr("and the training accuracy is averaged over the epoch while the weights were still "
                         "improving (augmented training images, harder than plain ones, do the same)"))
        found.append(Diagnosis("validation-above-training", tr(
            "{shown}: validation is above training, which is not a bug: {causes}.", shown=shown,
            causes=tr("; ").join(causes))))
    return found
