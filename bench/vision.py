"""Pretrained image models on the CPU: load time, single-image latency, Grad-CAM and batch-32 throughput.

    .venv/bin/python bench/vision.py [--repeats 5] [--architectures] [--models efficientnet_lite1 ...]
    .venv/bin/python bench/vision.py --preprocessing


Times every model whose weights are on this machine. `--architectures` also times the torchvision models
whose weights are missing, built with random weights (the compute is the same; the load time is then not
measured). Threads follow core.runtime (1 unless NEURAL_PLAYGROUND_THREADS is set). Prints the machine load
and a Markdown table to paste into the README.

`--preprocessing` instead measures which input normalisation the EfficientNet-Lite weights expect (Lite0,
Lite1 and Lite2, or those named by --models): top-1 hits and mean log-probability of the known classes over
the example photos (3 crops × 2 flips each, at the model's own resolution), and how far the first BatchNorm's
running variance is from the variance the stem convolution actually produces.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import torch
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from core.vision.examples import EXAMPLE_PHOTOS, example_image  # noqa: E402
from core.vision.gradcam import grad_cam  # noqa: E402
from core.vision.inference import classify, forward  # noqa: E402
from core.vision.registry import MODELS, ImageModel, LoadedModel, Preprocessing, load_model  # noqa: E402

CPU = torch.device("cpu")


def median_ms(samples: list[float]) -> float:
    return 1000 * statistics.median(samples)


def ms(samples: list[float]) -> str:
    """'median (best)' in ms: on a shared machine the best run is the closest to the uncontended cost."""
    return f"{median_ms(samples):.0f} ({1000 * min(samples):.0f}) ms"


def timed(fn, repeats: int, warmup: int = 1) -> list[float]:
    """Seconds taken by each of `repeats` calls of fn(), after `warmup` untimed calls."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def bench_model(entry: ImageModel, repeats: int) -> dict[str, str]:
    """One table row: load, preprocessing, single-image forward, Grad-CAM and batch-32 throughput."""
    available = entry.availability().available
    if available:
        # warm: after the untimed first load the weights file is in the OS page cache
        loads = timed(lambda: load_model(entry, CPU), repeats=3, warmup=1)
        loaded = load_model(entry, CPU)
    else:
        torch.manual_seed(0)
        loaded = LoadedModel(entry, entry.build().eval(), CPU, 0.0)
    photo = example_image("cat").image  # 451×300
    pre = timed(lambda: entry.preprocessing.to_tensor(photo), repeats)
    single = entry.preprocessing.to_tensor(photo)[None]
    one = [forward(loaded, single)[1] / 1000 for _ in range(repeats + 1)][1:]
    crop = classify(loaded, photo).model_input
    cam = timed(lambda: grad_cam(loaded, crop, 282), repeats)
    batch = single.repeat(32, 1, 1, 1)  # (32, 3, crop, crop)
    batches = [forward(loaded, batch)[1] / 1000 for _ in range(max(2, repeats // 2) + 1)][1:]
    return {
        "model": entry.title + ("" if available else " (random weights)"),
        "params": f"{loaded.parameter_count / 1e6:.2f} M",
        "input": f"{entry.preprocessing.crop}×{entry.preprocessing.crop}",
        "load": f"{median_ms(loads):.0f} ms" if available else "n/a",
        "preprocess": f"{median_ms(pre):.1f} ms",
        "forward, 1 image": ms(one),
        "Grad-CAM": ms(cam),
        "batch 32": f"{32 / statistics.median(batches):.1f} ({32 / min(batches):.1f}) img/s",
    }


NORMALISATIONS = {
    "TensorFlow (x - 127) / 128 (registry)": ((127 / 255,) * 3, (128 / 255,) * 3),
    "ImageNet mean/std (package README)": ((0.485, 0.456, 0.406), (0.229, 0.224, 0.225)),
    "none, [0, 1]": ((0.0,) * 3, (1.0,) * 3),
}


def bench_preprocessing(name: str) -> None:
    """Score each candidate normalisation of a Lite model's input on the example photos with known classes."""
    loaded = load_model(MODELS[name], CPU)
    net, base = loaded.module.net, loaded.entry.preprocessing
    print(f"\n{loaded.entry.title}, crop {base.crop}:")
    stem_outputs: list[torch.Tensor] = []
    net._conv_stem.register_forward_hook(lambda _m, _i, out: stem_outputs.append(out))
    known = {name: e.expected for name, e in EXAMPLE_PHOTOS.items() if e.expected}
    print("| normalisation | top-1 hits | mean log P(known classes) | stem BN: mean abs log(var ratio) |")
    print("|---|---:|---:|---:|")
    for label, (mean, std) in NORMALISATIONS.items():
        stem_outputs.clear()
        hits, log_p = 0, []
        for name, expected in known.items():
            photo = example_image(name).image
            mirrored = photo.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
            indices = [loaded.entry.categories.index(c) for c in expected]
            for fraction in (0.875, 0.75, 1.0):
                pre = Preprocessing(round(base.crop / fraction), base.crop, mean, std, base.interpolation)
                for picture in (photo, mirrored):
                    x = pre.to_tensor(picture)[None]
                    probs = forward(loaded, x)[0].softmax(-1)[0]
                    hits += int(probs.argmax()) in indices
                    log_p.append(float(probs[indices].sum().log()))
        stems = torch.cat(stem_outputs)  # (N, 32, 112, 112)
        bn = net._bn0
        alive = bn.running_var > 1e-4  # channels the training never used have ~0 variance
        ratio = stems.var(dim=(0, 2, 3))[alive] / bn.running_var[alive]
        print(
            f"| {label} | {hits}/{len(log_p)} | {statistics.mean(log_p):.3f} | "
            f"{float(ratio.log().abs().mean()):.2f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--architectures", action="store_true", help="also time models without weights")
    parser.add_argument("--preprocessing", action="store_true", help="compare Lite0 input normalisations")
    parser.add_argument("--models", nargs="+", choices=list(MODELS), help="time only these (default: all)")
    args = parser.parse_args()
    if args.preprocessing:
        print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        for name in args.models or ["efficientnet_lite0", "efficientnet_lite1", "efficientnet_lite2"]:
            bench_preprocessing(name)
        return
    entries = [e for e in MODELS.values() if args.architectures or e.availability().available]
    entries = [e for e in entries if not args.models or e.name in args.models]
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), {os.cpu_count()} CPUs, "
        f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    rows = [bench_model(entry, args.repeats) for entry in entries]
    print("| " + " | ".join(rows[0]) + " |\n|---|" + "---:|" * (len(rows[0]) - 1))
    for row in rows:
        print("| " + " | ".join(row.values()) + " |", flush=True)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
