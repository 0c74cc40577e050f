"""Reading an export as text records with exact source line numbers, refusing what is not a CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from fitness_platform.errors import ExportError

# Fields up to this size are read (and a long note then quarantined by rule, not refused here).
MAX_FIELD_CHARS = 64 * 1024 * 1024
csv.field_size_limit(MAX_FIELD_CHARS + 1)


@dataclass(frozen=True)
class CsvTable:
    """Raw cells of one export: ``header`` plus ``rows`` of strings, ``lines[i]`` = first line of row i."""

    path: Path
    header: list[str]
    rows: list[list[str]]
    lines: list[int]
    delimiter: str


def decode(path: Path, data: bytes) -> str:
    """Text of an export: UTF-8 (with or without BOM) or UTF-16 with a BOM; anything else refused."""
    if not data.strip():
        raise ExportError(path, "the file is empty")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ExportError(path, "invalid UTF-16 text") from exc
    head = data[:4096]
    if head[1::2].count(0) > len(head) // 4 or head[0::2].count(0) > len(head) // 4:
        raise ExportError(
            path, "UTF-16 text without a byte-order mark; re-save the file as UTF-8 CSV", line=1
        )
    nul = data.find(b"\x00")
    if nul >= 0:  # a NUL byte is never text: refused where it is, not at line 1
        before = data[:nul]
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        raise ExportError(
            path,
            f"a NUL byte at character {column}: binary data, not a CSV export",
            line=before.count(b"\n") + 1,
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise ExportError(
            path,
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} at character {column}); "
            "re-save the file as UTF-8 CSV",
            line=line,
        ) from exc


def sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: (counts[d], d == ","))


def read_csv_table(path: Path, data: bytes | None = None) -> CsvTable:
    """Parse ``path`` into cells; quoted fields may hold commas, doubled quotes and newlines."""
    path = Path(path)
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ExportError(path, f"cannot be read ({exc.strerror})") from exc
    text = decode(path, data)
    first_line = text.split("\n", 1)[0]
    delimiter = sniff_delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[list[str]] = []
    lines: list[int] = []
    header: list[str] | None = None
    line_start = 1
    try:
        for record in reader:
            if header is None:
                header = [cell.strip().lstrip("\ufeff") for cell in record]
            elif "".join(record).strip():  # a record of blank cells is a blank line
                if len(record) != len(header):
                    raise ExportError(
                        path,
                        f"expected {len(header)} fields, found {len(record)}",
                        line=line_start,
                    )
                rows.append(record)
                lines.append(line_start)
            line_start = reader.line_num + 1
    except csv.Error as exc:
        raise ExportError(path, f"malformed CSV ({exc})", line=reader.line_num) from exc
    if not header or not any(header):
        raise ExportError(path, "no header row", line=1)
    return CsvTable(path=path, header=header, rows=rows, lines=lines, delimiter=delimiter)


HEAD_BYTES = 65536


def read_head(path: Path, data: bytes, max_rows: int = 50) -> tuple[list[str], list[list[str]]]:
    """The header and the first rows (for recognising a file's kind without parsing all of it).

    Only the first 64 KiB are read, cut at the last line break (never inside a character)."""
    head = data
    if len(data) > HEAD_BYTES and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = data[:HEAD_BYTES]
        cut = head.rfind(b"\n")
        head = head[: cut + 1] if cut > 0 else head
    text = decode(path, head)
    first = text.split("\n", 1)[0].rstrip("\r")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(first))
    try:
        header = [c.strip().lstrip("\ufeff") for c in next(reader)]
    except (csv.Error, StopIteration) as exc:
        raise ExportError(path, "no readable header row", line=1) from exc
    rows: list[list[str]] = []
    try:
        for record in reader:
            if len(rows) >= max_rows:
                break
            if "".join(record).strip():
                rows.append(record)
    except csv.Error:
        pass  # a record cut at the 64 KiB boundary: the rows before it are enough
    return header, rows


def read_header(path: Path, data: bytes) -> list[str]:
    """Only the header row."""
    return read_head(path, data, max_rows=0)[0]


def count_records(data: bytes) -> int:
    """Data rows of a CSV, counted without parsing it: lines after the header, where a line break
    inside a quoted field (an odd count of quotes so far) does not end a record."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        data = data.decode("utf-16", errors="replace").encode()
    records, open_quote = 0, False
    for line in data.split(b"\n")[1:]:
        if line.count(b'"') % 2:
            open_quote = not open_quote
        if not open_quote and line.strip():
            records += 1
    return records
