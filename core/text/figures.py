"""Figures for the Sentiment page: probability bar, highlighted attributions, attention map, score histogram.

The highlighted text is an HTML string built here so it can be tested without a browser. Every piece of the
user's text goes through html.escape: a review containing <script> is shown as those characters, never run.
"""

import html

import numpy as np
import plotly.graph_objects as go

from core.figures.style import NEGATIVE, NEUTRAL, POSITIVE, base_layout

MAX_ATTENTION_TOKENS = 64  # beyond this the heatmap's labels are unreadable; the page says so


def probability_figure(positive: float, height: int = 120) -> go.Figure:
    """One stacked horizontal bar: P(NEGATIVE) in blue from the left, P(POSITIVE) in red to the right."""
    fig = go.Figure()
    for name, value, colour in (("NEGATIVE", 1.0 - positive, NEGATIVE), ("POSITIVE", positive, POSITIVE)):
        fig.add_trace(
            go.Bar(
                y=["P"],
                x=[value],
                name=name,
                orientation="h",
                marker_color=colour,
                text=[f"{name} {value:.1%}"],
                textposition="inside",
                insidetextanchor="middle",
                hovertemplate=f"{name}: %{{x:.3f}}<extra></extra>",
            )
        )
    fig.update_layout(barmode="stack", showlegend=False)
    fig.update_xaxes(range=[0, 1], tickformat=".0%")
    fig.update_yaxes(visible=False)
    base_layout(fig, None, height)
    fig.update_layout(margin={"l": 10, "r": 10, "t": 10, "b": 30})
    return fig


def _background(score: float, scale: float) -> str:
    """Red for evidence towards POSITIVE, blue towards NEGATIVE, opacity by size relative to `scale`."""
    strength = min(1.0, abs(score) / scale) if scale > 0 else 0.0
    rgb = (228, 87, 46) if score > 0 else (46, 134, 171)
    return f"rgba({rgb[0]}, {rgb[1]}, {rgb[2]}, {0.75 * strength:.2f})"


def highlighted_html(
    text: str, spans: list[tuple[int, int]], scores: np.ndarray, note: str | None = None
) -> str:
    """The text with each scored span's background coloured by its score; text between spans kept as is.

    Spans are (start, end) character offsets into `text`, in order. Text after the last span (the part a
    truncated model never saw) is shown greyed out. All user text is HTML-escaped.
    """
    scores = np.asarray(scores, dtype=float)
    scale = float(np.abs(scores).max()) if scores.size else 0.0
    parts: list[str] = []
    cursor = 0
    for (start, end), score in zip(spans, scores, strict=True):
        parts.append(html.escape(text[cursor:start]))
        parts.append(
            f'<span title="{score:+.3f}" style="background:{_background(score, scale)};'
            f'border-radius:3px;padding:1px 2px">{html.escape(text[start:end])}</span>'
        )
        cursor = end
    rest = text[cursor:]
    if rest.strip() and spans:
        shown = rest if len(rest) <= 2000 else rest[:2000] + " …"
        parts.append(f'<span style="color:{NEUTRAL}">{html.escape(shown)}</span>')
    else:
        parts.append(html.escape(rest))
    footer = (
        f'<div style="color:{NEUTRAL};font-size:0.85em;margin-top:6px">{html.escape(note)}</div>'
        if note
        else ""
    )
    body = "".join(parts)
    return f'<div style="line-height:2;white-space:pre-wrap;word-wrap:break-word">{body}</div>{footer}'


def attention_figure(tokens: list[str], attention: np.ndarray, layer: int, head: int) -> go.Figure:
    """One head's attention matrix: row i is how token i spreads its attention over the tokens (columns)."""
    n = min(len(tokens), MAX_ATTENTION_TOKENS)
    # Token strings repeat ("the" twice); a position prefix keeps the category axis one cell per token.
    labels = [f"{i}:{t}" for i, t in enumerate(tokens[:n])]
    fig = go.Figure(
        go.Heatmap(
            z=attention[:n, :n],
            x=labels,
            y=labels,
            colorscale="Blues",
            zmin=0,
            zmax=float(attention[:n, :n].max()),
            colorbar={"title": {"text": "weight"}},
            hovertemplate="%{y} → %{x}: %{z:.3f}<extra></extra>",
        )
    )
    # Every token labelled (plotly would thin out category labels), small enough for 64 of them.
    ticks = {"type": "category", "tickmode": "array", "tickvals": labels, "tickfont": {"size": 10}}
    fig.update_yaxes(autorange="reversed", title="from token", **ticks)
    fig.update_xaxes(title="attends to", tickangle=-60, **ticks)
    return base_layout(fig, f"Layer {layer + 1}, head {head + 1}", max(360, 14 * n + 160))


def histogram_figure(positives: list[float], bins: int = 20) -> go.Figure:
    """Distribution of P(POSITIVE) over a batch, split by predicted label at 0.5."""
    values = np.asarray([p for p in positives if p is not None], dtype=float)
    fig = go.Figure()
    edges = {"start": 0.0, "end": 1.0, "size": 1.0 / bins}
    fig.add_trace(go.Histogram(x=values[values < 0.5], xbins=edges, name="NEGATIVE", marker_color=NEGATIVE))
    fig.add_trace(go.Histogram(x=values[values >= 0.5], xbins=edges, name="POSITIVE", marker_color=POSITIVE))
    fig.update_layout(barmode="overlay", bargap=0.05)
    fig.update_xaxes(title="P(POSITIVE)", range=[0, 1])
    fig.update_yaxes(title="texts")
    return base_layout(fig, None, 300)
