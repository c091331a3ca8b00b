"""The standalone verifier checks a drand round's BLS signature against the chain's key."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any

import pytest

from spotcheck.core.draw import bls12_381 as b
from spotcheck.core.draw.canonical import canonical_json
from spotcheck.core.draw.tests import drand_vectors as v
from spotcheck.core.draw.tests import scenario
from spotcheck.core.draw.tests.bundles import GOLDEN, load, reseal, verify, write
from spotcheck.core.draw.tests.bundles import python38 as _python38
from spotcheck.core.draw.tests.scenario import drand_scenario


@pytest.fixture(scope="module")
def quicknet_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("quicknet") / "bundle"
    scenario.run(drand_scenario(v.BEACONS[0])).write(directory)
    return directory


@pytest.fixture(scope="module")
def default_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("default") / "bundle"
    scenario.run(drand_scenario(v.BEACONS[3])).write(directory)
    return directory


def _copy(bundle: Path, tmp_path: Path) -> Path:
    target = tmp_path / "bundle"
    target.mkdir()
    for f in bundle.iterdir():
        (target / f.name).write_bytes(f.read_bytes())
    return target


def _edit_reveals(bundle: Path, edit: Any) -> None:
    reveals = json.loads((bundle / "reveals.json").read_bytes())
    edit(reveals["public_value"])
    (bundle / "reveals.json").write_bytes(canonical_json(reveals))
    reseal(bundle)


def _set_signature(pv: dict[str, Any], signature: bytes) -> None:
    pv["signature"] = signature.hex()
    pv["value"] = hashlib.sha256(signature).hexdigest()  # so only the BLS check can object


def test_the_bundle_carries_the_chain_info_and_verifies(quicknet_bundle: Path) -> None:
    reveals = json.loads((quicknet_bundle / "reveals.json").read_bytes())
    assert reveals["public_value"]["drand"] == {
        "chain": v.QUICKNET_INFO,
        "previous_signature": "",
    }

    done = verify(quicknet_bundle)

    assert done.returncode == 0, done.stderr
    assert "drand 第657413轮签名已用该链公钥验证" in done.stdout


def test_a_chained_round_of_the_default_network_verifies(default_bundle: Path) -> None:
    done = verify(default_bundle)
    assert done.returncode == 0, done.stderr
    assert "第1000轮签名已用该链公钥验证" in done.stdout


@pytest.mark.parametrize("which", ["quicknet", "default"])
def test_a_flipped_signature_bit_is_a_difference(
    which: str, quicknet_bundle: Path, default_bundle: Path, tmp_path: Path
) -> None:
    bundle = _copy(quicknet_bundle if which == "quicknet" else default_bundle, tmp_path)
    beacon = v.BEACONS[0] if which == "quicknet" else v.BEACONS[3]
    flipped = bytearray(bytes.fromhex(beacon["signature"]))
    flipped[0] ^= 0x20
    _edit_reveals(bundle, lambda pv: _set_signature(pv, bytes(flipped)))

    done = verify(bundle)

    assert done.returncode == 1, done.stderr
    assert "drand签名验证失败" in done.stderr
    assert "BLS signature does not verify for round" in done.stderr


def test_the_wrong_round_is_a_difference(quicknet_bundle: Path, tmp_path: Path) -> None:
    # given: the announcement names the next round; the reveals follow the new announcement
    bundle = _copy(quicknet_bundle, tmp_path)
    ann = json.loads((bundle / "announcement.json").read_bytes())
    ann["public_value"]["primary"]["round"] = 657414
    (bundle / "announcement.json").write_bytes(canonical_json(ann))
    reveals = json.loads((bundle / "reveals.json").read_bytes())
    reveals["announcement_sha256"] = hashlib.sha256(canonical_json(ann)).hexdigest()
    (bundle / "reveals.json").write_bytes(canonical_json(reveals))
    reseal(bundle)

    # when
    done = verify(bundle)

    # then
    assert done.returncode == 1, done.stderr
    assert "round 657414" in done.stderr
    assert "不是该链第657414轮的签名" in done.stderr


def test_a_public_key_of_another_chain_is_a_difference(
    quicknet_bundle: Path, tmp_path: Path
) -> None:
    bundle = _copy(quicknet_bundle, tmp_path)

    other = b.g2_compress(b.G2_GENERATOR).hex()
    _edit_reveals(bundle, lambda pv: pv["drand"]["chain"].update(public_key=other))

    done = verify(bundle)

    assert done.returncode == 1, done.stderr
    assert "drand链信息与公告的链哈希不符" in done.stderr
    assert "chain info does not hash to the announced chain" in done.stderr


@pytest.mark.parametrize("problem", ["not on the curve", "not in the prime-order subgroup"])
def test_a_signature_that_is_no_g1_point_is_malformed(
    problem: str, quicknet_bundle: Path, tmp_path: Path
) -> None:

    x = 1
    while True:
        y = b._fp_sqrt((x**3 + 4) % b.P)
        if problem == "not on the curve" and y is None:
            bad = bytearray(x.to_bytes(48, "big"))
            bad[0] |= 0x80
            break
        if y is not None and problem != "not on the curve":
            if not b.G1_CURVE.is_infinity(b.G1_CURVE.mul(b.G1_CURVE.from_affine(x, y), b.R)):
                bad = bytearray(b.g1_compress((x, y)))
                break
        x += 1
    bundle = _copy(quicknet_bundle, tmp_path)
    _edit_reveals(bundle, lambda pv: _set_signature(pv, bytes(bad)))

    done = verify(bundle)

    assert done.returncode == 2, done.stderr
    assert problem in done.stderr
    assert "有效的曲线点" in done.stderr


def test_an_unknown_scheme_is_malformed(quicknet_bundle: Path, tmp_path: Path) -> None:
    bundle = _copy(quicknet_bundle, tmp_path)
    _edit_reveals(bundle, lambda pv: pv["drand"]["chain"].update(scheme="bls-unchained-on-g1"))

    done = verify(bundle)

    assert done.returncode == 2
    assert "unsupported drand scheme" in done.stderr


def test_a_golden_bundle_without_chain_info_verifies_with_a_warning(tmp_path: Path) -> None:
    path = next(p for p in GOLDEN if p.stem == "v1-joint-drand")
    bundle = write(load(path), tmp_path / "bundle")

    done = verify(bundle)

    assert done.returncode == 0, done.stderr
    assert "WARNING: no drand chain info" in done.stdout


@pytest.mark.skipif(_python38() is None, reason="no Python 3.8 interpreter on this machine")
@pytest.mark.parametrize("which", ["quicknet", "default"])
def test_the_signature_check_runs_on_python_38(
    which: str, quicknet_bundle: Path, default_bundle: Path, tmp_path: Path
) -> None:
    python = _python38()
    assert python is not None
    good = quicknet_bundle if which == "quicknet" else default_bundle
    done = verify(good, python=python)
    assert done.returncode == 0, done.stderr
    assert "签名已用该链公钥验证" in done.stdout

    bundle = _copy(good, tmp_path)
    beacon = v.BEACONS[0] if which == "quicknet" else v.BEACONS[3]
    flipped = bytearray(bytes.fromhex(beacon["signature"]))
    flipped[0] ^= 0x20
    _edit_reveals(bundle, lambda pv: _set_signature(pv, bytes(flipped)))
    assert verify(bundle, python=python).returncode == 1


def test_one_verification_stays_within_its_budget(quicknet_bundle: Path) -> None:
    started = time.monotonic()
    assert verify(quicknet_bundle).returncode == 0
    assert time.monotonic() - started < 10
