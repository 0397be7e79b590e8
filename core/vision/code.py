"""The "PyTorch for these settings" script of the Image classification page: the chosen model with its
weights, its preprocessing, softmax and top-k, on the chosen photo, printing what the page shows.

The script uses only torch, torchvision, PIL and the model's own packages (never this app), so a learner can
paste it anywhere; a test runs it in a fresh interpreter and compares its output with the page's numbers.
"""

from core.vision.examples import Example
from core.vision.registry import ImageModel

SCRIPT = """\
import torch
from PIL import Image
from torchvision.transforms import v2 as T
{photo_import}
{build_code}
model.eval()  # inference: BatchNorm uses its running statistics, dropout is off

# {preprocessing}
transform = T.Compose([
    T.Resize({resize}, interpolation=T.InterpolationMode.{interpolation}, antialias=True),
    T.CenterCrop({crop}),
    T.ToImage(),
    T.ToDtype(torch.float32, scale=True),  # 0-255 -> 0-1
    T.Normalize(mean={mean}, std={std}),
])

{photo_line}
x = transform(image)[None]  # (1, 3, {crop}, {crop})
with torch.inference_mode():
    logits = model(x)  # (1, 1000)
probabilities = logits.softmax(dim=-1)[0]  # (1000,), sums to 1
top = probabilities.topk({top_k})
for p, i in zip(top.values.tolist(), top.indices.tolist()):
    print(f"{{categories[i]}} ({{i}}): {{p:.4f}}")
"""

UPLOAD_LINE = (
    'image = Image.open("your_photo.jpg").convert("RGB")  # the app also applies EXIF rotation and puts '
    "transparent pixels on white"
)


def _python_list(values: tuple[float, ...]) -> str:
    """`[v] * 3` when the channels share one value (shorter to read), else the full list; exact floats."""
    return f"[{values[0]!r}] * {len(values)}" if len(set(values)) == 1 else repr(list(values))


def pytorch_code(entry: ImageModel, photo: Example | None, top_k: int) -> str:
    """The script that classifies `photo` (None: an uploaded file) with `entry` and prints its top-k."""
    pre = entry.preprocessing
    if photo is None:
        photo_import, photo_line = "", UPLOAD_LINE
    else:
        photo_import = f"import {photo.module}\n"
        photo_line = f'image = Image.fromarray({photo.source}).convert("RGB")  # {photo.title}'
    return SCRIPT.format(
        photo_import=photo_import,
        build_code=entry.build_code,
        preprocessing=pre.describe(),
        resize=pre.resize,
        interpolation=pre.interpolation.name,
        crop=pre.crop,
        mean=_python_list(pre.mean),
        std=_python_list(pre.std),
        photo_line=photo_line,
        top_k=top_k,
    )
