"""Searches for rare topics look only at what the log stored since their last look (issue 28's soak found the directory
searching every stored event on every request in open mode): the directory index and the cycles' LogScan."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import uuid4

import pytest
from eventsourcing.persistence import Notification

from application.directory.index import DirectoryIndex
from application.store.log_scan import LogScan

RARE, COMMON = "rare", "common"


def row(position: int, topic: str) -> Notification:
    return Notification(id=position, originator_id=uuid4(), originator_version=1, topic=topic, state=b"")


class FakeLog:
    """A log of notifications whose searches are recorded as (after, up to) windows."""

    def __init__(self) -> None:
        self.rows: list[Notification] = []
        self.windows: list[tuple[int, int | None]] = []

    def append(self, topic: str, count: int = 1) -> None:
        for _ in range(count):
            self.rows.append(row(len(self.rows) + 1, topic))

    def max_notification_id(self) -> int | None:
        return self.rows[-1].id if self.rows else None

    def select_notifications(self, start: int | None, limit: int, stop: int | None = None,
                             topics: Sequence[str] = (), *, inclusive_of_start: bool = True) -> list[Notification]:
        self.windows.append((start or 0, stop))
        found = [n for n in self.rows if n.id > (start or 0) and (stop is None or n.id <= stop)
                 and (not topics or n.topic in topics)]
        return found[:limit]


def test_each_look_searches_only_what_was_stored_since_the_last() -> None:
    log = FakeLog()
    log.append(COMMON, 700)
    log.append(RARE)
    scan = LogScan(lambda: log, [RARE], lambda n: n.id)
    assert scan.found() == [701]
    log.append(COMMON, 3)
    assert scan.found() == [701] and log.windows[-1] == (701, 704)
    assert scan.found() == [701] and log.windows[-1] == (701, 704)  # nothing new: no search at all
    log.append(RARE)
    log.append(COMMON)
    assert scan.found() == [701, 705] and log.windows[-1] == (704, 706)


def test_a_log_shorter_than_last_searched_is_searched_again_from_the_start() -> None:
    log = FakeLog()
    log.append(RARE)
    log.append(COMMON, 5)
    scan = LogScan(lambda: log, [RARE], lambda n: n.id)
    assert scan.found() == [1]
    log.rows = log.rows[:3]  # the database put back to an earlier copy
    log.rows[1:] = [row(2, RARE), row(3, COMMON)]
    assert scan.found() == [1, 2] and log.windows[-1] == (0, 3)


def test_the_directory_index_in_open_mode_searches_only_the_new_stretch_of_the_log() -> None:
    log = FakeLog()
    log.append(COMMON, 1200)
    index = DirectoryIndex(lambda after, head, limit, topics: log.select_notifications(
        after, limit, stop=head, topics=topics, inclusive_of_start=False), lambda n: n, lambda: None,
        lambda: log.max_notification_id() or 0)
    assert index.current().people == {} and index.current().position == 1200
    searched = len(log.windows)
    log.append(COMMON, 2)
    assert index.current().people == {} and log.windows[searched:] == [(1200, 1202)]
    index.current()
    assert len(log.windows) == searched + 1  # the head has not moved: nothing is searched
    log.rows = log.rows[:10]  # put back: everything is folded again
    index.current()
    assert log.windows[-1] == (0, 10) and index.current().position == 10


def test_a_page_that_fails_to_read_is_read_again_whole_next_time() -> None:
    log = FakeLog()
    log.append(RARE, 3)
    failing = {2}

    def read(notification: Notification) -> int:
        if notification.id in failing:
            raise ValueError("a row that does not decode (an edited one, say)")
        return notification.id

    scan = LogScan(lambda: log, [RARE], read)
    with pytest.raises(ValueError):
        scan.found()
    failing.clear()
    assert scan.found() == [1, 2, 3]  # nothing of the failed page was kept twice


def test_a_reader_whose_head_another_passed_does_not_take_the_log_for_put_back() -> None:
    log = FakeLog()
    log.append(COMMON, 12)
    heads = iter([12, 10, 12])  # the second reader read head 10 just before another folded up to 12
    index = DirectoryIndex(lambda after, head, limit, topics: log.select_notifications(
        after, limit, stop=head, topics=topics, inclusive_of_start=False), lambda n: n, lambda: None,
        lambda: next(heads))
    assert index.current().position == 12 and log.windows == [(0, 12)]
    assert index.current().position == 12 and log.windows == [(0, 12)]  # no search from the start
