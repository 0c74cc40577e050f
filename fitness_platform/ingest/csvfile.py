"""Reading an export as text records with exact source line numbers, refusing what is not a CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from fitness_platform.errors import ExportError

# Fields up to this size are read (and a long note then quarantined by rule, not refused here).
MAX_FIELD_CHARS = 64 * 1024 * 1024
csv.field_size_limit(MAX_FIELD_CHARS + 1)


@dataclass(frozen=True)
class CsvTable:
    """Raw cells of one export: ``header`` plus ``rows`` of strings, ``lines[i]`` = first line of row i."""

    path: Path
    header: list[str]
    rows: Sequence[list[str]]
    lines: list[int]
    delimiter: str
    cells: np.ndarray | None = None
    """The same rows as one 2-D object array, when the reader built one (``raw_frame`` then
    needs no copy of its own)."""


class CellRows(Sequence):
    """The rows of a 2-D object array as lists of strings, made when asked for (a parser takes
    the array whole; only a few checks look at rows)."""

    def __init__(self, cells: np.ndarray):
        self.cells = cells

    def __len__(self) -> int:
        return len(self.cells)

    def __getitem__(self, index):
        return self.cells[index].tolist()

    def __iter__(self) -> Iterator[list[str]]:
        return iter(self.cells.tolist())

    def __eq__(self, other) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)


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
    """Parse ``path`` into cells; quoted fields may hold commas, doubled quotes and newlines.

    Most exports are read by Arrow's CSV reader (``read_regular``): a 10,800-row Hevy export
    and its frame take 15 ms instead of 35. What Arrow cannot be trusted with is read record by
    record (``read_records``), which also words every refusal. Both give the same table."""
    path = Path(path)
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ExportError(path, f"cannot be read ({exc.strerror})") from exc
    text = decode(path, data)
    delimiter = sniff_delimiter(text.split("\n", 1)[0])
    return read_regular(path, data, delimiter) or read_records(path, text, delimiter)


def read_records(path: Path, text: str, delimiter: str) -> CsvTable:
    """The record-by-record reader (Python's csv module, strict): every CSV, and every refusal
    with its line."""
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


_UTF8_BOM = b"\xef\xbb\xbf"
_QUOTE, _LF, _CR = ord('"'), ord("\n"), ord("\r")
# A cell holding any of these characters is not blank (neither Python nor Arrow calls them space).
_VISIBLE = "[!-~]"


def read_regular(path: Path, data: bytes, delimiter: str) -> CsvTable | None:
    """The table ``read_records`` gives, read by Arrow when the file is regular: UTF-8 text of
    one record per line (no line break inside a field, no lone carriage return), every quote
    where RFC 4180 puts it, and the same number of fields on every line. None otherwise.

    Arrow's reader is lenient where the strict reader refuses (text after a closing quote, a
    quote left open at the end of the file), so those files are found first by their quotes and
    left to ``read_records``, which refuses them by line."""
    data = data.removeprefix(_UTF8_BOM)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or len(data) > MAX_FIELD_CHARS:
        return None
    raw = np.frombuffer(data, dtype=np.uint8)
    if b"\r" in data and data.count(b"\r") != data.count(b"\r\n"):
        return None
    if not _quotes_regular(raw, ord(delimiter)):
        return None
    try:
        first = data.split(b"\n", 1)[0].removesuffix(b"\r").decode()
        fields = next(csv.reader([first], delimiter=delimiter))
        table = pacsv.read_csv(
            pa.py_buffer(data),
            read_options=pacsv.ReadOptions(
                use_threads=False, block_size=len(data) + 1, autogenerate_column_names=True
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, newlines_in_values=True, ignore_empty_lines=False
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={f"f{i}": pa.string() for i in range(len(fields))},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (csv.Error, StopIteration, UnicodeDecodeError, pa.ArrowException):
        return None
    physical_lines = np.count_nonzero(raw == _LF) + (not data.endswith(b"\n"))
    if table.num_columns != len(fields) or table.num_rows != physical_lines:
        return None  # a field spans lines: only the record reader counts its lines right
    header = [cell.strip().lstrip("\ufeff") for cell in table.slice(0, 1).to_pylist()[0].values()]
    if not any(header):
        return None
    body = table.slice(1)
    kept = ~_blank_rows(body)
    cells = np.column_stack([column.to_numpy(zero_copy_only=False) for column in body.columns])
    cells = cells.reshape(body.num_rows, len(header))[kept]
    lines = (np.flatnonzero(kept) + 2).tolist()  # row i of the body is on line i + 2
    return CsvTable(path, header, CellRows(cells), lines, delimiter, cells)


def _quotes_regular(raw: np.ndarray, sep: int) -> bool:
    """Whether every quote of the file's bytes ``raw`` (``sep``: the delimiter's byte) is where
    RFC 4180 puts it. Counting quotes from the start, an odd one
    opens a quoted field (so it follows a delimiter, a line break, the file's start, or another
    quote: a doubled quote inside the field), and an even one closes it (so a delimiter, a line
    break, the file's end or another quote follows). Then the quotes' count is even, no field
    stays open, and Arrow and the strict reader read every field alike."""
    quotes = np.flatnonzero(raw == _QUOTE)
    if len(quotes) % 2:
        return False
    if not len(quotes):
        return True
    padded = np.concatenate(([_LF], raw, [_LF]))  # the file's start and end count as line breaks
    before = padded[quotes[0::2]]  # padded[i] is raw[i - 1]
    after = padded[quotes[1::2] + 2]  # padded[i + 2] is raw[i + 1]
    opening_ok = (before == sep) | (before == _LF) | (before == _QUOTE)
    closing_ok = (after == sep) | (after == _LF) | (after == _CR) | (after == _QUOTE)
    return bool(opening_ok.all() and closing_ok.all())


def _blank_rows(body: pa.Table) -> np.ndarray:
    """Rows whose cells are all blank (``"".join(cells).strip() == ""``, as ``read_records``
    decides): most rows are told apart by a visible ASCII character in Arrow, and only the few
    left are tested in Python."""
    undecided = np.ones(body.num_rows, dtype=bool)
    for column in body.columns:
        rows = np.flatnonzero(undecided)
        if not len(rows):
            break
        visible = pc.match_substring_regex(column.take(rows), _VISIBLE)
        undecided[rows[visible.to_numpy(zero_copy_only=False)]] = False
    rows = np.flatnonzero(undecided)
    if len(rows):
        cells = [column.take(rows).to_pylist() for column in body.columns]
        undecided[rows] = [not "".join(row).strip() for row in zip(*cells, strict=True)]
    return undecided


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
