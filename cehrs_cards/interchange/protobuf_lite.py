"""A tiny protobuf wire-format reader and writer for the few Anki messages we touch.

Anki's current packages keep small protobuf blobs (package meta, media list, note-type and
template config). Reading them needs only varints and length-delimited fields, so a 60-line
reader replaces a dependency on the protobuf runtime and generated code.
"""

from __future__ import annotations

from collections.abc import Iterator

VARINT, I64, LEN, I32 = 0, 1, 2, 5
Value = int | bytes


class ProtobufError(ValueError):
    """The bytes are not a well-formed protobuf message."""


def read_varint(buf: bytes, pos: int) -> tuple[int, int]:
    """The varint starting at `pos` and the position after it."""
    result = shift = 0
    while True:
        if pos >= len(buf):
            raise ProtobufError("truncated varint")
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise ProtobufError("varint longer than 10 bytes")


def iter_fields(buf: bytes) -> Iterator[tuple[int, Value]]:
    """(field number, value) pairs in wire order; fixed-width values come back as ints."""
    pos = 0
    while pos < len(buf):
        key, pos = read_varint(buf, pos)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise ProtobufError("field number 0")
        if wire == VARINT:
            value, pos = read_varint(buf, pos)
            yield number, value
        elif wire == LEN:
            size, pos = read_varint(buf, pos)
            if pos + size > len(buf):
                raise ProtobufError("length-delimited field runs past the end")
            yield number, bytes(buf[pos : pos + size])
            pos += size
        elif wire in (I64, I32):
            width = 8 if wire == I64 else 4
            if pos + width > len(buf):
                raise ProtobufError("fixed-width field runs past the end")
            yield number, int.from_bytes(buf[pos : pos + width], "little")
            pos += width
        else:
            raise ProtobufError(f"unsupported wire type {wire}")


def parse(buf: bytes) -> dict[int, list[Value]]:
    """Every field of a message, repeated ones in order."""
    out: dict[int, list[Value]] = {}
    for number, value in iter_fields(buf):
        out.setdefault(number, []).append(value)
    return out


def first_int(msg: dict[int, list[Value]], number: int, default: int = 0) -> int:
    values = [v for v in msg.get(number, []) if isinstance(v, int)]
    return values[-1] if values else default


def first_str(msg: dict[int, list[Value]], number: int, default: str = "") -> str:
    values = [v for v in msg.get(number, []) if isinstance(v, bytes)]
    if not values:
        return default
    try:
        return values[-1].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtobufError(f"field {number} is not UTF-8 text") from exc


def all_bytes(msg: dict[int, list[Value]], number: int) -> list[bytes]:
    return [v for v in msg.get(number, []) if isinstance(v, bytes)]


def encode_varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def field_varint(number: int, value: int) -> bytes:
    return encode_varint(number << 3 | VARINT) + encode_varint(value)


def field_bytes(number: int, value: bytes) -> bytes:
    return encode_varint(number << 3 | LEN) + encode_varint(len(value)) + value
