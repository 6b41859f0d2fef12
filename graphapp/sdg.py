"""How an SDG indicator's dotted code is read, and the names of the UN's SDG classes.

Goals are named by the graph: the UN's SKOS file (data/reference/un-sdg-kos.ttl) gives each goal a long statement in
Spanish and English and a short name in English only (``skos:altLabel``); the presentation gives the short Spanish
names of the three goals it cites (data/presentacion/compromiso.ttl: «Paz, justicia e instituciones sólidas»).
No other name is written here.

>>> [bool(INDICATOR_CODE.fullmatch(code)) for code in ("16.10.1", "1.a.1", "16.10")]
[True, True, False]
"""

from __future__ import annotations

import re

SDG = "http://metadata.un.org/sdg/"
GOAL_CLASS = "http://metadata.un.org/sdg/ontology#Goal"

#: an indicator's code as people write it (``16.10.1``, ``1.a.1``); its IRI uses the UN's permanent code
#: (``C161001``), and the dotted code is its ``skos:notation`` of datatype ``sdgo:SDGCodeCompact``
INDICATOR_CODE = re.compile(r"\d{1,2}\.[0-9a-z]{1,2}\.\d{1,2}")
