"""From a news report to the graph: the entities it names, its dates, and its figures beside
the graph's claims (`kg annotate`).

Names are matched on word boundaries against every name of the graph's people, states,
organisations, places and conflicts (preferred, variant and former names, all languages),
and a person's surname alone. The last word of a name may carry an inflection: Russian case
endings (Жапарова, Рахмону, Таджикистана, России) and German genitive -s (Kirgisistans) are
stripped before the lookup. Dates are absolute (16 September 2022, 2022-09-16,
16. September 2022, 16 сентября 2022) or weekdays, resolved against the report's date to the
nearest such day (news reports speak of the days around them). A figure is a number
followed, within a few words, by what it counts (killed, wounded, evacuated, displaced,
missing, in English, German or Russian); it is set beside the graph's claims of the same
value and measure, with the state named before it in its sentence as the side.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, field

import pyoxigraph as ox

from kg.dates import within
from kg.entities import fold
from kg.errors import KgError
from kg.query import bind, internal_query, select_rows
from kg.store import Store
from kg.vocab import MEASURE, PSKG

_TOKEN = re.compile(r"\w+(?:['’-]\w+)*")
#: Russian case and adjective endings, longest first: a Cyrillic word is reduced to its stem by
#: the longest one it ends with (its stem kept to three letters or more), in names and texts alike
_RU_ENDINGS = tuple(sorted(("ями", "ами", "ого", "его", "ому", "ему", "ыми", "ими", "ой", "ей", "ом", "ем", "ам", "ям",
                            "ах", "ях", "ым", "им", "ых", "их", "ую", "юю", "ая", "яя", "ое", "ее", "ые", "ие", "ый",
                            "ий", "ия", "ии", "ию", "ь", "а", "я", "у", "ю", "е", "ы", "и", "о", "й",
                            # the same after folding, which takes the breve off й (kg.entities.fold)
                            "ои", "еи", "ыи"),
                           key=len, reverse=True))
#: German genitive and plural endings a name may take in a German text (Kirgisistans)
_DE_ENDINGS = ("s", "es", "n", "en")
_CYRILLIC = re.compile("[\u0400-\u04ff]")
_KIND_ORDER = ("person", "state", "place", "organisation", "conflict")
_KIND_CLASS = {"person": PSKG.Person, "state": PSKG.State, "place": PSKG.Place,
               "organisation": PSKG.Organisation, "conflict": PSKG.Conflict}

_MONTHS = {
    **{m: i for i, m in enumerate(("january", "february", "march", "april", "may", "june", "july", "august",
                                   "september", "october", "november", "december"), 1)},
    **{m: i for i, m in enumerate(("januar", "februar", "marz", "april", "mai", "juni", "juli", "august",
                                   "september", "oktober", "november", "dezember"), 1)},
    **{m: i for i, m in enumerate(("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
                                   "сентября", "октября", "ноября", "декабря"), 1)},
}
_WEEKDAYS = {
    **{d: i for i, d in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))},
    **{d: i for i, d in enumerate(("montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag"))},
    **{d: i for i, d in enumerate(("понедельник", "вторник", "среду", "четверг", "пятницу", "субботу",
                                   "воскресенье"))},
    **{d: i for i, d in enumerate(("понедельника", "вторника", "среда", "четверга", "пятница", "суббота",
                                   "воскресенья"))},
}
#: words that say what a figure counts, folded, by measure
_MEASURE_WORDS = {
    MEASURE.killed: ("killed", "dead", "death", "deaths", "died", "dies", "fatalities", "tote", "toten", "getotet",
                     "ums leben", "погибли", "погибших", "погиб", "убиты", "убитых", "жертв"),
    MEASURE.wounded: ("wounded", "injured", "verletzte", "verletzt", "verwundet", "ранены", "раненых", "ранено"),
    MEASURE.evacuated: ("evacuated", "brought to safety", "evakuiert", "evakuierte", "in sicherheit", "эвакуированы",
                        "эвакуировано", "эвакуировали"),
    MEASURE.displaced: ("displaced", "fled", "vertrieben", "geflohen", "беженцев", "переселенцев"),
    MEASURE.missing: ("missing", "vermisst", "пропавших", "пропали"),
}
_NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:[ ,.\u00a0\u202f]\d{3})+|\d+)(?![\w])")
FIGURE_WINDOW = 7  # words between a number and what it counts
CLAIM_DAYS = 60  # a claim matches a report's figure when it was reported within this many days of it
ACRONYM = "\0"


@dataclass
class Mention:
    start: int
    end: int
    text: str
    entity: str
    label: str
    score: float


@dataclass
class Figure:
    start: int
    end: int
    text: str
    value: int
    measure: str
    measure_label: str
    side: str | None
    matches: list[str] = field(default_factory=list)


@dataclass
class DateMention:
    start: int
    end: int
    text: str
    value: str


@dataclass
class Annotation:
    lang: str
    mentions: list[Mention]
    figures: list[Figure]
    dates: list[DateMention]

    def as_dict(self) -> dict:
        return {"lang": self.lang, "mentions": [asdict(m) for m in self.mentions],
                "figures": [asdict(f) for f in self.figures], "dates": [asdict(d) for d in self.dates]}


def _canonical(word: str) -> str:
    """A folded word as the index keys it: a Cyrillic word without its case ending."""
    if _CYRILLIC.search(word):
        for ending in _RU_ENDINGS:
            if word.endswith(ending) and len(word) - len(ending) >= 3:
                return word[: -len(ending)]
    return word


def _variants(word: str, lang: str) -> set[str]:
    """The keys a word of a text may stand for: itself; in German without a genitive or plural
    ending; in English without a possessive 's."""
    found = {_canonical(word)}
    if lang == "de" and not _CYRILLIC.search(word):
        found |= {word[: -len(e)] for e in _DE_ENDINGS if word.endswith(e) and len(word) - len(e) >= 3}
    for possessive in ("'s", "’s"):
        if word.endswith(possessive):
            found.add(word[: -len(possessive)])
    return found


