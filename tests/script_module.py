"""A repository script (``benchmarks/``, ``scripts/``) imported as a module, for the tests that
call its ``main()`` in-process."""
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def load(relative: str):
    """The script at ``relative`` (from the repository root), freshly imported."""
    path = ROOT / relative
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
