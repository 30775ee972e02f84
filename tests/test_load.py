"""Tests for index.load: every supported format yields plain text, every bad file a clear LoadError."""

import os

import pytest

from index import load
from index.errors import LoadError
from index.load import SUPPORTED, load_text

ZH = "第一条 员工每年享有带薪年假十天。\n第二条 病假需提供医院证明。"


def _error(path) -> str:
    with pytest.raises(LoadError) as info:
        load_text(path)
    message = str(info.value)
    assert os.path.basename(str(path)) in message
    return message


# --- text files ---------------------------------------------------------------------------

def test_utf8_txt_with_chinese(tmp_path):
    f = tmp_path / "policy.txt"
    f.write_bytes(ZH.encode("utf-8"))
    assert load_text(f) == ZH


def test_accepts_str_path(tmp_path):
    f = tmp_path / "policy.txt"
    f.write_text("Leave policy", encoding="utf-8")
    assert load_text(str(f)) == "Leave policy"


def test_utf8_bom_is_stripped(tmp_path):
    f = tmp_path / "bom.txt"
    f.write_bytes(b"\xef\xbb\xbf" + ZH.encode("utf-8"))
    assert load_text(f) == ZH


def test_utf16_with_bom(tmp_path):
    f = tmp_path / "u16.txt"
    f.write_bytes(ZH.encode("utf-16"))  # Python writes a BOM for plain "utf-16"
    assert load_text(f) == ZH


def test_gbk_chinese_read_back_exactly(tmp_path):
    f = tmp_path / "gbk.txt"
    f.write_bytes(ZH.encode("gbk"))
    assert load_text(f) == ZH


def test_gb18030_only_characters(tmp_path):
    text = "政策：€ 与 𠀀 均不在 GBK 中。"  # € and U+20000 need GB18030 four-byte codes
    f = tmp_path / "gb18030.txt"
    f.write_bytes(text.encode("gb18030"))
    assert load_text(f) == text


def test_newlines_normalised(tmp_path):
    f = tmp_path / "crlf.txt"
    f.write_bytes(b"line one\r\nline two\rline three\n")
    assert load_text(f) == "line one\nline two\nline three\n"


def test_markdown(tmp_path):
    f = tmp_path / "handbook.MD"  # extension match is case-insensitive
    f.write_text("# 休假制度\n\n- 年假 10 天\n- 病假 5 天\n", encoding="utf-8")
    assert load_text(f) == "# 休假制度\n\n- 年假 10 天\n- 病假 5 天\n"


# --- HTML ---------------------------------------------------------------------------------

HTML = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Travel policy</title>
<style>body { color: red; }</style>
<script>var secret = "do-not-index";</script></head>
<body>
<nav>Home | About</nav>
<h1>Travel &amp; Expenses</h1>
<p>Employees may claim
   economy fares.<br>Receipts are required.</p>
<!-- reviewer note: hidden -->
<table>
  <tr><th>Grade</th><th>Hotel limit</th></tr>
  <tr><td>A</td><td>800 元</td></tr>
