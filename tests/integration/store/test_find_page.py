"""A list's page is read from the index and no further: however many documents match or sit beside, a page of
`limit` reads at most `limit + 1` of them (the one more says whether a next page follows)."""

from __future__ import annotations

from shared.store import Index, Put, find_page
from shared.store.sqlite import SQLiteStore
from tests.integration.test_periodic_jobs_read_only_due_work import Counting

LISTED = Index("complaints", ("status",))


def kept(tmp_path, received: int, closed: int) -> Counting:
    """Complaints received and closed, one of each in turn while both last."""
    store = SQLiteStore(tmp_path / "complaints.sqlite3")
    store.ensure_indexes([LISTED], strict=True)
    statuses = [*(["received"] * received), *(["closed"] * closed)]
    statuses[::2], statuses[1::2] = statuses[:(len(statuses) + 1) // 2], statuses[(len(statuses) + 1) // 2:]
    for n, status in enumerate(statuses):
        store.commit(Put.new("complaints", f"c{n:04d}", {"status": status, "things": ["a", "b", "c"]}))
    return Counting(store)


def test_a_page_reads_no_more_than_it_needs(tmp_path):
    store = kept(tmp_path, 300, 300)
    items, following = find_page(store, "complaints", {"status": "received"}, limit=10)
    assert len(items) == 10 and following is not None
    assert store.read <= 11, f"read {store.read} documents for a page of 10"


def test_pages_that_end_inside_a_documents_items_go_on_from_there(tmp_path):
    store = kept(tmp_path, 3, 0)
    every, after, reads = [], None, []
    while True:
        store.read = 0
        items, after = find_page(store, "complaints", {"status": "received"}, limit=2, after=after,
                                 items=lambda d: [(d.id, thing) for thing in d.body["things"]])
        every += items
        reads.append(store.read)
        if after is None:
            break
    expected = [(d.id, t) for d in store.store.find("complaints", {"status": "received"}) for t in ("a", "b", "c")]
    assert every == expected
    assert max(reads) <= 3, "each page reads the documents it shows and one more"


def test_the_last_page_promises_nothing_more(tmp_path):
    store = kept(tmp_path, 2, 0)
    wanted = {"status": "received"}
    total = len(store.store.find("complaints", wanted))
    items, following = find_page(store, "complaints", wanted, limit=total)
    assert len(items) == total and following is None
