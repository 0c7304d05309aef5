"""The ``archive`` command: thin shells over the operations, turning failures into messages and exit codes."""
from __future__ import annotations

import errno
import json
import socket
import sqlite3
import sys
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import click
from tqdm import tqdm

from archive.config import Settings
from archive.citation import Scope, csl_item, locator
from archive.errors import ArchiveError, DocumentNotFound, database_error
from archive.exports import DATA_FORMATS, render_data
from archive.styles import OMITTED, STYLES, format_item
from archive.model import Metadata, strip_markers
from indexer import operations
from indexer.mdsource import FrontMatterError, metadata_from_mapping
from indexer.options import ParseOptions
from indexer.pipeline import check_date
from indexer.search import MAX_PAGE, MAX_PER_PAGE, SearchRequest, plain_snippet, search

CITE_FORMATS = [*DATA_FORMATS, *STYLES]
SYMBOLS = {"added": "added", "unchanged": "unchanged", "replaced": "replaced", "failed": "FAILED"}


def settings_from(ctx: click.Context) -> Settings:
    """The settings chosen by --data-dir and the environment."""
    try:
        return Settings.from_env(ctx.obj.get("data_dir"))
    except ValueError as err:
        raise click.UsageError(str(err)) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), envvar="ARCHIVE_DATA_DIR",
              help="Where the archive lives (default: $ARCHIVE_DATA_DIR or ~/.local/share/longform-archive).")
@click.pass_context
def cli(ctx: click.Context, data_dir: Path | None) -> None:
    """A searchable archive of long-form documents."""
    ctx.ensure_object(dict)
    ctx.obj["data_dir"] = data_dir


# the metadata a user can state (ingest) or correct (edit): option, Metadata field, help
METADATA_OPTIONS = [
    ("--title", "title", "Title, overriding what the text says."),
    ("--author", "authors", "Author (repeat for several); \"Family, Given\" is one person."),
    ("--date", "date", "Date as YYYY, YYYY-MM or YYYY-MM-DD."),
    ("--publisher", "publisher", "Publisher or institution."),
    ("--url", "url", "Where the document is published."),
    ("--series", "series", "Series name."),
    ("--number", "number", "Number in the series, or a report's number."),
    ("--language", "language", "Language code, such as en or fr."),
    ("--type", "kind", "CSL item type: article-journal, article-magazine, article-newspaper, report, chapter, "
                       "book, thesis, webpage…"),
    ("--container", "container_title", "The journal, magazine or book the document is part of."),
    ("--volume", "volume", "Volume of the journal."),
    ("--issue", "issue", "Issue of the journal."),
    ("--pages", "pages", "The document's pages in its container, such as 45-67."),
    ("--doi", "doi", "DOI, such as 10.1000/xyz123."),
    ("--isbn", "isbn", "ISBN."),
    ("--issn", "issn", "ISSN of the journal."),
]


def metadata_options(command):
    """The metadata options (METADATA_OPTIONS) added to a command."""
    for flag, name, text in reversed(METADATA_OPTIONS):
        command = click.option(flag, name, multiple=name == "authors", help=text)(command)
    return command


def stated_metadata(values: dict) -> Metadata:
    """The Metadata the metadata options state; a wrong date or type is a usage error naming it."""
    stated = {name: list(value) if name == "authors" else value for name, value in values.items() if value}
    try:
        check_date(stated.get("date", ""), "--date")
        return metadata_from_mapping(stated)
    except ArchiveError as err:
        raise click.BadParameter(str(err).removeprefix("--date: "), param_hint="--date") from None
    except FrontMatterError as err:
        raise click.BadParameter(str(err), param_hint="--type") from None


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@metadata_options
@click.option("--max-file-mb", type=click.FloatRange(min=0, min_open=True),
              help="Largest file accepted, in MB (default: $ARCHIVE_MAX_FILE_MB or 20).")
@click.option("--follow-symlinks", is_flag=True,
              help="Follow links that lead out of a folder being ingested (by default they are refused).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of lines.")
