"""Transfer learning: teach a pretrained network new classes (a new head on frozen features), then see what
freezing does by comparing from-scratch, frozen and fine-tuned training on the same pictures."""

import numpy as np
import streamlit as st

from core.transfer.backbone import DEFAULT_BACKBONE, ModelUnavailable, backbone_names, backbone_title
from core.transfer.builtin import TASKS
from core.transfer.data import (
    FINETUNE_SIZE,
    MAX_CLASSES,
    MAX_PER_CLASS,
    augmented,
    class_problems,
    count_problems,
    crop_of,
    decode,
    embed,
    parse_class_names,
)
from core.transfer.export import (
    OFFLINE_RECIPE,
    SEED_RECIPE,
    RecipeSettings,
    head_bytes,
    predict_script,
    recipe_script,
    run_offline_recipe,
)
from core.transfer.figures import (
    class_counts,
    embedding_scatter,
    pca_2d,
    probability_bars,
)
from core.transfer.train import HeadConfig, compare_job, freeze_counts
from core.vision.images import EXTENSIONS, ImageError, load_image
from pages.transfer_learning.training import (
    builtin_workspace,
    data_identity,
    draw_comparison,
    draw_head,
    head_job,
    own_classes,
    shared_backbone,
    take_in,
    thumbnail_png,
)
from ui.cards import cards_section, start_pending
from ui.live import drop_runner, live_view, session_runner
from ui.shell import SEED_KEY, ensure_shell

ensure_shell()
OWN = "own"

st.title("Transfer learning")
st.markdown(
    "A network pretrained on ImageNet already turns a picture into a vector of useful features (1,280 "
    "numbers for the EfficientNet-Lite models that ship with the app; 512 for ResNet-18, 2,048 for "
    "ResNet-50, 960 for MobileNetV3-Large). "
    "To teach it **new classes**, keep that network (the *backbone*) fixed, and train only a new last "
    "layer (the *head*) on its features: a few pictures per class and a few seconds are enough. Then see "
    "what **freezing** does: train the same network from scratch, frozen, or fine-tuned, on the same data."
)

# ---- 1. backbone and data
names = backbone_names() or [DEFAULT_BACKBONE]
backbone_col, source_col = st.columns([1, 2])
backbone_name = backbone_col.selectbox("Backbone", names, format_func=backbone_title, key="tl_backbone")
source = source_col.radio(
    "Data",
    [*TASKS, OWN],
    format_func=lambda s: "Your own classes" if s == OWN else TASKS[s].title,
    horizontal=True,
    key="tl_source",
)
seed = int(st.session_state.get(SEED_KEY, 0))
try:
    backbone = shared_backbone(backbone_name)
except ModelUnavailable as error:
    st.error(str(error))
    st.stop()
st.caption(
    f"Backbone: **{backbone.title}** ({backbone.origin}), {backbone.feature_dim} features per picture."
)

if source == OWN:
    own = own_classes(backbone_name)
    class_text = st.text_input(
        f"Class names, separated by commas (2 to {MAX_CLASSES})", "thumbs up, thumbs down", key="tl_classes"
    )
    classes = parse_class_names(class_text)
    for problem in class_problems(classes):
        st.error(problem)
    if class_problems(classes):
        st.stop()
    with st.expander("Add camera shots"):
        shot_class = st.selectbox("Add the shot to", classes, key="tl_camera_class")
        shot = st.camera_input("Take a photo", key="tl_camera")
        if shot is not None:
            for problem in take_in(own, shot_class, [shot], backbone):
                st.warning(problem)
    tabs = st.tabs(classes)
    for i, (tab, name) in enumerate(zip(tabs, classes, strict=True)):
        with tab:
            files = st.file_uploader(
                f"Pictures of '{name}' (several at once; up to {MAX_PER_CLASS} per class)",
                type=list(EXTENSIONS),
                accept_multiple_files=True,
                key=f"tl_upload_{i}",
            )
            for problem in take_in(own, name, files or [], backbone):
                st.warning(problem)
            shots = own.samples.get(name, [])
            st.caption(f"{len(shots)} picture{'' if len(shots) == 1 else 's'} in '{name}'")
            if shots:
                st.image([thumbnail_png(s) for s in shots[-12:]], width=64, caption=None)
                st.button(
                    f"Remove the pictures of '{name}'",
                    key=f"tl_clear_{i}",
                    on_click=lambda name=name: own.samples.pop(name, None),
                    help="Files still listed in the uploader are not added again; upload new ones.",
                )
    space = own.workspace(classes)
    cache = own.cache
    problems = count_problems(classes, space.counts())
    for problem in problems:
        st.error(problem)
    if problems:
        st.stop()
    st.caption("Your pictures live in this session only: they are gone when you close the tab.")
