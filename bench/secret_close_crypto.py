"""The cryptography of closing a secret ballot, timed (docs/SECRET_BALLOTS.md, "Close").

A close unseals every stored box, makes the unit ballots (one SHA-256 per unit), sorts them by
receipt and cuts them into log entries of 1,000. This times those steps, without the database,
for two halls:

- 10,000 members of weight 40: 400,000 units, the largest close the server must do well under
  30 seconds in total (the database writes come on top of these figures);
- the demo's hall: the 271 members present on 29 November 2024, weighing 11,248 together.

Sealing happens one vote at a time while the ballot is open; its time per vote is shown too.

    PYTHONPATH=. python bench/secret_close_crypto.py
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from server.secret.keys import BallotKey
from server.secret.sealing import SecretChoice, new_secret, seal, unseal
from server.secret.units import chunks, count_units, make_units

T = TypeVar("T")
BALLOT = 12


def timed(work: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    result = work()
    return result, time.perf_counter() - start


def demo_weights() -> list[int]:
    from server.demo import attendance_codes
    from server.register.reference import shipped_register
    from server.rules.weights import weight_for

    population = {row.cbs_code: row.population for row in shipped_register().rows}
    return [weight_for(population[code]) for code in attendance_codes()]


def close(name: str, weights: list[int]) -> None:
    rng = random.Random(14)
    key = BallotKey.generate()
    choices: list[SecretChoice] = ["for", "against", "abstain"]
    votes = [(weight, rng.choice(choices), new_secret()) for weight in weights]
    boxes, sealing = timed(lambda: [seal(key.public_b64, choice, secret) for _, choice, secret in votes])
    opened, unsealing = timed(lambda: [unseal(key, box) for box in boxes])
    sealed = [(weight, choice, secret) for weight, (choice, secret) in zip(weights, opened, strict=True)]
    units, making = timed(lambda: make_units(sealed, BALLOT))
    parts, cutting = timed(lambda: list(chunks(units)))
    tally = count_units(units)
    assert len(units) == sum(weights) and sum(len(part) for part in parts) == len(units)
    assert sum(tally.values()) == len(units)
    total = unsealing + making + cutting
    print(f"{name}: {len(weights):,} members, {len(units):,} units, {len(parts):,} log entries")
    print(f"  seal (while open)   {sealing:7.3f} s   {sealing / len(votes) * 1e6:6.1f} µs per vote")
    print(f"  unseal all boxes    {unsealing:7.3f} s   {unsealing / len(votes) * 1e6:6.1f} µs per box")
    print(f"  make_units (+sort)  {making:7.3f} s   {making / len(units) * 1e6:6.2f} µs per unit")
    print(f"  chunks of 1,000     {cutting:7.3f} s")
    print(f"  close, crypto total {total:7.3f} s")


def main() -> None:
    close("10,000 members x 40", [40] * 10_000)
    close("the demo's hall", demo_weights())


if __name__ == "__main__":
    main()
