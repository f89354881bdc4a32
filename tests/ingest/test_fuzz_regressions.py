"""Defects the loader fuzzer (eval/fuzz.py) found, each rebuilt here as the smallest file of its
kind: every one must end as a clear InputFileError naming the file and the fix, or as a document.
The loaders run in process (no sandbox), so any other exception fails the test as it is."""
from __future__ import annotations

import io
import struct
import zipfile

import pytest

from core.errors import InputFileError
from ingest.load import LoadOptions, load_directive
from tests.formats_fixtures import minimal_docx


def _load(path):
    return load_directive(path, options=LoadOptions(sandbox=False))


def _member_data_offset(data: bytes, name: str) -> tuple[int, int]:
    """Where a member's compressed bytes start in the archive, and how many there are."""
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(name)
    at = info.header_offset
    name_len, extra_len = struct.unpack("<HH", data[at + 26:at + 30])
    return at + 30 + name_len + extra_len, info.compress_size


def _corrupt_deflate(name: str) -> bytes:
    """A .docx whose member `name` holds a damaged deflate stream (a flipped bit in a download):
    zlib raises zlib.error, which zipfile lets through."""
    data = bytearray(minimal_docx("<w:p><w:r><w:t>" + "Sở Nội vụ chủ trì, phối hợp. " * 40 + "</w:t></w:r></w:p>"))
    start, size = _member_data_offset(bytes(data), name)
    data[start:start + size] = b"\xff" * size   # block type 3: "invalid block type"
    return bytes(data)


def _negative_member_offsets() -> bytes:
    """A .docx whose end-of-central-directory record says the directory starts further on than it
    does: zipfile takes the difference for prepended data and seeks before the file start (EINVAL)."""
    data = bytearray(minimal_docx())
    eocd = data.rfind(b"PK\x05\x06")
    offset = struct.unpack("<I", data[eocd + 16:eocd + 20])[0]
    data[eocd + 16:eocd + 20] = struct.pack("<I", offset + 5000)
    return bytes(data)


@pytest.mark.parametrize("name, build", [
    ("deflate-document.docx", lambda: _corrupt_deflate("word/document.xml")),
    ("deflate-content-types.docx", lambda: _corrupt_deflate("[Content_Types].xml")),
    ("negative-offset.docx", _negative_member_offsets),
])
def test_damaged_zip_inside_a_docx_is_a_clear_error(tmp_path, name, build):
    path = tmp_path / name
    path.write_bytes(build())
    with pytest.raises(InputFileError) as err:
        _load(path)
    assert path.name in str(err.value) and "Word" in err.value.fix


def test_damaged_docx_props_do_not_escape_the_package_check(tmp_path):
    """docProps/app.xml is read before the body (for the page count): its damage is the same error."""
    good = minimal_docx()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            z.writestr(info.filename, src.read(info))
        z.writestr("docProps/app.xml", "<Properties><Pages>3</Pages>" + "x" * 3000 + "</Properties>")
    data = bytearray(out.getvalue())
    start, size = _member_data_offset(bytes(data), "docProps/app.xml")
    data[start:start + size] = b"\xff" * size
    path = tmp_path / "app-props.docx"
    path.write_bytes(bytes(data))
    with pytest.raises(InputFileError) as err:
        _load(path)
    assert path.name in str(err.value)


def test_a_long_word_without_capitals_in_a_tcvn3_file_decodes_in_linear_time(tmp_path):
    """A legacy (TCVN3) text file with one 200 KB word: restoring the .VnTimeH capitals used a
    pattern that backtracked from every position of a word without a capital (minutes for 64 KB)."""
    import time

    from ingest.encoding import decode_legacy, encode_legacy

    header = encode_legacy("UBND TỈNH LONG AN\nSở Nội vụ chủ trì, phối hợp kiểm tra.\n", "tcvn3")
    path = tmp_path / "mot-dong-dai.txt"
    path.write_bytes(header + encode_legacy("ỗ", "tcvn3") * 200_000 + b"\n")
    started = time.monotonic()
    doc = _load(path)
    assert time.monotonic() - started < 10
    assert doc.text.startswith("UBND TỈNH LONG AN\nSở Nội vụ chủ trì") and "ỗỗỗ" in doc.text
    assert decode_legacy(b"\xb5" * 300_000 + b" ABC", "tcvn3").endswith("ABC")


def test_text_stays_nfc_when_cleaning_removes_a_mark_between_a_letter_and_its_accent(tmp_path):
    """A zero-width space or '**' between a letter and a combining accent: the text
    was NFC'd before they were removed, so the pair was left decomposed (not NFC) in the document."""
    import unicodedata

    path = tmp_path / "dau-tach.md"
    path.write_text("UBND TỈNH LONG AN\n## Mu\u200b\u0323c 1\n"
                    "Sở Nội vụ xư\u200b\u0309 lý vi**\u0323**ệc c\u200b\u0301.\n", encoding="utf-8")
    doc = _load(path)
    assert unicodedata.is_normalized("NFC", doc.text)
    assert "Mục 1" in doc.text and "xử lý" in doc.text and "vịệc" in doc.text and "ć." in doc.text


def test_blocks_of_binary_formats_stay_nfc_when_zero_width_characters_are_removed():
    import unicodedata

    from core.types import Block, Extracted
    from ingest.load import assemble

    text, *_ = assemble(Extracted(blocks=(Block("Sở Nội vụ xư\u200b\u0309 lý"), Block("c\ufeff\u0301")), format="docx"))
    assert unicodedata.is_normalized("NFC", text) and text == "Sở Nội vụ xử lý\nć"
