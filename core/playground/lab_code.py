"""PyTorch for the experiment lab's settings: a fork's race and a loss-landscape slice as scripts.

Each is the run's exported script (core/playground/export.py) with its main() replaced by the definitions of
a template (fork_template.py, landscape_template.py: readable, runnable Python that imports the export
template's names), filled in from the page's settings.
"""

import ast
import json
import pprint
from pathlib import Path

from core.basics.activations import Step
from core.playground.config import PlaygroundConfig, to_query
from core.playground.datasets import Split
from core.playground.export import export_script, fill, module_code
from core.playground.landscape import Slice
from core.playground.optim import INITS, OPTIMIZERS
from core.playground.sweep import KNOBS, Sweep
from core.sources import parse, source_of

HERE = Path(__file__).parent
FORK_TEMPLATE = HERE / "fork_template.py"
LANDSCAPE_TEMPLATE = HERE / "landscape_template.py"
SWEEP_TEMPLATE = HERE / "sweep_template.py"
RUN_FIELDS = (
    "lr",
    "regularization",
    "reg_rate",
    "optimizer",
    "init",
    "batch_size",
    "hidden",
    "activation",
    "seed",
    "noise",
)


def _definitions(template: str) -> str:
    """A filled template's own definitions: everything after its imports, before `if __name__ ...`."""
    tree = parse(template)
    body = [node for node in tree.body[1:] if not isinstance(node, ast.Import | ast.ImportFrom | ast.If)]
    lines = template.splitlines(keepends=True)
    return "".join(lines[body[0].lineno - 1 : body[-1].end_lineno]) + "\n"


def _splice(script: str, template: str, doc: str, imports: list[str]) -> str:
    """`script` with its main() replaced by the template's definitions, its docstring by `doc`, and the
    standard-library `imports` it needs added."""
    script = fill(script, {"main": _definitions(template), "__doc__": '"""' + doc + '"""'})
    for line in imports:
        if f"\n{line}\n" not in script:
            script = script.replace("\nimport argparse\n", f"\nimport argparse\n{line}\n", 1)
    return script


def _with_step(script: str, activations: list[str]) -> str:
    """`script` with the Step class defined when one of `activations` is Step and it has none yet."""
    if "Step" not in activations or "class Step" in script:
        return script
    step = source_of(Step).rstrip()
    return script.replace("\n\ndef make_activation():", f"\n\n{step}\n\n\ndef make_activation():")


def fork_script(
    a: PlaygroundConfig,
    a_epochs: int,
    b: PlaygroundConfig,
    b_epochs: int,
    fork_epoch: int,
    data: Split | None,
) -> str:
    """The race as a script: A trained to the fork, B deep-copied from it with B's settings, both trained to
    the epochs they are at on the page. `data` for uploaded points."""
    template = fill(
        FORK_TEMPLATE.read_text(),
        {
            "LR": repr(a.lr),
            "FORK_EPOCH": repr(fork_epoch),
            "A_EPOCHS": repr(a_epochs),
            "B_EPOCHS": repr(b_epochs),
            "B_LR": repr(b.lr),
            "B_BATCH_SIZE": repr(b.batch_size),
            "B_REGULARIZATION": json.dumps(b.regularization),
            "B_REG_RATE": repr(b.reg_rate),
            "B_DROPOUT": repr(b.dropout),
            "B_SAME_OPTIMIZER": repr(b.optimizer == a.optimizer),
            "make_optimizer_b()": OPTIMIZERS[b.optimizer].code.format(lr="B_LR"),
            "make_activation_b()": module_code(b.activation),
        },
    )
    doc = (
        "Training playground race exported as plain PyTorch: python this_file.py [--curve losses.json]\n\n"
        f"Run A ({a.optimizer}, learning rate {a.lr:g}) trains {fork_epoch} epochs; B is forked from it\n"
        f"there ({b.optimizer}, learning rate {b.lr:g}, batch size {b.batch_size}, {b.activation},\n"
        f"dropout {b.dropout:g}, {b.regularization} {b.reg_rate:g}); then A trains to epoch {a_epochs}\n"
        f"and B to epoch {b_epochs}, as on the page.\n"
    )
    script = export_script(a, fork_epoch, data)
    script = _with_step(script, [b.activation])
    return _splice(script, template, doc, ["import copy"])


