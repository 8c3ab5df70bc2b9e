"""Client tier overview: the client-level reports and what each answers."""

from ui.catalogue import tier_overview

tier_overview("client")
