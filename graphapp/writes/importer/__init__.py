"""CSV import: spreadsheets as staff keep them, written through the one write path.

``graphapp import FILE.csv --kind practices`` reads one kind of entity per file, one entity per row:

- the header row names the columns in Spanish, from the declarations (:mod:`graphapp.writes.entities`): a text
  field has a column for Spanish (``solución``) and one for English (``solución (en)``); ``identificador`` (optional)
  gives the slug of the new IRI, else it is made from ``nombre``. Accents, case and spacing of the headers do not
  matter (``Solucion`` is ``solución``); an unknown column is an error, so that a typo never drops data silently.
  ``graphapp import --columns --kind practices`` prints the layout;
- UTF-8 (with or without BOM), else Windows-1252/latin-1; ``;``, ``,`` or tab between cells (the one that makes
  the header row known columns);
- several values in a cell are separated by ``|``; references are IRIs, ``<segment>/<slug>``, bare slugs
  (``activa``, ``durango``, ``municipio/15106``), looked up under the field's segments, or an entity's exact name
  (``Metepec``), and may name an entity of an earlier row; dates as ``2024-05-31`` or ``31/05/2024``, decimals with
  a point or a comma, booleans ``sí``/``no``.

Every row is checked as the JSON API checks a body, then the new entities are validated against the SHACL shapes.
All or nothing by default: one :class:`~graphapp.writes.Change` for the whole file, and nothing is written if any row
fails. ``per_row`` commits the good rows one by one; ``dry_run`` checks and reports without writing. The report
names every rejected row as the spreadsheet numbers it (the header is row 1), its column as the file's header row
writes it and the reason, in Spanish or English.

The command opens the store on disk itself (``open_store`` and the service's :class:`~graphapp.writes.Writer`, from
:func:`graphapp.service.make_writer`: the contributions graph writable, the source graphs read-only). A running
service holds the store's lock (RocksDB takes one writer process): the command then sends the file to the service's
``POST /api/import/<kind>`` with a staff token (:mod:`.remote`), which imports it through the same write path and
answers the same report. The service (its upload page ``/importar`` too) and the command both import through
:func:`graphapp.web.csvimport.run_import`, which resolves references given by an entity's exact name as the forms do
and suggests entities for a reference that names nothing or more than one.

:mod:`.columns` (the layout), :mod:`.table` (reading the file and its header), :mod:`.rows` (rows → values),
:mod:`.batch` (checking and writing), :mod:`.report`, :mod:`.command` and :mod:`.remote`.
"""

from ..entities import KINDS_BY_PLURAL, SLUG
from .batch import import_rows
from .columns import SLUG_HEADER, Column, columns, layout
from .command import StoreInUse, command, open_writer
from .report import Report, RowError
from .rows import DMY, FALSE, SEPARATOR, TRUE, row_data
from .table import DELIMITERS, Table, check_header, decode, read_table

__all__ = [
    "DELIMITERS",
    "DMY",
    "FALSE",
    "KINDS_BY_PLURAL",
    "SEPARATOR",
    "SLUG",
    "SLUG_HEADER",
    "TRUE",
    "Column",
    "Report",
    "RowError",
    "StoreInUse",
    "Table",
    "check_header",
    "columns",
    "command",
    "decode",
    "import_rows",
    "layout",
    "open_writer",
    "read_table",
    "row_data",
]
