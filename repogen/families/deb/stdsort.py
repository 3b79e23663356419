"""``std::sort`` as libstdc++ (GCC 12, Debian 12's apt 2.6) runs it.

apt's problem resolver orders its packages by score with ``std::sort``, which is not stable:
packages of equal score come out in an order that depends on the algorithm (introsort with a
median-of-three pivot, heapsort past the depth limit, then insertion sort of runs of 16), not
on the order apt walked them in.  Which of two equally scored packages is investigated first
decides, say, whether an installed driver or the new one conflicting with it is held back, so
this is a step-by-step port of ``bits/stl_algo.h`` and ``bits/stl_heap.h``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
#: ``comp(a, b)``: whether *a* goes strictly before *b*.
Less = Callable[[T, T], bool]

#: ``_S_threshold``: ranges this short are left to the final insertion sort.
_THRESHOLD = 16


def std_sort(items: list[T], less: Less[T]) -> None:
    """Sort *items* in place exactly as ``std::sort(first, last, less)`` does."""
    if len(items) > 0:
        _introsort_loop(items, 0, len(items), 2 * (len(items).bit_length() - 1), less)
        _final_insertion_sort(items, 0, len(items), less)


def _introsort_loop(a: list[T], first: int, last: int, depth: int, less: Less[T]) -> None:
    while last - first > _THRESHOLD:
        if depth == 0:
            _heap_sort(a, first, last, less)  # __partial_sort(first, last, last)
            return
        depth -= 1
        cut = _partition_pivot(a, first, last, less)
        _introsort_loop(a, cut, last, depth, less)
        last = cut


def _partition_pivot(a: list[T], first: int, last: int, less: Less[T]) -> int:
    mid = first + (last - first) // 2
    _move_median_to_first(a, first, first + 1, mid, last - 1, less)
    return _unguarded_partition(a, first + 1, last, first, less)


def _move_median_to_first(a: list[T], result: int, x: int, y: int, z: int, less: Less[T]) -> None:
    if less(a[x], a[y]):
        if less(a[y], a[z]):
            median = y
        elif less(a[x], a[z]):
            median = z
        else:
            median = x
    elif less(a[x], a[z]):
        median = x
    elif less(a[y], a[z]):
        median = z
    else:
        median = y
    a[result], a[median] = a[median], a[result]


def _unguarded_partition(a: list[T], first: int, last: int, pivot: int, less: Less[T]) -> int:
    while True:
        while less(a[first], a[pivot]):
            first += 1
        last -= 1
        while less(a[pivot], a[last]):
            last -= 1
        if not first < last:
            return first
        a[first], a[last] = a[last], a[first]
        first += 1


def _final_insertion_sort(a: list[T], first: int, last: int, less: Less[T]) -> None:
    if last - first > _THRESHOLD:
        _insertion_sort(a, first, first + _THRESHOLD, less)
        for i in range(first + _THRESHOLD, last):
            _unguarded_linear_insert(a, i, less)
    else:
        _insertion_sort(a, first, last, less)


def _insertion_sort(a: list[T], first: int, last: int, less: Less[T]) -> None:
    for i in range(first + 1, last):
        if less(a[i], a[first]):
            value = a[i]
            a[first + 1 : i + 1] = a[first:i]
            a[first] = value
        else:
            _unguarded_linear_insert(a, i, less)


def _unguarded_linear_insert(a: list[T], last: int, less: Less[T]) -> None:
    value = a[last]
    while less(value, a[last - 1]):
        a[last] = a[last - 1]
        last -= 1
    a[last] = value


def _heap_sort(a: list[T], first: int, last: int, less: Less[T]) -> None:
    """``__make_heap`` then ``__sort_heap`` on ``[first, last)``."""
    length = last - first
    if length >= 2:
        for parent in range((length - 2) // 2, -1, -1):
            _adjust_heap(a, first, parent, length, a[first + parent], less)
    while last - first > 1:
        last -= 1
        value = a[last]
        a[last] = a[first]
        _adjust_heap(a, first, 0, last - first, value, less)


def _adjust_heap(a: list[T], first: int, hole: int, length: int, value: T, less: Less[T]) -> None:
    top = hole
    child = hole
    while child < (length - 1) // 2:
        child = 2 * (child + 1)
        if less(a[first + child], a[first + child - 1]):
            child -= 1
        a[first + hole] = a[first + child]
        hole = child
    if length % 2 == 0 and child == (length - 2) // 2:
        child = 2 * (child + 1)
        a[first + hole] = a[first + child - 1]
        hole = child - 1
    parent = (hole - 1) // 2
    while hole > top and less(a[first + parent], value):
        a[first + hole] = a[first + parent]
        hole = parent
        parent = (hole - 1) // 2
    a[first + hole] = value
