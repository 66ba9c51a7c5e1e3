"""CRC-32C (Castagnoli), the checksum that frames every TFRecord.

The C implementation from `google-crc32c` is used when installed (a declared dependency); the table-driven
pure-Python fallback keeps records readable on machines that only have numpy, at about 10 MB/s.
"""

from __future__ import annotations

try:  # pragma: no cover - exercised implicitly whichever branch is installed
    import google_crc32c as _fast

    if getattr(_fast, "implementation", "c") != "c":
        _fast = None
except ImportError:  # pragma: no cover
    _fast = None

_POLY = 0x82F63B78


def _make_table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ _POLY if crc & 1 else crc >> 1
        table.append(crc)
    return table


_TABLE = _make_table()


def crc32c_python(data: bytes) -> int:
    """Reference implementation; slow but dependency-free."""
    crc = 0xFFFFFFFF
    table = _TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def crc32c(data: bytes) -> int:
    """CRC-32C of `data` as an unsigned 32-bit integer."""
    if _fast is not None:
        return _fast.value(bytes(data))
    return crc32c_python(data)


def masked_crc32c(data: bytes) -> int:
    """The rotated-and-offset CRC that TFRecord stores, so that CRCs of CRCs stay well distributed."""
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF
