"""The ``kg`` command: a thin shell over the library functions."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from kg.errors import KgError
from kg.project import Project
from kg.query import OutputFormat


def _store_after_command(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value:
        ctx.meta["kg.store_url"] = value  # meta is shared by every context of the invocation


class KgGroup(click.Group):
    """Turns library errors into one line on stderr and exit status 1, without a traceback, and
    gives every command the global ``--store`` option after its name as well."""

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        cmd.params.append(click.Option(["--store"], metavar="URL", expose_value=False, is_eager=True,
                                       callback=_store_after_command,
                                       help="A remote SPARQL store (as the global --store)."))
        super().add_command(cmd, name)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KgError as err:
            raise click.ClickException(str(err)) from None


def _project(ctx: click.Context) -> Project:
    return ctx.find_object(Project) or ctx.fail("no project")


def _graph(ctx: click.Context):
    """The graph the command works on (kg.api), closed when the command ends: the remote store
    given by --store, else the embedded one."""
    graph = ctx.meta.get("kg.graph")
    if graph is None:
        from kg.api import KnowledgeGraph

        graph = KnowledgeGraph(_project(ctx), store_url=ctx.meta.get("kg.store_url"), on_rebuild=_building,
                               on_wait=_waiting, on_stale=_stale)
        ctx.meta["kg.graph"] = graph
        ctx.find_root().call_on_close(graph.close)
    return graph


def _stale(error: str) -> None:
    click.echo(f"Warning: {error}; answering from the store built before (fix the file, or run kg build to see "
               "the error again)", err=True)


def _building() -> None:
    click.echo("Building the store from ontology/ and data/ ...", err=True)


def _waiting(message: str) -> None:
    click.echo(message[0].upper() + message[1:], err=True)


def _table(columns: list[str], rows: list[list[str]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(*columns, box=None, header_style="bold", pad_edge=False)
    for column in table.columns:
        column.overflow = "fold"  # a narrow terminal wraps a value (a URL) rather than cutting it with "…"
    for row in rows:
        table.add_row(*row)
    Console(soft_wrap=True, width=None if sys.stdout.isatty() else 240).print(table)


@click.group(cls=KgGroup)
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), envvar="KG_ROOT",
              help="Project folder with ontology/, data/ and queries/ (default: the current folder or its "
                   "nearest parent holding one, else the graph installed with kg).")
@click.option("--store-dir", type=click.Path(file_okay=False, path_type=Path), envvar="KG_HOME",
              help="Where the embedded store lives (default: ROOT/.kg; for the installed graph, the user's cache).")
@click.option("--store", "store_url", envvar="KG_STORE", metavar="URL",
              help="Use a remote SPARQL store instead of the embedded one: its query endpoint URL, "
                   "or oxigraph+http://HOST:PORT or virtuoso+http://HOST:PORT (see README).")
@click.version_option(package_name="postsoviet-conflicts-kg")
@click.pass_context
def main(ctx: click.Context, root: Path | None, store_dir: Path | None, store_url: str | None) -> None:
    """Knowledge graph of the armed conflicts of the former Soviet Union."""
    try:
        ctx.obj = Project.at(root, store_dir)
    except KgError as err:
        raise click.ClickException(str(err)) from None
    ctx.meta["kg.store_url"] = store_url or None


@main.command("build")
@click.option("--force", is_flag=True, help="Rebuild even if ontology/ and data/ are unchanged.")
@click.pass_context
def build_command(ctx: click.Context, force: bool) -> None:
    """(Re)build the embedded store from ontology/ and data/."""
    report = _graph(ctx).build(force=force)
    state = "built" if report.rebuilt else "up to date"
    click.echo(f"Store {state}: {report.triples} triples from {len(report.files)} files in {report.seconds:.2f} s")
    for graph, count in sorted(report.graphs.items()):
        click.echo(f"  {graph}  {count}")


@main.command("repair")
@click.pass_context
def repair_command(ctx: click.Context) -> None:
    """Rebuild a damaged store from ontology/ and data/ and import the recorded files again."""
    report = _graph(ctx).repair()
    click.echo(f"Rebuilt the store: {report.built.triples} triples from {len(report.built.files)} files")
    for entry in report.reimported:
        click.echo(f"  re-imported {entry['file']} into {entry['graph']}")
    if report.missing:
        raise KgError(f"{len(report.missing)} recorded import(s) could not be redone: " + "; ".join(report.missing))


@main.command("query")
@click.argument("query_ref", required=False, metavar="NAME|FILE|-")
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE", help="Set a query parameter.")
@click.option("--format", "fmt", type=click.Choice([f.value for f in OutputFormat]),
              default="table", show_default=True, help="Output format; json is SPARQL 1.1 JSON results.")
@click.option("--list", "list_queries", is_flag=True, help="List the queries in queries/ with their questions.")
@click.pass_context
def query_command(
    ctx: click.Context, query_ref: str | None, params: tuple[str, ...], fmt: str, list_queries: bool
) -> None:
    """Run a SPARQL query from queries/ by name, from a file, or from stdin (-)."""
    from kg import query

    graph = _graph(ctx)
    if list_queries:
        for name, q in graph.catalogue().items():
            params_text = " ".join(f"{p.name}:{p.type}" + (f" (default {q.default_of(p.name)})"
                                                           if q.default_of(p.name) else "") for p in q.params)
            click.echo(f"{name}\n    {q.question}" + (f"\n    parameters: {params_text}" if params_text else ""))
        return
    if not query_ref:
        raise click.UsageError("give a query NAME, FILE or -, or --list")
    result = graph.query_result(query_ref, query.parse_assignments(params))
    output = query.OutputFormat(fmt)
    if output is query.OutputFormat.TABLE:
        columns, rows = query.rows_of(result)
        _table(columns, [[query.term_text(t) for t in row] for row in rows])
    else:
        click.echo(query.serialize(result, output), nl=False)


@main.command("search")
@click.argument("text")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(min=1))
@click.option("--lang", default="en", show_default=True, help="Language of the labels shown.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_context
def search_command(ctx: click.Context, text: str, limit: int, lang: str, fmt: str) -> None:
    """Find entities by any of their names: variants, transliterations, native scripts."""
    from kg.namespaces import compact

    matches = _graph(ctx).search(text, limit=limit, lang=lang)
    if fmt == "json":
        click.echo(json.dumps([m.__dict__ for m in matches], ensure_ascii=False, indent=2))
        return
    if not matches:
        raise KgError(f"no entity has a name containing {text!r}")
    _table(["entity", "label", "matched name", "score"],
           [[compact(m.iri), m.label, m.matched, f"{m.score:.1f}"] for m in matches])


@main.command("show")
@click.argument("entity")
@click.option("--lang", default="en", show_default=True, help="Language of the labels shown.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def show_command(ctx: click.Context, entity: str, lang: str, fmt: str) -> None:
    """Print an entity card: names, kinds, facts, claims with their sources, identifiers."""
    from kg.views_text import render_card

    card = _graph(ctx).show(entity, lang=lang)
    if fmt == "json":
        from dataclasses import asdict

        click.echo(json.dumps(asdict(card), ensure_ascii=False, indent=2))
    else:
        click.echo(render_card(card))


@main.command("stats")
@click.option("--coverage", is_flag=True,
              help="Per conflict: the quality gates and what the catalogue holds (parties, events, claims, ...).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown"]), default="table",
              show_default=True)
@click.pass_context
def stats_command(ctx: click.Context, coverage: bool, fmt: str) -> None:
    """Triples, entities per class and sources; or, with --coverage, a table per conflict."""
    from kg.stats import COVERAGE_COLUMNS, coverage_markdown

    if coverage:
        rows = _graph(ctx).coverage()
        if fmt == "json":
            click.echo(json.dumps([r.as_dict() for r in rows], ensure_ascii=False, indent=2))
        elif fmt == "markdown":
            click.echo(coverage_markdown(rows), nl=False)
        else:
            columns = [c for c in COVERAGE_COLUMNS if c not in ("conflict", "parent", "wikidata")] + ["gates"]
            _table(columns, [[str(getattr(r, c)) for c in columns[:-1]] + ["ok" if not r.missing else
                             "missing " + ", ".join(r.missing)] for r in rows])
            failing = sum(1 for r in rows if r.missing)
            click.echo(f"{len(rows)} conflicts; {len(rows) - failing} pass every gate"
                       + (f", {failing} do not" if failing else ""))
        return
    if fmt == "markdown":
        raise KgError("--format markdown goes with --coverage")
    result = _graph(ctx).stats()
    if fmt == "json":
        click.echo(json.dumps(result.as_dict(), indent=2))
        return
    click.echo(f"{result.triples} triples in {len(result.graphs)} named graphs; "
               f"{result.sources} sources cited by {result.cited} resources")
    _table(["graph", "triples"], [[g, str(n)] for g, n in result.graphs.items()])
    _table(["class", "instances"], [[c, str(n)] for c, n in result.classes.items()])


@main.command("sources")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--hosts", default=15, show_default=True, type=click.IntRange(min=0),
              help="How many of the most cited hosts the table lists.")
@click.pass_context
def sources_command(ctx: click.Context, fmt: str, hosts: int) -> None:
    """What the curated claims rest on: sources by kind, grade and host, and the weak claims."""
    result = _graph(ctx).sources()
    if fmt == "json":
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        return
    figures = result.figures
    click.echo(f"{figures['claims']} curated claims, {figures['sources']} sources")
    click.echo(f"  resting only on copies, mirrors or CDN hosts: {figures['claims_only_on_copies']}")
    click.echo(f"  resting only on an encyclopedia or its copies: {figures['claims_only_on_encyclopedia_or_copies']}"
               f" ({figures['claims_only_on_encyclopedia_or_copies_percent']}%)")
    click.echo(f"  with at least one source graded A-C: {figures['claims_with_a_source_graded_a_to_c']}"
               f" ({figures['claims_with_a_source_graded_a_to_c_percent']}%)")
    click.echo(f"  with no graded source: {figures['claims_ungraded']}")
    if result.unmarked_copies:
        click.echo(f"  sources on a copy host not marked as copies: {len(result.unmarked_copies)}")
    _table(["source kind", "sources"], [[k, str(n)] for k, n in result.by_kind.most_common()])
    _table(["grade", "sources"], [[g, str(n)] for g, n in sorted(result.by_grade.items())])
    if hosts:
        _table(["host", "sources"], [[h, str(n)] for h, n in result.by_host.most_common(hosts)])
    weak = result.weak_claims
    if weak:
        click.echo(f"{len(weak)} claims without a source graded A-C:")
        _table(["claim", "grade", "rests on"], [
            [c.label, c.grade or "none", "copies only" if c.only_copies else
             "encyclopedia or copies" if c.only_encyclopedia else f"{len(c.sources)} sources"] for c in weak])
    for source in result.unmarked_copies:
        click.echo(f"not marked as a copy: {source.iri} ({source.url})")


@main.command("validate")
@click.pass_context
def validate_command(ctx: click.Context) -> None:
    """Check the graph against the SHACL shapes in ontology/shapes.ttl."""
    project = _project(ctx)
    report = _graph(ctx).validate()
    if report.conforms:
        warnings = [v for v in report.violations if v.severity != "Violation"]
        click.echo(f"The graph conforms to {project.relative(project.shapes_file)}"
                   + (f" ({len(warnings)} warnings)" if warnings else "") + ".")
        for warning in warnings:
            click.echo(f"  {warning}")
        return
    click.echo(f"{len(report.violations)} problems against {project.relative(project.shapes_file)}:", err=True)
    for violation in report.violations:
        click.echo(f"  {violation}", err=True)
    ctx.exit(1)


_RDF_EXPORTS = ["ttl", "nt", "nq", "trig", "jsonld"]
_GRAPH_EXPORTS = ["graphml", "gexf"]


@main.command("export")
@click.option("--format", "fmt", type=click.Choice(_RDF_EXPORTS + _GRAPH_EXPORTS), required=True,
              help="nt and ttl merge all graphs; nq and trig keep the named graphs; "
                   "graphml and gexf write the network (entities and the statements between them) for Gephi.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (default: kg-export.FORMAT; - for stdout).")
@click.pass_context
def export_command(ctx: click.Context, fmt: str, output: Path | None) -> None:
    """Write the whole graph in an RDF format, or as a network for graph tools."""
    graph = _graph(ctx)
    if output is not None and str(output) == "-":
        if fmt in _GRAPH_EXPORTS:
            raise click.UsageError(f"--format {fmt} writes a file: give --output FILE")
        click.echo(graph.serialize(fmt).decode("utf-8"), nl=False)
        return
    written = graph.export(fmt, output)
    if written.nodes is not None:
        click.echo(f"Wrote {written.path} ({written.nodes} nodes, {written.edges} edges, {written.bytes} bytes)")
    else:
        click.echo(f"Wrote {written.path} ({written.bytes} bytes, {fmt})")


# --- networks: view, path, rank -------------------------------------------------------------

def scope_options(func):
    """The options that choose part of the graph, shared by ``view`` and ``rank``."""
    options = [
        click.option("--focus", metavar="ENTITY", help="The neighbourhood of an entity (name, prefixed name or IRI)."),
        click.option("--hops", default=1, show_default=True, type=click.IntRange(min=0, max=6),
                     help="How far around --focus to go."),
        click.option("--conflict", metavar="ENTITY", help="A conflict with its phases, events, claims and sources."),
        click.option("--query", "query_ref", metavar="NAME|FILE",
                     help="The statements a CONSTRUCT (or a SELECT of ?s ?p ?o) returns."),
        click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="Keep events from this date (YYYY-MM-DD)."),
        click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Keep events up to this date (YYYY-MM-DD)."),
        click.option("--sources/--no-sources", default=True, show_default=True, help="Draw the sources."),
        click.option("--lang", default="en", show_default=True, help="Language of the labels (falls back to English)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _scope(ctx: click.Context, *, focus, hops, conflict, query_ref, since, until, sources) -> dict:
    """The scope options as kg.api takes them (hops only when given on the command line)."""
    given = ctx.get_parameter_source("hops") is click.core.ParameterSource.COMMANDLINE
    return {"focus": focus, "hops": hops if given else None, "conflict": conflict, "query": query_ref,
            "since": since.date() if since else None, "until": until.date() if until else None,
            "sources": sources}


@main.command("view")
@scope_options
@click.option("--ontology", is_flag=True, help="Draw the ontology's classes and properties as a schema diagram.")
@click.option("--size", "size_by", type=click.Choice(["degree", "pagerank"]), default="degree", show_default=True,
              help="What node size shows.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="HTML file to write (default: view-NAME.html in the current folder).")
@click.pass_context
def view_command(ctx: click.Context, ontology: bool, size_by: str, output: Path | None, lang: str, **scope) -> None:
    """Write an interactive network view: one HTML file that works offline."""
    view = _graph(ctx).view(ontology=ontology, lang=lang, size_by=size_by, **_scope(ctx, **scope))
    info = view.write(output)
    click.echo(f"Wrote {info.path} ({info.nodes} nodes, {info.edges} edges, {info.bytes} bytes)")
    if info.advice:
        click.echo(f"Warning: {info.advice}", err=True)


@main.command("path")
@click.argument("start", metavar="A")
@click.argument("end", metavar="B")
@click.option("--limit", default=3, show_default=True, type=click.IntRange(min=1), help="How many shortest chains.")
@click.option("--lang", default="en", show_default=True, help="Language of the labels.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Also draw the chains as an HTML view.")
@click.pass_context
def path_command(ctx: click.Context, start: str, end: str, limit: int, lang: str, output: Path | None) -> None:
    """The shortest chains of facts between two entities (sources left out)."""
    chains = _graph(ctx).path(start, end, limit=limit, lang=lang)
    for number, chain in enumerate(chains, 1):
        click.echo(f"Chain {number} ({len(chain)} statement{'s' if len(chain) != 1 else ''}):")
        for step in chain:
            click.echo(f"  {step}")
    if output is not None:
        info = chains.view().write(output)
        click.echo(f"Wrote {info.path} ({info.nodes} nodes, {info.edges} edges)")


@main.command("rank")
@scope_options
@click.option("--by", type=click.Choice(["pagerank", "betweenness", "degree"]), default="betweenness",
              show_default=True, help="The centrality to order by.")
@click.option("--kind", "kinds", multiple=True, help="Only nodes of this kind (person, state, conflict, ...).")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1))
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.pass_context
def rank_command(ctx: click.Context, by: str, kinds: tuple[str, ...], limit: int, fmt: str, lang: str,
                 **scope) -> None:
    """Centrality of the entities in a scope: who brokers between conflicts."""
    options = _scope(ctx, **scope)
    if ctx.get_parameter_source("sources") is not click.core.ParameterSource.COMMANDLINE:
        del options["sources"]  # the library's default: no sources over the whole graph
    rows = _graph(ctx).rank(by=by, kinds=kinds, limit=limit, lang=lang, **options)
    columns = ["entity", "label", "kind", "degree", "betweenness", "pagerank"]
    data = [[r.iri, r.label, r.kind, f"{r.degree:.4f}", f"{r.betweenness:.4f}", f"{r.pagerank:.4f}"] for r in rows]
    if fmt == "json":
        numbers = [{"entity": r.iri, "label": r.label, "kind": r.kind, "degree": round(r.degree, 6),
                    "betweenness": round(r.betweenness, 6), "pagerank": round(r.pagerank, 6)} for r in rows]
        click.echo(json.dumps(numbers, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        import csv

        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(data)
    else:
        from kg.namespaces import compact

        _table(columns, [[compact(row[0]), *row[1:]] for row in data])


# --- imports and links ----------------------------------------------------------------------

@main.command("import")
@click.argument("dataset", type=click.Choice(["ucdp-ged", "ucdp-acd", "ucdp-brd", "acled"]))
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--strict", is_flag=True, help="Fail on the first malformed row; the store stays as it was.")
@click.option("--replace", is_flag=True, help="Drop every earlier import of this dataset once the new one is in.")
@click.option("--links", "links_file", type=click.Path(dir_okay=False, path_type=Path),
              help="CSV of hand-made matches: columns name,entity (an entity's name, prefixed name or IRI).")
@click.option("--unmatched", "unmatched_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Write every name that found no match in the graph to this CSV file.")
@click.option("--skipped", "skipped_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Write every malformed row skipped (line, reason) to this CSV file.")
@click.pass_context
def import_command(ctx: click.Context, dataset: str, file: Path, strict: bool, replace: bool,
                   links_file: Path | None, unmatched_file: Path | None, skipped_file: Path | None) -> None:
    """Import a UCDP GED, UCDP/PRIO ACD, UCDP BRD (dyadic) or ACLED CSV file into its own named graph."""
    skipped: list[tuple[int, str]] = []
    report = _graph(ctx).import_file(
        dataset, file, strict=strict, replace=replace, links=links_file, progress=True,
        on_skip=(lambda line, reason: skipped.append((line, reason))) if skipped_file else None)
    if report.unchanged:
        click.echo(f"{file} is already imported (same checksum) in {report.graph}; nothing changed"
                   + (f"; dropped {len(report.replaced)} earlier import(s)" if report.replaced else ""))
        return
    click.echo(f"{'Imported again with ' + str(links_file) + ': ' if report.relinked else 'Imported '}"
               f"{file} into {report.graph}: {report.rows_imported} of {report.rows_read} rows, "
               f"{report.triples} triples in {report.seconds:.1f} s"
               + (f"; {report.rows_skipped} malformed rows skipped" if report.rows_skipped else "")
               + (f"; {report.rows_repeated} repeated rows imported once" if report.rows_repeated else "")
               + (f"; replaced {len(report.replaced)} earlier import(s)" if report.replaced else ""))
    click.echo("Time spent: " + "; ".join(f"{name} {seconds:.1f} s" for name, seconds in report.stages.items()))
    for error in report.errors:
        click.echo(f"  skipped {error}", err=True)
    if report.rows_skipped > len(report.errors):
        click.echo(f"  ... and {report.rows_skipped - len(report.errors)} more"
                   + (f" (all in {skipped_file})" if skipped_file else " (--skipped FILE lists them all)"), err=True)
    if skipped_file is not None:
        _write_csv(skipped_file, ["line", "reason"], skipped)
    for line in report.outside:
        click.echo(line)
    if report.unmatched:
        click.echo(f"{report.unmatched_count} names found no match in the graph and stay unlinked"
                   + (f" (all in {unmatched_file})" if unmatched_file else " (--unmatched FILE lists them all)")
                   + ":", err=True)
        for line in report.unmatched:
            click.echo(f"  {line}", err=True)
    if unmatched_file is not None:
        _write_unmatched(unmatched_file, report)


def _write_unmatched(path: Path, report) -> None:
    _write_csv(path, ["kind", "name", "rows"], [[kind, name, count] for (kind, name), count in report.unmatched_all])


def _write_csv(path: Path, header: list[str], rows) -> None:
    """A CSV report file, written as every output file is (kg.files)."""
    import csv
    import io

    from kg.files import write_atomically

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    write_atomically(path, buffer.getvalue().encode("utf-8"))


@main.group("imports", invoke_without_command=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_context
def imports_group(ctx: click.Context, fmt: str) -> None:
    """List the imported files (graph, file, time, rows, statements); `kg imports remove` drops some."""
    if ctx.invoked_subcommand is not None:
        return
    rows = _graph(ctx).imports()
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("No imports in the store (kg import adds them).")
        return
    from kg.namespaces import IMPORT_GRAPH_PREFIX

    _table(["import", "file", "imported", "rows", "statements"],
           [[r["graph"].removeprefix(IMPORT_GRAPH_PREFIX), r["file"], r["imported"], r["rows"], r["triples"]]
            for r in rows])


@imports_group.command("remove")
@click.argument("graphs", nargs=-1, required=True, metavar="IMPORT...")
@click.pass_context
def imports_remove_command(ctx: click.Context, graphs: tuple[str, ...]) -> None:
    """Drop imports by the name `kg imports` lists (or their graph IRI); nothing else changes."""
    for graph in _graph(ctx).remove_imports(list(graphs)):
        click.echo(f"Removed {graph}")


@main.command("links")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "ttl", "sssom"]), default="table",
              show_default=True, help="sssom: every curated mapping as an SSSOM TSV table with its metadata.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of standard output.")
@click.pass_context
def links_command(ctx: click.Context, fmt: str, output: Path | None) -> None:
    """The graph's entities with their ids in Wikidata, GeoNames, UCDP, ISO 3166 and their ACLED names."""
    graph = _graph(ctx)
    if fmt in ("ttl", "sssom"):
        text = graph.links_turtle() if fmt == "ttl" else graph.links_sssom()
        if output is None:
            click.echo(text, nl=False)
            return
        from kg.files import write_atomically

        write_atomically(output, text.encode("utf-8"), label=f"--output {output}")
        click.echo(f"Wrote {output} ({len(text.encode('utf-8'))} bytes, {fmt})")
        return
    if output is not None:
        raise click.UsageError("--output goes with --format ttl or sssom")
    columns, rows = graph.links()
    if fmt == "csv":
        import csv

        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)
    else:
        _table(columns, rows)