class NameIndex:
    """Every name of the graph's entities by its folded words, the last word stemmed."""

    def __init__(self, store: Store):
        self.store = store
        self.keys: dict[tuple[str, ...], set[str]] = {}
        self.labels: dict[str, str] = {}
        self.kinds: dict[str, str] = {}
        self._offices: dict[tuple[str, dt.date], bool | None] = {}
        surnames: dict[str, set[str]] = {}
        classes = [ox.NamedNode(c) for c in _KIND_CLASS.values()]
        for row in select_rows(store, internal_query("annotate_names"), {"class": classes}):
            self._add(row, surnames)
        #: a surname alone ("Putin", "Aliyev"): the people who bear it, told apart by the report's date
        self.surnames = {surname: people for surname, people in surnames.items() if len(surname) >= 4}
        self.longest = max((len(k) for k in self.keys), default=1)

    def _add(self, row: dict, surnames: dict[str, set[str]]) -> None:
        """One name of one entity into the index (and a person's surname into ``surnames``)."""
        iri, name, cls = row["entity"].value, row["name"].value, row["class"].value
        kind = next((k for k, c in _KIND_CLASS.items() if c == cls), None)
        if kind is None or iri.endswith("-communal-groups"):
            return  # UCDP's identity groups ("Kyrgyz", "Uzbek"): in a report, an adjective
        if iri not in self.kinds or _KIND_ORDER.index(kind) < _KIND_ORDER.index(self.kinds[iri]):
            self.kinds[iri] = kind
        if row["preferred"].value == "true" and (row["name"].language in ("en", None, "") or iri not in self.labels):
            self.labels[iri] = name
        if re.fullmatch(r"[A-Z]{2,4}", name):  # an acronym (IS, UN, IMU) matches only as written
            self.keys.setdefault((ACRONYM + name,), set()).add(iri)
            return
        words = [fold(w) for w in _TOKEN.findall(name)]
        if not words or len(words) > 8:
            return
        self.keys.setdefault(tuple(_canonical(w) for w in words), set()).add(iri)
        if kind == "person" and len(words) >= 2:
            surnames.setdefault(_canonical(words[-1]), set()).add(iri)

    def lookup(self, words: list[str], raw: str = "", lang: str = "en") -> set[str]:
        """The entities a run of folded words names (an acronym only as written)."""
        if len(words) == 1 and re.fullmatch(r"[A-Z]{2,4}", raw) and (ACRONYM + raw,) in self.keys:
            return set(self.keys[(ACRONYM + raw,)])
        head = tuple(_canonical(w) for w in words[:-1])
        found: set[str] = set()
        for last in _variants(words[-1], lang):
            found |= self.keys.get((*head, last), set())
        return found

    def to_json(self) -> dict:
        return {"keys": [[list(k), sorted(v)] for k, v in self.keys.items()], "labels": self.labels,
                "kinds": self.kinds, "surnames": {k: sorted(v) for k, v in self.surnames.items()}}

    @classmethod
    def from_json(cls, store: Store, data: dict) -> NameIndex:
        index = cls.__new__(cls)
        index.store, index._offices = store, {}
        index.keys = {tuple(k): set(v) for k, v in data["keys"]}
        index.labels, index.kinds = data["labels"], data["kinds"]
        index.surnames = {k: set(v) for k, v in data["surnames"].items()}
        index.longest = max((len(k) for k in index.keys), default=1)
        return index

    @classmethod
    def cached(cls, store: Store, folder, generation: str) -> NameIndex:
        """The index of one store generation, read from ``folder`` if it was built before, else
        built and written there (older generations' indexes removed); a folder that cannot be
        written only means building it each time."""
        import json
        from pathlib import Path

        folder = Path(folder)
        path = folder / f"names-{generation}.json"
        try:
            return cls.from_json(store, json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            pass
        index = cls(store)
        try:
            from kg.files import write_atomically

            folder.mkdir(parents=True, exist_ok=True)
            for old in folder.glob("names-*.json"):
                old.unlink(missing_ok=True)
            write_atomically(path, json.dumps(index.to_json(), ensure_ascii=False).encode("utf-8"))
        except (OSError, KgError):  # a folder that cannot be written: the index is built each time
            pass
        return index

    def surname(self, word: str, lang: str, day: dt.date | None) -> set[str]:
        """The person a surname alone stands for: the only one who bears it, or the one in
        office on the report's day; none for one whose offices all ended before it."""
        people = set().union(*(self.surnames.get(v, set()) for v in _variants(word, lang)))
        if day is not None:
            people = {p for p in people if self._in_office(p, day) is not False}
            in_office = {p for p in people if self._in_office(p, day)}
            people = in_office or people
        return people if len(people) == 1 else set()

    def _in_office(self, person: str, day: dt.date) -> bool | None:
        """Whether the person held an office on the day (None: no office recorded)."""
        key = (person, day)
        if key not in self._offices:
            rows = select_rows(self.store, internal_query("annotate_terms"), {"person": ox.NamedNode(person)})
            text = day.isoformat()
            self._offices[key] = (any(within(text, r["start"].value, r["end"].value if "end" in r else None)
                                      for r in rows) if rows else None)
        return self._offices[key]

    def pick(self, candidates: set[str]) -> tuple[str, float]:
        """One entity for a name: the only one, else by kind (a person, a state, a place...)."""
        ranked = sorted(candidates, key=lambda iri: (_KIND_ORDER.index(self.kinds.get(iri, "conflict")), iri))
        return ranked[0], 1.0 if len(ranked) == 1 else round(1.0 / len(ranked), 2)


def detect_language(text: str) -> str:
    """ru for Cyrillic script, de for German function words, else en."""
    if len(re.findall("[\u0400-\u04ff]", text)) > len(text) / 10:
        return "ru"
    german = len(re.findall(r"\b(?:der|die|das|des|den|dem|ein|eine|einer|und|nicht|mit|für|sich|auf|nach|bei|"
                            r"wurde|wurden|zwischen)\b", text, re.I))
    return "de" if german > len(text.split()) / 25 else "en"


def _mentions(text: str, index: NameIndex, lang: str = "en", day: dt.date | None = None) -> list[Mention]:
    tokens = [(m.start(), m.end(), fold(m.group()), m.group()) for m in _TOKEN.finditer(text)]
    found: list[Mention] = []
    ambiguous: dict[int, set[str]] = {}
    i = 0
    while i < len(tokens):
        for n in range(min(index.longest, len(tokens) - i), 0, -1):
            words = [t[2] for t in tokens[i:i + n]]
            candidates = index.lookup(words, tokens[i][3] if n == 1 else "", lang)
            if not candidates and n == 1 and tokens[i][3][:1].isupper():
                candidates = index.surname(words[0], lang, day)
            if candidates:
                iri, score = index.pick(candidates)
                start, end = tokens[i][0], tokens[i + n - 1][1]
                found.append(Mention(start, end, text[start:end], iri, index.labels.get(iri, iri), score))
                if len(candidates) > 1:
                    ambiguous[len(found) - 1] = candidates
                i += n
                break
        else:
            i += 1
    _by_context(found, ambiguous, index)
    return found


def _by_context(found: list[Mention], ambiguous: dict[int, set[str]], index: NameIndex) -> None:
    """A name that several entities bear goes to the one linked (by any statement, either way)
    to most of the entities the report names unambiguously."""
    context = {m.entity for i, m in enumerate(found) if i not in ambiguous}
    if not context:
        return
    for i, candidates in ambiguous.items():
        linked = internal_query("linked")
        links = {c: sum(bool(index.store.query(bind(linked, {"a": ox.NamedNode(c), "b": ox.NamedNode(o)})))
                        for o in context) for c in candidates}
        best = max(links.values())
        chosen = sorted(c for c, n in links.items() if n == best)
        if best and len(chosen) == 1:
            m = found[i]
            found[i] = Mention(m.start, m.end, m.text, chosen[0], index.labels.get(chosen[0], chosen[0]),
                               round(best / len(context), 2) if best < len(context) else 1.0)


def _dates(text: str, report_date: dt.date | None) -> list[DateMention]:
    found = []
    pattern = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b|\b(\d{1,2})\.?\s+(\w+)\s+(\d{4})\b"
                         r"|\b(\w+)\s+(\d{1,2}),\s+(\d{4})\b")
    for m in pattern.finditer(text):
        try:
            if m.group(1):
                day = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            elif m.group(4):
                day = dt.date(int(m.group(6)), _MONTHS[fold(m.group(5))], int(m.group(4)))
            else:
                day = dt.date(int(m.group(9)), _MONTHS[fold(m.group(7))], int(m.group(8)))
        except (KeyError, ValueError):
            continue
        found.append(DateMention(m.start(), m.end(), m.group(), day.isoformat()))
    if report_date is not None:
        for m in _TOKEN.finditer(text):
            weekday = _WEEKDAYS.get(m.group().casefold())
            if weekday is None or any(d.start <= m.start() < d.end for d in found):
                continue
            # the nearest such day to the report's date: news speaks of the days around it
            ahead = (weekday - report_date.weekday()) % 7
            offset = ahead if ahead <= 3 else ahead - 7
            found.append(DateMention(m.start(), m.end(), m.group(),
                                     (report_date + dt.timedelta(days=offset)).isoformat()))
    return sorted(found, key=lambda d: d.start)


