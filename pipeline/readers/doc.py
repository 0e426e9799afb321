"""Old binary Word (.doc) reader: LibreOffice converts it to .docx, then the
.docx reader reads it.

Many ".doc" files on government sites are not binary Word at all: a .docx,
an RTF or a web page saved under the old name. Those are read as what they
are (RTF still needs LibreOffice); only true binary .doc and RTF need the
converter.
"""
from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import BrokenDocument, ConverterMissing, EmptyDocument, EncryptedDocument
from ..records import RawDocument
from .docx import read_docx

log = logging.getLogger(__name__)

__all__ = ["read", "converter"]

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
CONVERT_TIMEOUT = 180  # seconds; LibreOffice's first start alone can take 20 s
HOW_TO = "install LibreOffice (Debian package libreoffice-writer) to read .doc files, or save the file as .docx"


def converter() -> str | None:
    """The LibreOffice executable, or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def read(path: str, data: bytes) -> RawDocument:
    """Read a .doc file (converted with LibreOffice when it is binary Word or RTF)."""
    if not data:
        raise EmptyDocument("file is empty (0 bytes)", path)
    if data.startswith(b"PK\x03\x04"):
        log.info("%s: .doc is really a .docx; reading it as one", path)
        return read_docx(path, data, fmt="doc")
    head = data[:1024].lstrip().lower()
    if head.startswith((b"<html", b"<!doctype html", b"mime-version:")) or b"<html" in head:
        # Word's "save as web page" and MHT files keep the .doc name on many sites.
        if head.startswith(b"mime-version:"):
            raise BrokenDocument("not a Word file: the .doc is a saved web archive (MHT); open and save it as .docx", path)
        from .html import read as read_html

        doc = read_html(path, data)
        return RawDocument(path=path, format="doc", text=doc.text, sha256=doc.sha256, encoding=doc.encoding,
                           publisher=doc.publisher, published=doc.published)
    if not data.startswith(_OLE_MAGIC) and not data.startswith(b"{\\rtf"):
        raise BrokenDocument("not a Word .doc file (neither binary Word, RTF, .docx nor a web page)", path)
    if data.startswith(_OLE_MAGIC) and "EncryptedPackage".encode("utf-16-le") in data[:1 << 20]:
        raise EncryptedDocument("Word document is encrypted (password needed)", path)
    exe = converter()
    if exe is None:
        raise ConverterMissing(f"cannot read binary .doc without a converter: {HOW_TO}", path)
    converted = _convert(exe, path, data)
    return read_docx(path, converted, fmt="doc", sha256=hashlib.sha256(data).hexdigest())


def _convert(exe: str, path: str, data: bytes) -> bytes:
    with tempfile.TemporaryDirectory(prefix="govreport-doc-") as tmp:
        src = Path(tmp) / "input.doc"
        src.write_bytes(data)
        # A private profile: LibreOffice refuses to start twice on one
        # profile, which parallel jobs (--jobs N) would otherwise hit.
        profile = Path(tmp) / "profile"
        cmd = [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
               "--convert-to", "docx", "--outdir", tmp, str(src)]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=CONVERT_TIMEOUT,
                                  env={**os.environ, "HOME": tmp}, check=False)
        except subprocess.TimeoutExpired:
            raise BrokenDocument(f"LibreOffice did not convert the .doc within {CONVERT_TIMEOUT} s", path) from None
        except OSError as exc:
            raise ConverterMissing(f"LibreOffice could not be started ({exc}); {HOW_TO}", path) from None
        out = Path(tmp) / "input.docx"
        if done.returncode != 0 or not out.is_file():
            reason = (done.stderr.strip().splitlines() or done.stdout.strip().splitlines() or ["no output"])[-1]
            raise BrokenDocument(f"LibreOffice could not convert the .doc (damaged or password-protected?): {reason}", path)
        return out.read_bytes()
