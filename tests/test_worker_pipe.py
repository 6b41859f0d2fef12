"""The web process reads a worker's answer on its event loop only when the whole answer is already waiting in the
pipe (``graphapp.executor.whole_message_waiting``); otherwise a thread reads it, as the answer may still be coming
in pieces and reading it on the loop would stall every other request meanwhile."""

from __future__ import annotations

import multiprocessing as mp
import os
import pickle
import struct
import threading

from fastapi.testclient import TestClient

from graphapp.executor import peek_socket, whole_message_waiting


def test_only_a_whole_message_counts_as_waiting() -> None:
    reader, writer = mp.Pipe()  # duplex: a pair of sockets, as the pool's
    payload = pickle.dumps(("ok", b"x" * 1000))
    peek, raw = peek_socket(reader), os.dup(writer.fileno())
    assert peek is not None
    try:
        assert not whole_message_waiting(peek)  # nothing yet
        os.write(raw, struct.pack("!i", len(payload)))
        assert not whole_message_waiting(peek)  # the length alone
        os.write(raw, payload[:-1])
        assert not whole_message_waiting(peek)  # one byte short
        os.write(raw, payload[-1:])
        assert whole_message_waiting(peek)
        assert reader.recv() == ("ok", b"x" * 1000)
        assert not whole_message_waiting(peek)  # read: nothing left
    finally:
        os.close(raw)
        peek.close()


def test_a_message_larger_than_the_pipe_holds_is_never_whole_until_read() -> None:
    """An answer of megabytes cannot all wait in the pipe: the worker's send blocks until the reader takes some."""
    reader, writer = mp.Pipe()
    peek = peek_socket(reader)
    assert peek is not None
    big = ("ok", os.urandom(4 << 20))
    sender = threading.Thread(target=writer.send, args=(big,))
    sender.start()
    received = None
    try:
        for _ in range(50):
            assert not whole_message_waiting(peek)
        received = reader.recv()
    finally:
        if received is None:
            reader.recv()  # let the sender finish
        sender.join()
    assert received == big
    assert not whole_message_waiting(peek)
    peek.close()


def test_a_connection_that_is_not_a_socket_is_always_read_on_a_thread() -> None:
    reader, writer = mp.Pipe(duplex=False)  # an os.pipe: nothing to peek at
    assert peek_socket(reader) is None
    reader.close()
    writer.close()


def test_small_and_large_answers_through_the_pool_are_whole(client: TestClient) -> None:
    """A cheap answer (read on the loop) and one of several megabytes (read by a thread) come back whole."""
    small = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": "application/json"})
    assert small.status_code == 200 and small.json()["boolean"] is True
    count = client.get(
        "/sparql",
        params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"},
        headers={"Accept": "application/sparql-results+json"},
    ).json()["results"]["bindings"][0]["n"]["value"]
    rows = min(int(count), 10_000)
    big = client.get(
        "/sparql",
        params={"query": "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert big.status_code == 200
    assert len(big.content) > 1 << 20
    assert len(big.json()["results"]["bindings"]) == rows