@click.pass_context
def ingest(ctx, paths, max_file_mb, follow_symlinks, as_json, **stated):
    """Add files and folders (.txt, .md, .markdown, .html, .htm, .epub, .docx, .pdf) to the archive."""
    settings = settings_from(ctx)
    overrides = stated_metadata(stated)
    max_bytes = int(max_file_mb * 1048576) if max_file_mb else settings.max_file_bytes
    bar = tqdm(unit="file", disable=as_json or not sys.stderr.isatty(), file=sys.stderr, leave=False)

    def on_start(count: int) -> None:
        bar.total = count
        bar.refresh()

    def on_file(outcome: str, item: dict) -> None:
        bar.update()
        if not as_json:
            detail = item.get("error") or f"{item['id']}  {item['title']}"
            bar.write(f"{SYMBOLS[outcome]:<10} {item['path']}: {detail}{_kept_warning(item)}", file=sys.stdout)

    try:
        options = ParseOptions(max_bytes, overrides, settings.parse_seconds, settings.parse_memory_mb)
        report = operations.ingest(paths, settings, options, on_file, follow_symlinks=follow_symlinks,
                                   on_start=on_start)
    except ArchiveError as err:
        raise click.ClickException(str(err)) from None
    finally:
        bar.close()
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(f"{len(report.added)} added, {len(report.replaced)} replaced, "
                   f"{len(report.unchanged)} unchanged, {len(report.failed)} failed{_skipped_summary(report.skipped)}")
    ctx.exit(1 if report.failed else 0)


def _skipped_summary(skipped: list[dict]) -> str:
    """", 3 skipped (unsupported file types: .rtf 2, .xlsx 1)" for a folder's files in other formats ('' for none)."""
    if not skipped:
        return ""
    kinds = Counter(item["error"].split("'")[1] if "'" in item["error"] else "(none)" for item in skipped)
    return f", {len(skipped)} skipped (unsupported file types: {', '.join(f'{k} {n}' for k, n in kinds.most_common())})"


def counted(count: int, word: str, plural: str = "") -> str:
    """A count and its noun, singular or plural.

    >>> counted(1, "match", "matches"), counted(3, "document")
    ('1 match', '3 documents')
    """
    return f"{count} {word if count == 1 else plural or word + 's'}"


def _kept_warning(item: dict) -> str:
    """" (kept 31 % of the page's text)" when a document kept little of its source's paragraph text
    (``Extraction.kept_little``)."""
    kept = item.get("kept", 1.0)
    return f" (kept {kept:.0%} of the source's text)".replace("%", " %") if item.get("kept_little") else ""


@cli.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def list_documents(ctx, as_json):
    """List the documents in the archive."""
    with _reading(ctx) as (store, _):
        rows = [{"id": d.id, "title": d.meta.title, "authors": list(d.meta.authors), "date": d.meta.date}
                for d in store.documents()]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        click.echo(f"{row['id']}  {row['title']}  ({'; '.join(row['authors']) or 'no author'}, {row['date'] or 'n.d.'})")
    click.echo(f"{len(rows)} documents")


@cli.command()
@click.argument("doc_id")
@click.option("--json", "as_json", is_flag=True, help="Print the full document record as JSON.")
@click.pass_context
def show(ctx, doc_id, as_json):
    """Show one document: metadata, sections and notes."""
    with _reading(ctx) as (store, _):
        doc = store.get(doc_id)
    if doc is None:
        raise click.ClickException(str(DocumentNotFound(doc_id)))
    if as_json:
        click.echo(json.dumps(doc.to_dict(), ensure_ascii=False, indent=2))
        return
    meta = doc.meta
    click.echo(f"{meta.title}\n{'; '.join(meta.authors) or 'no author'} · {meta.date or 'n.d.'} · {meta.publisher}")
    for section in doc.sections:
        click.echo(f"{'  ' * (section.level - 1)}§ {section.title or '(untitled)'}  #{section.id}"
                   f"  ({len(section.paragraphs)} paragraphs)")
    cited = sum(n.cited for n in doc.footnotes)
    click.echo(f"{len(doc.footnotes)} footnotes, {cited} cited in the text")


