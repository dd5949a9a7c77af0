"""Plain-text rendering of entity cards for the terminal."""

from __future__ import annotations

from kg.entities import EntityCard


def render_card(card: EntityCard) -> str:
    """An entity card as indented text, one section per kind of information."""
    lines = [f"{card.label}  <{card.iri}>", f"  kind: {', '.join(card.kinds) or '-'}"]
    if card.names:
        lines.append("  names:")
        for kind in ("preferred", "variant", "former"):
            for name in card.names.get(kind, []):
                lines.append(f"    {kind:<9} {name}")
    if card.identifiers:
        lines.append("  identifiers:")
        lines.extend(f"    {name:<14} {value}" for name, value in card.identifiers.items())
    if card.facts:
        lines.append("  facts:")
        lines.extend(f"    {fact.property}: {fact.value}" for fact in card.facts)
    if card.claims:
        lines.append("  claims:")
        for claim in card.claims:
            figure = f"{claim.value} {claim.measure}".strip()
            lines.append(f"    {figure} -- {', '.join(claim.claimants) or '?'}"
                         f" ({claim.reported or 'undated'}); grade {claim.grade or 'none'};"
                         f" source: {'; '.join(claim.sources)}")
        if card.claims_total:
            lines.append(f"    ... {_total(card.claims_total)} claims in all: the card lists the first rows only; "
                         "ask SPARQL for the rest")
    if card.incoming:
        lines.append("  referred to by:")
        lines.extend(f"    {fact.value} ({fact.property})" for fact in card.incoming[:40])
        total = card.incoming_total or len(card.incoming)
        if total > 40:
            lines.append(f"    ... and {_total(total - 40)} more")
    if card.sources:
        lines.append("  sources:")
        lines.extend(f"    {title}: {address}" for title, address in card.sources)
    return "\n".join(lines)


def _total(count: int) -> str:
    """A count as a card says it: past the counting limit, "more than" the limit."""
    from kg.entities import COUNT_LIMIT

    return f"more than {COUNT_LIMIT:,}" if count > COUNT_LIMIT else f"{count:,}"