</table>
<ul><li>First item</li><li>Second item</li></ul>
<footer>Copyright</footer>
</body></html>"""


def test_html_text_tables_and_dropped_elements(tmp_path):
    f = tmp_path / "travel.html"
    f.write_text(HTML, encoding="utf-8")
    text = load_text(f)
    assert "Travel & Expenses" in text
    assert "Employees may claim economy fares.\nReceipts are required." in text
    assert "Grade\tHotel limit\nA\t800 元" in text
    assert "First item\nSecond item" in text
    for absent in ("do-not-index", "color: red", "Home | About", "Copyright", "reviewer note",
                   "<", ">", "&amp;", "DOCTYPE"):
        assert absent not in text
    assert "\n\n\n" not in text


def test_html_paragraphs_separated_by_blank_line(tmp_path):
    f = tmp_path / "p.htm"
    f.write_text("<p>One</p><p>Two</p><div>Three</div>", encoding="utf-8")
    assert load_text(f) == "One\n\nTwo\n\nThree"


def test_html_meta_charset_gbk(tmp_path):
    f = tmp_path / "gbk.html"
    f.write_bytes('<html><head><meta charset="gb2312"></head><body><p>第一条 年假十天</p></body></html>'
                  .encode("gbk"))
    assert load_text(f) == "第一条 年假十天"


def test_html_meta_http_equiv_charset(tmp_path):
    f = tmp_path / "legacy.htm"
    html = '<meta http-equiv="Content-Type" content="text/html; charset=GBK"><p>政策 &copy; 2024</p>'
    f.write_bytes(html.encode("gbk"))
    assert load_text(f) == "政策 © 2024"


def test_html_row_with_empty_first_cell_keeps_its_tab(tmp_path):
    f = tmp_path / "t.html"
    f.write_text("<table>\n<tr><td></td><td>only second</td></tr>\n</table>", encoding="utf-8")
    assert load_text(f) == "\tonly second"


def test_html_with_only_markup_is_empty(tmp_path):
    f = tmp_path / "blank.html"
    f.write_text("<html><script>x()</script><p>   </p></html>", encoding="utf-8")
    assert "no text" in _error(f)


# --- DOCX ---------------------------------------------------------------------------------

def test_docx_paragraphs_and_tables_in_order(tmp_path):
    docx = pytest.importorskip("docx")
    doc = docx.Document()
    doc.add_heading("报销制度", level=1)
    doc.add_paragraph("Before the table.")
    table = doc.add_table(rows=3, cols=3)
    for r, row in enumerate([["Grade", "Hotel", "Meals"], ["A", "800", "150"], ["Note", "", ""]]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    table.cell(2, 0).merge(table.cell(2, 2))  # merged cell must appear once in its row
    table.cell(2, 0).text = "Merged note"
    doc.add_paragraph("")  # empty paragraphs are dropped
    doc.add_paragraph("After the table.")
    f = tmp_path / "expenses.docx"
    doc.save(f)
    assert load_text(f) == ("报销制度\n\nBefore the table.\n\n"
                            "Grade\tHotel\tMeals\nA\t800\t150\nMerged note\n\n"
                            "After the table.")


def test_docx_without_text(tmp_path):
    docx = pytest.importorskip("docx")
    f = tmp_path / "blank.docx"
    docx.Document().save(f)
    assert "no text" in _error(f)


# --- PDF ----------------------------------------------------------------------------------

def _pdf(path, pages, font="Helvetica"):
    canvas = pytest.importorskip("reportlab.pdfgen.canvas")
    c = canvas.Canvas(str(path))
    for lines in pages:
        c.setFont(font, 12)
        for i, line in enumerate(lines):
            c.drawString(72, 720 - 20 * i, line)
        c.showPage()
    c.save()


def test_pdf_pages_joined_by_blank_line(tmp_path):
    f = tmp_path / "leave.pdf"
    _pdf(f, [["Annual leave policy", "Staff get ten days."], ["Sick leave needs a note."]])
    text = load_text(f)
    assert "Annual leave policy\nStaff get ten days." in text
    assert text.endswith("\n\nSick leave needs a note.")


def test_chinese_pdf(tmp_path):
    pytest.importorskip("reportlab")
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))  # built-in CJK font, no file needed
    f = tmp_path / "zh.pdf"
    _pdf(f, [ZH.split("\n")], font="STSong-Light")
    assert load_text(f) == ZH


def test_password_protected_pdf(tmp_path):
    from pypdf import PdfReader, PdfWriter

    plain = tmp_path / "plain.pdf"
    _pdf(plain, [["Confidential salary bands"]])
    writer = PdfWriter(clone_from=PdfReader(plain))
    writer.encrypt(user_password="secret", algorithm="RC4-128")  # RC4 needs no extra crypto package
    f = tmp_path / "locked.pdf"
    writer.write(f)
    assert "password" in _error(f)


def test_pdf_without_text_layer(tmp_path):
    f = tmp_path / "scan.pdf"
    _pdf(f, [[]])  # a blank page stands in for a scanned image
    assert "OCR" in _error(f)


# --- errors -------------------------------------------------------------------------------

def test_supported_and_limit():
    assert SUPPORTED == (".txt", ".md", ".html", ".htm", ".pdf", ".docx")
    assert load.MAX_BYTES == 20 * 1024 * 1024


def test_missing_file(tmp_path):
    assert "not found" in _error(tmp_path / "nope.txt")


def test_directory(tmp_path):
    d = tmp_path / "folder.txt"
    d.mkdir()
    assert "directory" in _error(d)


def test_unsupported_extension(tmp_path):
    f = tmp_path / "budget.xlsx"
    f.write_bytes(b"PK\x03\x04 not really")
    message = _error(f)
    assert "unsupported" in message and ".xlsx" in message
    assert all(ext in message for ext in SUPPORTED)


def test_empty_file(tmp_path):
    f = tmp_path / "empty.txt"
    f.write_bytes(b"")
    assert "empty" in _error(f)


def test_whitespace_only_file(tmp_path):
    f = tmp_path / "blank.md"
    f.write_text("  \n\t\r\n  ", encoding="utf-8")
    assert "no text" in _error(f)


def test_binary_with_nul_bytes(tmp_path):
    f = tmp_path / "garbage.txt"
    f.write_bytes(bytes(range(256)) * 4)
    assert "binary" in _error(f)


def test_binary_without_nul_bytes(tmp_path):
    f = tmp_path / "noise.txt"
    f.write_bytes(bytes(range(1, 32)) * 20 + b"\xff\xfe\xfd" * 5)
    assert "not readable as text" in _error(f)


def test_corrupt_pdf(tmp_path):
    f = tmp_path / "broken.pdf"
    f.write_bytes(os.urandom(2048))
    assert "corrupt" in _error(f)


def test_truncated_pdf(tmp_path):
    good = tmp_path / "good.pdf"
    _pdf(good, [["Some text"]])
    f = tmp_path / "truncated.pdf"
    f.write_bytes(good.read_bytes()[:300])
    assert "corrupt" in _error(f)


def test_corrupt_docx(tmp_path):
    f = tmp_path / "broken.docx"
    f.write_bytes(os.urandom(2048))
    assert "corrupt" in _error(f)


def test_zip_that_is_not_docx(tmp_path):
    import zipfile

    f = tmp_path / "fake.docx"
    with zipfile.ZipFile(f, "w") as z:
        z.writestr("hello.txt", "hi")
    assert "corrupt" in _error(f)


def test_file_over_max_bytes(tmp_path):
    f = tmp_path / "big.txt"
    f.write_text("x" * 11, encoding="utf-8")
    with pytest.raises(LoadError, match="too large.*limit is 10"):
        load_text(f, load.Limits(max_bytes=10))
