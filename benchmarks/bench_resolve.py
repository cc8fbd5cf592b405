"""How long resolving 10,000 names takes (target: under 2 s per kind on this machine).

Usage: ``python benchmarks/bench_resolve.py [--n 10000] [--seed 1]``

The names are official CCG and STP names with random damage (letters dropped, swapped, case
changed, "NHS"/"CCG" added or removed), so nearly all are distinct and the per-name work is
real rather than a cache hit.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from svmine.footprints.reference import load_reference  # noqa: E402
from svmine.footprints.resolver import Resolver  # noqa: E402


def damaged(name: str, rng: random.Random) -> str:
    chars = list(name)
    for _ in range(rng.randint(0, 3)):
        i = rng.randrange(len(chars) - 1)
        op = rng.choice(("drop", "swap", "case"))
        if op == "drop":
            del chars[i]
        elif op == "swap":
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        else:
            chars[i] = chars[i].swapcase()
    text = "".join(chars)
    return rng.choice((text, f"NHS {text}", f"{text} CCG", text.upper(), text.lower()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    ref = load_reference()
    pools = {"ccg": [c.name for c in ref.ccgs[2017].values()], "stp": [s.name for s in ref.stps.values()]}
    for kind, pool in pools.items():
        names = [damaged(rng.choice(pool), rng) for _ in range(args.n)]
        start = time.perf_counter()
        resolver = Resolver(kind, 2017, reference=ref)
        built = time.perf_counter()
        cpu = time.process_time()
        results = resolver.resolve_many(names)
        done = time.perf_counter()
        cpu = time.process_time() - cpu
        review = sum(r.status not in ("exact", "accepted") for r in results)
        print(
            f"{kind}: {len(names)} names ({len(set(names))} distinct) against {len(resolver.codes)} footprints: "
            f"build {built - start:.3f} s, resolve {done - built:.3f} s ({len(names) / (done - built):,.0f} names/s), "
            f"CPU {cpu:.3f} s, {review} not confident"
        )
    print(f"load average (1 min): {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
