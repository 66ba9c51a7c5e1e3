"""Encode and decode `tf.train.Example` protocol buffers without TensorFlow or protobuf.

Only the subset TFRecord datasets use is implemented: an Example is a map from feature name to one of
bytes_list (field 1), float_list (field 2, packed float32) or int64_list (field 3, packed varints). Keys are
written in sorted order so that identical features always serialise to identical bytes (TensorFlow does
not promise that, which is why the builder uses this encoder for reproducible shards).
"""

from __future__ import annotations

import struct
from typing import Union

FeatureValue = Union[bytes, str, int, float, list, tuple]
Features = dict[str, list]


class ExampleDecodeError(ValueError):
    """Raised for bytes that are not a well-formed tf.train.Example."""


# ---------------------------------------------------------------- encoding


def _varint(value: int) -> bytes:
    value &= 0xFFFFFFFFFFFFFFFF  # negative int64 are encoded as their 64-bit two's complement
    out = bytearray()
    while True:
        bits = value & 0x7F
        value >>= 7
        if value:
            out.append(bits | 0x80)
        else:
            out.append(bits)
            return bytes(out)


def _length_delimited(field: int, payload: bytes) -> bytes:
    return _varint((field << 3) | 2) + _varint(len(payload)) + payload


def _as_list(value: FeatureValue) -> list:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _encode_feature(values: list) -> bytes:
    if not values:
        raise ValueError("a feature needs at least one value (its type cannot be inferred from nothing)")
    first = values[0]
    if isinstance(first, (bytes, bytearray, str)):
        items = [v.encode("utf-8") if isinstance(v, str) else bytes(v) for v in values]
        body = b"".join(_length_delimited(1, item) for item in items)
        return _length_delimited(1, body)
    if isinstance(first, bool) or isinstance(first, int) or hasattr(first, "__index__"):
        packed = b"".join(_varint(int(v)) for v in values)
        return _length_delimited(3, _length_delimited(1, packed))
    if isinstance(first, float) or hasattr(first, "__float__"):
        packed = struct.pack(f"<{len(values)}f", *[float(v) for v in values])
        return _length_delimited(2, _length_delimited(1, packed))
    raise TypeError(f"unsupported feature value type {type(first).__name__}")


def encode_example(features: dict[str, FeatureValue]) -> bytes:
    """Serialise a dict of features (bytes/str, int or float, scalar or list) as a tf.train.Example."""
    entries = []
    for key in sorted(features):
        entry = _length_delimited(1, key.encode("utf-8")) + _length_delimited(
            2, _encode_feature(_as_list(features[key]))
        )
        entries.append(_length_delimited(1, entry))
    return _length_delimited(1, b"".join(entries))


# ---------------------------------------------------------------- decoding


def _read_varint(buf: memoryview, pos: int) -> tuple[int, int]:
    result = 0
    shift = 0
    while True:
        if pos >= len(buf):
            raise ExampleDecodeError("truncated varint")
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise ExampleDecodeError("varint longer than 10 bytes")


def _fields(buf: memoryview):
    """Yield (field_number, wire_type, value) where value is an int or a memoryview slice."""
    pos = 0
    while pos < len(buf):
        tag, pos = _read_varint(buf, pos)
        field, wire = tag >> 3, tag & 7
        if wire == 0:
            value, pos = _read_varint(buf, pos)
        elif wire == 2:
            length, pos = _read_varint(buf, pos)
            if pos + length > len(buf):
                raise ExampleDecodeError("length-delimited field runs past the end of the message")
            value = buf[pos : pos + length]
            pos += length
        elif wire == 5:
            value = buf[pos : pos + 4]
            pos += 4
        elif wire == 1:
            value = buf[pos : pos + 8]
            pos += 8
        else:
            raise ExampleDecodeError(f"unsupported wire type {wire}")
        yield field, wire, value


def _signed64(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


def _decode_feature(buf: memoryview) -> list:
    values: list = []
    for kind, _, body in _fields(buf):
        for _, wire, item in _fields(body):
            if kind == 1:
                values.append(bytes(item))
            elif kind == 2:
                raw = bytes(item)
                values.extend(struct.unpack(f"<{len(raw) // 4}f", raw) if wire == 2 else [struct.unpack("<f", raw)[0]])
            elif kind == 3:
                if wire == 0:
                    values.append(_signed64(item))
                else:
                    pos = 0
                    while pos < len(item):
                        v, pos = _read_varint(item, pos)
                        values.append(_signed64(v))
    return values


def decode_example(data: bytes) -> Features:
    """Parse a serialised tf.train.Example into {name: [values]} (bytes, int or float values)."""
    features: Features = {}
    try:
        for field, _, body in _fields(memoryview(data)):
            if field != 1:
                continue
            for entry_field, _, entry in _fields(body):
                if entry_field != 1:
                    continue
                key, value = None, []
                for kv_field, _, kv in _fields(entry):
                    if kv_field == 1:
                        key = bytes(kv).decode("utf-8")
                    elif kv_field == 2:
                        value = _decode_feature(kv)
                if key is None:
                    raise ExampleDecodeError("feature map entry without a key")
                features[key] = value
    except (IndexError, UnicodeDecodeError, struct.error) as exc:
        raise ExampleDecodeError(str(exc)) from exc
    return features
