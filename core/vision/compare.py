"""Two models on the same picture: where they agree and where they disagree, class by class."""

from dataclasses import dataclass

from core.vision.inference import Classification


@dataclass(frozen=True)
class ClassInBoth:
    """One class from either model's top-k, with both models' probability and rank for it."""

    label: str
    index: int  # ImageNet-1k class index
    prob_a: float
    prob_b: float
    rank_a: int  # 1 = the model's top-1
    rank_b: int


def _rank(result: Classification, index: int) -> int:
    """1 + how many classes the model scores above class `index`."""
    return 1 + int((result.probabilities > result.probabilities[index]).sum())


def classes_in_both(a: Classification, b: Classification, categories: tuple[str, ...]) -> list[ClassInBoth]:
    """The union of both top-k lists, most probable (under either model) first."""
    indices = dict.fromkeys([p.index for p in a.predictions] + [p.index for p in b.predictions])
    rows = [
        ClassInBoth(
            categories[i],
            i,
            float(a.probabilities[i]),
            float(b.probabilities[i]),
            _rank(a, i),
            _rank(b, i),
        )
        for i in indices
    ]
    return sorted(rows, key=lambda r: -max(r.prob_a, r.prob_b))


def verdict(title_a: str, a: Classification, title_b: str, b: Classification) -> str:
    """One sentence: the two top-1 answers, and how many of the top-k classes the models share."""
    best_a, best_b = a.predictions[0], b.predictions[0]
    shared = len({p.index for p in a.predictions} & {p.index for p in b.predictions})
    k = len(a.predictions)
    if best_a.index == best_b.index:
        head = (
            f"Both put **{best_a.label}** first ({title_a} {best_a.prob:.1%}, {title_b} {best_b.prob:.1%})."
        )
    else:
        head = (
            f"They disagree: {title_a} says **{best_a.label}** ({best_a.prob:.1%}; {title_b} gives it "
            f"{b.probabilities[best_a.index]:.1%}), {title_b} says **{best_b.label}** ({best_b.prob:.1%}; "
            f"{title_a} gives it {a.probabilities[best_b.index]:.1%})."
        )
    return f"{head} They share {shared} of their top {k} classes."