@main.command("reconcile")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--column", required=True, help="The column of names to link.")
@click.option("--type", "type_id", type=click.Choice(["person", "state", "organisation", "place", "conflict", "event"]),
              help="Only entities of this kind.")
@click.option("--country", "country_column", metavar="COLUMN", help="A column naming each row's country.")
@click.option("--date", "date_column", metavar="COLUMN", help="A column with each row's date (YYYY-MM-DD).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The CSV to write: the file's columns and the matched entity's.")
@click.option("--review", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the rows whose best candidates are close (a person's decision) to this CSV.")
@click.pass_context
def reconcile_command(ctx: click.Context, file: Path, column: str, type_id: str | None, country_column: str | None,
                      date_column: str | None, output: Path, review: Path | None) -> None:
    """Link a CSV column's names to the graph: adds the entity, label, score, match and ids."""
    report = _graph(ctx).reconcile_csv(file, column, output, type_id=type_id, country_column=country_column,
                                       date_column=date_column, review=review)
    click.echo(f"Wrote {output}: {report.rows} rows ({report.distinct} distinct names and conditions); "
               f"{report.matched} matched, {report.candidates_only} with candidates only, "
               f"{report.unmatched} without a candidate"
               + (f"; {report.review} to review in {review}" if review else
                  f"; {report.review} with close candidates (--review FILE lists them)"))


@main.command("annotate")
@click.argument("file", type=click.File("r", encoding="utf-8"), metavar="FILE|-")
@click.option("--lang", type=click.Choice(["en", "de", "ru"]), help="The report's language (detected if left out).")
@click.option("--date", "report_date", type=click.DateTime(["%Y-%m-%d"]),
              help="The report's date (YYYY-MM-DD), for weekdays and for the claims its figures may repeat.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html", "ttl"]), default="text",
              show_default=True, help="html: the report with its marks and a side panel (one offline page); "
                                      "ttl: draft statements for a curator.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of standard output.")
