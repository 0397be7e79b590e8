"""Sentiment: a pretrained transformer labels text, then shows which words drove it, what an edit changes,
and a whole file of texts at once."""

import math

import streamlit as st

from core.text import batch
from core.text.attributions import Attribution, edit_word, words_of
from core.text.code import offline_code, pipeline_code
from core.text.examples import EXAMPLE_TEXTS, example_note
from core.text.figures import (
    MAX_ATTENTION_TOKENS,
    attention_figure,
    highlighted_html,
    histogram_figure,
    probability_figure,
)
from pages.sentiment import text_models
from ui.cards import cards_section
from ui.shell import ensure_shell

ensure_shell()

MAX_CHARS = 100_000
EXAMPLES = [e.text for e in EXAMPLE_TEXTS]


def show_attribution(result: Attribution, text: str) -> None:
    """Highlighted words with the method's caption; red pushes towards POSITIVE, blue towards NEGATIVE."""
    spans = [(w.start, w.end) for w in result.words]
    note = "Only the highlighted part fitted in the model's token limit." if result.truncated else None
    st.html(highlighted_html(text, spans, result.word_scores, note))
    if result.method.startswith("Integrated"):
        st.caption(
            f"Word scores add up to P(POSITIVE) − P(POSITIVE | all-[PAD] baseline) = "
            f"{result.positive:.3f} − {result.reference:.3f} (integration error {result.delta:+.4f})."
        )
    else:
        st.caption(
            f"Each word's score is P(POSITIVE) − P(POSITIVE | the text without that word), with "
            f"P(POSITIVE) = {result.positive:.3f}. With no words at all ([CLS] [SEP] alone) the model says "
            f"P(POSITIVE) = {result.reference:.3f}: an empty input is not a neutral 0.5 to it."
        )


def set_example() -> None:
    st.session_state["sent_text"] = st.session_state["sent_example"]


st.title("Sentiment")
st.markdown(
    "A pretrained transformer reads your text and says whether it is positive or negative: it turns the "
    "text into tokens, computes two scores (logits) and softmax makes them two probabilities that sum to 1. "
    "Then look inside: which words pushed the decision, how the attention heads mix the tokens, and what "
    "changes when you edit one word. Red marks evidence for POSITIVE, blue for NEGATIVE."
)
model_col, view_col = st.columns([3, 2])  # one row, so the label shows in the first screen
with model_col:
    name = text_models.model_picker("sent_model")
if name is None:
    st.stop()
view = view_col.radio("View", ["Single text", "What if", "Batch"], horizontal=True, key="sent_view")

if view != "Batch":
    view_col.selectbox("Example", EXAMPLES, key="sent_example", on_change=set_example)
    st.session_state.setdefault("sent_text", EXAMPLES[0])  # set here only: a widget default would clash
    text = st.text_area("Text", max_chars=MAX_CHARS, key="sent_text", height=100)
    if not text.strip():
        st.error("Type some text (it is empty or only whitespace).")
        st.stop()
    if note := example_note(text):
        st.caption(note)
    prediction = text_models.predict(name, text)
    if prediction.truncated:
        limit = text_models.classifier(name).max_tokens
        st.warning(
            f"The text is {prediction.tokens:,} tokens long; the model reads only the first {limit}, "
            "so the rest does not affect the result."
        )

if view == "Single text":
    c1, c2 = st.columns([1, 3])
    c1.metric(
        "Label",
        prediction.label,
        f"P({prediction.label}) = {prediction.score:.1%}",
        delta_color="off",
        delta_arrow="off",
    )
    c2.plotly_chart(probability_figure(prediction.positive), key="sent_prob_chart")
    negative, positive = text_models.logits(name, text)
    st.caption(
        f"Logits: NEGATIVE {negative:.4f}, POSITIVE {positive:.4f}. Softmax: P(POSITIVE) = "
        f"1 / (1 + e^−({positive:.4f} − ({negative:.4f}))) = {1 / (1 + math.exp(negative - positive)):.4f}. "
        "This is the model's softmax output, not a calibrated confidence: it can be high on text it gets "
        "wrong (the offline model calls the French *Ce film est nul ! 😡*, 'this film is rubbish', POSITIVE "
        "at 83 %). How often it is right is measured on held-out data: the model card's SST-2 dev accuracy."
    )
    st.subheader("Why: word attributions")
    method = st.radio("Method", text_models.METHODS, horizontal=True, key="sent_method")
    show_attribution(text_models.explain(name, text, method), text)
    st.subheader("Attention")
    st.caption(
        "Each row shows how much one token's output mixes in the value of every token, in one head of one "
        "layer. Attention weights are not an explanation of the label: different attention patterns can "
        "give the same prediction, and the values they weight matter as much (Jain & Wallace 2019, "
        "'Attention is not Explanation'). For 'why', use the attributions above."
    )
    tokens, maps = text_models.attention(name, text)
    c1, c2 = st.columns(2)
    layer = c1.slider("Layer", 1, maps.shape[0], maps.shape[0], key="sent_layer") - 1
    head = c2.slider("Head", 1, maps.shape[1], 1, key="sent_head") - 1
    if len(tokens) > MAX_ATTENTION_TOKENS:
        st.caption(f"Showing the first {MAX_ATTENTION_TOKENS} of {len(tokens)} tokens.")
    st.plotly_chart(attention_figure(tokens, maps[layer, head], layer, head), key="sent_attention_chart")

