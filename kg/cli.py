"""The ``kg`` command: a thin shell over the library functions."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from kg import build as build_mod
from kg.errors import KgError
from kg.project import Project
from kg.query import OutputFormat
from kg.store import OxigraphStore


class KgGroup(click.Group):
    """Turns library errors into one line on stderr and exit status 1, without a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KgError as err:
            raise click.ClickException(str(err)) from None


def _project(ctx: click.Context) -> Project:
    return ctx.find_object(Project) or ctx.fail("no project")


def _open(ctx: click.Context) -> OxigraphStore:
    def notice() -> None:
        click.echo("Building the store from ontology/ and data/ ...", err=True)

    store = build_mod.open_store(_project(ctx), on_rebuild=notice)
    ctx.call_on_close(store.close)
    return store


def _table(columns: list[str], rows: list[list[str]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(*columns, box=None, header_style="bold", pad_edge=False)
    for row in rows:
        table.add_row(*row)
    Console(soft_wrap=True, width=None if sys.stdout.isatty() else 240).print(table)


@click.group(cls=KgGroup)
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), envvar="KG_ROOT",
              help="Project folder with ontology/, data/ and queries/ (default: this checkout).")
@click.option("--store-dir", type=click.Path(file_okay=False, path_type=Path), envvar="KG_HOME",
              help="Where the embedded store lives (default: ROOT/.kg).")
@click.version_option(package_name="postsoviet-conflicts-kg")
@click.pass_context
def main(ctx: click.Context, root: Path | None, store_dir: Path | None) -> None:
    """Knowledge graph of the armed conflicts of the former Soviet Union."""
    try:
        ctx.obj = Project.at(root, store_dir)
    except KgError as err:
        raise click.ClickException(str(err)) from None


@main.command("build")
@click.option("--force", is_flag=True, help="Rebuild even if ontology/ and data/ are unchanged.")
@click.pass_context
def build_command(ctx: click.Context, force: bool) -> None:
    """(Re)build the embedded store from ontology/ and data/."""
    report = build_mod.build(_project(ctx), force=force)
    state = "built" if report.rebuilt else "up to date"
    click.echo(f"Store {state}: {report.triples} triples from {len(report.files)} files in {report.seconds:.2f} s")
    for graph, count in sorted(report.graphs.items()):
        click.echo(f"  {graph}  {count}")


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
    from kg import entities, query

    project = _project(ctx)
    if list_queries:
        for name, q in query.catalogue(project.queries_dir).items():
            params_text = " ".join(f"{p.name}:{p.type}" for p in q.params)
            click.echo(f"{name}\n    {q.question}" + (f"\n    parameters: {params_text}" if params_text else ""))
        return
    if not query_ref:
        raise click.UsageError("give a query NAME, FILE or -, or --list")
    qfile = query.load_query(query_ref, project.queries_dir)
    store = _open(ctx)
    assignments = query.parse_assignments(params)
    result = query.run(store, qfile, assignments, resolve_entity=lambda ref: entities.resolve(store, ref))
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
    from kg import entities
    from kg.namespaces import compact

    matches = entities.search(_open(ctx), text, limit=limit, lang=lang)
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
    from kg import entities
    from kg.views_text import render_card

    store = _open(ctx)
    card = entities.card(store, entities.resolve(store, entity), lang=lang)
    if fmt == "json":
        from dataclasses import asdict

        click.echo(json.dumps(asdict(card), ensure_ascii=False, indent=2))
    else:
        click.echo(render_card(card))


@main.command("stats")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_context
def stats_command(ctx: click.Context, fmt: str) -> None:
    """Triples, entities per class and sources."""
    from kg.stats import stats

    result = stats(_open(ctx))
    if fmt == "json":
        click.echo(json.dumps(result.as_dict(), indent=2))
        return
    click.echo(f"{result.triples} triples in {len(result.graphs)} named graphs; "
               f"{result.sources} sources cited by {result.cited} resources")
    _table(["graph", "triples"], [[g, str(n)] for g, n in result.graphs.items()])
    _table(["class", "instances"], [[c, str(n)] for c, n in result.classes.items()])


@main.command("validate")
@click.pass_context
def validate_command(ctx: click.Context) -> None:
    """Check the graph against the SHACL shapes in ontology/shapes.ttl."""
    from kg.validate import validate

    project = _project(ctx)
    report = validate(_open(ctx), project.shapes_file)
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


@main.command("export")
@click.option("--format", "fmt", type=click.Choice(["ttl", "nt", "nq", "trig", "jsonld"]), required=True,
              help="nt and ttl merge all graphs; nq and trig keep the named graphs.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (default: kg-export.FORMAT; - for stdout).")
@click.pass_context
def export_command(ctx: click.Context, fmt: str, output: Path | None) -> None:
    """Write the whole graph in an RDF format."""
    from kg.export import ExportFormat, export, serialize

    store = _open(ctx)
    chosen = ExportFormat(fmt)
    if output is not None and str(output) == "-":
        click.echo(serialize(store, chosen).decode("utf-8"), nl=False)
        return
    target = output or Path(f"kg-export.{fmt}")
    size = export(store, chosen, target)
    click.echo(f"Wrote {target} ({size} bytes, {fmt})")
