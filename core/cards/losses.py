"""The Loss functions page's prediction cards: each runs the page's own core functions."""

from core.cards.card import Card, Numbers
from core.training.losses import curve, outlier_fits, saturation, vector_losses

SLIDE_TRUE = (1.0, 0.0, 1.0, 1.0)
SLIDE_PRED = (0.9, 0.1, 0.8, 0.95)
WRONG_PRED = (0.9, 0.1, 0.8, 0.05)  # the last prediction moved to the wrong side


def vector_text(values: tuple[float, ...]) -> str:
    """A vector as the page's text box shows it."""
    return ", ".join(f"{v:g}" for v in values)


def slide_jump() -> Numbers:
    """MSE and BCE on the slide's vectors, before and after the last prediction goes from 0.95 to 0.05."""

    def mse_bce(pred: tuple[float, ...]) -> tuple[float, float]:
        values = {v.name: v.value for v in vector_losses(list(SLIDE_TRUE), list(pred), 1.0)}
        return values["MSE"], values["BCE"]

    (mse_before, bce_before), (mse_after, bce_after) = mse_bce(SLIDE_PRED), mse_bce(WRONG_PRED)
    return {
        "mse_before": mse_before,
        "mse_after": mse_after,
        "bce_before": bce_before,
        "bce_after": bce_after,
    }


def slide_jump_rule(n: Numbers) -> int:
    """BCE (0) or MSE (1) when it rises more than twice as much as the other, else about the same (2)."""
    bce_rise, mse_rise = n["bce_after"] - n["bce_before"], n["mse_after"] - n["mse_before"]
    return 0 if bce_rise > 2 * mse_rise else 1 if mse_rise > 2 * bce_rise else 2


def bce_at_17() -> Numbers:
    """Section 3's row z = 17 for target 0: BCELoss on a float32 sigmoid, its gradient, the exact loss."""
    row = saturation(0.0, [17.0])
    return {
        "bce": row.bce[0],
        "bce_gradient": row.bce_gradient[0],
        "with_logits": row.with_logits[0],
        "with_logits_gradient": row.with_logits_gradient[0],
        "exact": row.exact[0],
    }


def bce_at_17_rule(n: Numbers) -> int:
    """The exact loss (0), BCELoss's clamp at 100 with no gradient (1), or infinity (2)."""
    if n["bce"] == float("inf"):
        return 2
    if abs(n["bce"] - 100) < 1e-3 and n["bce_gradient"] == 0:
        return 1
    return 0


def huber_far() -> Numbers:
    """d loss / dŷ of MSE, MAE and Huber (δ = 1) for target 1 at ŷ = 4, the last point of section 1's axis."""
    return {name.lower(): curve(name, 1.0, 1.0).gradient[-1] for name in ("MSE", "MAE", "Huber")}


def huber_far_rule(n: Numbers) -> int:
    """Which gradient Huber's equals: MAE's (0), half MSE's (1) or MSE's (2)."""
    return min(range(3), key=lambda i: abs(n["huber"] - (n["mae"], n["mse"] / 2, n["mse"])[i]))


def outlier_slopes() -> Numbers:
    """The three fitted slopes with the outlier moved up by 20 (δ = 1, seed 0)."""
    fit = outlier_fits(20.0, 1.0, 0)
    return {name.lower(): slope for name, (slope, _) in fit.lines.items()}


def outlier_rule(n: Numbers) -> int:
    """The loss whose slope is furthest from the true 2 when it is more than 1 away (MSE 0, MAE 1, Huber 2),
    else none (3)."""
    distances = [abs(n[name] - 2) for name in ("mse", "mae", "huber")]
    far = max(range(3), key=distances.__getitem__)
    return far if distances[far] > 1 else 3


CARDS = (
    Card(
        name="losses-slide-jump",
        page="losses",
        question="Keep the slide's targets (1, 0, 1, 1) and move the last prediction from 0.95 to **0.05**, "
        "confidently wrong. Which loss jumps more?",
        answers=("BCE", "MSE", "Both by about the same"),
        settings={"loss_y_true": vector_text(SLIDE_TRUE), "loss_y_pred": vector_text(WRONG_PRED)},
        run=slide_jump,
        rule=slide_jump_rule,
        note="BCE goes from {bce_before:.4f} to **{bce_after:.4f}**, MSE only from {mse_before:.6f} to "
        "**{mse_after:.4f}**. BCE's term for that point is −ln 0.05 ≈ 3.0 and grows without bound as p → 0; "
        "MSE's is (0.05 − 1)² < 1. BCE punishes a confident mistake far harder.",
        explains=0,
    ),
    Card(
        name="losses-huber-far",
        page="losses",
        question="Section 1, **Huber** with δ = 1, target y = 1. At the prediction ŷ = 4 (3 too high), what "
        "is Huber's gradient d loss / dŷ?",
        answers=("1, like MAE's", "3, like half of MSE's", "6, like MSE's"),
        settings={"loss_name": "Huber", "loss_delta": 1.0, "loss_target_value": 1.0},
        run=huber_far,
        rule=huber_far_rule,
        note="Autograd gives Huber **{huber:g}**, MAE {mae:g} and MSE {mse:g} at ŷ = 4. Outside ±δ Huber is "
        "linear, δ·|ŷ − y| − δ²/2, so its gradient is ±δ like MAE's; inside ±δ it is ½(ŷ − y)², whose "
        "gradient ŷ − y is half MSE's.",
        explains=0,
    ),
    Card(
        name="losses-bce-z17",
        page="losses",
        question="Section 3 with target y = 0: at the logit **z = 17**, what does "
        "`nn.BCELoss()(torch.sigmoid(z), y)` report?",
        answers=(
            "About 17 with gradient 1, the exact loss",
            "100 with gradient 0",
            "inf: it takes log(0)",
        ),
        settings={"loss_sat_target": 0.0},
        run=bce_at_17,
        rule=bce_at_17_rule,
        note="BCELoss says **{bce:g}** with gradient **{bce_gradient:g}**; the exact loss is {exact:.4f}, "
        "and BCEWithLogitsLoss gives {with_logits:.4f} with gradient {with_logits_gradient:.4f}. "
        "torch.sigmoid computes 1/(1 + e⁻¹⁷), and in float32 1 + 4·10⁻⁸ rounds to 1, so p = 1.0 and "
        "log(1 − p) = log 0, which PyTorch clamps at −100: the loss sticks at 100 and the gradient is 0. "
        "Give BCEWithLogitsLoss the logit instead.",
        explains=1,
    ),
    Card(
        name="losses-outlier",
        page="losses",
        question="Section 4: drag the outlier to **20** (δ = 1, seed 0). Whose fitted slope moves far from "
        "the true 2?",
        answers=("MSE's", "MAE's", "Huber's", "None of them"),
        settings={"loss_outlier": 20.0, "loss_delta": 1.0, "global_seed": 0},
        run=outlier_slopes,
        rule=outlier_rule,
        note="Slopes: MSE **{mse:.2f}**, MAE {mae:.2f}, Huber {huber:.2f}. MSE's gradient grows with the "
        "error, so one point 20 away outweighs the 19 others; MAE's and Huber's gradients are bounded (±1 "
        "per point), so the far point pulls no harder than any other.",
        explains=0,
    ),
)