@cli.command(name="search")
@click.argument("query")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, MAX_PER_PAGE),
              help="Documents per page, each with its best passages.")
@click.option("--page", default=1, show_default=True, type=click.IntRange(1, MAX_PAGE), help="Page of documents.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON, the same as the web API.")
@click.pass_context
def search_command(ctx, query, limit, page, as_json):
    """Search the archive (the same search as the web app)."""
    settings = settings_from(ctx)
    with _reading(ctx) as (_, index):
        try:
            result = search(index, SearchRequest(query, page=page, per_page=limit),
                            variants=operations.variants(settings))
        except ArchiveError as err:
            raise click.UsageError(str(err)) from None
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    for note in result.notes():
        click.echo(note)
    for doc in result.documents:
        click.echo(f"{doc.facts.doc_id}  {doc.facts.title}  ({counted(doc.matches, 'match', 'matches')})")
        for hit in doc.hits:
            place = f"note {hit.note_number}" if hit.kind == "footnote" else (hit.section_title or hit.section_id)
            place += f", p. {hit.page}" if hit.page else ""
            click.echo(f"  #{hit.anchor}  {place}\n      {' '.join(strip_markers(plain_snippet(hit.snippet)).split())}")
    if result.suggestion:
        click.echo(f"Did you mean: {result.suggestion}")
    click.echo(f"{counted(result.total, 'match', 'matches')} in {counted(result.total_documents, 'document')}")


@cli.command()
@click.argument("doc_id")
@metadata_options
@click.pass_context
def edit(ctx, doc_id, **stated):
    """Correct a document's metadata: each option given replaces that field, in the reader and every export."""
    changes = stated_metadata(stated)
    if changes == Metadata():
        raise click.UsageError("say what to change, for example --title or --type (see 'archive edit --help')")
    try:
        doc = operations.edit(doc_id, changes, settings_from(ctx))
    except ArchiveError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"edited {doc.id}  {doc.meta.title}")


@cli.command()
@click.argument("doc_id")
@click.pass_context
def remove(ctx, doc_id):
    """Remove a document from the archive."""
    try:
        doc = operations.remove(doc_id, settings_from(ctx))
    except ArchiveError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"removed {doc.id}  {doc.meta.title}")


@cli.command()
@click.pass_context
def reindex(ctx):
    """Rebuild the whole search index from the stored documents."""
    try:
        count = operations.reindex(settings_from(ctx))
    except ArchiveError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"reindexed {count} documents")


@cli.command()
@click.option("--repair", is_flag=True,
              help="If the store's database is damaged, rebuild it from the record files in records/.")
@click.pass_context
def check(ctx, repair):
    """Check that the store, originals and index agree, and repair the index if not."""
    try:
        problems = (operations.repair_store if repair else operations.check)(settings_from(ctx))
    except ArchiveError as err:
        raise click.ClickException(str(err)) from None
    for line in problems:
        click.echo(line)
    unrepaired = [p for p in problems if "cannot be repaired" in p]
    click.echo("consistent" if not problems else f"{len(problems) - len(unrepaired)} repaired, "
               f"{len(unrepaired)} cannot be repaired")
    ctx.exit(1 if unrepaired else 0)


@cli.command()
@click.argument("target", type=click.Path(path_type=Path))
@click.pass_context
def backup(ctx, target):
    """Copy the store, originals and record files to a new folder TARGET (consistent during an ingest)."""
    try:
        count = operations.backup(settings_from(ctx), target)
    except ArchiveError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"backed up {count} documents to {target}; 'archive --data-dir {target} check' builds its index")


