"""Prediction cards on the pages: read the question, pick an answer, press Run; the widgets take the card's
settings, the experiment runs (live on a page that trains, through the page's own runner), and the card says
right or wrong with the run's numbers and the explanation. "Show me" runs it without asking.

A page calls `cards_section(page)` in its Try this section (`cards_section(page, section)` in each, on a
page with several); a page that trains live also calls
`start_pending(runner_key, runner)` right after building its runner and before `live_view`, so that a card's
run plays in the page's own live view. The session's progress (the first outcome of each card) is kept in
st.session_state; Home shows it, and a link carries it (`?progress=`) or points at one card (`?card=`).
"""

import copy
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from core.cards import CARDS, page_cards
from core.cards.card import Card, Numbers
from core.runner import Runner
from ui.live import drop_runner

PROGRESS = "cards_progress"  # card name -> "right" | "wrong" | "shown": the first outcome of each card
PICKS = "cards_picks"  # card name -> the answer picked when Run was pressed; None for Show me
RESULTS = "cards_results"  # card name -> the numbers of its last run
PENDING = "cards_pending"  # a live card whose Run was pressed, until its page's new runner starts it
RUNS = "cards_runs"  # live card name -> the runner training it
FOCUS = "cards_focus"  # the card a link pointed at
LINKS_READ = "cards_links_read"  # the link parameters already taken in this session
CODES = {"right": "r", "wrong": "w", "shown": "s"}  # an outcome's letter in a progress link
OUTCOMES = {code: outcome for outcome, code in CODES.items()}


def _store(name: str) -> dict:
    """One of the session's card dictionaries, created on first use."""
    return st.session_state.setdefault(name, {})


def anchor(card: Card) -> str:
    """The HTML id of a card on its page, for a link to it."""
    return f"card-{card.name}"


def anchor_html(card: Card) -> str:
    """An empty element carrying the card's id: the target of a `#card-...` link. The name comes from the
    registry, never from a visitor."""
    return f'<span id="{anchor(card)}"></span>'


@st.cache_data(show_spinner="Running the experiment…", max_entries=256)
def measured(name: str) -> Numbers:
    """The numbers of a card's seeded run (the same for every session, so computed once per server)."""
    return CARDS[name].run()


def start(card: Card, answered: bool) -> None:
    """Run or Show me pressed: set the widgets to the card's settings, remember the answer, and start the run
    (a live card's page builds a new runner from the new settings and `start_pending` plays it)."""
    state = st.session_state
    for key, value in card.settings.items():
        state[key] = copy.deepcopy(
            value
        )  # the page may change it in place (a list, the forward pass's edits)
    pick = state.get(f"card_pick_{card.name}") if answered else None
    _store(PICKS)[card.name] = card.answers.index(pick) if pick in card.answers else None
    _store(RESULTS).pop(card.name, None)
    if card.live is not None:
        _store(RUNS).pop(card.name, None)
        drop_runner(card.live.runner)  # a fresh run, even when the settings were already these
        state[PENDING] = card.name


def start_pending(runner_key: str, runner: Runner) -> None:
    """On a page that trains live, right after its runner under `runner_key` is built from the widgets: play
    it when a card of this runner was just started, and follow it until it ends."""
    state = st.session_state
    card = CARDS.get(state.get(PENDING, ""))
    if card is None or card.live is None or card.live.runner != runner_key:
        return
    del state[PENDING]
    if card.live.stop_at is not None:
        runner.apply(lambda job: job.stop_after(card.live.stop_at))
    runner.play()
    _store(RUNS)[card.name] = runner


def _follow(card: Card) -> Numbers | None:
    """A live card's run: its numbers once it ended, else None and a line on where it stands."""
    state = st.session_state
    runner: Runner | None = _store(RUNS).get(card.name)
    if runner is None:
        if state.get(PENDING) == card.name:
            st.info("Starting the run…")
        return None
    if state.get(card.live.runner) is not runner or runner.closed:
        del _store(RUNS)[card.name]
        st.warning(
            "The card's run was replaced before it ended (a setting changed, or Reset): press Run again."
        )
        return None
    if not runner.read(lambda job: job.done):
        where = "training live above" if runner.playing else "paused: press Play above to finish it"
        st.info(f"The card's run is {where}; the verdict shows when it ends.")
        return None
    del _store(RUNS)[card.name]
    numbers = runner.read(card.live.measure)
    if card.live.stop_at is not None:  # paused where the card's run ended; Play trains on from there
        runner.pause()
        runner.apply(lambda job: job.stop_after(None))
    return numbers


def verdict(card: Card, numbers: Numbers) -> None:
    """Right or wrong (or just the answer, after Show me), then the explanation with the run's numbers; the
    first outcome of each card goes into the session's progress."""
    right = card.rule(numbers)
    picked = _store(PICKS).get(card.name)
    outcome = "shown" if picked is None else "right" if picked == right else "wrong"
    _store(PROGRESS).setdefault(card.name, outcome)
    answer = card.answers[right]
    if outcome == "right":
        st.success(f"**Right**: {answer}.", icon=":material/check_circle:")
    elif outcome == "wrong":
        st.error(
            f"**Not quite**: you said {card.answers[picked]}; the run says **{answer}**.",
            icon=":material/cancel:",
        )
    else:
        st.info(f"The run says **{answer}**.", icon=":material/visibility:")
    st.markdown(card.explain(numbers))


