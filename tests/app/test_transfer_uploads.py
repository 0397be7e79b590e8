"""Uploads into the Transfer learning page's own classes: the per-class cap, bad files, no double intake."""

import io
from dataclasses import dataclass

import numpy as np
import pytest
from PIL import Image

from core.transfer.data import FeatureCache
from pages.transfer_learning import training
from pages.transfer_learning.training import OwnClasses, take_in
from tests.unit.transfer_fixtures import tiny_backbone


@dataclass
class Upload:
    """What st.file_uploader hands the page: a name, an id, the bytes."""

    name: str
    file_id: str
    data: bytes

    def getvalue(self) -> bytes:
        return self.data


def upload(i: int) -> Upload:
    buffer = io.BytesIO()
    Image.fromarray(np.full((40, 40, 3), i * 10 % 256, dtype=np.uint8)).save(buffer, "PNG")
    return Upload(f"p{i}.png", f"id{i}", buffer.getvalue())


@pytest.fixture
def own() -> OwnClasses:
    return OwnClasses("tiny", cache=FeatureCache("tiny"))


def test_more_than_the_cap_is_refused_in_one_line_and_the_rest_kept(own, monkeypatch) -> None:
    monkeypatch.setattr(training, "MAX_PER_CLASS", 5)
    problems = take_in(own, "a", [upload(i) for i in range(7)], tiny_backbone())
    assert problems == ["class 'a' can hold 5 pictures: the 2 beyond that were not added"]
    assert len(own.samples["a"]) == 5 and len(own.cache) == 5
    # The same files on the next rerun are not taken in (nor refused) again.
    assert take_in(own, "a", [upload(i) for i in range(7)], tiny_backbone()) == []
    assert len(own.samples["a"]) == 5


def test_a_bad_file_gets_one_line_and_the_good_ones_are_kept(own) -> None:
    files = [upload(1), Upload("empty.png", "e", b""), Upload("text.png", "t", b"hello"), upload(2)]
    problems = take_in(own, "a", files, tiny_backbone())
    assert problems == [
        "empty.png: the file is empty (0 bytes)",
        "text.png: not an image: Pillow recognises no image format in it "
        "(use jpg, jpeg, png, webp, bmp, gif, tif, tiff)",
    ]
    assert [s.name for s in own.samples["a"]] == ["p1.png", "p2.png"]
    space = own.workspace(["b", "a"])
    assert space.counts() == [0, 2] and {s.label for s in space.pool} == {1}
