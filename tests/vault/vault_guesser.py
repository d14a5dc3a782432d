"""A guessing process for the concurrency test: fires wrong PINs at one account from threads.

Usage: python vault_guesser.py DB_URL ACCOUNT PIN COUNT THREADS OUT_JSON
Writes ``{"outcomes": {kind: n}, "hash_checks": n}`` to OUT_JSON; ``hash_checks`` counts the
real (non-dummy) verifications this process's hasher ran.
"""

from __future__ import annotations

import json
import sys
import threading
from collections import Counter
from pathlib import Path

from vault_support import CountingHasher, pepper_entry

from bot.security import parse_pepper_keys
from bot.services.pin_vault import PinVault
from bot.storage.db import Database


def main() -> None:
    url, account, pin, count, threads, out = sys.argv[1:7]
    database = Database(url, pool_size=int(threads))
    hasher = CountingHasher(parse_pepper_keys(pepper_entry("k1", 1)), max_concurrency=4)
    vault = PinVault(database, hasher)
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()
    start = threading.Barrier(int(threads))
    per_thread = int(count) // int(threads)

    def guess(worker: int) -> None:
        start.wait()
        for _ in range(per_thread):
            outcome = vault.verify(
                account, pin, actor=f"probe-{worker}", surface="cli", method="probe"
            )
            with lock:
                outcomes[outcome.kind] += 1

    pool = [threading.Thread(target=guess, args=(n,)) for n in range(int(threads))]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    database.dispose()
    Path(out).write_text(json.dumps({"outcomes": outcomes, "hash_checks": hasher.verifications}))


if __name__ == "__main__":
    main()