else:
    task = TASKS[source]
    st.caption(f"**{task.title}** from `{task.source}`. {task.description}")
    space, shared_cache = builtin_workspace(source, backbone_name)
    cache = own_classes(backbone_name).cache
    cache.vectors.update({k: v for k, v in shared_cache.vectors.items() if k not in cache.vectors})
    classes = space.classes

# ---- 2. the head
st.header("Train a new head")
c1, c2, c3, c4 = st.columns(4)
val_fraction = c1.slider("Validation share", 0.1, 0.5, 0.2, 0.05, key="tl_val")
epochs = c2.slider("Epochs", 5, 100, 40, 5, key="tl_epochs")
lr = c3.select_slider("Learning rate", [1e-4, 3e-4, 1e-3, 3e-3, 1e-2], 1e-3, key="tl_lr")
augment = c4.toggle("Augment (2 copies)", key="tl_augment", help="Random crop 60–100 %, flip, colour jitter")
views = 2 if augment else 0
config = HeadConfig(epochs=epochs, lr=lr, batch_size=16, seed=seed)
identity = (data_identity(space), backbone_name, val_fraction, views, config)
runner = session_runner(
    "tl_runner", lambda: head_job(space, backbone, cache, val_fraction, views, config), identity
)
start_pending("tl_runner", runner)
live_view(
    runner,
    lambda r, playing: draw_head(r, playing, classes),
    "tl",
    fps=4,
    step_help="Train one epoch",
    on_reset=lambda: drop_runner("tl_runner"),
)
if runner.read(lambda job: job.done):
    st.success(" · ".join(runner.read(lambda job: job.results())))

# What the head trains on, under the run so that the run's numbers stay in the first screen.
data = runner.read(lambda job: job.data)
val_counts = np.bincount(data.val_y.numpy(), minlength=len(classes)).tolist()
st.plotly_chart(class_counts(classes, space.counts(), val_counts), key="tl_counts")
st.caption(
    f"Stratified split with seed {seed}: {len(data.train_index)} training and {len(data.val_index)} "
    f"validation pictures"
    + (f", plus {len(space.test)} test pictures never trained on." if space.test else ".")
    + (
        f" Augmentation adds {views} copies of each training picture ({len(data.train_y)} vectors)."
        if views
        else ""
    )
)
if augment:
    with st.expander("Augmentation preview", expanded=False):
        first = decode(space.pool[int(data.train_index[0])])
        st.image(
            [first, *(augmented(first, v, seed) for v in range(1, 8))],
            width=96,
            caption=["original", *(f"copy {v}" for v in range(1, 8))],
        )

# ---- 3. predict
st.header("Predict")
if not runner.read(lambda job: job.epochs.epoch):
    st.info("Train the head first (Play, or Step for one epoch).")
else:
    choices = ["A picture from the test part"] if space.test else []
    how = st.radio("Picture", [*choices, "Upload", "Camera"], horizontal=True, key="tl_predict_source")
    image, upload = None, None
    if how == "Upload":
        upload = st.file_uploader("A new picture", type=list(EXTENSIONS), key="tl_predict_upload")
    elif how == "Camera":
        upload = st.camera_input("Take a photo to classify", key="tl_predict_camera")
    else:
        index = st.slider("Test picture", 0, len(space.test) - 1, 0, key="tl_predict_index")
        image = decode(space.test[index])
        st.caption(f"True class: **{classes[space.test[index].label]}**")
    if upload is not None:
        try:
            image = load_image(upload.getvalue()).image
        except ImageError as error:
            st.error(f"{upload.name}: {error}")
    if image is not None:
        crop = crop_of(image, backbone)
        probs = runner.read(lambda job: job.probabilities(embed(backbone, [crop]))[0].tolist())
        left, right = st.columns([1, 2])
        left.image(crop, caption=f"What {backbone.title} sees", width=200)
        right.plotly_chart(probability_bars(probs, classes, "The head's probabilities"), key="tl_probs")

    with st.expander("Export the head"):
        st.download_button(
            "Download head.safetensors",
            runner.read(lambda job: head_bytes(job.head, classes, backbone_name)),
            file_name="head.safetensors",
            key="tl_download_head",
        )
        script = predict_script(backbone)
        st.download_button("Download predict.py", script, file_name="predict.py", key="tl_download_script")
        st.code(script, language="python")

