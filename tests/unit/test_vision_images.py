"""Image decoding: every bad input gets one clear line, every mode and orientation ends up as upright RGB.

All inputs are generated here; no image files are committed.
"""

import io
import struct
import tomllib
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from skimage import data

from core.vision.images import MAX_ASPECT, MAX_FILE_MB, MIN_SIDE, ImageError, from_array, load_image, to_rgb

REPO = Path(__file__).resolve().parents[2]
RED, BLUE = (255, 0, 0), (0, 0, 255)


def encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims width×height pixels: a decompression bomb as seen before decoding."""
    png = bytearray(encode(Image.new("L", (1, 1)), "PNG"))
    struct.pack_into(">II", png, 16, width, height)  # IHDR data starts after signature (8), length, type
    struct.pack_into(">I", png, 29, zlib.crc32(png[12:29]))  # CRC over the chunk type and its 13 data bytes
    return bytes(png)


def photo(size: tuple[int, int] = (64, 48)) -> Image.Image:
    return Image.fromarray(data.chelsea()).resize(size)


# ---- bad inputs: one line each, naming the problem -------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "payload", "message"),
    [
        ("empty file", b"", "the file is empty"),
        ("not an image", b"name,age\nada,36\n", "not an image"),
        ("PDF", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "not an image"),
        ("1x1 image", encode(Image.new("RGB", (1, 1)), "PNG"), f"1×1 pixels; at least {MIN_SIDE}×{MIN_SIDE}"),
        ("thin strip", encode(Image.new("RGB", (500, 3)), "PNG"), "only 500×3 pixels"),
        (
            "30000x30000 PNG bomb",
            png_claiming(30000, 30000),
            "refused: 900 Mpixels, over the 50 Mpixel limit",
        ),
        ("80 Mpixel PNG", png_claiming(10000, 8000), "10000×8000 is 80 Mpixels, over the 50 Mpixel limit"),
        ("unsupported format", encode(Image.new("RGB", (32, 32)), "PPM"), "unsupported image format PPM"),
    ],
)
def test_bad_input_is_refused_with_one_clear_line(name: str, payload: bytes, message: str) -> None:
    with pytest.raises(ImageError) as info:
        load_image(payload)
    text = str(info.value)
    assert message in text, name
    assert "\n" not in text and "Traceback" not in text


def test_truncated_jpeg() -> None:
    jpeg = encode(photo((400, 300)), "JPEG", quality=90)
    with pytest.raises(ImageError, match=r"^the JPEG data is truncated or corrupt \(image file is truncated"):
        load_image(jpeg[: len(jpeg) // 2])


def test_bomb_is_refused_from_the_header_without_decoding() -> None:
    # The header claims 900 Mpixels but the file holds no pixel data: only a header check can answer.
    bomb = png_claiming(30000, 30000)
    assert len(bomb) < 100
    with pytest.raises(ImageError, match="refused"):
        load_image(bomb, max_pixels=10**12)  # even past our own limit, PIL's 2x limit still refuses it


def test_file_over_the_upload_limit() -> None:
    png = encode(photo(), "PNG")
    with pytest.raises(ImageError, match=r"the file is 0\.0 MB, over the 0\.0 MB upload limit"):
        load_image(png, max_bytes=len(png) - 1)
    with pytest.raises(ImageError, match=rf"over the {MAX_FILE_MB:.1f} MB upload limit"):
        load_image(b"\0" * (MAX_FILE_MB * 1_000_000 + 1))


def test_core_limit_matches_the_servers_upload_limit() -> None:
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == MAX_FILE_MB


def test_animated_gif_uses_the_first_frame_and_says_so() -> None:
    frames = [Image.new("RGB", (32, 32), colour) for colour in (RED, (0, 255, 0), BLUE)]
    gif = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    loaded = load_image(gif)
    assert loaded.notes == ["animated GIF with 3 frames: classifying the first frame only"]
    assert loaded.image.mode == "RGB" and loaded.image.getpixel((5, 5)) == RED


# ---- accepted formats, modes and orientation ------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "BMP", "GIF", "TIFF"])
def test_every_upload_format_decodes(fmt: str) -> None:
    loaded = load_image(encode(photo(), fmt))
    assert loaded.format == fmt and loaded.image.mode == "RGB" and loaded.image.size == (64, 48)


def test_exif_orientation_is_applied() -> None:
    # Stored 40 wide × 20 high, left half red; orientation 6 = "rotate 90° clockwise to display".
    stored = Image.new("RGB", (40, 20), BLUE)
    stored.paste(RED, (0, 0, 20, 20))
    exif = Image.Exif()
    exif[0x0112] = 6
    loaded = load_image(encode(stored, "JPEG", quality=95, exif=exif.tobytes()))
    assert loaded.image.size == (20, 40)
    top, bottom = loaded.image.getpixel((10, 5)), loaded.image.getpixel((10, 35))
    assert top[0] > 200 and top[2] < 60 and bottom[2] > 200 and bottom[0] < 60
    assert loaded.notes == ["rotated upright as its EXIF orientation (6) asks"]


def rgba_half_transparent() -> Image.Image:
    image = Image.new("RGBA", (32, 32), (255, 0, 0, 255))
    image.paste((0, 0, 0, 0), (0, 0, 16, 32))  # left half fully transparent (black underneath)
    return image


def palette_with_transparency() -> Image.Image:
    image = Image.new("P", (32, 32), 1)
    image.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    image.paste(0, (0, 0, 16, 32))
    image.info["transparency"] = 0
    return image


def sixteen_bit(value: int) -> Image.Image:
    return Image.fromarray(np.full((32, 32), value, dtype=np.uint16))  # mode I;16


@pytest.mark.parametrize(
    ("name", "image", "fmt", "left", "right"),
    [
        ("RGBA", rgba_half_transparent(), "PNG", (255, 255, 255), RED),
        ("P + transparency", palette_with_transparency(), "PNG", (255, 255, 255), RED),
        ("P", Image.new("RGB", (32, 32), RED).convert("P"), "PNG", RED, RED),
        ("L", Image.new("L", (32, 32), 128), "PNG", (128, 128, 128), (128, 128, 128)),
        ("LA", Image.new("LA", (32, 32), (0, 0)), "PNG", (255, 255, 255), (255, 255, 255)),
        ("1", Image.new("1", (32, 32), 1), "PNG", (255, 255, 255), (255, 255, 255)),
        ("CMYK", Image.new("CMYK", (32, 32), (0, 255, 255, 0)), "JPEG", RED, RED),
        ("I;16 white", sixteen_bit(65535), "PNG", (255, 255, 255), (255, 255, 255)),
        ("I;16 mid-grey", sixteen_bit(32896), "PNG", (128, 128, 128), (128, 128, 128)),
        ("I;16 in TIFF", sixteen_bit(65535), "TIFF", (255, 255, 255), (255, 255, 255)),
    ],
)
def test_every_mode_becomes_rgb(name: str, image: Image.Image, fmt: str, left: tuple, right: tuple) -> None:
    loaded = load_image(encode(image, fmt))
    assert loaded.image.mode == "RGB", name
    got_left, got_right = loaded.image.getpixel((4, 16)), loaded.image.getpixel((28, 16))
    assert np.abs(np.subtract(got_left, left)).max() <= 3, (name, got_left)
    assert np.abs(np.subtract(got_right, right)).max() <= 3, (name, got_right)
    if name not in ("P",):
        assert loaded.notes, f"{name}: the conversion should be reported"


def test_float_greyscale_is_stretched() -> None:
    pixels = np.tile(np.linspace(-1.0, 3.0, 32, dtype=np.float32), (32, 1))
    rgb = to_rgb(Image.fromarray(pixels, mode="F"))
    assert rgb.getpixel((0, 0)) == (0, 0, 0) and rgb.getpixel((31, 0)) == (255, 255, 255)


def test_example_arrays_become_rgb() -> None:
    assert from_array(data.camera()).image.mode == "RGB"  # greyscale
    assert from_array(data.logo()).image.mode == "RGB"  # RGBA
    assert from_array(data.chelsea()).notes == []


def test_a_long_thin_strip_is_refused_before_any_model_resizes_it() -> None:
    # 16×3,000,000 pixels in a 46 kB PNG, under MAX_PIXELS: resizing its short side to 256 would make a 37 GB
    # picture. Found by the fuzz test (tests/unit/test_fuzz_inputs.py).
    with pytest.raises(ImageError, match=rf"3000000×16 pixels, over {MAX_ASPECT} times longer than wide"):
        load_image(encode(Image.new("L", (3_000_000, 16)), "PNG"))
    assert load_image(encode(Image.new("L", (16 * MAX_ASPECT, 16)), "PNG")).image.size == (
        16 * MAX_ASPECT,
        16,
    )


@pytest.mark.parametrize(
    "header",
    [b"\xff\xd8\xff\xda\x00\x03", b"RIFF\x00\x00\x00\x00WEBPVP8 "],
    ids=["JPEG header cut short", "WebP header with no frame"],
)
def test_a_damaged_header_is_one_image_error(header: bytes) -> None:
    # Pillow raised a bare OSError from Image.open for these; found by tests/unit/test_fuzz_inputs.py.
    with pytest.raises(ImageError, match=r"^the image header is truncated or corrupt \(.+\)$"):
        load_image(header)
