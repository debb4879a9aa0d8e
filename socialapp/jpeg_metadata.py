"""Strip a JPEG's metadata without decoding it: copy the segments a decoder needs and
drop the rest, so the pixels stay exactly the ones the camera encoded.

Kept: the tables (DQT, DHT), frame and scan headers (SOF0-2, SOS, DRI, DNL), the
entropy-coded data, a JFIF header without its embedded thumbnail, Adobe's APP14 (no
personal data; it says whether the three channels are YCbCr or RGB) and, when asked, the
ICC colour profile (APP2 "ICC_PROFILE" segments: without it a phone's Display P3 photo
shows washed out). Dropped: every other APPn (EXIF with GPS, XMP, maker notes, MPF),
comments, and whatever follows the end of the image (phones append their own trailers
there).
"""

import re
import struct

EOI, SOS = 0xD9, 0xDA
APP0, APP2, APP14, COM = 0xE0, 0xE2, 0xEE, 0xFE
# SOF0-2 (baseline, extended and progressive Huffman), DHT, DQT, DNL, DRI: what decoding
# needs, copied as they are. Arithmetic-coded, lossless and hierarchical JPEGs are left
# to re-encoding: Pillow may read them, but browsers do not.
_CODING = {0xC0, 0xC1, 0xC2, 0xC4, 0xDB, 0xDC, 0xDD}
# In entropy-coded data 0xFF is followed by 0x00 (a stuffed byte), RSTn or more fill bytes;
# anything else starts the next marker.
_NEXT_MARKER = re.compile(rb"\xff(?=[^\x00\xd0-\xd7\xff])")


def jpeg_without_metadata(data: bytes, *, keep_icc: bool = False) -> bytes | None:
    """The JPEG with only what decoding needs (and its ICC profile if `keep_icc`), or
    None when its structure is not one this copies safely (truncated, no end marker, not
    Huffman-coded, markers it does not know)."""
    if data[:2] != b"\xff\xd8":
        return None
    out = [b"\xff\xd8"]
    position = 2
    while True:
        while data[position : position + 2] == b"\xff\xff":  # fill bytes before a marker
            position += 1
        if position + 2 > len(data) or data[position] != 0xFF:
            return None
        marker = data[position + 1]
        if marker == EOI:
            out.append(b"\xff\xd9")
            return b"".join(out)
        if position + 4 > len(data):
            return None
        (length,) = struct.unpack_from(">H", data, position + 2)
        end = position + 2 + length
        if length < 2 or end > len(data):
            return None
        segment = data[position:end]
        if marker == SOS:
            found = _NEXT_MARKER.search(data, end)
            if found is None:
                return None
            out.append(data[position : found.start()])
            position = found.start()
            continue
        if marker in _CODING:
            out.append(segment)
        elif marker == APP0 and segment[4:9] == b"JFIF\x00" and length >= 16:
            out.append(_jfif_without_thumbnail(segment))
        elif _kept(marker, segment, keep_icc):
            out.append(segment)
        elif not (0xE0 <= marker <= 0xEF or marker == COM):
            return None
        position = end


def _kept(marker: int, segment: bytes, keep_icc: bool) -> bool:
    """Adobe's APP14, and the ICC profile's APP2 segments if asked for."""
    if marker == APP14:
        return segment[4:9] == b"Adobe"
    return keep_icc and marker == APP2 and segment[4:16] == b"ICC_PROFILE\x00"


def _jfif_without_thumbnail(segment: bytes) -> bytes:
    # Marker, length 16, "JFIF\0", version, density units and x/y density; 0x0 thumbnail.
    return b"\xff\xe0\x00\x10" + segment[4:16] + b"\x00\x00"
