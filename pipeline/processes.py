"""How the package starts its processes (batch workers, the Parquet converter).

Forked where the platform can fork, so that a child inherits what its parent
has loaded (rules, jieba's dictionary, the division table) instead of loading
it again; elsewhere (Windows) the platform's default, spawn.
"""
from __future__ import annotations

import multiprocessing as mp
from multiprocessing.context import BaseContext


def context() -> BaseContext:
    """The multiprocessing context to start a child with: fork where there is one."""
    return mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()


def forks(ctx: BaseContext) -> bool:
    """Whether children of `ctx` are forks, inheriting this process's open files."""
    return ctx.get_start_method() == "fork"
