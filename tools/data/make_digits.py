"""Writes kernels/data/digits.bin from scikit-learn's copy of the UCI optdigits 8x8 digits.

Run once in any venv with scikit-learn installed:
    python tools/data/make_digits.py
The output is committed; nothing is downloaded at run time.

Format (all little endian, no padding):
    b"DIGITS1\n"                     8-byte magic
    u16 count                        number of images (1797)
    count records of 41 bytes:
        u8 label                     0..=9
        40 bytes                     64 pixels of 5 bits each (values 0..=16), row-major,
                                     packed least-significant bit first
"""
import os
import struct

import numpy as np
from sklearn.datasets import load_digits

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
d = load_digits()
pixels = d.data.astype(np.uint8)
labels = d.target.astype(np.uint8)
assert pixels.shape == (1797, 64) and pixels.max() <= 16

out = bytearray(b"DIGITS1\n")
out += struct.pack("<H", len(labels))
for img, lab in zip(pixels, labels):
    out.append(int(lab))
    bits = 0
    for i, v in enumerate(img):
        bits |= int(v) << (5 * i)
    out += bits.to_bytes(40, "little")
path = os.path.join(root, "kernels", "data", "digits.bin")
with open(path, "wb") as f:
    f.write(out)
print(f"wrote {path}: {len(out)} bytes, class counts {np.bincount(labels).tolist()}")
