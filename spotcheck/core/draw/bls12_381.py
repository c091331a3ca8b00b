"""BLS12-381 in pure Python, enough to verify a drand beacon (docs/draw-spec.md §6.3).

Field tower Fp ⊂ Fp2 = Fp[u]/(u²+1) ⊂ Fp6 = Fp2[v]/(v³−ξ) ⊂ Fp12 = Fp6[w]/(w²−v), ξ = 1+u;
G1 on E: y² = x³ + 4 over Fp, G2 on the twist E': y² = x³ + 4ξ over Fp2; compressed point
encodings (ZCash format) with on-curve and subgroup checks; hash_to_curve of RFC 9380
(expand_message_xmd with SHA-256, simplified SWU on an isogenous curve, the 11- and
3-isogeny maps, cofactor clearing by h_eff); the optimal ate pairing (Miller loop over
|x| = 0xd201000000010000 with affine line functions, then the final exponentiation).

Nothing here is constant time and nothing handles a secret: it only checks public
signatures.  tools/verify_draw.py carries a copy of this code (it must stay one file that
imports nothing from the project); the tests run the same vectors against both.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

__all__ = [
    "DST_G1",
    "DST_G2",
    "PointError",
    "expand_message_xmd",
    "g1_compress",
    "g1_decompress",
    "g2_compress",
    "g2_decompress",
    "hash_to_g1",
    "hash_to_g2",
    "pairing_product_is_one",
    "verify_g1_signature",
    "verify_g2_signature",
]

P = int(
    "1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab",
    16,
)
R = 0x73EDA753299D7D483339D80809A1D80553BDA402FFFE5BFEFFFFFFFF00000001
X_ABS = 0xD201000000010000  # the curve parameter is x = -X_ABS
DST_G1 = b"BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_"
DST_G2 = b"BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_NUL_"


class PointError(ValueError):
    """Bytes that are not a valid point of the expected group."""


T = TypeVar("T")
Fp2 = tuple[int, int]
Fp6 = tuple[Fp2, Fp2, Fp2]
Fp12 = tuple[Fp6, Fp6]

# ---------------------------------------------------------------- Fp


def _fp_sqrt(a: int) -> int | None:
    root = pow(a, (P + 1) // 4, P)  # p ≡ 3 (mod 4)
    return root if root * root % P == a % P else None


def _fp_sgn0(a: int) -> int:
    return a % 2


# ---------------------------------------------------------------- Fp2 = Fp[u]/(u² + 1)

F2_ZERO: Fp2 = (0, 0)
F2_ONE: Fp2 = (1, 0)


def f2_add(a: Fp2, b: Fp2) -> Fp2:
    return ((a[0] + b[0]) % P, (a[1] + b[1]) % P)


def f2_sub(a: Fp2, b: Fp2) -> Fp2:
    return ((a[0] - b[0]) % P, (a[1] - b[1]) % P)


def f2_neg(a: Fp2) -> Fp2:
    return (-a[0] % P, -a[1] % P)


def f2_mul(a: Fp2, b: Fp2) -> Fp2:
    a0, a1 = a
    b0, b1 = b
    t0 = a0 * b0
    t1 = a1 * b1
    return ((t0 - t1) % P, ((a0 + a1) * (b0 + b1) - t0 - t1) % P)


def f2_sqr(a: Fp2) -> Fp2:
    a0, a1 = a
    return ((a0 + a1) * (a0 - a1) % P, 2 * a0 * a1 % P)


def f2_scale(a: Fp2, k: int) -> Fp2:
    return (a[0] * k % P, a[1] * k % P)


def f2_mul_xi(a: Fp2) -> Fp2:
    """Multiply by ξ = 1 + u."""
    return ((a[0] - a[1]) % P, (a[0] + a[1]) % P)


def f2_inv(a: Fp2) -> Fp2:
    norm = (a[0] * a[0] + a[1] * a[1]) % P
    if norm == 0:
        raise ZeroDivisionError("inverse of zero in Fp2")
    inv = pow(norm, P - 2, P)
    return (a[0] * inv % P, -a[1] * inv % P)


def _f2_sqrt(a: Fp2) -> Fp2 | None:
    """A square root in Fp2, or None: the complex method, checked at the end."""
    a0, a1 = a[0] % P, a[1] % P
    if a1 == 0:
        root = _fp_sqrt(a0)
        if root is not None:
            return (root, 0)
        root = _fp_sqrt(-a0 % P)  # a0 = -(root²) = (root·u)²
        return None if root is None else (0, root)
    norm_root = _fp_sqrt((a0 * a0 + a1 * a1) % P)
    if norm_root is None:
        return None
    half = (P + 1) // 2
    for sign in (1, -1):
        x0 = _fp_sqrt((a0 + sign * norm_root) * half % P)
        if x0:
            candidate = (x0, a1 * pow(2 * x0, P - 2, P) % P)
            if f2_sqr(candidate) == (a0, a1):
                return candidate
    return None


def _f2_sgn0(a: Fp2) -> int:
    """RFC 9380 §4.1 sgn0 for m = 2."""
    return (a[0] % 2) | ((a[0] == 0) & (a[1] % 2))


# ---------------------------------------------------------------- Fp6 = Fp2[v]/(v³ − ξ)

F6_ZERO: Fp6 = (F2_ZERO, F2_ZERO, F2_ZERO)
F6_ONE: Fp6 = (F2_ONE, F2_ZERO, F2_ZERO)


def f6_add(a: Fp6, b: Fp6) -> Fp6:
    return (f2_add(a[0], b[0]), f2_add(a[1], b[1]), f2_add(a[2], b[2]))


def f6_sub(a: Fp6, b: Fp6) -> Fp6:
    return (f2_sub(a[0], b[0]), f2_sub(a[1], b[1]), f2_sub(a[2], b[2]))


def f6_neg(a: Fp6) -> Fp6:
    return (f2_neg(a[0]), f2_neg(a[1]), f2_neg(a[2]))


def f6_mul(a: Fp6, b: Fp6) -> Fp6:
    a0, a1, a2 = a
    b0, b1, b2 = b
    t0 = f2_mul(a0, b0)
    t1 = f2_mul(a1, b1)
    t2 = f2_mul(a2, b2)
    c0 = f2_add(t0, f2_mul_xi(f2_sub(f2_mul(f2_add(a1, a2), f2_add(b1, b2)), f2_add(t1, t2))))
    c1 = f2_add(f2_sub(f2_mul(f2_add(a0, a1), f2_add(b0, b1)), f2_add(t0, t1)), f2_mul_xi(t2))
    c2 = f2_add(f2_sub(f2_mul(f2_add(a0, a2), f2_add(b0, b2)), f2_add(t0, t2)), t1)
    return (c0, c1, c2)


def f6_mul_v(a: Fp6) -> Fp6:
    """Multiply by v (v³ = ξ)."""
    return (f2_mul_xi(a[2]), a[0], a[1])


def f6_inv(a: Fp6) -> Fp6:
    a0, a1, a2 = a
    c0 = f2_sub(f2_sqr(a0), f2_mul_xi(f2_mul(a1, a2)))
    c1 = f2_sub(f2_mul_xi(f2_sqr(a2)), f2_mul(a0, a1))
    c2 = f2_sub(f2_sqr(a1), f2_mul(a0, a2))
    norm = f2_add(f2_mul(a0, c0), f2_mul_xi(f2_add(f2_mul(a2, c1), f2_mul(a1, c2))))
    inv = f2_inv(norm)
    return (f2_mul(c0, inv), f2_mul(c1, inv), f2_mul(c2, inv))


# ---------------------------------------------------------------- Fp12 = Fp6[w]/(w² − v)

F12_ONE: Fp12 = (F6_ONE, F6_ZERO)


def f12_mul(a: Fp12, b: Fp12) -> Fp12:
    a0, a1 = a
    b0, b1 = b
    t0 = f6_mul(a0, b0)
    t1 = f6_mul(a1, b1)
    c1 = f6_sub(f6_mul(f6_add(a0, a1), f6_add(b0, b1)), f6_add(t0, t1))
    return (f6_add(t0, f6_mul_v(t1)), c1)


def f12_sqr(a: Fp12) -> Fp12:
    a0, a1 = a
    t = f6_mul(a0, a1)
    c0 = f6_sub(f6_mul(f6_add(a0, a1), f6_add(a0, f6_mul_v(a1))), f6_add(t, f6_mul_v(t)))
    return (c0, f6_add(t, t))


def f12_conj(a: Fp12) -> Fp12:
    """a^(p⁶): w ↦ −w."""
    return (a[0], f6_neg(a[1]))


def f12_inv(a: Fp12) -> Fp12:
    a0, a1 = a
    inv = f6_inv(f6_sub(f6_mul(a0, a0), f6_mul_v(f6_mul(a1, a1))))
    return (f6_mul(a0, inv), f6_neg(f6_mul(a1, inv)))


def f12_pow(a: Fp12, e: int) -> Fp12:
    result = F12_ONE
    for bit in bin(e)[2:]:
        result = f12_sqr(result)
        if bit == "1":
            result = f12_mul(result, a)
    return result


# ---------------------------------------------------------------- fields as values, for curves


class _Field(Generic[T]):
    """The operations a curve needs from its base field (Fp for G1, Fp2 for G2)."""

    def __init__(
        self,
        *,
        zero: T,
        one: T,
        add: Callable[[T, T], T],
        sub: Callable[[T, T], T],
        mul: Callable[[T, T], T],
        sqr: Callable[[T], T],
        neg: Callable[[T], T],
        inv: Callable[[T], T],
        sqrt: Callable[[T], T | None],
        sgn0: Callable[[T], int],
        scale: Callable[[T, int], T],
    ) -> None:
        self.zero, self.one = zero, one
        self.add, self.sub, self.mul, self.sqr, self.neg = add, sub, mul, sqr, neg
        self.inv, self.sqrt, self.sgn0, self.scale = inv, sqrt, sgn0, scale


def _fp_inv(a: int) -> int:
    if a % P == 0:
        raise ZeroDivisionError("inverse of zero in Fp")
    return pow(a, P - 2, P)


FP = _Field[int](
    zero=0,
    one=1,
    add=lambda a, b: (a + b) % P,
    sub=lambda a, b: (a - b) % P,
    mul=lambda a, b: a * b % P,
    sqr=lambda a: a * a % P,
    neg=lambda a: -a % P,
    inv=_fp_inv,
    sqrt=_fp_sqrt,
    sgn0=_fp_sgn0,
    scale=lambda a, k: a * k % P,
)
FP2 = _Field[Fp2](
    zero=F2_ZERO,
    one=F2_ONE,
    add=f2_add,
    sub=f2_sub,
    mul=f2_mul,
    sqr=f2_sqr,
    neg=f2_neg,
    inv=f2_inv,
    sqrt=_f2_sqrt,
    sgn0=_f2_sgn0,
    scale=f2_scale,
)

# ---------------------------------------------------------------- curves in Jacobian coordinates


class _Curve(Generic[T]):
    """y² = x³ + b over a field; points are Jacobian (X, Y, Z), Z = 0 for infinity."""

    def __init__(self, field: _Field[T], b: T) -> None:
        self.f = field
        self.b = b
        self.infinity: tuple[T, T, T] = (field.one, field.one, field.zero)

    def on_curve(self, x: T, y: T) -> bool:
        f = self.f
        return f.sqr(y) == f.add(f.mul(f.sqr(x), x), self.b)

    def from_affine(self, x: T, y: T) -> tuple[T, T, T]:
        return (x, y, self.f.one)

    def to_affine(self, pt: tuple[T, T, T]) -> tuple[T, T] | None:
        f = self.f
        x, y, z = pt
        if z == f.zero:
            return None
        zi = f.inv(z)
        zi2 = f.sqr(zi)
        return (f.mul(x, zi2), f.mul(y, f.mul(zi2, zi)))

    def neg(self, pt: tuple[T, T, T]) -> tuple[T, T, T]:
        return (pt[0], self.f.neg(pt[1]), pt[2])

    def double(self, pt: tuple[T, T, T]) -> tuple[T, T, T]:
        f = self.f
        x, y, z = pt
        if z == f.zero or y == f.zero:
            return self.infinity
        a = f.sqr(x)
        b = f.sqr(y)
        c = f.sqr(b)
        d = f.scale(f.sub(f.sqr(f.add(x, b)), f.add(a, c)), 2)
        e = f.scale(a, 3)
        x3 = f.sub(f.sqr(e), f.scale(d, 2))
        y3 = f.sub(f.mul(e, f.sub(d, x3)), f.scale(c, 8))
        return (x3, y3, f.scale(f.mul(y, z), 2))

    def add(self, p1: tuple[T, T, T], p2: tuple[T, T, T]) -> tuple[T, T, T]:
        f = self.f
        x1, y1, z1 = p1
        x2, y2, z2 = p2
        if z1 == f.zero:
            return p2
        if z2 == f.zero:
            return p1
        z1z1 = f.sqr(z1)
        z2z2 = f.sqr(z2)
        u1 = f.mul(x1, z2z2)
        u2 = f.mul(x2, z1z1)
        s1 = f.mul(y1, f.mul(z2, z2z2))
        s2 = f.mul(y2, f.mul(z1, z1z1))
        h = f.sub(u2, u1)
        r = f.scale(f.sub(s2, s1), 2)
        if h == f.zero:
            return self.double(p1) if r == f.zero else self.infinity
        i = f.sqr(f.scale(h, 2))
        j = f.mul(h, i)
        v = f.mul(u1, i)
        x3 = f.sub(f.sub(f.sqr(r), j), f.scale(v, 2))
        y3 = f.sub(f.mul(r, f.sub(v, x3)), f.scale(f.mul(s1, j), 2))
        z3 = f.mul(f.sub(f.sqr(f.add(z1, z2)), f.add(z1z1, z2z2)), h)
        return (x3, y3, z3)

    def mul(self, pt: tuple[T, T, T], k: int) -> tuple[T, T, T]:
        result = self.infinity
        for bit in bin(k)[2:]:
            result = self.double(result)
            if bit == "1":
                result = self.add(result, pt)
        return result

    def is_infinity(self, pt: tuple[T, T, T]) -> bool:
        return pt[2] == self.f.zero


XI: Fp2 = (1, 1)
G1_CURVE = _Curve[int](FP, 4)
G2_CURVE = _Curve[Fp2](FP2, f2_scale(XI, 4))

G1_GENERATOR = (
    0x17F1D3A73197D7942695638C4FA9AC0FC3688C4F9774B905A14E3A3F171BAC586C55E83FF97A1AEFFB3AF00ADB22C6BB,
    0x08B3F481E3AAA0F1A09E30ED741D8AE4FCF5E095D5D00AF600DB18CB2C04B3EDD03CC744A2888AE40CAA232946C5E7E1,
)
G2_GENERATOR: tuple[Fp2, Fp2] = (
    (
        0x024AA2B2F08F0A91260805272DC51051C6E47AD4FA403B02B4510B647AE3D1770BAC0326A805BBEFD48056C8C121BDB8,
        0x13E02B6052719F607DACD3A088274F65596BD0D09920B61AB5DA61BBDC7F5049334CF11213945D57E5AC7D055D042B7E,
    ),
    (
        0x0CE5D527727D6E118CC9CDC6DA2E351AADFD9BAA8CBDD3A76D429A695160D12C923AC9CC3BACA289E193548608B82801,
        0x0606C4A02EA734CC32ACD2B02BC28B99CB3E287E85A763AF267492AB572E99AB3F370D275CEC1DA1AAA9075FF05F79BE,
    ),
)

G1Affine = tuple[int, int]
G2Affine = tuple[Fp2, Fp2]

# ---------------------------------------------------------------- compressed encodings


def _split_flags(data: bytes, size: int) -> tuple[bool, bool, bytes]:
    """Return (infinity, sign, x bytes without flags); refuse uncompressed forms."""
    if len(data) != size:
        raise PointError(f"应为{size}字节，实为{len(data)}字节 / expected {size} bytes")
    flags = data[0]
    if not flags & 0x80:
        raise PointError("未压缩的点编码 / not a compressed point")
    infinity, sign = bool(flags & 0x40), bool(flags & 0x20)
    body = bytes([flags & 0x1F]) + data[1:]
    if infinity and (sign or any(body)):
        raise PointError("无穷远点编码不规范 / bad encoding of the point at infinity")
    return infinity, sign, body


def _fp_from(data: bytes) -> int:
    value = int.from_bytes(data, "big")
    if value >= P:
        raise PointError("坐标不小于p / coordinate not below the field modulus")
    return value


def _lexicographically_largest(y: int) -> bool:
    return y > (P - 1) // 2


def g1_decompress(data: bytes) -> G1Affine:
    """Decode a 48-byte compressed G1 point; refuse infinity, off-curve and off-subgroup."""
    infinity, sign, body = _split_flags(data, 48)
    if infinity:
        raise PointError("G1点为无穷远点 / point at infinity")
    x = _fp_from(body)
    y = _fp_sqrt((x * x * x + 4) % P)
    if y is None:
        raise PointError("G1点不在曲线上 / point not on the curve")
    if _lexicographically_largest(y) != sign:
        y = P - y
    if not G1_CURVE.is_infinity(G1_CURVE.mul(G1_CURVE.from_affine(x, y), R)):
        raise PointError("G1点不在素数阶子群中 / point not in the prime-order subgroup")
    return (x, y)


def g2_decompress(data: bytes) -> G2Affine:
    """Decode a 96-byte compressed G2 point (x = x1·u + x0, x1 first)."""
    infinity, sign, body = _split_flags(data, 96)
    if infinity:
        raise PointError("G2点为无穷远点 / point at infinity")
    x: Fp2 = (_fp_from(body[48:]), _fp_from(body[:48]))
    y = _f2_sqrt(f2_add(f2_mul(f2_sqr(x), x), G2_CURVE.b))
    if y is None:
        raise PointError("G2点不在曲线上 / point not on the curve")
    largest = _lexicographically_largest(y[1]) if y[1] else _lexicographically_largest(y[0])
    if largest != sign:
        y = f2_neg(y)
    if not G2_CURVE.is_infinity(G2_CURVE.mul(G2_CURVE.from_affine(x, y), R)):
        raise PointError("G2点不在素数阶子群中 / point not in the prime-order subgroup")
    return (x, y)


def g1_compress(pt: G1Affine) -> bytes:
    x, y = pt
    data = bytearray(x.to_bytes(48, "big"))
    data[0] |= 0x80 | (0x20 if _lexicographically_largest(y) else 0)
    return bytes(data)


def g2_compress(pt: G2Affine) -> bytes:
    (x0, x1), (y0, y1) = pt
    largest = _lexicographically_largest(y1) if y1 else _lexicographically_largest(y0)
    data = bytearray(x1.to_bytes(48, "big") + x0.to_bytes(48, "big"))
    data[0] |= 0x80 | (0x20 if largest else 0)
    return bytes(data)


# ---------------------------------------------------------------- hash_to_curve (RFC 9380)


def expand_message_xmd(msg: bytes, dst: bytes, length: int) -> bytes:
    """RFC 9380 §5.3.1 with SHA-256 (b_in_bytes 32, s_in_bytes 64)."""
    ell = -(-length // 32)
    if ell > 255 or length > 65535 or len(dst) > 255:
        raise ValueError("expand_message_xmd: length or DST too long")
    dst_prime = dst + bytes([len(dst)])
    b0 = hashlib.sha256(bytes(64) + msg + length.to_bytes(2, "big") + b"\x00" + dst_prime).digest()
    blocks = [hashlib.sha256(b0 + b"\x01" + dst_prime).digest()]
    for i in range(2, ell + 1):
        mixed = bytes(x ^ y for x, y in zip(b0, blocks[-1], strict=True))
        blocks.append(hashlib.sha256(mixed + bytes([i]) + dst_prime).digest())
    return b"".join(blocks)[:length]


def hash_to_field_fp(msg: bytes, dst: bytes, count: int) -> list[int]:
    """RFC 9380 §5.2 for Fp (m = 1, L = 64)."""
    data = expand_message_xmd(msg, dst, 64 * count)
    return [int.from_bytes(data[64 * i : 64 * (i + 1)], "big") % P for i in range(count)]


def hash_to_field_fp2(msg: bytes, dst: bytes, count: int) -> list[Fp2]:
    """RFC 9380 §5.2 for Fp2 (m = 2, L = 64)."""
    data = expand_message_xmd(msg, dst, 128 * count)
    out = []
    for i in range(count):
        e0 = int.from_bytes(data[128 * i : 128 * i + 64], "big") % P
        e1 = int.from_bytes(data[128 * i + 64 : 128 * (i + 1)], "big") % P
        out.append((e0, e1))
    return out


def _sswu(field: _Field[T], a: T, b: T, z: T, u: T) -> tuple[T, T]:
    """Simplified SWU (RFC 9380 §6.6.2) onto y² = x³ + a·x + b, written plainly."""
    f = field
    u2 = f.sqr(u)
    zu2 = f.mul(z, u2)
    denom = f.add(f.sqr(zu2), zu2)
    if denom == f.zero:
        x1 = f.mul(b, f.inv(f.mul(z, a)))
    else:
        x1 = f.mul(f.mul(f.neg(b), f.inv(a)), f.add(f.one, f.inv(denom)))

    def g(x: T) -> T:
        return f.add(f.mul(f.add(f.sqr(x), a), x), b)

    y = f.sqrt(g(x1))
    x = x1
    if y is None:
        x = f.mul(zu2, x1)
        y = f.sqrt(g(x))
        if y is None:  # impossible: g(x1)·g(x2) has a square root by construction
            raise ArithmeticError("SSWU found no square root")
    if f.sgn0(u) != f.sgn0(y):
        y = f.neg(y)
    return x, y


def _poly(field: _Field[T], coefficients: Sequence[T], x: T) -> T:
    """Σ k_i·x^i for coefficients k_0 … k_n (Horner)."""
    acc = field.zero
    for k in reversed(coefficients):
        acc = field.add(field.mul(acc, x), k)
    return acc


def _iso_map(field: _Field[T], maps: Sequence[Sequence[T]], x: T, y: T) -> tuple[T, T, T] | None:
    """Apply an isogeny given as (x_num, x_den, y_num, y_den); None at a pole."""
    f = field
    x_num, x_den, y_num, y_den = (_poly(f, m, x) for m in maps)
    if x_den == f.zero or y_den == f.zero:
        return None
    return (f.mul(x_num, f.inv(x_den)), f.mul(y, f.mul(y_num, f.inv(y_den))), f.one)


# RFC 9380 §8.8.1 and appendix E.2: the 11-isogeny onto E for G1.
_G1_A = int(
    "00144698a3b8e9433d693a02c96d4982b0ea985383ee66a8d8e8981aefd881ac98936f8da0e0f97f5cf428082d584c1d",
    16,
)
_G1_B = int(
    "12e2908d11688030018b12e8753eee3b2016c1f0f24f4070a0b9c14fcef35ef55a23215a316ceaa5d1cc48e98e172be0",
    16,
)
_G1_Z = 11
_G1_ISO = [
    [int(k, 16) for k in ks.split()]
    for ks in (
        # x_num: k_(1,0) … k_(1,11)
        """
        11a05f2b1e833340b809101dd99815856b303e88a2d7005ff2627b56cdb4e2c85610c2d5f2e62d6eaeac1662734649b7
        17294ed3e943ab2f0588bab22147a81c7c17e75b2f6a8417f565e33c70d1e86b4838f2a6f318c356e834eef1b3cb83bb
        0d54005db97678ec1d1048c5d10a9a1bce032473295983e56878e501ec68e25c958c3e3d2a09729fe0179f9dac9edcb0
        1778e7166fcc6db74e0609d307e55412d7f5e4656a8dbf25f1b33289f1b330835336e25ce3107193c5b388641d9b6861
        0e99726a3199f4436642b4b3e4118e5499db995a1257fb3f086eeb65982fac18985a286f301e77c451154ce9ac8895d9
        1630c3250d7313ff01d1201bf7a74ab5db3cb17dd952799b9ed3ab9097e68f90a0870d2dcae73d19cd13c1c66f652983
        0d6ed6553fe44d296a3726c38ae652bfb11586264f0f8ce19008e218f9c86b2a8da25128c1052ecaddd7f225a139ed84
        17b81e7701abdbe2e8743884d1117e53356de5ab275b4db1a682c62ef0f2753339b7c8f8c8f475af9ccb5618e3f0c88e
        080d3cf1f9a78fc47b90b33563be990dc43b756ce79f5574a2c596c928c5d1de4fa295f296b74e956d71986a8497e317
        169b1f8e1bcfa7c42e0c37515d138f22dd2ecb803a0c5c99676314baf4bb1b7fa3190b2edc0327797f241067be390c9e
        10321da079ce07e272d8ec09d2565b0dfa7dccdde6787f96d50af36003b14866f69b771f8c285decca67df3f1605fb7b
        06e08c248e260e70bd1e962381edee3d31d79d7e22c837bc23c0bf1bc24c6b68c24b1b80b64d391fa9c8ba2e8ba2d229
        """,
        # x_den: k_(2,0) … k_(2,9), then the leading 1
        """
        08ca8d548cff19ae18b2e62f4bd3fa6f01d5ef4ba35b48ba9c9588617fc8ac62b558d681be343df8993cf9fa40d21b1c
        12561a5deb559c4348b4711298e536367041e8ca0cf0800c0126c2588c48bf5713daa8846cb026e9e5c8276ec82b3bff
        0b2962fe57a3225e8137e629bff2991f6f89416f5a718cd1fca64e00b11aceacd6a3d0967c94fedcfcc239ba5cb83e19
        03425581a58ae2fec83aafef7c40eb545b08243f16b1655154cca8abc28d6fd04976d5243eecf5c4130de8938dc62cd8
        13a8e162022914a80a6f1d5f43e7a07dffdfc759a12062bb8d6b44e833b306da9bd29ba81f35781d539d395b3532a21e
        0e7355f8e4e667b955390f7f0506c6e9395735e9ce9cad4d0a43bcef24b8982f7400d24bc4228f11c02df9a29f6304a5
        0772caacf16936190f3e0c63e0596721570f5799af53a1894e2e073062aede9cea73b3538f0de06cec2574496ee84a3a
        14a7ac2a9d64a8b230b3f5b074cf01996e7f63c21bca68a81996e1cdf9822c580fa5b9489d11e2d311f7d99bbdcc5a5e
        0a10ecf6ada54f825e920b3dafc7a3cce07f8d1d7161366b74100da67f39883503826692abba43704776ec3a79a1d641
        095fc13ab9e92ad4476d6e3eb3a56680f682b4ee96f7d03776df533978f31c1593174e4b4b7865002d6384d168ecdd0a
        1
        """,
        # y_num: k_(3,0) … k_(3,15)
        """
        090d97c81ba24ee0259d1f094980dcfa11ad138e48a869522b52af6c956543d3cd0c7aee9b3ba3c2be9845719707bb33
        134996a104ee5811d51036d776fb46831223e96c254f383d0f906343eb67ad34d6c56711962fa8bfe097e75a2e41c696
        00cc786baa966e66f4a384c86a3b49942552e2d658a31ce2c344be4b91400da7d26d521628b00523b8dfe240c72de1f6
        01f86376e8981c217898751ad8746757d42aa7b90eeb791c09e4a3ec03251cf9de405aba9ec61deca6355c77b0e5f4cb
        08cc03fdefe0ff135caf4fe2a21529c4195536fbe3ce50b879833fd221351adc2ee7f8dc099040a841b6daecf2e8fedb
        16603fca40634b6a2211e11db8f0a6a074a7d0d4afadb7bd76505c3d3ad5544e203f6326c95a807299b23ab13633a5f0
        04ab0b9bcfac1bbcb2c977d027796b3ce75bb8ca2be184cb5231413c4d634f3747a87ac2460f415ec961f8855fe9d6f2
        0987c8d5333ab86fde9926bd2ca6c674170a05bfe3bdd81ffd038da6c26c842642f64550fedfe935a15e4ca31870fb29
        09fc4018bd96684be88c9e221e4da1bb8f3abd16679dc26c1e8b6e6a1f20cabe69d65201c78607a360370e577bdba587
        0e1bba7a1186bdb5223abde7ada14a23c42a0ca7915af6fe06985e7ed1e4d43b9b3f7055dd4eba6f2bafaaebca731c30
        19713e47937cd1be0dfd0b8f1d43fb93cd2fcbcb6caf493fd1183e416389e61031bf3a5cce3fbafce813711ad011c132
        18b46a908f36f6deb918c143fed2edcc523559b8aaf0c2462e6bfe7f911f643249d9cdf41b44d606ce07c8a4d0074d8e
        0b182cac101b9399d155096004f53f447aa7b12a3426b08ec02710e807b4633f06c851c1919211f20d4c04f00b971ef8
        0245a394ad1eca9b72fc00ae7be315dc757b3b080d4c158013e6632d3c40659cc6cf90ad1c232a6442d9d3f5db980133
        05c129645e44cf1102a159f748c4a3fc5e673d81d7e86568d9ab0f5d396a7ce46ba1049b6579afb7866b1e715475224b
        15e6be4e990f03ce4ea50b3b42df2eb5cb181d8f84965a3957add4fa95af01b2b665027efec01c7704b456be69c8b604
        """,
        # y_den: k_(4,0) … k_(4,14), then the leading 1
        """
        16112c4c3a9c98b252181140fad0eae9601a6de578980be6eec3232b5be72e7a07f3688ef60c206d01479253b03663c1
        1962d75c2381201e1a0cbd6c43c348b885c84ff731c4d59ca4a10356f453e01f78a4260763529e3532f6102c2e49a03d
        058df3306640da276faaae7d6e8eb15778c4855551ae7f310c35a5dd279cd2eca6757cd636f96f891e2538b53dbf67f2
        16b7d288798e5395f20d23bf89edb4d1d115c5dbddbcd30e123da489e726af41727364f2c28297ada8d26d98445f5416
        0be0e079545f43e4b00cc912f8228ddcc6d19c9f0f69bbb0542eda0fc9dec916a20b15dc0fd2ededda39142311a5001d
        08d9e5297186db2d9fb266eaac783182b70152c65550d881c5ecd87b6f0f5a6449f38db9dfa9cce202c6477faaf9b7ac
        166007c08a99db2fc3ba8734ace9824b5eecfdfa8d0cf8ef5dd365bc400a0051d5fa9c01a58b1fb93d1a1399126a775c
        16a3ef08be3ea7ea03bcddfabba6ff6ee5a4375efa1f4fd7feb34fd206357132b920f5b00801dee460ee415a15812ed9
        1866c8ed336c61231a1be54fd1d74cc4f9fb0ce4c6af5920abc5750c4bf39b4852cfe2f7bb9248836b233d9d55535d4a
        167a55cda70a6e1cea820597d94a84903216f763e13d87bb5308592e7ea7d4fbc7385ea3d529b35e346ef48bb8913f55
        04d2f259eea405bd48f010a01ad2911d9c6dd039bb61a6290e591b36e636a5c871a5c29f4f83060400f8b49cba8f6aa8
        0accbb67481d033ff5852c1e48c50c477f94ff8aefce42d28c0f9a88cea7913516f968986f7ebbea9684b529e2561092
        0ad6b9514c767fe3c3613144b45f1496543346d98adf02267d5ceef9a00d9b8693000763e3b90ac11e99b138573345cc
        02660400eb2e4f3b628bdd0d53cd76f2bf565b94e72927c1cb748df27942480e420517bd8714cc80d1fadc1326ed06f7
        0e0fa1d816ddc03e6b24255e0d7819c171c40f65e273b853324efcd6356caa205ca2f570f13497804415473a1d634b8f
        1
        """,
    )
]
_G1_H_EFF = 0xD201000000010001  # 1 − x

# RFC 9380 §8.8.2 and appendix E.3: the 3-isogeny onto E' for G2.
_G2_A: Fp2 = (0, 240)
_G2_B: Fp2 = (1012, 1012)
_G2_Z: Fp2 = (P - 2, P - 1)  # −(2 + u)


def _fp2_hex(pair: str) -> Fp2:
    c0, c1 = pair.split(",")
    return (int(c0, 16), int(c1, 16))


_G2_ISO = [
    [_fp2_hex(pair) for pair in ks.split()]
    for ks in (
        # x_num: k_(1,0) … k_(1,3), each "c0,c1" for c0 + c1·u
        """
        05c759507e8e333ebb5b7a9a47d7ed8532c52d39fd3a042a88b58423c50ae15d5c2638e343d9c71c6238aaaaaaaa97d6,05c759507e8e333ebb5b7a9a47d7ed8532c52d39fd3a042a88b58423c50ae15d5c2638e343d9c71c6238aaaaaaaa97d6
        0,11560bf17baa99bc32126fced787c88f984f87adf7ae0c7f9a208c6b4f20a4181472aaa9cb8d555526a9ffffffffc71a
        11560bf17baa99bc32126fced787c88f984f87adf7ae0c7f9a208c6b4f20a4181472aaa9cb8d555526a9ffffffffc71e,08ab05f8bdd54cde190937e76bc3e447cc27c3d6fbd7063fcd104635a790520c0a395554e5c6aaaa9354ffffffffe38d
        171d6541fa38ccfaed6dea691f5fb614cb14b4e7f4e810aa22d6108f142b85757098e38d0f671c7188e2aaaaaaaa5ed1,0
        """,
        # x_den: k_(2,0), k_(2,1), then the leading 1
        """
        0,1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaa63
        0c,1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaa9f
        1,0
        """,
        # y_num: k_(3,0) … k_(3,3)
        """
        1530477c7ab4113b59a4c18b076d11930f7da5d4a07f649bf54439d87d27e500fc8c25ebf8c92f6812cfc71c71c6d706,1530477c7ab4113b59a4c18b076d11930f7da5d4a07f649bf54439d87d27e500fc8c25ebf8c92f6812cfc71c71c6d706
        0,05c759507e8e333ebb5b7a9a47d7ed8532c52d39fd3a042a88b58423c50ae15d5c2638e343d9c71c6238aaaaaaaa97be
        11560bf17baa99bc32126fced787c88f984f87adf7ae0c7f9a208c6b4f20a4181472aaa9cb8d555526a9ffffffffc71c,08ab05f8bdd54cde190937e76bc3e447cc27c3d6fbd7063fcd104635a790520c0a395554e5c6aaaa9354ffffffffe38f
        124c9ad43b6cf79bfbf7043de3811ad0761b0f37a1e26286b0e977c69aa274524e79097a56dc4bd9e1b371c71c718b10,0
        """,
        # y_den: k_(4,0) … k_(4,2), then the leading 1
        """
        1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffa8fb,1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffa8fb
        0,1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffa9d3
        12,1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaa99
        1,0
        """,
    )
]
_G2_H_EFF = int(
    "bc69f08f2ee75b3584c6a0ea91b352888e2a8e9145ad7689986ff031508ffe1329c2f178731db956"
    "d82bf015d1212b02ec0ec69d7477c1ae954cbc06689f6a359894c0adebbf6b4e8020005aaa95551",
    16,
)


def map_to_g1(u: int) -> tuple[int, int, int]:
    """map_to_curve for G1 (before cofactor clearing), in Jacobian coordinates."""
    x, y = _sswu(FP, _G1_A, _G1_B, _G1_Z, u)
    mapped = _iso_map(FP, _G1_ISO, x, y)
    return G1_CURVE.infinity if mapped is None else mapped


def map_to_g2(u: Fp2) -> tuple[Fp2, Fp2, Fp2]:
    """map_to_curve for G2 (before cofactor clearing), in Jacobian coordinates."""
    x, y = _sswu(FP2, _G2_A, _G2_B, _G2_Z, u)
    mapped = _iso_map(FP2, _G2_ISO, x, y)
    return G2_CURVE.infinity if mapped is None else mapped


def hash_to_g1(msg: bytes, dst: bytes) -> G1Affine:
    """hash_to_curve with suite BLS12381G1_XMD:SHA-256_SSWU_RO_ and the given DST."""
    u0, u1 = hash_to_field_fp(msg, dst, 2)
    point = G1_CURVE.add(map_to_g1(u0), map_to_g1(u1))
    affine = G1_CURVE.to_affine(G1_CURVE.mul(point, _G1_H_EFF))
    if affine is None:  # probability ~2^-255
        raise ArithmeticError("hash_to_curve gave the point at infinity")
    return affine


def hash_to_g2(msg: bytes, dst: bytes) -> G2Affine:
    """hash_to_curve with suite BLS12381G2_XMD:SHA-256_SSWU_RO_ and the given DST."""
    u0, u1 = hash_to_field_fp2(msg, dst, 2)
    point = G2_CURVE.add(map_to_g2(u0), map_to_g2(u1))
    affine = G2_CURVE.to_affine(G2_CURVE.mul(point, _G2_H_EFF))
    if affine is None:
        raise ArithmeticError("hash_to_curve gave the point at infinity")
    return affine


# ---------------------------------------------------------------- the optimal ate pairing


def _line(slope: Fp2, tx: Fp2, ty: Fp2, p: G1Affine) -> Fp12:
    """The line through T with this slope, at P, times w³ (a factor the final
    exponentiation removes).  E' → E maps (x, y) to (x/w², y/w³), so the line
    y − y_T − λ(x − x_T) becomes (λ·x_T − y_T) − λ·x_P·w² + y_P·w³."""
    px, py = p
    c0 = f2_sub(f2_mul(slope, tx), ty)
    c1 = f2_neg(f2_scale(slope, px))
    return ((c0, c1, F2_ZERO), (F2_ZERO, (py, 0), F2_ZERO))


def _miller_loop(pairs: Sequence[tuple[G1Affine, G2Affine]]) -> Fp12:
    """∏ f_{|x|,Q}(P) over the pairs, conjugated because x < 0."""
    f = F12_ONE
    points = [q for _, q in pairs]
    for bit in bin(X_ABS)[3:]:
        f = f12_sqr(f)
        for i, (p, q) in enumerate(pairs):
            tx, ty = points[i]
            slope = f2_mul(f2_scale(f2_sqr(tx), 3), f2_inv(f2_scale(ty, 2)))
            f = f12_mul(f, _line(slope, tx, ty, p))
            nx = f2_sub(f2_sqr(slope), f2_scale(tx, 2))
            points[i] = (nx, f2_sub(f2_mul(slope, f2_sub(tx, nx)), ty))
            if bit == "1":
                tx, ty = points[i]
                qx, qy = q
                slope = f2_mul(f2_sub(qy, ty), f2_inv(f2_sub(qx, tx)))
                f = f12_mul(f, _line(slope, tx, ty, p))
                nx = f2_sub(f2_sub(f2_sqr(slope), tx), qx)
                points[i] = (nx, f2_sub(f2_mul(slope, f2_sub(tx, nx)), ty))
    return f12_conj(f)


_FINAL_EXPONENT = (P**6 + 1) // R  # after the easy factor p⁶ − 1


def final_exponentiation(f: Fp12) -> Fp12:
    """f^((p¹² − 1)/r) = (f^(p⁶ − 1))^((p⁶ + 1)/r)."""
    return f12_pow(f12_mul(f12_conj(f), f12_inv(f)), _FINAL_EXPONENT)


def pairing(p: G1Affine, q: G2Affine) -> Fp12:
    """The optimal ate pairing e(P, Q)."""
    return final_exponentiation(_miller_loop([(p, q)]))


def pairing_product_is_one(pairs: Sequence[tuple[G1Affine, G2Affine]]) -> bool:
    """∏ e(P_i, Q_i) = 1, with one shared Miller loop and one final exponentiation."""
    return final_exponentiation(_miller_loop(pairs)) == F12_ONE


def _decode(decompress: Callable[[bytes], T], data: bytes, what: str) -> T:
    try:
        return decompress(data)
    except PointError as exc:
        raise PointError(f"{what}: {exc}") from None


def _g1_neg(p: G1Affine) -> G1Affine:
    return (p[0], -p[1] % P)


def verify_g1_signature(public_key: bytes, message: bytes, signature: bytes, dst: bytes) -> bool:
    """BLS with signatures on G1 and keys on G2: e(σ, g2) = e(H(m), pk).

    Raises PointError when a key or signature is not a valid point of its group."""
    pk = _decode(g2_decompress, public_key, "公钥 public key")
    sigma = _decode(g1_decompress, signature, "签名 signature")
    return pairing_product_is_one([(_g1_neg(sigma), G2_GENERATOR), (hash_to_g1(message, dst), pk)])


def verify_g2_signature(public_key: bytes, message: bytes, signature: bytes, dst: bytes) -> bool:
    """BLS with signatures on G2 and keys on G1: e(g1, σ) = e(pk, H(m))."""
    pk = _decode(g1_decompress, public_key, "公钥 public key")
    sigma = _decode(g2_decompress, signature, "签名 signature")
    return pairing_product_is_one([(_g1_neg(G1_GENERATOR), sigma), (pk, hash_to_g2(message, dst))])
