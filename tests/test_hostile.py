"""A batch of hostile files: each bad one fails alone with a one-line reason, the good ones land, check is clean."""
from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from indexer import operations
from indexer.options import ParseOptions

GOOD = "A Good Title {n}\n\nA paragraph of ordinary harbour text, long enough to be read as the body {n}.\n"
LEVELS = "abcdefghij"
# a parse worker's address space starts near 220 MB (Python, the parsers, numpy and the language model);
# the huge text below takes over 1 GB to read
WORKER_LIMIT_MB = 400


def alias_bomb() -> str:
    """Markdown whose front matter's title is a YAML alias bomb: nine lists of nine, ten levels deep."""
    lines = ["---", 'a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for before, level in zip(LEVELS, LEVELS[1:]):
        lines.append(f"{level}: &{level} [{', '.join([f'*{before}'] * 9)}]")
    return "\n".join([*lines, f"title: *{LEVELS[-1]}", "---", "", "Text of the bomb.", ""])


def zip_bomb_docx(path: Path, megabytes: int) -> None:
    """A .docx whose document part unpacks to ``megabytes`` of one repeated run of text."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as docx:
        docx.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                      'package/2006/content-types"/>')
        with docx.open("word/document.xml", "w") as part:
            part.write(b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
                       b'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>')
            block = b"harbour " * 131072
            for _ in range(megabytes):
                part.write(block)
            part.write(b"</w:t></w:r></w:p></w:body></w:document>")


@pytest.fixture(scope="module")
def hostile_batch(tmp_path_factory):
    """Ingest a folder of good and hostile files under tight limits; the report and the archive."""
    from archive.config import Settings

    root = tmp_path_factory.mktemp("hostile")
    folder = root / "in"
    folder.mkdir()
    for n in range(3):
        (folder / f"good{n}.txt").write_text(GOOD.format(n=n))
    os.mkfifo(folder / "fifo.txt")
    (folder / "zero.txt").symlink_to("/dev/zero")
    (folder / "passwd.txt").symlink_to("/etc/passwd")
    (folder / "inside.txt").symlink_to(folder / "good0.txt")
    (folder / "bomb.md").write_text(alias_bomb())
    (folder / "deepyaml.md").write_text("---\ntitle: " + "[" * 5000 + "]" * 5000 + "\n---\n\nBody text.\n")
    (folder / "deeplist.md").write_text("# Deep List\n\n" + "".join("  " * i + f"- item{i}\n" for i in range(3000)))
    (folder / "deepquote.md").write_text("# Deep Quote\n\n" + ">" * 5000 + " the innermost harbour words\n")
    zip_bomb_docx(folder / "bomb.docx", 300)
    (folder / "huge.txt").write_text(("A paragraph of harbour text with several words in it. " * 20 + "\n\n") * 18000)
    settings = Settings(root / "archive", lock_timeout=1.0)
    options = ParseOptions(max_bytes=20 * 1024 * 1024, seconds=5, memory_mb=WORKER_LIMIT_MB)
    report = operations.ingest([folder], settings, options, workers=2)
    return settings, report


def reason(report, name: str) -> str:
    return next(item["error"] for item in report.failed if Path(item["path"]).name == name)


def test_the_good_files_land_and_the_archive_stays_consistent(hostile_batch):
    settings, report = hostile_batch
    assert sorted(Path(item["path"]).name for item in report.added) == ["deeplist.md", "deepquote.md", "good0.txt",
                                                                        "good1.txt", "good2.txt"]
    assert [Path(item["path"]).name for item in report.unchanged] == ["inside.txt"]  # the same bytes as good0
    assert operations.check(settings) == []


@pytest.mark.parametrize("name, says", [
    ("fifo.txt", "is a FIFO, not a regular file"),
    ("zero.txt", "outside the folder: not followed"),
    ("passwd.txt", "a link to /etc/passwd, outside the folder: not followed (--follow-symlinks follows it)"),
    ("bomb.docx", "the DOCX package unpacks to 300 MB, over the 200 MB a package may unpack to"),
    ("bomb.md", "front matter is not valid YAML: more than 10,000 values once its aliases (*name) are expanded"),
    ("deepyaml.md", "front matter is not valid YAML: nested more than 16 deep"),
    ("huge.txt", "(the limit is ARCHIVE_PARSE_"),
])
def test_each_hostile_file_fails_alone_with_its_reason(hostile_batch, name, says):
    _, report = hostile_batch
    assert says in reason(report, name)
    assert "\n" not in reason(report, name)


def test_a_file_past_the_memory_limit_is_stopped_and_the_next_one_is_read(settings, tmp_path):
    """One worker: it is replaced after the file that passed its limit, and reads the next file."""
    (tmp_path / "huge.txt").write_text(("Harbour text with several words in it. " * 30 + "\n\n") * 16000)
    (tmp_path / "zz-good.txt").write_text(GOOD.format(n="after"))
    report = operations.ingest([tmp_path / "huge.txt", tmp_path / "zz-good.txt"], settings,
                               ParseOptions(memory_mb=WORKER_LIMIT_MB), workers=1)
    assert reason(report, "huge.txt") == (f"used more than {WORKER_LIMIT_MB} MB to read "
                                          "(the limit is ARCHIVE_PARSE_MEMORY_MB)")
    assert len(report.added) == 1


def sleep_on_slow(path: Path, options: ParseOptions) -> str:
    """A parser that takes a minute over a file named slow.txt and answers at once for any other."""
    if path.name == "slow.txt":
        import time
        time.sleep(60)
    return f"read {path.name}"


def test_a_file_past_the_time_limit_is_stopped_and_the_next_one_is_read():
    """A parse that sleeps, rather than a real slow file: which limit a real bomb passes first is a race."""
    from indexer.parsepool import parse_limited

    results = list(parse_limited([Path("slow.txt"), Path("next.txt")], ParseOptions(seconds=1), 1, sleep_on_slow))
    assert results == [(Path("slow.txt"), "took longer than 1 s to read (the limit is ARCHIVE_PARSE_SECONDS)"),
                       (Path("next.txt"), "read next.txt")]


def test_a_device_named_on_the_command_line_is_refused(settings, tmp_path):
    link = tmp_path / "zero.txt"
    link.symlink_to("/dev/zero")
    report = operations.ingest([link], settings, ParseOptions(), workers=1)
    assert "is a device, not a regular file" in report.failed[0]["error"]


def test_follow_symlinks_reads_a_link_out_of_the_folder(settings, tmp_path):
    outside = tmp_path / "elsewhere.txt"
    outside.write_text(GOOD.format(n="elsewhere"))
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "link.txt").symlink_to(outside)
    assert operations.ingest([folder], settings, ParseOptions(), workers=1).failed
    assert len(operations.ingest([folder], settings, ParseOptions(), workers=1, follow_symlinks=True).added) == 1


SLOW_INGEST = """
import time
from pathlib import Path
from indexer.options import ParseOptions
from indexer.parsepool import parse_limited

def sleep_on_it(path, options):
    time.sleep(600)

if __name__ == "__main__":
    list(parse_limited([Path("slow.txt")], ParseOptions(seconds=900), 1, sleep_on_it))
"""


def test_parse_workers_die_with_a_killed_ingest(tmp_path):
    """kill -9 of a process whose worker is busy on a slow file leaves no worker behind."""
    import signal
    import subprocess
    import sys

    script = tmp_path / "slow_ingest.py"
    script.write_text(SLOW_INGEST)
    repo = str(Path(__file__).resolve().parent.parent)
    parent = subprocess.Popen([sys.executable, str(script)], cwd=repo, env={**os.environ, "PYTHONPATH": repo},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    def forked():  # the fork server and the worker it forked
        found = [p for p in _descendants(parent.pid) if "forkserver" in _cmdline(p)]
        return found if len(found) >= 2 else []
    workers = _wait_for(forked, 30)
    assert workers, "no parse worker started"
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    assert _wait_for(lambda: not any(_alive(pid) for pid in workers), 30)


def _wait_for(condition, seconds: float):
    """The condition's value once it is true, polled until ``seconds`` have passed (then its last value)."""
    import time

    deadline = time.monotonic() + seconds
    while not (value := condition()) and time.monotonic() < deadline:
        time.sleep(0.1)
    return value


def _descendants(pid: int) -> list[int]:
    """The ids of every process below ``pid`` (the fork server and the workers it started)."""
    found, todo = [], [pid]
    while todo:
        try:
            children = Path(f"/proc/{todo.pop()}/task").glob("*/children")
            kids = [int(c) for f in children for c in f.read_text().split()]
        except OSError:
            kids = []
        found += kids
        todo += kids
    return found


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return ""


def _alive(pid: int) -> bool:
    """Whether a process is running (a zombie waiting for its parent's reaper is not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except (OSError, IndexError):
        return False


def test_deeply_nested_markdown_keeps_its_text(hostile_batch):
    """Lists and quotes nested thousands deep are read in time, flattened past 16 levels, their words kept."""
    from archive.store import Store

    settings, report = hostile_batch
    store = Store(settings.data_dir)
    texts = {d.meta.title: " ".join(p for s in d.sections for p in s.paragraphs) for d in store.documents()}
    store.close()
    assert "the innermost harbour words" in texts["Deep Quote"]
    assert all(f"item{i}" in texts["Deep List"] for i in (0, 15, 2999))



def logged_read(path: Path, options: ParseOptions) -> str:
    """A parser that notes each file's name in read.log beside it, in the order it reads them."""
    with (path.parent / "read.log").open("a") as log:
        log.write(path.name + "\n")
    return f"read {path.name}"


def test_a_large_file_is_read_first_and_results_keep_their_order(tmp_path):
    """One worker reads in its dispatch order: the large file last in the list first; results stay in order."""
    from indexer.parsepool import parse_limited

    names = ["a.txt", "b.txt", "c.txt", "large.txt"]
    for name in names:
        (tmp_path / name).write_text("x" * (90_000 if name == "large.txt" else 100))
    results = list(parse_limited([tmp_path / n for n in names], ParseOptions(), 1, logged_read))
    assert [(path.name, text) for path, text in results] == [(n, f"read {n}") for n in names]
    assert (tmp_path / "read.log").read_text().split() == ["large.txt", "a.txt", "b.txt", "c.txt"]
