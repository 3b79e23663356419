"""repogen's std::sort leaves equal keys where libstdc++'s std::sort (the one apt runs) does."""

from __future__ import annotations

import random
import shutil
import subprocess
from pathlib import Path

import pytest

from repogen.families.deb.stdsort import std_sort

#: Sorts each input line ("n key...") by key, highest first, as apt orders scores; prints
#: the input positions in the order std::sort left them.
_PROGRAM = r"""
#include <algorithm>
#include <cstdio>
#include <vector>
int main() {
  int n;
  while (scanf("%d", &n) == 1) {
    std::vector<std::pair<int, int>> v;
    for (int i = 0; i < n; i++) { int k; scanf("%d", &k); v.push_back({k, i}); }
    std::sort(v.begin(), v.end(), [](auto &a, auto &b) { return a.first > b.first; });
    for (auto &p : v) printf("%d ", p.second);
    printf("\n");
  }
}
"""


def _inputs() -> list[list[int]]:
    rng = random.Random(7)
    inputs = [
        [rng.randrange(keys) for _ in range(size)]
        for size in (0, 1, 2, 16, 17, 40, 300, 2000)
        for keys in (1, 2, 5, 1000)
    ]
    # Already ordered either way, and all equal: the shapes that stress pivots and depth.
    return [*inputs, list(range(500)), list(range(500))[::-1], [0] * 700]


@pytest.mark.skipif(shutil.which("g++") is None, reason="g++ (libstdc++) is not installed")
def test_equal_keys_come_out_as_libstdcxx_leaves_them(tmp_path: Path) -> None:
    source = tmp_path / "sort.cc"
    source.write_text(_PROGRAM)
    binary = tmp_path / "sort"
    subprocess.run(["g++", "-std=c++17", "-O1", "-o", binary, source], check=True)
    inputs = _inputs()
    text = "".join(f"{len(keys)} {' '.join(map(str, keys))}\n" for keys in inputs)
    output = subprocess.run([binary], input=text, capture_output=True, text=True, check=True)
    expected = [[int(word) for word in line.split()] for line in output.stdout.splitlines()]
    got = []
    for keys in inputs:
        items = list(enumerate(keys))
        std_sort(items, lambda a, b: a[1] > b[1])
        got.append([position for position, _ in items])
    assert got == expected
