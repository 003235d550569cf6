"""Long work started from the page (ledgers, documents, issue): one thread each, its progress polled.

A task's thread is not a daemon: a server stopped with Ctrl+C waits for it, and every file it
writes goes through an atomic replace, so no half-written file is ever left. Its result is a list
of files; the page downloads one as itself and several as a zip made in memory.
"""
from __future__ import annotations

import io
import threading
import uuid
import zipfile
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

RUNNING, DONE, FAILED = "running", "done", "failed"
MAX_TASKS = 50  # finished tasks kept for their downloads; older ones are forgotten


@dataclass
class Task:
    title: str
    state: str = RUNNING
    done: int = 0
    total: int | None = None
    message: str = ""
    files: list[Path] = field(default_factory=list)
    root: Path | None = None  # names in the zip are relative to it
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    thread: threading.Thread | None = field(default=None, repr=False)

    def advance(self, *_):
        self.done += 1

    def to_json(self) -> dict:
        return {"id": self.id, "title": self.title, "state": self.state, "done": self.done, "total": self.total,
                "message": self.message, "files": [p.name for p in self.files],
                "download": f"/download/{self.id}" if self.state == DONE and self.files else None}


class Tasks:
    def __init__(self):
        self._tasks: dict[str, Task] = {}
        self._lock = threading.Lock()
        self._queues: dict[str, threading.Lock] = {}

    def start(self, title: str, work, failures: tuple[type[BaseException], ...], queue: str = "") -> Task:
        """Run ``work(task) -> (files, message)`` in a thread; an exception of ``failures`` becomes the message.
        Tasks of the same ``queue`` (those that write the same files) run one after another, in the order started."""
        task = Task(title)
        with self._lock:
            self._tasks[task.id] = task
            for old in list(self._tasks)[:-MAX_TASKS]:
                del self._tasks[old]
            turn = self._queues.setdefault(queue, threading.Lock()) if queue else nullcontext()

        def run():
            try:
                if queue and turn.locked():
                    task.message = "排队中：同类的上一项工作完成后开始（它们写同样的文件）"
                with turn:
                    task.message = ""
                    files, task.message = work(task)
                    task.files = [Path(f) for f in files]
                    task.state = DONE
            except failures as exc:
                task.message, task.state = str(exc), FAILED
            except Exception as exc:  # noqa: BLE001 - a page must say something, never hang at 99%
                task.message, task.state = f"出错了：{type(exc).__name__}: {exc}", FAILED
        task.thread = threading.Thread(target=run, name=f"zoufang-{title}", daemon=False)
        task.thread.start()
        return task

    def running(self) -> list[Task]:
        return [t for t in list(self._tasks.values()) if t.state == RUNNING]

    def join(self) -> None:
        """Wait for every running task (a server stopping lets them finish their files)."""
        for task in self.running():
            if task.thread is not None:
                task.thread.join()

    def get(self, task_id: str) -> Task | None:
        return self._tasks.get(task_id)


def zip_bytes(files: list[Path], root: Path | None) -> bytes:
    """The files in one zip, named relative to ``root`` (or by their names), made in memory."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for f in files:
            name = f.relative_to(root).as_posix() if root and f.is_relative_to(root) else f.name
            z.write(f, name)
    return buffer.getvalue()
