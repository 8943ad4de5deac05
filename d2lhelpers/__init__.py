"""Helpers for the d2l convolutional-network notebooks.

Import the module you need by name, e.g. ``from d2lhelpers import data, train``:

- :mod:`d2lhelpers.profile`: run profiles (full / quick / ci), device, seeding.
- :mod:`d2lhelpers.data`: Fashion-MNIST, offline first, batches served on the device.
- :mod:`d2lhelpers.recipes`: training recipes as data (the book's, the CPU ones, the test suite's).
- :mod:`d2lhelpers.train`: ``fit`` (d2l's ``train_ch6`` and more), ``evaluate``; with
  :mod:`d2lhelpers.checkpoint` (runs that cannot be mixed) and :mod:`d2lhelpers.doctor`
  (what went wrong in a run).
- :mod:`d2lhelpers.plot`: training histories, image grids, feature maps.
- :mod:`d2lhelpers.inspection`: output sizes and per-layer tables.
- :mod:`d2lhelpers.models`: LeNet, AlexNet, VGG and NiN as the book builds them.
- :mod:`d2lhelpers.check`: self-checks for exercise answers, with the reasoning.
- :mod:`d2lhelpers.widgets`: explorers for output sizes, kernels and pooling (ipywidgets).
- :mod:`d2lhelpers.scratch`: from-scratch operations one notebook teaches and others reuse.
- :mod:`d2lhelpers.structure`: the notebooks' exercises, read one way by the scripts and tests.
"""
__version__ = "0.1.0"