# ---- 4. what freezing does
st.header("What freezing does")
blocks = backbone.block_names
n_frozen = st.slider(
    f"Frozen backbone blocks (0 = fine-tune everything, {len(blocks)} = features only)",
    0,
    len(blocks),
    len(blocks) // 2,
    key="tl_frozen",
)
lr_factor = st.select_slider("Backbone learning rate × (head's)", [0.01, 0.1, 1.0], 0.1, key="tl_lr_factor")
trainable, frozen = freeze_counts(backbone, n_frozen, len(classes))
f1, f2, f3 = st.columns(3)
f1.metric("Trainable parameters", f"{trainable:,}")
f2.metric("Frozen parameters", f"{frozen:,}")
f3.metric("Frozen blocks", f"{n_frozen} of {len(blocks)}", help=", ".join(blocks[:n_frozen]) or "none")
cmp_epochs = st.slider("Epochs for the comparison", 2, 20, 6, key="tl_cmp_epochs")
cmp_identity = (data_identity(space), backbone_name, val_fraction, n_frozen, lr_factor, cmp_epochs, seed)
cmp = session_runner(
    "tl_cmp_runner",
    lambda: compare_job(space, backbone_name, val_fraction, n_frozen, lr_factor, cmp_epochs, lr, seed),
    cmp_identity,
)
st.caption(
    f"Three copies of the network train on the same {FINETUNE_SIZE}×{FINETUNE_SIZE} pictures and split: "
    f"**from scratch** (random weights, everything trains), **frozen** (pretrained, only the head trains) "
    f"and **fine-tuned** ({n_frozen} blocks frozen, the rest at {lr_factor}× the head's learning rate "
    "in a second parameter group). Frozen blocks also stay in `eval()` mode, so their batch-norm layers "
    "keep their running statistics: `requires_grad = False` alone would not stop `train()` from updating "
    "them."
)


start_pending("tl_cmp_runner", cmp)
live_view(
    cmp,
    draw_comparison,
    "tl_cmp",
    fps=2,
    step_help="One epoch of each",
    on_reset=lambda: drop_runner("tl_cmp_runner"),
)

st.subheader("Embeddings before and after fine-tuning")
if not cmp.read(lambda job: job.started and job.jobs["fine-tuned"].epochs.epoch):
    st.info("Run the comparison to see how fine-tuning moves the features.")
elif not cmp.playing:
    before, after, labels = cmp.read(lambda job: job.embeddings())
    left, right = st.columns(2)
    for col, feats, title, key in (
        (left, before, "Pretrained", "tl_emb_before"),
        (right, after, "Fine-tuned", "tl_emb_after"),
    ):
        points, share = pca_2d(feats)
        col.plotly_chart(
            embedding_scatter(
                points, labels, classes, f"{title} features, PCA ({share.sum():.0%} of variance)"
            ),
            key=key,
        )

# ---- 5. the seed's recipe, the explanation, and the code
st.header("The recipe")
recipe_left, recipe_right = st.columns(2)
with recipe_left:
    st.markdown("**ResNet-18** (torchvision; needs its weights downloaded once)")
    st.code(SEED_RECIPE.substitute(n_classes=len(classes)), language="python")
with recipe_right:
    st.markdown("**EfficientNet-Lite0**, the offline model, run here:")
    st.code(OFFLINE_RECIPE.substitute(n_classes=len(classes)), language="python")
    if st.button("Run it", key="tl_run_recipe"):
        trainable_names, n_train, n_frozen_params = run_offline_recipe(len(classes))
        st.code("\n".join(trainable_names), language="text")
        st.caption(f"{n_train:,} trainable and {n_frozen_params:,} frozen parameters.")

with st.expander("Try this", expanded=True):
    cards_section("transfer_learning")
    st.markdown(
        "**Handwritten digits**: the same recipe reaches about 82 % on the 100 test digits (seed 0; chance "
        "is 10 %), a little above a logistic regression on the raw pixels of the same 160 training digits "
        "(77 %): on pen strokes, ImageNet's features add little to the pixels themselves. (The textures' "
        "100 % is no yardstick: 3 easy classes, against 10 classes of 16 training pictures each.)"
    )

with st.expander("PyTorch for these settings"):
    settings = RecipeSettings(
        source if source != OWN else "folder", tuple(classes), val_fraction, views, config
    )
    st.code(recipe_script(settings, backbone), language="python")
    st.caption(
        "Run it and it prints the numbers shown above when training is done"
        + (" (put your pictures in data/<class>/ first)." if source == OWN else ".")
    )
