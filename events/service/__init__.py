"""Interim step (history): the rules moved whole to lifecycle.py; the next commit splits them
by concern into modules of this package."""

import sys

from events.service import lifecycle

sys.modules[__name__] = lifecycle