def _sentence_bounds(text: str, position: int) -> tuple[int, int]:
    start = max(text.rfind(". ", 0, position), text.rfind("\n", 0, position)) + 1
    end = min((i for i in (text.find(". ", position), text.find("\n", position)) if i != -1), default=len(text))
    return start, end


def _figures(text: str, mentions: list[Mention], index: NameIndex, store: Store,
             report_date: dt.date | None) -> list[Figure]:
    found = []
    labels = _measure_labels(store)
    for m in _NUMBER.finditer(text):
        digits = re.sub(r"\D", "", m.group(1))
        value = int(digits)
        after = " ".join(fold(w) for w in _TOKEN.findall(text[m.end():m.end() + 120])[:FIGURE_WINDOW])
        # else the two words before: Russian and German often name the measure first ("погибли 59 человек")
        before = " ".join(fold(w) for w in _TOKEN.findall(text[max(0, m.start() - 40):m.start()])[-2:])
        if 1900 <= value <= 2100 and len(digits) == 4:
            continue  # a year
        if re.match(r"\s*(?:years?|jahre|лет|km|kilomet|-kilomet|percent|%)", text[m.end():m.end() + 12].lower()):
            continue
        measure = _measure_in(after) or _measure_in(before)
        if measure is None:
            continue
        start, _ = _sentence_bounds(text, m.start())
        states = [x for x in mentions if start <= x.start < m.start() and index.kinds.get(x.entity) == "state"]
        side = states[-1].entity if states else None
        found.append(Figure(m.start(), m.end(), m.group(1), value, measure, labels.get(measure, measure), side,
                            _matching_claims(store, value, measure, side, report_date)))
    return found


