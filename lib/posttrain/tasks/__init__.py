"""Offline, verifiable task suites: the core (`suites`) and one module per family, exported from nbs/06*_tasks*.ipynb.

Hand-written, not exported: nbdev cannot export to a package's `__init__.py`. It re-exports the public names of
the five modules, so `from posttrain.tasks import build_suite, SUITES, FAMILIES` works without knowing which
module defines what."""
from .suites import *  # noqa: F403
from .formula import *  # noqa: F403
from .word_problems import *  # noqa: F403
from .multiple_choice import *  # noqa: F403
from .instructions import *  # noqa: F403
