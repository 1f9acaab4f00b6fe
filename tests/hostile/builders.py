"""Builders of the hostile-input corpus: one function per hostile file, nothing committed.

Every `build_*` function writes one file (or link, or pipe) into `folder` and returns its path.
`CASES` lists them with what ScopeLens must answer: `Expect("error", needle)` — status "error"
with `needle` in the one-line reason — or `Expect("ok")` for valid-but-odd files that must be
analysed. `build_corpus` builds them all into one folder for the end-to-end scan.

The builders are fast and light: the 1.5 GB zip bomb is written from one pre-compressed chunk
repeated (about 1.5 MB on disk, a second to build), the 2,000-page PDF has one line per page.
"""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from random import Random
from typing import Literal

import docx
from fpdf import FPDF
from PIL import Image, ImageDraw

PROPOSAL_TEXT = (
    "Scope of Work\n\n"
    "The vendor will deliver a user-friendly service desk portal and provide full support "
    "as needed.\n"
    "The vendor will migrate all tickets, including but not limited to attachments, etc.\n\n"
    "Go-live within 6 weeks at a fixed price of EUR 40,000.\n"
)

BIG_TEXT_BYTES = 6 * 1024 * 1024
BIG_PDF_PAGES = 2000
ZIP_BOMB_BYTES = 1536 * 1024 * 1024  # 1.5 GB once unzipped


@dataclass(frozen=True, slots=True)
class Expect:
    """What the scan must report for one hostile file."""

    status: Literal["ok", "error"]
    needle: str = ""
    """A phrase the one-line error must contain (status "error" only)."""


@dataclass(frozen=True, slots=True)
class Case:
    """One hostile file: its name in the corpus, its builder and the expected answer."""

    name: str
    build: Callable[[Path], Path]
    expect: Expect
    big: bool = False
    """Slow to analyse (the 6 MB text, the 2,000-page PDF): built once per session."""