def card_view(card: Card, number: int) -> None:
    """One card: the question, the answers, Run and Show me, and after a run its verdict."""
    with st.container(border=True, key=f"card_{card.name}"):
        st.html(anchor_html(card))
        st.markdown(f"**Predict {number}.** {card.question}")
        pick = st.radio(
            f"Your prediction for card {number}",
            card.answers,
            index=None,
            key=f"card_pick_{card.name}",
            label_visibility="collapsed",
        )
        with st.container(horizontal=True, vertical_alignment="center"):
            st.button(
                "Run",
                key=f"card_run_{card.name}",
                type="primary",
                icon=":material/play_arrow:",
                on_click=start,
                args=(card, True),
                disabled=pick is None,
                help="Sets the page's widgets to this experiment and runs it"
                if pick
                else "Pick an answer first",
            )
            st.button(
                "Show me",
                key=f"card_show_{card.name}",
                on_click=start,
                args=(card, False),
                help="Runs it without asking",
            )
            counted = st.empty()  # filled below, once this run's verdict is counted
        results = _store(RESULTS)
        if card.name not in results and card.name in _store(PICKS):
            numbers = _follow(card) if card.live is not None else measured(card.name)
            if numbers is not None:
                results[card.name] = numbers
        if card.name in results:
            verdict(card, results[card.name])
        outcome = _store(PROGRESS).get(card.name)
        if outcome is not None:
            counted.caption(f"Counted: **{outcome}** (a card's first run counts)")


def cards_section(page: str, section: str = "", tabs: bool = False) -> None:
    """The cards of `page` (its file stem) that its Try this `section` asks, in order, numbered across the
    page; with `tabs`, one tab per card, so that the section takes one card's height (a page whose Try this
    sits above its widgets)."""
    numbered = [(n, card) for n, card in enumerate(page_cards(page), start=1) if card.section == section]
    places = st.tabs([f"Predict {n}" for n, _ in numbered]) if tabs else [st.container() for _ in numbered]
    for place, (number, card) in zip(places, numbered, strict=True):
        with place:
            card_view(card, number)


def take_link(page: str) -> None:
    """Read a link's `progress` (merged into the session's, once) and `card` (a card to answer); on the card's
    page, point at it. Called by the shell before every page runs; a bad value gets one line."""
    state = st.session_state
    read = state.setdefault(LINKS_READ, set())
    for name in ("progress", "card"):
        value = st.query_params.get(name)
        if value is None or (name, value) in read:
            continue
        read.add((name, value))
        if name == "progress":
            progress, unknown = decode_progress(value)
            _store(PROGRESS).update({k: v for k, v in progress.items() if k not in _store(PROGRESS)})
            if unknown:
                st.warning(f"From the link: no card is called {', '.join(unknown)}; the rest of it is kept.")
        elif value in CARDS:
            state[FOCUS] = value
        else:
            st.warning(f"From the link: no card is called {value!r}.")
    card = CARDS.get(state.get(FOCUS, ""))
    if card is not None and card.page == page and card.name not in _store(PROGRESS):
        number = page_cards(page).index(card) + 1
        link = f"[Answer it under Try this, Predict {number}](#{anchor(card)})"
        st.info(f"**From your link, a question**: {card.question} {link}")


def encode_progress(progress: dict[str, str]) -> str:
    """The progress as a link's value: `name:r,name:w,...` (right, wrong, shown), in registry order."""
    return ",".join(f"{name}:{CODES[progress[name]]}" for name in CARDS if name in progress)


def decode_progress(text: str) -> tuple[dict[str, str], list[str]]:
    """A link's progress back, and the names in it that are no card (or carry no known outcome)."""
    progress, unknown = {}, []
    for item in filter(None, text.split(",")):
        name, _, code = item.partition(":")
        if name in CARDS and code in OUTCOMES:
            progress[name] = OUTCOMES[code]
        else:
            unknown.append(repr(item)[:60])
    return progress, unknown


def progress_rows(pages: list[tuple[str, str]]) -> list[dict[str, object]]:
    """Per page with cards, (file stem, title) in curriculum order: cards, answered, right, shown, left."""
    progress = _store(PROGRESS)
    rows = []
    for stem, title in pages:
        cards = page_cards(stem)
        if not cards:
            continue
        outcomes = [progress.get(card.name) for card in cards]
        rows.append(
            {
                "page": title,
                "cards": len(cards),
                "answered": sum(o in ("right", "wrong") for o in outcomes),
                "right": outcomes.count("right"),
                "shown": outcomes.count("shown"),
                "left": ", ".join(str(i) for i, o in enumerate(outcomes, start=1) if o is None) or "none",
            }
        )
    return rows


def progress_view(pages: list[tuple[str, str, str]]) -> None:
    """Home's view of the session's predictions: a row per page, a link to each page's first card left, and
    a link that carries the whole progress. `pages`: (path, file stem, title) in curriculum order."""
    progress = _store(PROGRESS)
    rows = progress_rows([(stem, title) for _, stem, title in pages])
    st.table(pd.DataFrame(rows), hide_index=True)
    st.caption(
        f"{sum(r['answered'] for r in rows)} of {len(CARDS)} cards answered, {sum(r['right'] for r in rows)} "
        'right. "left" numbers a page\'s cards not run yet (Predict 1, 2, …); the first run of each card '
        "counts."
    )
    links = st.columns(4)
    for i, (path, stem, title) in enumerate(p for p in pages if page_cards(p[1])):
        left = [card for card in page_cards(stem) if card.name not in progress]
        target = (left or page_cards(stem))[0]
        links[i % 4].page_link(
            path,
            label=f"{title}: Predict {page_cards(stem).index(target) + 1}",
            query_params={"card": target.name},
        )
    if progress:
        query = urlencode({"progress": encode_progress(progress)})
        st.markdown(f"[A link to this progress](./?{query}) (open it in another browser to carry on there):")
        st.code(f"?{query}", language=None)
