"""The leader's lease on PostgreSQL: one leader at a time, takeover of an expired lease with a newer epoch, and an
old leader's commits and sends refused once it has lost the lead. On SQLite a second process refuses."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pg_kit import PgServer

from bot.store.leader import AlreadyRunning, Leadership, NotLeader, lock_sqlite
from bot.store.repo import Store, StoreError

LEASE_S = 1.0
T0 = datetime(2027, 1, 11, 9, 0, tzinfo=UTC)


@pytest.fixture
def store(postgres: PgServer) -> Iterator[Store]:
    store = Store(postgres.create_database("lead"), lambda _n: None)
    store.create_schema()
    yield store
    store.dispose()


def test_one_leads_and_the_other_takes_over_only_an_expired_lease(store: Store) -> None:
    """The second daemon sees the first's lease; after it runs out, it leads with the next epoch."""
    first, second = Leadership(store.engine, LEASE_S, "a"), Leadership(store.engine, LEASE_S, "b")
    assert first.try_acquire() is None and first.epoch == 1
    held = second.try_acquire()
    assert held is not None and held.holder == "a" and held.epoch == 1 and second.epoch is None
    assert first.renew()
    time.sleep(LEASE_S + 0.3)
    assert second.try_acquire() is None and second.epoch == 2
    assert not first.renew() and first.epoch is None


def test_a_leader_that_lost_the_lead_commits_nothing_and_sends_nothing(store: Store) -> None:
    """Fenced commits and sends of the old epoch fail with NotLeader; the new leader's go through."""
    old, new = Leadership(store.engine, LEASE_S, "old"), Leadership(store.engine, LEASE_S, "new")
    assert old.try_acquire() is None
    store.fence, store.send_fence = old.fence_commit, old.fence_send
    with store.tx() as tx:
        tx.add_event(None, T0, "while_leading")
    old.fence_send()
    time.sleep(LEASE_S + 0.3)  # the old leader is paused past its lease; the standby takes over
    assert new.try_acquire() is None
    with pytest.raises(NotLeader, match="new"), store.tx() as tx:
        tx.add_event(None, T0, "after_takeover")
    with pytest.raises(NotLeader):
        old.fence_send()
    store.fence, store.send_fence = new.fence_commit, new.fence_send
    with store.tx() as tx:
        tx.add_event(None, T0, "new_leader")
    with store.tx() as tx:
        assert [e.kind for e in tx.events_since("while_leading", T0)] == ["while_leading"]
        assert tx.events_since("after_takeover", T0) == []
        assert len(tx.events_since("new_leader", T0)) == 1


def test_an_expired_lease_nobody_took_is_renewed_by_its_leader(store: Store) -> None:
    """A leader cut off from the database longer than its lease leads on when nobody took over meanwhile."""
    lead = Leadership(store.engine, LEASE_S, "a")
    assert lead.try_acquire() is None
    time.sleep(LEASE_S + 0.3)
    with pytest.raises(NotLeader, match="expired"):
        lead.fence_send()
    assert lead.renew() and lead.epoch == 1
    lead.fence_send()


def test_a_leader_that_cannot_reach_the_database_sends_nothing_and_says_why(fresh_postgres: PgServer) -> None:
    """With the database away, the check before each mail fails as a StoreError (the outbox stops the batch and
    tries again later; the daemon goes on), not as a driver error that would end the process."""
    store = Store(fresh_postgres.create_database("away"), lambda _n: None)
    store.create_schema()
    lead = Leadership(store.engine, LEASE_S, "a")
    try:
        assert lead.try_acquire() is None
        lead.fence_send()
        fresh_postgres.stop()
        with pytest.raises(StoreError, match="cannot check the lead before sending") as refused:
            lead.fence_send()
        assert not isinstance(refused.value, NotLeader)
        fresh_postgres.start()
        assert lead.renew()  # back, and nobody took over meanwhile
        lead.fence_send()
    finally:
        store.dispose()


def test_a_second_process_on_one_sqlite_file_refuses(tmp_path: Path) -> None:
    """The OS lock on `<db>.lock` is held by one process at a time, with a line that says what to do."""
    db = tmp_path / "bot.sqlite"
    held = lock_sqlite(db)
    try:
        import subprocess
        import sys

        code = ("import sys; from pathlib import Path; from bot.store.leader import lock_sqlite, AlreadyRunning\n"
                "try:\n    lock_sqlite(Path(sys.argv[1]))\nexcept AlreadyRunning as e:\n    print(e); sys.exit(3)")
        proc = subprocess.run([sys.executable, "-c", code, str(db)], capture_output=True, text=True, check=False)
        assert proc.returncode == 3, proc.stderr
        assert "another instance is already running" in proc.stdout and "PostgreSQL" in proc.stdout
    finally:
        held.release()
    lock_sqlite(db).release()  # free again once the holder is gone
    with pytest.raises(AlreadyRunning):
        first = lock_sqlite(db)
        try:
            lock_sqlite(db)  # flock is per open file: a second open in one process is refused as well
        finally:
            first.release()
