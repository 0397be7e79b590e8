"""Turning uploaded bytes into a safe, upright RGB picture, or one clear sentence saying why not.

Every check that can be made from the header (size in bytes, format, pixel count, frame count) is made before
any pixel is decoded, so a decompression bomb is refused without allocating its memory.
"""

import io
import re
import struct
import warnings
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

# Same figure as server.maxUploadSize in .streamlit/config.toml (a test keeps them equal): the CLI and the
# camera path refuse what the upload widget would.
MAX_FILE_MB = 20
# 50 Mpixels covers every phone camera (48 MP is 8000×6000); past that the decoded RGB array alone is 150 MB.
MAX_PIXELS = 50_000_000
# Below this the picture carries nothing a 224×224 network can use: it would only be upscaled blur.
MIN_SIDE = 16
# At most this many times longer than wide: the models resize the short side to 224-292 pixels, which would
# make a 16×3,000,000 strip (a 46 kB PNG, under MAX_PIXELS) a 37 GB picture. Phone panoramas are 4:1 to 9:1.
MAX_ASPECT = 20
FORMATS = ("JPEG", "PNG", "WEBP", "BMP", "GIF", "TIFF", "MPO")  # MPO: phone JPEGs with a depth/preview frame
EXTENSIONS = ("jpg", "jpeg", "png", "webp", "bmp", "gif", "tif", "tiff")


# What Pillow's format plugins raise on damaged data (found by tests/unit/test_fuzz_inputs.py).
DECODE_ERRORS = (OSError, ValueError, SyntaxError, EOFError, struct.error)


class ImageError(ValueError):
    """An input that cannot be classified; str() is one line a user can act on."""


@dataclass
class LoadedImage:
    """A decoded RGB picture and what was done to get it (shown to the user, so nothing happens silently)."""

    image: Image.Image  # mode "RGB"
    format: str  # e.g. "JPEG", "PNG", or "array" for pictures that did not come from a file
    original_mode: str  # PIL mode before conversion, e.g. "RGBA", "P", "CMYK", "I;16"
    notes: list[str] = field(default_factory=list)


def _mb(n_bytes: int) -> str:
    return f"{n_bytes / 1e6:.1f} MB"


def _too_many_pixels(what: str, max_pixels: int) -> str:
    return (
        f"refused: {what}, over the {max_pixels / 1e6:.0f} Mpixel limit (a decompression bomb or a huge "
        "scan); resize it first"
    )


def load_image(
    data: bytes, max_bytes: int = MAX_FILE_MB * 1_000_000, max_pixels: int = MAX_PIXELS
) -> LoadedImage:
    """Decode an uploaded file into an upright RGB image; ImageError (one line) for anything unusable."""
    if not data:
        raise ImageError("the file is empty (0 bytes)")
    if len(data) > max_bytes:
        raise ImageError(f"the file is {_mb(len(data))}, over the {_mb(max_bytes)} upload limit")
    try:
        with warnings.catch_warnings():
            # PIL warns (and over 2x its own limit raises) on huge images; our own limit below decides.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))  # reads the header only
    except (
        Image.DecompressionBombError
    ) as error:  # over 2x PIL's limit, PIL refuses at open; keep our wording
        claimed = re.search(r"\((\d+) pixels\)", str(error))
        raise ImageError(
            _too_many_pixels(
                f"{int(claimed.group(1)) / 1e6:.0f} Mpixels" if claimed else "too many pixels", max_pixels
            )
        ) from None
    except UnidentifiedImageError:
        raise ImageError(
            f"not an image: Pillow recognises no image format in it (use {', '.join(EXTENSIONS)})"
        ) from None
    except DECODE_ERRORS as error:  # a known format's header, cut short or damaged
        raise ImageError(f"the image header is truncated or corrupt ({_first_line(error)})") from None
    if image.format not in FORMATS:
        raise ImageError(f"unsupported image format {image.format}; use one of {', '.join(FORMATS)}")
    width, height = image.size
    if width * height > max_pixels:
        raise ImageError(
            _too_many_pixels(f"{width}×{height} is {width * height / 1e6:.0f} Mpixels", max_pixels)
        )
    if min(width, height) < MIN_SIDE:
        raise ImageError(
            f"the image is only {width}×{height} pixels; at least {MIN_SIDE}×{MIN_SIDE} is needed"
        )
    if max(width, height) > MAX_ASPECT * min(width, height):
        raise ImageError(
            f"the image is {width}×{height} pixels, over {MAX_ASPECT} times longer than wide; crop it first"
        )
    notes: list[str] = []
    try:  # counting frames, decoding and reading EXIF all read past the header
        frames = getattr(image, "n_frames", 1)
        if frames > 1:
            kind = "animated GIF" if image.format == "GIF" else f"multi-frame {image.format}"
            notes.append(f"{kind} with {frames} frames: classifying the first frame only")
            image.seek(0)
        image.load()
        upright = _upright(image, notes)
    except DECODE_ERRORS as error:
        raise ImageError(f"the {image.format} data is truncated or corrupt ({_first_line(error)})") from None
    return LoadedImage(to_rgb(upright, notes), image.format, image.mode, notes)


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0][:200]


def _upright(image: Image.Image, notes: list[str]) -> Image.Image:
    """Apply the EXIF orientation phones write instead of rotating the pixels."""
    orientation = image.getexif().get(0x0112, 1)  # the EXIF Orientation tag; 1 = already upright
    if orientation == 1:
        return image
    notes.append(f"rotated upright as its EXIF orientation ({orientation}) asks")
    return ImageOps.exif_transpose(image)


def to_rgb(image: Image.Image, notes: list[str] | None = None) -> Image.Image:
    """Convert any PIL mode to 8-bit RGB the way a viewer would show it, appending a note on what changed.

    Transparent pixels go on white (as browsers show them); 16/32-bit and float greyscale are rescaled
    rather than clipped (PIL's own convert clips I;16 values above 255 to white); CMYK, YCbCr and the
    rest go through PIL's conversion.
    """
    notes = notes if notes is not None else []
    mode = image.mode
    if mode == "RGB":
        return image
    if mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
        if image.mode == "RGB":  # a palette only indexes colours: nothing visible changes, nothing to report
            return image
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", image.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        notes.append(f"{mode} image: transparent parts shown on white")
        return background
    if mode.startswith("I") or mode == "F":
        pixels = np.asarray(image, dtype=np.float64)
        if mode == "F":  # floating point has no fixed range: stretch what is there
            low, high = float(pixels.min()), float(pixels.max())
        else:  # 16-bit PNG/TIFF may open as I;16 or as I; values above 255 mean a 16-bit range
            low, high = 0.0, 65535.0 if mode.startswith("I;16") or pixels.max() > 255 else 255.0
        grey = np.clip(np.round((pixels - low) / ((high - low) or 1.0) * 255.0), 0, 255).astype(np.uint8)
        notes.append(f"{mode} greyscale (range {low:g}–{high:g}) rescaled to 8-bit RGB")
        return Image.fromarray(grey).convert("RGB")
    notes.append(
        "greyscale image: its one channel copied to R, G and B"
        if mode in ("L", "1")
        else f"converted from {mode} to RGB"
    )
    return image.convert("RGB")


def from_array(pixels: np.ndarray) -> LoadedImage:
    """Wrap a (H, W) or (H, W, 3|4) uint8 array (an example photo) as a LoadedImage."""
    image = Image.fromarray(np.ascontiguousarray(pixels))
    notes: list[str] = []
    return LoadedImage(to_rgb(image, notes), format="array", original_mode=image.mode, notes=notes)
