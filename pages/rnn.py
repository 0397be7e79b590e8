"""Recurrent networks: the seed slide's SimpleRNN step by step, then RNN, LSTM and GRU trained live on
sequence tasks, their hidden states, gates and gradients through time."""

import pandas as pd
import streamlit as st

from core.rnn.export import seed_script
from core.rnn.figures import forecast_figure
from core.rnn.job import RNNJob
from core.rnn.simple import build_seed_model, hand_recurrence, shape_table
from core.rnn.text import TextError, prepare_text
from core.rnn.views import forecast_view
from pages.rnn.training import controls, draw_run, inside_view, script_view, temperature_control
from ui.cards import cards_section, start_pending
from ui.live import drop_runner, live_view, session_runner
from ui.shell import ensure_shell, seed

ensure_shell()

st.title("Recurrent networks")
st.markdown(
    "A recurrent network reads a sequence one step at a time and carries a **hidden state** h_t from step "
    "to step, using the same weights at every step. A vanilla RNN computes "
    "h_t = tanh(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh); LSTM and GRU add gates that decide what to keep."
)

st.header("1. The seed model: SimpleRNN(10, 20, 5) on a (1, 5, 10) input")
model, x = build_seed_model(seed())
out, h_n = model.rnn(x)  # (1, 5, 20), (1, 1, 20)
hand = hand_recurrence(model.rnn, x)  # (5, 20)
left, right = st.columns([1, 1])
left.dataframe(pd.DataFrame(shape_table(model, x)), hide_index=True, height=560, key="rnn_shapes")
with right:
    st.markdown(
        "**The recurrence by hand beside `nn.RNN`** (first 3 of 20 units; the difference is the "
        "largest over all 20):"
    )
    rows = [
        {
            "t": t + 1,
            "hand h_t[:3]": " ".join(f"{v:+.4f}" for v in hand[t, :3].tolist()),
            "nn.RNN out[0, t-1, :3]": " ".join(f"{v:+.4f}" for v in out[0, t, :3].tolist()),
            "max |diff|": f"{(hand[t] - out[0, t]).abs().max().item():.1e}",
        }
        for t in range(5)
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, key="rnn_hand")
    output = model(x)[0]
    st.markdown("**Output** fc(h_5), shape (1, 5): `" + " ".join(f"{v:.4f}" for v in output.tolist()) + "`")
    st.caption(
        f"Weights and input drawn after torch.manual_seed({seed()}) (the sidebar's seed). "
        "W_ih is (20, 10), W_hh is (20, 20): the same two matrices at all five steps."
    )
with st.expander("PyTorch for the seed model"):
    st.code(seed_script(seed()), language="python")

st.header("2. Train on a sequence")
side, main = st.columns([1, 3], gap="medium")
with side:
    config = controls(seed())
problems = config.errors()
if config.task == "chars":
    try:
        for note in prepare_text(config.text, config.seq_len + 1).notes:
            side.info(note)
    except TextError as error:
        problems.append(str(error))
runner = None  # no run while a setting is wrong; the last one is kept in the session
with main:
    for problem in problems:
        st.error(problem)
    if not problems:
        runner = session_runner("rnn_runner", lambda: RNNJob(config), identity=config.identity())
        runner.apply(lambda job: (job.set_lr(config.lr), job.set_clip(config.clip)))
        temperature_control(runner.job)
        start_pending("rnn_runner", runner)
        live_view(
            runner,
            draw_run,
            "rnn",
            fps=2,
            step_help="Train one step (one batch)",
            on_reset=lambda: drop_runner("rnn_runner"),
        )

probe = runner.read(lambda job: job.probe()) if runner is not None and not runner.playing else None
if probe is not None and probe.task == "sine":
    context, truth, one_step, rolled, rollout_mse = forecast_view(probe)
    main.plotly_chart(forecast_figure(context, truth, one_step, rolled), key="rnn_forecast")
    main.caption(
        f"Roll-out over {len(truth)} steps: MSE {rollout_mse:.4g} against the noisy truth (noise variance "
        f"{config.noise**2:.4g} is the best any forecast can do). Each roll-out step feeds the previous "
        "prediction back in, so errors compound."
    )

st.header("3. Inside the network")
inside_view(runner, probe, seed())

st.header("Try this")
cards_section("rnn")
st.markdown(
    "- **GRU** on the adding problem, T = 50 (seed 0): its test MSE falls below 0.01 after about 300 steps. "
    "Over the whole budget the vanilla RNN stays near 0.18 for all 3000 steps, never much below 1/6 ≈ "
    "0.167, the MSE of always answering 1.0.\n"
    "- **Gradients through time**: pause the LSTM around step 300 (MSE still ≈ 0.17): "
    "‖∂L/∂h_1‖ / ‖∂L/∂h_T‖ is around 10⁻¹¹, so the first marked number sends back no signal. "
    "Pause again once the MSE is below 0.01: "
    "the ratio is around 0.1 and the whole curve spans a factor of about 50 instead of 10¹¹.\n"
    "- **Characters** on the default text: the validation perplexity bottoms out near 6.4 around step 225, "
    "then rises while the training perplexity falls towards 1: the model memorizes this short text "
    "(overfitting). Its samples at temperature 0.2 repeat lines of the text; at 1.5 they make up words."
)

st.header("PyTorch for these settings")
script_view(runner, config)