def _measure_in(words: str) -> str | None:
    """The measure whose word comes first in ``words``."""
    found = [(m.start(), measure) for measure, names in _MEASURE_WORDS.items() for w in names
             for m in [re.search(rf"\b{re.escape(w)}\b", words)] if m]
    return min(found)[1] if found else None


def _measure_labels(store: Store) -> dict[str, str]:
    rows = store.query("SELECT ?m ?l WHERE { ?m <http://www.w3.org/2004/02/skos/core#inScheme> "
                       "<https://w3id.org/pskg/vocab/measure/> ; <http://www.w3.org/2004/02/skos/core#prefLabel> ?l "
                       "FILTER(LANG(?l) = 'en') }")
    return {r["m"].value: r["l"].value for r in rows}


def _matching_claims(store: Store, value: int, measure: str, side: str | None,
                     report_date: dt.date | None) -> list[str]:
    """The graph's claims of the same value and measure, of the same side when the report names
    one, and reported within CLAIM_DAYS of the report (when its date is known)."""
    rows = select_rows(store, internal_query("annotate_claims"), {
        "value": ox.Literal(str(value), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
        "measure": ox.NamedNode(measure)})
    claims = []
    for row in rows:
        claim_side = row["side"].value if "side" in row else None
        if side is not None and claim_side not in (None, side):
            continue
        if report_date is not None:
            reported = row["reported"].value[:10] if "reported" in row else ""
            try:
                if abs((dt.date.fromisoformat(reported) - report_date).days) > CLAIM_DAYS:
                    continue
            except ValueError:
                continue  # no day of report: it cannot be told to be the same report's figure
        claims.append(row["claim"].value)
    return sorted(set(claims))


def annotate(store: Store, text: str, *, lang: str | None = None, report_date: dt.date | None = None,
             index: NameIndex | None = None) -> Annotation:
    """Mentions, dates and figures of a text; offsets count Unicode characters."""
    index = index or NameIndex(store)
    lang = lang or detect_language(text)
    mentions = _mentions(text, index, lang, report_date)
    return Annotation(lang, mentions, _figures(text, mentions, index, store, report_date),
                      _dates(text, report_date))


def _parts(text: str, result: Annotation) -> list[dict]:
    """The text cut at the mentions, figures and dates, for the HTML page (escaped there)."""
    spans = [(m.start, m.end, {"kind": "mention", "entity": m.entity, "label": m.label, "score": m.score})
             for m in result.mentions]
    spans += [(f.start, f.end, {"kind": "figure", "index": i, "measure": f.measure_label, "matches": f.matches})
              for i, f in enumerate(result.figures)]
    spans += [(d.start, d.end, {"kind": "date", "value": d.value}) for d in result.dates]
    parts, at = [], 0
    for start, end, part in sorted(spans, key=lambda s: (s[0], -s[1])):
        if start < at:
            continue  # overlaps what is already marked
        parts.append({"kind": "text", "text": text[at:start]})
        parts.append({**part, "text": text[start:end]})
        at = end
    parts.append({"kind": "text", "text": text[at:]})
    return parts


def to_html(store: Store, text: str, result: Annotation, index: NameIndex, *, report_date: dt.date | None = None,
            title: str = "Report") -> str:
    """The report with its mentions, figures and dates marked, and a side panel of what the
    graph knows (offices held on the report's date, conflicts, the claims beside each figure):
    one offline page, everything escaped, the data read by the page's own script as text."""
    import jinja2
    from markupsafe import Markup

    from kg.entities import label
    from kg.views_html import script_json

    day = ox.Literal((report_date or dt.date.today()).isoformat(),
                     datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))
    entities = {}
    for iri in sorted({m.entity for m in result.mentions}):
        rows = select_rows(store, internal_query("annotate_entity"), {"entity": ox.NamedNode(iri), "date": day})
        entities[iri] = {"label": next((m.label for m in result.mentions if m.entity == iri), iri),
                         "kind": index.kinds.get(iri, ""),
                         "offices": [r["label"].value for r in rows if r["what"].value == "office"],
                         "conflicts": [r["label"].value for r in rows if r["what"].value == "conflict"]}
    figures = [{"text": f.text, "measure": f.measure_label, "side": label(store, f.side) if f.side else "",
                "matches": [label(store, c) for c in f.matches], "beside": []} for f in result.figures]
    env = jinja2.Environment(loader=jinja2.PackageLoader("kg", "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    summary = f"{len(result.mentions)} mentions, {len(result.figures)} figures, {len(result.dates)} dates"
    data = {"entities": entities, "figures": figures, "date": report_date.isoformat() if report_date else ""}
    return env.get_template("annotate.html").render(
        lang=result.lang, title=title, summary=summary, parts=_parts(text, result),
        data_json=Markup(script_json(data)))


def to_turtle(result: Annotation, *, report_date: dt.date | None = None, title: str = "",
              url: str | None = None, publisher: str | None = None, text: str = "") -> str:
    """Draft statements for a curator (never written into data/ by kg): the report as a source;
    each figure that matches no claim as a new claim, with its side as claimant and side; and,
    given the ``text``, an event for each day the report names, with the people, states and
    organisations of that sentence as participants and its places as places."""
    import hashlib

    from kg.namespaces import PREFIXES

    xsd = "http://www.w3.org/2001/XMLSchema#"

    def node(iri: str) -> ox.NamedNode:
        return ox.NamedNode(iri)

    def typed(value: str, datatype: str) -> ox.Literal:
        return ox.Literal(value, datatype=node(xsd + datatype))

    digest = hashlib.sha256("".join(f"{f.start}{f.text}" for f in result.figures).encode()).hexdigest()[:8]
    slug = f"report-{report_date.isoformat() if report_date else 'undated'}-{digest}"
    source = ox.NamedNode(PREFIXES["source"] + slug)
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    triples = [
        ox.Triple(source, rdf_type, ox.NamedNode(PSKG.NewsArticle)),
        ox.Triple(source, ox.NamedNode(PREFIXES["dct"] + "title"), ox.Literal(title or "Report", language=result.lang)),
        ox.Triple(source, ox.NamedNode(PREFIXES["dct"] + "language"), ox.Literal(result.lang)),
        ox.Triple(source, ox.NamedNode(PSKG.hasSourceKind), ox.NamedNode(PREFIXES["sourcekind"] + "news-outlet")),
    ]
    if report_date:
        triples.append(ox.Triple(source, ox.NamedNode(PSKG.publishedOn),
                                 ox.Literal(report_date.isoformat(), datatype=ox.NamedNode(xsd + "date"))))
    if url:
        triples.append(ox.Triple(source, node(PSKG.hasUrl), typed(url, "anyURI")))
    if publisher:
        triples.append(ox.Triple(source, ox.NamedNode(PSKG.hasPublisher), ox.NamedNode(publisher)))
    conflicts = [m.entity for m in result.mentions if "/conflict/" in m.entity]
    for i, figure in enumerate(f for f in result.figures if not f.matches):
        claim = ox.NamedNode(f"{PREFIXES['claim']}{slug}-{i + 1}")
        triples += [
            ox.Triple(claim, rdf_type, ox.NamedNode(PSKG.Claim)),
            ox.Triple(claim, ox.NamedNode(PREFIXES["skos"] + "prefLabel"),
                      ox.Literal(f"{figure.text} {figure.measure_label} (draft from a report)", language="en")),
            ox.Triple(claim, ox.NamedNode(PSKG.hasMeasure), ox.NamedNode(figure.measure)),
            ox.Triple(claim, node(PSKG.hasValue), typed(str(figure.value), "integer")),
            ox.Triple(claim, ox.NamedNode(PSKG.hasSource), source),
        ]
        if figure.side:
            triples += [ox.Triple(claim, ox.NamedNode(PSKG.hasClaimant), ox.NamedNode(figure.side)),
                        ox.Triple(claim, ox.NamedNode(PSKG.concernsSide), ox.NamedNode(figure.side))]
        if conflicts:
            triples.append(ox.Triple(claim, ox.NamedNode(PSKG.isAbout), ox.NamedNode(conflicts[0])))
        if report_date:
            triples.append(ox.Triple(claim, ox.NamedNode(PSKG.reportedOn),
                                     ox.Literal(report_date.isoformat(), datatype=ox.NamedNode(xsd + "date"))))
    for n, day in enumerate(result.dates if text else [], 1):
        event = node(f"{PREFIXES['event']}{slug}-{n}")
        start, end = _sentence_bounds(text, day.start)
        near = [m.entity for m in result.mentions if start <= m.start < end]
        triples += [
            ox.Triple(event, rdf_type, node(PSKG.Event)),
            ox.Triple(event, node(PREFIXES["skos"] + "prefLabel"),
                      ox.Literal(f"Event the report dates {day.value} (draft: name what happened)", language="en")),
            ox.Triple(event, node(PSKG.startDate), typed(day.value, "date")),
            ox.Triple(event, node(PSKG.hasSource), source),
        ]
        triples += [ox.Triple(event, node(PSKG.hasParticipant), node(e)) for e in dict.fromkeys(near)
                    if any(f"/{kind}/" in e for kind in ("person", "state", "org"))]
        triples += [ox.Triple(event, node(PSKG.hasPlace), node(e)) for e in dict.fromkeys(near) if "/place/" in e]
        if conflicts:
            triples.append(ox.Triple(event, node(PSKG.isPartOfConflict), node(conflicts[0])))
    head = ("# Draft statements from a report, for a curator to check against the report and add to\n"
            "# data/ by hand: a claim without pskg:isAbout or pskg:hasClaimant needs them filled in.\n")
    prefixes = {k: PREFIXES[k] for k in ("pskg", "source", "claim", "event", "person", "org", "place", "state",
                                         "conflict", "measure", "sourcekind", "skos", "dct", "xsd")}
    return head + ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes).decode("utf-8")
