"""Content negotiation, once for the whole service: which of the representations a route offers does the
request's ``Accept`` header prefer?

Every route asks :func:`choose` (the SPARQL results through :func:`graphapp.results.negotiate`, the pages and
the error responses through ``graphapp.web.render``), so ties are broken the same way everywhere: the highest
q-value, then the most specific match (the exact media type, then one of its aliases, then ``type/*``, then
``*/*``), then the order in which the route lists its offers (so the first offer is what ``*/*`` or a missing
header gets). A media type given with ``q=0`` is never chosen, even when a wildcard would match it.

>>> choose("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", ["application/json", "text/html"])
'text/html'
>>> choose("*/*", ["text/turtle", "text/html"])
'text/turtle'
>>> choose(None, ["text/turtle", "text/html"])
'text/turtle'
>>> choose("text/*, text/html;q=0", ["text/html", "text/plain"])
'text/plain'
>>> choose("image/png", ["text/html"]) is None
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """Media ranges with their q-values, best first (ties keep the header's order); a missing header is ``*/*``.

    >>> parse_accept("text/html, application/json;q=0.9, */*;q=0.1")
    [('text/html', 1.0), ('application/json', 0.9), ('*/*', 0.1)]
    >>> parse_accept("text/csv;q=oops")
    [('text/csv', 0.0)]
    """
    if not header or not header.strip():
        return [("*/*", 1.0)]
    ranges: list[tuple[str, float, int]] = []
    for index, part in enumerate(header.split(",")):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if not media:
            continue
        q = 1.0
        for param in pieces[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        ranges.append((media, q, index))
    ranges.sort(key=lambda r: (-r[1], r[2]))
    return [(m, q) for m, q, _ in ranges]


def specificity(media_range: str, media_type: str, aliases: Sequence[str] = ()) -> int:
    """How closely ``media_range`` (from an Accept header) names ``media_type``: 3 exactly, 2 by an alias,
    1 as ``type/*``, 0 as ``*/*``, -1 not at all.

    >>> specificity("application/json", "application/sparql-results+json", ["application/json"])
    2
    >>> specificity("text/*", "text/csv"), specificity("text/*", "application/json")
    (1, -1)
    """
    if media_range == media_type:
        return 3
    if media_range in aliases:
        return 2
    if media_range.endswith("/*") and media_type.startswith(media_range[:-1]):
        return 1
    if media_range == "*/*":
        return 0
    return -1


def choose(
    accept: str | None,
    offers: Sequence[str],
    aliases: Mapping[str, Sequence[str]] | None = None,
    *,
    min_specificity: int = 0,
) -> str | None:
    """The offer (a media type) the Accept header prefers, or ``None`` when it accepts none of them.

    ``aliases`` maps an offer to other media types that name it (``application/json`` for SPARQL JSON results);
    ``min_specificity=1`` ignores ``*/*``: "did the client name one of these?".
    """
    aliases = aliases or {}
    ranges = parse_accept(accept)
    refused = {
        offer
        for offer in offers
        for media, q in ranges
        if q == 0 and specificity(media, offer, aliases.get(offer, ())) >= 2
    }
    best: tuple[float, int, int] | None = None
    chosen: str | None = None
    for media, q in ranges:
        if q <= 0:
            continue
        for order, offer in enumerate(offers):
            if offer in refused:
                continue
            spec = specificity(media, offer, aliases.get(offer, ()))
            if spec < min_specificity:
                continue
            score = (q, spec, -order)
            if best is None or score > best:
                best, chosen = score, offer
    return chosen