def _pdf(lines: list[str]) -> bytes:
    pdf = FPDF()
    pdf.set_font("helvetica", size=11)
    pdf.add_page()
    for line in lines:
        pdf.multi_cell(w=0, text=line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def proposal_pdf() -> bytes:
    """A small valid PDF with a few findings (the base of several hostile PDFs)."""
    return _pdf([line for line in PROPOSAL_TEXT.splitlines() if line] * 6)


def proposal_docx() -> bytes:
    """A small valid DOCX (the base of the hostile DOCX files)."""
    document = docx.Document()
    document.add_heading("Scope of Work", level=1)
    for line in PROPOSAL_TEXT.splitlines()[2:]:
        if line:
            document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


# ---------------------------------------------------------------------------------------------
# PDF
# ---------------------------------------------------------------------------------------------


def build_truncated_pdf(folder: Path) -> Path:
    """A PDF cut in the middle (an interrupted download): no xref, no trailer."""
    data = proposal_pdf()
    return _write(folder, "truncated.pdf", data[: len(data) // 2])


def build_random_bytes_pdf(folder: Path) -> Path:
    """Random bytes named .pdf."""
    return _write(folder, "random-bytes.pdf", Random(1).randbytes(64 * 1024))


def build_zero_byte_pdf(folder: Path) -> Path:
    """An empty file named .pdf."""
    return _write(folder, "zero-byte.pdf", b"")


def build_encrypted_pdf(folder: Path) -> Path:
    """A PDF that needs a password to open (fpdf2 RC4 encryption with a user password)."""
    pdf = FPDF()
    pdf.set_encryption(owner_password="owner-secret", user_password="open-sesame")
    pdf.set_font("helvetica", size=11)
    pdf.add_page()
    pdf.multi_cell(w=0, text=PROPOSAL_TEXT, new_x="LMARGIN", new_y="NEXT")
    return _write(folder, "encrypted.pdf", bytes(pdf.output()))


def scan_png() -> bytes:
    """A grey "scanned page" image with dark bars where text lines would be."""
    image = Image.new("L", (600, 800), 235)
    draw = ImageDraw.Draw(image)
    for top in range(80, 720, 28):
        draw.rectangle((60, top, 540 - (top % 90), top + 12), fill=40)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def build_scanned_pdf(folder: Path) -> Path:
    """An image-only PDF (a scan without OCR): pages, but no text layer."""
    pdf = FPDF()
    for _ in range(2):
        pdf.add_page()
        pdf.image(io.BytesIO(scan_png()), x=10, y=10, w=190)
    return _write(folder, "scanned.pdf", bytes(pdf.output()))


def build_pdf_named_docx(folder: Path) -> Path:
    """A valid PDF with a .docx name: sniffed by content and analysed as a PDF."""
    return _write(folder, "pdf-renamed.docx", proposal_pdf())


def build_2000_page_pdf(folder: Path) -> Path:
    """A 2,000-page PDF, one short line per page (under the default 5,000-page limit)."""
    pdf = FPDF()
    pdf.set_font("helvetica", size=11)
    for number in range(1, BIG_PDF_PAGES + 1):
        pdf.add_page()
        pdf.cell(text=f"Item {number}: the vendor will deliver the report within 5 days.")
    return _write(folder, "2000-pages.pdf", bytes(pdf.output()))


# ---------------------------------------------------------------------------------------------
# DOCX
# ---------------------------------------------------------------------------------------------


def build_zero_byte_docx(folder: Path) -> Path:
    """An empty file named .docx."""
    return _write(folder, "zero-byte.docx", b"")


def _stored_parts(base: bytes, skip: str) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(base)) as archive:
        return [(i.filename, archive.read(i)) for i in archive.infolist() if i.filename != skip]


def replace_part(base: bytes, name: str, content: bytes) -> bytes:
    """`base` (a zip) with part `name` replaced by `content`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for filename, data in _stored_parts(base, name):
            target.writestr(filename, data)
        target.writestr(name, content)
    return buffer.getvalue()


def zip_bomb(base: bytes, name: str, size: int) -> bytes:
    """`base` with part `name` replaced by `size` bytes of XML filler, honestly declared.

    Deflate output is reset at every full flush, so one compressed chunk can be repeated:
    the archive is built without compressing `size` bytes, and stays ~1 KB per MB.
    """
    head = b'<?xml version="1.0" encoding="UTF-8"?>\n<w:document><w:body>'
    tail = b"</w:body></w:document>"
    chunk = b"<w:p/>" * (1024 * 1024 // 6)  # ~1 MB of empty paragraphs
    repeats = (size - len(head) - len(tail)) // len(chunk)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    head_z = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)
    chunk_z = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    tail_z = compressor.compress(tail) + compressor.flush(zlib.Z_FINISH)
    crc = zlib.crc32(head)
    for _ in range(repeats):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(tail, crc)
    usize = len(head) + repeats * len(chunk) + len(tail)
    csize = len(head_z) + repeats * len(chunk_z) + len(tail_z)
    assert usize < 0xFFFFFFFF, "keep the bomb under 4 GB: no zip64 records are written"

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for filename, data in _stored_parts(base, name):
            archive.writestr(filename, data)
    small = out.getvalue()
    # Re-use the small archive's entries; append the bomb entry by hand, then a new directory.
    eocd = small.rfind(b"PK\x05\x06")
    entries, cd_size, cd_offset = struct.unpack_from("<HII", small, eocd + 10)
    entries_region = small[:cd_offset]
    directory = small[cd_offset : cd_offset + cd_size]
    encoded = name.encode()
    local = struct.pack(
        "<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc, csize, usize, len(encoded), 0
    )
    central = struct.pack(
        "<4s6H3L5H2L",
        b"PK\x01\x02",
        20,
        20,
        0,
        8,
        0,
        0x21,
        crc,
        csize,
        usize,
        len(encoded),
        0,
        0,
        0,
        0,
        0,
        len(entries_region),
    )
    result = io.BytesIO()
    result.write(entries_region)
    result.write(local + encoded + head_z)
    for _ in range(repeats):
        result.write(chunk_z)
    result.write(tail_z)
    new_directory = directory + central + encoded
    offset = result.tell()
    result.write(new_directory)
    result.write(
        struct.pack(
            "<4s4H2LH", b"PK\x05\x06", 0, 0, entries + 1, entries + 1, len(new_directory), offset, 0
        )
    )
    return result.getvalue()


def build_zip_bomb_docx(folder: Path) -> Path:
    """A DOCX whose document.xml unzips to 1.5 GB (≈1.5 MB on disk)."""
    return _write(
        folder, "zip-bomb.docx", zip_bomb(proposal_docx(), "word/document.xml", ZIP_BOMB_BYTES)
    )


BILLION_LAUGHS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%s;" % (b"" if i == 1 else str(i - 1).encode())) * 10)
        for i in range(1, 10)
    )
    + b"]>\n"
    b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    b"<w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>"
)
"""A document.xml with the classic entity-expansion bomb (10^9 "lol")."""


def build_entity_bomb_docx(folder: Path) -> Path:
    """A DOCX whose document.xml declares a billion-laughs entity bomb."""
    data = replace_part(proposal_docx(), "word/document.xml", BILLION_LAUGHS)
    return _write(folder, "entity-bomb.docx", data)


def build_not_a_docx_zip(folder: Path) -> Path:
    """A zip archive named .docx without word/document.xml."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a Word document")
    return _write(folder, "plain-zip.docx", buffer.getvalue())


# ---------------------------------------------------------------------------------------------
# Legacy formats and text
# ---------------------------------------------------------------------------------------------

OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")


def build_legacy_doc(folder: Path, name: str = "legacy.doc") -> Path:
    """A legacy Word 97-2003 file: the OLE2 header and padding."""
    return _write(folder, name, OLE2_MAGIC + bytes(4096 - len(OLE2_MAGIC)))


def build_rtf(folder: Path, name: str = "letter.rtf") -> Path:
    """An RTF document."""
    return _write(folder, name, b"{\\rtf1\\ansi\\deff0 The vendor will deliver the portal.\\par}")


def build_zero_byte_txt(folder: Path) -> Path:
    """An empty .txt file."""
    return _write(folder, "zero-byte.txt", b"")


def build_latin1_txt(folder: Path) -> Path:
    """A text file in Latin-1 (not UTF-8): must be decoded and analysed."""
    text = PROPOSAL_TEXT + "Le café du siège: réunion à Genève, coût estimé 12 000 €.\n"
    return _write(folder, "latin1.txt", text.replace("€", "EUR").encode("latin-1"))


def build_nul_bytes_txt(folder: Path) -> Path:
    """A text file with NUL bytes sprinkled in: the NULs are dropped, the text analysed."""
    data = PROPOSAL_TEXT.encode().replace(b" will ", b" will\x00 ").replace(b"\n\n", b"\n\x00\n")
    return _write(folder, "nul-bytes.txt", data)


def build_placeholder_flood_txt(folder: Path) -> Path:
    """900 KB of "NN " without a sentence break: one placeholder per word.

    Every phrase finding carried its 100,000-character sentence; this file took 24 GB.
    """
    return _write(folder, "placeholder-flood.txt", b"NN " * 300_000)


def build_big_txt(folder: Path) -> Path:
    """A 6 MB text file: a proposal followed by a long asset-inventory appendix.

    Valid, just large (about 1,000 pages). The appendix is data rather than prose: NLP costs
    roughly 25 s for these 6 MB against 45 s for 6 MB of prose, which keeps the test run short
    while the extractor still sees every byte.
    """
    parts: list[str] = [PROPOSAL_TEXT, "\nAppendix A: Asset inventory\n\n"]
    size = sum(len(p) for p in parts)
    n = 0
    while size < BIG_TEXT_BYTES:
        n += 1
        row = (
            f"{n},INC{n:07d},2026-11-{n % 28 + 1:02d},closed,queue{n % 7},floor{n % 9},"
            f"ws{n % 97},{n * 37 % 1000}\n"
        )
        if n % 40 == 0:
            row += "\n"
        parts.append(row)
        size += len(row)
    return _write(folder, "big-6mb.txt", "".join(parts).encode())


ODD_NAMES: tuple[str, ...] = (
    "proposal with spaces.txt",
    "semi;colon.txt",
    "$(touch pwned).txt",
    "提案 – ü.txt",
    "line\nbreak.txt",
)
"""Valid documents with names that break naive shell quoting or one-line output."""


def build_odd_names(folder: Path) -> list[Path]:
    """The same valid proposal under every name in `ODD_NAMES`."""
    return [_write(folder, name, PROPOSAL_TEXT.encode()) for name in ODD_NAMES]


BAD_ODD_NAMES: tuple[str, ...] = ("bad\nnewline.pdf", "esc\x1b[31mred.pdf")
"""Broken files whose names must be escaped in the one-line error on stderr."""


def build_bad_odd_names(folder: Path) -> list[Path]:
    """Random bytes named .pdf under names with a newline and a terminal escape."""
    return [_write(folder, name, Random(2).randbytes(2048)) for name in BAD_ODD_NAMES]


# ---------------------------------------------------------------------------------------------
# File-system oddities
# ---------------------------------------------------------------------------------------------


def build_symlink_loop(folder: Path) -> Path:
    """A folder `loop/` holding `loop/loop -> ..` (itself) and a file link to itself."""
    loop = folder / "loop"
    loop.mkdir()
    (loop / "inside.txt").write_bytes(PROPOSAL_TEXT.encode())
    os.symlink(".", loop / "loop", target_is_directory=True)
    os.symlink("self-loop.txt", loop / "self-loop.txt")
    return loop


def build_dangling_link(folder: Path) -> Path:
    """A link to a file that does not exist."""
    path = folder / "dangling.pdf"
    os.symlink("no-such-file.pdf", path)
    return path


def build_fifo(folder: Path) -> Path:
    """A named pipe called .txt: reading it would block forever."""
    path = folder / "pipe.txt"
    os.mkfifo(path)
    return path


def running_as_root() -> bool:
    """True under root, where chmod 000 does not stop reads."""
    return hasattr(os, "geteuid") and os.geteuid() == 0


def build_unreadable(folder: Path) -> Path:
    """A file with mode 000 (only unreadable when not running as root)."""
    path = _write(folder, "unreadable.txt", PROPOSAL_TEXT.encode())
    path.chmod(0)
    return path


# ---------------------------------------------------------------------------------------------
# The corpus
# ---------------------------------------------------------------------------------------------

CASES: tuple[Case, ...] = (
    Case("truncated.pdf", build_truncated_pdf, Expect("error", "corrupt PDF")),
    Case("random-bytes.pdf", build_random_bytes_pdf, Expect("error", "corrupt PDF")),
    Case("zero-byte.pdf", build_zero_byte_pdf, Expect("error", "empty file")),
    Case("zero-byte.docx", build_zero_byte_docx, Expect("error", "empty file")),
    Case("zero-byte.txt", build_zero_byte_txt, Expect("error", "empty file")),
    Case(
        "encrypted.pdf",
        build_encrypted_pdf,
        Expect("error", "encrypted PDF: remove the password and try again"),
    ),
    Case(
        "scanned.pdf",
        build_scanned_pdf,
        Expect("error", "no text layer: this looks like a scan, run OCR first"),
    ),
    Case("pdf-renamed.docx", build_pdf_named_docx, Expect("ok")),
    Case("zip-bomb.docx", build_zip_bomb_docx, Expect("error", "over the limit")),
    Case("entity-bomb.docx", build_entity_bomb_docx, Expect("error", "DOCTYPE/ENTITY")),
    Case("plain-zip.docx", build_not_a_docx_zip, Expect("error", "word/document.xml is missing")),
    Case(
        "legacy.doc",
        build_legacy_doc,
        Expect("error", "legacy Word .doc: save it as .docx and try again"),
    ),
    Case("letter.rtf", build_rtf, Expect("error", "RTF: save as .docx or PDF")),
    Case("latin1.txt", build_latin1_txt, Expect("ok")),
    Case("nul-bytes.txt", build_nul_bytes_txt, Expect("ok")),
    Case("dangling.pdf", build_dangling_link, Expect("error", "file not found")),
    Case("pipe.txt", build_fifo, Expect("error", "not a regular file")),
    Case("placeholder-flood.txt", build_placeholder_flood_txt, Expect("ok")),
    Case("big-6mb.txt", build_big_txt, Expect("ok"), big=True),
    Case("2000-pages.pdf", build_2000_page_pdf, Expect("ok"), big=True),
)
"""Single-file cases, by name in the corpus folder."""

LOOP_EXPECT: dict[str, Expect] = {
    "loop/inside.txt": Expect("ok"),
    "loop/self-loop.txt": Expect("error", "symbolic link loop"),
}
"""What the scan reports inside the symlink-loop folder (the folder link itself is skipped)."""


@dataclass(frozen=True, slots=True)
class Corpus:
    """The hostile corpus on disk and what each file must produce."""

    root: Path
    """The folder to scan (hostile files, the symlink loop, one good statement of work)."""
    expected: dict[str, Expect]
    """Expected answer by path relative to `root`."""
    explicit: tuple[Path, ...]
    """Legacy .doc and .rtf files, named explicitly on the command line."""


def build_corpus(folder: Path, *, big: bool = True) -> dict[str, Expect]:
    """Build every hostile file into `folder`; return the expectations by relative path.

    Args:
        folder: An empty folder.
        big: Also build the slow-to-analyse files (6 MB text, 2,000-page PDF).

    Returns:
        Expected answer per path relative to `folder` (links and pipes included).
    """
    expected: dict[str, Expect] = {}
    for case in CASES:
        if case.big and not big:
            continue
        case.build(folder)
        expected[case.name] = case.expect
    for path in build_odd_names(folder):
        expected[path.name] = Expect("ok")
    for path in build_bad_odd_names(folder):
        expected[path.name] = Expect("error", "corrupt PDF")
    build_symlink_loop(folder)
    expected.update(LOOP_EXPECT)
    if not running_as_root():
        build_unreadable(folder)
        expected["unreadable.txt"] = Expect("error", "permission denied")
    return expected
