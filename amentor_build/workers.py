"""Worker processes for the per-child work: the one module that knows they exist.

A stage hands over a plain function, or a `Task` whose `setup` runs once per process
(compiling the theme's templates, say) and whose `run` then takes one item at a time.
With one worker, or too few items to be worth a process, everything runs here, in order.

Where the system can fork (Linux), the task itself reaches the workers at no cost: a forked
process starts with a copy of this one's memory, so a task may hold all a build has loaded
(every record) and its items be small (an index). Elsewhere the task is pickled once per worker.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

S = TypeVar("S")
T = TypeVar("T")
R = TypeVar("R")
T_in = TypeVar("T_in", contravariant=True)
R_out = TypeVar("R_out", covariant=True)
MIN_SHARED = 8  # fewer items than this run here: starting a process costs more than it saves


class Task(Protocol[S, T_in, R_out]):
    def setup(self) -> S: ...

    def run(self, state: S, item: T_in) -> R_out: ...


@dataclass(frozen=True)
class Plain(Generic[T, R]):
    """A plain function as a Task."""

    fn: Callable[[T], R]

    def setup(self) -> None:
        return None

    def run(self, state: None, item: T) -> R:
        return self.fn(item)


@dataclass(frozen=True)
class Workers:
    """How many processes the per-child work may use (default: one per core)."""

    count: int = 0

    @property
    def processes(self) -> int:
        return self.count or os.cpu_count() or 1

    def run(self, task: Task[Any, T, R], items: Sequence[T]) -> Iterator[R]:
        """task.run on each item, in order, in worker processes when that pays. Take every result
        (zip(..., strict=True)): the pool then ends as the last is taken, not when the iterator
        is collected, where a Ctrl+C could only be printed as an exception ignored."""
        if self.processes <= 1 or len(items) < MIN_SHARED:
            state = task.setup()
            return (task.run(state, item) for item in items)
        return self._shared(task, items)

    def _shared(self, task: Task[Any, T, R], items: Sequence[T]) -> Iterator[R]:
        # Items go to the workers a few at a time: fewer round trips than one by one, and at the end
        # no worker waits long for another to finish a big batch (a folder is about 10 ms).
        chunk = max(1, min(4, len(items) // (4 * self.processes)))
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else None)
        start = (task, os.getpid())
        with ProcessPoolExecutor(self.processes, mp_context=context, initializer=_start, initargs=start) as pool:
            try:
                with interrupts_held():  # the workers start (fork) as the items are given to them
                    results = pool.map(_run, items, chunksize=chunk)
                yield from results
            except BaseException:  # Ctrl+C, an error, or no more wanted: no item not yet begun is begun,
                pool.shutdown(wait=True, cancel_futures=True)  # and those begun end before anything is undone
                raise

    def map(self, fn: Callable[[T], R], items: Sequence[T]) -> Iterable[R]:
        """fn on each item, in order (a stage's `map_each`)."""
        return self.run(Plain(fn), items)


_started: tuple[Any, Any] | None = None  # in a worker process: its task and the state its setup made


@contextlib.contextmanager
def interrupts_held() -> Iterator[None]:
    """Ctrl+C held back (not lost) in the block: a worker forked in it starts with it held, until
    it ignores it (_start)."""
    held = hasattr(signal, "pthread_sigmask")
    before = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT}) if held else set()
    try:
        yield
    finally:
        if held:
            signal.pthread_sigmask(signal.SIG_SETMASK, before)  # (one that came meanwhile is raised now)


def _start(task: Task[Any, Any, Any], parent: int) -> None:
    global _started
    # Ctrl+C in a terminal reaches every process of the command: the command says it, once, and
    # stops; its workers end with it (_die_with_parent), and print no traceback of their own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # held since the fork (interrupts_held)
    _die_with_parent(parent)
    _started = (task, task.setup())


def _die_with_parent(parent: int) -> None:
    """A worker ends when the command that started it does, even one killed with SIGKILL, so
    nothing keeps writing beside the site after it, and no worker holds the command's output
    open (Linux; elsewhere the pool's pipes close). A command killed before this ran is
    already gone: the worker's parent is no longer `parent`, and the worker ends at once."""
    with contextlib.suppress(AttributeError, OSError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(1)  # a forked worker, orphaned: no cleanup of the parent's state may run here (it is not ours)


def _run(item: Any) -> Any:
    assert _started is not None, "a worker runs items only after _start"
    task, state = _started
    return task.run(state, item)
