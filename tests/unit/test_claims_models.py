"""Claims of the Transfer learning page that need the offline pretrained model, re-run here with the app's
own code (issue 20, "Every claim right")."""

import numpy as np
import pytest
import torch
from sklearn.linear_model import LogisticRegression
from torch import nn

from core.transfer.backbone import load_backbone
from core.transfer.builtin import TASKS
from core.transfer.data import FeatureCache, stratified_split
from core.transfer.export import OFFLINE_RECIPE
from core.transfer.train import HeadConfig, HeadJob
from core.transfer.workspace import finetune_data, from_task, head_data
from tests.cards_runs import card_text
from tests.learner_text import says


def test_digits_reach_82_percent_a_little_above_raw_pixel_logistic_regression() -> None:
    backbone = load_backbone()
    cache = FeatureCache(backbone.name)
    task = TASKS["digits"].load()
    space = from_task(task, backbone, cache)
    data = head_data(space, backbone, cache, 0.2, seed=0)  # the page's defaults: 20 % validation, seed 0
    job = HeadJob(data, len(task.classes), HeadConfig(seed=0))
    job.run()
    assert len(data.train_y) == 160 and len(data.test_y) == 100
    assert round(job.evaluate(data.test_x, data.test_y)[1], 2) == 0.82

    def pixels(pairs: list) -> np.ndarray:  # (N, 784) in [0, 1]
        return np.stack([np.asarray(p.convert("L"), dtype=np.float64).ravel() / 255 for p, _ in pairs])

    train_index, _ = stratified_split([k for _, k in task.train], 0.2, 0)  # the same 160 digits
    raw = LogisticRegression(max_iter=5000).fit(
        pixels(task.train)[train_index], np.array([k for _, k in task.train])[train_index]
    )
    assert round(raw.score(pixels(task.test), np.array([k for _, k in task.test])), 2) == 0.77
    assert says("reaches about 82 % on the 100 test digits (seed 0; chance is 10 %)")
    assert says("a logistic regression on the raw pixels of the same 160 training digits (77 %)")


def test_the_offline_recipe_freezes_weights_and_batch_norm_statistics() -> None:
    namespace: dict[str, object] = {}
    exec(compile(OFFLINE_RECIPE.substitute(n_classes=3), "<recipe>", "exec"), namespace)  # as shown
    model = namespace["model"]
    assert isinstance(model, nn.Module)
    norms = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    before = [m.running_mean.clone() for m in norms]
    with torch.no_grad():
        model(torch.rand(2, 3, 224, 224))
    assert norms and all(torch.equal(m.running_mean, b) for m, b in zip(norms, before, strict=True))
    assert [name for name, p in model.named_parameters() if p.requires_grad] == ["_fc.weight", "_fc.bias"]


@pytest.mark.parametrize("recipe", ["SEED_RECIPE", "OFFLINE_RECIPE"])
def test_both_recipes_put_the_frozen_model_in_eval_mode(recipe: str) -> None:
    import core.transfer.export as export

    code = getattr(export, recipe).substitute(n_classes=3)
    assert code.index("requires_grad = False") < code.index("model.eval()") < code.index("nn.Linear(num_ftrs")


def test_the_comparison_trains_on_51_textures() -> None:
    backbone = load_backbone()
    space = from_task(TASKS["textures"].load(), backbone, FeatureCache(backbone.name))
    _, train_y, _, val_y = finetune_data(space, backbone, 0.2, 0)  # the page's defaults
    assert (len(train_y), len(val_y)) == (51, 12)
    text = card_text("transfer_learning-compare")  # the page asks it as a prediction card
    assert "With 51 training pictures the random network has nothing to build on" in text
