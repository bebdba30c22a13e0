"""Vectorised string building on Arrow arrays and numpy byte matrices.

Generating millions of rows rules out per-row Python. Strings are assembled with Arrow compute kernels
(take from small pools, element-wise joins), and fixed-shape values (ids, timestamps, phone digits) are
written as ASCII byte matrices with numpy and wrapped as Arrow string arrays without copying.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

STRING = pa.string()
NULL = pa.scalar(None, STRING)
_ZERO = ord("0")
# column of the 32 hex digits shown at each of the 36 positions of a UUID (dash positions are overwritten)
_UUID_LAYOUT = np.array([i - (i > 8) - (i > 13) - (i > 18) - (i > 23) for i in range(36)], dtype=np.intp)

Part = pa.Array | str


def strings(values: Sequence[str | None]) -> pa.Array:
    """A small Arrow string array (pools, constants)."""
    return pa.array(list(values), STRING)


def repeat(value: str | None, n: int) -> pa.Array:
    """``n`` copies of one value (None gives nulls)."""
    if value is None:
        return pa.nulls(n, STRING)
    return pa.repeat(pa.scalar(value, STRING), n)


def take(pool: pa.Array, index: np.ndarray) -> pa.Array:
    """``pool[index]`` element-wise."""
    return pool.take(pa.array(np.asarray(index, dtype=np.int64)))


def join(*parts: Part) -> pa.Array:
    """Element-wise concatenation; a null in any array part gives null."""
    return pc.binary_join_element_wise(*parts, "")


def where(mask: np.ndarray, when_true: Part, when_false: Part) -> pa.Array:
    """Element-wise ``when_true if mask else when_false``."""
    return pc.if_else(pa.array(np.asarray(mask, dtype=bool)), when_true, when_false)


def null_where(mask: np.ndarray, values: pa.Array) -> pa.Array:
    """``values`` with the masked rows set to null."""
    if not np.any(mask):
        return values
    return pc.if_else(pa.array(np.asarray(mask, dtype=bool)), NULL, values)


def scatter(mask: np.ndarray, values: pa.Array) -> pa.Array:
    """Full-length array holding ``values`` at the masked rows (in order) and null elsewhere."""
    mask = np.asarray(mask, dtype=bool)
    index = np.cumsum(mask) - 1
    return values.take(pa.array(index, mask=~mask))


def by_variant(variant: np.ndarray, builders: Sequence[Callable[[np.ndarray], pa.Array]]) -> pa.Array:
    """Build each row with the builder its variant selects; every builder only sees its own rows.

    ``builders[k](rows)`` returns the strings for ``rows`` (indices into the caller's arrays) in that order.
    Cheaper than computing every variant for every row and choosing.
    """
    variant = np.asarray(variant, dtype=np.int64)
    n = len(variant)
    if n == 0:
        return pa.array([], STRING)
    order = np.argsort(variant, kind="stable")
    counts = np.bincount(variant, minlength=len(builders))
    parts: list[pa.Array] = []
    start = 0
    for k, count in enumerate(counts):
        if count:
            rows = order[start : start + count]
            part = builders[k](rows)
            if len(part) != count:
                raise AssertionError(f"variant builder {k} returned {len(part)} values for {count} rows")
            parts.append(part.cast(STRING) if part.type != STRING else part)
        start += count
    inverse = np.empty(n, dtype=np.int64)
    inverse[order] = np.arange(n)
    return pa.concat_arrays(parts).take(pa.array(inverse))


def pick(rng: np.random.Generator, n: int, weights: Sequence[float]) -> np.ndarray:
    """``n`` indices drawn with the given (unnormalised) weights."""
    cumulative = np.cumsum(np.asarray(weights, dtype=np.float64))
    index = np.searchsorted(cumulative, rng.random(n) * cumulative[-1], side="right")
    return np.minimum(index, len(cumulative) - 1)


# --------------------------------------------------------------------------------------------- byte matrices


def ascii_matrix_to_strings(matrix: np.ndarray) -> pa.Array:
    """An (n, width) uint8 ASCII matrix -> n strings of exactly ``width`` characters, without copying."""
    matrix = np.ascontiguousarray(matrix, dtype=np.uint8)
    n, width = matrix.shape
    offsets = np.arange(n + 1, dtype=np.int32) * np.int32(width)
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(matrix))


def ascii_matrix_keep(matrix: np.ndarray, keep: np.ndarray) -> pa.Array:
    """Strings made of the kept cells of each matrix row (rows may end up with different lengths)."""
    lengths = keep.sum(axis=1)
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    data = np.ascontiguousarray(matrix[keep], dtype=np.uint8)
    return pa.StringArray.from_buffers(
        len(lengths), pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(data)
    )


def write_digits(matrix: np.ndarray, column: int, values: np.ndarray, width: int) -> None:
    """Write ``values`` zero-padded to ``width`` digits into ``matrix[:, column:column + width]``."""
    v = np.asarray(values, dtype=np.int64)
    # 32-bit division is markedly faster, and most values (dates, sequence numbers) fit.
    v = (
        v.astype(np.uint32)
        if width <= 9 and (len(v) == 0 or (v.min() >= 0 and v.max() < 2**32))
        else v.copy()
    )
    for position in range(column + width - 1, column - 1, -1):
        matrix[:, position] = (v % 10).astype(np.uint8) + np.uint8(_ZERO)
        v = v // 10


def fixed_format(n: int, parts: Sequence[str | tuple[np.ndarray, int]]) -> pa.Array:
    """Fixed-width ASCII strings of literals and zero-padded numbers: ("ID", (n, 9)) -> "ID000000042"."""
    widths = [len(p) if isinstance(p, str) else p[1] for p in parts]
    matrix = np.empty((n, sum(widths)), dtype=np.uint8)
    column = 0
    for part, width in zip(parts, widths, strict=True):
        if isinstance(part, str):
            matrix[:, column : column + width] = np.frombuffer(part.encode("ascii"), dtype=np.uint8)
        else:
            write_digits(matrix, column, part[0], width)
        column += width
    return ascii_matrix_to_strings(matrix)


def digit_count(values: np.ndarray) -> np.ndarray:
    """Number of decimal digits of non-negative integers (0 has one digit)."""
    v = np.asarray(values, dtype=np.int64)
    count = np.ones(len(v), dtype=np.int64)
    threshold = 10
    while True:
        more = v >= threshold
        if not more.any():
            return count
        count += more
        threshold *= 10


def int_to_strings(values: np.ndarray, min_digits: int = 1) -> pa.Array:
    """Decimal strings of integers, zero-padded to ``min_digits`` (non-negative values only when padding)."""
    result = pc.cast(pa.array(np.asarray(values, dtype=np.int64)), STRING)
    if min_digits > 1:
        result = pc.utf8_lpad(result, min_digits, "0")
    return result


# --------------------------------------------------------------------------------------------- identifiers


def mix60(values: np.ndarray) -> np.ndarray:
    """A bijection on 60-bit integers that scatters consecutive inputs (xorshift-multiply rounds)."""
    mask = np.uint64((1 << 60) - 1)
    with np.errstate(over="ignore"):
        z = np.asarray(values, dtype=np.uint64) & mask
        z = (z * np.uint64(0x9E3779B97F4A7C1)) & mask  # odd multiplier: invertible modulo 2**60
        z ^= z >> np.uint64(29)
        z = (z * np.uint64(0xBF58476D1CE4E5B)) & mask
        z ^= z >> np.uint64(31)
    return z


def uuid_strings(rng: np.random.Generator, unique_keys: np.ndarray) -> pa.Array:
    """UUID-v4-looking strings that are unique because 60 of their bits are a bijection of ``unique_keys``."""
    n = len(unique_keys)
    random_bytes = rng.integers(0, 256, size=(n, 8), dtype=np.uint8)
    # Big-endian bytes of a 60-bit value: the first nibble is always 0 and is replaced by the variant nibble.
    keys = np.asarray(unique_keys, dtype=np.uint64) + np.uint64(0x5DEECE66D)
    unique_bytes = mix60(keys).astype(">u8").view(np.uint8).reshape(n, 8)
    all_bytes = np.concatenate([random_bytes, unique_bytes], axis=1)
    nibbles = np.empty((n, 32), dtype=np.uint8)
    nibbles[:, 0::2] = all_bytes >> 4
    nibbles[:, 1::2] = all_bytes & 15
    nibbles[:, 12] = 4  # version 4
    nibbles[:, 16] = 8 + (random_bytes[:, 6] & 3)  # RFC 4122 variant
    hex_chars = (
        nibbles + np.uint8(_ZERO) + (nibbles > 9).astype(np.uint8) * np.uint8(ord("a") - ord("0") - 10)
    )
    matrix = np.take(hex_chars, _UUID_LAYOUT, axis=1)
    matrix[:, [8, 13, 18, 23]] = ord("-")
    return ascii_matrix_to_strings(matrix)


def affine_scramble(values: np.ndarray, modulus: int, multiplier: int, offset: int) -> np.ndarray:
    """A bijection of [0, modulus): consecutive inputs land far apart (``multiplier`` coprime to modulus)."""
    v = np.asarray(values, dtype=np.int64)
    if len(v) and int(v.max()) >= modulus:
        raise ValueError(f"values: {int(v.max())} does not fit in a numbering space of {modulus}")
    return (v % modulus * (multiplier % modulus) + offset) % modulus


def stream_key(name: str) -> int:
    """A stable 32-bit number for a random-stream name."""
    return zlib.crc32(name.encode("utf-8"))


def keyed_uniform(seed: int, stream: str, keys: np.ndarray) -> np.ndarray:
    """Uniform [0, 1) draws that depend only on (seed, stream, key), whatever else is drawn around them."""
    with np.errstate(over="ignore"):
        base = _splitmix64(np.array([(seed << 32) ^ stream_key(stream)], dtype=np.uint64))[0]
        z = _splitmix64(np.asarray(keys, dtype=np.uint64) ^ base)
    return (z >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def _splitmix64(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        z = x + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def string_hash64(values: pa.Array) -> np.ndarray:
    """A 64-bit hash of each string (nulls hash like the empty string), computed without Python loops."""
    values = pa.concat_arrays([values.cast(STRING)])  # a fresh array: offset 0, int32 offsets
    n = len(values)
    offsets_buffer, data_buffer = values.buffers()[1], values.buffers()[2]
    offsets = np.frombuffer(offsets_buffer, dtype=np.int32)[: n + 1].astype(np.int64)
    data = (
        np.frombuffer(data_buffer, dtype=np.uint8)[: offsets[-1]]
        if data_buffer is not None
        else np.zeros(0, np.uint8)
    )
    lengths = np.diff(offsets)
    result = np.zeros(n, dtype=np.uint64)
    if len(data):
        owner = np.repeat(np.arange(n), lengths)
        position_from_end = offsets[owner + 1] - np.arange(len(data)) - 1
        max_length = int(lengths.max())
        powers = np.empty(max_length, dtype=np.uint64)
        with np.errstate(over="ignore"):
            powers[0] = 1
            base = np.uint64(0x100000001B3)
            for i in range(1, max_length):
                powers[i] = powers[i - 1] * base
            weighted = (data.astype(np.uint64) + np.uint64(1)) * powers[position_from_end]
            non_empty = lengths > 0
            sums = np.add.reduceat(weighted, offsets[:-1][non_empty])
            result[non_empty] = sums
    with np.errstate(over="ignore"):
        return _splitmix64(result ^ (lengths.astype(np.uint64) << np.uint64(56)))


class HashSet:
    """A growing set of 64-bit hashes kept as one sorted array (membership by binary search)."""

    def __init__(self) -> None:
        self._sorted = np.zeros(0, dtype=np.uint64)

    def __len__(self) -> int:
        return len(self._sorted)

    def contains(self, hashes: np.ndarray) -> np.ndarray:
        """Which of ``hashes`` are already in the set."""
        if not len(self._sorted):
            return np.zeros(len(hashes), dtype=bool)
        position = np.searchsorted(self._sorted, hashes)
        position = np.minimum(position, len(self._sorted) - 1)
        return self._sorted[position] == hashes

    def add(self, hashes: np.ndarray) -> None:
        """Insert ``hashes`` (duplicates are harmless)."""
        new = np.unique(np.asarray(hashes, dtype=np.uint64))
        self._sorted = np.insert(self._sorted, np.searchsorted(self._sorted, new), new)


def strip_accents_python(text: str) -> str:
    """ASCII-fold a pool entry (pools are small, so this runs in Python once at import)."""
    import unicodedata

    replacements = {"ß": "ss", "Œ": "OE", "œ": "oe", "Æ": "AE", "æ": "ae", "ø": "o", "Ø": "O", "ł": "l"}
    text = "".join(replacements.get(ch, ch) for ch in text)
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
