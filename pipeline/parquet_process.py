"""The Parquet tables, converted by a process of their own that starts first.

`extract` writes its combined tables as CSV while the documents are extracted
and converts them to Parquet at the end (`store.stage_parquet`). pyarrow costs
about a quarter of a second of CPU to import, and a process's first
conversion some 20-40 ms more (`store.warm_up`). Imported by the batch's own
process while its workers extracted, pyarrow took a core from them (two
workers and that process on two cores). A `Converter` started before the batch
imports the pipeline and loads the rules imports pyarrow on the core that is
idle meanwhile, warms the conversion up and waits; at the end it converts the
tables and answers with the temporary files, which the batch renames together
with the others.

Anything wrong with the converter (it could not start, it died) costs only its
head start: `stage` then converts in this process, the same files, and a real
failure of the conversion (a value no Parquet type holds) is raised here as it
always was. A process that has already imported pyarrow gains nothing from a
converter process, and a child forked after pyarrow started its threads is not
one to trust with them: there, as where no process can be started, `start`
gives a converter without a process, which converts in this one.
"""
from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from . import processes

# Seconds to wait for a converter that was asked to stop before killing it.
_STOP_WAIT = 5.0


class Converter:
    """A converter, used once: `stage` the tables, or `close` it unused.
    `Converter()` converts in this process."""

    def __init__(self, conn=None, proc=None) -> None:
        self._conn, self._proc = conn, proc

    @classmethod
    def start(cls) -> Converter:
        """A converter process, importing pyarrow from now on; one without a
        process where that would not help (pyarrow is imported here already)
        or cannot be."""
        if "pyarrow" in sys.modules:
            return cls()
        try:
            ctx = processes.context()
            conn, child = ctx.Pipe()
            # a fork inherits this end too: closed there, so that the pipe reads
            # end-of-file, and the converter exits, when this process is gone
            inherited = conn.fileno() if processes.forks(ctx) else None
            proc = ctx.Process(target=_serve, args=(child, inherited), name="govreport-parquet", daemon=True)
            proc.start()
            child.close()
        except OSError:  # no process to be had (a limit on processes, no memory): converted in this process
            return cls()
        return cls(conn, proc)

    def fileno(self) -> int | None:
        """This process's end of the pipe, for processes forked later to close."""
        return None if self._conn is None else self._conn.fileno()

    def stage(self, pairs: list[tuple[Path, Path]]) -> list[tuple[Path, Path]]:
        """What `store.stage_parquet(pairs)` gives, converted by the converter."""
        answer = None
        if self._conn is not None:
            try:
                self._conn.send([(str(src), str(target)) for src, target in pairs])
                answer = self._conn.recv()
            except (EOFError, OSError):  # it died: converted here instead
                answer = None
            self._end(wait=_STOP_WAIT)
        if answer is not None:
            return [(Path(tmp), Path(target)) for tmp, target in answer]
        from .store import stage_parquet

        return stage_parquet(pairs)

    def close(self) -> None:
        """Stop it, unused (it holds nothing but its memory) or used."""
        self._end(wait=0.0)

    def _end(self, wait: float) -> None:
        if self._conn is None:
            return
        self._conn.close()  # it reads end-of-file, and exits, when it next listens
        self._proc.join(wait)
        if self._proc.is_alive():
            self._proc.kill()
            self._proc.join()
        self._conn = None

    def __enter__(self) -> Converter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _serve(conn, inherited: int | None) -> None:
    """The converter: import and warm up, then convert the one set of tables it is sent.
    `inherited`: the asking process's end of the pipe, when forked."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the batch's to handle
    if inherited is not None:
        os.close(inherited)
    try:
        from . import store

        try:
            store.warm_up()
        except Exception:  # noqa: BLE001 - only a head start; the conversion meets any real problem
            pass
        pairs = conn.recv()
        try:
            answer = [(str(tmp), str(target))
                      for tmp, target in store.stage_parquet([(Path(s), Path(t)) for s, t in pairs])]
        except BaseException:  # noqa: BLE001 - converted again by the batch, which raises it there
            answer = None
        conn.send(answer)
    except (EOFError, OSError, KeyboardInterrupt):
        pass
    finally:
        os._exit(0)