@click.pass_context
def annotate_command(ctx: click.Context, file, lang: str | None, report_date, fmt: str, output: Path | None) -> None:
    """The entities a news report names, its dates, and its figures beside the graph's claims."""
    from kg.namespaces import compact

    text = file.read()
    day = report_date.date() if report_date else None
    graph = _graph(ctx)
    result = graph.annotate(text, lang=lang, report_date=day)
    if fmt in ("json", "html", "ttl"):
        if fmt == "json":
            body = json.dumps(result.as_dict(), ensure_ascii=False, indent=2) + "\n"
        elif fmt == "html":
            body = graph.annotation_html(text, result, report_date=day, title=Path(file.name).name)
        else:
            body = graph.annotation_turtle(result, report_date=day, text=text,
                                           title=text.strip().splitlines()[0][:200] if text.strip() else "")
        if output is None:
            click.echo(body, nl=False)
        else:
            from kg.files import write_atomically

            write_atomically(output, body.encode("utf-8"), label=f"--output {output}")
            click.echo(f"Wrote {output} ({len(body.encode('utf-8'))} bytes, {fmt})")
        return
    click.echo(f"language {result.lang}; {len(result.mentions)} mentions, {len(result.figures)} figures, "
               f"{len(result.dates)} dates")
    _table(["at", "text", "entity", "score"],
           [[str(m.start), m.text, compact(m.entity), f"{m.score:.2f}"] for m in result.mentions])
    _table(["at", "figure", "measure", "side", "matches"],
           [[str(f.start), f.text, f.measure_label, compact(f.side) if f.side else "",
             "; ".join(compact(c) for c in f.matches) or "new"] for f in result.figures])
    _table(["at", "date", "value"], [[str(d.start), d.text, d.value] for d in result.dates])


