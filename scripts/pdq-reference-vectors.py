#!/usr/bin/env python3
"""PDQ test vectors for crates/image/tests/pdq.rs, from Meta's reference C++ implementation.

The pictures are generated from integer formulas (the same ones the Rust test uses), so no
image file is committed; the hashes come from the reference implementation compiled by PyPI's
`pdqhash` package (faustomorales/pdqhash-python, which wraps ThreatExchange's pdq/cpp).

    python3 -m pip install pdqhash numpy && python3 scripts/pdq-reference-vectors.py
"""
import numpy as np
import pdqhash


def picture(kind, w, h):
    a = np.zeros((h, w, 3), dtype=np.uint8)
    for y in range(h):
        for x in range(w):
            if kind == "gradients":
                r = (x * x + 3 * y) % 256
                g = (x * y // 5) % 256
                b = ((x - w // 2) ** 2 + (y - h // 2) ** 2) // 40 % 256
            elif kind == "checks":
                v = 230 if (x // 25 + y // 30) % 2 else 20
                r, g, b = v, (v + x) % 256, (v + 2 * y) % 256
            elif kind == "soft":
                r = g = b = 100 + ((x + y) // 16) % 50
            else:  # "rings"
                d = ((x - w // 3) ** 2 + (y - h // 3) ** 2) // 97
                r = g = b = 255 if d % 2 else 0
            a[y, x] = (r, g, b)
    return a


def hex_of(bits):
    # The binding returns bit 255 first (`hash_to_vector(...)[::-1]`). Bit k of the 256 is
    # bit k % 8 of byte 31 - k // 8 in the reference's hex order (Hash256.w[15] first).
    out = bytearray(32)
    for k, bit in enumerate(reversed(bits)):
        if bit:
            out[31 - k // 8] |= 1 << (k % 8)
    return out.hex()


for kind, w, h in [("gradients", 320, 240), ("checks", 500, 180), ("rings", 97, 61),
                   ("rings", 400, 400), ("soft", 200, 150)]:
    bits, quality = pdqhash.compute(picture(kind, w, h))
    print(f'("{kind}", {w}, {h}, "{hex_of(bits)}", {quality}),')
