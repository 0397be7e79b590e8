"""'Export as PyTorch': a self-contained script that reproduces a playground run, written from its config.

The script is core/playground/export_template.py (readable, runnable Python: as it stands, reference setup A)
with its settings filled in from the config and its data, targets and penalty replaced by the source of the
very functions the engine runs (the dataset's generator, `split`, `encode_targets`, `weight_penalty` ...).
"""

import ast
import json
import pprint
import re
from pathlib import Path

from core.basics.activations import ACTIVATIONS, Step
from core.playground.config import PlaygroundConfig, to_query
from core.playground.datasets import DATASETS, Split, split, train_size
from core.playground.features import FEATURES
from core.playground.losses import PLAYGROUND_LOSSES, encode_targets, output_activation
from core.playground.model import weight_penalty
from core.playground.optim import INITS, OPTIMIZERS, SCHEDULES
from core.sources import parse, source_of

TEMPLATE = Path(__file__).with_name("export_template.py")
CONSTANT_SCHEDULE = "torch.optim.lr_scheduler.LambdaLR(optimizer, lambda epoch: 1.0)"
DOC = """Training playground run exported as plain PyTorch: python this_file.py [--curve losses.json]

Reproduces the app's run for {epochs} epochs: the same seed, data, initial weights, minibatch order and
updates. The app's settings (add them to the playground page's address to open this run there):
?{link}
"""


def export_script(config: PlaygroundConfig, epochs: int, data: Split | None = None) -> str:
    """A runnable script: the same data (from the seed), nn.Module, init, loss, optimizer, schedule and loop.

    `data` is given for uploaded points, which are written into the script. Run it with `--curve FILE` to save
    the per-epoch losses as JSON.
    """
    task = data.task if data is not None else DATASETS[config.dataset].task
    output = output_activation(config.loss, task)
    inputs = [f.code for f in FEATURES.values() if f.id in config.features]
    link = "&".join(f"{k}={v}" for k, v in to_query(config).items())
    values: dict[str, str | None] = {
        "__doc__": '"""' + DOC.format(epochs=epochs, link=link) + '"""',
        "SEED": repr(config.seed),
        "EPOCHS": repr(epochs),
        "TASK": _literal(task),
        "LOSS": _literal(config.loss),
        "HIDDEN": repr(config.hidden),
        "DROPOUT": repr(config.dropout),
        "BATCH_SIZE": repr(config.batch_size),
        "REGULARIZATION": _literal(config.regularization),
        "REG_RATE": repr(config.reg_rate),
        "Split": _source(Split),
        "encode_targets": _source(encode_targets),
        "Step": _source(Step) if "Step" in (config.activation, output) else None,
        "weight_penalty": _source(weight_penalty),
        "make_activation()": module_code(config.activation),
        "make_output_activation()": module_code(output),
        "make_norm()": "nn.BatchNorm1d(width)" if config.batch_norm else "nn.Identity()",
        "features()": f"np.stack([{', '.join(inputs)}], axis=1)",
        "init_weight()": INITS[config.init].code,
        "loss_fn()": PLAYGROUND_LOSSES[config.loss].code,
        "make_optimizer()": OPTIMIZERS[config.optimizer].code.format(lr=repr(config.lr)),
        "make_scheduler()": SCHEDULES[config.schedule].code.format(period=config.schedule_period)
        or CONSTANT_SCHEDULE,
    }
    template = TEMPLATE.read_text()
    if data is None:
        generator = DATASETS[config.dataset].generate
        values |= {
            "POINTS": repr(config.points),
            "NOISE": repr(config.noise),
            "TRAIN_FRACTION": repr(config.train_fraction),
            "circle": _source(generator),  # the template's generator stands for the chosen one
            "make_points": generator.__name__,
            "train_size": _source(train_size),
            "split": _source(split),
            "UPLOADED": None,
            "load_uploaded_data": None,
        }
    else:
        arrays = (data.train_points, data.train_y, data.test_points, data.test_y)
        values |= {
            name: None
            for name in ("POINTS", "NOISE", "TRAIN_FRACTION", "circle", "make_points", "train_size", "split")
        }
        uploaded = "".join(f"    {_list(a.tolist())},\n" for a in arrays)
        values |= {
            "UPLOADED": f"(\n{uploaded})",
            # the template's loader of uploaded points takes the place of the generator's
            "load_data": _definition(template, "load_uploaded_data").replace(
                "load_uploaded_data", "load_data"
            ),
            "load_uploaded_data": None,
        }
    return fill(template, values)


def fill(template: str, values: dict[str, str | None]) -> str:
    """The template with named top-level pieces replaced by code: `NAME` an assignment's value, `name` a
    whole def or class, `name()` the expression that function `name` returns, `__doc__` the module
    docstring (a string literal). None removes the assignment, def or class."""
    slots = _slots(parse(template))
    line_starts = [0]  # in bytes, as ast counts columns
    for line in template.encode().splitlines(keepends=True):
        line_starts.append(line_starts[-1] + len(line))
    edits = []
    for key, code in values.items():
        statement, part = slots[key]
        if code is None or part is statement:  # whole lines, decorators included
            first = min([statement.lineno, *(d.lineno for d in getattr(statement, "decorator_list", []))])
            edits.append((line_starts[first - 1], line_starts[statement.end_lineno], code or ""))
        else:
            start = line_starts[part.lineno - 1] + part.col_offset
            edits.append((start, line_starts[part.end_lineno - 1] + part.end_col_offset, code))
    text = template.encode()
    for start, end, code in sorted(edits, reverse=True):
        text = text[:start] + code.encode() + text[end:]
    return re.sub(r"\n{4,}", "\n\n\n", text.decode())  # a removed definition leaves too many blank lines


def _slots(tree: ast.Module) -> dict[str, tuple[ast.stmt, ast.AST]]:
    """Each piece of the template that `fill` can replace, by name: (its statement, the part replaced)."""
    slots: dict[str, tuple[ast.stmt, ast.AST]] = {}
    for node in tree.body:
        if isinstance(node, ast.Expr) and node is tree.body[0]:
            slots["__doc__"] = (node, node.value)
        elif isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            slots[node.targets[0].id] = (node, node.value)
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            slots[node.name] = (node, node)
            if isinstance(node.body[-1], ast.Return) and node.body[-1].value is not None:
                slots[f"{node.name}()"] = (node, node.body[-1].value)
    return slots


def _source(function: object) -> str:
    """A function's or class's source as the engine runs it."""
    return source_of(function).rstrip() + "\n"


def _definition(template: str, name: str) -> str:
    """A def's source in the template."""
    return ast.get_source_segment(template, _slots(parse(template))[name][0]) + "\n"


def _literal(text: str) -> str:
    """A string as a double-quoted Python literal, as ruff format writes it."""
    return json.dumps(text)


def _list(values: list) -> str:
    """A long list as wrapped lines, indented to sit inside a tuple at the top level of the script."""
    return pprint.pformat(values, width=100, compact=True).replace("\n", "\n    ")


def module_code(activation: str) -> str:
    """The activation module as the script builds it: nn.<Class>() with torch's defaults (the registry's), or
    Step() (defined in the script)."""
    return "Step()" if activation == "Step" else f"nn.{type(ACTIVATIONS[activation].module()).__name__}()"