# --- serving ---------------------------------------------------------------------------------

@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on (loopback by default).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--timeout", default=30.0, show_default=True, type=click.FloatRange(min=0.1),
              help="Seconds a query may run before it is stopped.")
@click.option("--row-limit", default=100_000, show_default=True, type=click.IntRange(min=1),
              help="Most rows (or triples) a query may return.")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 32),
              help="Query worker processes kept ready.")
@click.option("--max-workers", type=click.IntRange(1, 64),
              help="Most worker processes while slow queries hold some (default: 16, or 4 x --workers if more).")
@click.option("--memory-limit", default=4096, show_default=True, type=click.IntRange(min=256), metavar="MIB",
              help="Address space of each worker, in MiB; a query past it is stopped.")
@click.option("--public-host", "public_hosts", multiple=True, metavar="NAME",
              help="A host name clients may use besides the address listened on (repeatable).")
@click.option("--verbose", is_flag=True, help="Log each request to stderr.")
@click.pass_context
def serve_command(ctx: click.Context, host: str, port: int, timeout: float, row_limit: int, workers: int,
                  max_workers: int | None, memory_limit: int, public_hosts: tuple[str, ...], verbose: bool) -> None:
    """Serve the graph read-only: SPARQL endpoint at /sparql, query page at /, entity pages at /id/..."""
    from kg.server.http import close_server, make_server

    if ctx.meta.get("kg.store_url"):
        raise KgError("kg serve serves the embedded store; a remote store has its own endpoint")
    project = _project(ctx)
    _graph(ctx).ensure_built()
    server = make_server(project.store_dir, project.queries_dir, host=host, port=port, timeout=timeout,
                         row_limit=row_limit, workers=workers, max_workers=max_workers, memory_mib=memory_limit,
                         public_hosts=public_hosts, verbose=verbose)
    actual = server.server_address[1]
    unsandboxed = server.RequestHandlerClass.site.executor.unsandboxed
    if unsandboxed:
        click.echo(f"Warning: {unsandboxed}; SERVICE is refused by the query's keywords alone.", err=True)
    click.echo(f"Serving http://{host}:{actual}/ (SPARQL endpoint at /sparql; read-only; "
               f"queries stop after {timeout:g} s or {row_limit} rows). Ctrl-C stops.", err=True)
    import signal

    def stop(_signal, _frame) -> None:  # SIGTERM (and SIGINT, even where it was ignored) stop it cleanly
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("Stopped.", err=True)
    finally:
        close_server(server)


@main.command("push")
@click.option("--graph", "graphs", multiple=True, metavar="IRI", help="Only this named graph (repeatable).")
@click.pass_context
def push_command(ctx: click.Context, graphs: tuple[str, ...]) -> None:
    """Upload the embedded store's named graphs to the --store, each replacing its copy there."""
    from kg.api import KnowledgeGraph

    url = ctx.meta.get("kg.store_url")
    if not url:
        raise KgError("kg push needs --store URL (or KG_STORE)")
    local = KnowledgeGraph(_project(ctx), on_rebuild=_building, on_wait=_waiting, on_stale=_stale)
    counts = local.push(url, graphs=list(graphs) or None)
    for graph, count in counts.items():
        click.echo(f"  {graph}  {count}")
    click.echo(f"Pushed {sum(counts.values())} triples in {len(counts)} graphs to {url}")
