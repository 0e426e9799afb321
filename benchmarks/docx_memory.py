"""Peak memory and time of reading a huge .docx (issue 10: 190 MB of XML).

Generates a .docx whose word/document.xml unpacks to `--xml-mb` MB at about
9:1 (well under the zip-bomb ratio check, under the 200 MB total cap): many
paragraphs of varied text in heavily formatted runs, a numbered heading list
and a table. Then, in a fresh process each, reads it (`pipeline.ingest
.read_document`) and extracts it (`pipeline.extract`), and prints each one's
peak RSS and time; then runs `govreport extract FILE -o TMP` (a batch: the
main process and a worker, which extracts and encodes the outputs) and prints
the peak RSS of each process.

    python benchmarks/docx_memory.py [--xml-mb 190] [--keep PATH] [--probes read,extract,batch]

Not a test: it prints figures, it asserts nothing
(tests/hostile/test_docx_bomb.py checks the same at a small scale).
"""
from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    '<Override PartName="/word/numbering.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"/>'
    '</Types>')
_PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="word/document.xml"/></Relationships>')
_DOCUMENT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'numbering" Target="numbering.xml"/></Relationships>')
_NUMBERING = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:numbering xmlns:w="{_W}">'
    '<w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
    '<w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl></w:abstractNum>'
    '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num></w:numbering>')
_PPR = ('<w:pPr><w:widowControl/><w:spacing w:line="560" w:lineRule="exact"/><w:ind w:firstLine="640" '
        'w:firstLineChars="200"/><w:jc w:val="both"/></w:pPr>')
_WORDS = ("行政复议", "出庭应诉", "规范性文件", "法治培训", "执法检查", "政务公开", "信息公开申请", "合法性审查",
          "重大行政决策", "普法宣传", "矛盾纠纷", "行政执法", "专题会议", "学习研讨", "法律顾问")
_UNITS = "件次项人场个"


def _paragraph(rng: random.Random, rsids: list[str]) -> str:
    # Word splits a paragraph into many short runs (each edit session its own
    # w:rsid), so the XML is dense in elements: what a whole-tree parse pays for.
    text = "".join(f"{rng.choice(_WORDS)}{rng.randint(1, 9999)}{rng.choice(_UNITS)}，" for _ in range(rng.randint(2, 4)))
    runs = []
    i = 0
    while i < len(text):
        n = rng.randint(1, 4)
        runs.append(f'<w:r w:rsidRPr="{rng.choice(rsids)}"><w:rPr><w:rFonts w:hint="eastAsia"/>'
                    f'<w:sz w:val="{rng.choice((28, 30, 32))}"/></w:rPr><w:t>{text[i:i + n]}</w:t></w:r>')
        i += n
    return f'<w:p w:rsidR="{rng.choice(rsids)}">{_PPR}{"".join(runs)}<w:r><w:t>。</w:t></w:r></w:p>'


def write_big_docx(path: Path, xml_mb: float, seed: int = 10) -> Path:
    """A .docx whose document.xml is about `xml_mb` MB, written as a stream."""
    rng = random.Random(seed)
    rsids = [f"{rng.getrandbits(32):08X}" for _ in range(3000)]
    target = int(xml_mb * 1048576)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _PACKAGE_RELS)
        zf.writestr("word/_rels/document.xml.rels", _DOCUMENT_RELS)
        zf.writestr("word/numbering.xml", _NUMBERING)
        with zf.open("word/document.xml", "w", force_zip64=True) as member:
            head = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{_W}"><w:body>'
            written = member.write(head.encode())
            block = 0
            while written < target:
                chunk = []
                title = "工作情况" if block % 2 == 0 else "存在的不足"
                chunk.append(f'<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr>'
                             f'<w:r><w:t>{title}</w:t></w:r></w:p>')
                chunk.extend(_paragraph(rng, rsids) for _ in range(200))
                chunk.append("<w:tbl>" + "".join(
                    f"<w:tr><w:tc><w:p><w:r><w:t>{rng.choice(_WORDS)}</w:t></w:r></w:p></w:tc>"
                    f"<w:tc><w:p><w:r><w:t>{rng.randint(1, 999)}件</w:t></w:r></w:p></w:tc></w:tr>"
                    for _ in range(20)) + "</w:tbl>")
                written += member.write("".join(chunk).encode())
                block += 1
            member.write(b"<w:sectPr/></w:body></w:document>")
    return path


_PROBE = """
import resource, sys, time
sys.path.insert(0, {root!r})
from pipeline.ingest import read_document
t = time.perf_counter()
{work}
print(f"{{time.perf_counter() - t:.1f}} s, peak RSS {{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}} MB, {{chars:,}} characters")
"""


def _peak_mb(pid: int) -> int | None:
    """A live process's peak RSS so far (Linux: VmHWM), in MB."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            return next(int(line.split()[1]) // 1024 for line in fh if line.startswith("VmHWM"))
    except (OSError, StopIteration):
        return None


def batch_peaks(path: Path, outdir: Path) -> str:
    """`govreport extract path -o outdir`: time, and the peak RSS of the main
    process and of each worker (polled from /proc), and of the largest (wait4)."""
    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "extract", str(path), "-o", str(outdir), "-q"],
                            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    peaks: dict[int, int] = {}
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        try:
            with open(f"/proc/{proc.pid}/task/{proc.pid}/children") as fh:
                workers = [int(x) for x in fh.read().split()]
        except OSError:
            workers = []
        for p in [proc.pid, *workers]:
            if (mb := _peak_mb(p)) is not None:
                peaks[p] = max(peaks.get(p, 0), mb)
        time.sleep(0.2)
    main_mb = peaks.pop(proc.pid, 0)
    return (f"{time.perf_counter() - t:.1f} s, exit {os.waitstatus_to_exitcode(status)}, peak RSS main process "
            f"{main_mb} MB, worker {', '.join(f'{mb} MB' for mb in peaks.values()) or '?'} "
            f"(largest, wait4: {usage.ru_maxrss // 1024} MB)")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--xml-mb", type=float, default=190)
    ap.add_argument("--keep", type=Path, help="write the .docx here (and keep it)")
    ap.add_argument("--probes", default="read,extract,batch", help="which to run (comma-separated)")
    args = ap.parse_args(argv)
    probes = set(args.probes.split(","))
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "big.docx"
        t = time.perf_counter()
        write_big_docx(path, args.xml_mb)
        with zipfile.ZipFile(path) as zf:
            info = zf.getinfo("word/document.xml")
        print(f"{path.name}: {path.stat().st_size / 1048576:.1f} MB, document.xml {info.file_size / 1048576:.0f} MB "
              f"({info.file_size / info.compress_size:.1f}:1), made in {time.perf_counter() - t:.0f} s")
        for name, work in [
            ("read", f"chars = len(read_document({str(path)!r}).text)"),
            ("extract", f"import pipeline\nr = pipeline.extract({str(path)!r})\nchars = len(r.text)"),
        ]:
            if name not in probes:
                continue
            out = subprocess.run([sys.executable, "-c", _PROBE.format(root=str(ROOT), work=work)],
                                 capture_output=True, text=True)
            print(f"{name:8} {out.stdout.strip() or out.stderr.strip().splitlines()[-1]}")
        if "batch" in probes:
            print(f"batch    {batch_peaks(path, Path(tmp) / 'out')}")


if __name__ == "__main__":
    main()