@cli.command()
@click.argument("doc_id", required=False)
@click.option("--section", "section_id", help="Cite one section (its id, as in 'archive show').")
@click.option("--note", type=click.IntRange(1), help="Cite the place of one footnote (its number).")
@click.option("--query", help="Cite every document this search finds, instead of one document.")
@click.option("--format", "fmt", required=True, type=click.Choice(CITE_FORMATS), help="Data or style.")
@click.pass_context
def cite(ctx, doc_id, section_id, note, query, fmt):
    """Export a citation of a document, a section, a note's place, or every result of a query."""
    settings = settings_from(ctx)
    if bool(doc_id) == bool(query):
        raise click.UsageError("give a document ID or --query, not both and not neither")
    with _reading(ctx) as (store, index):
        try:
            if query:
                docs = operations.query_documents(store, index, query, operations.variants(settings))
                items = [csl_item(d) for d in docs]
            else:
                items = [csl_item(*_cited_place(store, doc_id, section_id, note), _reader_url(settings, doc_id))]
        except ArchiveError as err:
            raise click.ClickException(str(err)) from None
    click.echo(render_data(items, fmt) if fmt in DATA_FORMATS else _styled(items, fmt), nl=False)


def _cited_place(store, doc_id: str, section_id: str | None, note: int | None) -> tuple:
    """The document and the scope to cite, or a clear error naming what does not exist."""
    doc = store.get(doc_id)
    if doc is None:
        raise DocumentNotFound(doc_id)
    if section_id and doc.section(section_id) is None:
        known = ", ".join(s.id for s in doc.sections[:12])
        raise click.BadParameter(f"no section {section_id!r} in {doc_id} (sections: {known})", param_hint="--section")
    if note is not None and doc.footnote(note) is None:
        raise click.BadParameter(f"no note {note} in {doc_id}", param_hint="--note")
    return doc, Scope(section_id or "", note)


def _reader_url(settings: Settings, doc_id: str) -> str:
    """The reader page of a document at ARCHIVE_BASE_URL ('' when it is not set)."""
    return f"{settings.base_url}/documents/{doc_id}" if settings.base_url else ""


def _styled(items: list[dict], style: str) -> str:
    """Each item's entry in a style, with its citation or note when a place in it is cited."""
    blocks = []
    for item in items:
        formatted = format_item(item, style)
        label = "Note" if style == "chicago-notes" else "In text"
        if not formatted.entry:  # a work the style leaves out of its bibliography: its note, and why
            blocks.append(f"{label}: {formatted.citation}\n({OMITTED})")
            continue
        cited = f"\n{label}: {formatted.citation}" if locator(item) else ""
        blocks.append(formatted.entry + cited)
    return "\n\n".join(blocks) + "\n"


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--workers", type=click.IntRange(1, 64), show_default="two per core", help="Worker processes.")
@click.option("--threads", default=2, show_default=True, type=click.IntRange(1, 64), help="Threads per worker.")
@click.pass_context
def serve(ctx, host, port, workers, threads):
    """Serve the web app (search, reader, JSON API) on the gunicorn WSGI server."""
    from webapp import create_app
    from webapp.server import default_workers, serve as run_server

    settings = settings_from(ctx)
    taken = _port_taken(host, port)
    if taken:
        raise click.ClickException(f"cannot serve on {host}:{port}: {taken}; choose another port with --port "
                                   f"(with make run: make run PORT={port + 1})")
    try:
        with operations.readable(settings) as (store, _):
            click.echo(f"Serving {len(store.ids())} documents from {settings.data_dir}")
    except ArchiveError as err:
        click.echo(f"Warning: {err}. Pages will say so until this is fixed.", err=True)
    click.echo(f"Open http://{host}:{port}/  (Ctrl-C to stop)")
    run_server(lambda: create_app({"SETTINGS": settings}), host, port, workers or default_workers(), threads)


def _port_taken(host: str, port: int) -> str:
    """Why the server could not listen on a host and port ('' when it can): gunicorn would only retry."""
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as err:
        return "the port is taken by another program" if err.errno == errno.EADDRINUSE else err.strerror or str(err)
    return ""


@contextmanager
def _reading(ctx):
    """The archive opened for reading, with a clean message if it cannot be."""
    try:
        with operations.readable(settings_from(ctx)) as opened:
            yield opened
    except ArchiveError as err:
        raise click.ClickException(str(err)) from None


def main() -> None:
    """Entry point of the ``archive`` console command."""
    try:
        cli(obj={})
    except sqlite3.DatabaseError as err:  # damage or a full disk, found in the middle of a command
        click.echo(f"Error: {database_error('archive.db', err)}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
