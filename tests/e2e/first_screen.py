"""What a page must show in the first screen of a desktop, and the check that nothing runs off a phone's
screen: used by the deep-link test (tests/e2e/test_pages_browser.py), which opens every page.

At 1400×1000 the element that carries a page's answer for the default settings (the classes, the label, the
boundary, the numbers its explanation names) must be visible without scrolling: enough of it on screen to
read. At 390×844 no element of the page may stick out past the screen's edges (a row that runs off a phone
can only be read by scrolling sideways).
"""

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

DESKTOP = {"width": 1400, "height": 1000}
PHONE = {"width": 390, "height": 844}
SEEN_PX = 150  # this much of the main result (or all of it, if it is smaller) must lie above the fold

# Each page's main result for its default settings, as Playwright selectors (keyed charts and widgets carry
# an st-key-<key> class; tables do not). Every page in the navigation must have an entry.
MAIN_RESULT = {
    "home": ['[data-testid="stPageLink"]:has-text("Neuron & layers")'],
    "neuron": ['[data-testid="stMetric"]:has-text("Output a =")', ".st-key-neuron_plane"],
    "activations": [".st-key-act_figure"],
    "forward_pass": [
        '[data-testid="stMetric"]:has-text("PyTorch model(x)")',
        '[data-testid="stMetric"]:has-text("max |NumPy − PyTorch|")',
    ],
    "playground": [".st-key-play_boundary"],
    "backprop": [".st-key-bp_graph", '[data-testid="stMetric"]:has-text("max |hand − autograd|")'],
    "losses": [".st-key-loss_curve"],
    "optimizers": [".st-key-opt_contour", ".st-key-opt_race_loss"],
    "batchnorm_dropout": ['[data-testid="stMetric"]:has-text("Loss with batch norm")', ".st-key-bn_curves"],
    "lr_schedules": [".st-key-lrs_preview"],
    "cnn": [".st-key-cnn_conv_output_fig"],
    "rnn": ['[data-testid="stMarkdownContainer"]:has-text("Output fc(h_5)")'],  # under the hand-vs-RNN table
    "transformer": ['[data-testid="stMetric"]:has-text("Validation loss")', ".st-key-tf_loss_chart"],
    "image_classification": ['[class*="st-key-img_bars_efficientnet_lite0_"]'],
    "sentiment": ['[data-testid="stMetric"]:has-text("Label")', ".st-key-sent_prob_chart"],
    "transfer_learning": ['[data-testid="stMetric"]:has-text("Validation accuracy")'],
}
# Visible elements of the page that reach past the screen's left or right edge, unless an ancestor clips or
# scrolls them (that ancestor is then checked itself); and the page's own horizontal overflow.
OVERFLOW = """() => {
    const main = document.querySelector('[data-testid="stMain"]');
    const width = document.documentElement.clientWidth;
    const found = [];
    for (const box of [document.documentElement, main]) {
        if (box.scrollWidth > box.clientWidth + 1) found.push(`${box.tagName} is ${box.scrollWidth} px wide`);
    }
    const clipped = (el) => {
        for (let up = el.parentElement; up && up !== main; up = up.parentElement) {
            if (getComputedStyle(up).overflowX !== "visible") return true;
        }
        return false;
    };
    for (const el of main.querySelectorAll("*")) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0 || !el.checkVisibility({opacityProperty: true})) continue;
        if ((r.left < -1 || r.right > width + 1) && !clipped(el)) {
            const name =
                el.id || el.getAttribute("data-testid") || el.className.toString().slice(0, 40) || el.tagName;
            found.push(`${name}: ${Math.round(r.left)}..${Math.round(r.right)} px`);
        }
    }
    return found.slice(0, 8);
}"""

# The page has taken the phone's width: the sidebar folded away (the main area starts at 0) and every
# chart redrawn no wider than the screen (plotly redraws a moment after the window changes).
NARROWED = """() => {
    const main = document.querySelector('[data-testid="stMain"]');
    const width = document.documentElement.clientWidth;
    const charts = [...main.querySelectorAll('[data-testid="stPlotlyChart"] .main-svg')];
    const fits = (svg) => svg.getBoundingClientRect().width <= width;
    return main.getBoundingClientRect().left === 0 && charts.every(fits);
}"""


def overflow(page: Page) -> list[str]:
    """What sticks out past the screen's left or right edge (at most 8 lines)."""
    return page.evaluate(OVERFLOW)


def assert_main_result_in_the_first_screen(page: Page, stem: str) -> None:
    """At the page's desktop size, each of the page's main-result elements starts above the fold with its
    first SEEN_PX pixels (or all of it) on screen."""
    assert page.viewport_size == DESKTOP
    for selector in MAIN_RESULT[stem]:
        result = page.locator(selector).first
        expect(result).to_be_visible()
        box = result.bounding_box()
        assert box is not None and box["y"] >= 0, f"{stem}: {selector} is above the page"
        seen = box["y"] + min(box["height"], SEEN_PX)
        assert seen <= DESKTOP["height"], (
            f"{stem}: {selector} starts at {box['y']:.0f} px; its first {SEEN_PX} px end at {seen:.0f}, "
            f"past the {DESKTOP['height']} px first screen"
        )


def assert_nothing_off_a_phone(page: Page, stem: str) -> None:
    """The same page narrowed to a phone: Streamlit's layout is responsive (the sidebar folds away, columns
    stack, charts redraw to the new width), so this is what a phone gets, without a second page load."""
    page.set_viewport_size(PHONE)
    try:
        page.wait_for_function(NARROWED, timeout=30_000)
    except PlaywrightTimeout:
        pytest.fail(f"{stem}: no phone layout at {PHONE['width']} px (charts never redrew narrower)")
    assert overflow(page) == [], f"{stem} at {PHONE['width']} px: {overflow(page)}"
