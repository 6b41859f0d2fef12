"""The staff JSON API: add, read, correct and retire entities, and their history (who, when, how, from which
source, what was added and removed), with revert.

Every write goes through the one write path (:class:`graphapp.writes.Writer`): checked against the declarations of
:mod:`graphapp.writes.entities`, validated against the SHACL shapes, committed atomically, recorded in the history
and published to readers (``/sparql``, the entity pages and the practice finder see it at once). Writes need a
staff principal with the ``edit`` role (``Authorization: Bearer <token>``); reads and the history are public.

Errors are JSON, in the caller's language (``lang=``, else the language cookie, else ``Accept-Language``, else
Spanish). A refused write changes nothing: 400 for values that are not valid or break a shape, each problem as
``{"field": <JSON field>, "shape": <shape ID or null>, "message": …, "code": …}``; 403 for the project's source
data, which the service does not change (correct it in its file under ``data/``); 409 for an IRI already taken, an
entity already retired or a change already reverted.

:mod:`.entities` and :mod:`.changes` hold the routes, :mod:`.shared` the steps they share, :mod:`.answers` and
:mod:`.bodies` what the API description says of their answers and bodies. :data:`router` includes both.
"""

from fastapi import APIRouter

from ....writes.entities import KINDS, LANGS, RDF_MEDIA
from ...errors import ERROR_SCHEMA_NAME
from ...params import ApiLang
from . import changes, entities
from .answers import JSON, EntityOut, HistoryEntry, HistoryOut, RevertOut, Violation, WriteError
from .changes import MAX_HISTORY, ChangeId, change_read, change_revert, entity_history
from .entities import (
    KindName,
    KindParam,
    SlugParam,
    SourceParam,
    entity_create,
    entity_kinds,
    entity_options,
    entity_read,
    entity_retire,
    entity_update,
)
from .shared import caller_lang

router = APIRouter()
router.include_router(entities.router)
router.include_router(changes.router)

__all__ = [
    "ERROR_SCHEMA_NAME",
    "JSON",
    "KINDS",
    "LANGS",
    "MAX_HISTORY",
    "RDF_MEDIA",
    "ApiLang",
    "ChangeId",
    "EntityOut",
    "HistoryEntry",
    "HistoryOut",
    "KindName",
    "KindParam",
    "RevertOut",
    "SlugParam",
    "SourceParam",
    "Violation",
    "WriteError",
    "caller_lang",
    "change_read",
    "change_revert",
    "entity_create",
    "entity_history",
    "entity_kinds",
    "entity_options",
    "entity_read",
    "entity_retire",
    "entity_update",
    "router",
]
