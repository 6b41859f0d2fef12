"""The one write path: every change to the graph, from any way in (SPARQL Update, the JSON API, forms, CSV
import, revert), goes through :class:`graphapp.writes.writer.Writer`.

check the input → compute the quads to add and remove (:mod:`.changes`) → validate the entities that change and
the nodes that point at them (:mod:`graphapp.validation`, pyshacl focus nodes) → commit in one transaction →
record history (:mod:`.history`) → publish the new version to readers.
"""

from .changes import Change, WriteRejected
from .writer import Commit, Writer

__all__ = ["Change", "Commit", "WriteRejected", "Writer"]
