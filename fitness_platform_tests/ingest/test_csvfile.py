"""The two CSV readers give the same table: Arrow's (``read_regular``) where it is trusted, the
strict record reader (``read_records``) everywhere else. What Arrow reads leniently (text after a
closing quote, a quote left open at the end) must be left to the strict reader."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from fitness_platform.errors import ExportError
from fitness_platform.ingest.csvfile import read_csv_table, read_records, read_regular
from fitness_platform_tests.helpers import SAMPLE_HEVY

PATH = Path("export.csv")


def strict(text: str, delimiter: str = ","):
    """What the record reader makes of ``text``: the table, or its refusal's message."""
    try:
        table = read_records(PATH, text, delimiter)
    except ExportError as exc:
        return str(exc)
    return table.header, table.rows, table.lines


def same_or_left(data: bytes, delimiter: str = ",") -> bool:
    """True when Arrow read ``data`` (and then gave exactly the strict reader's table), False
    when it left the file to the strict reader."""
    fast = read_regular(PATH, data, delimiter)
    if fast is None:
        return False
    text = data.decode("utf-8-sig")
    assert strict(text, delimiter) == (fast.header, fast.rows, fast.lines)
    assert fast.cells.tolist() == fast.rows
    return True


def test_the_real_hevy_sample_is_read_by_arrow_with_the_same_cells():
    data = SAMPLE_HEVY.read_bytes()
    assert same_or_left(data)
    table = read_csv_table(SAMPLE_HEVY, data)
    # A second, independent reading: Python's csv module over the whole file, by hand.
    records = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert table.header == records[0]
    assert table.rows == records[1:]
    assert table.lines == list(range(2, len(records) + 1))


@pytest.mark.parametrize(
    "data",
    [
        b'a,b\n"ab"c,d\n',  # text after a closing quote: Arrow reads "abc", the strict reader refuses
        b'a,b\n"ab" ,d\n',  # a space after it
        b'a,b\n"" x,d\n',  # after an empty quoted field
        b'a,b\n"a,"x,d\n',  # a closing quote right after a delimiter inside the field
        b'a,b\n1,"2\n',  # a quote left open at the end: Arrow reads "2\n"
        b'a,b\nx,"y\nz",w\n',  # a field across two lines (its line numbers)
        b'a,b\nab"c,d\n',  # a quote inside an unquoted field
        b"a,b\n1,2\r3,4\n",  # a lone carriage return ends a line for the strict reader
        b'a,b\n"x\ry",2\n1,2\n',  # even inside a quoted field: the lines after it count it
        b"a,b\n  \n1,2\n",  # a line of spaces: one field, a blank line for the strict reader
        b"\na,b\n1,2\n",  # no header on the first line
        b"a,b\n1,2,3\n",  # a field too many
    ],
)
def test_what_arrow_reads_leniently_is_left_to_the_strict_reader(data):
    assert not same_or_left(data)
    text = data.decode()
    try:
        expected = read_records(PATH, text, ",")
    except ExportError as exc:
        with pytest.raises(ExportError) as raised:
            read_csv_table(PATH, data)
        assert str(raised.value) == str(exc)
    else:
        got = read_csv_table(PATH, data)
        assert (got.header, got.rows, got.lines) == (expected.header, expected.rows, expected.lines)


@pytest.mark.parametrize(
    ("data", "rows", "lines"),
    [
        # Worked out by hand: blank records are skipped, the lines after them keep their numbers.
        (b"a,b\n1,2\n\n3,4\n", [["1", "2"], ["3", "4"]], [2, 4]),
        (b"a,b\r\n1,2\r\n,\r\n3,4\r\n", [["1", "2"], ["3", "4"]], [2, 4]),
        (b'\xef\xbb\xbf"a","b"\n"x ""y""",""\n', [['x "y"', ""]], [2]),
        (b'a;b\n"1,5";"2"\n', [["1,5", "2"]], [2]),
        (b"a,b\n\xe3\x80\x80,\n", [], []),  # an ideographic space is blank too
    ],
)
def test_regular_files_are_read_by_arrow(data, rows, lines):
    delimiter = ";" if data.startswith(b"a;") else ","
    assert same_or_left(data, delimiter)
    table = read_regular(PATH, data, delimiter)
    assert table.rows == rows
    assert table.lines == lines


# Cells of one line (what exports hold), or cells that may break lines.
ONE_LINE = 'ab ,;"\t\u3000\x1cé'
ROWS = st.tuples(st.sampled_from([ONE_LINE, ONE_LINE + "\n\r"]), st.integers(1, 4)).flatmap(
    lambda shape: st.lists(
        st.lists(st.text(shape[0], max_size=6), min_size=shape[1], max_size=shape[1]),
        min_size=1,
        max_size=6,
    )
)


@settings(max_examples=400, deadline=None)
@given(
    rows=ROWS,
    quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
    terminator=st.sampled_from(["\n", "\r\n"]),
    mutation=st.one_of(st.none(), st.tuples(st.integers(0, 200), st.sampled_from('"\n\r, x'))),
)
def test_generated_files_read_alike(rows, quoting, terminator, mutation):
    """Files written by Python's csv writer, some with one character put in anywhere: whatever
    Arrow reads equals what the strict reader reads."""
    out = io.StringIO()
    csv.writer(out, quoting=quoting, lineterminator=terminator).writerows(rows)
    text = out.getvalue()
    if mutation is not None:
        at, char = mutation
        at %= len(text) + 1
        text = text[:at] + char + text[at:]
    event("read by Arrow" if same_or_left(text.encode()) else "left to the strict reader")