def landscape_script(config: PlaygroundConfig, s: Slice, data: Split | None) -> str:
    """The slice as a script: the run trained to the slice's epoch with its path kept, the same directions,
    and the loss at every grid point computed in a plain loop."""
    template = fill(
        LANDSCAPE_TEMPLATE.read_text(),
        {
            "DIRECTIONS": json.dumps(s.directions),
            "SURFACE": json.dumps(s.surface),
            "SNAPSHOT_EPOCHS": repr([int(e) for e in s.path_epochs]),
            "ALPHAS": f"np.linspace({s.alphas[0]!r}, {s.alphas[-1]!r}, {len(s.alphas)})",
            "BETAS": f"np.linspace({s.betas[0]!r}, {s.betas[-1]!r}, {len(s.betas)})",
        },
    )
    doc = (
        "Training playground loss landscape as plain PyTorch: python this_file.py [--out slice.json]\n\n"
        f"Trains the run {s.epoch} epochs, then computes the {s.surface} loss on a grid of\n"
        f"{len(s.alphas)} × {len(s.betas)} weight sets θ + α·d₁ + β·d₂ around the final weights θ\n"
        f"({s.directions} directions), one weight set at a time.\n"
    )
    script = export_script(config, s.epoch, data)
    script = script.replace(
        "from torch import nn\n",
        "from torch import nn\nfrom torch.nn.utils import parameters_to_vector, vector_to_parameters\n",
    )
    return _splice(script, template, doc, [])


def _registry(entries: dict[str, str]) -> str:
    """A dict literal of lambdas, one line per entry."""
    return "{\n" + "".join(f"    {json.dumps(name)}: {code},\n" for name, code in entries.items()) + "}"


def sweep_script(sweep: Sweep) -> str:
    """The sweep as a script: every run's settings, trained group by group with vmap over the stacked
    parameters, to the sweep's epochs."""
    configs = sweep.configs()
    runs = [{f: getattr(c, f) for f in RUN_FIELDS} for c in configs]
    used = {f: sorted({getattr(c, f) for c in configs}) for f in ("optimizer", "init", "activation")}
    template = fill(
        SWEEP_TEMPLATE.read_text(),
        {
            "SWEEP_EPOCHS": repr(sweep.epochs),
            "RUNS": "[  # one per cell, row by row\n    "
            + ",\n    ".join(pprint.pformat(run, width=104, sort_dicts=False) for run in runs)
            + ",\n]",
            "OPTIMIZERS": _registry(
                {
                    name: "lambda model, lr: " + OPTIMIZERS[name].code.format(lr="lr")
                    for name in used["optimizer"]
                }
            ),
            "INITS": _registry({name: "lambda w: " + INITS[name].code for name in used["init"]}),
            "ACTIVATIONS": _registry({name: "lambda: " + module_code(name) for name in used["activation"]}),
        },
    )
    x, y = KNOBS[sweep.x], KNOBS[sweep.y]
    doc = (
        "Training playground sweep as plain PyTorch (vmap): python this_file.py [--out runs.json]\n\n"
        f"{len(configs)} runs: {x.label} × {y.label}, {sweep.epochs} epochs each, on the settings of\n"
        f"?{'&'.join(f'{k}={v}' for k, v in to_query(sweep.base).items())}\n"
    )
    script = export_script(sweep.base, sweep.epochs)
    script = _with_step(script, used["activation"])
    script = script.replace(
        "from torch import nn\n", "from torch import nn\nfrom torch.func import functional_call\n", 1
    )
    return _splice(script, template, doc, ["import copy"])