elif view == "What if":
    words = words_of(text)[:500]
    c1, c2 = st.columns(2)
    index = c1.selectbox(
        "Word to change",
        range(len(words)),
        key="sent_word",
        format_func=lambda i: f"{i + 1}: {words[i].text}",
    )
    replacement = c2.text_input("Replace it with (empty deletes it)", "", key="sent_replacement")
    edited = edit_word(text, index, replacement)
    if not edited.strip():
        st.error("The edit leaves no text: choose another word or type a replacement.")
        st.stop()
    after = text_models.predict(name, edited)
    change = after.positive - prediction.positive
    st.metric("P(POSITIVE) after the edit", f"{after.positive:.1%}", f"{change:+.1%}")
    method = text_models.METHODS[0]
    for column, title, version, result in zip(
        st.columns(2),
        ("Original", "Edited"),
        (text, edited),
        (prediction, after),
        strict=True,
    ):
        column.markdown(f"**{title}: {result.label} (P = {result.score:.1%})**")
        column.plotly_chart(probability_figure(result.positive), key=f"sent_whatif_{title}")
        with column:
            show_attribution(text_models.explain(name, version, method), version)

else:
    source = st.radio("Texts from", ["Typed lines", "CSV or TXT file"], horizontal=True, key="sent_source")
    texts: list[str] = []
    try:
        if source == "Typed lines":
            lines = st.text_area("One text per line", "\n".join(EXAMPLES[:4]), key="sent_lines", height=150)
            texts = batch.texts_from_lines(lines)
        else:
            upload = st.file_uploader(
                "CSV (pick the text column) or TXT (one text per line)",
                type=["csv", "txt"],
                key="sent_upload",
            )
            if upload is not None:
                table = batch.read_upload(upload.getvalue(), upload.name)
                columns = list(table.columns)
                column = st.selectbox(
                    "Text column",
                    columns,
                    key="sent_column",
                    index=columns.index("text") if "text" in columns else 0,
                )
                texts = batch.column_texts(table, column)
    except batch.BatchInputError as exc:
        st.error(str(exc))
    texts, notice = batch.limit_rows(texts)
    if notice:
        st.warning(notice)
    if st.button(f"Classify {len(texts):,} texts", key="sent_run", disabled=not texts, type="primary"):
        progress = st.progress(0.0, text="Classifying…")
        rows = {}
        for done, pairs in batch.classify_batches(text_models.classifier(name), texts):
            rows.update(pairs)
            progress.progress(done / len(texts), text=f"Classified {done:,} of {len(texts):,}")
        progress.empty()
        st.session_state["sent_results"] = batch.results_table(batch.in_file_order(rows))
    results = st.session_state.get("sent_results")
    if results is not None:
        st.dataframe(results, hide_index=True, key="sent_table", height=300)
        st.plotly_chart(histogram_figure(results["p_positive"].dropna().tolist()), key="sent_histogram")
        st.download_button(
            "Download CSV", batch.to_csv_bytes(results), "sentiment.csv", "text/csv", key="sent_download"
        )

st.subheader("Try this")
cards_section("sentiment")

if view != "Batch":
    st.subheader("PyTorch for these settings")
    model_path = text_models.model_path(name)
    st.caption('The course slide\'s `pipeline("sentiment-analysis")` call on this text:')
    st.code(pipeline_code(name, text, model_path), language="python")
    if name == "minilm-sst2":
        st.caption(
            "The offline model has no pipeline: the same computation written out with transformers and "
            "safetensors. It prints the logits and P(POSITIVE) shown above."
        )
        st.code(offline_code(text), language="python")
