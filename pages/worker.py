"""Worker tier overview: the worker-level reports and what each answers."""

from ui.catalogue import tier_overview

tier_overview("worker")
